"""The graph index built straight from the store's Parquet tables, with Arrow and numpy (:func:`write_from_tables`).

:func:`reelgraph.graph_index.write_index` builds the mirror from a pandas
:class:`~reelgraph.model.FilmGraph`: a Python string per id, name and role,
factorised by pandas, then turned back into Arrow.  At 500k movies that is
most of a store write's time, and at IMDb's whole size (12M films, ~15M
people, ~100M credits) the FilmGraph alone does not fit in 6 GB.  Here the
same files come from the Parquet tables without a Python object per row:

* node ids: one numbering of a table's own ids followed by every
  credit's and link's id gives each node index, in the order
  :class:`~reelgraph.mirror.Mirror` numbers nodes (each table's own ids,
  then ids only a credit or a link names, in order of first appearance).
  The references are read from Parquet a row group at a time and looked
  up in a hash table that lives across batches (:class:`_IdEncoder`,
  numba): Arrow's ``dictionary_encode`` gives the same numbers but needs
  the column whole, and the credits' ids as strings are 1.3 GB a column
  at IMDb's whole size (95M credits, 17M people, 12M films), where the
  table of distinct ids is ~40 bytes an id;
* id hashes for lookups: pandas' SipHash, compiled with numba over Arrow's
  string buffers (pandas would need a Python string per id), computed
  once per distinct id as the encoder meets it;
* ``people`` and ``films`` aligned to the nodes and compacted a column at
  a time (one ``take`` each, when ids without a row or repeated rows make
  it needed), so a table's text never exists twice;
* repetitive text (roles, jobs, sources, title types): read as Parquet's
  own dictionaries, renumbered row group by row group, not as a string
  per row;
* the CSR views, degrees and collaborator counts: the mirror's own code,
  over int32 arrays (:meth:`~reelgraph.mirror.Mirror.from_arrays`,
  :func:`person_film_csr`: counting sorts in int32 work arrays), while a
  thread normalises the names (both release the GIL).

People, then films, then credits are read and written one after the
other, a column at a time; the mirror's arrays are made in place, the
sorted id hashes written before the adjacency is built, each persisted
view let go once written, and Arrow's allocator told to give back what
each step freed.  At IMDb's whole size the peak went from 10.2 GB to
4.6-4.8 GB: the adjacency beside the names thread, or the films table,
which must be whole to be written as one record batch (as the pandas
writer writes it); see ``benchmarks/README.md`` ("Writing the graph
index") for the figures.
duckdb is not used: every step is a hash lookup or a sort of integers,
which Arrow and numpy do in one pass over the data where it already is,
without copying it into another engine.
"""

from __future__ import annotations

import gc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numba import njit

from reelgraph._arrow_text import string_buffers
from reelgraph._imdb_ids import imdb_numbers
from reelgraph._label_keys import LABEL_COLUMN
from reelgraph._memory import resident_memory, trim_malloc
from reelgraph._parquet_table import ParquetTable
from reelgraph.errors import StoreError
from reelgraph.graph_index import (DICTIONARY_COLUMNS, ID_COLUMNS, _write_arrays, chunk_source, chunk_table, compact_table,
                                   linkable_chunks)
from reelgraph.mirror import MISSING_INT, Mirror
from reelgraph.model import IMDB_PERSON_PREFIX, LIST_COLUMNS, TABLE_COLUMNS, FilmGraph, arrow_types

__all__ = ["write_from_tables", "canonical_layout", "id_hashes", "factorize", "person_film_csr", "node_labels"]

#: pandas' default key for :func:`pandas.util.hash_array`, which :class:`~reelgraph.graph_index.IdLookup` uses.
_PANDAS_HASH_KEY = b"0123456789123456"


