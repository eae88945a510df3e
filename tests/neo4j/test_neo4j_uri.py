"""``neo4j://`` (routing) URIs, as clusters and Aura use, against the single test server; driver
notifications as one line on stderr, for a user's query only.

A single server answers routing requests with itself, so the test server
addressed as ``neo4j://HOST:PORT`` stands in for a cluster.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import neo4j
import pytest
from click.testing import CliRunner

from reelgraph.cli import main
from reelgraph.errors import ReadOnlyQueryError
from reelgraph.mirror import build_mirror, mirror_counts
from reelgraph.neo4j.read import read_graph
from reelgraph.neo4j.sync import Neo4jSettings, connect, neo4j_counts, run_cypher, sync_graph
from reelgraph.schema import FILM, PERSON
from reelgraph.store import LocalStore

pytestmark = pytest.mark.neo4j

REPO = Path(__file__).resolve().parents[2]
#: The reelgraph command of the interpreter running the tests (not whatever PATH finds first).
REELGRAPH = Path(sys.executable).parent / "reelgraph"
#: A query the server answers with a warning notification ("property key does not exist").
WARNED = "MATCH (f:Film) RETURN f.no_such_property AS x ORDER BY f.id LIMIT 1"


@pytest.fixture
def routing(neo4j_settings, neo4j_driver) -> Neo4jSettings:
    """The test server's settings with a ``neo4j://`` URI (``neo4j_driver``: its database is empty)."""
    return Neo4jSettings(uri="neo4j://" + urlsplit(neo4j_settings.uri).netloc, user=neo4j_settings.user,
                         password=neo4j_settings.password)


def test_python_api_over_neo4j_uri(routing, sample_graph, expected_counts):
    driver = connect(routing)
    try:
        assert type(driver).__name__ == "Neo4jDriver"  # the routing driver, not the direct one
        assert sync_graph(driver, sample_graph, progress=False) == expected_counts(sample_graph)
        frame = run_cypher(driver, f"MATCH (p:{PERSON} {{name: $name}})-[:ACTED_IN]->(f:{FILM}) "
                           "WHERE f.year < $before RETURN f.title AS title ORDER BY title",
                           {"name": "Carey Mulligan", "before": 2010})
        assert frame.title.tolist() == ["An Education", "Pride & Prejudice"]
        with pytest.raises(ReadOnlyQueryError, match=r"^this query writes to the graph; run it with --write"):
            run_cypher(driver, "CREATE (n:Film {id: 'x'})")
        written = run_cypher(driver, "CREATE (n:Probe {id: $id}) RETURN n.id AS id", {"id": "p1"}, write=True)
        assert written.id.tolist() == ["p1"]
        assert run_cypher(driver, "MATCH (n:Probe) DETACH DELETE n", write=True).empty
        assert mirror_counts(build_mirror(read_graph(driver))) == mirror_counts(build_mirror(sample_graph))
    finally:
        driver.close()


def test_load_and_cypher_commands_over_neo4j_uri(routing, neo4j_driver, expected_counts, tmp_path):
    env = {"NEO4J_URI": routing.uri, "NEO4J_USER": routing.user, "NEO4J_PASSWORD": routing.password}
    store = tmp_path / "store"
    load = CliRunner().invoke(main, ["load", "--quiet", "--store", str(store), str(REPO / "loaders" / "sample" / "pages")],
                              env=env)
    assert load.exit_code == 0, load.output
    assert neo4j_counts(neo4j_driver) == expected_counts(LocalStore(store).read())
    query = f"MATCH (f:{FILM}) WHERE f.title = $t RETURN f.id AS id, f.year AS year ORDER BY id"
    films = CliRunner().invoke(main, ["cypher", query, "-p", "t=Never Let Me Go", "--json"], env=env)
    assert films.exit_code == 0, films.output
    # The film, and the other film of that title known only from its "More like this" list.
    assert json.loads(films.stdout) == [{"id": "title:never-let-me-go", "year": None}, {"id": "tt1334260", "year": 2010}]


def _run(args: list[str], settings) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEO4J_URI": settings.uri, "NEO4J_USER": settings.user, "NEO4J_PASSWORD": settings.password}
    return subprocess.run([str(REELGRAPH), *args], env=env, capture_output=True, text=True, timeout=120)


def test_no_driver_notifications_on_stderr(neo4j_settings, neo4j_driver, sample_graph):
    sync_graph(neo4j_driver, sample_graph, progress=False)
    # The server does warn about this query when asked to: so a quiet stderr below means silenced, not absent.
    with neo4j.GraphDatabase.driver(neo4j_settings.uri, auth=(neo4j_settings.user, neo4j_settings.password)) as raw:
        summary = raw.execute_query(WARNED).summary
    assert [n.gql_status for n in summary.gql_status_objects if n.is_notification] == ["01N52"]

    # Separate processes: the driver logs notifications through logging's last-resort handler,
    # which pytest's log capture would hide in-process.
    mirror = _run(["mirror", "--from-neo4j"], neo4j_settings)
    assert (mirror.returncode, mirror.stderr) == (0, "")
    assert mirror.stdout.startswith("30 Film, 281 Person, 16 Genre, ")
    # A user's query hears the warning, as one readable line, and stdout stays the rows alone.
    cypher = _run(["cypher", WARNED, "--json"], neo4j_settings)
    assert (cypher.returncode, cypher.stderr) == (0, (
        "reelgraph: warning: property key does not exist: the property `no_such_property` does not exist. "
        "Verify that the spelling is correct. (line 1, column 25)\n"))
    assert json.loads(cypher.stdout) == [{"x": None}]
    # A load that loses its server says so in reelgraph's one line, without the driver's log records.
    lost = _run(["cypher", "RETURN 1 AS x"], Neo4jSettings(uri="bolt://127.0.0.1:1", user="neo4j", password="x"))
    assert lost.returncode == 4 and len(lost.stderr.splitlines()) == 1, lost.stderr
