"""What the commands share: their options, progress steps and output helpers."""

from __future__ import annotations

import json
from pathlib import Path

import click
from reelgraph.store import LocalStore


def store_option(f):
    return click.option(
        "--store", "store_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Folder of the local store [default: $REELGRAPH_STORE or ~/.local/share/reelgraph/store].",
    )(f)


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(f)


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


def sync_to_neo4j(graph, settings, quiet: bool, bulk: bool | None = None) -> dict | None:
    """Mirror the whole store into Neo4j when it is configured; None when it is not.

    ``bulk``: True forces the import tool (empty managed server only), False
    the batched loader, None lets :func:`reelgraph.neo4j.bulk.choose_loader` pick.
    """
    if not settings.configured:
        return None
    from reelgraph.neo4j.bulk import (
        load_graph,  # and the server module: only when there is a Neo4j to write to
    )

    loader, counts = load_graph(graph, settings, bulk=bulk, progress=not quiet)
    return {**counts, "loader": loader}


def summary_lines(stats: dict) -> list[str]:
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


def dataset_options(title_types, include_adult, years, min_votes, categories, include_self, on_error) -> dict:
    from reelgraph.loaders.imdb_tsv import DEFAULT_CATEGORIES

    options = {"include_adult": include_adult, "min_votes": min_votes, "on_error": on_error}
    options["title_types"] = None if title_types == "all" else tuple(t.strip() for t in title_types.split(",") if t.strip())
    chosen = DEFAULT_CATEGORIES if categories is None else tuple(c.strip() for c in categories.split(",") if c.strip())
    options["categories"] = chosen + (("self",) if include_self and "self" not in chosen else ())
    if years:
        options["year_range"] = year_range(years)
    return options


def cluster_into(store, graph, seed=0, resolution=1.0, top_films=5, step=lambda name: None):
    """Cluster the films of ``graph``, write the ids into the store; return the new graph and the result."""
    from reelgraph.analysis.clusters import cluster_films
    from reelgraph.analysis.similarity import similarity_graph
    from reelgraph.mirror import build_mirror

    step("building the mirror")
    mirror = build_mirror(graph)
    step("similarity graph")
    sim = similarity_graph(mirror)
    step("clustering")
    result = cluster_films(sim, seed=seed, resolution=resolution, top_films=top_films)
    step("writing cluster ids to the store")
    graph.films["cluster"] = graph.films["id"].map(result.membership).astype("Int64")
    store.write(graph)
    return graph, result


def open_mirror(store_dir):
    from reelgraph.mirror import build_mirror

    return build_mirror(LocalStore(store_dir).read())


def year_range(years: str) -> tuple:
    """'1990-2020' -> (1990, 2020); either end may be left out ('2000-', '-1999')."""
    start, _, end = years.partition("-")
    try:
        return (int(start) if start else None, int(end) if end else None)
    except ValueError:
        raise click.BadParameter(f"{years!r}: expected FROM-TO, e.g. 1990-2020 or 2000-") from None


def path_filters(years, min_votes, exclude_roles, avoid, any_credit) -> dict:
    filters = {"min_votes": min_votes, "exclude_people": tuple(avoid), "exclude_films": tuple(avoid),
               "actors_only": not any_credit}
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


def print_path(result) -> None:
    if not result.found:
        click.echo("no path under these filters")
        return
    click.echo(f"distance {result.distance}" + (f", {result.total_paths} shortest paths" if result.total_paths else "")
               + (f" (showing {len(result.paths)})" if result.truncated else ""))
    for path in result.paths:
        click.echo("  " + " -> ".join(
            f"{step['label']} ({step['year']})" if step["kind"] == "film" and step.get("year") else step["label"]
            for step in path))


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

