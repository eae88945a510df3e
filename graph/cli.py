"""The ``reelgraph`` command: one sub-command for each function of the Python API.

Errors the user can fix (:class:`graph.errors.ReelgraphError`) print one line
on stderr and exit non-zero; they never show a traceback.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path

import click

from graph.errors import ReelgraphError
from graph.model import FilmGraph
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
        except BrokenPipeError:
            # The reader went away (`reelgraph ... | head`): stop quietly, as
            # `cat` does; stdout goes to /dev/null so the exit flush cannot fail again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(141)  # 128 + SIGPIPE, what a shell reports for such a pipe
        except OSError as exc:
            # A file the user named cannot be written or read (permissions, disk full, ...).
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"reelgraph: error: {where}{exc.strerror or exc}", err=True)
            ctx.exit(1)
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


class _Steps:
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


def _echo_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="reelgraph")
def main():
    """reelgraph: explore how films and the people who make them connect.

    \b
    Start here:
      demo        the whole tour on the bundled sample (no server needed)
    \b
    Bring data in:
      parse       what saved IMDb pages (.txt copies, .html saves) give, before loading
      download    IMDb's dataset files (resumable; unchanged files skipped)
      load        merge pages, folders and IMDb datasets into the store (and Neo4j)
      stats       what the store holds
      synth       synthetic datasets in IMDb's format, for tests and benchmarks
    \b
    Explore:
      path        the shortest co-star chain between two people (or two films)
      bacon       Bacon numbers around a person
      centres     the best centres of the graph
      similar     the films most like a film, with reasons
      clusters    similarity clusters of films
      show        an interactive HTML view that works offline
      export      GraphML, GEXF, CSV or Parquet
    \b
    Neo4j:
      neo4j       start/stop a local Neo4j 5.26 without Docker
      cypher      run Cypher (read-only unless --write), or a shipped example
      mirror      the NetworkX mirror's counts; --check compares them with Neo4j

    The graph lives in a local store (Parquet; --store or $REELGRAPH_STORE)
    and, when NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD are set, in Neo4j too.
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


def _sync_to_neo4j(graph, settings, quiet: bool, bulk: bool | None = None) -> dict | None:
    """Mirror the whole store into Neo4j when it is configured; None when it is not.

    ``bulk``: True forces the import tool (empty managed server only), False
    the batched loader, None lets :func:`graph.neo4j_bulk.choose_loader` pick.
    """
    if not settings.configured:
        return None
    from graph.neo4j_bulk import load_graph  # and the server module: only when there is a Neo4j to write to

    loader, counts = load_graph(graph, settings, bulk=bulk, progress=not quiet)
    return {**counts, "loader": loader}


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


def _dataset_options(title_types, include_adult, years, min_votes, categories, include_self, on_error) -> dict:
    from loaders.imdb_tsv import DEFAULT_CATEGORIES

    options = {"include_adult": include_adult, "min_votes": min_votes, "on_error": on_error}
    options["title_types"] = None if title_types == "all" else tuple(t.strip() for t in title_types.split(",") if t.strip())
    chosen = DEFAULT_CATEGORIES if categories is None else tuple(c.strip() for c in categories.split(",") if c.strip())
    options["categories"] = chosen + (("self",) if include_self and "self" not in chosen else ())
    if years:
        options["year_range"] = _year_range(years)
    return options


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--title-types", default="movie", show_default=True, metavar="LIST",
              help="IMDb datasets: title types to keep, comma-separated (movie,tvMovie,...) or 'all'.")
@click.option("--include-adult", is_flag=True, help="IMDb datasets: keep adult titles.")
@click.option("--years", metavar="FROM-TO", help="IMDb datasets: only titles that started in these years.")
@click.option("--min-votes", type=int, default=None, help="IMDb datasets: only titles with at least this many votes.")
@click.option("--categories", default=None, metavar="LIST",
              help="IMDb datasets: principal categories to keep [default: actor,actress,director,writer,producer,composer].")
@click.option("--include-self", is_flag=True, help="IMDb datasets: also people appearing as themselves.")
@click.option("--on-error", type=click.Choice(["raise", "skip"]), default="raise", show_default=True,
              help="IMDb datasets: stop at a bad line, or skip bad lines and count them.")
@click.option("--bulk/--batched", default=None,
              help="Neo4j: force the import tool (a first load into the empty server of 'reelgraph neo4j') or "
                   "batched transactions [default: the import tool for over 1.5M relationships into that empty server].")
