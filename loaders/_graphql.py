"""Small readers of the JSON values in IMDb's saved pages (GraphQL objects in ``__NEXT_DATA__``).

Every reader tries what it is given and never fails on a missing key or an
unexpected type: IMDb's page state changes shape every year or so, and a
missing value must leave a field empty, not stop the page being read.
"""

from __future__ import annotations

import html
import json
import math
import re

__all__ = ["empty", "get", "pick", "text", "nodes", "texts", "to_int", "to_float", "parse_json"]

_TAG = re.compile(r"<[^>]+>")


def empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def get(obj, dotted: str):
    """Follow ``a.b.0.c`` through dicts and lists; None when any step is missing."""
    for key in dotted.split("."):
        if isinstance(obj, dict):
            obj = obj.get(key)
        elif isinstance(obj, list) and key.isdigit() and int(key) < len(obj):
            obj = obj[int(key)]
        else:
            return None
    return obj


def pick(objects, *paths):
    """The first non-empty value of ``paths`` (in order) in ``objects`` (in order)."""
    for dotted in paths:
        for obj in objects:
            value = get(obj, dotted)
            if not empty(value):
                return value
    return None


def text(value) -> str | None:
    """Plain text of a string or of IMDb's text objects (``{"text"}``, ``{"plainText"}``, ...)."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, dict):
        for key in ("text", "plainText", "value", "originalText", "name", "plaidHtml", "markdown"):
            if key in value:
                found = text(value[key])
                if found:
                    if key in ("plaidHtml", "markdown"):
                        found = html.unescape(_TAG.sub("", found)).strip() or None
                    return found
    return None


def nodes(value) -> list:
    """Items of a list or of a GraphQL connection (``edges[].node``, ``items``)."""
    if isinstance(value, dict):
        for key in ("edges", "items", "nodes"):
            if isinstance(value.get(key), list):
                return nodes(value[key])
        return []
    if not isinstance(value, list):
        return []
    out = []
    for item in value:
        if isinstance(item, dict) and isinstance(item.get("node"), dict):
            out.append(item["node"])
        elif item is not None:
            out.append(item)
    return out


def texts(value, *keys) -> list[str]:
    """Unique texts of the items of a list or connection (optionally under ``keys``)."""
    out = []
    for item in nodes(value):
        for key in keys:
            item = item.get(key) if isinstance(item, dict) else None
        found = text(item)
        if found and found not in out:
            out.append(found)
    return out


def to_int(value):
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None  # inf or NaN: no count
    if isinstance(value, (int, float)):
        return int(round(value))
    if isinstance(value, str):
        digits = re.sub(r"[,\s]", "", value)
        return int(digits) if re.fullmatch(r"\d+", digits) else None
    return None


def to_float(value):
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def parse_json(raw):
    """``raw`` parsed when it is a JSON string, else ``raw``."""
    if isinstance(raw, str) and raw.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):  # not JSON, or nested too deeply to be IMDb's
            return None
    return raw
