"""Commands that bring data in and describe it: parse, load, download, synth, stats, export, demo."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from pathlib import Path

import click
from reelgraph.cli._options import (
    counts_text,
    echo_json,
    json_option,
    neo4j_options,
    neo4j_settings,
    output_option,
    plural,
    quiet_option,
    store_option,
    wait_option,
    year_range,
)

__all__ = ["parse", "load", "download", "synth", "stats", "export", "demo"]


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
def parse(files, as_json):
    """Show what saved pages give (films, people, credits, links), without storing anything.

    FILES are saved IMDb title pages (copied text .txt, saved .html) or
    folders of them.  Each film says which kinds of page it comes from when
    one is not the main page, and which credit lists are incomplete (shown
    in part by every page that has them), with the counts its page states.
    Then each page: its kind and the layout it was read from, its film, its
    counts (cast, crew by role, links, keywords) and what it lists in part
    (with --json: the four tables, and these under "pages").
    """
    from reelgraph.loaders import read_partitions
    from reelgraph.model import merge_graphs

    parts, sources = read_partitions(files, progress=False)
    graph = merge_graphs(*parts.values())  # what read_sources gives, with each page's reader notes kept in parts
    records = graph.to_records()
    pages = [_page_summary(", ".join(map(str, sources.get(key, [key]))), page)
             for key, page in parts.items() if key.startswith("page:")]
    if as_json:
        echo_json({**records, "pages": pages})
        return
    for name, rows in records.items():
        click.echo(f"{name}: {len(rows)}")
    for film in records["films"]:
        if film.get("stub"):
            continue
        year = f" ({film['year']})" if film.get("year") else ""
        rated = (f"rating {film['rating']}" if film.get("rating") is not None else "no rating") + (
            f", {film['votes']:,} votes" if film.get("votes") is not None else "")
        click.echo(f"  {film['id']}  {film['title']}{year}  {rated}")
        for line in _page_notes(film, parts.values()):
            click.echo(f"    {line}")
    if pages:
        click.echo(f"pages read: {len(pages)}")
        for summary in pages:
            click.echo(f"  {_page_line(summary)}")


def _page_summary(name: str, page) -> dict:
    """What ``parse`` says of one page: its kind and layout, its film, its counts, what it lists in part.

    Counts are of the page's own film (not of its "More like this" titles):
    cast (actors and selves), crew by role, "More like this" links, keywords.
    ``parse --json`` prints these under ``pages``; the text output, one
    :func:`_page_line` each.

    Examples
    --------
    >>> from reelgraph.model import FilmGraph
    >>> page = FilmGraph.from_records(films=[{"id": "tt1", "title": "A", "keywords": ["k"]}], credits=[
    ...     {"person_id": "nm1", "film_id": "tt1", "role": "actor"}, {"person_id": "nm2", "film_id": "tt1", "role": "director"}])
    >>> page.page_kind, page.layout, page.incomplete_counts = "reference", "aboveTheFoldData + mainColumnData, categories", {"actor": (1, 9)}
    >>> summary = _page_summary("a.html", page)
    >>> summary["kind"], summary["cast"], summary["crew"], summary["incomplete"]
    ('reference', 1, {'director': 1}, {'actor': {'shown': 1, 'total': 9}})
    >>> print(_page_line(summary))
    a.html: reference page (aboveTheFoldData + mainColumnData, categories) of tt1 A: cast 1; crew 1 (director 1); links 0; keywords 1; incomplete: actor (1 of 9)
    """
    films = page.films[~page.films["stub"].fillna(False).astype(bool)]
    own = set(films["id"])
    credits = page.credits[page.credits["film_id"].isin(own)]
    cast = credits["role"].isin(("actor", "self"))
    crew = credits.loc[~cast, "role"].value_counts(sort=False)
    return {
        "file": name, "kind": getattr(page, "page_kind", "main"), "layout": getattr(page, "layout", None),
        "films": [{"id": row.id, "title": row.title} for row in films.itertuples()],
        "cast": int(cast.sum()), "crew": {role: int(n) for role, n in crew.items()},
        "links": int(page.similar["film_id"].isin(own).sum()),
        "keywords": sum(len(k) for k in films["keywords"]),
        "incomplete": {role: {"shown": int(shown), "total": int(total)}
                       for role, (shown, total) in (getattr(page, "incomplete_counts", None) or {}).items()},
    }


def _page_line(summary: dict) -> str:
    """:func:`_page_summary` as ``parse``'s one line about a page."""
    kind = f"{summary['kind']} page" + (f" ({summary['layout']})" if summary["layout"] else "")
    title = " ".join(f"{film['id']} {film['title']}" for film in summary["films"])
    crew = summary["crew"]
    counts = [f"cast {summary['cast']:,}",
              f"crew {sum(crew.values()):,}" + (" (" + ", ".join(f"{role} {n:,}" for role, n in crew.items()) + ")"
                                                if crew else ""),
              f"links {summary['links']:,}",
              f"keywords {summary['keywords']:,}"]
    if summary["incomplete"]:
        counts.append("incomplete: " + ", ".join(f"{role} ({n['shown']:,} of {n['total']:,})"
                                                 for role, n in summary["incomplete"].items()))
    return f"{summary['file']}: {kind} of {title}: " + "; ".join(counts)