@_store_option
@_neo4j_options
@_quiet_option
@_json_option
def load(sources, title_types, include_adult, years, min_votes, categories, include_self, on_error, bulk, store_dir,
         neo4j_uri, neo4j_user, neo4j_password, quiet, as_json):
    """Merge SOURCES (saved pages, folders of pages, IMDb dataset folders, canonical tables) into the store.

    Everything is read before anything is written: bad input leaves the store
    as it was.  Loading the same source twice changes nothing.
    """
    from loaders import read_partitions

    options = _dataset_options(title_types, include_adult, years, min_votes, categories, include_self, on_error)
    parts, read_from = read_partitions(sources, progress=not quiet, **options)
    reports = [g.report for g in parts.values() if getattr(g, "report", None) is not None]
    for report in reports:
        if not as_json:
            click.echo(report.summary(), err=True)
    store = LocalStore(store_dir)
    # The manifest has the counts: reading the whole store for them cost seconds and gigabytes.
    before = store.manifest().get("counts") or {name: 0 for name in FilmGraph.TABLES}
    merged, changes = store.load(parts, read_from)
    after = merged.counts()
    in_neo4j = _sync_to_neo4j(merged, _settings(neo4j_uri, neo4j_user, neo4j_password), quiet, bulk)
    if as_json:
        _echo_json({"store": str(store.path), "before": before, "after": after, "changes": changes,
                    "neo4j": in_neo4j, "datasets": [dataclasses.asdict(r) for r in reports]})
        return
    click.echo(f"loaded {len(sources)} source(s) into {store.path}")
    for name in after:
        change = changes[name]
        click.echo(f"  {name:8} {before[name]:>9,} -> {after[name]:>9,}   "
                   f"(+{change['added']:,} added, {change['updated']:,} updated, -{change['removed']:,} removed)")
    if in_neo4j:
        click.echo(f"  neo4j ({in_neo4j['loader']}): " + _counts_text(in_neo4j))


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
@click.option("--views", "views_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the HTML views [default: 'views' beside the store].")
@_neo4j_options
@_quiet_option
@_json_option
def demo(store_dir, views_dir, neo4j_uri, neo4j_user, neo4j_password, quiet, as_json):
    """The whole tour on the bundled sample: load, a path, Bacon numbers, clusters, views.

    The sample is a real IMDb page (Never Let Me Go, 2010) and 29 films around
    it. Needs no server; with NEO4J_URI set, the graph goes to Neo4j too.
    """
    from graph import views
    from graph.mirror import build_mirror
    from graph.paths import bacon_numbers, costar_path
    from graph.stats import graph_stats
    from loaders import read_partitions
    from loaders.sample import SAMPLE_SOURCES

    store = LocalStore(store_dir)
    graph, _ = store.load(*read_partitions(SAMPLE_SOURCES, progress=not quiet))
    summary = graph_stats(graph)
    graph, clustering = _cluster_into(store, graph)
    in_neo4j = _sync_to_neo4j(graph, _settings(neo4j_uri, neo4j_user, neo4j_password), quiet)

    mirror = build_mirror(graph)
    centre = summary["best_connected"][0]
    bacon = bacon_numbers(mirror, centre["id"])
    # The seed's lead to someone as far from her as anyone in the sample: the longest chain worth showing.
    lead = "Keira Knightley"
    from_lead = bacon_numbers(mirror, lead)
    farthest = from_lead.people_at(len(from_lead.histogram) - 1)[0]
    path = costar_path(mirror, lead, farthest)
    views_dir = Path(views_dir or store.path.parent / "views")
    written = {
        "neighbourhood": views.write_html(views.neighbourhood_view(mirror, "tt1334260"), views_dir / "never-let-me-go.html"),
        "path": views.write_html(views.path_view(mirror, [s["id"] for s in path.path]), views_dir / "path.html"),
        "clusters": views.write_html(views.cluster_view(mirror), views_dir / "clusters.html"),
        "more_like_this": views.write_html(views.more_like_this_view(mirror), views_dir / "more-like-this.html"),
    }
    if as_json:
        _echo_json({"store": str(store.path), **summary, "path": path.to_dict(), "bacon": bacon.to_dict(),
                    "clusters": clustering.to_dict(), "views": {k: str(v) for k, v in written.items()},
                    "neo4j": in_neo4j})
        return
    click.echo("reelgraph demo: the sample around 'Never Let Me Go' (2010)")
    for line in _summary_lines(summary):
        click.echo(line)
    click.echo(f"co-star path:     {lead} to {mirror.node(farthest)['label']}, as far apart as the sample goes")
    _print_path(path)
    click.echo(f"bacon numbers:    around {centre['name']}: "
               + ", ".join(f"{n} at {d}" for d, n in enumerate(bacon.histogram)) + f", {bacon.unreachable} unreachable")
    click.echo(f"clusters:         {len(clustering.clusters)}, modularity {clustering.modularity:.3f}: "
               + "; ".join(clustering.clusters["name"]))
    click.echo(f"views:            {views_dir}/ (" + ", ".join(p.name for p in written.values()) + ")")
    click.echo(f"graph stored in {store.path}" + (" and in Neo4j" if in_neo4j else ""))


