"""The graph index built straight from the store's Parquet tables, with Arrow and numpy (:func:`write_from_tables`).

:func:`reelgraph.graph_index.write_index` builds the mirror from a pandas
:class:`~reelgraph.model.FilmGraph`: a Python string per id, name and role,
factorised by pandas, then turned back into Arrow.  At 500k movies that is
most of a store write's time, and at IMDb's whole size (12M films, ~15M
people, ~100M credits) the FilmGraph alone does not fit in 6 GB.  Here the
same files come from the Parquet tables without a Python object per row:

* node ids: one ``dictionary_encode`` over a table's own ids followed by
  every credit's and link's id gives each node index, in the order
  :class:`~reelgraph.mirror.Mirror` numbers nodes (each table's own ids,
  then ids only a credit or a link names, in order of first appearance);
* ``people`` and ``films`` aligned to the nodes: one ``take``;
* repetitive text of ``credits`` (roles, jobs, sources): read as Parquet's
  own dictionaries, not as a string per row;
* id hashes for lookups: pandas' SipHash, compiled with numba over Arrow's
  string buffers (pandas would need a Python string per id);
* the CSR views, degrees and collaborator counts: the mirror's own code,
  over int32 arrays (:meth:`~reelgraph.mirror.Mirror.from_arrays`), while
  a thread normalises the names (both release the GIL).

People, then films, then credits are read and written one after the
other, a column or two at a time, and each persisted view is let go once
written, so the peak is about one table or id column and the integer
arrays (840 MB at 500k movies, where the pandas writer took 3.5 GB).
duckdb is not used: every step is a hash lookup or a sort of integers,
which Arrow and numpy do in one pass over the data where it already is,
without copying it into another engine.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from numba import njit

from reelgraph.errors import StoreError
from reelgraph.graph_index import ID_COLUMNS, _write_arrays, compact_table
from reelgraph.mirror import MISSING_INT, Mirror
from reelgraph.model import LIST_COLUMNS, TABLE_COLUMNS, FilmGraph

__all__ = ["write_from_tables", "canonical_layout", "id_hashes", "factorize", "person_film_csr"]

#: pandas' default key for :func:`pandas.util.hash_array`, which :class:`~reelgraph.graph_index.IdLookup` uses.
_PANDAS_HASH_KEY = b"0123456789123456"


def write_from_tables(folder: Path, writer, version: str) -> Path:
    """Write the index of the Parquet tables in ``folder`` through ``writer`` (a ``graph_index._IndexWriter``).

    See :func:`reelgraph.graph_index.write_index_from_tables`, which calls it.
    The tables must be in the canonical layout (:func:`canonical_layout`).
    """
    # One kind of node at a time, each table written and let go as soon as it is aligned.
    writer.step("people")
    people = _read(folder, "people")
    own_people = people.num_rows
    person_ids, rows, (credit_person,) = _nodes(people.column("id"), [_read(folder, "credits", ["person_id"])])
    people = _aligned(people, person_ids, rows, "people")
    writer.table("people", compact_table(people))
    person_labels = _labels(people.column("name"), person_ids)
    del people

    writer.step("films")
    films = _read(folder, "films")
    own_films, summary_stub = films.num_rows, films.column("stub")
    film_refs = [_read(folder, "credits", ["film_id"]), _read(folder, "similar", ["film_id"]),
                 _read(folder, "similar", ["similar_id"])]
    film_ids, rows, (credit_film, similar_src, similar_dst) = _nodes(films.column("id"), film_refs)
    del film_refs
    films = _aligned(films, film_ids, rows, "films")
    writer.table("films", compact_table(films))
    film_labels = _labels(films.column("title"), film_ids)
    year, votes = (pc.fill_null(films.column(name).cast(pa.int64()), MISSING_INT).to_numpy() for name in ("year", "votes"))
    del films
    n_people = np.int32(len(person_ids))
    role_codes, role_names = _roles(_read(folder, "credits", ["role"], dictionaries=["role"]))

    writer.step("names")
    ids = pa.concat_arrays([person_ids, film_ids])
    labels = pa.concat_arrays([person_labels, film_labels])
    del person_labels, film_labels
    # Normalising names is Arrow's work and the adjacency numba's, both without
    # the GIL: on two cores the names cost nothing, so a thread does them.
    with ThreadPoolExecutor(max_workers=1) as pool:
        nodes = pool.submit(_write_nodes, writer, ids, labels)
        hashes = id_hashes(ids)
        order = np.argsort(hashes, kind="stable").astype(np.int64)
        writer.step("adjacency")
        mirror = Mirror.from_arrays(
            n_people=len(person_ids), n_films=len(film_ids), role_names=role_names.to_pylist(),
            arrays={"credit_person": credit_person, "credit_film": credit_film + n_people,
                    "credit_role": role_codes.astype(np.int16), "similar_src": similar_src + n_people,
                    "similar_dst": similar_dst + n_people, "film_year": year.astype(np.int32),
                    "film_votes": votes.astype(np.int64)})
        _write_arrays(writer, mirror, hashes[order], order)
        del hashes, order
        nodes.result()  # its error, if any, is this one's
    del ids, labels

    writer.step("credits")
    from reelgraph.analysis.stats import summary_of_columns

    tables = {name: _read(folder, name, [c for c in TABLE_COLUMNS[name] if c not in ID_COLUMNS[name]],
                          dictionaries=_REPETITIVE.get(name, ()))
              for name in ("credits", "similar")}
    summary = summary_of_columns(stub=summary_stub, people=own_people, roles=tables["credits"].column("role"),
                                 similar_sources=tables["similar"].column("source"))
    for name in ("credits", "similar"):
        writer.table(name, compact_table(tables.pop(name)))
    return writer.finish(version, mirror, own_rows={"people": own_people, "films": own_films}, summary=summary)


#: Text columns read as Parquet's dictionaries (:func:`_read`): a handful of distinct values over
#: millions of rows.  Only a hint for speed: whether a column is kept encoded is decided by its values.
_REPETITIVE = {"credits": ("role", "job", "source")}


def _roles(roles) -> tuple[np.ndarray, pa.Array]:
    """Role codes and names as the mirror numbers them: ``pandas.factorize`` of the roles, a missing one as ``""``."""
    roles = _one(roles)
    if pa.types.is_dictionary(roles.type) and not roles.null_count:  # in order of first appearance already
        return np.asarray(roles.indices, dtype=np.int32), roles.dictionary
    if pa.types.is_dictionary(roles.type):
        roles = roles.cast(roles.type.value_type)
    return factorize(pc.fill_null(roles.cast(pa.string()), ""))


def _write_nodes(writer, ids: pa.Array, labels: pa.Array) -> None:
    """``nodes.arrow``: each node's id, label and label normalised for name resolution."""
    from reelgraph.names import normalize_labels

    writer.table("nodes", pa.table({"id": ids, "label": labels, "key": normalize_labels(labels)}))