def _page_notes(film: dict, pages) -> list[str]:
    """``parse``'s lines under a film: its kinds of page, unless only the main page; its incomplete credit lists.

    The pages' own notes (``page_kind``, ``incomplete_counts``) are the
    readers' (:func:`reelgraph.loaders.imdb_html.read_imdb_html`); the
    incomplete roles are the merged film's, so a list one page gives in full
    is not named.
    """
    kinds, counts = [], {}
    for page in pages:
        if film["id"] not in set(page.films.loc[~page.films["stub"].fillna(False).astype(bool), "id"]):
            continue
        kind = getattr(page, "page_kind", "main")
        if kind not in kinds:
            kinds.append(kind)
        for role, shown in getattr(page, "incomplete_counts", {}).items():
            if role not in counts or shown[0] > counts[role][0]:  # the page that shows most of the list
                counts[role] = shown
    lines = [f"pages: {', '.join(kinds)}"] if kinds and kinds != ["main"] else []
    if film.get("incomplete_credits"):
        lines.append("incomplete: " + ", ".join(
            f"{role} ({counts[role][0]:,} of {counts[role][1]:,})" if role in counts else role
            for role in film["incomplete_credits"]))
    return lines


#: Up to how many films known only by title the summary names, one line each.
_STUBS_NAMED = 3


def _stub_notes(mirror, stub_films: int) -> list[dict]:
    """The films known only by title (stubs), when there are 1 to :data:`_STUBS_NAMED`: what each is and who lists it.

    ``stub_films`` is how many there are (``stats["stub_films"]``), so a
    store with none or many reads nothing.  Each note is ``{"title", "year",
    "listed_by", "rank"}``: ``listed_by`` is the label (title and year) of
    the first film whose "More like this" lists it, ``rank`` its place
    there.  Read from the graph index: one scan of the mapped ``stub`` column.
    """
    if not 0 < stub_films <= _STUBS_NAMED:
        return []
    import numpy as np
    import pandas as pd
    import pyarrow.compute as pc

    def value(table, row, column):
        found = mirror.table_rows(table, [int(row)], [column])[column].iloc[0]
        return None if pd.isna(found) else found

    rows = pc.indices_nonzero(pc.fill_null(mirror.arrow_column("films", "stub"), False)).to_numpy()
    dst = np.asarray(mirror.similar_dst)
    notes = []
    for row in rows:
        year = value("films", row, "year")
        note = {"title": value("films", row, "title"), "year": None if year is None else int(year),
                "listed_by": None, "rank": None}
        links = np.flatnonzero(dst == mirror.n_people + row)
        if len(links):
            source = int(mirror.similar_src[links[0]])
            source_year = value("films", source - mirror.n_people, "year")
            note["listed_by"] = mirror.label(source) + (f" ({int(source_year)})" if source_year is not None else "")
            rank = value("similar", links[0], "rank")
            note["rank"] = None if rank is None else int(rank)
        notes.append(note)
    return notes