def _cluster_into(store, graph, seed=0, resolution=1.0, top_films=5, step=lambda name: None):
    """Cluster the films of ``graph``, write the ids into the store; return the new graph and the result."""
    from graph.clusters import cluster_films
    from graph.mirror import build_mirror
    from graph.similarity import similarity_graph

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


def _mirror(store_dir):
    from graph.mirror import build_mirror

    return build_mirror(LocalStore(store_dir).read())


def _year_range(years: str) -> tuple:
    """'1990-2020' -> (1990, 2020); either end may be left out ('2000-', '-1999')."""
    start, _, end = years.partition("-")
    try:
        return (int(start) if start else None, int(end) if end else None)
    except ValueError:
        raise click.BadParameter(f"{years!r}: expected FROM-TO, e.g. 1990-2020 or 2000-") from None


def _path_filters(years, min_votes, exclude_roles, avoid, any_credit) -> dict:
    filters = {"min_votes": min_votes, "exclude_people": tuple(avoid), "exclude_films": tuple(avoid),
               "actors_only": not any_credit}
    if years:
        filters["year_range"] = _year_range(years)
    if exclude_roles:
        filters["exclude_roles"] = tuple(exclude_roles)
    return filters


def _filter_options(f):
    f = click.option("--years", metavar="FROM-TO", help="Only films of these years, e.g. 1990-2020 or 2000-.")(f)
    f = click.option("--min-votes", type=int, default=None, help="Only films with at least this many IMDb votes.")(f)
    f = click.option("--exclude-role", "exclude_roles", multiple=True, metavar="ROLE",
                     help="Leave out credits of this role [default: self, archive_footage, archive_sound].")(f)
    f = click.option("--avoid", multiple=True, metavar="NAME|ID",
                     help="Never pass through this person or film (repeatable).")(f)
    f = click.option("--any-credit", is_flag=True, help="Link people through any credit, not only acting.")(f)
    return f


def _print_path(result) -> None:
    if not result.found:
        click.echo("no path under these filters")
        return
    click.echo(f"distance {result.distance}" + (f", {result.total_paths} shortest paths" if result.total_paths else "")
               + (f" (showing {len(result.paths)})" if result.truncated else ""))
    for path in result.paths:
        click.echo("  " + " -> ".join(
            f"{step['label']} ({step['year']})" if step["kind"] == "film" and step.get("year") else step["label"]
            for step in path))


@main.command()
@click.argument("source")
@click.argument("target")
@click.option("--films", "between_films", is_flag=True, help="SOURCE and TARGET are films: link them through shared people.")
@click.option("--all", "all_paths", is_flag=True, help="List every shortest path (up to --max-paths) and count them.")
@click.option("--max-paths", default=100, show_default=True)
@_filter_options
@_store_option
@_json_option
def path(source, target, between_films, all_paths, max_paths, years, min_votes, exclude_roles, avoid, any_credit,
         store_dir, as_json):
    """The shortest co-star chain from SOURCE to TARGET (names or IMDb ids).

    \b
    reelgraph path "Keira Knightley" "Sally Hawkins"
    reelgraph path "Keira Knightley" "Saoirse Ronan" --all --years 2005-2015
    reelgraph path --films "Never Let Me Go" "Paddington"
    """
    from graph.paths import costar_path, film_path

    mirror = _mirror(store_dir)
    filters = _path_filters(years, min_votes, exclude_roles, avoid, any_credit)
    if between_films:
        # Films are linked through anyone they share (cast or crew).
        filters["actors_only"] = False
        result = film_path(mirror, source, target, all_paths=all_paths, max_paths=max_paths, **filters)
    else:
        result = costar_path(mirror, source, target, all_paths=all_paths, max_paths=max_paths, **filters)
    if as_json:
        _echo_json(result.to_dict())
    else:
        _print_path(result)


