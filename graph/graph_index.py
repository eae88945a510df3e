"""The persisted graph index: the mirror's arrays, written with the store, memory-mapped by every command.

Building the mirror (:class:`~reelgraph.mirror.Mirror`) from the store's
tables takes seconds at 500k movies and minutes at IMDb's whole size
(reading every table into pandas, hashing every id, sorting every credit),
yet a path query touches a few thousand entries of the person-film
adjacency and prints seven labels.  So whenever the store changes, its
writer also writes the mirror itself, in ``index/`` inside the store folder,
where it is swapped in with the tables it was built from:

* ``index.json``: the index format, the store version it belongs to, the
  counts, the role names, the store's summary (what ``reelgraph stats``
  prints) and every file's size;
* ``*.npy``: the integer arrays (credits, links, years, votes, degrees, the
  CSR adjacency of the role sets commands use, id hashes sorted for
  lookups), opened with ``numpy.load(mmap_mode="r")``.  The credit arrays
  only grow while credits are only appended: a write then appends to the
  old files (:meth:`_IndexWriter.extend`), and each version reads as many
  rows as its ``index.json`` says.  A view patched for a small edit links
  the old view's ``indptr`` and ``indices`` (its base) and writes the rows
  that changed apart (``view0_delta_nodes``, ``_delta_indptr``,
  ``_delta_indices``), until they outgrow a share of it
  (:meth:`reelgraph._index_reuse.Reused.write_view`); degrees and
  collaborator counts likewise link the old file and write the rows that
  changed as its overlay (``degrees_overlay_nodes``, ``_overlay_values``),
  put in as the file is mapped copy-on-write (:func:`overlaid`);
* ``similar.arrow`` and the folders ``people/``, ``films/`` (the tables
  aligned to the node indexes), ``credits/`` (the credits' columns but
  their ids) and ``nodes/`` (ids, labels, labels normalised for name
  resolution): Arrow IPC files, uncompressed so that they map too, of which
  a command reads the rows it shows.  The first three folders hold a file
  per chunk of the store's table (:mod:`reelgraph._parquet_table`), with
  the same rows, and ``nodes/`` a file per chunk of ``people/`` then of
  ``films/``; a write links the old index's file where the store's chunk
  is the same file as before (its inode, size and time:
  :func:`chunk_source`), so adding a page writes the chunks of its
  rows only.  (A table whose rows are not its nodes, because credits name
  people or films without a row, is cut into chunks that are never
  linked.)

Opening an index reads ``index.json`` only; the operating system pages in
what a query touches.  An index that is missing (a store written by an
earlier reelgraph), stale (built for another version of the store) or
damaged (a file missing, short or unreadable) is never trusted: it is
rebuilt from the tables, with a message and a progress bar, and put in place
of the old one.
"""

from __future__ import annotations

import io
import json
import logging
import mmap
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from reelgraph import _parquet_table as parquet_table
from reelgraph._durable import link, sync_folder_entries, sync_tree
from reelgraph.errors import StoreError
from reelgraph.model import FilmGraph, arrow_types

__all__ = ["INDEX_FORMAT", "INDEX_FOLDER", "write_index", "write_index_from_tables", "open_index", "ensure_index",
           "ArrowStrings", "IdLookup", "take_rows", "chunk_source", "linkable_chunks"]

log = logging.getLogger(__name__)

#: The layout of ``index/``; an index of another format is rebuilt, never read.
#: 2: people, films and credits as chunk files (``credits/000000.arrow``, ...), each linked while its store chunk stays.
#: 3: the nodes too (``nodes/``), a chunk per chunk of ``people/`` then of ``films/``, linked with it.
#: 4: a view may hold the rows a small edit changed apart from its base (``view0_delta_nodes.npy``, ...),
#:    and an array of degrees or counts the rows that changed as an overlay (``degrees_overlay_nodes.npy``, ...).
INDEX_FORMAT = 4
#: The formats this reelgraph reads (a format-3 index is a format-4 one without deltas); it writes :data:`INDEX_FORMAT`.
READABLE_FORMATS = (3, 4)

#: The index's folder inside a store folder.
INDEX_FOLDER = "index"

_TABLES = ("people", "films", "credits", "similar")
#: The tables written as chunk files in a folder of their own, in the row order of their store table's chunks.
_CHUNKED = ("people", "films", "credits", "nodes")
_ARRAYS = ("credit_person", "credit_film", "credit_role", "similar_src", "similar_dst", "film_year", "film_votes")
#: The arrays a write may extend in place (:meth:`_IndexWriter.extend`): ``index.json`` gives the rows of each.
_GROWING = ("credit_person", "credit_film", "credit_role")
#: The arrays of a value a film a patched write keeps as the old file and an overlay (:meth:`reelgraph._index_reuse.Reused.write_overlaid`).
_PER_FILM = ("film_year", "film_votes")


# -- reading ---------------------------------------------------------------------------


class ArrowStrings:
    """A read-only array of strings over Arrow (memory-mapped), indexed like a numpy object array.

    ``strings[i]`` is one ``str``; an array of indexes, a boolean mask or a
    slice gives a numpy object array of just those strings.  The whole
    column becomes Python strings only when asked (``numpy.asarray``):
    at IMDb's size that is gigabytes a command showing seven labels must
    not pay.  The strings may be one Arrow array or several (the index's
    ``nodes/`` chunks), never copied into one.

    Examples
    --------
    >>> import pyarrow as pa
    >>> s = ArrowStrings(pa.chunked_array([["nm1", "nm2"], ["tt1"]]))
    >>> s[1], s[[2, 0]].tolist(), s[1:3].tolist(), len(s)
    ('nm2', ['tt1', 'nm1'], ['nm2', 'tt1'], 3)
    """

    def __init__(self, array):
        self._array = _fewest_chunks(array) if isinstance(array, pa.ChunkedArray) else array

    def __len__(self) -> int:
        return len(self._array)

    def __getitem__(self, key):
        if isinstance(key, (int, np.integer)):
            return self._array[int(key)].as_py()
        if isinstance(key, slice):
            start, stop, step = key.indices(len(self))
            part = self._array.slice(start, max(stop - start, 0)) if step == 1 else None
            return np.asarray(self)[key] if part is None else _object_array(part)
        key = np.asarray(key)
        if key.dtype == bool:
            key = np.flatnonzero(key)
        return _object_array(take_strings(self._array, key))

    def __array__(self, dtype=None, copy=None):
        out = _object_array(self._array)
        return out if dtype is None else out.astype(dtype)

    def __iter__(self):
        return iter(self._array.to_pylist())

    def tolist(self) -> list:
        return self._array.to_pylist()

    def astype(self, dtype):
        return np.asarray(self).astype(dtype)

    @property
    def arrow(self) -> pa.Array | pa.ChunkedArray:
        """The strings as Arrow, without a copy: one array, or a chunked array of several."""
        return self._array


