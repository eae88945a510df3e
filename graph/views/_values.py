"""Plain text, numbers and IMDb links out of whatever the graph's attributes hold.

Private helper of :mod:`reelgraph.views`.  The mirror's attributes come from
Parquet, pandas and NumPy: a missing value may be ``None``, ``NaN``,
``pd.NA`` or ``NaT``, a number a NumPy scalar, a list a string.  The views
read every attribute through these functions, so what reaches the page is
always a finite number, a non-blank string, a list of them, or nothing.

Examples
--------
>>> import numpy as np
>>> as_number(np.int64(1999)), as_number(float("nan")), as_number("7.5")
(1999, None, 7.5)
>>> as_texts(["actor", None, "actor", "writer"])
['actor', 'writer']
>>> film_label_of("tt0000001", {"label": "Never Let Me Go", "year": 2010.0})
'Never Let Me Go (2010)'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

__all__ = [
    "imdb_url",
    "is_missing",
    "as_number",
    "as_text",
    "as_texts",
    "shorten",
    "vis_id",
    "label_of",
    "film_label_of",
    "cluster_key",
    "cluster_names_of",
    "sort_key",
    "plural",
]

_IMDB_TITLE = re.compile(r"tt\d{7,}")
_IMDB_NAME = re.compile(r"nm\d{7,}")


def imdb_url(node_id) -> str | None:
    """The IMDb page of a real IMDb id; ``None`` for a derived id.

    Examples
    --------
    >>> imdb_url("tt1334260")
    'https://www.imdb.com/title/tt1334260/'
    >>> imdb_url("nm1659547")
    'https://www.imdb.com/name/nm1659547/'
    >>> imdb_url("title:never-let-me-go:2010") is None, imdb_url("tt1334260/../x") is None
    (True, True)
    """
    if not isinstance(node_id, str):
        return None
    if _IMDB_TITLE.fullmatch(node_id):
        return f"https://www.imdb.com/title/{node_id}/"
    if _IMDB_NAME.fullmatch(node_id):
        return f"https://www.imdb.com/name/{node_id}/"
    return None


def is_missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        import pandas as pd

        return value is pd.NA or value is pd.NaT
    except ImportError:  # pragma: no cover
        return False


def as_number(value):
    """A finite int or float, or None."""
    if is_missing(value) or isinstance(value, bool):
        return None
    try:
        if hasattr(value, "item") and not isinstance(value, (list, tuple, dict, str)):
            value = value.item()
    except (TypeError, ValueError):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() else value


def as_text(value) -> str | None:
    if is_missing(value):
        return None
    text = value if isinstance(value, str) else str(value)
    return text if text.strip() else None


def as_texts(value) -> list[str]:
    if is_missing(value):
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, Mapping):
        return [t for t in (as_text(v) for v in value.values()) if t]
    if isinstance(value, Iterable):
        out = []
        for item in value:
            t = as_text(item)
            if t and t not in out:
                out.append(t)
        return out
    t = as_text(value)
    return [t] if t else []


def shorten(text: str, limit: int = 42) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def vis_id(node):
    """Node id as vis-network and pyvis take it: a str or an int."""
    if isinstance(node, bool):
        return str(node)
    if isinstance(node, (str, int)):
        return node
    item = getattr(node, "item", None)
    if callable(item):
        try:
            value = item()
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                return value
        except (TypeError, ValueError):
            pass
    return str(node)


def label_of(node, attrs) -> str:
    for key in ("label", "title", "name"):
        text = as_text(attrs.get(key))
        if text:
            return text
    return str(node)


def film_label_of(node, attrs) -> str:
    label = label_of(node, attrs)
    year = as_number(attrs.get("year"))
    return f"{label} ({int(year)})" if year is not None else label


def cluster_key(value):
    if is_missing(value) or isinstance(value, bool):
        return None
    number = as_number(value)
    if number is not None and not isinstance(value, str):
        return number
    return as_text(value)


def cluster_names_of(names) -> dict:
    """``{cluster id: name}`` from the names ``reelgraph clusters`` prints, in any shape they come in.

    ``names`` is None, a mapping ``{cluster id: name}``, a table with
    ``cluster`` and ``name`` columns (``ClusterResult.clusters``), or a
    :class:`~reelgraph.analysis.clusters.ClusterResult` itself.  Ids are read
    as :func:`cluster_key` reads the films' ``cluster`` attribute, so
    ``numpy.int64(2)`` and ``2`` name the same cluster.

    Examples
    --------
    >>> cluster_names_of({2: "Sci-Fi / Thriller (around Never Let Me Go, 2010)", None: "x"})
    {2: 'Sci-Fi / Thriller (around Never Let Me Go, 2010)'}
    >>> import pandas as pd
    >>> cluster_names_of(pd.DataFrame({"cluster": [0, 1], "name": ["Drama", "Comedy"]}))
    {0: 'Drama', 1: 'Comedy'}
    """
    if names is None:
        return {}
    table = getattr(names, "clusters", None)
    if table is not None and hasattr(table, "columns"):
        names = table  # a ClusterResult
    if hasattr(names, "columns"):
        if "cluster" not in names.columns or "name" not in names.columns:
            raise ValueError("cluster names as a table need 'cluster' and 'name' columns")
        names = dict(zip(names["cluster"], names["name"]))
    if not isinstance(names, Mapping):
        raise TypeError(f"cluster_names must be a mapping, a table with 'cluster' and 'name' columns or a ClusterResult, not {type(names).__name__}")
    out = {}
    for cluster, name in names.items():
        key, text = cluster_key(cluster), as_text(name)
        if key is not None and text:
            out[key] = text
    return out


def sort_key(value):
    return (0, value, "") if isinstance(value, (int, float)) and not isinstance(value, bool) else (1, 0, str(value))


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"
