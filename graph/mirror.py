"""The in-memory mirror of the canonical tables: a compact graph, with NetworkX on demand.

:func:`build_mirror` turns a :class:`~reelgraph.model.FilmGraph` into a
:class:`Mirror`: every film and person becomes a node with an integer index,
and every credit row an edge between a person and a film.  The mirror keeps

* the ids, in index order (people first, then films), and the tables aligned
  to them (no copy when the tables are already unique and complete);
* the credits as three small integer arrays (person, film, role code), in the
  row order of ``film_graph.credits`` so any row's characters and billing are
  one lookup away;
* the "More like this" links as integer arrays, apart from the credits, so a
  co-star path can never walk through a film-to-film link;
* per set of roles, a CSR adjacency (``indptr``/``indices`` over node
  indexes) built on first use: the representation the path engine
  (:mod:`reelgraph.analysis.paths`) walks.

Why not a :class:`networkx.Graph` straight away: a million films with five
million credits is several gigabytes of Python dicts and a minute to build,
where these arrays take tens of megabytes and a few seconds.  The NetworkX
graph (node and edge attributes as the project issue lists them, "More like
this" links in ``G.graph["similar"]``) is still one property away,
:attr:`Mirror.nx`, built on first use: right for small graphs, notebooks and
views.

:func:`mirror_counts` counts nodes and relationships the way the Neo4j store
creates them, so ``reelgraph mirror --check`` can compare the two.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
from reelgraph._imdb_ids import imdb_number, imdb_numbers
from reelgraph.model import IMDB_PERSON_PREFIX, LIST_COLUMNS, TABLE_COLUMNS, FilmGraph
from reelgraph.store import frame_from_arrow
from reelgraph.schema import IN_GENRE, MORE_LIKE_THIS, NODE_LABELS, OTHER_ROLE, RELATIONSHIP_TYPES, relationship_type

__all__ = [
    "Mirror",
    "CsrView",
    "build_mirror",
    "mirror_counts",
    "ACTING_ROLES",
    "DEFAULT_EXCLUDED_ROLES",
]

#: Roles that make someone part of a film's cast for co-star paths.  The
#: canonical tables say "actor"; "actress" is accepted too in case a source
#: keeps IMDb's own category.
ACTING_ROLES = ("actor", "actress")

#: Roles left out of co-star paths by default: appearing as oneself (talk
#: shows, documentaries) or in archive footage links people who never met.
DEFAULT_EXCLUDED_ROLES = ("self", "archive_footage", "archive_sound")

#: Stand-in for an unknown year or vote count in the integer arrays: below any
#: real bound, so a year or votes filter always rejects it.
MISSING_INT = np.iinfo(np.int32).min
#: Most slots a person of :attr:`Mirror._people_by_number` may cost (else ids are looked up by their text).
_SLOTS_PER_PERSON = 32


def csr_view(roles: frozenset, indices: np.ndarray, counts: np.ndarray) -> "CsrView":
    """The :class:`CsrView` of rows ``indices`` (concatenated) of ``counts`` neighbours each."""
    # 32-bit offsets while they fit: a search is bound by random reads
    # of these arrays, and half the bytes is about a sixth less time.
    offset_type = np.int32 if len(indices) < np.iinfo(np.int32).max else np.int64
    indptr = np.zeros(len(counts) + 1, dtype=offset_type)
    np.cumsum(counts, out=indptr[1:])
    return CsrView(roles, indptr, indices, counts.astype(offset_type, copy=False))  # int32 already, mostly


_NO_WORDS = np.zeros(0, np.uint64)
_NO_RANKS = np.zeros(0, np.int64)
_NO_OFFSETS = np.zeros(1, np.int64)
_NO_ENTRIES = np.zeros(0, np.int32)
for _empty in (_NO_WORDS, _NO_RANKS, _NO_OFFSETS, _NO_ENTRIES):
    _empty.setflags(write=False)


@dataclass(frozen=True)
class CsrView:
    """Undirected person–film adjacency over node indexes, for some roles.

    Row ``i`` lists the neighbours of node ``i``, sorted: a person and a
    film are adjacent once however many credits (of the kept roles) link
    them.  The row is ``indices[indptr[i]:indptr[i + 1]]`` (the base CSR),
    unless the view has a delta holding it: a graph index patched for a
    small edit keeps the old view's files as the base and writes the rows
    that changed apart, so a saved page writes kilobytes, not the view's
    gigabyte.  Read rows with :meth:`row` and :meth:`neighbours` (numpy),
    or in compiled code with :attr:`kernel_args` and
    :func:`reelgraph._adjacency_kernels.row`; code that needs one plain CSR
    takes :meth:`materialize` (a copy only when there is a delta).

    Attributes
    ----------
    roles : frozenset of str
        The credit roles kept.
    indptr : numpy.ndarray of int32 or int64, length ``n_nodes + 1``
    indices : numpy.ndarray of int32
    degree : numpy.ndarray, length ``n_nodes``
        Every node's row length, whichever part holds the row.
    delta_nodes : numpy.ndarray of int64
        The nodes whose rows the delta holds, sorted (none: empty).
    delta_bits : numpy.ndarray of uint64
        Bit ``v`` set when ``delta_nodes`` holds ``v`` (empty, or one bit a node).
    delta_rank : numpy.ndarray of int64
        Per 64-node word of ``delta_bits``: the delta rows of the nodes before it.
    delta_indptr : numpy.ndarray of int64, length ``len(delta_nodes) + 1``
    delta_indices : numpy.ndarray of int32
        The delta's rows, in the order of ``delta_nodes``.
    """

    roles: frozenset
    indptr: np.ndarray
    indices: np.ndarray
    degree: np.ndarray  # neighbours per node (int64), kept so a search looks it up instead of subtracting
    # (the empty delta: the same read-only arrays for every view without one)
    delta_nodes: np.ndarray = field(default_factory=lambda: _NO_RANKS)
    delta_bits: np.ndarray = field(default_factory=lambda: _NO_WORDS)
    delta_rank: np.ndarray = field(default_factory=lambda: _NO_RANKS)
    delta_indptr: np.ndarray = field(default_factory=lambda: _NO_OFFSETS)
    delta_indices: np.ndarray = field(default_factory=lambda: _NO_ENTRIES)

    @property
    def has_delta(self) -> bool:
        return len(self.delta_nodes) > 0

    @cached_property
    def n_entries(self) -> int:
        """Entries of every row (twice the edges)."""
        if not self.has_delta:
            return len(self.indices)
        replaced = self.indptr[self.delta_nodes + 1].astype(np.int64) - self.indptr[self.delta_nodes]
        return len(self.indices) - int(replaced.sum()) + len(self.delta_indices)

    @property
    def n_edges(self) -> int:
        return self.n_entries // 2

    def _held(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(at, held)``: whether the delta holds each of ``nodes``, and where (its position in ``delta_nodes``)."""
        at = np.minimum(np.searchsorted(self.delta_nodes, nodes), len(self.delta_nodes) - 1)
        return at, self.delta_nodes[at] == nodes

    def row(self, node: int) -> np.ndarray:
        """The neighbours of ``node``."""
        if self.has_delta:
            at, held = self._held(np.array([node]))
            if held[0]:
                return self.delta_indices[self.delta_indptr[at[0]]: self.delta_indptr[at[0] + 1]]
        return self.indices[self.indptr[node]: self.indptr[node + 1]]

    def neighbours(self, nodes: np.ndarray, lengths: np.ndarray | None = None, arange=None) -> np.ndarray:
        """The neighbours of every node of ``nodes``, concatenated in their order (one gather, no Python loop).

        ``lengths``: ``degree[nodes]``, when the caller has it; ``arange``:
        ``arange(n)``: ``np.arange(n)``, or a cached one (the path search's scratch space).
        """
        nodes = np.asarray(nodes, dtype=np.int64)
        lengths = np.asarray(self.degree[nodes] if lengths is None else lengths, dtype=np.int64)
        if not self.has_delta:
            return _gather(self.indices, self.indptr[nodes], lengths, arange)
        at, held = self._held(nodes)
        if not held.any():
            return _gather(self.indices, self.indptr[nodes], lengths, arange)
        out = np.empty(int(lengths.sum()), dtype=self.indices.dtype)
        in_delta = np.repeat(held, lengths)
        out[~in_delta] = _gather(self.indices, self.indptr[nodes[~held]], lengths[~held], arange)
        out[in_delta] = _gather(self.delta_indices, self.delta_indptr[at[held]], lengths[held], arange)
        return out

    @cached_property
    def kernel_args(self) -> tuple:
        """``(indptr, indices, delta_bits, delta_rank, delta_indptr, delta_indices)`` for compiled code
        (:mod:`reelgraph._adjacency_kernels`): without a delta, its four arrays are None (a kernel compiled
        for the plain CSR); with one, all six are read-only (one copy of a kernel, the base mapped or not)."""
        if not self.has_delta:
            return self.indptr, self.indices, None, None, None, None
        return tuple(_read_only(array) for array in
                     (self.indptr, self.indices, self.delta_bits, self.delta_rank, self.delta_indptr, self.delta_indices))

    def materialize(self) -> tuple[np.ndarray, np.ndarray]:
        """``(indptr, indices)`` of one plain CSR: the base's arrays as they are without a delta, else a copy with its rows put in."""
        if not self.has_delta:
            return self.indptr, self.indices
        lengths = np.asarray(self.degree, dtype=np.int64)
        indptr = np.zeros(len(lengths) + 1, dtype=np.int64 if self.n_entries >= np.iinfo(np.int32).max else np.int32)
        np.cumsum(lengths, out=indptr[1:])
        return indptr, self.neighbours(np.arange(len(lengths)), lengths)

    def with_delta(self, nodes: np.ndarray, indptr: np.ndarray, indices: np.ndarray, degree: np.ndarray) -> "CsrView":
        """This view's base with the rows of ``nodes`` (sorted) replaced: ``indices[indptr[k]:indptr[k + 1]]`` for ``nodes[k]``;
        ``degree``: every node's row length after."""
        nodes = np.asarray(nodes, dtype=np.int64)
        bits = np.zeros((len(degree) + 63) >> 6, dtype=np.uint64)
        np.bitwise_or.at(bits, nodes >> 6, np.left_shift(np.uint64(1), (nodes & 63).astype(np.uint64)))
        rank = np.zeros(len(bits), dtype=np.int64)
        np.cumsum(np.bincount(nodes >> 6, minlength=len(bits))[:-1], out=rank[1:])
        return CsrView(self.roles, self.indptr, self.indices, degree, nodes, bits, rank,
                       np.asarray(indptr, dtype=np.int64), np.asarray(indices, dtype=np.int32))