def take_strings(array, rows) -> pa.Array:
    """``array[rows]`` (Arrow, one array or chunked), each chunk taking its own rows.

    Written here rather than ``ChunkedArray.take``, which concatenates the
    chunks first: at IMDb's size a copy of 1.4 GB of labels to show seven.
    """
    rows = np.asarray(rows, dtype=np.int64)
    if not isinstance(array, pa.ChunkedArray) or array.num_chunks <= 1:
        return _one_array(array).take(pa.array(rows, type=pa.int64()))
    picked, back = _by_chunk([len(chunk) for chunk in array.chunks], rows)
    if not picked:
        return array.chunk(0).slice(0, 0)
    return pa.concat_arrays([array.chunk(c).take(local) for c, local in picked]).take(back)


def _by_chunk(lengths: list[int], rows: np.ndarray) -> tuple[list[tuple[int, pa.Array]], pa.Array]:
    """``rows`` of chunks of ``lengths`` rows, split by chunk: ``[(chunk, its rows)]`` in chunk order, and
    the positions that put the rows so taken, concatenated, back in the order of ``rows``."""
    starts = np.cumsum([0] + list(lengths))
    which = np.searchsorted(starts, rows, side="right") - 1
    order = np.argsort(which, kind="stable")
    picked, at = [], 0
    for c, count in zip(*np.unique(which[order], return_counts=True)):
        picked.append((int(c), pa.array(rows[order[at: at + count]] - starts[c], type=pa.int64())))
        at += count
    back = np.empty(len(rows), dtype=np.int64)
    back[order] = np.arange(len(rows))
    return picked, pa.array(back, type=pa.int64())


def _one_array(array) -> pa.Array:
    """One Arrow array of ``array``: a chunked array of one chunk is that chunk, without a copy.

    ``combine_chunks`` copies even a single chunk: at IMDb's size the index's
    ids, labels and keys are 1.5 GB that every command would read and copy
    on opening (2-3 s) to show a few labels.
    """
    if isinstance(array, pa.ChunkedArray):
        return array.chunk(0) if array.num_chunks == 1 else array.combine_chunks()
    return array


def _npy_header(dtype: np.dtype, length: int) -> bytes:
    """The header ``numpy.save`` writes for a one-dimensional array of ``length`` rows of ``dtype``."""
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False,
                                               "shape": (int(length),)})
    return out.getvalue()


def _fewest_chunks(array: pa.ChunkedArray):
    """``array`` as one Arrow array when it has one chunk (without a copy), else as it is."""
    return array.chunk(0) if array.num_chunks == 1 else array


def _object_array(array: pa.Array) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=object)


def _hashes(ids) -> np.ndarray:
    # pandas' SipHash with its fixed key: the same id hashes the same in every process.
    return pd.util.hash_array(np.asarray(ids, dtype=object), categorize=False)


class IdLookup:
    """Node index of an id, by binary search in the ids' hashes (sorted, memory-mapped).

    It answers as :class:`pandas.Index` does for the mirror (``get_loc``,
    ``get_indexer``) without hashing every id of the graph in each process:
    the hashes were sorted when the index was written.

    Examples
    --------
    >>> import pyarrow as pa
    >>> ids = ArrowStrings(pa.array(["nm1", "tt9", "tt2"]))
    >>> lookup = IdLookup.build(ids)
    >>> lookup.get_loc("tt2"), lookup.get_indexer(["tt9", "nope"]).tolist()
    (2, [1, -1])
    """

    def __init__(self, ids, hashes: np.ndarray, order: np.ndarray):
        self._ids, self._hashes, self._order = ids, hashes, order

    @classmethod
    def build(cls, ids) -> "IdLookup":
        hashes = _hashes(np.asarray(ids, dtype=object))
        order = np.argsort(hashes, kind="stable").astype(np.int64)
        return cls(ids, hashes[order], order)

    def get_loc(self, node_id) -> int:
        found = int(self.get_indexer([node_id])[0])
        if found < 0:
            raise KeyError(node_id)
        return found

    def get_indexer(self, node_ids) -> np.ndarray:
        node_ids = np.asarray(list(node_ids), dtype=object)
        out = np.full(len(node_ids), -1, dtype=np.int64)
        if not len(node_ids) or not len(self._hashes):
            return out
        wanted = _hashes(node_ids)
        lo = np.searchsorted(self._hashes, wanted, side="left")
        hi = np.searchsorted(self._hashes, wanted, side="right")
        for k in np.flatnonzero(hi > lo):
            # Each candidate's id is compared: two ids may share a hash.
            for position in range(int(lo[k]), int(hi[k])):
                index = int(self._order[position])
                if self._ids[index] == node_ids[k]:
                    out[k] = index
                    break
        return out