# -- reading ---------------------------------------------------------------------------


def canonical_layout(folder: Path) -> bool:
    """Whether every table of ``folder`` has exactly the canonical columns, in order (what this reelgraph writes).

    Raises :class:`StoreError` when a table is missing or unreadable.
    """
    try:
        return all(pq.read_schema(Path(folder) / f"{table}.parquet").names == list(TABLE_COLUMNS[table])
                   for table in FilmGraph.TABLES)
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        raise StoreError(f"{folder}: the store is damaged ({exc}); load your sources again") from None


def _read(folder: Path, table: str, columns=None, dictionaries=()) -> pa.Table:
    """Columns of one Parquet table as one chunk each, in the types pandas would give them back.

    Written from pandas, a table reads back as ``pa.Table.from_pandas``
    made it, except that list items are named ``element`` (Parquet's
    name) rather than ``item``.  The text columns named in
    ``dictionaries`` come dictionary-encoded as :func:`compact_table` would
    encode them (or as plain text when it would not): Parquet stores
    repetitive text as a dictionary already, so reading it so skips
    making, then hashing, a string per row.  A single column (``columns``
    of one name) comes back as that column.
    """
    try:
        # ParquetFile.read, not read_table (datasets): one chunk a column, no concatenation to pay
        arrow = pq.ParquetFile(folder / f"{table}.parquet", read_dictionary=list(dictionaries)).read(columns=columns)
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        raise StoreError(f"{folder}: the store is damaged ({exc}); load your sources again") from None
    arrow = arrow.replace_schema_metadata(None)
    for position, field in enumerate(arrow.schema):
        if pa.types.is_dictionary(field.type):
            arrow = arrow.set_column(position, field.name, _as_compacted(arrow.column(position)))
    types = [_pandas_type(field.type) for field in arrow.schema]
    if types != list(arrow.schema.types):
        arrow = arrow.cast(pa.schema([pa.field(f.name, t) for f, t in zip(arrow.schema, types)]))
    if any(column.num_chunks != 1 for column in arrow.columns):
        arrow = arrow.combine_chunks()
    return arrow.column(0) if columns is not None and len(columns) == 1 else arrow


