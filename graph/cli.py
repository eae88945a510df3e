"""The ``reelgraph`` command: one sub-command for each function of the Python API.

Errors the user can fix (:class:`graph.errors.ReelgraphError`) print one line
on stderr and exit non-zero; they never show a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from graph.errors import ReelgraphError
from graph.store import LocalStore

__all__ = ["main"]


class _Group(click.Group):
    """Turns the errors a user can fix into one line and an exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ReelgraphError as exc:
            click.echo(f"reelgraph: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("reelgraph: interrupted", err=True)
            ctx.exit(130)


def _store_option(f):
    return click.option(
        "--store", "store_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Folder of the local store [default: $REELGRAPH_STORE or ~/.local/share/reelgraph/store].",
    )(f)


def _json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(f)


def _quiet_option(f):
    return click.option("--quiet", "-q", is_flag=True, help="No progress bars.")(f)


def _echo_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="reelgraph")
def main():
    """reelgraph: explore how films and the people who make them connect.

    \b
    A tour:
      reelgraph demo                       load the bundled sample and summarise it
      reelgraph parse PAGE.txt --json      what a saved IMDb page gives, before loading
      reelgraph load PAGE.html DATASETS/   merge pages and IMDb datasets into the store
      reelgraph stats                      what the store holds

    The graph lives in a local store (Parquet files) and, when NEO4J_URI is
    set, in Neo4j as well.
    """


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_json_option
def parse(files, as_json):
    """Show what the loaders extract from FILES, without storing anything."""
    from loaders import read_sources

    graph = read_sources(files, progress=False)
    records = graph.to_records()
    if as_json:
        _echo_json(records)
        return
    for name, rows in records.items():
        click.echo(f"{name}: {len(rows)}")
    for film in records["films"]:
        if not film.get("stub"):
            click.echo(f"  {film['id']}  {film['title']} ({film['year']})  rating {film['rating']}  votes {film['votes']}")


def _neo4j_options(f):
    f = click.option("--neo4j-uri", envvar="NEO4J_URI", default=None, help="Bolt address [env NEO4J_URI].")(f)
    f = click.option("--neo4j-user", envvar="NEO4J_USER", default="neo4j", help="[env NEO4J_USER]")(f)
    f = click.option("--neo4j-password", envvar="NEO4J_PASSWORD", default=None, help="[env NEO4J_PASSWORD]")(f)
    return f


def _settings(neo4j_uri, neo4j_user, neo4j_password):
    from graph.neo4j_store import Neo4jSettings

    return Neo4jSettings.from_env(uri=neo4j_uri, user=neo4j_user, password=neo4j_password)


def _sync_to_neo4j(graph, settings, quiet: bool) -> dict | None:
    """Mirror the whole store into Neo4j when it is configured; None when it is not."""
    from graph.neo4j_store import connect, sync_graph

    if not settings.configured:
        return None
    driver = connect(settings)
    try:
        return sync_graph(driver, graph, progress=not quiet)
    finally:
        driver.close()


def _summary_lines(stats: dict) -> list[str]:
    lines = [
        f"films:            {stats['films']} (+ {stats['stub_films']} known only from 'More like this')",
        f"people:           {stats['people']}",
        f"credits:          {stats['credits']} ("
        + ", ".join(f"{n} {role}" for role, n in stats["credits_by_role"].items()) + ")",
        f"more like this:   {stats['more_like_this']} links",
    ]
    if stats["best_connected"]:
        lines.append("best connected:   " + "; ".join(
            f"{p['name']} ({p['collaborators']} collaborators, {p['films']} films)" for p in stats["best_connected"]))
    return lines


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@_store_option
@_neo4j_options
@_quiet_option
@_json_option
def load(sources, store_dir, neo4j_uri, neo4j_user, neo4j_password, quiet, as_json):
    """Merge SOURCES (saved pages, folders, IMDb datasets) into the store.

    Everything is read before anything is written: bad input leaves the store
    as it was.  Loading the same source twice changes nothing.
    """
    from loaders import read_sources

    graph = read_sources(sources, progress=not quiet)
    store = LocalStore(store_dir)
    before = store.read().counts() if store.exists() else {name: 0 for name in graph.TABLES}
    merged = store.merge(graph, sources=[str(Path(s).resolve()) for s in sources])
    after = merged.counts()
    in_neo4j = _sync_to_neo4j(merged, _settings(neo4j_uri, neo4j_user, neo4j_password), quiet)
    if as_json:
        _echo_json({"store": str(store.path), "before": before, "after": after, "neo4j": in_neo4j})
        return
    click.echo(f"loaded {len(sources)} source(s) into {store.path}")
    click.echo("  " + ", ".join(f"{name} {before[name]} -> {after[name]}" for name in after))
    if in_neo4j:
        click.echo("  neo4j: " + ", ".join(f"{n} {k}" for k, n in {**in_neo4j["nodes"], **in_neo4j["relationships"]}.items()))