def open_index(store_folder: Path, version: str):
    """The mirror of a store from its persisted index, or ``None`` with the reason it cannot be trusted.

    Parameters
    ----------
    store_folder : Path
        The store's folder (the index is its ``index/``).
    version : str
        The store's version (:func:`store_version`); an index built for
        another one is stale.

    Returns
    -------
    (Mirror or None, str)
        The memory-mapped mirror and ``""``, or ``None`` and why not
        ("missing", "stale", "of another format (...)", "damaged (...)").
    """
    from reelgraph.mirror import Mirror

    folder = Path(store_folder) / INDEX_FOLDER
    try:
        meta = json.loads((folder / "index.json").read_text())
    except FileNotFoundError:
        return None, "missing"
    except (OSError, ValueError) as exc:
        return None, f"damaged ({exc})"
    if meta.get("format") not in READABLE_FORMATS:
        return None, f"of another format ({meta.get('format')}; this reelgraph reads {INDEX_FORMAT})"
    if meta.get("store_version") != version:
        return None, "stale"
    try:
        lengths = meta.get("lengths", {})
        for name, size in meta["files"].items():
            found = (folder / name).stat().st_size
            # (an array that grows in place holds a later write's rows after this version's: see _IndexWriter.extend)
            if found != size and not (found > size and name.removesuffix(".npy") in lengths):
                return None, f"damaged ({name} has the wrong size)"
        arrays = {name: _load_array(folder / f"{name}.npy", lengths.get(name)) for name in meta["arrays"]}
        for name in meta.get("overlays", ()):
            arrays[name] = overlaid(folder / f"{name}.npy", *(arrays[part] for part in overlay_names(name)))
        maps = {name: [_map_file(folder / f"{name}.arrow")] for name in _TABLES if name not in _CHUNKED}
        maps.update((name, [_map_file(folder / chunk["file"]) for chunk in meta["chunks"][name]]) for name in _CHUNKED)
        # A table of chunks is one table of as many record batches; they share one schema (chunk_table).
        tables = {name: pa.concat_tables([_mapped_table(mapped) for mapped in mapped_files])
                  for name, mapped_files in maps.items()}
        views = {frozenset(v["roles"]): _view(frozenset(v["roles"]), v["name"], arrays) for v in meta["views"]}
    except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
        return None, f"damaged ({exc})"
    nodes = tables["nodes"]
    mirror = Mirror.from_index(
        n_people=meta["n_people"], n_films=meta["n_films"], role_names=meta["role_names"],
        ids=ArrowStrings(nodes.column("id")), labels=ArrowStrings(nodes.column("label")),
        normalized_labels=_fewest_chunks(nodes.column("key")), lookup_arrays=(arrays["id_hash"], arrays["id_order"]),
        arrays={name: arrays[name] for name in _ARRAYS}, views=views, degrees=arrays["degrees"],
        collaborators=arrays["collaborators"], tables={name: tables[name] for name in _TABLES},
        own_rows=meta["own_rows"], summary=meta["summary"],
    )
    # (not the overlaid arrays' maps: their pages with the overlay are the process's own, and letting
    # them go, as a patched write does with the old index's, would put the file's rows back)
    overlays = set(meta.get("overlays", ()))
    mirror.mapped_files = (*(mapped for mapped_files in maps.values() for mapped in mapped_files),
                           *(array.base for name, array in arrays.items()
                             if isinstance(array.base, mmap.mmap) and name not in overlays))
    return mirror, ""


def _view(roles: frozenset, name: str, arrays: dict):
    """The adjacency view ``name`` (``view0``, ...) of the index's ``arrays``: its base, and its delta when it has one
    (the rows a patched index wrote apart: :meth:`reelgraph._index_reuse.Reused.write_view`)."""
    from reelgraph.mirror import CsrView

    view = CsrView(roles, arrays[f"{name}_indptr"], arrays[f"{name}_indices"], arrays[f"{name}_degree"])
    if f"{name}_delta_nodes" not in arrays:
        return view
    nodes, indptr, indices = (arrays[f"{name}_delta_{part}"] for part in ("nodes", "indptr", "indices"))
    if len(indptr) != len(nodes) + 1 or indptr[-1] != len(indices) or len(view.indptr) != len(view.degree) + 1:
        raise ValueError(f"the delta of {name} does not fit its base")
    return view.with_delta(nodes, indptr, indices, view.degree)


def overlay_names(name: str) -> tuple[str, str]:
    """The arrays holding the overlay of the index's array ``name``: its rows, and their values."""
    return f"{name}_overlay_nodes", f"{name}_overlay_values"


def read_overlay(path: Path) -> tuple[np.ndarray, np.ndarray] | None:
    """``(nodes, values)``: the overlay written beside the index's array file ``path``, None when it has none."""
    files = [path.with_name(f"{part}.npy") for part in overlay_names(path.stem)]
    return tuple(np.load(file) for file in files) if files[0].exists() else None


def overlaid(path: Path, nodes: np.ndarray, values: np.ndarray) -> np.memmap:
    """The array ``path`` mapped copy-on-write, its rows ``nodes`` set to ``values`` (read-only after).

    Only the pages those rows are on are copied into the process; the file
    is never written (:meth:`_IndexWriter.overlay` wrote them apart).
    """
    array = np.load(path, mmap_mode="c")
    if len(nodes) != len(values) or (len(nodes) and (nodes.min() < 0 or nodes.max() >= len(array))):
        raise ValueError(f"the overlay of {path.name} does not fit it")
    array[nodes] = values
    array.flags.writeable = False
    return array


def _load_array(path: Path, length: int | None) -> np.ndarray:
    """The array ``path`` memory-mapped, its first ``length`` rows (None: as many as its header says).

    The length comes from ``index.json``, not the file: a later write may
    have appended rows to the file, and rewritten its header, since this
    version was written (:meth:`_IndexWriter.extend`).
    """
    array = np.load(path, mmap_mode="r")
    if length is None or len(array) == length:
        return array
    if path.stat().st_size < array.offset + length * array.itemsize:
        raise ValueError(f"{path.name} holds fewer than {length} rows")
    return np.memmap(path, dtype=array.dtype, mode="r", offset=array.offset, shape=(length,))


