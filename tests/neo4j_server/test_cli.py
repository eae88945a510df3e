"""``reelgraph neo4j ...`` as a user runs it: separate processes, a server of its own on free ports.

The server here lives in a scratch home (sharing the default home's jars
through symlinks) and is started and stopped by the command itself, with no
NEO4J_* variables set, as in the README's no-Docker flow.  Its database is
the tests' own, so the README flow may write the demo into it.
"""

import json
import os
import shlex
import shutil
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import click
import neo4j
import pytest

from reelgraph.cli import main
from reelgraph.neo4j import server as ns

pytestmark = pytest.mark.neo4j

#: The reelgraph command of the interpreter running the tests (not whatever PATH finds first).
BIN = Path(sys.executable).parent


def _env(**extra) -> dict:
    """The caller's environment without NEO4J_*, REELGRAPH_* (no server configured), reelgraph first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "REELGRAPH_"))}
    return {**env, "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}", **extra}


def reelgraph(*args, cwd=None, **env) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "reelgraph"), *map(str, args)], env=_env(**env), cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def _http_json(url: str) -> dict:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as reply:
        return json.loads(reply.read())


#: The scratch server's initial password: quotes, a backslash, spaces, a leading dash, a "$", an accent.
HOSTILE_PASSWORD = '-a "quoted" pass\\word $HOME é'


#: Every command line in the process table while the scratch server started (sampled every few ms).
START_COMMAND_LINES: set[str] = set()


def _sample_command_lines(until: threading.Event) -> None:
    while not until.is_set():
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                START_COMMAND_LINES.add(cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            except OSError:  # the process ended meanwhile
                pass
        until.wait(0.002)


@pytest.fixture(scope="module")
def scratch(jar_sharing_home, free_ports):
    """A server started by ``reelgraph neo4j start --json`` in a scratch home: (home, ports, printed info)."""
    home = jar_sharing_home("neo4j-cli")
    bolt, http = free_ports()
    started = threading.Event()
    sampler = threading.Thread(target=_sample_command_lines, args=(started,), daemon=True)
    sampler.start()
    try:
        run = reelgraph("neo4j", "start", "--home", home, "--bolt-port", bolt, "--http-port", http,
                        "--heap", "512m", "--pagecache", "64m", "--json", NEO4J_PASSWORD=HOSTILE_PASSWORD)
    finally:
        started.set()
        sampler.join()
    assert run.returncode == 0, run.stderr
    yield home, bolt, http, json.loads(run.stdout)
    reelgraph("neo4j", "stop", "--home", home)
    # Transaction logs and store files: pytest keeps the last runs' tmp dirs.
    shutil.rmtree(home, ignore_errors=True)


def test_every_command_and_option_has_help():
    group = main.commands["neo4j"]
    assert isinstance(group, click.Group)
    assert sorted(group.commands) == ["env", "import", "install", "start", "status", "stop"]
    for command in group.commands.values():
        assert command.help, command.name
        options = [p for p in command.params if isinstance(p, click.Option)]
        assert "home" in [p.name for p in options], command.name
        assert all(p.help for p in options), command.name
        assert "as_json" in [p.name for p in options], command.name


def test_start_prints_the_server(scratch):
    home, bolt, http, info = scratch
    pid = int((home / "run" / "neo4j.pid").read_text())
    assert info == {"running": True, "pid": pid, "uri": f"bolt://127.0.0.1:{bolt}", "http": f"http://127.0.0.1:{http}",
                    "version": ns.NEO4J_VERSION, "bolt_ready": True, "home": str(home.resolve()),
                    "startup_seconds": info["startup_seconds"]}


def test_browser_and_routing_get_the_real_bolt_port(scratch):
    home, bolt, http, _ = scratch
    # Neo4j Browser pre-fills its connect form from this discovery document.
    document = _http_json(f"http://127.0.0.1:{http}/")
    assert (document["bolt_direct"], document["bolt_routing"]) == (f"bolt://127.0.0.1:{bolt}", f"neo4j://127.0.0.1:{bolt}")
    settings = ns.connection_settings(home)
    with neo4j.GraphDatabase.driver(f"neo4j://127.0.0.1:{bolt}", auth=(settings["user"], settings["password"])) as drv:
        # No address in the routing context: the server answers with its advertised one.
        records, _, _ = drv.execute_query("CALL dbms.routing.getRoutingTable({}, 'neo4j') YIELD servers "
                                          "UNWIND servers AS s RETURN s.role AS role, s.addresses AS addresses")
    assert sorted((r["role"], r["addresses"]) for r in records) == [
        ("READ", [f"127.0.0.1:{bolt}"]), ("ROUTE", [f"127.0.0.1:{bolt}"]), ("WRITE", [f"127.0.0.1:{bolt}"])]


def test_status(scratch):
    home, bolt, http, info = scratch
    run = reelgraph("neo4j", "status", "--home", home)
    assert (run.returncode, run.stdout) == (
        0, f"running pid={info['pid']} bolt://127.0.0.1:{bolt} http://127.0.0.1:{http} Neo4j {ns.NEO4J_VERSION}\n")
    run = reelgraph("neo4j", "status", "--home", home, "--json")
    assert run.returncode == 0
    assert json.loads(run.stdout) == {k: v for k, v in info.items() if k != "startup_seconds"}


def test_env_exports_shell_quoted_lines(scratch):
    home, bolt, _, _ = scratch
    password = (home / "conf" / "password").read_text().strip()
    assert password == HOSTILE_PASSWORD
    run = reelgraph("neo4j", "env", "--home", home)
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout == (f"export NEO4J_URI=bolt://127.0.0.1:{bolt}\n"
                          "export NEO4J_USER=neo4j\n"
                          f"export NEO4J_PASSWORD={shlex.quote(password)}\n")
    run = reelgraph("neo4j", "env", "--home", home, "--json")
    assert json.loads(run.stdout) == {"NEO4J_URI": f"bolt://127.0.0.1:{bolt}", "NEO4J_USER": "neo4j",
                                      "NEO4J_PASSWORD": password}


def test_the_home_keeps_other_users_out(scratch):
    home, bolt, _, _ = scratch
    assert {name: (home / name).stat().st_mode & 0o777 for name in ("data", "logs", "conf")} == {
        "data": 0o700, "logs": 0o700, "conf": 0o700}
    assert (home / "conf" / "password").stat().st_mode & 0o777 == 0o600
    assert not list((home / "conf").glob("*.args"))  # the initial password's argument file is gone
    with neo4j.GraphDatabase.driver(f"bolt://127.0.0.1:{bolt}", auth=("neo4j", HOSTILE_PASSWORD)) as drv:
        assert drv.execute_query("RETURN 1 AS one").records[0]["one"] == 1


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads the process table from /proc")
def test_the_process_table_never_shows_the_password_during_start(scratch):
    # What any local user's ps saw while the server started, the initial password's setting included.
    assert any("set-initial-password" in line for line in START_COMMAND_LINES), "the sampler missed neo4j-admin"
    assert any("org.neo4j" in line for line in START_COMMAND_LINES)
    assert [line for line in START_COMMAND_LINES if "quoted" in line or "pass\\word" in line] == []


def test_the_initial_password_is_never_on_a_command_line(tmp_path, monkeypatch):
    # A command line is readable by every local user (ps): the password goes in a 0600 argument file.
    seen = {}

    def fake_run(argv, **kwargs):
        argfile = Path(argv[-1][1:])
        seen.update(argv=argv, mode=argfile.stat().st_mode & 0o777, text=argfile.read_text())
        return subprocess.CompletedProcess(argv, 0, "", "")

    (tmp_path / "conf").mkdir()
    monkeypatch.setattr(ns.subprocess, "run", fake_run)
    monkeypatch.setattr(ns, "_classpath", lambda home: "lib/*")
    ns._set_initial_password("java", tmp_path, HOSTILE_PASSWORD)
    assert seen["argv"][-3:-1] == ["dbms", "set-initial-password"] and seen["argv"][-1].startswith("@")
    assert not any("quoted" in arg for arg in seen["argv"])
    assert seen["mode"] == 0o600
    assert seen["text"] == '--\n"-a \\"quoted\\" pass\\\\word $HOME é"\n'
    assert not list((tmp_path / "conf").iterdir())


def test_stopped_home(tmp_path):
    home = tmp_path / "no server here"
    run = reelgraph("neo4j", "status", "--home", home)
    assert (run.returncode, run.stdout) == (3, f"stopped ({home})\n")
    run = reelgraph("neo4j", "status", "--home", home, "--json")
    assert run.returncode == 3 and json.loads(run.stdout)["running"] is False
    run = reelgraph("neo4j", "env", "--home", home)
    assert (run.returncode, run.stdout) == (4, "")
    assert run.stderr == f"reelgraph: error: no Neo4j runs in {home}; start it with: reelgraph neo4j start --home '{home}'\n"


def test_readme_no_docker_flow(scratch, tmp_path):
    """README: eval "$(reelgraph neo4j env)", then child processes see NEO4J_* and write to Neo4j."""
    home, _, _, _ = scratch
    shell = tmp_path / "cwd"
    shell.mkdir()

    def in_shell(command: str) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "-c", f'eval "$(reelgraph neo4j env)" && {command}'], cwd=shell,
                              env=_env(REELGRAPH_NEO4J_HOME=str(home)), capture_output=True, text=True, timeout=300)

    run = in_shell('reelgraph cypher "RETURN 1 AS x" --json')
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout == '[\n  {\n    "x": 1\n  }\n]\n'

    store = tmp_path / "store"
    run = in_shell(f"reelgraph demo --quiet --store {store} --views {tmp_path / 'views'}")
    assert run.returncode == 0, run.stderr
    assert run.stdout.rstrip().endswith(f"graph stored in {store} and in Neo4j")
    settings = ns.connection_settings(home)
    with neo4j.GraphDatabase.driver(settings["uri"], auth=(settings["user"], settings["password"])) as drv:
        records, _, _ = drv.execute_query("MATCH (f:Film) RETURN count(f) AS films")
    assert records[0]["films"] == 30

    # Without a running server the flow stops at once, with one line.
    run = subprocess.run(["bash", "-c", 'eval "$(reelgraph neo4j env)"'], env=_env(REELGRAPH_NEO4J_HOME=str(tmp_path)),
                         capture_output=True, text=True, timeout=120)
    assert run.stderr.startswith(f"reelgraph: error: no Neo4j runs in {tmp_path}; ") and run.stderr.count("\n") == 1


def test_stop(scratch):
    home, bolt, _, _ = scratch
    run = reelgraph("neo4j", "stop", "--home", home, "--json")
    assert (run.returncode, json.loads(run.stdout)) == (0, {"stopped": True}), run.stderr
    assert not (home / "run" / "neo4j.pid").exists()
    run = reelgraph("neo4j", "stop", "--home", home, "--json")
    assert (run.returncode, json.loads(run.stdout)) == (0, {"stopped": False})
    run = reelgraph("neo4j", "status", "--home", home, "--json")
    assert run.returncode == 3
    assert json.loads(run.stdout)["uri"] == f"bolt://127.0.0.1:{bolt}"  # the home keeps its ports


def test_import_into_the_stopped_home(scratch, tmp_path):
    home, _, _, _ = scratch
    assert ns.status(home)["running"] is False  # test_stop stopped it
    header, movies = tmp_path / "movies_header.csv", tmp_path / "movies.csv"
    header.write_text("id:ID(Movie),title\n")
    movies.write_text("m1,Heat\nm2,Ronin\n")
    run = reelgraph("neo4j", "import", "--home", home, "--nodes", f"Movie={header},{movies}", "--overwrite", "--json")
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)["summary"]
    assert summary.startswith("IMPORT DONE") and "Imported:\n  2 nodes\n  0 relationships\n  4 properties" in summary
