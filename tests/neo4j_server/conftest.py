"""Shared by the tests of the local server: scratch homes that share the default home's jars."""

from pathlib import Path

import pytest

from reelgraph.neo4j import server as ns


@pytest.fixture(scope="module")
def jar_sharing_home(tmp_path_factory):
    """A function making a new, empty home whose ``lib`` and ``plugins`` are the default home's (fetched once)."""
    jars = ns.install()

    def make(name: str) -> Path:
        home = tmp_path_factory.mktemp(name) / "home"
        home.mkdir()
        for folder in ("lib", "plugins"):  # shared, instead of fetching 200 MB again
            (home / folder).symlink_to(jars / folder, target_is_directory=True)
        return home

    return make