def _map_file(path: Path) -> mmap.mmap:
    """``path`` memory-mapped for reading: an Arrow file's buffers then point into it, without a copy.

    Python's map rather than Arrow's, so that a writer that read an old
    index once can let its pages go (``madvise``, :mod:`reelgraph._index_reuse`).
    """
    with open(path, "rb") as file:
        return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)


def _mapped_table(mapped: mmap.mmap) -> pa.Table:
    """The Arrow file ``mapped`` (:func:`_map_file`) as a table whose buffers point into the map."""
    return pa.ipc.open_file(pa.py_buffer(mapped)).read_all()


# -- writing ---------------------------------------------------------------------------


def write_index(graph: FilmGraph, store_folder: Path, version: str, *, progress: bool = False) -> Path:
    """Build the mirror of ``graph`` and write it as ``store_folder/index``, replacing any older index.

    The files go to a sibling folder first, renamed into place when
    complete, so a reader never maps half an index.  A store's own writes
    use :func:`write_index_from_tables` instead, which gives the same files
    from its Parquet tables without pandas.

    Parameters
    ----------
    graph : FilmGraph
        The store's (merged) tables.
    store_folder : Path
    version : str
        The store version it belongs to (:func:`store_version`).
    progress : bool
        Show a progress bar (stderr) through the steps.
    previous : reelgraph._index_reuse.PreviousIndex, optional
        The store's index before an edit of few rows: what the edit leaves
        as it was is taken from it rather than made again.

    Returns
    -------
    Path
        The index folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from reelgraph.model import FilmGraph
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> g = FilmGraph.from_records(films=[{"id": "tt0000001", "title": "A"}],
    ...     credits=[{"person_id": "nm0000001", "film_id": "tt0000001", "role": "actor"}])
    >>> _ = write_index(g, folder, "v1")
    >>> mirror, why = open_index(folder, "v1")
    >>> mirror.label(mirror.index_of("tt0000001")), open_index(folder, "v2")[1]
    ('A', 'stale')
    """
    from reelgraph.analysis.stats import graph_summary
    from reelgraph.mirror import build_mirror
    from reelgraph.names import normalize_labels

    with _IndexWriter(store_folder, progress) as writer:
        writer.step("mirror")
        mirror = build_mirror(graph)
        writer.step("adjacency")
        lookup = IdLookup.build(mirror.ids)
        _write_arrays(writer, mirror, lookup._hashes, lookup._order)
        writer.step("tables")
        for name, frame in {"people": mirror.people, "films": mirror.films, "credits": graph.credits}.items():
            writer.cut(name, _arrow(frame, name, compact=False))
        writer.table("similar", _arrow(graph.similar, "similar"))
        writer.step("names")
        writer.nodes(pa.array(np.asarray(mirror.ids, dtype=object), type=pa.string()),
                     lambda labels, start: normalize_labels(labels))
        writer.step("write")
        return writer.finish(version, mirror, own_rows={"people": len(graph.people), "films": len(graph.films)},
                             summary=graph_summary(graph))


def write_index_from_tables(tables_folder: Path, store_folder: Path, version: str, *, progress: bool = False,
                            previous=None) -> Path:
    """Write ``store_folder/index`` straight from the Parquet tables in ``tables_folder``, with Arrow and numpy.

    The files are the ones :func:`write_index` writes for the graph those
    tables hold (same nodes in the same order, arrays, Arrow tables and
    ``index.json``), but no table becomes pandas and no row a Python
    object: ids are matched by Arrow's hash kernels, hashed for lookups by
    a compiled SipHash over Arrow's buffers, and credits sorted by numpy,
    so it scales to IMDb's whole size (:mod:`reelgraph._index_build`).

    Parameters
    ----------
    tables_folder : Path
        Holds the tables ``films``, ``people``, ``credits`` and ``similar``,
        each one Parquet file or a folder of chunks
        (:mod:`reelgraph._parquet_table`): a store folder, or a store
        write's staging folder.
    store_folder : Path
        Where the index goes (``store_folder/index``); may be ``tables_folder``.
    version : str
        The store version it belongs to (:func:`store_version`).
    progress : bool
        Show a progress bar (stderr) through the steps.
    previous : reelgraph._index_reuse.PreviousIndex, optional
        The store's index before an edit of few rows: what the edit leaves
        as it was is taken from it rather than made again.

    Returns
    -------
    Path
        The index folder.

    Raises
    ------
    StoreError
        A table is missing or unreadable.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from reelgraph.model import FilmGraph
    >>> from reelgraph.store import _write_tables
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _write_tables(FilmGraph.from_records(films=[{"id": "tt0000001", "title": "Amélie"}]), folder)
    >>> _ = write_index_from_tables(folder, folder, "v1")
    >>> mirror, why = open_index(folder, "v1")
    >>> mirror.label(mirror.index_of("tt0000001")), why
    ('Amélie', '')
    """
    from reelgraph._index_build import write_from_tables

    # Tables of an older layout (a column added since) are read as canonical ones: the
    # column they lack is all missing.  Never through pandas: at IMDb's size it needs ~24 GB.
    with _IndexWriter(store_folder, progress) as writer:
        return write_from_tables(Path(tables_folder), writer, version, previous)


