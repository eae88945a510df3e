"""Run a real Neo4j 5.26 Community server from Maven Central jars, no Docker.

Neo4j does not publish its server tarball to Maven Central, but the tarball's
``lib/`` is exactly the runtime closure of ``org.neo4j:neo4j``.  This module
has Maven (``graph/neo4j/pom.xml``) copy that closure, the Neo4j Browser and
APOC core into a *home* directory once, writes a ``conf/neo4j.conf`` there and
starts the server's own entry point (``org.neo4j.server.CommunityEntryPoint``)
as a detached ``java`` process, which is what ``bin/neo4j console`` would do.

Home layout (default ``~/.cache/reelgraph/neo4j-5.26.30``, or
``$REELGRAPH_NEO4J_HOME``)::

    lib/        Neo4j jars (+ Browser, APOC's third-party dependencies)
    plugins/    apoc-core, apoc-common
    conf/       neo4j.conf (rewritten by start()), password (mode 0600)
    data/ logs/ run/ import/

The command line is ``reelgraph neo4j install|start|stop|status|env|import``
(:mod:`reelgraph.cli.neo4j`); this module holds the functions it calls.

Tests and other code connect with :func:`connection_settings`.  The bulk
loader (:func:`bulk_import`) needs the server in that home to be stopped.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from reelgraph.errors import ReelgraphError

__all__ = [
    "NEO4J_VERSION",
    "APOC_VERSION",
    "BROWSER_VERSION",
    "APOC_RUNTIME_JARS",
    "Neo4jServerError",
    "default_home",
    "install",
    "start",
    "stop",
    "status",
    "connection_settings",
    "bulk_import",
]

# Keep these in step with the <properties> of graph/neo4j/pom.xml
# (tests/neo4j_server/test_server.py checks that they agree).
NEO4J_VERSION = "5.26.30"
APOC_VERSION = "5.26.19"
BROWSER_VERSION = "5.24.0"
#: artifactId -> version of the jars hadoop-common needs for APOC's file and
#: URL readers (apoc.load.*, LOAD CSV over http; the pom says why).  They are
#: required jars, so a home fetched before they were added fetches them on
#: its next start.
APOC_RUNTIME_JARS = {
    "woodstox-core": "7.2.2",
    "stax2-api": "4.2.2",
    "commons-collections4": "4.6.0",
    "hadoop-shaded-guava": "1.5.0",
}

USER = "neo4j"
_POM = Path(__file__).resolve().parent / "pom.xml"  # package data: installs carry it
_ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
# AdminTool is what bin/neo4j-admin ends up forking (via the Neo4jAdminCommand
# bootloader); calling it directly skips a second JVM.
_ADMIN_TOOL = "org.neo4j.cli.AdminTool"
_MIN_PASSWORD = 8  # dbms.security.auth_minimum_password_length default
_SUPPORTED_JAVA = (17, 21)  # 5.26 runs on 17 and 21, not on 25

# From the "JVM Parameters" section of the neo4j.conf shipped with 5.26.
# Started without the bootloader, nothing turns server.jvm.additional into JVM
# flags, so they are passed here.  -XX:+AlwaysPreTouch is left out on purpose:
# it commits the whole heap up front, which a test machine does not want.
_JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-XX:FlightRecorderOptions=stackdepth=256",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dlog4j.layout.jsonTemplate.maxStringLength=32768",
    "-Dfile.encoding=UTF-8",
)

# Popen objects of servers this process started, so that is_running() can reap
# them: a dead child that nobody waited for still answers kill(pid, 0).
_CHILDREN: dict[int, subprocess.Popen] = {}


class Neo4jServerError(ReelgraphError):
    """The local Neo4j server could not be installed, started, stopped or loaded."""

    exit_code = 4


# --------------------------------------------------------------------------
# Paths, configuration, password
# --------------------------------------------------------------------------


def default_home() -> Path:
    """Return the home used when none is given.

    Returns
    -------
    pathlib.Path
        ``$REELGRAPH_NEO4J_HOME`` if set, else
        ``$XDG_CACHE_HOME/reelgraph/neo4j-<version>`` (``~/.cache`` when
        ``XDG_CACHE_HOME`` is unset).
    """
    env = os.environ.get("REELGRAPH_NEO4J_HOME")
    if env:
        return Path(env).expanduser().resolve()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return (Path(cache) / "reelgraph" / f"neo4j-{NEO4J_VERSION}").resolve()


def _home(home) -> Path:
    return Path(home).expanduser().resolve() if home is not None else default_home()


def _say(message: str) -> None:
    # Progress goes to stderr so that stdout stays machine-readable
    # (``status --json``, ``env``).
    print(f"neo4j: {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def _locked(home: Path):
    """Serialise install/start/stop on one home across processes.

    Two test runs (or a test run and a developer) starting the same home at
    once would otherwise launch two JVMs on one store.
    """
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read_conf(home: Path) -> dict[str, str]:
    conf = home / "conf" / "neo4j.conf"
    settings = {}
    if conf.is_file():
        for line in conf.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                settings[key.strip()] = value.strip()
    return settings


def _ports(home: Path) -> tuple[int, int]:
    settings = _read_conf(home)
    bolt = settings.get("server.bolt.listen_address", "127.0.0.1:7687")
    http = settings.get("server.http.listen_address", "127.0.0.1:7474")
    return int(bolt.rsplit(":", 1)[1]), int(http.rsplit(":", 1)[1])


def _write_conf(home: Path, bolt_port: int, http_port: int, heap: str, pagecache: str) -> None:
    """Write ``conf/neo4j.conf``; it is generated, so edits are overwritten."""
    d = {name: home / name for name in ("data", "logs", "run", "plugins", "lib", "import")}
    for path in d.values():
        path.mkdir(parents=True, exist_ok=True)
    for name in _PRIVATE_DIRS:  # Neo4j writes its files 0644: the folders keep other users out
        (home / name).mkdir(parents=True, exist_ok=True)
        (home / name).chmod(0o700)
    lines = [
        "# Generated by reelgraph.neo4j.server: start() rewrites this file.",
        f"# Neo4j {NEO4J_VERSION} Community, local development/test server.",
        "",
        "# Only reachable from this machine.",
        "server.default_listen_address=127.0.0.1",
        "server.default_advertised_address=127.0.0.1",
        f"server.bolt.listen_address=127.0.0.1:{bolt_port}",
        "# Advertised with the real ports: otherwise the port defaults to 7687",
        "# (7474), and Neo4j Browser (from the discovery document at /) and",
        "# routing drivers (neo4j://) would be sent to the default ports.",
        f"server.bolt.advertised_address=127.0.0.1:{bolt_port}",
        "server.bolt.enabled=true",
        f"server.http.listen_address=127.0.0.1:{http_port}",
        f"server.http.advertised_address=127.0.0.1:{http_port}",
        "server.http.enabled=true",
        "server.https.enabled=false",
        "",
        "dbms.security.auth_enabled=true",
        "# Nothing phones home: no usage report, no client/Browser telemetry.",
        "dbms.usage_report.enabled=false",
        "client.allow_telemetry=false",
        "",
        "# Informational: the JVM gets -Xms/-Xmx from start(), not from here.",
        f"server.memory.heap.initial_size={heap}",
        f"server.memory.heap.max_size={heap}",
        f"server.memory.pagecache.size={pagecache}",
        "",
        "dbms.security.procedures.unrestricted=apoc.*",
        "",
        "# Transaction logs grow as needed instead of taking 256 MiB per",
        "# database (x2 with the system database) up front: test homes pile up.",
        "db.tx_log.preallocate=false",
        "",
        "# Bolt's Netty shutdown otherwise idles 2 x 5 s before exiting; a local",
        "# test server has no in-flight traffic worth that wait (internal",
        "# setting, declared in 5.26).",
        "internal.dbms.bolt.netty_server_shutdown_quiet_period=1",
        "",
    ]
    lines += [f"server.directories.{name}={path}" for name, path in d.items()]
    conf_dir = home / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    _write_generated(conf_dir / "neo4j.conf", lines)
    _write_generated(conf_dir / "apoc.conf", _APOC_CONF)


#: ``conf/apoc.conf``: APOC's readers (apoc.load.json, apoc.load.xml, ...)
#: may read files, and only those under the server's ``import/`` folder
#: (use_neo4j_config, APOC's default, confines them there as for LOAD CSV).
_APOC_CONF = [
    "# Generated by reelgraph.neo4j.server: start() rewrites this file.",
    "apoc.import.file.enabled=true",
    "apoc.import.file.use_neo4j_config=true",
]


def _write_generated(path: Path, lines: list[str]) -> None:
    """Replace a generated configuration file in one rename, so a reader never sees half of it."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(path)


