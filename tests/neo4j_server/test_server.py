"""Tests against a real local Neo4j 5.26 server (reelgraph.neo4j.server).

Nothing here is skipped: if the server cannot be installed or started, the
tests fail with the reason.  The first run fetches the jars with Maven (about
140 MB, seconds on a fast link); each start takes roughly 10 s.

The main server is the default home's (``~/.cache/reelgraph/neo4j-5.26.30``
or ``$REELGRAPH_NEO4J_HOME``).  If it already runs it is reused and left
running; otherwise it is started here and stopped at the end.  These tests
leave no data in it: the one write is rolled back.  The bulk import goes into
a scratch home that shares the main home's jars through symlinks.
"""

import json
import shutil
import socket
import subprocess
import sys
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import neo4j
import pytest

REPO = Path(__file__).resolve().parents[2]
try:
    from reelgraph.neo4j import server as ns
except ImportError:  # run as plain `pytest` without the repo root on sys.path
    sys.path.insert(0, str(REPO))
    from reelgraph.neo4j import server as ns

# Registered in pyproject.toml: "needs the test Neo4j server".
needs_neo4j = pytest.mark.neo4j


def _http_get(url: str) -> tuple[int, str]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as reply:
        return reply.status, reply.read().decode("utf-8", "replace")


def _port_taken(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def server(free_ports):
    """The default home's server, running; stopped afterwards if we started it."""
    was_running = ns.status()["running"]
    ports = {}
    if not was_running and (_port_taken(7687) or _port_taken(7474)):
        # Another server (e.g. the Docker one) holds the default ports; these
        # tests are about the local server, so run it beside that one.
        ports = dict(zip(("bolt_port", "http_port"), free_ports()))
    info = ns.start(timeout=300, **ports)
    yield info
    if not was_running:
        ns.stop()


@pytest.fixture(scope="module")
def driver(server):
    settings = ns.connection_settings()
    with neo4j.GraphDatabase.driver(settings["uri"], auth=(settings["user"], settings["password"])) as drv:
        yield drv


def test_module_versions_match_pom():
    props = {
        el.tag.split("}")[-1]: el.text
        for el in ET.parse(REPO / "graph" / "neo4j" / "pom.xml").getroot().find("{*}properties")
    }
    assert props["neo4j.version"] == ns.NEO4J_VERSION
    assert props["apoc.version"] == ns.APOC_VERSION
    assert props["neo4j-browser.version"] == ns.BROWSER_VERSION
    assert {artifact: props[f"{artifact}.version"] for artifact in ns.APOC_RUNTIME_JARS} == ns.APOC_RUNTIME_JARS


@needs_neo4j
def test_connectivity_and_status(server, driver):
    driver.verify_connectivity()
    info = ns.status()
    assert info["running"] and info["bolt_ready"]
    assert info["version"] == ns.NEO4J_VERSION
    assert info["uri"] == ns.connection_settings()["uri"]
    assert (Path(info["home"]) / "run" / "neo4j.pid").read_text().strip() == str(info["pid"])
    assert driver.get_server_info().agent == f"Neo4j/{ns.NEO4J_VERSION}"


@needs_neo4j
def test_return_1(driver):
    records, _, _ = driver.execute_query("RETURN 1 AS one")
    assert records[0]["one"] == 1


@needs_neo4j
def test_write_is_rolled_back(driver):
    with driver.session() as session:
        tx = session.begin_transaction()
        tx.run("CREATE (:ReelgraphProbe {n: 1})")
        assert tx.run("MATCH (p:ReelgraphProbe) RETURN count(p) AS c").single()["c"] == 1
        tx.rollback()
    records, _, _ = driver.execute_query("MATCH (p:ReelgraphProbe) RETURN count(p) AS c")
    assert records[0]["c"] == 0


@needs_neo4j
def test_apoc_loaded(driver):
    records, _, _ = driver.execute_query("RETURN apoc.version() AS v, apoc.coll.sum([1, 2, 3]) AS s")
    assert records[0]["v"] == ns.APOC_VERSION
    assert records[0]["s"] == 6


@pytest.fixture
def loopback_http(tmp_path):
    """A plain HTTP server on 127.0.0.1 serving ``tmp_path``; yields its base URL."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        yield tmp_path, f"http://127.0.0.1:{httpd.server_address[1]}"
        httpd.shutdown()


@needs_neo4j
def test_apoc_readers_work_as_shipped(server, driver, loopback_http):
    # Without hadoop-common's XML parser (and the rest of APOC_RUNTIME_JARS) every
    # one of these failed with NoClassDefFoundError: com/ctc/wstx/io/InputBootstrapper.
    served, base = loopback_http
    name = f"reelgraph-apoc-{server['pid']}"
    imported = Path(server["home"]) / "import"
    (imported / f"{name}.json").write_text('{"title": "Never Let Me Go", "year": 2010, "genres": ["Drama"]}')
    (imported / f"{name}.xml").write_text('<film id="tt1334260"><title>Never Let Me Go</title></film>')
    (served / "films.csv").write_text("id,title\ntt1334260,Never Let Me Go\ntt0780504,Drive\n")
    (served / "film.json").write_text('{"id": "tt0780504"}')
    try:
        records, _, _ = driver.execute_query(f"CALL apoc.load.json('file:///{name}.json') YIELD value RETURN value")
        assert [r["value"] for r in records] == [{"title": "Never Let Me Go", "year": 2010, "genres": ["Drama"]}]
        records, _, _ = driver.execute_query(f"CALL apoc.load.xml('{name}.xml') YIELD value RETURN value")
        assert records[0]["value"] == {"_type": "film", "id": "tt1334260",
                                       "_children": [{"_type": "title", "_text": "Never Let Me Go"}]}
        records, _, _ = driver.execute_query("CALL apoc.load.json($url) YIELD value RETURN value", url=f"{base}/film.json")
        assert [r["value"] for r in records] == [{"id": "tt0780504"}]
        records, _, _ = driver.execute_query("LOAD CSV WITH HEADERS FROM $url AS row RETURN row.id AS id, row.title AS t",
                                             url=f"{base}/films.csv")
        assert [(r["id"], r["t"]) for r in records] == [("tt1334260", "Never Let Me Go"), ("tt0780504", "Drive")]
        # Files are read from import/ only: an absolute path is taken inside it.
        with pytest.raises(neo4j.exceptions.ClientError, match=r"Cannot open file .*/import/etc/hostname"):
            driver.execute_query("CALL apoc.load.json('file:///etc/hostname') YIELD value RETURN value")
    finally:
        for suffix in (".json", ".xml"):
            (imported / f"{name}{suffix}").unlink(missing_ok=True)


@needs_neo4j
def test_auth_is_enforced(server):
    uri = ns.connection_settings()["uri"]
    with neo4j.GraphDatabase.driver(uri, auth=("neo4j", "definitely-not-it")) as bad:
        with pytest.raises(neo4j.exceptions.AuthError):
            bad.verify_connectivity()


@needs_neo4j
def test_browser_and_http_api(server):
    status, body = _http_get(server["http"] + "/browser/")
    assert status == 200 and "Neo4j Browser" in body
    status, body = _http_get(server["http"] + "/")
    document = json.loads(body)
    assert document["neo4j_version"] == ns.NEO4J_VERSION
    # The Bolt address Neo4j Browser offers is the server's own, whatever its port.
    assert document["bolt_direct"] == server["uri"]


@needs_neo4j
def test_start_when_running_is_a_noop(server):
    again = ns.start()
    assert again["pid"] == server["pid"]
    assert "startup_seconds" not in again


@needs_neo4j
def test_cli_status(server):
    run = subprocess.run(
        [str(Path(sys.executable).parent / "reelgraph"), "neo4j", "status", "--home", server["home"], "--json"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["pid"] == server["pid"]


@needs_neo4j
def test_bulk_import_into_scratch_home(server, tmp_path, free_ports):
    main_home = Path(server["home"])
    scratch = tmp_path / "neo4j-scratch"
    scratch.mkdir()
    # Share the jars instead of fetching 140 MB again.
    for name in ("lib", "plugins"):
        (scratch / name).symlink_to(main_home / name, target_is_directory=True)
    ns.install(scratch)

    csv = tmp_path / "csv"
    csv.mkdir()
    (csv / "movies.csv").write_text("id:ID(Movie),title,year:int\nm1,Heat,1995\nm2,Ronin,1998\n")
    (csv / "people_header.csv").write_text("id:ID(Person),name\n")
    (csv / "people.csv").write_text("p1,Robert De Niro\np2,Al Pacino\n")
    (csv / "acted.csv").write_text(":START_ID(Person),:END_ID(Movie),role\np1,m1,Neil\np2,m1,Vincent\np1,m2,Sam\n")

    run = ns.bulk_import(
        [("Movie", csv / "movies.csv"), ("Person", [csv / "people_header.csv", csv / "people.csv"])],
        [("ACTED_IN", csv / "acted.csv")],
        home=scratch,
    )
    assert "IMPORT DONE" in run.stdout

    bolt_port, http_port = free_ports()
    # A leading "-" once broke set-initial-password (taken for an option).
    password = "-scratch-password-1"
    info = ns.start(scratch, bolt_port=bolt_port, http_port=http_port, password=password,
                    heap="512m", pagecache="64m")
    try:
        with pytest.raises(ns.Neo4jServerError, match="stop the Neo4j server"):
            ns.bulk_import([("Movie", csv / "movies.csv")], home=scratch, overwrite=True)
        settings = ns.connection_settings(scratch)
        assert settings["uri"] == info["uri"] != server["uri"]
        assert settings["password"] == password
        with neo4j.GraphDatabase.driver(settings["uri"], auth=(settings["user"], settings["password"])) as drv:
            records, _, _ = drv.execute_query(
                "MATCH (p:Person)-[r:ACTED_IN]->(m:Movie) "
                "RETURN p.name AS p, r.role AS role, m.title AS m, m.year AS y ORDER BY p, m"
            )
        assert [tuple(r.values()) for r in records] == [
            ("Al Pacino", "Vincent", "Heat", 1995),
            ("Robert De Niro", "Neil", "Heat", 1995),
            ("Robert De Niro", "Sam", "Ronin", 1998),
        ]
    finally:
        assert ns.stop(scratch) is True
    assert not ns.status(scratch)["running"]
    assert not (scratch / "run" / "neo4j.pid").exists()

    # Re-importing into the now existing database needs overwrite=True.
    with pytest.raises(ns.Neo4jServerError):
        ns.bulk_import([("Movie", csv / "movies.csv")], home=scratch)
    run = ns.bulk_import([("Movie", csv / "movies.csv")], home=scratch, overwrite=True)
    assert "2 nodes" in run.stdout

    # The import tool preallocates a 256 MiB transaction log; pytest keeps the
    # last runs' tmp dirs, so drop the scratch store once it has passed.
    shutil.rmtree(scratch)