class _IndexWriter:
    """The files of one index, written into a staging folder beside ``store_folder/index``, swapped in by :meth:`finish`.

    Each table and array is written as soon as it is made, so neither
    writer holds them all at once.  Used as a context manager: on an error
    the staging folder is removed and the old index stays.
    """

    def __init__(self, store_folder: Path, progress: bool = False):
        self.target = Path(store_folder) / INDEX_FOLDER
        self.progress, self.tables, self.chunks, self.arrays, self.lengths, self.views = progress, {}, {}, {}, {}, []
        self.overlays = []  # arrays written as a base and an overlay (see overlay)
        self._started = False

    def __enter__(self) -> "_IndexWriter":
        from tqdm import tqdm

        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=".index.new-", dir=self.target.parent))
        self._steps = tqdm(total=_STEPS, unit="step", disable=not (self.progress and sys.stderr.isatty()),
                           leave=False, desc="graph index")
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self._steps.close()
        if kind is not None:
            shutil.rmtree(self.staging, ignore_errors=True)

    def step(self, name: str) -> None:
        """Show that the next of the :data:`_STEPS` steps, ``name``, started."""
        if self._started:
            self._steps.update()
        self._started = True
        self._steps.set_postfix_str(name)

    def table(self, name: str, table: pa.Table) -> None:
        """Write ``name.arrow``: an uncompressed Arrow IPC file, so that it maps."""
        path = self.staging / f"{name}.arrow"
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as out:
            out.write_table(table)
        self.tables[name] = path.stat().st_size

    def link(self, name: str, source: Path) -> None:
        """``name.npy``: the file ``source`` (of an older index) as it is, hard-linked where the disk allows."""
        path = self.staging / f"{name}.npy"
        link(source, path)
        self.arrays[name] = path.stat().st_size

    def chunk(self, name: str, table: pa.Table, source: str | None = None) -> None:
        """Write the next chunk of the chunked table ``name`` (``name/000000.arrow``, ...).

        ``source``: the :func:`chunk_source` of the store's chunk of the same
        rows, which a later write compares to link this file (None: never).
        """
        path = self._next_chunk(name)
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as out:
            out.write_table(table)
        self.chunks[name].append({"file": path.relative_to(self.staging).as_posix(), "rows": table.num_rows,
                                  "source": source})

    def cut(self, name: str, table: pa.Table) -> None:
        """Write the whole table ``name`` as chunks of :data:`~reelgraph._parquet_table.CHUNK_ROWS` rows, never linked."""
        for start in range(0, max(len(table), 1), parquet_table.CHUNK_ROWS):  # (no row: one empty chunk)
            self.chunk(name, chunk_table(table.slice(start, parquet_table.CHUNK_ROWS), name))

    def link_chunk(self, name: str, old: dict, old_folder: Path) -> None:
        """The next chunk of table ``name``: the chunk ``old`` (its entry in the index in ``old_folder``), hard-linked."""
        path = self._next_chunk(name)
        link(old_folder / old["file"], path)
        self.chunks[name].append({**old, "file": path.relative_to(self.staging).as_posix()})

    def read_chunks(self, name: str, columns) -> dict[str, pa.ChunkedArray]:
        """Columns of the chunks of ``name`` written or linked so far, decoded, mapped from their files."""
        if not columns:
            return {}
        parts = [self.read_chunk(chunk, columns) for chunk in self.chunks[name]]
        table = pa.concat_tables(parts)
        return {column: table.column(column) for column in columns}

    def nodes(self, ids, normalize, previous=None) -> None:
        """``nodes/``: each node's id, label and label normalised for name resolution, a chunk per chunk of
        ``people/`` then of ``films/`` (written before), with the same rows and source.

        A chunk whose people or films came from the same store chunk as a
        chunk of ``previous``'s nodes (the store before the write) is that
        file, linked: its ids and labels are its rows' own.  The others'
        labels are read from their ``people/`` or ``films/`` chunk
        (:func:`~reelgraph._index_build.node_labels`); ``normalize(labels,
        start)``: the normalised labels of nodes ``start, start + 1, ...``.
        """
        from reelgraph._index_build import node_labels
        from reelgraph._label_keys import LABEL_COLUMN

        old_folder, old = linkable_chunks(previous.store_folder, previous.version, "nodes") if previous else (None, {})
        ids = ids if isinstance(ids, pa.ChunkedArray) else pa.chunked_array([ids])
        start, chunks = 0, [(kind, chunk) for kind in ("people", "films") for chunk in self.chunks.get(kind, [])]
        for kind, chunk in chunks or [(None, {"rows": 0, "source": None})]:  # (no node: one empty chunk)
            rows, source = chunk["rows"], chunk["source"]
            if source in old:
                self.link_chunk("nodes", old[source], old_folder)
            else:
                # (combined, a copy of this chunk's rows: the file then holds no buffer it does not need)
                part = ids.slice(start, rows).combine_chunks().cast(pa.string())
                labels = node_labels(kind, self.read_chunk(chunk, [LABEL_COLUMN[kind]]), part).cast(pa.string()) \
                    if rows else part
                self.chunk("nodes", pa.table({"id": part, "label": labels, "key": normalize(labels, start).cast(pa.string())}),
                           source)
            start += rows
        if start != len(ids):
            raise ValueError(f"the index's people and films have {start} rows, for {len(ids)} nodes")

    def read_chunk(self, chunk: dict, columns) -> pa.Table:
        """Columns of the chunk ``chunk`` (its entry) written or linked so far, mapped from its file, decoded."""
        return decoded(_mapped_table(_map_file(self.staging / chunk["file"])).select(columns))

    def _next_chunk(self, name: str) -> Path:
        chunks = self.chunks.setdefault(name, [])
        (self.staging / name).mkdir(exist_ok=True)
        return self.staging / name / f"{len(chunks):06d}.arrow"

    def array(self, name: str, array: np.ndarray) -> None:
        """Write ``name.npy``."""
        path = self.staging / f"{name}.npy"
        np.save(path, np.ascontiguousarray(array))
        self.arrays[name] = path.stat().st_size
        self.lengths[name] = len(array)

    def extend(self, name: str, old: Path, old_rows: np.ndarray, tail: np.ndarray) -> np.ndarray:
        """``name.npy`` holding ``old_rows`` (the array of the file ``old``, of the index before) and then ``tail``:
        ``old``'s file, linked, with ``tail`` appended; returns the whole, mapped from the file written.

        The whole is never made in memory (950 MB for the three credit
        arrays at IMDb's size): the file's pages are the old file's.

        Files are otherwise never changed once written.  This one grows in
        place, shared with the index before, which is safe because no byte
        of a version's rows ever changes: each version reads as many rows as
        its ``index.json`` says (:func:`_load_array`), and a write cut short
        leaves rows after them that the next write cuts off again.  The
        header is rewritten for the new length (the same number of bytes),
        so the file is the one :meth:`array` writes.  Where the old file is
        not as expected, has another name besides (another store's, copied
        with hard links), or cannot be linked, the array is written whole.
        """
        path, tail = self.staging / f"{name}.npy", np.ascontiguousarray(tail, dtype=old_rows.dtype)
        old_length, length = len(old_rows), len(old_rows) + len(tail)
        header = _npy_header(tail.dtype, length)
        size = len(header) + old_length * tail.itemsize
        try:
            with open(old, "rb") as file:
                np.lib.format.read_magic(file)
                _, _, dtype = np.lib.format.read_array_header_1_0(file)
                fits = dtype == tail.dtype and file.tell() == len(header) == len(_npy_header(dtype, old_length))
            stat = old.stat()
            # Only a file no other name shares: a store copied with hard links (cp -al) has its own writer.
            if fits and stat.st_size >= size and stat.st_nlink == 1:
                os.link(old, path)  # (not _durable.link: a copy would cost what writing it whole does)
            else:
                fits = False
        except (OSError, ValueError):
            fits = False
        if fits:
            with open(path, "r+b") as file:
                file.truncate(size)
                file.seek(size)
                file.write(memoryview(tail).cast("B"))
                file.seek(0)
                file.write(header)
            self.arrays[name] = path.stat().st_size
            self.lengths[name] = length
        else:
            self.array(name, np.concatenate([old_rows, tail]))
        return _load_array(path, length)

    def overlay(self, name: str, base: Path, nodes: np.ndarray, values: np.ndarray) -> np.ndarray:
        """``name.npy`` as the file ``base`` (of an older index), linked, whose rows ``nodes`` take ``values``:
        those two are written (``name_overlay_nodes.npy``, ``name_overlay_values.npy``), and a reader puts
        them in as it maps the base (:func:`overlaid`, which this returns).  A node's degree changing
        writes bytes, not the array's hundreds of megabytes at IMDb's size."""
        self.link(name, base)
        nodes_name, values_name = overlay_names(name)
        self.array(nodes_name, np.asarray(nodes, dtype=np.int64))
        self.array(values_name, np.asarray(values, dtype=np.load(base, mmap_mode="r").dtype))
        self.overlays.append(name)
        return overlaid(self.staging / f"{name}.npy", *read_overlay(self.staging / f"{name}.npy"))

    def stream(self, name: str, dtype, length: int) -> "_NpyStream":
        """``name.npy`` of ``length`` rows of ``dtype``, written in pieces (a context manager: see :class:`_NpyStream`)."""
        return _NpyStream(self, name, np.dtype(dtype), length)

    def finish(self, version: str, mirror, *, own_rows: dict, summary: dict) -> Path:
        """Write ``index.json`` and swap the index into place; returns the index folder."""
        files = {f"{name}.arrow": self.tables[name] for name in _TABLES if name not in _CHUNKED}
        files.update((chunk["file"], (self.staging / chunk["file"]).stat().st_size)
                     for name in _CHUNKED for chunk in self.chunks[name])
        files.update((f"{name}.npy", size) for name, size in self.arrays.items())
        meta = {
            "format": INDEX_FORMAT,
            "store_version": version,
            "n_people": mirror.n_people,
            "n_films": mirror.n_films,
            "own_rows": {name: int(own_rows[name]) for name in ("people", "films")},
            "role_names": mirror.role_names,
            "views": self.views,
            "overlays": sorted(self.overlays),
            "arrays": sorted(self.arrays),
            "lengths": {name: int(self.lengths[name]) for name in _GROWING if name in self.lengths},
            "summary": summary,
            "chunks": {name: self.chunks[name] for name in _CHUNKED},
            "files": dict(sorted(files.items())),  # (in one order, whatever order they were written in)
        }
        (self.staging / "index.json").write_text(json.dumps(meta, indent=1) + "\n")
        sync_tree(self.staging)
        _swap_in(self.staging, self.target)
        sync_folder_entries(self.target.parent)
        self._steps.update()
        return self.target


