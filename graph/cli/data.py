"""Commands that bring data in and describe it: parse, load, download, synth, stats, export, demo."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click
from reelgraph.cli._options import (
    cluster_into,
    counts_text,
    dataset_options,
    echo_json,
    json_option,
    neo4j_options,
    neo4j_settings,
    print_path,
    quiet_option,
    store_option,
    summary_lines,
    sync_to_neo4j,
)
from reelgraph.model import FilmGraph
from reelgraph.store import LocalStore

__all__ = ["parse", "load", "download", "synth", "stats", "export", "demo"]


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
def parse(files, as_json):
    """Show what the loaders extract from FILES, without storing anything."""
    from reelgraph.loaders import read_sources

    graph = read_sources(files, progress=False)
    records = graph.to_records()
    if as_json:
        echo_json(records)
        return
    for name, rows in records.items():
        click.echo(f"{name}: {len(rows)}")
    for film in records["films"]:
        if not film.get("stub"):
            click.echo(f"  {film['id']}  {film['title']} ({film['year']})  rating {film['rating']}  votes {film['votes']}")


@click.command()
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
@store_option
@neo4j_options
@quiet_option
@json_option
def load(sources, title_types, include_adult, years, min_votes, categories, include_self, on_error, bulk, store_dir,
         neo4j_uri, neo4j_user, neo4j_password, quiet, as_json):
    """Merge SOURCES (saved pages, folders of pages, IMDb dataset folders, canonical tables) into the store.

    Everything is read before anything is written: bad input leaves the store
    as it was.  Loading the same source twice changes nothing.
    """
    from reelgraph.loaders import read_partitions

    options = dataset_options(title_types, include_adult, years, min_votes, categories, include_self, on_error)
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
    in_neo4j = sync_to_neo4j(merged, neo4j_settings(neo4j_uri, neo4j_user, neo4j_password), quiet, bulk)
    if as_json:
        echo_json({"store": str(store.path), "before": before, "after": after, "changes": changes,
                    "neo4j": in_neo4j, "datasets": [dataclasses.asdict(r) for r in reports]})
        return
    click.echo(f"loaded {len(sources)} source(s) into {store.path}")
    for name in after:
        change = changes[name]
        click.echo(f"  {name:8} {before[name]:>9,} -> {after[name]:>9,}   "
                   f"(+{change['added']:,} added, {change['updated']:,} updated, -{change['removed']:,} removed)")
    if in_neo4j:
        click.echo(f"  neo4j ({in_neo4j['loader']}): " + counts_text(in_neo4j))


@click.command()
@store_option
@json_option
@click.option("--top", default=5, show_default=True, help="How many best-connected people to list.")
def stats(store_dir, as_json, top):
    """What the store holds: films, stub films, people, credits per role, links."""
    from reelgraph.analysis.stats import graph_stats

    store = LocalStore(store_dir)
    result = graph_stats(store.read(), top=top)
    if as_json:
        echo_json({"store": str(store.path), **result})
        return
    click.echo(f"store: {store.path}")
    for line in summary_lines(result):
        click.echo(line)


@click.command()
@store_option
@click.option("--views", "views_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the HTML views [default: 'views' beside the store].")
@neo4j_options
@quiet_option
@json_option
def demo(store_dir, views_dir, neo4j_uri, neo4j_user, neo4j_password, quiet, as_json):
    """The whole tour on the bundled sample: load, a path, Bacon numbers, clusters, views.

    The sample is a real IMDb page (Never Let Me Go, 2010) and 29 films around
    it. Needs no server; with NEO4J_URI set, the graph goes to Neo4j too.
    """
    from reelgraph import views
    from reelgraph.analysis.paths import bacon_numbers, costar_path
    from reelgraph.analysis.stats import graph_stats
    from reelgraph.loaders import read_partitions
    from reelgraph.loaders.sample import SAMPLE_SOURCES
    from reelgraph.mirror import build_mirror

    store = LocalStore(store_dir)
    graph, _ = store.load(*read_partitions(SAMPLE_SOURCES, progress=not quiet))
    summary = graph_stats(graph)
    graph, clustering = cluster_into(store, graph)
    in_neo4j = sync_to_neo4j(graph, neo4j_settings(neo4j_uri, neo4j_user, neo4j_password), quiet)

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
        echo_json({"store": str(store.path), **summary, "path": path.to_dict(), "bacon": bacon.to_dict(),
                    "clusters": clustering.to_dict(), "views": {k: str(v) for k, v in written.items()},
                    "neo4j": in_neo4j})
        return
    click.echo("reelgraph demo: the sample around 'Never Let Me Go' (2010)")
    for line in summary_lines(summary):
        click.echo(line)
    click.echo(f"co-star path:     {lead} to {mirror.node(farthest)['label']}, as far apart as the sample goes")
    print_path(path)
    click.echo(f"bacon numbers:    around {centre['name']}: "
               + ", ".join(f"{n} at {d}" for d, n in enumerate(bacon.histogram)) + f", {bacon.unreachable} unreachable")
    click.echo(f"clusters:         {len(clustering.clusters)}, modularity {clustering.modularity:.3f}: "
               + "; ".join(clustering.clusters["name"]))
    click.echo(f"views:            {views_dir}/ (" + ", ".join(p.name for p in written.values()) + ")")
    click.echo(f"graph stored in {store.path}" + (" and in Neo4j" if in_neo4j else ""))


@click.command()
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "csv", "parquet"]), required=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="File (graphml, gexf) or folder (csv, parquet) [default: reelgraph.FORMAT].")
@store_option
def export(fmt, output, store_dir):
    """Export the graph for Gephi or Cytoscape (graphml, gexf) or pandas (csv, parquet)."""
    from reelgraph.export import export_graph

    written = export_graph(LocalStore(store_dir).read(), fmt, output or Path(f"reelgraph.{fmt}"))
    click.echo(f"wrote {written}")


@click.command()
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), default=Path("imdb-datasets"),
              show_default=True, help="Folder to download into.")
@click.option("--files", default=None, metavar="LIST",
              help="Comma-separated: basics,principals,names,ratings,crew,akas,episode or 'all' "
                   "[default: basics,principals,names,ratings,crew].")
@click.option("--base-url", envvar="REELGRAPH_IMDB_BASE_URL", default=None,
              help="Where the files are [env REELGRAPH_IMDB_BASE_URL; default https://datasets.imdbws.com/].")
@quiet_option
@json_option
def download(dest, files, base_url, quiet, as_json):
    """Download IMDb's dataset files into DEST; unchanged files are skipped, broken transfers resumed."""
    from reelgraph.loaders.download import download_datasets

    report = download_datasets(dest, files=files, base_url=base_url, progress=not quiet)
    if as_json:
        echo_json(report.to_dict())
        return
    click.echo(report.summary())
    click.echo(f"next: reelgraph load {dest}")


@click.command()
@click.option("--titles", type=int, required=True, help="How many titles (title.principals gets about ten times as many rows).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--seed", default=0, show_default=True, help="Same seed, same bytes.")
@click.option("--movie-share", type=float, default=None, help="Share of movies, 0-1 [default: IMDb's mix, about 5%].")
@quiet_option
@json_option
def synth(titles, out_dir, seed, movie_share, quiet, as_json):
    """Write synthetic IMDb datasets (all seven files, gzip, IMDb's exact format) for tests and benchmarks."""
    from reelgraph.loaders.synth import write_synthetic_datasets

    summary = write_synthetic_datasets(out_dir, titles=titles, seed=seed, movie_share=movie_share, progress=not quiet)
    if as_json:
        echo_json(dataclasses.asdict(summary))
        return
    click.echo(f"wrote {summary.titles:,} titles ({summary.movies:,} movies), {summary.principals:,} principals, "
               f"{summary.people:,} people to {out_dir} in {summary.seconds:.1f} s")

