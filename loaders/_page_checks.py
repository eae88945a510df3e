"""Checks every saved-page reader shares: plausible values (:func:`page_graph`), no deep nesting (:func:`deep_nesting_refused`)."""

from __future__ import annotations

import contextlib

import pandas as pd

from reelgraph.errors import InputError
from reelgraph.model import FilmGraph, first_bad_row

__all__ = ["page_graph", "deep_nesting_refused"]

#: The column that names a row of each table in a message.
_NAMED_BY = {"films": "id", "people": "id", "credits": "person_id", "similar": "similar_id"}


def page_graph(path, films=(), people=(), credits=(), similar=()) -> FilmGraph:
    """The :class:`~reelgraph.model.FilmGraph` of a page's rows (lists of dicts), or an error naming the bad value.

    Every row is checked with :func:`~reelgraph.model.first_bad_row` (years,
    ratings, votes, runtimes, ... in range; titles and names not absurdly
    long) before it becomes a table, so an absurd number never reaches one
    (nor breaks its integer columns).

    Raises
    ------
    InputError
        Naming ``path``, the row (its film or person id) and the value.

    Examples
    --------
    >>> page_graph("a.html", films=[{"id": "tt0000001", "title": "A", "runtime_minutes": -90}])
    Traceback (most recent call last):
    reelgraph.errors.InputError: a.html: films row tt0000001: runtime_minutes -90 out of range (0 to 1000000)
    """
    frames = {}
    for table, rows in (("films", films), ("people", people), ("credits", credits), ("similar", similar)):
        frame = pd.DataFrame.from_records(list(rows)) if rows else None
        bad = first_bad_row(table, frame) if frame is not None else None
        if bad is not None:
            row, problem = bad
            name = str(frame[_NAMED_BY[table]].iloc[row]) if _NAMED_BY[table] in frame.columns else str(row + 1)
            raise InputError(path, f"{table} row {name[:60]}{'...' if len(name) > 60 else ''}: {problem}")
        frames[table] = frame
    return FilmGraph(**frames)


@contextlib.contextmanager
def deep_nesting_refused(path):
    """Turn a :class:`RecursionError` met while reading ``path`` (JSON or HTML nested thousands deep) into an :class:`InputError`.

    Examples
    --------
    >>> import json
    >>> with deep_nesting_refused("a.html"):
    ...     json.loads("[" * 100_000 + "]" * 100_000)
    Traceback (most recent call last):
    reelgraph.errors.InputError: a.html: nested too deeply to read (JSON or HTML thousands of levels deep)
    """
    try:
        yield
    except RecursionError:
        raise InputError(path, "nested too deeply to read (JSON or HTML thousands of levels deep)") from None