@main.command()
@_store_option
@_json_option
@click.option("--top", default=5, show_default=True, help="How many best-connected people to list.")
def stats(store_dir, as_json, top):
    """What the store holds: films, stub films, people, credits per role, links."""
    from graph.stats import graph_stats

    store = LocalStore(store_dir)
    result = graph_stats(store.read(), top=top)
    if as_json:
        _echo_json({"store": str(store.path), **result})
        return
    click.echo(f"store: {store.path}")
    for line in _summary_lines(result):
        click.echo(line)


@main.command()
@_store_option
@_neo4j_options
@_quiet_option
@_json_option
def demo(store_dir, neo4j_uri, neo4j_user, neo4j_password, quiet, as_json):
    """Load the bundled sample (a real IMDb page and the films around it) and summarise it."""
    from graph.stats import graph_stats
    from loaders import read_sources
    from loaders.sample import SAMPLE_SOURCES

    store = LocalStore(store_dir)
    graph = store.merge(read_sources(SAMPLE_SOURCES, progress=not quiet), sources=[str(s) for s in SAMPLE_SOURCES])
    result = graph_stats(graph)
    in_neo4j = _sync_to_neo4j(graph, _settings(neo4j_uri, neo4j_user, neo4j_password), quiet)
    if as_json:
        _echo_json({"store": str(store.path), **result, "neo4j": in_neo4j})
        return
    click.echo("reelgraph demo: the sample around 'Never Let Me Go' (2010)")
    for line in _summary_lines(result):
        click.echo(line)
    click.echo(f"graph stored in {store.path}" + (" and in Neo4j" if in_neo4j else ""))


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def neo4j(args):
    """Run a local Neo4j 5.26 without Docker: install | start | stop | status | env | import.

    The first start fetches Neo4j from Maven Central into
    ~/.cache/reelgraph (needs Java 17 and Maven). 'reelgraph neo4j --help'
    lists the options; 'eval "$(reelgraph neo4j env)"' sets NEO4J_*.
    """
    from graph import neo4j_server

    sys.exit(neo4j_server.main(list(args)))


@main.command()
@click.argument("query", required=False)
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A query parameter ($NAME); VALUE is read as JSON when it parses, else as text.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--write", is_flag=True, help="Allow the query to write (refused otherwise).")
@click.option("--example", metavar="NAME", help="Run a shipped example query instead of QUERY.")
@click.option("--list-examples", is_flag=True, help="List the shipped example queries.")
@_neo4j_options
def cypher(query, params, fmt, write, example, list_examples, neo4j_uri, neo4j_user, neo4j_password):
    """Run a Cypher QUERY against Neo4j, read-only unless --write.

    \b
    reelgraph cypher "MATCH (p:Person {name: $name})-[:ACTED_IN]->(f) RETURN f.title" -p name="Carey Mulligan"
    reelgraph cypher --example costar_path -p source="Keira Knightley" -p target="Sally Hawkins"
    """
    from graph.neo4j_store import connect, parse_parameter, run_cypher
    from graph.queries import example_queries, example_query

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
    driver = connect(_settings(neo4j_uri, neo4j_user, neo4j_password))
    try:
        frame = run_cypher(driver, query, given, write=write)
    finally:
        driver.close()
    if fmt == "json":
        _echo_json(frame.to_dict("records"))
    elif fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    else:
        click.echo(frame.to_string(index=False) if len(frame) else "(no rows)")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