class _NpyStream:
    """A ``.npy`` file of an index written in pieces: arrays, and rows of another ``.npy`` copied by the kernel.

    A patched index's adjacency views are mostly the old views' bytes:
    copied file to file (``copy_file_range``), they never pass through
    the process's memory, where a view spliced in memory took a gigabyte
    of fresh pages and seconds at IMDb's size.  On leaving, the file must
    hold exactly its rows (else ``ValueError``: the write fails whole).
    """

    def __init__(self, writer: _IndexWriter, name: str, dtype: np.dtype, length: int):
        self.writer, self.name, self.dtype, self.length = writer, name, dtype, length
        self.path = writer.staging / f"{name}.npy"
        self._sources = {}

    def __enter__(self) -> "_NpyStream":
        self._file = open(self.path, "wb", buffering=0)
        self._put(_npy_header(self.dtype, self.length))
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self._file.close()
        for source in self._sources.values():
            source.close()
        if kind is None:
            size = self.path.stat().st_size
            if size != len(_npy_header(self.dtype, self.length)) + self.length * self.dtype.itemsize:
                raise ValueError(f"{self.name}.npy: {size} bytes written, not {self.length} rows")
            self.writer.arrays[self.name] = size

    def write(self, array) -> None:
        """The next rows: ``array``, of this file's type."""
        self._put(memoryview(np.ascontiguousarray(array, dtype=self.dtype)).cast("B"))

    def copy(self, source: np.memmap, start: int, stop: int) -> None:
        """The next rows: rows ``start:stop`` of ``source``, an array mapped from a ``.npy`` of this file's type."""
        if source.dtype != self.dtype:
            raise ValueError(f"{self.name}.npy: rows of {source.dtype} copied into {self.dtype}")
        at, left = source.offset + start * self.dtype.itemsize, (stop - start) * self.dtype.itemsize
        try:
            if source.filename not in self._sources:
                self._sources[source.filename] = open(source.filename, "rb", buffering=0)
            read = self._sources[source.filename].fileno()
            while left:
                done = os.copy_file_range(read, self._file.fileno(), left, at)
                if not done:
                    raise OSError(f"{source.filename} ended")
                at, left = at + done, left - done
        except (OSError, AttributeError):  # no copy_file_range here (another system, an old kernel): through memory
            copied = (stop - start) * self.dtype.itemsize - left
            if copied % self.dtype.itemsize:
                raise
            first = start + copied // self.dtype.itemsize
            for block in range(first, stop, _COPY_ROWS):
                self.write(source[block: min(block + _COPY_ROWS, stop)])

    def _put(self, data) -> None:
        view = memoryview(data)
        while len(view):  # (a write may take fewer bytes than given)
            view = view[self._file.write(view):]