def write_from_tables(folder: Path, writer, version: str, previous=None) -> Path:
    """Write the index of the Parquet tables in ``folder`` through ``writer`` (a ``graph_index._IndexWriter``).

    See :func:`reelgraph.graph_index.write_index_from_tables`, which calls it.
    The tables must be in the canonical layout (:func:`canonical_layout`).
    ``previous`` (:class:`reelgraph._index_reuse.PreviousIndex`): the
    store's index before an edit of few rows, whose numbering, credit
    arrays and collaborator counts are taken when the edit keeps the nodes.
    """
    from reelgraph._index_reuse import reusable
    from reelgraph.analysis.stats import summary_of_columns

    _let_go()  # what the store's write let go
    reused = reusable(previous, folder)
    if reused is not None:
        reused.extend_credits(writer)  # (first: the arrays mapped from the files they grow into, never joined in memory)
    # The summary and the role codes first, while nothing else is in memory: counting
    # the roles takes ~20 bytes a credit for a moment (1.9 GB at IMDb's whole size).
    writer.step("people")
    roles = _read(folder, "credits", ["role"], dictionaries=["role"]) if reused is None else reused.roles()
    own_people = _rows(folder, "people")
    summary = summary_of_columns(stub=_read(folder, "films", ["stub"]), people=own_people, roles=roles,
                                 similar_sources=_read(folder, "similar", ["source"]))
    if reused is None:
        role_codes, role_names = _roles(roles)
        credit_role, role_names = role_codes.astype(np.int16), role_names.to_pylist()
        del role_codes
    else:
        credit_role, role_names = reused.arrays["credit_role"], reused.role_names
    del roles
    _let_go()

    # One kind of node at a time, each table written and let go as soon as it is aligned.
    if reused is None:
        own_ids = _read(folder, "people", ["id"])
        person_ids, person_hashes, rows, (credit_person,) = _nodes(
            own_ids, [_column_batches(folder, "credits", "person_id")], prefix=IMDB_PERSON_PREFIX)
        del own_ids
    else:
        person_ids, person_hashes, rows = reused.pop_ids("people"), None, reused.rows("people")
        credit_person = reused.arrays["credit_person"]
    _write_aligned(folder, writer, "people", person_ids, rows, previous)  # (labels: in nodes/, a chunk at a time)
    _let_go()

    writer.step("films")
    if reused is None:
        own_ids = _read(folder, "films", ["id"])
        own_films = len(own_ids)
        film_refs = [_column_batches(folder, table, column)
                     for table, column in (("credits", "film_id"), ("similar", "film_id"), ("similar", "similar_id"))]
        # (no prefix: the credits are in film order, so the hash table finds their films in cache already)
        film_ids, film_hashes, rows, (credit_film, similar_src, similar_dst) = _nodes(own_ids, film_refs)
        del own_ids, film_refs
    else:
        film_ids, film_hashes, rows = reused.pop_ids("films"), None, reused.rows("films")
        own_films = _rows(folder, "films")
        credit_film, similar_src, similar_dst = (reused.arrays[name] for name in ("credit_film", "similar_src", "similar_dst"))
    films = _write_aligned(folder, writer, "films", film_ids, rows, previous, ["year", "votes"])
    year, votes = (pc.fill_null(films.pop(name).cast(pa.int64()), MISSING_INT).to_numpy() for name in ("year", "votes"))
    del films
    _let_go()
    n_people, n_films = len(person_ids), len(film_ids)
    # the mirror's arrays, made in place: at IMDb's size each array of a credit is 190-380 MB
    for codes in (credit_film, similar_src, similar_dst) if reused is None else ():  # (reused: node indexes already)
        codes += np.int32(n_people)
    arrays = {"credit_person": credit_person, "credit_film": credit_film, "credit_role": credit_role,
              "similar_src": similar_src, "similar_dst": similar_dst, "film_year": year.astype(np.int32),
              "film_votes": votes.astype(np.int64)}
    del credit_person, credit_film, credit_role, similar_src, similar_dst, year, votes

    writer.step("names")
    # (chunked, not concatenated: only the nodes/ chunks not linked are read, each on its own)
    ids = pa.chunked_array([*_arrays(person_ids), *_arrays(film_ids)], type=pa.string())
    del person_ids, film_ids
    if reused is None:
        hashes = np.concatenate([person_hashes, film_hashes])
        del person_hashes, film_hashes
        order = np.argsort(hashes, kind="stable").astype(np.int64)
        writer.array("id_hash", hashes[order])
        writer.array("id_order", order)
        del hashes, order
    else:
        reused.write_ids(writer)
    columns = {"id": ids}
    del ids  # _write_nodes empties it: they go as soon as the nodes are written
    with ThreadPoolExecutor(max_workers=1) as pool:
        if reused is None:
            # Normalising names is Arrow's work and the adjacency numba's, both without
            # the GIL: on two cores the names cost nothing, so a thread does them.
            nodes = pool.submit(_write_nodes, writer, columns, None, previous)
        else:
            # A patched index reuses most names: written first, they are not held beside
            # the adjacency (together they took the write to 6.6 GB at IMDb's size).
            _write_nodes(writer, columns, reused.normalized, previous)
            nodes = None
        writer.step("adjacency")
        mirror = Mirror.from_arrays(n_people=n_people, n_films=n_films, role_names=role_names, arrays=arrays)
        if reused is not None:
            mirror.view_builder = lambda roles: reused.view(mirror, roles)
        del arrays
        _write_arrays(writer, mirror, None, None, patch=reused)
        if nodes is not None:
            nodes.result()  # its error, if any, is this one's
    # all written: only the counts and role names are needed from here on
    mirror = Mirror.from_arrays(n_people=n_people, n_films=n_films, role_names=role_names, arrays={})
    reused = None  # and the old index's files unmapped: their pages read count in the process's memory
    _let_go()

    writer.step("credits")
    _write_chunks(folder, writer, "credits", previous)
    _let_go()
    # A column at a time, each compacted as it is read; the table must be whole to be one record batch.
    names = [column for column in TABLE_COLUMNS["similar"] if column not in ID_COLUMNS["similar"]]
    writer.table("similar", compact_table(pa.table({column: _read(folder, "similar", [column]) for column in names})))
    return writer.finish(version, mirror, own_rows={"people": own_people, "films": own_films}, summary=summary)


def _write_aligned(folder: Path, writer, name: str, ids: pa.Array, rows, previous, wanted=()) -> dict:
    """Table ``name`` (people or films) aligned to the node ids, written as chunks; returns its columns ``wanted``.

    When the table's rows are the nodes (``rows`` None: what a store of the
    datasets has), a chunk per file of the store's table, each linked from
    the index before where it can be (:func:`_write_chunks`).  Otherwise
    (nodes named by credits alone, or a table of repeated ids), the aligned
    table is made whole (:func:`_aligned_table`) and cut into chunks of
    :data:`~reelgraph._parquet_table.CHUNK_ROWS` rows, none of which is
    ever linked.
    """
    if rows is None:
        _write_chunks(folder, writer, name, previous)
        return writer.read_chunks(name, wanted)
    table = _aligned_table(folder, name, ids, rows)
    writer.cut(name, table)
    return {column: table.column(column) for column in wanted}


def _write_chunks(folder: Path, writer, name: str, previous) -> None:
    """The chunked table ``name`` (its columns but the ids kept as node indexes): a file per file of the store's table.

    Each chunk of the index before (``previous``) whose store chunk is the
    same file as one now (:func:`~reelgraph.graph_index.chunk_source`) is
    linked rather than read and written again: adding a page writes the
    chunks of its rows only.
    """
    try:
        opened = parquet, _ = ParquetTable(folder, name, read_dictionary=DICTIONARY_COLUMNS[name]), ParquetTable(folder, name)
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        raise StoreError(f"{folder}: the store is damaged ({exc}); load your sources again") from None
    old_folder, old = linkable_chunks(previous.store_folder, previous.version, name) if previous else (None, {})
    # Lists first: reading them takes half their size again for a moment, better before the rest is there.
    names = [column for column in TABLE_COLUMNS[name] if column not in ID_COLUMNS.get(name, ())]
    read_order = sorted(names, key=lambda column: column not in LIST_COLUMNS[name])
    for file, path in enumerate(parquet.paths):
        source = chunk_source(path)
        if source in old:
            writer.link_chunk(name, old[source], old_folder)
            continue
        columns = {column: _read(folder, name, [column], dictionaries=set(DICTIONARY_COLUMNS[name]) & {column}, file=file,
                                 opened=opened)
                   for column in read_order}
        writer.chunk(name, chunk_table(pa.table({column: columns.pop(column) for column in names}), name), source)
        del columns