def _stub_line(note: dict) -> str:
    """One line of the summary about a film known only by title.

    Examples
    --------
    >>> print(_stub_line({"title": "Never Let Me Go", "year": None, "listed_by": "Never Let Me Go (2010)", "rank": 10}))
      known by title: 'Never Let Me Go' (no year given), #10 in the 'More like this' of Never Let Me Go (2010): another title of the same name
    """
    year = f" ({note['year']})" if note["year"] else " (no year given)"
    line = f"  known by title: '{note['title']}'{year}"
    if note["listed_by"]:
        rank = f"#{note['rank']} in" if note["rank"] else "in"
        line += f", {rank} the 'More like this' of {note['listed_by']}"
        if note["listed_by"].startswith(f"{note['title']} (") or note["listed_by"] == note["title"]:
            line += ": another title of the same name"  # IMDb never lists a film as like itself
    return line


def _summary_lines(stats: dict, stubs=()) -> list[str]:
    """The counts ``stats`` and ``demo`` print; ``stubs`` (:func:`_stub_notes`) name the films known only by title.

    Examples
    --------
    >>> stats = {"films": 29, "stub_films": 1, "people": 281, "credits": 361, "credits_by_role": {"actor": 275},
    ...          "more_like_this": 12, "best_connected": []}
    >>> print("\\n".join(_summary_lines(stats, [{"title": "Jane Eyre", "year": 2011, "listed_by": "Never Let Me Go (2010)", "rank": 12}])))
    films:            29 (+ 1 known only from 'More like this')
      known by title: 'Jane Eyre' (2011), #12 in the 'More like this' of Never Let Me Go (2010)
    people:           281
    credits:          361 (275 actor)
    more like this:   12 links
    """
    lines = [
        f"films:            {stats['films']:,} (+ {stats['stub_films']:,} known only from 'More like this')",
        *map(_stub_line, stubs),
        f"people:           {stats['people']:,}",
        f"credits:          {stats['credits']:,} ("
        + ", ".join(f"{n:,} {role}" for role, n in stats["credits_by_role"].items()) + ")",
        f"more like this:   {plural(stats['more_like_this'], 'link')}",
    ]
    if stats["best_connected"]:
        lines.append("best connected:   " + "; ".join(
            f"{p['name']} ({plural(p['collaborators'], 'collaborator')}, {plural(p['films'], 'film')})"
            for p in stats["best_connected"]))
    return lines


def _dataset_options(title_types, include_adult, years, min_votes, categories, include_self) -> dict:
    from reelgraph.loaders.imdb_tsv import DEFAULT_CATEGORIES

    options = {"include_adult": include_adult, "min_votes": min_votes}
    options["title_types"] = None if title_types == "all" else tuple(t.strip() for t in title_types.split(",") if t.strip())
    chosen = DEFAULT_CATEGORIES if categories is None else tuple(c.strip() for c in categories.split(",") if c.strip())
    options["categories"] = chosen + (("self",) if include_self and "self" not in chosen else ())
    if years:
        options["year_range"] = year_range(years)
    return options


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
              help="raise: a bad page or dataset line stops the load and nothing is stored; "
                   "skip: bad pages are left out (each named on stderr) and bad dataset lines counted.")
@click.option("--bulk/--batched", default=None,
              help="Neo4j: force the import tool (a first load into the empty server of 'reelgraph neo4j') or "
                   "batched transactions [default: the import tool for over 1.5M relationships into that empty server].")