#: Rows a block of :meth:`_NpyStream.copy` takes through memory when the kernel cannot copy.
_COPY_ROWS = 1 << 22


#: How many steps each writer reports to its progress bar.
_STEPS = 5


def _write_arrays(writer: _IndexWriter, mirror, id_hash: np.ndarray, id_order: np.ndarray, patch=None) -> None:
    """Write the mirror's arrays, the id hashes, the persisted CSR views, degrees and collaborator counts.

    ``mirror`` needs only its arrays (:meth:`~reelgraph.mirror.Mirror.from_arrays`):
    both writers share this step, so their adjacency is one code's.  ``id_hash``
    and ``id_order`` None: the caller wrote them already (``writer.array``).
    ``patch`` (:class:`reelgraph._index_reuse.Reused`): the old index a
    small edit leaves most of, whose arrays it extends
    (:meth:`_IndexWriter.extend`), and whose views, degrees and
    collaborator counts it writes from the old files with the rows that
    change put in (``write_view``, ``write_degrees``,
    ``write_collaborators``; where it cannot, they are made in memory).
    """
    from reelgraph.analysis._stats_kernels import collaborator_counts

    extended = patch.extended if patch is not None else {}
    for name in _ARRAYS:
        if name in extended:  # (written already: Reused.extend_credits)
            continue
        if patch is not None and name in _PER_FILM and patch.write_overlaid(writer, name, getattr(mirror, name)):
            continue
        writer.array(name, getattr(mirror, name))
    if id_hash is not None:
        writer.array("id_hash", id_hash)
        writer.array("id_order", id_order)
    else:  # written already (and let go) by the caller: listed here all the same, as index.json lists files in order
        writer.arrays.update((name, writer.arrays.pop(name)) for name in ("id_hash", "id_order"))
    writer.views = []
    everyone = frozenset(mirror.role_names)
    for k, roles in enumerate(_persisted_role_sets(mirror)):
        writer.views.append({"name": f"view{k}", "roles": sorted(roles)})
        view = patch.write_view(writer, f"view{k}", mirror, roles) if patch is not None else None
        if view is not None:
            mirror._views[roles] = view  # (mapped from the files just written)
        else:
            view = mirror.view(roles)
            writer.array(f"view{k}_indptr", view.indptr)
            writer.array(f"view{k}_indices", view.indices)
            writer.array(f"view{k}_degree", view.degree)
        if roles != everyone:  # written: at IMDb's size each view is a gigabyte; only every credit's is used below
            del mirror._views[roles], view
    everyone = mirror.view(everyone)
    if patch is None or not patch.write_degrees(writer, mirror, everyone):
        writer.array("degrees", mirror.degrees())
    if patch is None:
        writer.array("collaborators", collaborator_counts(*everyone.kernel_args, mirror.n_people))
    elif not patch.write_collaborators(writer, everyone):
        writer.array("collaborators", patch.collaborators(everyone))


def _persisted_role_sets(mirror) -> list[frozenset]:
    """The role sets whose adjacency commands use by default: co-star paths (actors; any role), every credit."""
    sets = [mirror.role_set(), mirror.role_set(actors_only=False), frozenset(mirror.role_names)]
    return list(dict.fromkeys(sets))


#: Id columns the index keeps as node indexes (the mirror's arrays) rather than as text, by table.
ID_COLUMNS = {"credits": {"person_id": "credit_person", "film_id": "credit_film"},
              "similar": {"film_id": "similar_src", "similar_id": "similar_dst"}}


#: Text columns a chunked table (:data:`_CHUNKED`) keeps dictionary-encoded in every chunk, whatever their
#: values, so that all its chunks have one schema (:func:`chunk_table`); the other columns stay as they are.
DICTIONARY_COLUMNS = {
    "people": ("source",),
    "films": ("title_type", "certificate", "source", "release_country", "budget_currency", "gross_currency"),
    "credits": ("role", "job", "source"),
}


def _arrow(frame: pd.DataFrame, table: str, compact: bool = True) -> pa.Table:
    """A table as the index keeps it (:func:`compact_table` unless not ``compact``), from pandas."""
    arrow = pa.Table.from_pandas(frame.drop(columns=list(ID_COLUMNS.get(table, ()))), preserve_index=False)
    return compact_table(arrow) if compact else arrow.replace_schema_metadata(None)


def chunk_table(arrow: pa.Table, table: str) -> pa.Table:
    """One chunk of a chunked table as the index keeps it: one record batch, :data:`DICTIONARY_COLUMNS` encoded.

    Unlike :func:`compact_table`, neither a column's type nor whether it is
    encoded depends on its values: a chunk linked from an older index and
    one written now must share one schema, though the store's chunks may
    differ in whether a column holds values (a column with none, Arrow
    type null, takes its type with values: :func:`reelgraph.model.arrow_types`).
    """
    arrow = arrow.combine_chunks()
    types = arrow_types(table)
    for at, field in enumerate(arrow.schema):
        # (str: a list's item is named too, ``item`` from pandas, ``element`` from Parquet; equality ignores it)
        if field.name in types and not pa.types.is_dictionary(field.type) and str(field.type) != str(types[field.name]):
            arrow = arrow.set_column(at, field.name, arrow.column(at).cast(types[field.name]))
    for name in DICTIONARY_COLUMNS.get(table, ()):
        column = arrow.column(name)  # (one chunk: its encoding is one chunk too)
        if pa.types.is_string(column.type):
            arrow = arrow.set_column(arrow.column_names.index(name), name, pc.dictionary_encode(column))
    return arrow.replace_schema_metadata(None)