@main.command()
@click.argument("centre")
@_filter_options
@click.option("--list-unreachable", is_flag=True, help="Also name the people no path reaches.")
@_store_option
@_json_option
def bacon(centre, years, min_votes, exclude_roles, avoid, any_credit, list_unreachable, store_dir, as_json):
    """Bacon numbers: how many people are 0, 1, 2, ... co-star steps from CENTRE."""
    from graph.paths import bacon_numbers

    mirror = _mirror(store_dir)
    result = bacon_numbers(mirror, centre, **_path_filters(years, min_votes, exclude_roles, avoid, any_credit))
    unreachable = [mirror.node(i)["label"] for i in result.unreachable_people()] if list_unreachable else None
    if as_json:
        _echo_json({**result.to_dict(), **({"unreachable_people": unreachable} if list_unreachable else {})})
        return
    label = mirror.node(result.centre)["label"]
    click.echo(f"{label}: {result.reachable} people reachable, average distance "
               f"{result.average:.3f}" if result.average is not None else f"{label}: nobody reachable")
    for distance, count in enumerate(result.histogram):
        click.echo(f"  {distance}: {count}")
    click.echo(f"  unreachable: {result.unreachable}")
    if unreachable:
        click.echo("  " + "; ".join(unreachable))


@main.command()
@click.option("--top", default=10, show_default=True)
@click.option("--candidates", default=1000, show_default=True, help="Rank the best-connected N people.")
@click.option("--sample", type=int, default=None, help="Estimate from this many random people (0: exact).")
@click.option("--seed", default=0, show_default=True)
@_filter_options
@_store_option
@_quiet_option
@_json_option
def centres(top, candidates, sample, seed, years, min_votes, exclude_roles, avoid, any_credit, store_dir, quiet, as_json):
    """Best centres: people with the smallest average distance to everyone they reach."""
    from graph.paths import best_centres

    step = _Steps(2, quiet)
    try:
        step("reading the store and building the mirror")
        mirror = _mirror(store_dir)
        step("ranking centres")
        ranking = best_centres(mirror, top=top, candidates=candidates, sample=sample, seed=seed,
                               **_path_filters(years, min_votes, exclude_roles, avoid, any_credit))
    finally:
        step.close()
    if as_json:
        _echo_json(ranking.to_dict())
        return
    how = "exact" if ranking.exact else f"sampled from {ranking.sample} people, 95% error ±{ranking.error:.3f}"
    click.echo(f"best centres among {ranking.candidates} candidates ({how}):")
    for rank, centre in enumerate(ranking.centres, start=1):
        click.echo(f"  {rank:>3}. {centre.label}  average {centre.average:.3f}, reaches {centre.reachable}")


@main.command()
@click.argument("film")
@click.option("--top", default=10, show_default=True)
@_store_option
@_json_option
def similar(film, top, store_dir, as_json):
    """The films most similar to FILM, each with the reasons."""
    from graph.similarity import similar_films

    rows = similar_films(_mirror(store_dir), film, top=top)
    if as_json:
        _echo_json(rows)
        return
    for rank, row in enumerate(rows, start=1):
        year = f" ({row['year']})" if row.get("year") else ""
        click.echo(f"{rank:>3}. {row['title']}{year}  score {row['score']:.3f}")
        for reason in row["reasons"]:
            click.echo(f"       {reason}")