@store_option
@wait_option
@neo4j_options
@quiet_option
@json_option
def load(sources, title_types, include_adult, years, min_votes, categories, include_self, on_error, bulk, store_dir,
         no_wait, neo4j_uri, neo4j_user, neo4j_password, quiet, as_json):
    """Merge SOURCES (saved pages, folders of pages, IMDb dataset folders, canonical tables) into the store.

    Everything is read before anything is written: bad input leaves the store
    as it was.  Loading the same source twice changes nothing.  With NEO4J_URI
    set, the whole graph goes to Neo4j too.
    """
    from reelgraph.workflows import load as load_sources

    options = _dataset_options(title_types, include_adult, years, min_votes, categories, include_self)
    with _load_notes() as notes:
        result = load_sources(sources, store=store_dir, neo4j=neo4j_settings(neo4j_uri, neo4j_user, neo4j_password),
                              bulk=bulk, on_error=on_error, progress=not quiet, wait=not no_wait, **options)
    incomplete = _incomplete_pages(notes["incomplete"], result.store)
    if as_json:
        echo_json({**result.to_dict(), "refused": [n.to_dict() for n in notes["copies"] if n.kept_out],
                   "replaced_poorer": [n.to_dict() for n in notes["copies"] if not n.kept_out],
                   "incomplete": incomplete})
        return
    for path, message in result.skipped:
        click.echo(f"reelgraph: skipped {path}: {message}", err=True)
    for note in notes["copies"]:
        click.echo(f"reelgraph: {note}", err=True)
    for report in result.datasets:
        click.echo(report.summary(), err=True)
    click.echo(f"loaded {plural(len(sources), 'source')} into {result.store}")
    for name in result.after:
        change = result.changes[name]
        click.echo(f"  {name:8} {result.before[name]:>9,} -> {result.after[name]:>9,}   "
                   f"({change['added']:,} added, {change['updated']:,} updated, {change['removed']:,} removed)")
    for page in incomplete:
        click.echo(_incomplete_line(page))
    if result.neo4j:
        click.echo(f"  neo4j ({result.neo4j['loader']}): " + counts_text(result.neo4j))


@contextlib.contextmanager
def _load_notes():
    """Collect what a load says about pages: ``{"copies": [CopyNote, ...], "incomplete": [dict, ...]}``.

    The store logs a :class:`~reelgraph.loaders.CopyNote` (WARNING) for each
    poorer copy it kept out or let replace a richer one; the loaders log an
    INFO record for each page listing a credit category in part
    (:data:`~reelgraph.loaders.INCOMPLETE_PAGE`).  Other warnings pass on as
    before (one line on stderr).
    """
    from reelgraph.loaders import INCOMPLETE_PAGE, CopyNote

    notes = {"copies": [], "incomplete": []}

    class Collector(logging.Handler):
        def emit(self, record):
            note = record.args[0] if isinstance(record.args, tuple) and len(record.args) == 1 else None
            if isinstance(note, CopyNote):
                notes["copies"].append(note)
            elif hasattr(record, INCOMPLETE_PAGE):
                notes["incomplete"].append(getattr(record, INCOMPLETE_PAGE))
            elif record.levelno >= logging.WARNING:
                click.echo(record.getMessage(), err=True)  # what logging's last resort prints

    collector = Collector()
    loggers = [logging.getLogger(name) for name in ("reelgraph.store", "reelgraph.loaders")]
    levels = [each.level for each in loggers]
    for each in loggers:
        each.addHandler(collector)
    loggers[1].setLevel(logging.INFO)  # the incomplete pages are INFO records: quiet unless collected
    try:
        yield notes
    finally:
        for each, level in zip(loggers, levels):
            each.removeHandler(collector)
            each.setLevel(level)