def chunk_source(path: Path) -> str:
    """What identifies a store's Parquet chunk for the index chunk made from it: the same file.

    Store files are never changed in place: a chunk a write leaves is
    hard-linked into the new version (the same inode, size and
    modification time), and one it changes is a new file.  The index
    chunk does not depend on the other chunks: a column a new chunk gives
    values to for the first time leaves the others' index chunks as they
    were (:func:`chunk_table`), so a store's first saved page does not
    write every chunk of its films again.
    """
    stat = Path(path).stat()
    return f"{stat.st_dev}:{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}"


def linkable_chunks(store_folder: Path, version: str, table: str) -> tuple[Path, dict[str, dict]]:
    """The chunks of ``table`` in a store's index that a new index may link, by :func:`chunk_source`.

    Only an index of this format, built for ``version`` (the store before
    the write), whose chunk file has the size its ``index.json`` gives;
    nothing otherwise.  Returns the index folder and the chunks' entries.
    """
    folder = Path(store_folder) / INDEX_FOLDER
    try:
        meta = json.loads((folder / "index.json").read_text())
        if meta.get("format") not in READABLE_FORMATS or meta.get("store_version") != version:
            return folder, {}
        return folder, {chunk["source"]: chunk for chunk in meta["chunks"][table] if chunk["source"] is not None
                        and (folder / chunk["file"]).stat().st_size == meta["files"][chunk["file"]]}
    except (OSError, ValueError, KeyError, TypeError):  # missing or damaged: nothing to link
        return folder, {}


def take_rows(arrow: pa.Table, rows: np.ndarray) -> pa.Table:
    """Rows of a table, in the order of ``rows``, with its dictionary-encoded columns decoded (:func:`decoded`).

    Written here rather than ``pa.Table.take``: over a table of many chunks
    Arrow's take concatenates each text column's chunks first (a copy of
    the whole column, a gigabyte for the credits at IMDb's size), and
    unifies their dictionaries.  Here each chunk takes its own rows.
    """
    rows = np.asarray(rows, dtype=np.int64)
    batches = arrow.to_batches()
    if len(batches) <= 1:
        return decoded(arrow.take(pa.array(rows, type=pa.int64())))
    picked, back = _by_chunk([batch.num_rows for batch in batches], rows)
    if not picked:
        return decoded(arrow.slice(0, 0))
    parts = [decoded(pa.Table.from_batches([batches[b].take(local)])) for b, local in picked]
    return pa.concat_tables(parts).combine_chunks().take(back)


def compact_table(arrow: pa.Table) -> pa.Table:
    """A table as the index keeps it: repetitive text dictionary-encoded, no schema metadata.

    Credits at IMDb's size are ~100M rows: their roles and jobs as text
    would be most of the index's size on disk (their ids are kept as node
    indexes, not as text: :data:`ID_COLUMNS`).
    """
    for position, name in enumerate(arrow.column_names):
        column = arrow.column(name)
        compacted = compact_column(column)
        if compacted is not column:
            arrow = arrow.set_column(position, name, compacted)
    return arrow.replace_schema_metadata(None)


def compact_column(column):
    """One column as :func:`compact_table` keeps it: text dictionary-encoded when at most one row in 20 is distinct.

    Returns ``column`` itself when it stays as it is.
    """
    if pa.types.is_string(column.type) and len(column) and pc.count_distinct(column).as_py() <= len(column) // 20:
        return pc.dictionary_encode(column)
    return column


def decoded(arrow: pa.Table) -> pa.Table:
    """``arrow`` with its dictionary-encoded columns as plain ones (what the canonical tables hold)."""
    for position, field in enumerate(arrow.schema):
        if pa.types.is_dictionary(field.type):
            arrow = arrow.set_column(position, field.name, arrow.column(field.name).cast(field.type.value_type))
    return arrow


def _swap_in(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``; an old ``target`` is moved aside first and removed after."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        try:
            target.rename(old)
        except FileNotFoundError:  # another process swapped it meanwhile
            old = None
    try:
        staging.rename(target)
    except OSError:  # another process put its index there first: theirs is as good
        shutil.rmtree(staging, ignore_errors=True)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def store_version(manifest: dict) -> str:
    """The version of a store an index belongs to: the manifest's ``version``, else its write time and counts."""
    return str(manifest.get("version") or json.dumps([manifest.get("written"), manifest.get("counts")]))


def ensure_index(store_folder: Path, manifest: dict, read_graph, *, progress: bool = True):
    """The mirror of a store from its index, rebuilding the index first when it cannot be trusted.

    The index is rebuilt from the store's Parquet tables
    (:func:`write_index_from_tables`), never holding them in pandas.
    ``read_graph`` reads the store's tables as a FilmGraph: called only
    when the store cannot be written, to build the mirror in memory.
    """
    version = store_version(manifest)
    mirror, why = open_index(store_folder, version)
    if mirror is not None:
        return mirror
    log.warning("%s: the graph index is %s; building it from the tables (once, until the store changes)",
                store_folder, why if why != "missing" else "missing (a store written by an earlier reelgraph)")
    try:
        write_index_from_tables(store_folder, store_folder, version, progress=progress)
    except OSError as exc:  # a store this user may read but not write: build the mirror in memory, as before
        from reelgraph.mirror import build_mirror

        log.warning("%s: cannot write the graph index (%s); building the mirror in memory for this process",
                    store_folder, exc.strerror or exc)
        return build_mirror(read_graph())
    mirror, why = open_index(store_folder, version)
    if mirror is None:
        raise StoreError(f"{store_folder}: the graph index just written is {why}")
    return mirror