def _read_only(array: np.ndarray) -> np.ndarray:
    if not array.flags.writeable:
        return array
    view = array.view()
    view.setflags(write=False)
    return view


def _gather(indices: np.ndarray, starts: np.ndarray, lengths: np.ndarray, arange=None) -> np.ndarray:
    """The rows of ``lengths`` entries starting at ``starts`` in ``indices``, concatenated."""
    total = int(lengths.sum())
    if len(starts) == 1:
        start = int(starts[0])
        return indices[start: start + total]
    # Position k of the output reads starts[row] + (k - first output position of that row).
    offsets = np.repeat(np.asarray(starts, dtype=np.int64) - (np.cumsum(lengths) - lengths), lengths)
    offsets += arange(total) if arange is not None else np.arange(total)
    return indices.take(offsets)


class Mirror:
    """The compact mirror of a :class:`~reelgraph.model.FilmGraph`; see the module docstring.

    Build it with :func:`build_mirror`.  Node ``i`` is a person when
    ``i < n_people`` and a film otherwise.

    Attributes
    ----------
    film_graph : FilmGraph
        The tables it mirrors (kept by reference, not copied).
    ids : numpy.ndarray of object
        Node index -> id (``nm...``/``name:...`` then ``tt...``/``title:...``).
    n_people, n_films : int
    people, films : pandas.DataFrame
        The ``people`` and ``films`` tables aligned to the node indexes
        (row ``i`` of ``people`` is node ``i``; row ``j`` of ``films`` is node
        ``n_people + j``).  A person or film named only by a credit or a link
        has an all-missing row.
    credit_person, credit_film : numpy.ndarray of int32
        Node indexes of each row of ``film_graph.credits``.
    credit_role : numpy.ndarray of int16
        Code of each credit's role in :attr:`role_names`.
    similar_src, similar_dst : numpy.ndarray of int32
        Node indexes of each row of ``film_graph.similar``.
    film_year, film_votes : numpy.ndarray of int32 / int64
        Per film (offset ``n_people``); :data:`MISSING_INT` when unknown.

    Examples
    --------
    >>> from reelgraph.loaders import read_sources
    >>> from reelgraph.loaders.sample import SAMPLE_SOURCES
    >>> mirror = build_mirror(read_sources(SAMPLE_SOURCES))
    >>> mirror.n_films, mirror.n_people, mirror.node("tt1334260")["label"]
    (30, 281, 'Never Let Me Go')
    """

    #: Labels normalised for name resolution (Arrow), when the persisted index has them.
    normalized_labels = None
    #: The tables as memory-mapped Arrow, for a mirror opened from the persisted index.
    _arrow_tables = None
    _summary = None
    _collaborators = None

    def __init__(self, film_graph: FilmGraph):
        fg = film_graph
        self.film_graph = fg
        credits, similar = fg.credits, fg.similar

        # Node ids: the tables' own rows first, in table order, then whatever
        # a credit or a link names without a row (the Neo4j store MERGEs those
        # nodes too, so the counts agree).
        person_ids, person_codes = _ids_and_codes(fg.people["id"], [credits["person_id"]])
        film_ids, film_codes = _ids_and_codes(fg.films["id"], [credits["film_id"], similar["film_id"], similar["similar_id"]])
        self.n_people = len(person_ids)
        self.n_films = len(film_ids)
        self.ids = np.concatenate([person_ids, film_ids]).astype(object)
        p = np.int32(self.n_people)
        self.credit_person = person_codes[0]
        self.credit_film = film_codes[0] + p
        self.similar_src = film_codes[1] + p
        self.similar_dst = film_codes[2] + p
        roles = credits["role"].fillna("").astype(str)
        role_codes, role_names = pd.factorize(roles)
        self.credit_role = role_codes.astype(np.int16)
        self.role_names = [str(r) for r in role_names]

        self.people = _aligned(fg.people, person_ids, "people")
        self.films = _aligned(fg.films, film_ids, "films")
        self.film_year = self.films["year"].to_numpy(dtype="float64", na_value=np.nan)
        self.film_year = np.where(np.isnan(self.film_year), MISSING_INT, self.film_year).astype(np.int32)
        votes = self.films["votes"].to_numpy(dtype="float64", na_value=np.nan)
        self.film_votes = np.where(np.isnan(votes), MISSING_INT, votes).astype(np.int64)

        self._views: dict[frozenset, CsrView] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_index(cls, *, n_people, n_films, role_names, ids, labels, normalized_labels, lookup_arrays, arrays,
                   views, degrees, collaborators, tables, own_rows, summary) -> "Mirror":
        """A mirror over the memory-mapped arrays of a persisted graph index (:mod:`reelgraph.graph_index`).

        The tables (``film_graph``, ``people``, ``films``) become pandas only
        when code asks for them whole; showing some rows reads those rows.
        """
        from reelgraph.graph_index import IdLookup

        mirror = cls.from_arrays(n_people=n_people, n_films=n_films, role_names=role_names, arrays=arrays)
        mirror.ids = ids
        mirror.__dict__["labels"] = labels
        mirror.__dict__["_index"] = IdLookup(ids, *lookup_arrays)
        mirror.__dict__["_people_by_number"] = None  # the index's lookup serves: building an array would read every id
        mirror.normalized_labels = normalized_labels
        mirror._views.update(views)
        mirror.__dict__["_degrees"] = degrees
        mirror._collaborators, mirror._summary = collaborators, summary
        mirror._arrow_tables, mirror.__dict__["_own_rows"] = tables, own_rows
        return mirror

    @classmethod
    def from_arrays(cls, *, n_people: int, n_films: int, role_names, arrays: dict) -> "Mirror":
        """A mirror of the credit and link arrays alone: adjacency views, degrees and role sets, no ids or tables.

        What the graph index is written from when it is built from the
        store's Parquet tables (:mod:`reelgraph._index_build`): the same
        views and degrees as a full mirror's, without pandas tables.

        Parameters
        ----------
        n_people, n_films : int
        role_names : list of str
        arrays : dict
            ``credit_person``, ``credit_film``, ``credit_role``,
            ``similar_src``, ``similar_dst``, ``film_year``, ``film_votes``
            (see :class:`Mirror`).

        Examples
        --------
        >>> import numpy as np
        >>> m = Mirror.from_arrays(n_people=1, n_films=1, role_names=["actor"], arrays={
        ...     "credit_person": np.array([0], np.int32), "credit_film": np.array([1], np.int32),
        ...     "credit_role": np.array([0], np.int16), "similar_src": np.array([], np.int32),
        ...     "similar_dst": np.array([], np.int32)})
        >>> m.view(m.role_set()).indices.tolist(), m.degrees().tolist()
        ([1, 0], [1, 1])
        """
        mirror = cls.__new__(cls)
        mirror.n_people, mirror.n_films, mirror.role_names = int(n_people), int(n_films), list(role_names)
        for name, array in arrays.items():
            setattr(mirror, name, array)
        mirror._views, mirror._lock = {}, threading.Lock()
        return mirror

    @cached_property
    def film_graph(self) -> FilmGraph:
        """The canonical tables (from the persisted index: read whole on first use)."""
        people, films = (self._index_rows(name, slice(0, self._own_rows[name])) for name in ("people", "films"))
        return FilmGraph(people=people, films=films, credits=self._index_rows("credits"),
                         similar=self._index_rows("similar"))

    @cached_property
    def people(self) -> pd.DataFrame:
        return self._index_rows("people")

    @cached_property
    def films(self) -> pd.DataFrame:
        return self._index_rows("films")

    def table_rows(self, table: str, rows, columns) -> pd.DataFrame:
        """Some rows of some columns of a table, in canonical dtypes, without reading the rest.

        ``people`` and ``films`` rows are node-aligned (row ``j`` of films is
        node ``n_people + j``); ``credits`` and ``similar`` rows are in the
        order of ``film_graph``'s, as :attr:`credit_person` and
        :attr:`similar_src` are.
        """
        columns = list(columns)
        if self._arrow_tables is None or table in self.__dict__:
            frame = self.__dict__.get(table) if table in ("people", "films") else getattr(self.film_graph, table)
            return frame[columns].iloc[rows]
        rows = np.asarray(rows)
        return self._index_rows(table, np.flatnonzero(rows) if rows.dtype == bool else rows.astype(np.int64), columns)

    def arrow_column(self, table: str, column: str, rows=None) -> pa.ChunkedArray:
        """One column of a table as Arrow (node-aligned for people and films): mapped, not copied, when it can be.

        ``rows``: only those rows (offsets in the table), in their order.
        """
        from reelgraph.graph_index import decoded, take_rows

        if self._arrow_tables is None or table in self.__dict__:
            frame = self.__dict__.get(table) if table in ("people", "films") else getattr(self.film_graph, table)
            values = frame[column] if rows is None else frame[column].iloc[rows]
            return pa.chunked_array([pa.array(values, from_pandas=True)])
        arrow = self._arrow_tables[table]
        if column not in arrow.column_names:  # an index written before the column existed: no values
            return pa.chunked_array([pa.nulls(arrow.num_rows if rows is None else len(rows))])
        if rows is not None:  # a take of a table of many chunks: not Arrow's, which copies every chunk first
            return take_rows(arrow.select([column]), rows).column(column)
        return decoded(arrow.select([column])).column(column)

    def _index_rows(self, table: str, rows=None, columns=None) -> pd.DataFrame:
        """Rows (all, a slice or indexes) of a table of the persisted index, its columns in canonical order."""
        from reelgraph.graph_index import ID_COLUMNS, decoded, take_rows

        arrow = self._arrow_tables[table]
        if isinstance(rows, slice):
            arrow, rows = arrow.slice(rows.start, rows.stop - rows.start), np.arange(rows.start, rows.stop)
        elif rows is not None:
            arrow = take_rows(arrow, rows)
        else:
            rows = np.arange(arrow.num_rows)
        out = {}
        for name in TABLE_COLUMNS[table]:
            if columns is not None and name not in columns:
                continue
            if name in ID_COLUMNS.get(table, {}):  # kept as node indexes
                out[name] = pa.array(self.ids[getattr(self, ID_COLUMNS[table][name])[rows]], type=pa.string())
            elif name not in arrow.column_names:  # an index written before the column existed: no values
                out[name] = pa.nulls(len(rows))
            else:
                out[name] = arrow.column(name)
        frame = frame_from_arrow(decoded(pa.table(out)), table)
        return frame if columns is None else frame[list(columns)]

    # -- identity ----------------------------------------------------------

    @property
    def n_nodes(self) -> int:
        return self.n_people + self.n_films

    @cached_property
    def _index(self) -> pd.Index:
        return pd.Index(self.ids)

    @cached_property
    def _people_by_number(self) -> np.ndarray | None:
        """Node index of each person by the number of an id written IMDb's way (-1: nobody); None if not worth it.

        A path query looks its two people up first, and on a graph out of
        the CPU's cache a hash lookup of a string is two or three waits for
        memory (about 1 us each) where this array is one.  Built on the
        first lookup (0.1 s for 850k people), when the numbers fill at least
        one slot in :data:`_SLOTS_PER_PERSON` (4 bytes a slot: 70 MB for a
        real 500k-movie graph, whose people hold IMDb numbers up to 17M);
        a mirror from the graph index keeps the index's own lookup.
        """
        numbers = imdb_numbers(pa.array(self.ids[: self.n_people], type=pa.string()), IMDB_PERSON_PREFIX, limit=1 << 31)
        top = int(numbers.max(initial=-1))
        if top < 0 or top >= _SLOTS_PER_PERSON * max(self.n_people, 1 << 16):
            return None
        by_number = np.full(top + 1, -1, dtype=np.int32)
        numbered = numbers >= 0
        by_number[numbers[numbered]] = np.flatnonzero(numbered)
        return by_number

    def index_of(self, node_id: str) -> int:
        """Node index of an id; ``KeyError`` if the mirror has no such node."""
        by_number = self._people_by_number
        if by_number is not None:
            number = imdb_number(node_id, IMDB_PERSON_PREFIX)
            if 0 <= number < len(by_number):
                index = int(by_number[number])
                if index >= 0:
                    return index
        # get_loc is a hash lookup (about a microsecond); ids are unique by construction.
        loc = self._index.get_loc(node_id)
        if not isinstance(loc, (int, np.integer)):
            raise KeyError(node_id)
        return int(loc)

    def indexes_of(self, node_ids) -> np.ndarray:
        """Node indexes of many ids at once (-1 for an unknown id)."""
        return self._index.get_indexer(list(node_ids)).astype(np.int64)

    def __contains__(self, node_id) -> bool:
        if not isinstance(node_id, str):
            return False
        try:
            self.index_of(node_id)
        except KeyError:
            return False
        return True

    @property
    def film_ids(self) -> np.ndarray:
        """Ids of the film nodes, in index order."""
        return self.ids[self.n_people:]

    def is_person(self, index: int) -> bool:
        return 0 <= index < self.n_people

    def is_film(self, index: int) -> bool:
        return self.n_people <= index < self.n_nodes

    def label(self, index: int) -> str:
        """Name of a person or title of a film; the id when the tables have neither."""
        if "labels" in self.__dict__:  # all known already (a mirror from the graph index maps them)
            return self.labels[index]
        if index < self.n_people:
            value = self.people["name"].iat[index]
        else:
            value = self.films["title"].iat[index - self.n_people]
        return value if isinstance(value, str) and value else str(self.ids[index])

    @cached_property
    def labels(self) -> np.ndarray:
        """Labels of every node (names, then titles), ids where unknown."""
        names = self.people["name"].to_numpy(dtype=object)
        titles = self.films["title"].to_numpy(dtype=object)
        out = np.concatenate([names, titles])
        missing = pd.isna(out) | (out == "")
        out[missing] = self.ids[missing]
        return out

    def year(self, index: int):
        """Year of a film node, or ``None``."""
        y = self.film_year[index - self.n_people]
        return None if y == MISSING_INT else int(y)

    def node(self, node_id: str) -> dict:
        """Attributes of one node, as the NetworkX mirror has them.

        Examples
        --------
        >>> from reelgraph.model import LIST_COLUMNS, FilmGraph
        >>> m = build_mirror(FilmGraph.from_records(films=[{"id": "tt0000001", "title": "A", "year": 2000}]))
        >>> m.node("tt0000001")["label"], m.node("tt0000001")["year"]
        ('A', 2000)
        """
        return self._node_attrs(self.index_of(node_id))

    def _node_attrs(self, i: int) -> dict:
        return self._node_attr_dicts([i])[0]

    def _node_attr_dicts(self, indexes) -> list[dict]:
        """Attributes of many nodes as :meth:`node` gives them, read column by column (not row by row)."""
        indexes = np.asarray(indexes, dtype=np.int64)
        out: list = [None] * len(indexes)
        is_person = indexes < self.n_people
        where = np.flatnonzero(is_person)
        if len(where):
            rows = indexes[where]
            births, professions = _plain_columns(self.table_rows("people", rows, ["birth_year", "professions"]))
            for k, label, birth, jobs in zip(where.tolist(), self.labels[rows], births, professions):
                out[k] = {"kind": "person", "label": label, "birth_year": birth,
                          "professions": list(jobs) if isinstance(jobs, list) else []}
        where = np.flatnonzero(~is_person)
        if len(where):
            rows = indexes[where]
            columns = ["year", "rating", "votes", "genres", "title_type", "stub", "cluster"]
            values = _plain_columns(self.table_rows("films", rows - self.n_people, columns))
            for k, label, year, rating, votes, genres, title_type, stub, cluster in zip(
                    where.tolist(), self.labels[rows], *values):
                out[k] = {"kind": "film", "label": label, "year": year, "rating": rating, "votes": votes,
                          "genres": list(genres) if isinstance(genres, list) else [], "title_type": title_type,
                          "stub": bool(stub) if stub is not None else False, "cluster": cluster}
        return out

    # -- adjacency ---------------------------------------------------------

    def role_set(self, *, actors_only: bool = True, exclude_roles=DEFAULT_EXCLUDED_ROLES) -> frozenset:
        """The credit roles a co-star link may use, from the path options."""
        roles = set(ACTING_ROLES) if actors_only else set(self.role_names)
        return frozenset(roles - set(exclude_roles or ()))

    def view(self, roles) -> CsrView:
        """The person–film CSR adjacency keeping only credits of ``roles`` (cached).

        Building it is one sort of the kept credits; views are cached per role
        set because a path query with the same options must not pay it again.
        """
        roles = frozenset(roles)
        with self._lock:
            cached = self._views.get(roles)
            if cached is None:
                cached = self._views[roles] = (self.view_builder or self._build_view)(roles)
            return cached

    #: The memory maps of the graph index a mirror was opened from (:func:`reelgraph.graph_index.open_index`).
    mapped_files = ()

    #: Makes a view instead of :meth:`_build_view` when set (``roles`` -> :class:`CsrView`): a graph
    #: index patched after a small edit splices the old index's views (:mod:`reelgraph._index_reuse`).
    view_builder = None

    def role_mask(self, roles) -> np.ndarray:
        """Whether each role code is one of ``roles`` (a code more, false: room for a missing role)."""
        keep = np.zeros(len(self.role_names) + 1, dtype=np.bool_)
        keep[[i for i, name in enumerate(self.role_names) if name in roles]] = True
        return keep

    def _build_view(self, roles: frozenset) -> CsrView:
        from reelgraph._index_build import person_film_csr  # numba: compiled once, cached on disk

        # One edge per (person, film) pair, each row sorted: a counting sort
        # by node, not a sort of all credits (a few times faster at 4M), in
        # int32 work arrays while they fit (half the memory at IMDb's size).
        indices, counts = person_film_csr(np.asarray(self.credit_person), np.asarray(self.credit_film),
                                          np.asarray(self.credit_role), self.role_mask(roles), self.n_nodes)
        return csr_view(roles, indices, counts)

    # -- NetworkX ----------------------------------------------------------

    @cached_property
    def nx(self):
        """The NetworkX mirror (built on first use; meant for small graphs).

        An undirected :class:`networkx.Graph`: node keys are ids, node
        attributes ``kind``, ``label`` and the per-kind attributes of
        :meth:`node`; one edge per (person, film) with ``roles`` (sorted list),
        ``characters`` (list) and ``billing`` (smallest).  The "More like this"
        links are a separate :class:`networkx.DiGraph` in
        ``G.graph["similar"]`` (edge attributes ``rank``, ``source``) so that
        no path over ``G`` can use them.
        """
        return self.to_networkx()

    def as_networkx_backend(self):
        """The graph of :attr:`nx` as reelgraph's NetworkX backend graph, over these arrays (nothing copied).

        NetworkX functions called on it run on the arrays where
        :mod:`reelgraph.nx_backend` implements them, in NetworkX otherwise.

        Examples
        --------
        >>> import networkx as nx
        >>> from reelgraph.model import FilmGraph
        >>> m = build_mirror(FilmGraph.from_records(
        ...     credits=[{"person_id": p, "film_id": "tt0000001", "role": "actor"} for p in ("nm0000001", "nm0000002")]))
        >>> nx.shortest_path(m.as_networkx_backend(), "nm0000001", "nm0000002")
        ['nm0000001', 'tt0000001', 'nm0000002']
        """
        from reelgraph.nx_backend import ReelgraphGraph

        return ReelgraphGraph.from_mirror(self)

    def to_networkx(self, nodes=None):
        """Build the NetworkX mirror (see :attr:`nx`), or the part of it on ``nodes``.

        Parameters
        ----------
        nodes : iterable of str, optional
            Ids to keep: the graph induced on them (their node attributes,
            the credit edges and "More like this" links between two of
            them), in the same order as the whole graph's.  Views cut out
            of a large mirror this way skip the whole graph, which at IMDb's
            scale takes minutes and gigabytes to build.  Since a cut-out
            misses the edges that leave it, ``G.graph["degree"]`` then holds
            each kept node's degree in the whole mirror (credit neighbours
            plus "More like this" links), which the views rank and size by.

        Examples
        --------
        >>> from reelgraph.model import FilmGraph
        >>> m = build_mirror(FilmGraph.from_records(
        ...     films=[{"id": "tt0000001", "title": "A"}, {"id": "tt0000002", "title": "B"}],
        ...     credits=[{"person_id": "nm0000001", "film_id": f, "role": "actor"} for f in ("tt0000001", "tt0000002")]))
        >>> G = m.to_networkx(nodes=["nm0000001", "tt0000001"])
        >>> sorted(G.edges()), G.graph["degree"]["nm0000001"]
        ([('nm0000001', 'tt0000001')], 2)
        """
        import networkx as nx

        if nodes is None:
            keep = None
            kept = np.arange(self.n_nodes)
        else:
            indexes = self.indexes_of(nodes)
            if (indexes < 0).any():
                unknown = [n for n, i in zip(list(nodes), indexes) if i < 0]
                raise KeyError(f"not in the mirror: {', '.join(map(str, unknown[:5]))}")
            keep = np.zeros(self.n_nodes, dtype=bool)
            keep[indexes] = True
            kept = np.flatnonzero(keep)
        G = nx.Graph()
        G.add_nodes_from(zip(self.ids[kept], self._node_attr_dicts(kept)))
        rows = np.arange(len(self.credit_person)) if keep is None else np.flatnonzero(keep[self.credit_person] & keep[self.credit_film])
        if len(rows):
            credits = self.table_rows("credits", rows, ["role", "characters", "billing"])
            frame = pd.DataFrame(
                {
                    "p": self.credit_person[rows],
                    "f": self.credit_film[rows],
                    "role": credits["role"].to_numpy(dtype=object),
                    "characters": credits["characters"].to_numpy(dtype=object),
                    "billing": credits["billing"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan),
                }
            )
            for (p, f), group in frame.groupby(["p", "f"], sort=True):
                roles = sorted({r for r in group["role"] if isinstance(r, str)})
                characters = []
                for cell in group["characters"]:
                    for c in cell if isinstance(cell, list) else ():
                        if c not in characters:
                            characters.append(c)
                billing = group["billing"].min()
                G.add_edge(self.ids[p], self.ids[f], roles=roles, characters=characters, billing=None if np.isnan(billing) else int(billing))
        similar = nx.DiGraph()
        similar.add_nodes_from(self.ids[kept[kept >= self.n_people]])
        links = np.arange(len(self.similar_src)) if keep is None else np.flatnonzero(keep[self.similar_src] & keep[self.similar_dst])
        sim = self.table_rows("similar", links, ["rank", "source"])
        for s, d, rank, source in zip(self.similar_src[links], self.similar_dst[links], sim["rank"].to_numpy(dtype=object),
                                      sim["source"].to_numpy(dtype=object)):
            similar.add_edge(self.ids[s], self.ids[d], rank=_plain(rank), source=_plain(source))
        G.graph["similar"] = similar
        if keep is not None:
            degree = self.degrees()
            G.graph["degree"] = dict(zip(self.ids[kept], degree[kept].tolist()))
        return G

    def degrees(self) -> np.ndarray:
        """Each node's degree in :attr:`nx`: distinct credit neighbours plus "More like this" links (in and out)."""
        return self._degrees

    @cached_property
    def _degrees(self) -> np.ndarray:
        view = self.view(frozenset(self.role_names))
        degree = np.asarray(view.degree).astype(np.int64)  # (a copy, whatever its type)
        # (added in place: a count of every node would be an array of 230 MB at IMDb's size, for a few links)
        np.add.at(degree, link_ends(self.similar_src, self.similar_dst, self.n_nodes), 1)
        return degree

    def neighbourhood(self, node_ids, depth: int, *, similar: bool = True) -> list:
        """Ids within ``depth`` steps of any of ``node_ids`` in :attr:`nx`, the starting ones included.

        A step follows a credit of any role or, with ``similar``, a "More like
        this" link either way: the ball a view of that depth explores, to cut
        out with :meth:`to_networkx`.
        """
        adjacency = [self.view(frozenset(self.role_names))]
        if similar and len(self.similar_src):
            both = (np.concatenate([self.similar_src, self.similar_dst]), np.concatenate([self.similar_dst, self.similar_src]))
            order = np.argsort(both[0], kind="stable")
            indptr = np.zeros(self.n_nodes + 1, dtype=np.int64)
            np.cumsum(np.bincount(both[0], minlength=self.n_nodes), out=indptr[1:])
            adjacency.append(CsrView(frozenset(), indptr, both[1][order].astype(np.int32), np.diff(indptr)))
        seen = np.zeros(self.n_nodes, dtype=bool)
        frontier = np.unique(self.indexes_of(node_ids))
        if (frontier < 0).any():
            raise KeyError("not in the mirror: " + ", ".join(str(n) for n in node_ids if n not in self))
        seen[frontier] = True
        for _ in range(depth):
            reached = np.unique(np.concatenate([csr.neighbours(frontier) for csr in adjacency]))
            frontier = reached[~seen[reached]]
            if not len(frontier):
                break
            seen[frontier] = True
        return self.ids[np.flatnonzero(seen)].tolist()

    def subgraph(self, node_ids) -> FilmGraph:
        """The canonical tables of the part of the graph on ``node_ids``: their rows, and the credits and links between them.

        Only those rows are read, so a neighbourhood of a whole-IMDb store
        exports in a moment.

        Examples
        --------
        >>> from reelgraph.model import FilmGraph
        >>> m = build_mirror(FilmGraph.from_records(
        ...     films=[{"id": "tt0000001", "title": "A"}, {"id": "tt0000002", "title": "B"}],
        ...     people=[{"id": "nm0000001", "name": "Ann"}],
        ...     credits=[{"person_id": "nm0000001", "film_id": f, "role": "actor"} for f in ("tt0000001", "tt0000002")]))
        >>> part = m.subgraph(["nm0000001", "tt0000002"])
        >>> part.films["title"].tolist(), part.credits["film_id"].tolist()
        (['B'], ['tt0000002'])
        """
        indexes = self.indexes_of(node_ids)
        if (indexes < 0).any():
            raise KeyError("not in the mirror: " + ", ".join(str(n) for n, i in zip(node_ids, indexes) if i < 0))
        keep = np.zeros(self.n_nodes, dtype=bool)
        keep[indexes] = True
        own = self._own_rows
        people = np.flatnonzero(keep[: self.n_people])
        films = np.flatnonzero(keep[self.n_people :])
        columns = {name: list(TABLE_COLUMNS[name]) for name in TABLE_COLUMNS}
        return FilmGraph(
            people=self.table_rows("people", people[people < own["people"]], columns["people"]).reset_index(drop=True),
            films=self.table_rows("films", films[films < own["films"]], columns["films"]).reset_index(drop=True),
            credits=self.table_rows("credits", np.flatnonzero(keep[self.credit_person] & keep[self.credit_film]),
                                    columns["credits"]).reset_index(drop=True),
            similar=self.table_rows("similar", np.flatnonzero(keep[self.similar_src] & keep[self.similar_dst]),
                                    columns["similar"]).reset_index(drop=True),
        )

    @cached_property
    def _own_rows(self) -> dict:
        """How many node-aligned rows of ``people`` and ``films`` are the tables' own (the rest: ids named only by credits or links)."""
        fg = self.film_graph
        return {"people": len(pd.unique(fg.people["id"].dropna())), "films": len(pd.unique(fg.films["id"].dropna()))}

    def __repr__(self) -> str:
        return f"<Mirror {self.n_people} people, {self.n_films} films, {len(self.credit_person)} credits, {len(self.similar_src)} links>"


