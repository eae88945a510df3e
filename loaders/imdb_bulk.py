"""IMDb's whole datasets, out of core: the canonical tables written straight to Parquet, never held whole.

:func:`write_imdb_tables` reads the folder :func:`~reelgraph.loaders.imdb_tsv.read_imdb_datasets`
reads, with the same options and every rule of that module's docstring
(roles, crew credits, dangling people, filters, characters, errors,
``on_error="skip"``), and writes the tables ``films``, ``people``,
``credits`` and ``similar`` (empty) to a folder, each as chunk files of a
row group (``credits/000000.parquet``, ...: :mod:`reelgraph._parquet_table`,
the form a store rewrites only where a later load changes it).  Read back
with the store's reader they give the graph ``read_imdb_datasets`` returns,
row for row and in the same order, in the Parquet schema the store writes
for it; but memory holds a few blocks of rows and some id sets, not the
tables: at the whole IMDb's size (12M titles, 120M principal rows, 20M
names: a synthetic folder) 103 s and 3.35 GB peak on 2 cores, DuckDB's
``memory_limit`` of 3GB included, instead of about 45 GB
(benchmarks/bench_bulk_tsv.py).

How
---
The files are parsed by ``imdb_tsv``'s own block parser (so every check,
message and line number is the same), and each block's kept rows become
canonical Arrow columns in the parse threads and go to a Parquet writer:

1. ``title.ratings`` whole (about 1.5M rows at IMDb's size), so that films
   get their ratings as they are written;
2. ``title.basics`` -> ``films``; the kept title numbers stay, as a bitmap;
3. ``title.principals`` -> ``credits``; meanwhile ``title.crew`` (in
   a thread of its own, as ``imdb_tsv`` reads it) -> a scratch Parquet file
   of one row per listed person.  What stays: how many credits name each
   person (an array indexed by the nm number) and, in a scratch file, the
   principals' director and writer keys;
4. the crew credits the principals lack (first listing only): a DuckDB
   ``GROUP BY`` and anti-join of the two scratch files, under
   ``memory_limit`` (it spills to ``temp_directory``), then appended to
   ``credits`` in file order;
5. ``name.basics`` -> ``people``, the people the credits name, then
   an id-only row for each dangling person (sorted by id, as ``imdb_tsv`` does).

Why not validate in SQL: DuckDB's CSV reader would be faster on its own, but
its checks are not ``imdb_tsv``'s: it accepts ``"1.5"`` or ``"1e3"`` for an
integer, treats a lone ``\\r`` or an empty line its own way, names lines
differently and skips differently, and ids (``tt`` / ``nm`` + digits) would
need checks of their own.  Every file is therefore read once, by the parser
``read_imdb_datasets`` uses; DuckDB only ever reads this module's own
scratch files, so no DuckDB error can come from bad input.

Output
------
Rows are in ``read_imdb_datasets``' order: films in ``title.basics`` order;
credits in ``title.principals`` order, then the crew credits in
``title.crew`` order; people in ``name.basics`` order, then the dangling
ones sorted by id.  The column types are the store's (``_write_tables`` of
the same graph, pandas metadata included): a text column no row fills is
of Arrow type ``null`` (``list<null>`` for a list column), as pandas writes it.

Everything goes to a fresh folder beside ``out_folder`` (same parent),
renamed into place at the end: a failure leaves no half-written output.  An
existing ``out_folder`` gets its four files replaced and keeps any others.

Repeated credits
----------------
With ``fold_repeats``, the credits that share a person, film and role
(IMDb's principals list a few twice) are set aside as they stream by and
folded by the store's own code after the crew credits: the table
:func:`~reelgraph.store.fold_repeated_keys` makes of the rows above, without
its DuckDB pass over the whole credits file and its rewrite of it (about a
third of a whole-IMDb load).  The repeats are found block by block, since a
title's rows are together in IMDb's file (sorted by title); should the titles
turn out to be out of order, the file is read again without setting rows
aside and the written credits are folded by ``fold_repeated_keys``.

One difference from ``read_imdb_datasets``: ``title.ratings`` is read
first, so when it and ``title.basics`` both hold bad lines, the error names
``title.ratings`` (``read_imdb_datasets`` names ``title.basics``).
"""

from __future__ import annotations

__all__ = ["ROW_GROUP_ROWS", "write_imdb_tables"]

