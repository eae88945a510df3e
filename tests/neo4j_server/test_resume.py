"""A first Neo4j load cut short by a killed server, then rerun: the data exact and the whole schema there.

The server is a scratch one (its own home, sharing the default home's jars
through symlinks, on free ports): the test kills its JVM with SIGKILL while
``reelgraph load`` sends the graph over Bolt, starts it again (Neo4j recovers
from its transaction log) and runs the same load again, as the load's own
message advises.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import neo4j
import pytest

from reelgraph.neo4j import server as ns
from reelgraph.neo4j.indexes import missing_schema, schema_items
from reelgraph.neo4j.sync import Neo4jSettings, connect, neo4j_counts
from reelgraph.store import LocalStore

pytestmark = pytest.mark.neo4j

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def scratch(jar_sharing_home, free_ports):
    """A running scratch server: (home, settings)."""
    home = jar_sharing_home("neo4j-resume")
    bolt, http = free_ports()
    ns.start(home, bolt_port=bolt, http_port=http, heap="512m", pagecache="128m")
    info = ns.connection_settings(home)
    yield home, Neo4jSettings(uri=info["uri"], user=info["user"], password=info["password"])
    ns.stop(home)
    shutil.rmtree(home, ignore_errors=True)


def _load(source: Path, store: Path, settings: Neo4jSettings) -> subprocess.Popen:
    env = {**os.environ, "NEO4J_URI": settings.uri, "NEO4J_USER": settings.user, "NEO4J_PASSWORD": settings.password}
    return subprocess.Popen([str(BIN / "reelgraph"), "load", str(source), "--title-types", "all", "--batched",
                             "--quiet", "--store", str(store)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _films_in(settings: Neo4jSettings) -> int:
    try:
        with neo4j.GraphDatabase.driver(settings.uri, auth=(settings.user, settings.password),
                                        notifications_min_severity="OFF") as driver:
            return driver.execute_query("MATCH (f:Film) RETURN count(f) AS n").records[0]["n"]
    except (neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError, OSError):
        return 0


def test_a_first_load_killed_midway_then_rerun_is_exact_and_has_the_whole_schema(scratch, tmp_path, expected_counts):
    home, settings = scratch
    source = tmp_path / "imdb"
    subprocess.run([str(BIN / "reelgraph"), "synth", "--titles", "12000", "-o", str(source), "--quiet"], check=True)
    store = tmp_path / "store"

    first = _load(source, store, settings)
    # Films go first, the credits last: as soon as films are in, the load is midway.
    deadline = time.monotonic() + 240
    while _films_in(settings) == 0:
        assert first.poll() is None, f"the load ended before Neo4j held a film: {first.communicate()}"
        assert time.monotonic() < deadline, "no film reached Neo4j in 240 s"
        time.sleep(0.05)
    os.kill(ns.status(home)["pid"], signal.SIGKILL)
    _, stderr = first.communicate(timeout=120)
    assert first.returncode == 4, stderr
    assert "Neo4j sync stopped after" in stderr and "run the same command again" in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr

    ns.start(home)  # the same ports; Neo4j recovers what was committed
    driver = connect(settings)
    try:
        partial = neo4j_counts(driver)
        assert 0 < partial["nodes"]["Film"]
        assert sum(partial["relationships"].values()) < 70_000  # the kill came before the end
        # What the bug left behind: a load cut short had built none of the indexes.
        assert missing_schema(driver)

        second = _load(source, store, settings)
        _, stderr = second.communicate(timeout=600)
        assert second.returncode == 0, stderr

        graph = LocalStore(store).read()
        counts = neo4j_counts(driver)
        assert counts == expected_counts(graph)  # nothing lost
        duplicates = driver.execute_query(
            "MATCH (n) WHERE n:Film OR n:Person WITH labels(n)[0] AS label, n.id AS id, count(*) AS n WHERE n > 1 "
            "RETURN count(*) AS keys").records[0]["keys"]
        assert duplicates == 0
        repeated = driver.execute_query(
            "MATCH (p)-[r]->(f) WITH p, f, type(r) AS t, r.role AS role, count(*) AS n WHERE n > 1 "
            "RETURN count(*) AS pairs").records[0]["pairs"]
        assert repeated == 0
        assert missing_schema(driver) == []
        listed = {r["name"] for r in driver.execute_query("SHOW INDEXES YIELD name, state WHERE state = 'ONLINE' "
                                                         "RETURN name").records}
        constraints = {r["name"] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name").records}
        assert {item.name for item in schema_items()} <= listed | constraints
        films = driver.execute_query("CALL db.index.fulltext.queryNodes('film_titles', $q) YIELD node "
                                     "RETURN count(node) AS n", q=graph.films["title"].iloc[0]).records[0]["n"]
        assert films >= 1  # the full-text index answers
    finally:
        driver.close()