def _as_compacted(column: pa.ChunkedArray) -> pa.Array:
    """A text column Parquet read as dictionaries, as :func:`compact_table` leaves it.

    That is ``pc.dictionary_encode`` of the text (its values in order of
    first appearance, int32 codes) when at most one row in 20 holds a
    distinct value, the text itself otherwise.
    """
    n = len(column)
    if not n or not pa.types.is_string(column.type.value_type):
        return column.cast(column.type.value_type)
    column = column.unify_dictionaries() if column.num_chunks > 1 else column
    dictionary = column.chunk(0).dictionary if column.num_chunks else pa.array([], pa.string())
    codes = np.concatenate([np.asarray(chunk.indices.cast(pa.int32()).fill_null(-1), dtype=np.int32)
                            for chunk in column.chunks])
    rank, seen = _first_seen(codes, len(dictionary))
    if seen > n // 20:
        return column.cast(pa.string())
    order = np.empty(seen, dtype=np.int64)
    order[rank[rank >= 0]] = np.flatnonzero(rank >= 0)
    indices = pa.array(np.where(codes >= 0, rank[np.maximum(codes, 0)], 0).astype(np.int32), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, dictionary.take(pa.array(order)))


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


def _nodes(own, references) -> tuple[pa.Array, tuple[np.ndarray, int] | None, list[np.ndarray]]:
    """Node ids of one kind, where each table row goes, and each reference's codes: :class:`Mirror`'s numbering.

    The ids are the table's own (distinct, in order), then the ids the
    ``references`` (columns of credits and links) name without a row, in
    order of first appearance, reference by reference: what one
    factorisation of the own ids followed by every reference gives, in a
    single hash pass.

    Returns
    -------
    (pyarrow.Array, (numpy.ndarray, int) or None, list of numpy.ndarray)
        The ids; the row of ``own`` of each own id (its first) and the
        number of own ids, or None when ``own`` already is the ids
        (distinct, complete, in order); per reference, the code of each row
        (int32; -1 where it names no id).
    """
    columns = [_strings(own), *(_strings(reference) for reference in references)]
    codes, ids = factorize(pa.chunked_array([chunk for column in columns for chunk in column.chunks], type=pa.string()))
    bounds = np.cumsum([0] + [len(column) for column in columns])
    own_codes = codes[: bounds[1]]
    n_own = int(own_codes.max()) + 1 if len(own_codes) and own_codes.max() >= 0 else 0
    if len(own_codes) == n_own:
        rows = np.arange(n_own)  # as many distinct ids as rows: no repeat, none missing, codes 0..n-1
    else:
        valid = np.flatnonzero(own_codes >= 0)
        _, first = np.unique(own_codes[valid], return_index=True)  # first occurrence (unique's sort is stable)
        rows = valid[first]
    out = [codes[bounds[k]: bounds[k + 1]] for k in range(1, len(columns))]
    complete = len(ids) == n_own == len(own_codes)
    return ids, (None if complete else (rows, n_own)), out


def _strings(column) -> pa.ChunkedArray:
    """A column as chunked Arrow strings (a column of no value at all may be typed ``null``)."""
    column = column if isinstance(column, pa.ChunkedArray) else pa.chunked_array([column])
    return column if pa.types.is_string(column.type) else column.cast(pa.string())


