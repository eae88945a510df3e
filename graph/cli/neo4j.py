"""Commands for Neo4j: the local server (neo4j ...) and Cypher."""

from __future__ import annotations

import json
import sys

import click
from reelgraph.cli._options import echo_json, neo4j_options, neo4j_settings

__all__ = ["neo4j", "cypher"]


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def neo4j(args):
    """Run a local Neo4j 5.26 without Docker: install | start | stop | status | env | import.

    The first start fetches Neo4j from Maven Central into
    ~/.cache/reelgraph (needs Java 17 and Maven). 'reelgraph neo4j --help'
    lists the options; 'eval "$(reelgraph neo4j env)"' sets NEO4J_*.
    """
    from reelgraph.neo4j import server as neo4j_server

    sys.exit(neo4j_server.main(list(args)))


@click.command()
@click.argument("query", required=False)
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A query parameter ($NAME); VALUE is read as JSON when it parses, else as text.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--write", is_flag=True, help="Allow the query to write (refused otherwise).")
@click.option("--example", metavar="NAME", help="Run a shipped example query instead of QUERY.")
@click.option("--list-examples", is_flag=True, help="List the shipped example queries.")
@neo4j_options
def cypher(query, params, fmt, write, example, list_examples, neo4j_uri, neo4j_user, neo4j_password):
    """Run a Cypher QUERY against Neo4j, read-only unless --write.

    \b
    reelgraph cypher "MATCH (p:Person {name: $name})-[:ACTED_IN]->(f) RETURN f.title" -p name="Carey Mulligan"
    reelgraph cypher --example costar_path -p source="Keira Knightley" -p target="Sally Hawkins"
    """
    from reelgraph.neo4j.queries import example_queries, example_query
    from reelgraph.neo4j.sync import connect, parse_parameter, run_cypher

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
    if fmt == "json":
        echo_json(frame.to_dict("records"))
    elif fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    else:
        click.echo(frame.to_string(index=False) if len(frame) else "(no rows)")

