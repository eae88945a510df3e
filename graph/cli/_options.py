"""What the commands share: their options, progress steps and output helpers.

One decorator an option that several commands take, so each is spelled and
documented once: ``--store``, ``--json``, ``--quiet``, ``-o/--output``, the
Neo4j connection and the path filters.
"""

from __future__ import annotations

import json
from pathlib import Path

import click


def store_option(f):
    return click.option(
        "--store", "store_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Folder of the local store [default: $REELGRAPH_STORE or ~/.local/share/reelgraph/store].",
    )(f)


def json_option(f):
    """``--json``: every command that prints results takes it."""
    return click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(f)


def output_option(help: str, *aliases: str, dir_okay: bool = False, file_okay: bool = True, default=None):
    """``-o/--output``: the one spelling for where a command writes (``aliases`` are older spellings, kept hidden)."""
    def decorate(f):
        return click.option("-o", "--output", *aliases, "output", default=default, help=help,
                            type=click.Path(dir_okay=dir_okay, file_okay=file_okay, path_type=Path))(f)
    return decorate


def wait_option(f):
    return click.option("--no-wait", "no_wait", is_flag=True,
                        help="When another reelgraph is writing to the store, fail at once instead of waiting.")(f)


def quiet_option(f):
    return click.option("--quiet", "-q", is_flag=True, help="No progress bars.")(f)


class Steps:
    """Progress through the named steps of a command with no rows to count (tqdm on stderr, ETA by step)."""

    def __init__(self, total: int, quiet: bool):
        from tqdm import tqdm

        self.started = False
        self.bar = tqdm(total=total, unit="step", disable=quiet, leave=False,
                        bar_format="{desc}: step {n_fmt}/{total_fmt} [{elapsed}<{remaining}]")

    def __call__(self, name: str):
        if self.started:
            self.bar.update(1)
        self.started = True
        self.bar.set_description_str(name)

    def close(self):
        self.bar.close()


def echo_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def neo4j_options(f):
    f = click.option("--neo4j-uri", envvar="NEO4J_URI", default=None, help="Bolt address [env NEO4J_URI].")(f)
    f = click.option("--neo4j-user", envvar="NEO4J_USER", default="neo4j", help="[env NEO4J_USER]")(f)
    f = click.option("--neo4j-password", envvar="NEO4J_PASSWORD", default=None, help="[env NEO4J_PASSWORD]")(f)
    return f


def neo4j_settings(neo4j_uri, neo4j_user, neo4j_password):
    from reelgraph.neo4j.sync import Neo4jSettings

    return Neo4jSettings.from_env(uri=neo4j_uri, user=neo4j_user, password=neo4j_password)


def year_range(years: str) -> tuple:
    """'1990-2020' -> (1990, 2020); either end may be left out ('2000-', '-1999')."""
    start, _, end = years.partition("-")
    try:
        return (int(start) if start else None, int(end) if end else None)
    except ValueError:
        raise click.BadParameter(f"{years!r}: expected FROM-TO, e.g. 1990-2020 or 2000-") from None


def path_filters(years, min_votes, exclude_roles, avoid, any_credit) -> dict:
    """The analysis API's filters from the shared options (each --avoid value is a person or a film)."""
    filters = {"min_votes": min_votes, "avoid": tuple(avoid), "actors_only": not any_credit}
    if years:
        filters["year_range"] = year_range(years)
    if exclude_roles:
        filters["exclude_roles"] = tuple(exclude_roles)
    return filters


def filter_options(f):
    f = click.option("--years", metavar="FROM-TO", help="Only films of these years, e.g. 1990-2020 or 2000-.")(f)
    f = click.option("--min-votes", type=int, default=None, help="Only films with at least this many IMDb votes.")(f)
    f = click.option("--exclude-role", "exclude_roles", multiple=True, metavar="ROLE",
                     help="Leave out credits of this role [default: self, archive_footage, archive_sound].")(f)
    f = click.option("--avoid", multiple=True, metavar="NAME|ID",
                     help="Never pass through this person or film (repeatable).")(f)
    f = click.option("--any-credit", is_flag=True, help="Link people through any credit, not only acting.")(f)
    return f


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 film``, ``2 films``, ``1,234 people``: a count and its word, right for 1 and for many."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def step_text(step: dict) -> str:
    return f"{step['label']} ({step['year']})" if step["kind"] == "film" and step.get("year") else step["label"]


def print_path(result) -> None:
    """The lines of ``reelgraph path``: the distance, how many shortest paths, each path."""
    if not result.found:
        click.echo("no path under these filters")
        return
    head = f"distance {result.distance}"
    if result.total_paths:
        head += ", " + plural(result.total_paths, "shortest path")
        if result.truncated:
            head += f" (showing {len(result.paths):,})"
    click.echo(head)
    for path in result.paths:
        click.echo("  " + " -> ".join(step_text(step) for step in path))


def counts_text(counts: dict) -> str:
    return ", ".join(f"{n} {k}" for k, n in {**counts["nodes"], **counts["relationships"]}.items() if n)


def count_differences(a: dict, b: dict) -> list:
    out = []
    for kind in ("nodes", "relationships"):
        for name in sorted(set(a[kind]) | set(b[kind])):
            x, y = a[kind].get(name, 0), b[kind].get(name, 0)
            if x != y:
                out.append((kind, name, x, y))
    return out