def _roles(roles) -> tuple[np.ndarray, pa.Array]:
    """Role codes and names as the mirror numbers them: ``pandas.factorize`` of the roles, a missing one as ``""``."""
    roles = _one(roles)
    if pa.types.is_dictionary(roles.type) and not roles.null_count:  # in order of first appearance already
        return np.asarray(roles.indices, dtype=np.int32), roles.dictionary
    if pa.types.is_dictionary(roles.type):
        roles = roles.cast(roles.type.value_type)
    return factorize(pc.fill_null(roles.cast(pa.string()), ""))


def _write_nodes(writer, columns: dict, normalized, previous) -> None:
    """``nodes/``: each node's id, label and label normalised for name resolution (``writer.nodes``).

    ``columns`` (``id``) is emptied, so the ids are let go as soon as
    written rather than when the thread's task is.  ``normalized(labels,
    start)``: normalises the labels of nodes from ``start`` (default:
    :func:`~reelgraph.names.normalize_labels`).  ``previous``: the store's
    index before, whose chunks of the same store chunks are linked.
    """
    from reelgraph.names import normalize_labels

    writer.nodes(columns.pop("id"), normalized or (lambda labels, start: normalize_labels(labels)), previous)
    _let_go()


def _arrays(array) -> list[pa.Array]:
    """The chunks of ``array`` (chunked or one array): several make one chunked array without a copy."""
    return array.chunks if isinstance(array, pa.ChunkedArray) else [array]


def _let_go() -> None:
    """Give the memory of the arrays just let go back to the system.

    Arrays held by reference cycles go only when Python's cycle collector
    runs, which the few Python objects of these steps rarely make it do:
    without a collection here, 2.5 GB of the steps before stayed through
    the adjacency of a patched index at IMDb's size.  And Arrow's allocator
    keeps freed pages for its next buffers, but the arrays of the steps that
    follow are numpy's: a gigabyte of text let go would stay beside them.
    """
    if resident_memory() > _COLLECT_ABOVE:
        gc.collect()
    pa.default_memory_pool().release_unused()
    trim_malloc()


#: Resident memory above which :func:`_let_go` runs the cycle collector: a collection walks every
#: Python object (0.3 s in a test run's process, many times a build), worth it only for big arrays.
_COLLECT_ABOVE = 1 << 30


# -- reading ---------------------------------------------------------------------------


def _rows(folder: Path, table: str) -> int:
    """Rows of a table of ``folder``, from its files' metadata."""
    try:
        return ParquetTable(folder, table).num_rows
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        raise StoreError(f"{folder}: the store is damaged ({exc}); load your sources again") from None


def canonical_layout(folder: Path) -> bool:
    """Whether every table of ``folder`` has exactly the canonical columns, in order (what this reelgraph writes).

    Tables of an older layout (columns added since, or in another order)
    are read as the canonical ones all the same (:func:`_read`): this says
    only whether they are.  Raises :class:`StoreError` when a table is
    missing or unreadable.
    """
    try:
        return all(ParquetTable(folder, table).schema_arrow.names == list(TABLE_COLUMNS[table])
                   for table in FilmGraph.TABLES)
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        raise StoreError(f"{folder}: the store is damaged ({exc}); load your sources again") from None


def _read(folder: Path, table: str, columns=None, dictionaries=(), file: int | None = None, opened=None) -> pa.Table:
    """Columns of one Parquet table as one chunk each, in the types pandas would give them back.

    Written from pandas, a table reads back as ``pa.Table.from_pandas``
    made it, except that list items are named ``element`` (Parquet's
    name) rather than ``item``.  The text columns named in
    ``dictionaries`` come dictionary-encoded as :func:`compact_table` would
    encode them (or as plain text when it would not): Parquet stores
    repetitive text as a dictionary already, so reading it so skips
    making, then hashing, a string per row; they are read a row group at a
    time, each renumbered into the one array of codes as it comes.  A
    single column (``columns`` of one name) comes back as that column.
    ``file``: only the rows of the table's file (chunk) of that number.
    ``opened``: the table's :class:`ParquetTable` opened to read
    ``dictionaries`` (at least) as dictionaries, and one opened to read
    none, for a caller reading many columns or files.
    """
    try:
        # ParquetFile.read, not read_table (datasets): one chunk a column, no concatenation to pay (for a
        # table of one file)
        parquet, plain = opened or (ParquetTable(folder, table, read_dictionary=dictionaries), None)
        names = list(TABLE_COLUMNS[table]) if columns is None else list(columns)
        if file is None:
            row_groups, n = range(parquet.num_row_groups), parquet.num_rows
        else:
            row_groups, n = parquet.file_row_groups(file), parquet.files[file].metadata.num_rows
        arrays = {}
        for name in names:
            if name not in parquet.schema_arrow.names:  # a store of an older layout, written before the column existed
                arrays[name] = _missing_column(table, name, n)
            elif name in dictionaries:
                groups = (parquet.read_row_group(group, columns=[name]).column(0) for group in row_groups)
                arrays[name] = _as_compacted(groups, n)
            if arrays.get(name) is None:  # not read as a dictionary, or too many distinct values to stay one
                plain = plain or ParquetTable(folder, table)
                arrays[name] = (plain.read(columns=[name]) if file is None else plain.read_file(file, [name])).column(0)
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        raise StoreError(f"{folder}: the store is damaged ({exc}); load your sources again") from None
    arrow = pa.table(arrays)
    types = [_pandas_type(field.type) for field in arrow.schema]
    if types != list(arrow.schema.types):
        arrow = arrow.cast(pa.schema([pa.field(f.name, t) for f, t in zip(arrow.schema, types)]))
    if any(column.num_chunks != 1 for column in arrow.columns):
        arrow = arrow.combine_chunks()
    return arrow.column(0) if columns is not None and len(columns) == 1 else arrow


