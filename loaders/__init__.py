"""Loaders: every source format becomes the canonical tables of :mod:`graph.model`.

One module per format:

* :mod:`loaders.imdb_text`: an IMDb title page as copied from a browser (``.txt``);
* :mod:`loaders.imdb_html`: a saved IMDb title page (``.html``);
* :mod:`loaders.imdb_tsv`: a folder of IMDb's TSV datasets (``.tsv`` or ``.tsv.gz``);
* :mod:`loaders.tables`: a folder of canonical CSV tables (the bundled sample);
* :mod:`loaders.synth`: writes synthetic datasets in IMDb's format (for tests and benchmarks).

:func:`read_source` detects the format of one path; :func:`read_sources` reads
several and merges them.  Both read everything before anything is written, so
bad input never leaves a half-loaded graph.
"""

from __future__ import annotations

from pathlib import Path

from graph.errors import InputError
from graph.model import FilmGraph, merge_graphs
from loaders._text import sniff

__all__ = ["detect_format", "read_source", "read_sources", "PAGE_SUFFIXES"]

#: File endings read as saved title pages inside a folder.
PAGE_SUFFIXES = (".txt", ".html", ".htm")


def detect_format(path) -> str:
    """Name the format of ``path``: ``imdb-datasets``, ``tables``, ``pages``, ``imdb-text`` or ``imdb-html``."""
    from loaders import tables
    from loaders.imdb_text import looks_like_imdb_text

    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file or folder")
    if path.is_dir():
        if tables.is_tables_folder(path):
            return "tables"
        from loaders import imdb_tsv

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
    from loaders import imdb_html

    if suffix in (".html", ".htm") or imdb_html.looks_like_imdb_html(head):
        return "imdb-html"
    if suffix == ".txt" or looks_like_imdb_text(head):
        return "imdb-text"
    if not head.strip():
        raise InputError(path, "empty file")
    raise InputError(path, "unknown format: expected a saved IMDb page (.txt, .html) or a folder")


def read_source(path, **dataset_options) -> FilmGraph:
    """Read one source (file or folder) of any supported format.

    ``dataset_options`` go to :func:`loaders.imdb_tsv.read_imdb_datasets`
    (filters, ``on_error``, ``progress``) when ``path`` is a datasets folder.
    """
    path = Path(path)
    kind = detect_format(path)
    if kind == "imdb-datasets":
        from loaders.imdb_tsv import read_imdb_datasets

        return read_imdb_datasets(path, **dataset_options)
    if kind == "tables":
        from loaders.tables import read_tables

        return read_tables(path)
    if kind == "imdb-html":
        from loaders.imdb_html import read_imdb_html

        return read_imdb_html(path)
    if kind == "imdb-text":
        from loaders.imdb_text import read_imdb_text

        return read_imdb_text(path)
    pages = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES)
    return merge_graphs(*(read_source(p) for p in pages))


def read_sources(paths, **dataset_options) -> FilmGraph:
    """Read every source in ``paths`` and merge them into one graph.

    Examples
    --------
    >>> from loaders.sample import SAMPLE_SOURCES
    >>> films = read_sources(SAMPLE_SOURCES).films.set_index("id")
    >>> float(films.loc["tt1334260", "rating"]), int(films.loc["tt1229822", "year"])
    (7.1, 2011)
    """
    graphs = [read_source(p, **dataset_options) for p in paths]
    merged = merge_graphs(*graphs)
    # What the datasets loader reports (rows read, skipped, dangling people) outlives the merge.
    merged.reports = [g.report for g in graphs if getattr(g, "report", None) is not None]
    return merged
