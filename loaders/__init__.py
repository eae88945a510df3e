"""Loaders: every source format becomes the canonical tables of :mod:`reelgraph.model`.

One module per format:

* :mod:`reelgraph.loaders.imdb_text`: an IMDb title page as copied from a browser (``.txt``);
* :mod:`reelgraph.loaders.imdb_html`: a saved IMDb title page (``.html``);
* :mod:`reelgraph.loaders.imdb_tsv`: a folder of IMDb's TSV datasets (``.tsv`` or ``.tsv.gz``);
* :mod:`reelgraph.loaders.tables`: a folder of canonical CSV tables (the bundled sample);
* :mod:`reelgraph.loaders.synth`: writes synthetic datasets in IMDb's format (for tests and benchmarks).

:func:`read_source` detects the format of one path; :func:`read_sources` reads
several and merges them; :func:`read_partitions` keeps each source apart,
under the key that says which later source replaces it (:func:`source_key`).
All of them read everything before anything is written, so bad input never
leaves a half-loaded graph.
"""

from __future__ import annotations

from pathlib import Path

from reelgraph.errors import InputError
from reelgraph.model import FilmGraph, merge_graphs
from reelgraph.loaders._text import sniff

__all__ = ["detect_format", "read_source", "read_sources", "read_partitions", "source_key", "PAGE_SUFFIXES"]

#: File endings read as saved title pages inside a folder.
PAGE_SUFFIXES = (".txt", ".html", ".htm")


def detect_format(path) -> str:
    """Name the format of ``path``: ``imdb-datasets``, ``tables``, ``pages``, ``imdb-text`` or ``imdb-html``."""
    from reelgraph.loaders import tables

    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file or folder")
    if path.is_dir():
        if tables.is_tables_folder(path):
            return "tables"
        from reelgraph.loaders import imdb_tsv

        if imdb_tsv.is_imdb_datasets_folder(path):
            return "imdb-datasets"
        if any(p.suffix.lower() in PAGE_SUFFIXES for p in path.iterdir() if p.is_file()):
            return "pages"
        raise InputError(path, "folder holds no IMDb datasets, canonical tables (films.csv) or saved pages")
    try:
        head = sniff(path)
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror}") from None
    suffix = path.suffix.lower()
    from reelgraph.loaders import imdb_html
    from reelgraph.loaders.imdb_text import looks_like_imdb_text  # imports wordninja's dictionary (50 ms): files only

    if suffix in (".html", ".htm") or imdb_html.looks_like_imdb_html(head):
        return "imdb-html"
    if suffix == ".txt" or looks_like_imdb_text(head):
        return "imdb-text"
    if not head.strip():
        raise InputError(path, "empty file")
    raise InputError(path, "unknown format: expected a saved IMDb page (.txt, .html) or a folder")


def read_source(path, **dataset_options) -> FilmGraph:
    """Read one source (file or folder) of any supported format.

    ``dataset_options`` go to :func:`reelgraph.loaders.imdb_tsv.read_imdb_datasets`
    (filters, ``on_error``, ``progress``) when ``path`` is a datasets folder.
    """
    path = Path(path)
    kind = detect_format(path)
    if kind == "imdb-datasets":
        from reelgraph.loaders.imdb_tsv import read_imdb_datasets

        return read_imdb_datasets(path, **dataset_options)
    if kind == "tables":
        from reelgraph.loaders.tables import read_tables

        return read_tables(path)
    if kind == "imdb-html":
        from reelgraph.loaders.imdb_html import read_imdb_html

        return read_imdb_html(path)
    if kind == "imdb-text":
        from reelgraph.loaders.imdb_text import read_imdb_text

        return read_imdb_text(path)
    pages = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES)
    return merge_graphs(*(read_source(p) for p in pages))


def read_sources(paths, **dataset_options) -> FilmGraph:
    """Read every source in ``paths`` and merge them into one graph.

    Examples
    --------
    >>> from reelgraph.loaders.sample import SAMPLE_SOURCES
    >>> films = read_sources(SAMPLE_SOURCES).films.set_index("id")
    >>> float(films.loc["tt1334260", "rating"]), int(films.loc["tt1229822", "year"])
    (7.1, 2011)
    """
    graphs = [read_source(p, **dataset_options) for p in paths]
    merged = merge_graphs(*graphs)
    # What the datasets loader reports (rows read, skipped, dangling people) outlives the merge.
    merged.reports = [g.report for g in graphs if getattr(g, "report", None) is not None]
    return merged


def source_key(kind: str, path, graph: FilmGraph) -> str:
    """The key under which the store keeps a source; a later source with the same key replaces it.

    IMDb's datasets are one source wherever a copy lives (a newer copy
    replaces the older); a saved page is its film's page (a newer save of
    the same film replaces the older); a folder of tables is itself.
    """
    if kind == "imdb-datasets":
        return "imdb-datasets"
    if kind in ("imdb-text", "imdb-html"):
        films = graph.films[~graph.films["stub"].fillna(False).astype(bool)]
        return f"page:{films['id'].iloc[0]}" if len(films) else f"page:{Path(path).resolve()}"
    return f"{kind}:{Path(path).resolve()}"


def read_partitions(paths, **dataset_options) -> tuple[dict[str, FilmGraph], dict[str, list[str]]]:
    """Read every source in ``paths``, each kept apart under its :func:`source_key`.

    Returns the graphs by key and the paths each key was read from; a folder
    of pages gives one key a page.  ``graph.reports`` of the datasets loader
    is kept on its graph.
    """
    parts: dict[str, FilmGraph] = {}
    sources: dict[str, list[str]] = {}
    for path in map(Path, paths):
        kind = detect_format(path)
        files = (sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES)
                 if kind == "pages" else [path])
        for file in files:
            file_kind = detect_format(file) if kind == "pages" else kind
            graph = read_source(file, **dataset_options)
            key = source_key(file_kind, file, graph)
            parts[key] = merge_graphs(parts[key], graph) if key in parts else graph
            if getattr(graph, "report", None) is not None:
                parts[key].report = graph.report
            sources.setdefault(key, []).append(str(file.resolve()))
    return parts, sources