def link_ends(source: np.ndarray, target: np.ndarray, n_nodes: int) -> np.ndarray:
    """The two ends of each distinct "More like this" link, as a node's degree counts them.

    One link per (source, target) pair, as a DiGraph keeps it; a self-link counts twice.
    """
    pairs = np.unique(np.asarray(source, np.int64) * n_nodes + np.asarray(target, np.int64))
    return np.concatenate([pairs // n_nodes, pairs % n_nodes])


def _ids_and_codes(own: pd.Series, references: list[pd.Series]):
    """Node ids (the table's ids, then unseen referenced ids) and the codes of each reference."""
    ids = pd.unique(own.dropna().astype(object).to_numpy())
    index = pd.Index(ids)
    codes = []
    extra: list = []
    extra_index: dict = {}
    for ref in references:
        # Factorize first: one hash of each distinct id instead of per row.
        ref_codes, uniques = pd.factorize(ref.astype(object), use_na_sentinel=True)
        loc = index.get_indexer(uniques) if len(uniques) else np.empty(0, dtype=np.int64)
        for j in np.flatnonzero(loc < 0):
            value = uniques[j]
            if value not in extra_index:
                extra_index[value] = len(ids) + len(extra)
                extra.append(value)
            loc[j] = extra_index[value]
        # A missing id in a reference (should not happen in canonical tables)
        # maps to -1 and is dropped by the consumers.
        codes.append(np.where(ref_codes >= 0, loc[ref_codes] if len(loc) else -1, -1).astype(np.int32))
    all_ids = np.concatenate([ids, np.asarray(extra, dtype=object)]) if extra else ids
    return all_ids.astype(object), codes


def _aligned(table: pd.DataFrame, ids: np.ndarray, name: str) -> pd.DataFrame:
    """``table`` with exactly one row per id, in ``ids`` order (no copy when it already is)."""
    if len(table) == len(ids) and (table["id"].to_numpy(dtype=object) == ids).all():
        return table
    first = table.drop_duplicates("id", keep="first").set_index("id")
    out = first.reindex(pd.Index(ids, name="id")).reset_index()
    out["id"] = out["id"].astype(object)  # reset_index infers a string dtype; the canonical tables hold objects
    for column in out.columns[out.dtypes == object]:  # and None for missing text, where reindex puts NaN
        out[column] = out[column].where(out[column].notna(), None)
    # Rows added for ids the table lacks get empty lists, as normalize_table gives.
    for column in LIST_COLUMNS[name]:
        if column in out.columns:
            out[column] = [v if isinstance(v, list) else [] for v in out[column]]
    return out


def _plain_columns(part: pd.DataFrame) -> list:
    """Plain Python values (None for missing) of each column of ``part``, column by column."""
    return [[_plain(v) for v in part[c].to_numpy(dtype=object)] for c in part.columns]


def _plain(value):
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    if isinstance(value, np.generic):
        return value.item()
    return value


def build_mirror(film_graph: FilmGraph) -> Mirror:
    """Build the mirror of the canonical tables.

    Parameters
    ----------
    film_graph : FilmGraph
        The canonical tables (kept by reference; do not mutate them while the
        mirror is in use).

    Returns
    -------
    Mirror
        Compact arrays for analysis; ``mirror.nx`` is the NetworkX graph
        (film and person nodes keyed by id, credit edges, "More like this"
        links in ``mirror.nx.graph["similar"]``).

    Examples
    --------
    >>> from reelgraph.model import LIST_COLUMNS, FilmGraph
    >>> g = FilmGraph.from_records(
    ...     films=[{"id": "tt0000001", "title": "A"}],
    ...     people=[{"id": "nm0000001", "name": "Ann"}],
    ...     credits=[{"person_id": "nm0000001", "film_id": "tt0000001", "role": "actor"}])
    >>> m = build_mirror(g)
    >>> m.nx.edges["nm0000001", "tt0000001"]["roles"]
    ['actor']
    """
    if isinstance(film_graph, Mirror):
        return film_graph
    return Mirror(film_graph)


def mirror_counts(mirror) -> dict:
    """Node counts per label and relationship counts per type, as Neo4j counts them.

    The rule (the Neo4j store follows the same one):

    * ``Film``: every film id of the ``films`` table, plus any film id a
      credit or a "More like this" link names without a row; ``Person``
      likewise from ``people`` and credits; ``Genre``: distinct genre names;
    * one relationship per distinct (person, film, type) of the credits:
      ``actor`` -> ``ACTED_IN``, ``director`` -> ``DIRECTED``, ``writer`` ->
      ``WROTE``, ``producer`` -> ``PRODUCED``, ``composer`` -> ``COMPOSED``,
      any other role -> ``WORKED_ON``, one per role (a person credited
      twice as an actor in one film is one ``ACTED_IN``, as ``MERGE`` makes it);
    * one ``IN_GENRE`` per distinct (film, genre);
    * one ``MORE_LIKE_THIS`` per row of ``similar``.

    Parameters
    ----------
    mirror : Mirror or FilmGraph

    Returns
    -------
    dict
        ``{"nodes": {"Film": n, "Person": n, "Genre": n}, "relationships":
        {type: n, ...}}`` with every type of :data:`RELATIONSHIP_TYPES`.

    Examples
    --------
    >>> from reelgraph.model import LIST_COLUMNS, FilmGraph
    >>> g = FilmGraph.from_records(
    ...     films=[{"id": "tt0000001", "title": "A", "genres": ["Drama"]}],
    ...     credits=[{"person_id": "nm0000001", "film_id": "tt0000001", "role": "editor"}])
    >>> mirror_counts(g)["relationships"]["WORKED_ON"], mirror_counts(g)["nodes"]["Person"]
    (1, 1)
    """
    m = build_mirror(mirror)
    rels = dict.fromkeys(RELATIONSHIP_TYPES, 0)
    # Roles of one type share a code, except WORKED_ON's, which keep their own (the role is part of its key).
    type_names = [relationship_type(name) for name in m.role_names]
    type_code = np.array([type_names.index(t) if t != OTHER_ROLE else i for i, t in enumerate(type_names)],
                         dtype=np.int64)
    if len(m.credit_role):
        code = type_code[m.credit_role.astype(np.int64)]
        key = (m.credit_person.astype(np.int64) * m.n_nodes + m.credit_film) * max(len(type_names), 1) + code
        unique_codes = np.unique(key) % max(len(type_names), 1)
        for i, count in enumerate(np.bincount(unique_codes, minlength=len(type_names))):
            rels[type_names[i]] += int(count)
    films = m.film_graph.films
    pairs = set()
    genres = set()
    for film_id, cell in zip(films["id"], films["genres"]):
        for genre in cell if isinstance(cell, list) else ():
            pairs.add((film_id, genre))
            genres.add(genre)
    rels[IN_GENRE] = len(pairs)
    rels[MORE_LIKE_THIS] = len(m.similar_src)
    return {"nodes": dict(zip(NODE_LABELS, (m.n_films, m.n_people, len(genres)))), "relationships": rels}
