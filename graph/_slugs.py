"""Which of many texts have one of a few slugs, in one compiled pass over their bytes.

A page added to a store of the whole IMDb names people and films without
IMDb ids (derived keys, ``name:carey-mulligan``): merging resolves each to the
IMDb id whose name has the same slug (:func:`~reelgraph.model.slugify`), so
each of a source's 17M names needs its slug (once: the store keeps the hashes,
:mod:`reelgraph._label_keys`).  Calling ``slugify`` on each would take
minutes; this module computes each text's slug as a 64-bit hash (FNV-1a) in
a numba loop over the Arrow strings' bytes, about 0.3 s for 17M names; the
few texts whose hash is wanted are then checked with ``slugify`` itself.

``slugify`` is NFKD, then every character beyond ASCII dropped, then
lower case, then each run of other characters than ``a-z0-9`` one ``-``,
stripped at both ends.  NFKD decomposes character by character (it only
reorders combining marks among themselves, and these are dropped), so a
text's slug is made from what each of its characters decomposes to: a table
of the ASCII each code point of the Basic Multilingual Plane gives (``é``
gives ``e``, ``ﬁ`` gives ``fi``, ``ø`` nothing), built once from
:mod:`unicodedata`.  Texts with a character beyond that plane cannot be
told by the table: they are checked with ``slugify`` too.

Examples
--------
>>> texts = pa.chunked_array([["Zoë Kravitz", "zoe-KRAVITZ!", "Zoe Kravitz Jr", None, "𝐙oe Kravitz"]])
>>> slug_matches(texts, {"zoe-kravitz"}).tolist()
[True, True, False, False, True]
"""

import functools
import unicodedata

import numpy as np
import pyarrow as pa
from numba import njit

from reelgraph._arrow_text import string_chunks
from reelgraph.model import slugify

__all__ = ["slug_matches", "slug_hash", "slug_hashes", "hashes_wanted"]

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
#: The code points the table covers (the Basic Multilingual Plane); a text with others is undecided.
_TABLE_SIZE = 0x10000


def slug_hash(slug: str) -> int:
    """The 64-bit FNV-1a hash of a slug's bytes, as :func:`_hashed_matches` computes it for each text."""
    value = int(_FNV_OFFSET)
    for byte in slug.encode("ascii"):
        value = ((value ^ byte) * int(_FNV_PRIME)) & 0xFFFFFFFFFFFFFFFF
    return value


@functools.lru_cache(maxsize=1)
def _folding_table() -> tuple[np.ndarray, np.ndarray]:
    """Each code point's ASCII under NFKD, lower-cased: offsets (``_TABLE_SIZE + 1``) into the bytes."""
    parts = [unicodedata.normalize("NFKD", chr(point)).encode("ascii", "ignore").lower()
             if not 0xD800 <= point < 0xE000 else b"" for point in range(_TABLE_SIZE)]  # (surrogates: no text)
    offsets = np.zeros(_TABLE_SIZE + 1, dtype=np.int32)
    np.cumsum([len(part) for part in parts], out=offsets[1:])
    return offsets, np.frombuffer(b"".join(parts), dtype=np.uint8).copy()


def slug_matches(texts: pa.ChunkedArray, slugs: set) -> np.ndarray:
    """Which ``texts`` :func:`~reelgraph.model.slugify` makes one of ``slugs``, without slugifying them all in Python.

    The few texts whose slug's hash is wanted, and those the compiled pass
    cannot tell (:func:`_hashed_matches`), are checked with slugify
    itself: a null is never wanted.
    """
    out = np.zeros(len(texts), dtype=bool)
    if not slugs or not len(texts):
        return out
    wanted, undecided = _hashed_matches(texts, slugs)
    check = np.flatnonzero(wanted | undecided)
    out[check] = [slugify(text) in slugs for text in texts.take(pa.array(check)).to_pylist()]
    return out