@main.command()
@click.option("--seed", default=0, show_default=True, help="Louvain's random seed: the same seed, the same clusters.")
@click.option("--resolution", default=1.0, show_default=True, help="Above 1: more, smaller clusters.")
@click.option("--top-films", default=5, show_default=True)
@_store_option
@_neo4j_options
@_quiet_option
@_json_option
def clusters(seed, resolution, top_films, store_dir, neo4j_uri, neo4j_user, neo4j_password, quiet, as_json):
    """Similarity clusters of films (Louvain), written back as Film.cluster to the store and Neo4j."""
    settings = _settings(neo4j_uri, neo4j_user, neo4j_password)
    step = _Steps(6 if settings.configured else 5, quiet)
    try:
        store = LocalStore(store_dir)
        step("reading the store")
        graph, result = _cluster_into(store, store.read(), seed, resolution, top_films, step)
        if settings.configured:
            from graph.neo4j_store import connect, write_clusters

            step("writing cluster ids to Neo4j")
            driver = connect(settings)
            try:
                write_clusters(driver, result.membership)
            finally:
                driver.close()
    finally:
        step.close()
    if as_json:
        _echo_json(result.to_dict())
        return
    titles = graph.films.set_index("id")["title"]
    click.echo(f"{len(result.clusters)} clusters, modularity {result.modularity:.3f} ({result.method}, seed {seed})")
    for row in result.clusters.itertuples():
        films = ", ".join(str(titles.get(f, f)) for f in row.top_films)
        click.echo(f"  {row.cluster:>3}. {row.name} — {row.size} films: {films}")
    click.echo("cluster ids written to the store" + (" and Neo4j" if settings.configured else ""))


@main.command()
@click.option("--check", is_flag=True, help="Compare node and relationship counts with Neo4j.")
@click.option("--from-neo4j", is_flag=True, help="Build the mirror from Neo4j instead of the local store.")
@_store_option
@_neo4j_options
@_json_option
def mirror(check, from_neo4j, store_dir, neo4j_uri, neo4j_user, neo4j_password, as_json):
    """The NetworkX mirror's counts; with --check, what differs from Neo4j."""
    from graph.mirror import build_mirror, mirror_counts

    if from_neo4j:
        from graph.neo4j_read import read_graph
        from graph.neo4j_store import connect

        driver = connect(_settings(neo4j_uri, neo4j_user, neo4j_password))
        try:
            mine = mirror_counts(build_mirror(read_graph(driver)))
        finally:
            driver.close()
    else:
        mine = mirror_counts(_mirror(store_dir))
    if not check:
        _echo_json(mine) if as_json else click.echo(_counts_text(mine))
        return
    from graph.neo4j_store import connect, neo4j_counts

    driver = connect(_settings(neo4j_uri, neo4j_user, neo4j_password))
    try:
        theirs = neo4j_counts(driver)
    finally:
        driver.close()
    differences = _count_differences(mine, theirs)
    if as_json:
        _echo_json({"mirror": mine, "neo4j": theirs, "differences": differences})
    elif differences:
        for kind, name, a, b in differences:
            click.echo(f"differs: {kind} {name}: mirror {a}, neo4j {b}")
    else:
        click.echo("mirror and Neo4j agree: " + _counts_text(mine))
    if differences:
        sys.exit(1)


@main.command()
@click.argument("name", required=False)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="HTML file to write [default: a name made from the view, in the current folder].")
@click.option("--depth", default=1, show_default=True, help="Steps out from NAME.")
@click.option("--max-nodes", default=300, show_default=True, help="Cut the view at this many nodes (a note says so).")
@click.option("--path", "path_ends", nargs=2, metavar="FROM TO", help="Show the co-star path between two people.")
@click.option("--clusters", "show_clusters", is_flag=True, help="Show the similarity clusters (run 'reelgraph clusters' first).")
@click.option("--more-like-this", "show_mlt", is_flag=True, help="Show the 'More like this' network (around NAME if given).")
@click.option("--colour-by", type=click.Choice(["kind", "cluster"]), default="kind", show_default=True)
@click.option("--size-by", type=click.Choice(["degree", "rating", "none"]), default="degree", show_default=True)
@_store_option
def show(name, output, depth, max_nodes, path_ends, show_clusters, show_mlt, colour_by, size_by, store_dir):
    """Write an interactive HTML view (works offline): a neighbourhood, a path, clusters or 'More like this'.

    \b
    reelgraph show "Never Let Me Go" -o never-let-me-go.html
    reelgraph show --path "Keira Knightley" "Saoirse Ronan"
    reelgraph show --clusters
    reelgraph show --more-like-this
    """
    from graph import views
    from graph.model import slugify
    from graph.names import resolve_any, resolve_film
    from graph.paths import costar_path

    mirror = _mirror(store_dir)
    size = None if size_by == "none" else size_by
    if path_ends:
        result = costar_path(mirror, *path_ends)
        if not result.found:
            raise ReelgraphError(f"no co-star path between {path_ends[0]!r} and {path_ends[1]!r}")
        path_ids = [step["id"] for step in result.path]
        # Each view draws from the part of the mirror it can reach (exactly the
        # same view; the NetworkX graph of a whole large store takes minutes).
        view = views.path_view(mirror.to_networkx(nodes=path_ids), path_ids)
        default = f"path-{slugify(path_ends[0])}-{slugify(path_ends[1])}.html"
    elif show_clusters:
        view = views.cluster_view(mirror.to_networkx(nodes=mirror.film_ids), max_nodes=max(max_nodes, 2000))
        default = "clusters.html"
    elif show_mlt:
        centre = resolve_film(mirror, name) if name else None  # "More like this" links films only
        view = views.more_like_this_view(mirror.to_networkx(nodes=mirror.film_ids), centre, max_nodes=max(max_nodes, 2000))
        default = f"more-like-this{'-' + slugify(name) if name else ''}.html"
    elif name:
        centre = resolve_any(mirror, name)
        view = views.neighbourhood_view(mirror.to_networkx(nodes=mirror.neighbourhood([centre], depth)), centre,
                                        depth=depth, max_nodes=max_nodes, colour_by=colour_by, size_by=size)
        default = f"{slugify(name)}.html"
    else:
        raise click.UsageError("give a NAME, --path FROM TO, --clusters or --more-like-this")
    written = views.write_html(view, output or Path(default))
    click.echo(f"wrote {written} ({view.shown} nodes" + (f", {view.omitted} left out" if view.omitted else "") + ")")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "csv", "parquet"]), required=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="File (graphml, gexf) or folder (csv, parquet) [default: reelgraph.FORMAT].")