#: Folders only their owner may enter: the graph, the logs (they quote queries) and the password.
_PRIVATE_DIRS = ("data", "logs", "conf")


def _password_file(home: Path) -> Path:
    return home / "conf" / "password"


def _store_password(home: Path, password: str) -> None:
    path = _password_file(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    # Created 0600 from the start, not chmod-ed afterwards.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    tmp.replace(path)


def _random_password() -> str:
    # Letters and digits only (~143 bits): safe in a shell, a .env file, a
    # URL, and never mistaken for a command-line option.
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(24))


def _stored_password(home: Path) -> str | None:
    path = _password_file(home)
    return path.read_text().strip() if path.is_file() else None


def _check_password(password: str) -> str:
    if len(password) < _MIN_PASSWORD:
        raise Neo4jServerError(f"the Neo4j password must have at least {_MIN_PASSWORD} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise Neo4jServerError("the Neo4j password must not hold control characters (newlines, tabs, ...)")
    return password


def _set_initial_password(java: str, home: Path, password: str) -> None:
    """Run ``neo4j-admin dbms set-initial-password`` without the password on its command line.

    A command line is readable by every local user (``ps``), so the
    arguments go in a picocli argument file (``@FILE``: quoted, backslash
    escapes) created 0600 in the private ``conf/`` and removed at once.
    ``--`` ends the options: a password may start with ``-``.
    """
    quoted = '"' + password.replace("\\", "\\\\").replace('"', '\\"') + '"'
    args = home / "conf" / f".initial-password-{os.getpid()}.args"
    args.unlink(missing_ok=True)
    fd = os.open(args, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"--\n{quoted}\n")
        # picocli reads the file in Java's default charset, which Java 17 takes from the locale.
        run = subprocess.run([java, "-Dfile.encoding=UTF-8", "-cp", _classpath(home), _ADMIN_TOOL, "dbms",
                              "set-initial-password", f"@{args}"], env=_admin_env(home), capture_output=True, text=True)
    finally:
        args.unlink(missing_ok=True)
    if run.returncode != 0:
        raise Neo4jServerError(f"set-initial-password failed:\n{run.stdout}{run.stderr}")


def _initialised(home: Path) -> bool:
    # The system database appears on the first start; from then on the
    # password lives in it and set-initial-password has no effect.
    return (home / "data" / "databases" / "system").is_dir()


# --------------------------------------------------------------------------
# Java and Maven
# --------------------------------------------------------------------------


def _java_major(java: str) -> int | None:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 else major


def _java() -> str:
    """Find a Java 17 or 21 (``$JAVA_HOME``, then ``PATH``, then /usr/lib/jvm)."""
    candidates = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(str(Path(os.environ["JAVA_HOME"]) / "bin" / "java"))
    if shutil.which("java"):
        candidates.append(shutil.which("java"))
    candidates += sorted(str(p) for p in Path("/usr/lib/jvm").glob("*/bin/java"))
    seen = []
    for java in candidates:
        if java in seen or not os.access(java, os.X_OK):
            continue
        seen.append(java)
        if _java_major(java) in _SUPPORTED_JAVA:
            return java
    raise Neo4jServerError(
        f"Neo4j {NEO4J_VERSION} needs Java 17 or 21; none found (tried {', '.join(seen) or 'nothing'}). "
        "Install openjdk-17-jre-headless or set JAVA_HOME."
    )


def _classpath(home: Path) -> str:
    # Same order as the tarball's launcher: plugins are on the classpath too.
    return f"{home / 'lib'}/*:{home / 'plugins'}/*"


def _admin_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["NEO4J_HOME"] = str(home)
    env["NEO4J_CONF"] = str(home / "conf")
    return env


def _required_jars(home: Path) -> list[Path]:
    return [
        home / "lib" / f"neo4j-{NEO4J_VERSION}.jar",
        home / "lib" / f"neo4j-server-{NEO4J_VERSION}.jar",
        home / "lib" / f"neo4j-browser-{BROWSER_VERSION}.jar",
        *(home / "lib" / f"{artifact}-{version}.jar" for artifact, version in APOC_RUNTIME_JARS.items()),
        home / "plugins" / f"apoc-core-{APOC_VERSION}.jar",
        home / "plugins" / f"apoc-common-{APOC_VERSION}.jar",
    ]


def _jars_complete(home: Path) -> bool:
    # .complete is written only after Maven succeeded, so a fetch cut short
    # half-way through is redone rather than trusted.
    return (home / "lib" / ".complete").is_file() and all(p.is_file() for p in _required_jars(home))


# --------------------------------------------------------------------------
# Process bookkeeping
# --------------------------------------------------------------------------


def _pid_file(home: Path) -> Path:
    return home / "run" / "neo4j.pid"


def _pid_alive(pid: int, home: Path) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        if child.poll() is None:
            return True
        del _CHILDREN[pid]
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else; the cmdline check decides
    # Guard against a recycled pid: it must be *our* server for *this* home.
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    if stat.rsplit(")", 1)[-1].split()[0] == "Z":
        return False
    args = raw.decode(errors="replace").split("\0")
    return _ENTRY_POINT in args and f"--home-dir={home}" in args


def _running_pid(home: Path) -> int | None:
    path = _pid_file(home)
    try:
        pid = int(path.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _pid_alive(pid, home) else None


def _port_free(port: int) -> bool:
    # SO_REUSEADDR, as Netty and Jetty use, so that TIME_WAIT leftovers of a
    # previous run do not count as "in use"; only a live listener does.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _print_logs(home: Path) -> None:
    for name in ("console.log", "neo4j.log"):
        text = _tail(home / "logs" / name)
        if text:
            print(f"----- tail of {home / 'logs' / name} -----\n{text}", file=sys.stderr)


def _kill(pid: int, home: Path, grace: float) -> None:
    """SIGTERM, wait up to ``grace`` seconds, then SIGKILL; reap if ours."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and _pid_alive(pid, home):
        time.sleep(0.25)
    if _pid_alive(pid, home):
        _say(f"pid {pid} ignored SIGTERM for {grace:.0f}s, sending SIGKILL")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        while _pid_alive(pid, home):
            time.sleep(0.1)
    child = _CHILDREN.pop(pid, None)
    if child is not None:
        child.wait()


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def install(cache_dir=None) -> Path:
    """Fetch the jars (once) and lay out a Neo4j home.

    Runs Maven on ``graph/neo4j/pom.xml`` only if the jars are missing, then
    makes sure ``conf/neo4j.conf`` and ``conf/password`` exist.  The password
    is ``$NEO4J_PASSWORD`` if set, else a random one; it is only *applied* by
    the first :func:`start`.

    Parameters
    ----------
    cache_dir : str or os.PathLike, optional
        The Neo4j home; default :func:`default_home`.  A home whose ``lib``
        and ``plugins`` are symlinks to another home's shares its jars.

    Returns
    -------
    pathlib.Path
        The home directory.

    Raises
    ------
    Neo4jServerError
        If Maven is missing or fails.
    """
    home = _home(cache_dir)
    with _locked(home):
        _install(home)
    return home


def _install(home: Path) -> None:
    if not _jars_complete(home):
        mvn = shutil.which("mvn")
        if mvn is None:
            raise Neo4jServerError("Maven (mvn) is needed once to fetch the Neo4j jars; apt-get install maven")
        if not _POM.is_file():
            raise Neo4jServerError(f"{_POM} is missing; the reelgraph installation is incomplete")
        _say(f"fetching Neo4j {NEO4J_VERSION} jars from Maven Central into {home} (once) ...")
        began = time.monotonic()
        # -B: no colour codes or progress bars in captured output.
        cmd = [mvn, "-B", "-q", "-f", str(_POM), "package", f"-Dneo4j.home={home}"]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode != 0:
            raise Neo4jServerError(
                f"Maven failed ({run.returncode}): {' '.join(cmd)}\n{(run.stdout + run.stderr)[-4000:]}"
            )
        missing = [str(p) for p in _required_jars(home) if not p.is_file()]
        if missing:
            raise Neo4jServerError(f"Maven ran but these jars are missing: {', '.join(missing)}")
        (home / "lib" / ".complete").write_text(
            json.dumps({"neo4j": NEO4J_VERSION, "apoc": APOC_VERSION, "browser": BROWSER_VERSION,
                        **APOC_RUNTIME_JARS}) + "\n"
        )
        _say(f"jars fetched in {time.monotonic() - began:.1f}s")
    if not (home / "conf" / "neo4j.conf").is_file():
        _write_conf(home, 7687, 7474, "1g", "512m")
    if _stored_password(home) is None:
        env = os.environ.get("NEO4J_PASSWORD")
        _store_password(home, _check_password(env) if env else _random_password())


def connection_settings(home=None) -> dict:
    """Return how to reach the server of a home.

    Parameters
    ----------
    home : str or os.PathLike, optional
        The Neo4j home; default :func:`default_home`.

    Returns
    -------
    dict
        ``uri`` (``bolt://127.0.0.1:<port>``), ``user`` (``"neo4j"``) and
        ``password``: the one stored in ``<home>/conf/password``, which is the
        one the database was initialised with; ``$NEO4J_PASSWORD`` only if no
        password was stored yet.
    """
    home = _home(home)
    bolt_port, _ = _ports(home)
    password = _stored_password(home) or os.environ.get("NEO4J_PASSWORD")
    return {"uri": f"bolt://127.0.0.1:{bolt_port}", "user": USER, "password": password}


def status(home=None) -> dict:
    """Report whether the server of a home runs.

    Parameters
    ----------
    home : str or os.PathLike, optional
        The Neo4j home; default :func:`default_home`.

    Returns
    -------
    dict
        ``running`` (bool), ``pid`` (int or None), ``uri`` (Bolt),
        ``http`` (Browser/HTTP API), ``version`` (what the server reports
        over Bolt when it answers, else the installed version),
        ``bolt_ready`` (bool), ``home``, and ``error`` when Bolt answers
        but refuses the stored password.
    """
    home = _home(home)
    pid = _running_pid(home)
    bolt_port, http_port = _ports(home)
    info = {
        "running": pid is not None,
        "pid": pid,
        "uri": f"bolt://127.0.0.1:{bolt_port}",
        "http": f"http://127.0.0.1:{http_port}",
        "version": NEO4J_VERSION if _jars_complete(home) else None,
        "bolt_ready": False,
        "home": str(home),
    }
    if pid is not None:
        import neo4j

        try:
            agent = _server_agent(connection_settings(home), timeout=3)
        except neo4j.exceptions.AuthError:
            agent = None
            info["error"] = "Bolt answers but refuses the stored password"
        if agent:
            info["bolt_ready"] = True
            info["version"] = agent.split("/", 1)[-1]
    return info


def _http_ready(port: int) -> bool:
    # No proxy: an http_proxy in the environment must not see loopback calls.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://127.0.0.1:{port}/", timeout=2) as reply:
            return reply.status == 200
    except (OSError, ValueError):
        return False


def _server_agent(settings: dict, timeout: float) -> str | None:
    """Return e.g. ``"Neo4j/5.26.30"`` if Bolt answers with these credentials."""
    import neo4j  # the driver is only needed once a server runs

    try:
        with neo4j.GraphDatabase.driver(
            settings["uri"],
            auth=(settings["user"], settings["password"]),
            connection_timeout=timeout,
            max_connection_lifetime=60,
        ) as driver:
            return driver.get_server_info().agent
    except neo4j.exceptions.AuthError:
        raise
    except (neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError, OSError):
        return None


def _wait_ready(child, settings: dict, http_port: int, began: float, timeout: float) -> str | None:
    """Poll until Bolt (with these credentials) and then HTTP answer.

    Returns
    -------
    str or None
        Why the server is not usable, or None once it is.
    """
    import neo4j

    while True:
        if child.poll() is not None:
            return f"the JVM exited with code {child.returncode} before Bolt answered"
        try:
            if _server_agent(settings, timeout=2):
                break
        except neo4j.exceptions.AuthError as err:
            # Fail at once: retrying would only trip Neo4j's lock-out after
            # repeated failed logins.
            return (
                f"the server refused the password ({err.message}); the database was initialised with "
                "another one. Pass the right password, or delete the home's data/ to start afresh"
            )
        if time.monotonic() - began > timeout:
            return f"Bolt did not answer within {timeout:.0f}s"
        time.sleep(0.5)
    # Bolt comes up a moment before Jetty; wait for HTTP as well so that
    # "started" means the Browser answers too.
    while not _http_ready(http_port):
        if child.poll() is not None:
            return f"the JVM exited with code {child.returncode} before HTTP answered"
        if time.monotonic() - began > timeout:
            return f"HTTP did not answer within {timeout:.0f}s"
        time.sleep(0.25)
    return None


def start(
    home=None,
    bolt_port: int | None = None,
    http_port: int | None = None,
    password: str | None = None,
    heap: str = "1g",
    pagecache: str = "512m",
    timeout: float = 180,
) -> dict:
    """Start the server of a home and wait until Bolt (and HTTP) answer.

    Installs first if needed.  Starting a running server does nothing (and
    says so).  The JVM is detached (its own session), logs its console to
    ``<home>/logs/console.log`` and its pid goes to ``<home>/run/neo4j.pid``.

    Parameters
    ----------
    home : str or os.PathLike, optional
        The Neo4j home; default :func:`default_home`.
    bolt_port, http_port : int, optional
        Ports on 127.0.0.1 (written into ``conf/neo4j.conf``); default the
        ones the home was last started with, else 7687 and 7474.
    password : str, optional
        For a database that was never started: the initial password
        (default ``$NEO4J_PASSWORD``, else the one :func:`install` stored).
        For an initialised database: its current password (default the
        stored one); once accepted it replaces the stored one.
    heap : str
        JVM heap (``-Xms`` and ``-Xmx``), e.g. ``"1g"``, ``"512m"``.
    pagecache : str
        ``server.memory.pagecache.size``.
    timeout : float
        Seconds to wait for Bolt and HTTP before giving up.

    Returns
    -------
    dict
        As :func:`status`, plus ``startup_seconds`` when it was started now.

    Raises
    ------
    Neo4jServerError
        If Java is missing, a port is taken, the JVM exits, the credentials
        are refused, or Bolt does not answer within ``timeout`` seconds (the
        log tail is printed and the JVM is killed).
    """
    home = _home(home)
    with _locked(home):
        pid = _running_pid(home)
        if pid is not None:
            _say(f"already running (pid {pid}, {status(home)['uri']}); nothing to do")
            return status(home)
        _pid_file(home).unlink(missing_ok=True)  # stale
        # A home keeps its ports: a plain start() after start(bolt_port=N)
        # must not move the server (and its clients' NEO4J_URI) back to 7687.
        last_bolt, last_http = _ports(home)
        bolt_port, http_port = bolt_port or last_bolt, http_port or last_http
        # Checked first: with a port taken by another server, the readiness
        # poll below would happily talk to *that* server.
        for port in (bolt_port, http_port):
            if not _port_free(port):
                raise Neo4jServerError(
                    f"port 127.0.0.1:{port} is already in use; pick another (--bolt-port/--http-port)"
                )
        _install(home)
        java = _java()
        _write_conf(home, bolt_port, http_port, heap, pagecache)

        if not _initialised(home):
            chosen = _check_password(password or os.environ.get("NEO4J_PASSWORD") or _stored_password(home))
            _set_initial_password(java, home, chosen)
            _store_password(home, chosen)

        log = home / "logs" / "console.log"
        if log.exists():
            log.replace(log.with_suffix(".log.1"))
        cmd = [
            java, f"-Xms{heap}", f"-Xmx{heap}", *_JVM_FLAGS,
            "-cp", _classpath(home), _ENTRY_POINT,
            f"--home-dir={home}", f"--config-dir={home / 'conf'}",
        ]
        began = time.monotonic()
        with open(log, "wb") as out:
            child = subprocess.Popen(
                cmd, cwd=home, env=_admin_env(home), stdin=subprocess.DEVNULL,
                stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,  # survives the caller's Ctrl-C / exit
            )
        _CHILDREN[child.pid] = child
        _pid_file(home).write_text(f"{child.pid}\n")
        _say(f"started pid {child.pid}; waiting for bolt://127.0.0.1:{bolt_port} (up to {timeout:.0f}s)")

        settings = connection_settings(home)
        if password is not None:
            settings["password"] = password
        try:
            failure = _wait_ready(child, settings, http_port, began, timeout)
        except BaseException:
            # Ctrl-C (or any bug) while waiting: do not leave a half-started
            # server behind that nobody asked to keep.
            _kill(child.pid, home, grace=10)
            _pid_file(home).unlink(missing_ok=True)
            raise
        if failure:
            _print_logs(home)
            _kill(child.pid, home, grace=10)
            _pid_file(home).unlink(missing_ok=True)
            raise Neo4jServerError(f"Neo4j did not start: {failure} (logs in {home / 'logs'})")
        elapsed = time.monotonic() - began
        if settings["password"] != _stored_password(home):
            # The caller knew a newer password (changed with ALTER USER);
            # remember it so that connection_settings() agrees.
            _store_password(home, settings["password"])
        _say(f"Bolt and HTTP ready after {elapsed:.1f}s")
        info = status(home)
        info["startup_seconds"] = round(elapsed, 1)
        return info


def stop(home=None, timeout: float = 60) -> bool:
    """Stop the server of a home: SIGTERM, then SIGKILL after ``timeout`` s.

    Parameters
    ----------
    home : str or os.PathLike, optional
        The Neo4j home; default :func:`default_home`.
    timeout : float
        Seconds to wait for a clean shutdown before SIGKILL.

    Returns
    -------
    bool
        True if a server was running and has been stopped, False if none ran.
    """
    home = _home(home)
    with _locked(home):
        pid = _running_pid(home)
        if pid is None:
            _pid_file(home).unlink(missing_ok=True)
            _say("not running")
            return False
        _say(f"stopping pid {pid} ...")
        began = time.monotonic()
        _kill(pid, home, grace=timeout)
        _pid_file(home).unlink(missing_ok=True)
        _say(f"stopped in {time.monotonic() - began:.1f}s")
        return True


def _file_list(paths) -> str:
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return ",".join(str(Path(p).resolve()) for p in paths)


def bulk_import(nodes, relationships=(), home=None, database: str = "neo4j", *,
                overwrite: bool = False, heap: str = "1g", extra_args=()) -> subprocess.CompletedProcess:
    """Load CSV files with ``neo4j-admin database import full``.

    The server of this home must be **stopped** (this function does not stop
    or restart it).  It runs, with ``NEO4J_HOME``/``NEO4J_CONF`` set to the
    home::

        java -Xmx1g -XX:+UseParallelGC --add-opens=... -cp '<home>/lib/*:<home>/plugins/*' \\
            org.neo4j.cli.AdminTool database import full neo4j \\
            --nodes=Movie=/abs/movies.csv --relationships=ACTED_IN=/abs/acted.csv \\
            --report-file=<home>/logs/import.report [--overwrite-destination]

    Parameters
    ----------
    nodes : list of (str, path or list of paths)
        ``(label, csv)`` pairs; label may be ``"A:B"`` for several labels, and
        csv a list (e.g. a header file then data files).  Headers use the
        import tool's syntax (``id:ID(Movie)``, ``:START_ID(Person)``, ...).
    relationships : list of (str, path or list of paths)
        ``(type, csv)`` pairs; ``type`` may be ``""`` when the files have a
        ``:TYPE`` column.
    home : str or os.PathLike, optional
        The Neo4j home; default :func:`default_home`.
    database : str
        Target database.  Community serves a single user database, the
        default ``neo4j``.
    overwrite : bool
        Pass ``--overwrite-destination``; needed once the database exists
        (i.e. after the first start).  It replaces the database's content.
    heap : str
        Heap of the import JVM (it also uses off-heap memory as needed).
    extra_args : sequence of str
        More ``neo4j-admin database import full`` options, e.g.
        ``["--delimiter=;", "--skip-duplicate-nodes=true"]``.

    Returns
    -------
    subprocess.CompletedProcess
        With the tool's text output in ``stdout``.

    Raises
    ------
    Neo4jServerError
        If the server runs, or the import fails (its output is in the message).
    """
    home = _home(home)
    with _locked(home):
        if _running_pid(home) is not None:
            raise Neo4jServerError(f"stop the Neo4j server of {home} before a bulk import")
        _install(home)
        cmd = [
            # The parallel collector, not G1: the tool is a short batch job
            # where throughput is all that counts.  Measured on 2 cores at 1M
            # relationships: 20-30% less CPU and wall time than G1.
            _java(), f"-Xmx{heap}", "-XX:+UseParallelGC", *[f for f in _JVM_FLAGS if f.startswith("--add-opens")],
            "-cp", _classpath(home), _ADMIN_TOOL, "database", "import", "full", database,
        ]
        cmd += [f"--nodes={label}={_file_list(paths)}" if label else f"--nodes={_file_list(paths)}"
                for label, paths in nodes]
        cmd += [f"--relationships={rtype}={_file_list(paths)}" if rtype else f"--relationships={_file_list(paths)}"
                for rtype, paths in relationships]
        # Default is ./import.report, i.e. wherever the caller happens to be.
        cmd.append(f"--report-file={home / 'logs' / 'import.report'}")
        if overwrite:
            cmd.append("--overwrite-destination")
        cmd += list(extra_args)
        run = subprocess.run(cmd, cwd=home, env=_admin_env(home), capture_output=True, text=True)
        if run.returncode != 0:
            raise Neo4jServerError(f"import failed ({run.returncode}):\n{(run.stdout + run.stderr)[-4000:]}")
        return run