def _incomplete_pages(pages: list[dict], store) -> list[dict]:
    """``load``'s report of incomplete pages: each page's note, plus ``still_incomplete``, the film's roles in the store.

    ``still_incomplete`` are the roles no stored page lists in full (a
    ``/fullcredits`` page loaded before or with a ``/reference`` page clears
    them); a page kept out as a poorer copy is reported all the same, as read.
    """
    if not pages:
        return []
    from reelgraph.store import LocalStore

    mirror = LocalStore(store).mirror()
    out = []
    for page in pages:
        try:
            row = mirror.index_of(page["film_id"]) - mirror.n_people
            still = list(mirror.table_rows("films", [row], ["incomplete_credits"])["incomplete_credits"].iloc[0])
        except (KeyError, TypeError):  # the film is not stored (its page kept out of an empty store)
            still = []
        out.append({**page, "still_incomplete": still})
    return out


def _incomplete_line(page: dict) -> str:
    """One line of ``load``'s text report about an incomplete page.

    Examples
    --------
    >>> print(_incomplete_line({"path": "ref.html", "film_id": "tt9400001", "title": "T", "page_kind": "reference",
    ...                         "roles": {"actor": [3, 5], "producer": [1, 4]}, "still_incomplete": ["producer"]}))
      incomplete: ref.html (reference page of tt9400001 T): actor 3 of 5, producer 1 of 4; still incomplete in the store: producer
    """
    roles = ", ".join(f"{role} {shown:,} of {total:,}" for role, (shown, total) in page["roles"].items())
    still = ", ".join(page["still_incomplete"]) or "nothing (other pages list them in full)"
    return (f"  incomplete: {page['path']} ({page['page_kind']} page of {page['film_id']} {page['title']}): {roles}; "
            f"still incomplete in the store: {still}")


@click.command()
@store_option
@json_option
@click.option("--top", default=5, show_default=True, help="How many best-connected people to list.")
def stats(store_dir, as_json, top):
    """What the store holds: films, stub films, people, credits per role, links."""
    from reelgraph.analysis.stats import graph_stats
    from reelgraph.store import LocalStore

    store = LocalStore(store_dir)
    mirror = store.mirror()
    result = graph_stats(mirror, top=top)
    if as_json:
        echo_json({"store": str(store.path), **result})
        return
    click.echo(f"store: {store.path}")
    for line in _summary_lines(result, _stub_notes(mirror, result["stub_films"])):
        click.echo(line)


@click.command()
@store_option
@output_option("Folder for the HTML views [default: 'views' beside the store].", "--views",
               dir_okay=True, file_okay=False)
@neo4j_options
@quiet_option
@json_option
def demo(store_dir, output, neo4j_uri, neo4j_user, neo4j_password, quiet, as_json):
    """The whole tour on the bundled sample: load, a path, Bacon numbers, clusters, views.

    The sample is a real IMDb page (Never Let Me Go, 2010) and 29 films around
    it. Needs no server; with NEO4J_URI set, the graph goes to Neo4j too.
    """
    from reelgraph.cli._options import print_path
    from reelgraph.workflows import demo as run_demo

    result = run_demo(store_dir, output, neo4j=neo4j_settings(neo4j_uri, neo4j_user, neo4j_password),
                      progress=not quiet)
    if as_json:
        echo_json(result.to_dict())
        return
    click.echo("reelgraph demo: the sample around 'Never Let Me Go' (2010)")
    from reelgraph.store import LocalStore

    stubs = _stub_notes(LocalStore(result.store).mirror(), result.stats["stub_films"])
    for line in _summary_lines(result.stats, stubs):
        click.echo(line)
    ends = result.path.path[0]["label"], result.path.path[-1]["label"]
    click.echo(f"co-star path:     {ends[0]} to {ends[1]}, the two people farthest apart in the sample")
    print_path(result.path)
    bacon = result.bacon
    click.echo(f"bacon numbers:    around {result.stats['best_connected'][0]['name']}: "
               + ", ".join(f"{n} at {d}" for d, n in enumerate(bacon.histogram)) + f", {bacon.unreachable} unreachable")
    clusters = result.clusters
    click.echo(f"clusters:         {len(clusters.clusters)}: " + "; ".join(clusters.clusters["name"]))
    views_dir = next(iter(result.views.values())).parent
    click.echo(f"views:            {views_dir}/ (" + ", ".join(p.name for p in result.views.values()) + ")")
    click.echo(f"graph stored in {result.store}" + (" and in Neo4j" if result.neo4j else ""))