import functools
import logging
import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from reelgraph._duckdb import connect, sql_literal
from reelgraph.loaders.imdb_tsv import (
    _PLAIN_JSON_LIST,
    _SPEC,
    DEFAULT_CATEGORIES,
    SOURCE,
    ImdbLoadReport,
    _basics_scan,
    _credit_columns,
    _crew_credit_columns,
    _crew_credits,
    _crew_scan,
    _dangling_people,
    _film_columns,
    _IdSet,
    _json_list,
    _names_scan,
    _numbers,
    _person_columns,
    _prepare,
    _principals_scan,
    _Ratings,
    _read_ratings,
    _scan_blocks,
)
from reelgraph.model import LIST_COLUMNS, TABLE_COLUMNS, FilmGraph
from reelgraph._parquet_table import CHUNK_ROWS, ChunkWriter, ParquetTable, move_table
from reelgraph.store import TableFiles, fold_repeated_keys, fold_repeated_rows

log = logging.getLogger(__name__)

#: Rows of a Parquet row group, and of a chunk of a table (as the store writes them): blocks are gathered up to it.
ROW_GROUP_ROWS = CHUNK_ROWS

#: Text and list columns this loader fills (the others it leaves empty, and they are written as type ``null``).
_FILLED = {
    "films": ("id", "title", "title_type", "genres", "source", "original_title"),
    "people": ("id", "name", "professions", "source"),
    "credits": ("person_id", "film_id", "role", "characters", "job", "source"),
    "similar": (),
}

_MASKED_TYPES = {"Int64": pa.int64(), "Float64": pa.float64(), "boolean": pa.bool_()}


# -- canonical Parquet files ---------------------------------------------------------


def _schema(table: str, filled, empty: bool = False) -> pa.Schema:
    """The Arrow schema pandas gives canonical table ``table`` (its columns in order) when the text and
    list columns in ``filled`` hold a value somewhere and the others none; with pandas' metadata.

    ``empty``: a table without rows, whose list columns ``read_imdb_datasets``
    leaves as pandas makes a column of no lists: float64.
    """
    fields, sample = [], {}
    for name, dtype in TABLE_COLUMNS[table].items():
        if empty and name in LIST_COLUMNS[table]:
            fields.append(pa.field(name, pa.float64()))
            sample[name] = pd.Series([None], dtype="float64")
        elif dtype in _MASKED_TYPES:
            fields.append(pa.field(name, _MASKED_TYPES[dtype]))
            sample[name] = pd.array([None], dtype=dtype)
        elif name in LIST_COLUMNS[table]:
            fields.append(pa.field(name, pa.list_(pa.string() if name in filled else pa.null())))
            sample[name] = pd.Series([["x"] if name in filled else []], dtype=object)
        else:
            fields.append(pa.field(name, pa.string() if name in filled else pa.null()))
            sample[name] = pd.Series(["x" if name in filled else None], dtype=object)
    # the metadata pandas writes for such a frame (column kinds, no index), as DataFrame.to_parquet(index=False) does
    metadata = pa.Schema.from_pandas(pd.DataFrame(sample), preserve_index=False).metadata
    return pa.schema(fields, metadata=metadata)


def _nulls_as_empty(lists: pa.Array) -> pa.Array:
    """A list array with ``[]`` for each null (what the canonical tables hold).

    Built from the lengths and the flattened items: 10x faster than ``pc.fill_null`` here.
    """
    if not lists.null_count:
        return lists
    lengths = pc.fill_null(pc.list_value_length(lists), 0).to_numpy()
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), pc.list_flatten(lists))


def _array(values) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _comma_list_array(values) -> pa.Array:
    """IMDb's ``"a,b"`` -> ``["a", "b"]``; null and ``""`` -> ``[]``, as ``imdb_tsv._comma_lists`` (in Arrow)."""
    values = _array(values)
    values = pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)
    return _nulls_as_empty(pc.split_pattern(values, ","))


#: A JSON list of strings whose only escapes are ``\\"`` and that holds no control characters
#: (``["Bride (segment \\"Girl\\")"]``, a tenth of IMDb's): split by Arrow once those escapes are set aside.
_QUOTED_JSON_LIST = r'^\["(?:[^"\\\x00-\x1f]|\\")*"(?:,"(?:[^"\\\x00-\x1f]|\\")*")*\]$'

#: Stands for ``\\"`` while a :data:`_QUOTED_JSON_LIST` cell is split (no such cell holds it: a control character).
_QUOTE_MARK = "\x01"


def _split_lists(values: pa.Array) -> pa.Array:
    """``["A","B"]`` -> ``["A", "B"]`` for cells of :data:`~reelgraph.loaders.imdb_tsv._PLAIN_JSON_LIST` (null -> null)."""
    return pc.split_pattern(pc.utf8_slice_codeunits(values, 2, -2), '","')