def _as_compacted(groups, n: int) -> pa.Array | None:
    """A text column Parquet reads as dictionaries (``groups``: a chunked array per row group), as :func:`compact_table` leaves it.

    That is ``pc.dictionary_encode`` of the text (its values in order of
    first appearance, int32 codes) when at most one row in 20 holds a
    distinct value; None otherwise (the text itself is what to keep).
    Each row group, with a dictionary of its own, is renumbered into one
    array of codes as it is read: no other copy of every row's code.
    """
    if not n:
        return None
    codes = np.empty(n, dtype=np.int32)  # -1: missing
    numbers = {}  # each value seen -> its number, in order of first appearance
    at = 0
    for chunk in (chunk for group in groups for chunk in group.chunks):
        if not (pa.types.is_dictionary(chunk.type) and pa.types.is_string(chunk.type.value_type)):
            return None  # (a column of no value at all is typed null)
        local = np.asarray(chunk.indices.cast(pa.int32()).fill_null(-1), dtype=np.int32)
        rank, seen = _first_seen(local, len(chunk.dictionary))
        if seen > n // 20:  # too many distinct values in this row group alone: no need to look at them
            return None
        firsts = np.empty(seen, dtype=np.int64)  # the chunk's codes in order of first appearance
        firsts[rank[rank >= 0]] = np.flatnonzero(rank >= 0)
        renumber = np.full(len(chunk.dictionary) + 1, -1, dtype=np.int32)  # the last: missing stays missing
        for code, value in zip(firsts.tolist(), chunk.dictionary.take(pa.array(firsts)).to_pylist()):
            renumber[code] = numbers.setdefault(value, len(numbers))
        if len(numbers) > n // 20:
            return None
        codes[at: at + len(local)] = renumber[local]  # -1 indexes the last: missing
        at += len(local)
    missing = codes < 0
    codes[missing] = 0  # what pc.dictionary_encode leaves under a null: one chunk's bytes, however it was read
    indices = pa.array(codes, mask=missing) if missing.any() else pa.array(codes)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(numbers), type=pa.string()))


@njit(cache=True, nogil=True)
def _first_seen(codes, k):
    """Each of ``k`` codes' rank by first appearance in ``codes`` (-1: never; code -1 is missing), and how many appear."""
    rank = np.full(k, -1, np.int64)
    seen = 0
    for code in codes:
        if code >= 0 and rank[code] < 0:
            rank[code] = seen
            seen += 1
    return rank, seen


def _missing_column(table: str, name: str, n: int) -> pa.Array:
    """A column a table's file lacks, as pandas would leave it once the table is made canonical: all missing (lists empty).

    ``pa.Table.from_pandas`` types a text column holding no value ``null``;
    numbers and flags keep their type (:func:`reelgraph.model.arrow_types`).
    """
    if name in LIST_COLUMNS[table]:
        return _inferred(pa.nulls(n), is_list=True)
    kind = arrow_types(table)[name]
    return pa.nulls(n, type=pa.null() if pa.types.is_string(kind) else kind)


def _pandas_type(kind: pa.DataType) -> pa.DataType:
    """The Arrow type ``pa.Table.from_pandas`` gives a canonical column read back as ``kind``."""
    if pa.types.is_large_string(kind):
        return pa.string()
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return pa.list_(_pandas_type(kind.value_type))
    return kind


def _one(column) -> pa.Array:
    """A column as one Arrow array."""
    if isinstance(column, pa.ChunkedArray):
        return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    return column


# -- nodes -----------------------------------------------------------------------------


def factorize(values) -> tuple[np.ndarray, pa.Array]:
    """Codes (int32, -1 where missing) and distinct values in order of first appearance, as :func:`pandas.factorize`.

    ``values`` may be chunked: its chunks are hashed where they are, not
    concatenated first.

    Examples
    --------
    >>> import pyarrow as pa
    >>> codes, uniques = factorize(pa.chunked_array([["b", None], ["a", "b"]]))
    >>> codes.tolist(), uniques.to_pylist()
    ([0, -1, 1, 0], ['b', 'a'])
    """
    if isinstance(values, pa.Array):
        values = pa.chunked_array([values])
    if pa.types.is_null(values.type):
        values = values.cast(pa.string())
    encoded = pc.dictionary_encode(values)
    if not encoded.num_chunks:
        return np.empty(0, dtype=np.int32), pa.array([], type=values.type)
    # every chunk holds the one dictionary, complete (Arrow's encoder keeps one table across chunks)
    codes = [np.asarray(chunk.indices.fill_null(-1), dtype=np.int32) for chunk in encoded.chunks]
    return np.concatenate(codes), encoded.chunk(encoded.num_chunks - 1).dictionary


