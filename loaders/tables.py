"""Canonical tables as CSV: a folder with ``films.csv``, ``people.csv``, ``credits.csv``, ``similar.csv``.

This is the simplest way to hand reelgraph data compiled by hand (the bundled
sample is one) and what ``reelgraph export --format csv`` writes.  Columns are
those of :mod:`reelgraph.model`; any may be left out.  List cells (genres,
characters, ...) hold their items joined by ``|``.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd

from reelgraph.errors import InputError
from reelgraph.loaders._text import check_regular_file
from reelgraph.model import INT_LIST_COLUMNS, LIST_COLUMNS, TABLE_COLUMNS, FilmGraph, first_bad_row

__all__ = ["LIST_SEPARATOR", "is_tables_folder", "read_tables", "write_tables"]

LIST_SEPARATOR = "|"

_REQUIRED = {"films": {"id"}, "people": {"id", "name"}, "credits": {"person_id", "film_id", "role"}, "similar": {"film_id", "similar_id"}}


def is_tables_folder(path) -> bool:
    """True when ``path`` is a folder holding at least ``films.csv``."""
    path = Path(path)
    return path.is_dir() and (path / "films.csv").is_file()


def _read_one(path: Path, table: str) -> pd.DataFrame:
    check_regular_file(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start})") from None
    except pd.errors.EmptyDataError:
        raise InputError(path, "empty file, expected a CSV header") from None
    except pd.errors.ParserError as exc:
        raise InputError(path, f"malformed CSV: {exc}".splitlines()[0]) from None
    missing = _REQUIRED[table] - set(df.columns)
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(sorted(missing))}")
    df = df.astype(object).where(df != "", None)
    for column in LIST_COLUMNS[table]:
        if column in df.columns:
            df[column] = [[item.strip() for item in v.split(LIST_SEPARATOR) if item.strip()] if isinstance(v, str) else [] for v in df[column]]
    for column in INT_LIST_COLUMNS[table]:
        if column in df.columns:
            df[column] = [_whole_numbers(path, column, cells, line) for line, cells in enumerate(df[column], start=2)]
    for column in ("star", "stub", "is_adult"):
        if column in df.columns:
            df[column] = df[column].map(lambda v: None if pd.isna(v) else v.strip().lower() in ("1", "true", "yes"))
    blank_ids = df[sorted(_REQUIRED[table] & {"id", "person_id", "film_id", "similar_id"})].isna().any(axis=1)
    if blank_ids.any():
        line = int(blank_ids.idxmax()) + 2  # header is line 1
        raise InputError(path, "empty id", line=line)
    # Lines below count one a row: the header is line 1 (a quoted cell across lines would shift them).
    bad = first_bad_row(table, df)
    if bad is not None:
        raise InputError(path, bad[1], line=bad[0] + 2)
    if "id" in df.columns and df["id"].duplicated().any():
        row = int(df["id"].duplicated().to_numpy().argmax())
        raise InputError(path, f"duplicate id {df['id'].iloc[row]!r}: each {table} row's id must be unique", line=row + 2)
    return df


def _whole_numbers(path: Path, column: str, items: list, line: int) -> list[int]:
    """The items of a cell of an int list column as ints; an item that is not a whole number >= 0 is an error."""
    for item in items:
        if not (item.isascii() and item.isdigit()):
            raise InputError(path, f"{column}: {item!r} is not a whole number", line=line)
    return [int(item) for item in items]


def read_tables(folder) -> FilmGraph:
    """Read a folder of canonical CSV tables into a :class:`~reelgraph.model.FilmGraph`.

    Only ``films.csv`` is required; every film row must have an ``id``.

    Examples
    --------
    >>> from reelgraph.loaders.sample import SAMPLE_DIR
    >>> read_tables(SAMPLE_DIR / "tables").counts()["films"] > 10
    True
    """
    folder = Path(folder)
    if not is_tables_folder(folder):
        raise InputError(folder, "not a folder of canonical tables (no films.csv)")
    frames = {}
    for table in FilmGraph.TABLES:
        path = folder / f"{table}.csv"
        frames[table] = _read_one(path, table) if os.path.lexists(path) else None
    graph = FilmGraph(**frames)
    if graph.films["source"].isna().any():
        graph.films["source"] = graph.films["source"].fillna(f"tables:{folder.name}")
    return graph


def write_tables(graph: FilmGraph, folder) -> Path:
    """Write ``graph`` as canonical CSV tables into ``folder`` (created if needed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for table, df in graph.tables().items():
        out = df.copy()
        for column in LIST_COLUMNS[table]:
            out[column] = [LIST_SEPARATOR.join(map(str, v)) for v in out[column]]
        columns = [c for c in out.columns if c in TABLE_COLUMNS[table] or not c.startswith("_")]
        out[columns].to_csv(folder / f"{table}.csv", index=False, quoting=csv.QUOTE_MINIMAL)
    return folder