def _character_lists(values) -> tuple[pa.Array, int]:
    """IMDb's JSON lists as a list array, as ``imdb_tsv._characters`` parses them: (lists, rows that were no JSON list).

    Plain cells (:data:`~reelgraph.loaders.imdb_tsv._PLAIN_JSON_LIST`) and
    those with escaped quotes only (:data:`_QUOTED_JSON_LIST`) are split by
    Arrow; the rest (other escapes, spaces: a few) by ``json.loads``, each
    distinct cell once.  Null -> ``[]``.
    """
    values = _array(values)
    lists = _split_lists(values)
    hard = np.flatnonzero(~pc.fill_null(pc.match_substring_regex(values, _PLAIN_JSON_LIST), True).to_numpy(zero_copy_only=False))
    if not len(hard):
        return _nulls_as_empty(lists), 0
    cells = values.take(pa.array(hard, pa.int64()))
    quoted = pc.match_substring_regex(cells, _QUOTED_JSON_LIST).to_numpy(zero_copy_only=False)
    parts = []  # (rows, their lists)
    if quoted.any():
        marked = _split_lists(pc.replace_substring(cells.filter(pa.array(quoted)), '\\"', _QUOTE_MARK))
        unmarked = pc.replace_substring(marked.values, _QUOTE_MARK, '"')  # a fresh split array: its values are its own
        parts.append((hard[quoted], pa.ListArray.from_arrays(marked.offsets, unmarked)))
    bad = 0
    if not quoted.all():
        rows = cells.filter(pa.array(~quoted)).to_pylist()
        parsed = {}
        for value in rows:
            if value not in parsed:
                parsed[value] = _json_list(value)
        bad = sum(not parsed[value][1] for value in rows)
        parts.append((hard[~quoted], pa.array([parsed[value][0] for value in rows], lists.type)))
    swapped = np.arange(len(values))  # each hard row takes its own list from the parts appended below
    start = len(values)
    for rows, _ in parts:
        swapped[rows] = start + np.arange(len(rows))
        start += len(rows)
    return _nulls_as_empty(pa.concat_arrays([lists, *(part for _, part in parts)]).take(pa.array(swapped))), bad


class _ParquetSink:
    """A Parquet file written in row groups of about :data:`ROW_GROUP_ROWS` rows, from tables of any size.

    ``chunked``: ``path`` is a folder of chunk files instead, of a row group
    each (:mod:`reelgraph._parquet_table`), the form in which a store
    rewrites only the chunks a later load changes.
    """

    def __init__(self, path: Path, schema: pa.Schema, chunked: bool = False):
        self.path = path
        self.schema = schema
        if chunked:
            self.writer, self.chunks = None, ChunkWriter(path)
        else:
            self.writer, self.chunks = pq.ParquetWriter(path, schema), None
        self.pending: list[pa.Table] = []
        self.pending_rows = 0
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        if not table.num_rows:
            return
        self.pending.append(table)
        self.pending_rows += table.num_rows
        self.rows += table.num_rows
        if self.pending_rows >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self, last: bool = False) -> None:
        if not self.pending:
            return
        rows = pa.concat_tables(self.pending)
        self.pending, self.pending_rows = [], 0
        if self.writer is not None:
            self.writer.write_table(rows, row_group_size=ROW_GROUP_ROWS)
            return
        start = 0
        while start < len(rows) and (len(rows) - start >= ROW_GROUP_ROWS or last):
            self.chunks.add(rows.slice(start, ROW_GROUP_ROWS))
            start += ROW_GROUP_ROWS
        if start < len(rows):  # less than a chunk: kept for the next
            self.pending, self.pending_rows = [rows.slice(start)], len(rows) - start

    def discard(self) -> None:
        """Stop, and remove what was written."""
        if self.writer is not None:
            self.writer.close()
            self.path.unlink()
        else:
            shutil.rmtree(self.path)
        self.pending, self.pending_rows = [], 0

    def close(self) -> None:
        self._flush(last=True)
        if self.writer is not None:
            self.writer.close()
        else:
            self.chunks.finish(self.schema)