def _nodes(own, references, prefix: str | None = None) -> tuple[pa.Array, np.ndarray, tuple[np.ndarray, int] | None, list[np.ndarray]]:
    """Node ids of one kind, their id hashes, where each table row goes, and each reference's codes: :class:`Mirror`'s numbering.

    The ids are the table's own (distinct, in order), then the ids the
    ``references`` (columns of credits and links) name without a row, in
    order of first appearance, reference by reference: what one
    factorisation of the own ids followed by every reference gives.  Each
    reference is ``(rows, batches)``: its length and an iterable of Arrow
    string arrays (the Parquet column read a batch at a time, so that 95M
    ids never exist as strings at once).  ``prefix`` (``nm``, ``tt``): the
    IMDb ids of this kind, looked up by their number (:class:`_IdEncoder`).

    Returns
    -------
    (pyarrow.Array, numpy.ndarray, (numpy.ndarray, int) or None, list of numpy.ndarray)
        The ids; their :func:`id_hashes`; the row of ``own`` of each own id
        (its first) and the number of own ids, or None when ``own`` already
        is the ids (distinct, complete, in order); per reference, the code
        of each row (int32; -1 where it names no id).
    """
    own = _one(own)
    encoder = _IdEncoder(len(own), own.nbytes, prefix=prefix)
    own_codes = np.empty(len(own), dtype=np.int32)
    encoder.encode(own, own_codes)
    n_own = encoder.n
    out = []
    for length, batches in references:
        codes = np.empty(length, dtype=np.int32)
        at = 0
        for batch in batches:
            encoder.encode(batch, codes[at: at + len(batch)])
            at += len(batch)
        out.append(codes)
    if len(own_codes) == n_own:
        rows = np.arange(n_own)  # as many distinct ids as rows: no repeat, none missing, codes 0..n-1
    else:
        valid = np.flatnonzero(own_codes >= 0)
        _, first = np.unique(own_codes[valid], return_index=True)  # first occurrence (unique's sort is stable)
        rows = valid[first]
    del own_codes
    complete = encoder.n == n_own == len(own)
    ids, hashes = encoder.result()
    return ids, hashes, (None if complete else (rows, n_own)), out


def _column_batches(folder: Path, table: str, column: str) -> tuple[int, object]:
    """One column of a Parquet table as ``(rows, batches)``: its length and its values a row group at a time."""
    try:
        parquet = ParquetTable(folder, table)
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        raise StoreError(f"{folder}: the store is damaged ({exc}); load your sources again") from None

    def batches():
        try:
            for group in range(parquet.num_row_groups):
                yield from parquet.read_row_group(group, columns=[column]).column(0).chunks
        except (OSError, ValueError) as exc:
            raise StoreError(f"{folder}: the store is damaged ({exc}); load your sources again") from None

    return parquet.num_rows, batches()


class _IdEncoder:
    """Distinct strings numbered in order of first appearance, fed a batch at a time: a hash table that stays.

    Arrow's ``dictionary_encode`` numbers strings the same way, but only
    over arrays held at once (the credits' 95M ids as strings: 1.3 GB a
    column), and ``index_in`` builds its set again on every call.  So this
    one is written with numba: open addressing, a cheap hash to find a
    string, its bytes to confirm it, and pandas' SipHash (:func:`id_hashes`)
    computed once per distinct string, for the lookups.  A slot holds the
    high half of the cheap hash beside the string's number, so a probe
    reads the string only when that half matches (one cache miss a slot,
    not one for the hash and another for the number).  Memory is the
    distinct strings (bytes, int64 offsets, SipHash) and the slots: about
    40 bytes an id.

    With a ``prefix`` (``nm``), the IMDb ids of that kind written as IMDb
    writes them (``nm`` and the number zero-padded to 7 digits) are looked
    up by their number in an array of codes instead: parsing a batch's
    numbers is Arrow's work, and one array read misses the cache where a
    probe of the hash table missed it two or three times (the people of
    16M credits: 1.7 s instead of 5.4 s).  Only ids
    already numbered are found there; the others (new, or written another
    way: ``nm00000001`` is not ``nm0000001``) go through the hash table, in
    order, so the numbering is the same.
    """

    def __init__(self, rows: int = 0, nbytes: int = 0, prefix: str | None = None):
        # room for the first column and a little more: ids only references name are few in a store
        rows, nbytes = rows + rows // 64 + 1024, nbytes + nbytes // 64 + 16384
        self.n = 0
        self.sips = np.empty(rows, dtype=np.uint64)  # each string's SipHash (id_hashes)
        self.offsets = np.zeros(rows + 1, dtype=np.int64)
        self.data = np.empty(nbytes, dtype=np.uint8)
        self.slots = np.zeros(_table_size(rows), dtype=np.uint64)  # 0: empty; else hash's high half | number + 1
        self.k0, self.k1 = np.frombuffer(_PANDAS_HASH_KEY, dtype="<u8")
        self.prefix = prefix
        self.by_number = np.full(0, -1, dtype=np.int32)  # code of the id of each number (-1: none yet)

    def encode(self, array: pa.Array, codes: np.ndarray) -> None:
        """Write the number of each string of ``array`` into ``codes`` (-1 where missing), numbering new ones."""
        if pa.types.is_null(array.type):
            codes[:] = -1
            return
        array = array if pa.types.is_string(array.type) or pa.types.is_large_string(array.type) else array.cast(pa.string())
        if self.prefix is None or not len(array):
            self._encode_strings(array, codes)
            return
        numbers = imdb_numbers(array, self.prefix, limit=_NUMBERED_IDS)
        found = np.full(len(array), -1, dtype=np.int32)
        known = (numbers >= 0) & (numbers < len(self.by_number))
        found[known] = self.by_number[numbers[known]]
        rest = np.flatnonzero(found < 0)
        codes[:] = found
        if not len(rest):
            return
        rest_codes = np.empty(len(rest), dtype=np.int32)
        self._encode_strings(array.take(pa.array(rest, type=pa.int64())) if len(rest) < len(array) else array, rest_codes)
        codes[rest] = rest_codes
        self._number(numbers[rest], rest_codes)

    def _number(self, numbers: np.ndarray, codes: np.ndarray) -> None:
        """Remember the code of each IMDb id (``numbers``: -1 for the others)."""
        mine = (numbers >= 0) & (codes >= 0)
        if not mine.any():
            return
        numbers, codes = numbers[mine], codes[mine]
        top = int(numbers.max())
        if top >= len(self.by_number):
            self.by_number = np.concatenate([self.by_number, np.full(max(top + 1, len(self.by_number) * 5 // 4) - len(self.by_number),
                                                                     -1, dtype=np.int32)])
        self.by_number[numbers] = codes

    def _encode_strings(self, array: pa.Array, codes: np.ndarray) -> None:
        """:meth:`encode` by the hash table."""
        validity, offsets, data = string_buffers(array)
        row = 0
        while row < len(array):
            self.n, row = _encode_strings(offsets, data, validity, array.offset, row, codes, self.slots, self.sips,
                                          self.offsets, self.data, self.n, self.k0, self.k1)
            if row < len(array):  # out of room for a new string: grow, then go on from it
                self._grow(int(offsets[row + 1] - offsets[row]))

    def _grow(self, nbytes: int) -> None:
        if self.n == len(self.sips):
            rows = len(self.sips) + len(self.sips) // 4 + 1024  # a quarter more: copies stay small beside the data
            self.sips, self.offsets = _grown(self.sips[: self.n], rows), _grown(self.offsets[: self.n + 1], rows + 1)
        used = int(self.offsets[self.n])
        if used + nbytes > len(self.data):
            self.data = _grown(self.data[:used], max(used + nbytes, len(self.data) + len(self.data) // 4 + 16384))
        if _table_size(self.n + 1) > len(self.slots):
            self.slots = np.zeros(_table_size(self.n + 1) * 2, dtype=np.uint64)
            _rehash(self.offsets, self.data, self.n, self.slots)

    def result(self) -> tuple[pa.Array, np.ndarray]:
        """The distinct strings, numbered (Arrow ``string``), and their :func:`id_hashes`; the encoder is spent."""
        n, offsets, data = self.n, self.offsets[: self.n + 1], self.data
        if offsets[-1] <= np.iinfo(np.int32).max:
            ids = pa.StringArray.from_buffers(n, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data[: offsets[-1]]))
        else:
            ids = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data[: offsets[-1]]))
        sips = self.sips[:n].copy()
        self.sips = self.offsets = self.slots = None
        return ids, sips