def _hashed_matches(texts: pa.ChunkedArray, slugs: set) -> tuple[np.ndarray, np.ndarray]:
    """Which ``texts`` have one of ``slugs`` by their slug's hash, and which could not be told (see the module).

    Returns two masks over ``texts``: ``wanted`` (a null is never wanted),
    the texts whose slug's hash is a wanted slug's (a false match is one in
    2**64), and ``undecided`` (a character beyond the Basic Multilingual Plane).
    """
    hashes, undecided, valid = slug_hashes(texts)
    return hashes_wanted(hashes, slugs) & valid & ~undecided, undecided & valid


def slug_hashes(texts: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each text's slug as its 64-bit hash (:func:`slug_hash` of its :func:`~reelgraph.model.slugify`).

    Returns three arrays over ``texts``: the hashes (``uint64``),
    ``undecided`` (a character beyond the Basic Multilingual Plane: the hash
    means nothing, ask slugify) and ``valid`` (not null).
    """
    table_offsets, table_bytes = _folding_table()
    hashes = np.zeros(len(texts), dtype=np.uint64)
    undecided = np.zeros(len(texts), dtype=bool)
    valid = np.ones(len(texts), dtype=bool)
    for start, offsets, data, chunk_valid in string_chunks(texts):
        rows = slice(start, start + len(offsets) - 1)
        _hash_slugs(offsets, data, table_offsets, table_bytes, hashes[rows], undecided[rows])
        if chunk_valid is not None:
            valid[rows] = chunk_valid
    return hashes, undecided, valid


def hashes_wanted(hashes: np.ndarray, slugs: set) -> np.ndarray:
    """Which of the slug ``hashes`` (:func:`slug_hashes`) are the hash of one of ``slugs``."""
    wanted = np.zeros(len(hashes), dtype=bool)
    if slugs:
        _in_sorted(hashes, np.unique(np.array([slug_hash(slug) for slug in slugs], dtype=np.uint64)), wanted)
    return wanted


@njit(cache=True, nogil=True)
def _in_sorted(values, sorted_values, out):
    """``out[i]``: whether ``values[i]`` is in ``sorted_values`` (a binary search each: few values are wanted)."""
    for i in range(len(values)):
        j = np.searchsorted(sorted_values, values[i])
        out[i] = j < len(sorted_values) and sorted_values[j] == values[i]


@njit(cache=True, nogil=True, inline="always")
def _hash_char(char, value, started, separated):
    """Feed one ASCII character of a folded text to its slug's hash: ``(value, started, separated)`` after it.

    ``started``: a letter or digit came; ``separated``: other characters
    came since the last one, so the next letter or digit brings a ``-``
    first (none at the start, none at the end).
    """
    if 65 <= char <= 90:  # A-Z: lower case
        char += 32
    if not (97 <= char <= 122 or 48 <= char <= 57):  # not a-z, 0-9
        return value, started, True
    if separated and started:
        value = (value ^ np.uint64(45)) * _FNV_PRIME  # "-"
    return (value ^ np.uint64(char)) * _FNV_PRIME, True, False


@njit(cache=True, nogil=True)
def _hash_slugs(offsets, data, table_offsets, table_bytes, hashes, undecided):
    """``hashes[i]``: string ``i``'s slug's hash; ``undecided[i]`` when a character is beyond the table."""
    for i in range(len(hashes)):
        value, started, separated = _FNV_OFFSET, False, False
        at, end = offsets[i], offsets[i + 1]
        while at < end:  # a code point of UTF-8 at a time
            byte = np.int64(data[at])
            if byte < 0x80:
                value, started, separated = _hash_char(byte, value, started, separated)
                at += 1
                continue
            if byte < 0xE0:
                point, at = ((byte & 0x1F) << 6) | (np.int64(data[at + 1]) & 0x3F), at + 2
            elif byte < 0xF0:
                point = ((byte & 0x0F) << 12) | ((np.int64(data[at + 1]) & 0x3F) << 6) | (np.int64(data[at + 2]) & 0x3F)
                at += 3
            else:  # four bytes: beyond the table
                undecided[i] = True
                break
            for k in range(table_offsets[point], table_offsets[point + 1]):
                value, started, separated = _hash_char(np.int64(table_bytes[k]), value, started, separated)
        hashes[i] = value