class _TableWriter(_ParquetSink):
    """Canonical table ``table`` as the chunks ``NAME/000000.parquet``, ...: given some of its columns, fills in
    the rest as the pandas route has them (``source``, empty lists, nulls); at :meth:`close` a text or list column
    that no row filled gets pandas' type (see :func:`_schema`; the chunks are rewritten: only ever for small or odd
    selections)."""

    def __init__(self, folder: Path, table: str):
        super().__init__(folder / table, _schema(table, _FILLED[table]), chunked=True)
        self.table = table
        self.filled: set[str] = set()

    def add(self, columns: dict) -> None:
        self.write(self.complete(columns))

    def complete(self, columns: dict) -> pa.Table:
        """The rows of ``columns`` (some of the table's, as Arrow) as a whole table of the file's schema."""
        n = len(next(iter(columns.values())))
        arrays = []
        for field in self.schema:
            if field.name in columns:
                array = _array(columns[field.name])
                if array.type != field.type:
                    array = array.cast(field.type)
            elif field.name == "source":
                array = pa.repeat(pa.scalar(SOURCE, pa.string()), n)
            elif pa.types.is_list(field.type):
                array = pa.ListArray.from_arrays(pa.array(np.zeros(n + 1, dtype=np.int32)), pa.nulls(0, field.type.value_type))
            else:
                array = pa.nulls(n, field.type)
            if field.name in _FILLED[self.table] and field.name not in self.filled and self._has_value(array):
                self.filled.add(field.name)
            arrays.append(array)
        return pa.Table.from_arrays(arrays, schema=self.schema)

    @staticmethod
    def _has_value(array: pa.Array) -> bool:
        if pa.types.is_list(array.type):
            return (pc.max(pc.list_value_length(array)).as_py() or 0) > 0
        return array.null_count < len(array)

    def close(self) -> None:
        super().close()
        final = _schema(self.table, self.filled, empty=not self.rows)
        if final.equals(self.schema, check_metadata=True):
            return
        rewritten = self.path.with_name(self.path.name + ".retyped")
        sink = _ParquetSink(rewritten, final, chunked=True)
        for batch in ParquetTable(self.path.parent, self.table).iter_batches(batch_size=ROW_GROUP_ROWS):
            arrays = []
            for field, array in zip(final, batch.columns):
                if array.type != field.type:  # a column with no value: nulls, or lists with nothing in them
                    n = len(array)
                    array = (pa.ListArray.from_arrays(pa.array(np.zeros(n + 1, dtype=np.int32)), pa.nulls(0))
                             if pa.types.is_list(field.type) else pa.nulls(n))
                arrays.append(array)
            sink.write(pa.Table.from_arrays(arrays, schema=final))
        sink.close()
        shutil.rmtree(self.path)
        os.replace(rewritten, self.path)
        self.schema = final


# -- id numbers ----------------------------------------------------------------