#: IMDb id numbers below this are looked up in :attr:`_IdEncoder.by_number` (IMDb's are below 10**8: 400 MB at most).
_NUMBERED_IDS = 1 << 27


def _table_size(rows: int) -> int:
    """Slots for ``rows`` ids: a power of two, at most 3/5 full (linear probing stays short)."""
    size = 1024
    while size * 3 < rows * 5:
        size *= 2
    return size


def _grown(array: np.ndarray, size: int) -> np.ndarray:
    out = np.empty(size, dtype=array.dtype)
    out[: len(array)] = array
    return out


#: Rows an :func:`_encode_strings` stage goes through before the next stage does (see there).
_GROUP = 16


@njit(cache=True, nogil=True)
def _encode_strings(offsets, data, validity, bit_offset, row, codes, slots, sips, ids_offsets, ids_data, n, k0, k1):
    """:meth:`_IdEncoder.encode` from ``row`` on; returns ``(n, row)``, ``row`` short of the end when out of room.

    At IMDb's size every probe misses the cache (the slots, then the
    string's offset, then its bytes) and, one row after the other, the
    processor waits for each miss in turn.  So rows go by groups of
    :data:`_GROUP`: a first pass hashes each and reads its slot, a second
    reads the offset of the string that slot names, and only then are the
    strings compared, each group's misses waited for together (the first
    two passes only warm the cache: the third reads everything again, so
    a string inserted meanwhile is seen).
    """
    mask = np.uint64(len(slots) - 1)
    high = np.uint64(0xFFFFFFFF00000000)
    room = min(len(sips), len(slots) * 3 // 5)
    keys = np.zeros(_GROUP, dtype=np.uint64)
    warm = np.zeros(_GROUP, dtype=np.int64)
    for group in range(row, len(codes), _GROUP):
        stop = min(group + _GROUP, len(codes))
        for i in range(group, stop):  # hash, and read the home slot
            start, size = offsets[i], offsets[i + 1] - offsets[i]
            key = _fast_hash(data, start, size)
            keys[i - group] = key
            warm[i - group] = np.int64(slots[key & mask] & ~high) - 1
        for i in range(group, stop):  # read the offset of the string in the home slot
            candidate = warm[i - group]
            warm[i - group] = ids_offsets[candidate] if candidate >= 0 else 0
        for k in range(stop - group):  # and its first byte
            warm[k] = ids_data[warm[k]] if warm[k] < len(ids_data) else 0
        for i in range(group, stop):
            bit = bit_offset + i
            if len(validity) and not (validity[bit >> 3] >> (bit & 7)) & 1:
                codes[i] = -1
                continue
            start, size = offsets[i], offsets[i + 1] - offsets[i]
            key = keys[i - group]
            slot = key & mask
            node = -1
            entry = slots[slot]
            while entry:
                if entry & high == key & high:
                    candidate = np.int64(entry & ~high) - 1
                    at = ids_offsets[candidate]
                    if ids_offsets[candidate + 1] - at == size:
                        same = True
                        for j in range(size):
                            if ids_data[at + j] != data[start + j]:
                                same = False
                                break
                        if same:
                            node = candidate
                            break
                slot = (slot + np.uint64(1)) & mask
                entry = slots[slot]
            if node < 0:
                at = ids_offsets[n]
                if n >= room or at + size > len(ids_data):
                    return n, i
                node = n
                slots[slot] = (key & high) | np.uint64(node + 1)
                sips[node] = _siphash(data, start, size, k0, k1)
                ids_data[at: at + size] = data[start: start + size]
                ids_offsets[node + 1] = at + size
                n += 1
            codes[i] = node
    return n, len(codes)


@njit(cache=True, nogil=True)
def _rehash(ids_offsets, ids_data, n, slots):
    """Put the first ``n`` strings into empty ``slots`` (their cheap hashes made again: growing is rare)."""
    mask = np.uint64(len(slots) - 1)
    high = np.uint64(0xFFFFFFFF00000000)
    for node in range(n):
        key = _fast_hash(ids_data, ids_offsets[node], ids_offsets[node + 1] - ids_offsets[node])
        slot = key & mask
        while slots[slot]:
            slot = (slot + np.uint64(1)) & mask
        slots[slot] = (key & high) | np.uint64(node + 1)


@njit(inline="always")
def _fast_hash(data, start, size):
    """A quick 64-bit hash of ``data[start:start + size]`` for the table: 8 bytes a multiply, then a finaliser."""
    h = np.uint64(size) * np.uint64(0x9E3779B97F4A7C15)
    p, stop = start, start + size
    while p < stop:
        word = np.uint64(0)
        for j in range(min(8, stop - p)):
            word |= np.uint64(data[p + j]) << np.uint64(8 * j)
        h = (h ^ word) * np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(31)
        p += 8
    h ^= h >> np.uint64(30)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


def _strings(column) -> pa.ChunkedArray:
    """A column as chunked Arrow strings (a column of no value at all may be typed ``null``)."""
    column = column if isinstance(column, pa.ChunkedArray) else pa.chunked_array([column])
    return column if pa.types.is_string(column.type) else column.cast(pa.string())


def _aligned_table(folder: Path, name: str, ids: pa.Array, rows) -> pa.Table:
    """Table ``name`` with one row per node id, in node order, as :func:`reelgraph.mirror._aligned` makes it in pandas.

    ``rows`` is what :func:`_nodes` says of the table (not None: a table
    whose rows are the nodes is written a chunk at a time instead,
    :func:`_write_aligned`).  Ids without a row get an all-missing row
    (empty lists in list columns); and since pandas infers the type of
    text and list columns from their values, one left with no value is
    ``null`` (and one of only empty lists ``list<null>``), as
    ``from_pandas`` would make it.  The table is read and aligned a column
    at a time.
    """
    own_rows, _ = rows
    indexes = np.concatenate([own_rows, np.zeros(len(ids) - len(own_rows), dtype=own_rows.dtype)])
    at = pa.array(indexes, type=pa.int64(), mask=np.arange(len(ids)) >= len(own_rows))
    del indexes
    columns = {}
    for column_name in TABLE_COLUMNS[name]:
        if column_name == "id":
            columns[column_name] = ids
            continue
        column = _one(_read(folder, name, [column_name])).take(at)
        if column_name in LIST_COLUMNS[name] and pa.types.is_list(column.type):
            column = pc.fill_null(column, pa.scalar([], type=column.type))
        if TABLE_COLUMNS[name].get(column_name) == "object":
            column = _inferred(column, column_name in LIST_COLUMNS[name])
        columns[column_name] = column
    return pa.table(columns)


def _inferred(column: pa.Array, is_list: bool) -> pa.Array:
    """``column`` with the type ``pa.Table.from_pandas`` infers for its values (a pandas object column)."""
    n = len(column)
    if is_list:
        if pa.types.is_null(column.type) and n:  # ids without a row get [] where the table had no list at all
            column = pa.ListArray.from_arrays(pa.array(np.zeros(n + 1, dtype=np.int32)), pa.nulls(0))
        elif pa.types.is_list(column.type) and (not n or not pc.sum(pc.list_value_length(column)).as_py()):
            column = pa.nulls(n) if not n else pa.ListArray.from_arrays(
                pa.array(np.zeros(n + 1, dtype=np.int32)), pa.nulls(0))
        return column
    if not pa.types.is_null(column.type) and column.null_count == n:
        return pa.nulls(n)
    return column


def node_labels(kind: str, rows: pa.Table, ids) -> pa.Array:
    """Labels of nodes of ``kind`` (people or films), given their ``rows`` (the index's aligned table) and ids:
    the name or title, the id where that is missing or empty (as ``Mirror.labels``)."""
    names = _one(rows.column(LABEL_COLUMN[kind])).cast(pa.string())
    return pc.if_else(pc.or_kleene(pc.is_null(names), pc.equal(names, "")), ids, names)


# -- id hashes -------------------------------------------------------------------------


def id_hashes(ids: pa.Array) -> np.ndarray:
    """``pandas.util.hash_array(ids, categorize=False)`` of Arrow strings, without a Python string per id.

    :class:`~reelgraph.graph_index.IdLookup` hashes the ids a command asks
    for with pandas, so the persisted hashes must be pandas' to the bit:
    SipHash-2-4 of each id's UTF-8 bytes with pandas' key, then pandas' mix.

    Examples
    --------
    >>> import pandas as pd, pyarrow as pa
    >>> ids = ["nm0000001", "Amélie", ""]
    >>> bool((id_hashes(pa.array(ids)) == pd.util.hash_array(np.array(ids, dtype=object), categorize=False)).all())
    True
    """
    ids = _one(ids)
    if pa.types.is_null(ids.type):
        ids = ids.cast(pa.string())
    out = np.empty(len(ids), dtype=np.uint64)
    if not len(ids):
        return out
    _, offsets, data = string_buffers(ids)
    k0, k1 = np.frombuffer(_PANDAS_HASH_KEY, dtype="<u8")
    _siphash_strings(offsets, data, k0, k1, out)
    return out


@njit(inline="always")
def _rotl(x, b):
    return (x << np.uint64(b)) | (x >> np.uint64(64 - b))


@njit(inline="always")
def _sipround(v0, v1, v2, v3):
    v0 += v1
    v1 = _rotl(v1, 13)
    v1 ^= v0
    v0 = _rotl(v0, 32)
    v2 += v3
    v3 = _rotl(v3, 16)
    v3 ^= v2
    v0 += v3
    v3 = _rotl(v3, 21)
    v3 ^= v0
    v2 += v1
    v1 = _rotl(v1, 17)
    v1 ^= v2
    v2 = _rotl(v2, 32)
    return v0, v1, v2, v3


@njit(inline="always")
def _siphash(data, start, n, k0, k1):
    """pandas' hash of the string ``data[start:start + n]``: SipHash-2-4 with its key, then its mix."""
    v0 = np.uint64(0x736F6D6570736575) ^ k0
    v1 = np.uint64(0x646F72616E646F6D) ^ k1
    v2 = np.uint64(0x6C7967656E657261) ^ k0
    v3 = np.uint64(0x7465646279746573) ^ k1
    p = start
    stop = start + (n - n % 8)
    while p < stop:
        m = np.uint64(0)
        for j in range(8):
            m |= np.uint64(data[p + j]) << np.uint64(8 * j)
        v3 ^= m
        for _ in range(2):
            v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
        v0 ^= m
        p += 8
    b = np.uint64(n & 0xFF) << np.uint64(56)
    for j in range(n % 8):
        b |= np.uint64(data[p + j]) << np.uint64(8 * j)
    v3 ^= b
    for _ in range(2):
        v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
    v0 ^= b
    v2 ^= np.uint64(0xFF)
    for _ in range(4):
        v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
    h = v0 ^ v1 ^ v2 ^ v3
    # pandas' _hash_ndarray then spreads the 64-bit values (splitmix64's finaliser)
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


@njit(cache=True, nogil=True)
def _siphash_strings(offsets, data, k0, k1, out):
    """pandas' hash (:func:`_siphash`) of each string ``data[offsets[i]:offsets[i + 1]]`` into ``out``."""
    for i in range(len(out)):
        out[i] = _siphash(data, offsets[i], offsets[i + 1] - offsets[i], k0, k1)


# -- adjacency -------------------------------------------------------------------------


def person_film_csr(person, film, role, keep_role, n_nodes):
    """The CSR rows of a :class:`~reelgraph.mirror.CsrView`: each node's distinct neighbours, sorted.

    Credit ``i`` links ``person[i]`` and ``film[i]`` (node indexes, people
    before films) when ``keep_role[role[i]]``.  People's rows come first
    (their films), then films' rows (their people); a pair credited twice
    is one edge.  A counting sort by person, a sort of each (short) row,
    then a counting sort by film: linear in the credits, where sorting
    every credit's pair is not.

    The counts and offsets are int32 while twice the credits fit (IMDb's
    whole size: 95M credits, 29M nodes), so the work arrays are the output
    and two arrays of a number per node (1 GB at that size, where int64
    and a copy of each took 2.3 GB).

    Returns
    -------
    (numpy.ndarray of int32, numpy.ndarray of int32 or int64)
        ``indices`` (every row, concatenated) and each node's row length.

    Examples
    --------
    >>> indices, degree = person_film_csr(np.array([0, 1, 0, 0], np.int32), np.array([3, 2, 2, 3], np.int32),
    ...                                   np.array([0, 0, 1, 0], np.int16), np.array([True, True]), 4)
    >>> indices.tolist(), degree.tolist()
    ([2, 3, 2, 0, 1, 0], [2, 1, 2, 1])
    """
    counts = np.int32 if 2 * len(person) < np.iinfo(np.int32).max else np.int64
    start, degree = np.zeros(n_nodes + 1, dtype=counts), np.zeros(n_nodes, dtype=counts)
    return _person_film_csr(person, film, role, keep_role, start, degree), degree


@njit(cache=True, nogil=True)
def _person_film_csr(person, film, role, keep_role, start, degree):
    """:func:`person_film_csr` into ``start`` (zeros, a node more: work space) and ``degree`` (zeros); returns ``indices``.

    ``indices`` is made twice the kept credits long, its first part holding
    the people's rows while they are sorted, so no other array of a
    credit each is needed; it is returned cut to the rows' length.
    """
    n = len(degree)
    people_first = True  # every person's index below every film's: the mirror's numbering
    last_person, first_film = -1, n
    for i in range(len(person)):
        if keep_role[role[i]]:
            start[person[i] + 1] += 1
            last_person, first_film = max(last_person, person[i]), min(first_film, film[i])
    people_first = last_person < first_film
    for v in range(n):
        start[v + 1] += start[v]
    indices = np.empty(2 * start[n], np.int32)
    for i in range(len(person)):  # each person's films in place; start[p] ends up where row p ends
        if keep_role[role[i]]:
            p = person[i]
            indices[start[p]] = film[i]
            start[p] += 1
    # each person's films sorted, repeats dropped, rows packed to the front
    pairs = 0
    a = 0
    for p in range(n):
        b = start[p]
        if b - a > 1:
            indices[a:b].sort()
        for k in range(a, b):
            if k == a or indices[k] != indices[k - 1]:
                indices[pairs] = indices[k]
                pairs += 1
                degree[p] += 1
        a = b
    rows = degree.copy() if not people_first else degree  # each person's row length (films' are added below)
    for k in range(pairs):
        degree[indices[k]] += 1
    offset = 0
    for v in range(n):  # each row's offset: the people's rows are where they were packed when people come first
        start[v] = offset
        offset += degree[v]
    packed = indices[:pairs].copy() if not people_first else indices[:pairs]
    # every pair into its film's row (and its person's, unless already there), in person order:
    # each film's people come sorted
    k = 0
    for p in range(n if not people_first else last_person + 1):  # (when people come first, rows[f] is f's degree)
        for _ in range(rows[p]):
            f = packed[k]
            if not people_first:
                indices[start[p]] = f
                start[p] += 1
            indices[start[f]] = p
            start[f] += 1
            k += 1
    return indices[: 2 * pairs]