@click.command()
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "csv", "parquet"]), required=True,
              help="graphml or gexf: one file for Gephi or Cytoscape; csv or parquet: a folder of the four tables.")
@output_option("File (graphml, gexf) or folder (csv, parquet) [default: reelgraph.FORMAT].", dir_okay=True)
@click.option("--around", metavar="NAME_OR_ID",
              help="Export only the neighbourhood of this film or person (read from the graph index, not the whole store).")
@click.option("--depth", default=1, show_default=True, type=click.IntRange(0, 6),
              help="With --around: steps out from it (credits and \"More like this\" links).")
@store_option
@json_option
def export(fmt, output, around, depth, store_dir, as_json):
    """Export the graph, or a neighbourhood of it, for Gephi or Cytoscape (graphml, gexf) or pandas (csv, parquet)."""
    from reelgraph.export import export_graph
    from reelgraph.store import LocalStore

    store = LocalStore(store_dir)
    if around is None:
        graph = store.read()
    else:
        from reelgraph.names import resolve_any

        mirror = store.mirror()
        graph = mirror.subgraph(mirror.neighbourhood([resolve_any(mirror, around)], depth))
    written = export_graph(graph, fmt, output or Path(f"reelgraph.{fmt}"))
    if as_json:
        echo_json({"format": fmt, "output": str(written)})
    else:
        click.echo(f"wrote {written}")


@click.command()
@output_option("Folder to download into.", "--dest", dir_okay=True, file_okay=False, default=Path("imdb-datasets"))
@click.option("--files", default=None, metavar="LIST",
              help="Comma-separated: basics,principals,names,ratings,crew,akas,episode or 'all' "
                   "[default: basics,principals,names,ratings,crew].")
@click.option("--base-url", envvar="REELGRAPH_IMDB_BASE_URL", default=None,
              help="Where the files are [env REELGRAPH_IMDB_BASE_URL; default https://datasets.imdbws.com/].")
@quiet_option
@json_option
def download(output, files, base_url, quiet, as_json):
    """Download IMDb's dataset files; unchanged files are skipped, broken transfers resumed."""
    from reelgraph.loaders.download import download_datasets

    report = download_datasets(output, files=files, base_url=base_url, progress=not quiet)
    if as_json:
        echo_json(report.to_dict())
        return
    click.echo(report.summary())
    click.echo(f"next: reelgraph load {output}")


@click.command()
@click.option("--titles", type=int, required=True, help="How many titles (title.principals gets about ten times as many rows).")
@output_option("Folder to write the seven files into.", "--out", dir_okay=True, file_okay=False)
@click.option("--seed", default=0, show_default=True, help="Same seed, same bytes.")
@click.option("--movie-share", type=float, default=None, help="Share of movies, 0-1 [default: IMDb's mix, about 5%].")
@quiet_option
@json_option
def synth(titles, output, seed, movie_share, quiet, as_json):
    """Write synthetic IMDb datasets (all seven files, gzip, IMDb's exact format) for tests and benchmarks."""
    from reelgraph.loaders.synth import write_synthetic_datasets

    if output is None:
        raise click.UsageError("give the folder to write: -o/--output DIR")
    summary = write_synthetic_datasets(output, titles=titles, seed=seed, movie_share=movie_share, progress=not quiet)
    if as_json:
        echo_json(dataclasses.asdict(summary))
        return
    click.echo(f"wrote {summary.titles:,} titles ({summary.movies:,} movies), {summary.principals:,} principals, "
               f"{summary.people:,} people to {output} in {summary.seconds:.1f} s")
