"""The page's template, script and style are package files, and a built package carries them.

The template (``templates/page.html``), script (``static/page.js``) and style
(``static/page.css``) are read through :mod:`importlib.resources`, so they
come from wherever the package is installed.  The last tests build the
package as a wheel would (setuptools' ``build_py``, from a copy of the
sources, by the rules of ``pyproject.toml``) and write a view with it, in
a folder away from the sources; the browser test opens that page with the
network blocked.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import html
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from reelgraph.views import neighbourhood_view, page

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_FILES = ["templates/page.html", "static/page.js", "static/explore.js", "static/page.css"]


def _package_file(name: str) -> str:
    return resources.files("reelgraph.views").joinpath(name).read_text(encoding="utf-8")


def _own_script() -> str:
    """The page's own script as it goes inline: its files, one after the other."""
    return "\n".join(_package_file(f"static/{name}") for name in page.PAGE_SCRIPTS)


def test_the_page_carries_the_package_files(graph_factory):
    document = neighbourhood_view(graph_factory(n_films=10, cast=3, seed=1), "tt1000000").html()
    script = _own_script()
    style = _package_file("static/page.css")
    assert page.PAGE_SCRIPTS == ("page.js", "explore.js")
    assert page.page_script() == script and page.page_style() == style
    assert document.count("<script>" + script + "</script>") == 1
    assert document.count(style) == 1
    csp = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', document).group(1))
    assert "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'" in csp
    template = _package_file("templates/page.html")
    assert '<script type="application/json" id="rg-data">{{ data }}</script>' in template


def test_pyproject_ships_every_page_file():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["reelgraph.views"]
    folder = ROOT / "graph" / "views"
    on_disk = sorted(str(p.relative_to(folder)) for sub in ("templates", "static") for p in (folder / sub).iterdir() if p.is_file())
    assert sorted(PACKAGE_FILES) == on_disk
    for name in on_disk:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The package as setuptools builds it for a wheel, in a folder of its own (``lib``), and a folder to work in."""
    base = tmp_path_factory.mktemp("built")
    sources = base / "src"
    sources.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("graph", "loaders"):
        shutil.copytree(ROOT / name, sources / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, sources / name)
    lib = base / "lib"
    proc = subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "build_py", "--build-lib", str(lib)],
                          cwd=sources, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    work = base / "work"
    work.mkdir()
    return lib, work


WRITE_A_VIEW = """
import sys, networkx as nx, reelgraph.views as views
G = nx.Graph()
G.add_node("tt1334260", kind="film", label="Never Let Me Go", year=2010)
G.add_node("nm1659547", kind="person", label="Carey Mulligan")
G.add_edge("nm1659547", "tt1334260", roles=["actor"], characters=["Kathy"])
views.write_html(views.neighbourhood_view(G, "tt1334260"), sys.argv[1])
print(views.__file__)
"""


def _write_with_built_package(lib: Path, work: Path) -> Path:
    out = work / "view.html"
    proc = subprocess.run([sys.executable, "-c", WRITE_A_VIEW, str(out)], cwd=work, capture_output=True, text=True,
                          env={"PYTHONPATH": str(lib), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()).is_relative_to(lib), proc.stdout  # the built package, not the sources
    return out


def test_a_built_package_writes_the_same_page(built):
    lib, work = built
    for name in PACKAGE_FILES:
        assert (lib / "reelgraph" / "views" / name).read_text(encoding="utf-8") == _package_file(name)
    document = _write_with_built_package(lib, work).read_text(encoding="utf-8")
    assert "<script>" + _own_script() + "</script>" in document
    assert sorted(p.name for p in work.iterdir()) == ["view.html"]


@pytest.mark.browser
def test_a_page_written_by_a_built_package_draws_offline(built, page):
    lib, work = built
    path = _write_with_built_package(lib, work)
    url = path.resolve().as_uri()
    page.navigate(url)
    assert page.wait_for("document.documentElement.getAttribute('data-rg-state') === 'stable'", timeout=60)
    assert page.evaluate("network.body.data.nodes.length") == 2
    assert page.evaluate("document.querySelectorAll('.rg-legend li').length") == 3
    assert page.requests() == [url]
    assert page.errors() == []
