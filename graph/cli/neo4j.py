"""Commands for Neo4j: the local server (``reelgraph neo4j ...``) and Cypher (``reelgraph cypher``)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import click
from reelgraph.cli._options import echo_json, json_option, neo4j_options, neo4j_settings

__all__ = ["neo4j", "cypher"]

#: ``status`` exits with this when the server does not run, as LSB init scripts do.
_NOT_RUNNING = 3


def _home_option(f):
    return click.option(
        "--home", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Neo4j home: jars, data, logs [default: $REELGRAPH_NEO4J_HOME or ~/.cache/reelgraph/neo4j-VERSION].",
    )(f)


def _server():
    # Imported when a command runs, so that 'reelgraph --help' stays quick.
    from reelgraph.neo4j import server

    return server


def _running_line(info: dict) -> str:
    return (f"running pid={info['pid']} {info['uri']} {info['http']} Neo4j {info['version']}"
            + ("" if info["bolt_ready"] else " (Bolt not answering yet)"))


@click.group()
def neo4j():
    """Run a local Neo4j 5.26 Community without Docker: install, start, stop, status, env, import.

    The first start fetches Neo4j from Maven Central into the home (needs
    Java 17 or 21 and Maven) and sets a random password. Then
    'eval "$(reelgraph neo4j env)"' exports NEO4J_URI, NEO4J_USER and
    NEO4J_PASSWORD for the other commands.
    """


@neo4j.command()
@_home_option
@json_option
def install(home, as_json):
    """Fetch the Neo4j jars (once) and lay out the home; print the home."""
    installed = _server().install(home)
    echo_json({"home": str(installed)}) if as_json else click.echo(installed)


@neo4j.command()
@_home_option
@click.option("--bolt-port", type=int, default=None,
              help="Bolt port on 127.0.0.1 [default: the home's last one, else 7687].")
@click.option("--http-port", type=int, default=None,
              help="HTTP port (Neo4j Browser) on 127.0.0.1 [default: the home's last one, else 7474].")
@click.option("--heap", default="1g", show_default=True, help="JVM heap, e.g. 512m or 2g.")
@click.option("--pagecache", default="512m", show_default=True, help="Page cache size.")
@click.option("--timeout", type=float, default=180, show_default=True,
              help="Seconds to wait for Bolt and HTTP to answer.")
@json_option
def start(home, bolt_port, http_port, heap, pagecache, timeout, as_json):
    """Start the server and wait until it answers (does nothing if it runs).

    The password is $NEO4J_PASSWORD for a new database, else the one stored
    in the home.
    """
    info = _server().start(home, bolt_port=bolt_port, http_port=http_port, heap=heap, pagecache=pagecache,
                           timeout=timeout)
    if as_json:
        echo_json(info)
    else:
        click.echo(_running_line(info))


@neo4j.command()
@_home_option
@click.option("--timeout", type=float, default=60, show_default=True,
              help="Seconds to wait for a clean shutdown before SIGKILL.")
@json_option
def stop(home, timeout, as_json):
    """Stop the server (SIGTERM, then SIGKILL after --timeout seconds); say so on stderr."""
    stopped = _server().stop(home, timeout=timeout)
    if as_json:
        echo_json({"stopped": stopped})


@neo4j.command()
@_home_option
@json_option
def status(home, as_json):
    """Say whether the server runs, with its pid, addresses and version; exit 3 when it does not run."""
    info = _server().status(home)
    if as_json:
        echo_json(info)
    elif info["running"]:
        click.echo(_running_line(info))
    else:
        click.echo(f"stopped ({info['home']})")
    if not info["running"]:
        click.get_current_context().exit(_NOT_RUNNING)


@neo4j.command()
@_home_option
@json_option
def env(home, as_json):
    """Print 'export NEO4J_URI=...' lines of the running server, for eval "$(reelgraph neo4j env)".

    Fails (one line on stderr) when the home's server does not run.
    """
    server = _server()
    info = server.status(home)
    if not info["running"]:
        raise server.Neo4jServerError(
            f"no Neo4j runs in {info['home']}; start it with: reelgraph neo4j start --home {shlex.quote(info['home'])}")
    settings = server.connection_settings(home)
    variables = {f"NEO4J_{key.upper()}": settings[key] or "" for key in ("uri", "user", "password")}
    if as_json:
        echo_json(variables)
        return
    # "export": eval'd without it, they would be shell variables only, and
    # child processes (reelgraph demo, reelgraph cypher) would not see them.
    for name, value in variables.items():
        click.echo(f"export {name}={shlex.quote(value)}")


def _files(value: str) -> tuple[str, list[str]]:
    name, sep, paths = value.partition("=")
    return (name, paths.split(",")) if sep else ("", value.split(","))


@neo4j.command("import")
@_home_option
@click.option("--nodes", multiple=True, required=True, metavar="LABEL=FILE[,FILE]",
              help="Node CSV files of a label (repeatable); LABEL= may be left out when the files say it.")
@click.option("--relationships", multiple=True, metavar="TYPE=FILE[,FILE]",
              help="Relationship CSV files of a type (repeatable); TYPE= may be left out when a :TYPE column says it.")
@click.option("--database", default="neo4j", show_default=True, help="The database to fill.")
@click.option("--overwrite", is_flag=True, help="Replace the database if it exists (it does after the first start).")
@json_option
def import_(home, nodes, relationships, database, overwrite, as_json):
    """Load CSV files with neo4j-admin database import full; the server must be stopped."""
    run = _server().bulk_import([_files(n) for n in nodes], [_files(r) for r in relationships], home=home,
                                database=database, overwrite=overwrite)
    # The tool prints progress bars first; its summary starts at IMPORT DONE.
    out = run.stdout
    summary = out[out.find("IMPORT DONE"):].strip() if "IMPORT DONE" in out else out.strip()
    echo_json({"summary": summary}) if as_json else click.echo(summary)


@click.command()
@click.argument("query", required=False)
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A query parameter ($NAME); VALUE is read as JSON when it parses, else as text.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="How to print the rows; --json is the same as --format json.")
@json_option
@click.option("--write", is_flag=True,
              help="Allow the query to write; without it a write, or apoc.cypher.*/apoc.periodic.*, is refused (exit 5).")
@click.option("--example", metavar="NAME", help="Run a shipped example query instead of QUERY.")
@click.option("--list-examples", is_flag=True, help="List the shipped example queries.")
@neo4j_options
def cypher(query, params, fmt, as_json, write, example, list_examples, neo4j_uri, neo4j_user, neo4j_password):
    """Run a Cypher QUERY against Neo4j, read-only unless --write.

    \b
    reelgraph cypher "MATCH (p:Person {name: $name})-[:ACTED_IN]->(f) RETURN f.title" -p name="Carey Mulligan"
    reelgraph cypher --example costar_path -p source="Keira Knightley" -p target="Sally Hawkins"
    """
    from reelgraph.neo4j.queries import example_queries, example_query
    from reelgraph.neo4j.sync import connect, parse_parameter, run_cypher

    if as_json:
        if fmt == "csv":
            raise click.UsageError("--json and --format csv contradict each other; give one")
        fmt = "json"
    if list_examples:
        for name, q in example_queries().items():
            params_text = " ".join(f"-p {p}=" + (json.dumps(q.defaults[p]) if p in q.defaults else "...") for p in q.parameters)
            click.echo(f"{name:28} {q.description}\n{'':28} {params_text}")
        return
    given = dict(parse_parameter(p) for p in params)
    if example:
        chosen = example_query(example)
        query, given = chosen.text, chosen.bind(given)
    if not query:
        raise click.UsageError("give a QUERY, --example NAME or --list-examples")
    driver = connect(neo4j_settings(neo4j_uri, neo4j_user, neo4j_password))
    try:
        frame = run_cypher(driver, query, given, write=write)
    finally:
        driver.close()
    for note in frame.attrs.get("notifications", ()):
        click.echo(f"reelgraph: warning: {note}", err=True)
    if fmt == "json":
        echo_json(frame.to_dict("records"))
    elif fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    else:
        click.echo(frame.to_string(index=False) if len(frame) else "(no rows)")
