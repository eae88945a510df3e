"""The docstring examples of every reelgraph module run as doctests.

They run on the installed package (``import reelgraph``), not on files
collected by path, so each module is imported once, under its real name.
"""

import doctest
import importlib
import pkgutil

import pytest

import reelgraph
import reelgraph.loaders

# reelgraph.loaders lives in its own folder (loaders/), so it is walked apart.
MODULES = sorted({"reelgraph", "reelgraph.loaders"} | {
    info.name
    for package in (reelgraph, reelgraph.loaders)
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
    if not info.name.endswith("__main__")
})


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