class _Counts:
    """How many times each id number was seen: an array indexed by the number (grown as needed); numbers
    too large for that (beyond :attr:`_IdSet.BITMAP_LIMIT`, never IMDb's) are kept apart."""

    def __init__(self):
        self.counts = np.zeros(1 << 16, dtype=np.int32)
        self.big: list[np.ndarray] = []

    def add(self, numbers) -> None:
        numbers = np.asarray(numbers, dtype=np.int64)
        if not len(numbers):
            return
        big = numbers >= _IdSet.BITMAP_LIMIT
        if big.any():
            self.big.append(numbers[big])
            numbers = numbers[~big]
            if not len(numbers):
                return
        values, counts = np.unique(numbers, return_counts=True)
        if values[-1] >= len(self.counts):
            grown = np.zeros(max(int(values[-1]) + 1, len(self.counts) * 3 // 2), dtype=np.int32)
            grown[: len(self.counts)] = self.counts
            self.counts = grown
        self.counts[values] += counts.astype(np.int32)

    def contains(self, numbers) -> np.ndarray:
        """Seen at least once, for each of ``numbers`` (called from the parse threads: read only)."""
        numbers = np.asarray(numbers, dtype=np.int64)
        small = np.minimum(numbers, len(self.counts) - 1)
        found = (self.counts[small] > 0) & (numbers < len(self.counts))
        if self.big:
            found |= np.isin(numbers, np.concatenate(self.big))
        return found

    def seen(self) -> tuple[np.ndarray, np.ndarray]:
        """(numbers seen, how many times each), by number."""
        numbers = np.flatnonzero(self.counts).astype(np.int64)
        counts = self.counts[numbers].astype(np.int64)
        if self.big:
            big, big_counts = np.unique(np.concatenate(self.big), return_counts=True)
            numbers, counts = np.concatenate([numbers, big]), np.concatenate([counts, big_counts])
        return numbers, counts


def _canonical_ids(ids, numbers: np.ndarray, prefix_length: int = 2) -> bool:
    """Whether each id is its number zero-padded to 7 digits (``nm0000001``), so that the id can be made back from the number."""
    lengths = pc.utf8_length(_array(ids)).to_numpy(zero_copy_only=False)
    digits = np.where(numbers > 0, np.floor(np.log10(np.maximum(numbers, 1))).astype(np.int64) + 1, 1)
    return bool(np.all(lengths == prefix_length + np.maximum(7, digits)))


# -- the blocks, in the parse threads ---------------------------------------------------


def _film_block(basics: pa.Table, ratings: _Ratings) -> tuple[dict, np.ndarray]:
    columns = _film_columns(basics, ratings)
    columns["genres"] = _comma_list_array(columns["genres"])
    columns["stub"] = pa.array(np.zeros(basics.num_rows, dtype=bool))  # every film here has its full data
    return columns, _numbers(basics["_tconst"])


def _credit_block(principals: pa.Table, fold: bool = False) -> tuple:
    """(credits columns, bad characters, person numbers, ids canonical?, director/writer keys for the crew anti-join,
    and with ``fold`` the block's title numbers and :func:`_repeated_in_block` of its rows)."""
    columns = _credit_columns(principals)
    columns["characters"], bad = _character_lists(columns["characters"])
    people = _numbers(principals["_nconst"])
    crew_like = pc.fill_null(pc.is_in(principals["category"], value_set=pa.array(["director", "writer"])), False)
    keys = pa.table({"t": principals["_tconst"], "n": principals["_nconst"], "r": principals["category"]}).filter(crew_like)
    repeats = None
    if fold:
        films = _numbers(principals["_tconst"])
        repeats = films, _repeated_in_block(films, people, columns)
    return columns, bad, people, _canonical_ids(principals["nconst"], people), keys, repeats


#: What makes two credits one (the store's key of the credits table).
_CREDIT_KEY = ("person_id", "film_id", "role")


def _repeated_in_block(films: np.ndarray, people: np.ndarray, columns: dict) -> np.ndarray | None:
    """Which rows of a block of credits share their person, film and role with another row of the block;
    None when the block's titles are out of order (then a repeat could be anywhere in the file).

    Rows are matched by one number made of their title's place in the block,
    person number and role code, sorted (1.5 ms for a block of 40k rows,
    where ``np.lexsort`` of the three took 7.5 ms and pandas on the text 15 ms),
    and the few that match by their ids' text (``nm01`` and ``nm001`` are
    two people to the merge); numbers too large to pack, by their text alone.
    """
    repeated = np.zeros(len(films), dtype=bool)
    if len(films) < 2:
        return repeated
    if bool((films[1:] < films[:-1]).any()):
        return None
    roles = pc.fill_null(pc.dictionary_encode(_array(columns["role"])).indices, -1).to_numpy().astype(np.int64) + 1
    titles = np.zeros(len(films), dtype=np.int64)
    np.cumsum(films[1:] != films[:-1], out=titles[1:])
    role_bits, person_bits = int(roles.max()).bit_length(), int(people.max()).bit_length()
    if int(titles[-1]).bit_length() + person_bits + role_bits > 63 or people.min() < 0:  # too large to pack (never IMDb's)
        return _repeated_keys(pa.table({c: _array(columns[c]) for c in _CREDIT_KEY}))
    keys = (titles << (person_bits + role_bits)) | (people << role_bits) | roles
    ordered = np.sort(keys)
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return repeated
    repeated = np.isin(keys, ordered[1:][same])
    if repeated.any():
        candidates = np.flatnonzero(repeated)
        repeated[candidates] = _repeated_keys(pa.table({c: _array(columns[c]).take(pa.array(candidates)) for c in _CREDIT_KEY}))
    return repeated


def _repeated_keys(table: pa.Table) -> np.ndarray:
    """Which rows of ``table`` (a few credits) share their person, film and role (as text) with another row of it."""
    keys = pd.DataFrame({c: table[c].to_numpy(zero_copy_only=False) for c in _CREDIT_KEY})
    return keys.duplicated(keep=False).to_numpy()


class _RepeatedCredits:
    """The principals' credits as they stream to ``credits``, less those whose person, film and
    role another credit has: set aside, to be folded and appended after the others (as the store folds them).

    A title's rows are together in IMDb's file (sorted by title), so a
    repeat lies within one title's rows: the rows of the last title of each
    block are held until the next block shows whether that title goes on.
    :meth:`add` says when the titles are out of order after all.
    """

    def __init__(self, credits: _TableWriter):
        self.credits = credits
        self.held: pa.Table | None = None  # the last title's rows
        self.held_repeats: np.ndarray | None = None  # which of them repeat (None: to be worked out)
        self.held_film = -1
        self.repeated: list[pa.Table] = []

    def add(self, table: pa.Table, films: np.ndarray, repeats: np.ndarray | None) -> bool:
        """Write a block's rows (a whole credits table, its title numbers and :func:`_repeated_in_block`);
        False, and nothing written, when its titles are out of order with the rows before."""
        if repeats is None or (len(films) and films[0] < self.held_film):
            return False
        if not len(films):
            return True
        head = 0
        if self.held is not None and films[0] == self.held_film:  # the held title goes on
            head = int(np.searchsorted(films, films[0], side="right"))
            self.held, self.held_repeats = pa.concat_tables([self.held, table.slice(0, head)]), None
            if head == len(films):
                return True
        self._emit_held()
        tail = int(np.searchsorted(films, films[-1], side="left"))
        self._emit(table.slice(head, tail - head), repeats[head:tail])
        self.held, self.held_repeats, self.held_film = table.slice(tail), repeats[tail:], int(films[-1])
        return True

    def close(self) -> pa.Table | None:
        """Write the rows held; the rows set aside (None when none were)."""
        self._emit_held()
        return pa.concat_tables(self.repeated) if self.repeated else None

    def _emit_held(self) -> None:
        if self.held is not None:
            self._emit(self.held, self.held_repeats if self.held_repeats is not None else _repeated_keys(self.held))
            self.held = self.held_repeats = None

    def _emit(self, table: pa.Table, repeats: np.ndarray) -> None:
        if repeats.any():
            self.repeated.append(table.filter(pa.array(repeats)))
            table = table.filter(pa.array(~repeats))
        self.credits.write(table)


def _person_block(names: pa.Table) -> tuple[dict, np.ndarray]:
    columns = _person_columns(names)
    columns["professions"] = _comma_list_array(columns["professions"])
    return columns, _numbers(names["_nconst"])


_CREW_SCHEMA = pa.schema([("_tconst", pa.int64()), ("tconst", pa.string()), ("nconst", pa.string()), ("_nconst", pa.int64()),
                          ("role", pa.string()), ("_row", pa.int64())])
_KEY_SCHEMA = pa.schema([("t", pa.int64()), ("n", pa.int64()), ("r", pa.string())])


# -- the loader ----------------------------------------------------------------


def write_imdb_tables(
    folder,
    out_folder,
    *,
    title_types=("movie",),
    include_adult: bool = False,
    year_range: tuple[int | None, int | None] | None = None,
    min_votes: int | None = None,
    categories=DEFAULT_CATEGORIES,
    on_error: str = "raise",
    progress: bool = True,
    memory_limit: str = "3GB",
    temp_directory=None,
    fold_repeats: bool = False,
) -> ImdbLoadReport:
    """Read a folder of IMDb's dataset files into the tables ``films``, ``people``, ``credits``, ``similar`` of ``out_folder``, out of core.

    Parameters
    ----------
    folder : str or os.PathLike
        IMDb's files, as for :func:`~reelgraph.loaders.imdb_tsv.read_imdb_datasets`.
    out_folder : str or os.PathLike
        Where the four Parquet files go (made if missing; other files in it are left alone).
    title_types, include_adult, year_range, min_votes, categories, on_error, progress
        As for :func:`~reelgraph.loaders.imdb_tsv.read_imdb_datasets`, with the same meaning.
    memory_limit : str
        DuckDB's memory limit for the crew anti-join (it spills beyond it).
    temp_directory : str or os.PathLike, optional
        Where DuckDB spills; default: a scratch folder beside ``out_folder``.
    fold_repeats : bool
        Leave one credit a key (person, film, role), as the store keeps them:
        IMDb's principals list a few credits twice, and these are folded as
        :func:`~reelgraph.store.fold_repeated_keys` folds them, with the same
        result, but as they stream by (see "Repeated credits" above) rather
        than by another pass over the file and a rewrite of it.  Default:
        every row, as ``read_imdb_datasets`` gives them.

    Returns
    -------
    ImdbLoadReport
        The same counts as ``read_imdb_datasets(...).report``; ``seconds`` per step.

    Raises
    ------
    InputError
        A required file is missing or a file is malformed (file and line named);
        nothing is written then.

    Examples
    --------
    >>> import tempfile
    >>> from reelgraph.loaders.synth import write_synthetic_datasets
    >>> from reelgraph.store import _read_tables
    >>> tmp = Path(tempfile.mkdtemp())
    >>> _ = write_synthetic_datasets(tmp / "imdb", titles=300, progress=False)
    >>> report = write_imdb_tables(tmp / "imdb", tmp / "tables", title_types=None, progress=False)
    >>> graph = _read_tables(tmp / "tables")
    >>> len(graph.films) == report.rows_kept["basics"], len(graph.similar)
    (True, 0)
    >>> shutil.rmtree(tmp)
    """
    started = time.perf_counter()
    title_types, categories, year_range, report, paths = _prepare(folder, title_types, categories, year_range, min_votes, on_error)
    out = Path(out_folder)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"{out}: not a folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".writing", dir=out.parent))
    try:
        work = stage / "scratch"
        work.mkdir()
        _write(paths, stage, work, report, title_types, include_adult, year_range, min_votes, categories, on_error, progress,
               memory_limit, Path(temp_directory) if temp_directory is not None else work, fold_repeats)
        shutil.rmtree(work)
        if out.is_dir():
            for name in FilmGraph.TABLES:
                move_table(stage, out, name)
        else:
            os.rename(stage, out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    report.seconds["total"] = time.perf_counter() - started
    return report


def _write(paths, stage, work, report, title_types, include_adult, year_range, min_votes, categories, on_error, progress,
           memory_limit, spill, fold_repeats) -> None:
    def step(name, t0):
        report.seconds[name] = time.perf_counter() - t0

    # 1. ratings, all of them (with min_votes, only those with enough votes): films get theirs as they are written
    ratings = None
    if "ratings" in paths:
        t0 = time.perf_counter()
        ratings = _read_ratings(paths["ratings"], None, on_error, report, progress, min_votes=min_votes)
        step("title.ratings", t0)
    voted = _IdSet(_numbers(ratings["_tconst"])) if min_votes is not None else None
    lookup = _Ratings(ratings)

    # 2. films
    t0 = time.perf_counter()
    films = _TableWriter(stage, "films")
    kept_titles = []
    for columns, tids in _scan_blocks(_SPEC["basics"], paths["basics"], on_error, report, progress,
                                      **_basics_scan(title_types, include_adult, year_range, voted),
                                      transform=lambda table: _film_block(table, lookup)):
        if len(tids):
            films.add(columns)
            kept_titles.append(tids)
    films.close()
    kept_titles = np.concatenate(kept_titles) if kept_titles else np.zeros(0, dtype=np.int64)
    report.rows_kept["basics"] = len(kept_titles)
    candidates = _IdSet(kept_titles)
    del kept_titles
    if ratings is not None:
        report.rows_kept["ratings"] = int(candidates.contains(_numbers(ratings["_tconst"])).sum())
    del ratings, lookup
    step("title.basics", t0)

    # 3. credits from title.principals; title.crew meanwhile, in a thread, to a scratch file
    crew_roles = [r for r in ("director", "writer") if categories is None or r in categories]
    crew_path, keys_path = work / "crew.parquet", work / "principal_keys.parquet"

    def read_crew() -> int:
        t0 = time.perf_counter()
        sink = _ParquetSink(crew_path, _CREW_SCHEMA)
        kept = 0
        try:
            for table, rows in _scan_blocks(_SPEC["crew"], paths["crew"], on_error, report, progress, **_crew_scan(candidates),
                                            transform=lambda table: (_crew_credits(table, crew_roles), table.num_rows)):
                kept += rows
                numbers = pa.array(np.arange(sink.rows, sink.rows + table.num_rows, dtype=np.int64))
                sink.write(table.append_column("_row", numbers))
        finally:
            sink.close()
        report.rows_kept["crew"] = kept
        step("title.crew", t0)
        return sink.rows

    def read_principals(fold: bool):
        """(credits writer, its rows set aside for folding or None, person counts, ids canonical?); None when ``fold``
        finds the titles out of order (nothing of this pass counts then)."""
        credits = _TableWriter(stage, "credits")
        repeated = _RepeatedCredits(credits) if fold else None
        people_seen, canonical, kept, bad_characters = _Counts(), True, 0, 0
        keys = _ParquetSink(keys_path, _KEY_SCHEMA)
        # (the report's rows read and bad lines are counted when the file is read to its end: not by a pass given up)
        scan = _scan_blocks(_SPEC["principals"], paths["principals"], on_error, report, progress,
                            **_principals_scan(candidates, categories), transform=functools.partial(_credit_block, fold=fold))
        for columns, bad, people, plain_ids, crew_like, repeats in scan:
            if len(people):
                table = credits.complete(columns | {"star": pa.nulls(len(people), pa.bool_())})
                if repeated is None:
                    credits.write(table)
                elif not repeated.add(table, *repeats):
                    scan.close()
                    keys.close()
                    credits.discard()
                    return None
                kept += len(people)
                bad_characters += bad
                people_seen.add(people)
                canonical &= plain_ids
                keys.write(crew_like)
        keys.close()
        report.rows_kept["principals"] = kept
        report.bad_characters += bad_characters
        return credits, (repeated.close() if repeated is not None else None), people_seen, canonical

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reelgraph-crew") as side:
        crew = side.submit(read_crew) if "crew" in paths and crew_roles else None
        t0 = time.perf_counter()
        principals = read_principals(fold=True) if fold_repeats else None
        folded_in_stream = principals is not None
        if principals is None:  # not asked to fold, or the titles are out of order: every row as it comes
            if fold_repeats:
                log.info("%s: titles out of order; reading it again to fold its repeated credits after", paths["principals"])
            principals = read_principals(fold=False)
        credits, repeated, people_seen, canonical = principals
        step("title.principals", t0)
        crew_rows = crew.result() if crew is not None else 0

    # 4. the crew credits the principals lack, each (title, person, role) once: its first listing
    if crew_rows:
        t0 = time.perf_counter()
        with connect(temp_directory=spill, memory_limit=memory_limit) as db:
            fresh = db.execute(f"""
                SELECT c._row FROM (SELECT _tconst, _nconst, role, min(_row) AS _row FROM read_parquet({sql_literal(crew_path)})
                                    GROUP BY _tconst, _nconst, role) AS c
                ANTI JOIN read_parquet({sql_literal(keys_path)}) AS p ON p.t = c._tconst AND p.n = c._nconst AND p.r = c.role
            """).fetchnumpy()["_row"]
        wanted = np.zeros(crew_rows, dtype=bool)
        wanted[np.asarray(fresh, dtype=np.int64)] = True
        for batch in pq.ParquetFile(crew_path).iter_batches(batch_size=ROW_GROUP_ROWS):
            table = pa.Table.from_batches([batch])
            table = table.filter(pa.array(wanted[_numbers(table["_row"])]))
            if table.num_rows:
                n = table.num_rows
                credits.add(_crew_credit_columns(table) | {"characters": pa.ListArray.from_arrays(pa.array(np.zeros(n + 1, dtype=np.int32)), pa.nulls(0, pa.string())),
                                                           "star": pa.nulls(n, pa.bool_())})
                people = _numbers(table["_nconst"])
                people_seen.add(people)
                canonical &= _canonical_ids(table["nconst"], people)
        report.crew_credits_added = int(wanted.sum())
        step("crew credits", t0)
    if repeated is not None:  # the credits set aside, folded, after the others: where the store's fold puts them
        folded = pa.Table.from_pandas(fold_repeated_rows(repeated, "credits"), preserve_index=False)
        credits.add({name: folded[name] for name in folded.column_names})
    credits.close()

    # 5. people: those the credits name, then the dangling ones
    t0 = time.perf_counter()
    people = _TableWriter(stage, "people")
    found = _Counts()
    for columns, numbers in _scan_blocks(_SPEC["names"], paths["names"], on_error, report, progress, **_names_scan(people_seen),
                                         transform=_person_block):
        if len(numbers):
            people.add(columns)
            found.add(numbers)
    report.rows_kept["names"] = people.rows
    numbers, counts = people_seen.seen()
    missing = ~found.contains(numbers)
    report.dangling_credits = int(counts[missing].sum())
    dangling = _dangling_ids(numbers[missing], canonical, stage)
    report.dangling_people = len(dangling)
    if dangling:
        extra = _dangling_people(dangling)
        people.add({name: extra[name] for name in extra.column_names} | {"professions": _nulls_as_empty(pa.nulls(len(dangling), pa.list_(pa.string())))})
    people.close()
    step("name.basics", t0)

    similar = _TableWriter(stage, "similar")
    similar.close()
    if fold_repeats and not folded_in_stream:
        fold_repeated_keys(TableFiles(stage))


def _dangling_ids(numbers: np.ndarray, canonical: bool, tables: Path) -> list[str]:
    """The ids (as the credits spell them) of the people numbered ``numbers``, sorted.

    Made from the numbers when every credit's id is zero-padded as IMDb pads
    them; else read back from the credits written (ids such as
    ``nm00000001`` and ``nm0000001`` are two people to ``read_imdb_datasets``).
    """
    if not len(numbers):
        return []
    if canonical:
        return sorted(f"nm{n:07d}" for n in numbers.tolist())
    wanted = _IdSet(numbers)
    ids = set()
    for batch in ParquetTable(tables, "credits").iter_batches(batch_size=ROW_GROUP_ROWS, columns=["person_id"]):
        column = batch.column(0)
        hits = wanted.contains(pc.cast(pc.utf8_slice_codeunits(column, 2), pa.int64()).to_numpy())
        ids.update(column.filter(pa.array(hits)).to_pylist())
    return sorted(ids)