@_store_option
def export(fmt, output, store_dir):
    """Export the graph for Gephi or Cytoscape (graphml, gexf) or pandas (csv, parquet)."""
    from graph.export import export_graph

    written = export_graph(LocalStore(store_dir).read(), fmt, output or Path(f"reelgraph.{fmt}"))
    click.echo(f"wrote {written}")


@main.command()
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), default=Path("imdb-datasets"),
              show_default=True, help="Folder to download into.")
@click.option("--files", default=None, metavar="LIST",
              help="Comma-separated: basics,principals,names,ratings,crew,akas,episode or 'all' "
                   "[default: basics,principals,names,ratings,crew].")
@click.option("--base-url", envvar="REELGRAPH_IMDB_BASE_URL", default=None,
              help="Where the files are [env REELGRAPH_IMDB_BASE_URL; default https://datasets.imdbws.com/].")
@_quiet_option
@_json_option
def download(dest, files, base_url, quiet, as_json):
    """Download IMDb's dataset files into DEST; unchanged files are skipped, broken transfers resumed."""
    from loaders.download import download_datasets

    report = download_datasets(dest, files=files, base_url=base_url, progress=not quiet)
    if as_json:
        _echo_json(report.to_dict())
        return
    click.echo(report.summary())
    click.echo(f"next: reelgraph load {dest}")


@main.command()
@click.option("--titles", type=int, required=True, help="How many titles (title.principals gets about ten times as many rows).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--seed", default=0, show_default=True, help="Same seed, same bytes.")
@click.option("--movie-share", type=float, default=None, help="Share of movies, 0-1 [default: IMDb's mix, about 5%].")
@_quiet_option
@_json_option
def synth(titles, out_dir, seed, movie_share, quiet, as_json):
    """Write synthetic IMDb datasets (all seven files, gzip, IMDb's exact format) for tests and benchmarks."""
    from loaders.synth import write_synthetic_datasets

    summary = write_synthetic_datasets(out_dir, titles=titles, seed=seed, movie_share=movie_share, progress=not quiet)
    if as_json:
        _echo_json(dataclasses.asdict(summary))
        return
    click.echo(f"wrote {summary.titles:,} titles ({summary.movies:,} movies), {summary.principals:,} principals, "
               f"{summary.people:,} people to {out_dir} in {summary.seconds:.1f} s")


def _counts_text(counts: dict) -> str:
    return ", ".join(f"{n} {k}" for k, n in {**counts["nodes"], **counts["relationships"]}.items() if n)


def _count_differences(a: dict, b: dict) -> list:
    out = []
    for kind in ("nodes", "relationships"):
        for name in sorted(set(a[kind]) | set(b[kind])):
            x, y = a[kind].get(name, 0), b[kind].get(name, 0)
            if x != y:
                out.append((kind, name, x, y))
    return out


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