def _aligned(table: pa.Table, ids: pa.Array, rows, name: str) -> pa.Table:
    """``table`` with one row per node id, in node order, as :func:`reelgraph.mirror._aligned` makes it in pandas.

    ``rows`` is what :func:`_nodes` says of the table (None: it already
    is).  Ids without a row get an all-missing row (empty lists in list
    columns); and since pandas infers the type of text and list columns
    from their values, one left with no value is ``null`` (and one of only
    empty lists ``list<null>``), as ``from_pandas`` would make it.
    """
    if rows is None:
        return table
    own_rows, _ = rows
    indexes = np.concatenate([own_rows, np.zeros(len(ids) - len(own_rows), dtype=own_rows.dtype)])
    missing = np.arange(len(ids)) >= len(own_rows)
    out = table.take(pa.array(indexes, type=pa.int64(), mask=missing))
    columns = {}
    for field, column in zip(out.schema, out.columns):
        column = _one(column)
        if field.name == "id":
            column = ids
        elif field.name in LIST_COLUMNS[name] and pa.types.is_list(field.type):
            column = pc.fill_null(column, pa.scalar([], type=field.type))
        if TABLE_COLUMNS[name].get(field.name) == "object":
            column = _inferred(column, field.name in LIST_COLUMNS[name])
        columns[field.name] = column
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


def _labels(names, ids: pa.Array) -> pa.Array:
    """Each node's label: its name or title, its id where that is missing or empty (as ``Mirror.labels``)."""
    names = _one(names).cast(pa.string())
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
    offset_type = np.int64 if pa.types.is_large_string(ids.type) else np.int32
    _, offsets, data = ids.buffers()
    offsets = np.frombuffer(offsets, dtype=offset_type)[ids.offset: ids.offset + len(ids) + 1]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    k0, k1 = np.frombuffer(_PANDAS_HASH_KEY, dtype="<u8")
    _siphash_strings(offsets, data, k0, k1, out)
    # pandas' _hash_ndarray then spreads the 64-bit values (splitmix64's finaliser)
    out ^= out >> np.uint64(30)
    out *= np.uint64(0xBF58476D1CE4E5B9)
    out ^= out >> np.uint64(27)
    out *= np.uint64(0x94D049BB133111EB)
    out ^= out >> np.uint64(31)
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


@njit(cache=True, nogil=True)
def _siphash_strings(offsets, data, k0, k1, out):
    """SipHash-2-4 (pandas' ``hash_object_array``) of each string ``data[offsets[i]:offsets[i + 1]]`` into ``out``."""
    for i in range(len(out)):
        start = offsets[i]
        n = offsets[i + 1] - start
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
        out[i] = v0 ^ v1 ^ v2 ^ v3


# -- adjacency -------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def person_film_csr(person, film, role, keep_role, n_nodes):
    """The CSR rows of a :class:`~reelgraph.mirror.CsrView`: each node's distinct neighbours, sorted.

    Credit ``i`` links ``person[i]`` and ``film[i]`` (node indexes, people
    before films) when ``keep_role[role[i]]``.  People's rows come first
    (their films), then films' rows (their people); a pair credited twice
    is one edge.  Two counting sorts by node, then a sort of each (short)
    row: linear in the credits, where sorting every credit's pair is not.

    Returns
    -------
    (numpy.ndarray of int32, numpy.ndarray of int64)
        ``indices`` (every row, concatenated) and each node's row length.
    """
    n = n_nodes
    start = np.zeros(n + 1, np.int64)
    for i in range(len(person)):
        if keep_role[role[i]]:
            start[person[i] + 1] += 1
    for p in range(n):
        start[p + 1] += start[p]
    films = np.empty(start[n], np.int32)
    fill = start[:-1].copy()
    for i in range(len(person)):
        if keep_role[role[i]]:
            films[fill[person[i]]] = film[i]
            fill[person[i]] += 1
    # each person's films sorted, repeats dropped, rows packed to the front
    row = np.zeros(n, np.int64)
    pairs = 0
    for p in range(n):
        a, b = start[p], start[p + 1]
        if b - a > 1:
            films[a:b].sort()
        for k in range(a, b):
            if k == a or films[k] != films[k - 1]:
                films[pairs] = films[k]
                pairs += 1
                row[p] += 1
    degree = row.copy()
    for k in range(pairs):
        degree[films[k]] += 1
    position = np.empty(n, np.int64)
    offset = 0
    for v in range(n):
        position[v] = offset
        offset += degree[v]
    # every pair into both rows, in person order: each film's people come sorted
    indices = np.empty(2 * pairs, np.int32)
    k = 0
    for p in range(n):
        for _ in range(row[p]):
            f = films[k]
            indices[position[p]] = f
            position[p] += 1
            indices[position[f]] = p
            position[f] += 1
            k += 1
    return indices, degree
