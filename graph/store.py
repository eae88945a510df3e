"""The local store: the canonical tables on disk, as Parquet, read by every command.

With no Neo4j configured, this is where ``reelgraph load`` puts the graph.  A
store is a folder holding ``films.parquet``, ``people.parquet``,
``credits.parquet``, ``similar.parquet`` and ``manifest.json`` (counts and the
sources loaded).  Its location is, in order: the ``--store`` option, the
environment variable ``REELGRAPH_STORE``, or :data:`DEFAULT_STORE`.

Each source's own tables are kept too, under ``parts/``: loading a source
again (a newer copy of IMDb's datasets, a newer saved page) replaces its old
tables, and the merged graph is made anew from all sources, so what a source
no longer has is gone and what other sources brought stays.

Writes are atomic: the new tables go to a sibling folder that replaces the old
one only when complete, so a failed load never leaves a half-written store.
One writer at a time changes a store (a second waits), and a reader always
sees one version of it, never old films with new credits
(:mod:`reelgraph._store_locks`); a store left aside by a writer killed
between its two renames is put back by the next reader or writer.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import shutil
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from reelgraph._store_locks import store_lock
from reelgraph.errors import StoreError
from reelgraph.model import (
    LIST_COLUMNS,
    TABLE_COLUMNS,
    FilmGraph,
    cyclic_gc_paused,
    merge_graphs,
    normalize_table,
    slugify,
)

__all__ = ["DEFAULT_STORE", "STORE_FORMAT", "LocalStore", "store_path", "table_changes"]

log = logging.getLogger(__name__)

#: Where the store lives when neither ``--store`` nor ``REELGRAPH_STORE`` says.
DEFAULT_STORE = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "reelgraph" / "store"


#: The layout of a store this reelgraph writes and reads, recorded in its
#: manifest (a store without the field is format 1).  A later layout bumps it,
#: so a store is never silently misread by a reelgraph that does not know it.
STORE_FORMAT = 1


def store_path(path=None) -> Path:
    """The store folder: ``path``, else ``$REELGRAPH_STORE``, else :data:`DEFAULT_STORE`."""
    return Path(path or os.environ.get("REELGRAPH_STORE") or DEFAULT_STORE).expanduser()


class LocalStore:
    """The canonical tables of one graph, kept as Parquet files in a folder.

    Examples
    --------
    >>> import tempfile
    >>> store = LocalStore(tempfile.mkdtemp())
    >>> store.exists()
    False
    >>> store.write(FilmGraph.from_records(films=[{"id": "tt1334260", "title": "Never Let Me Go"}]))
    >>> store.read().counts()["films"]
    1
    """

    def __init__(self, path=None):
        self.path = store_path(path)

    def __repr__(self):
        return f"LocalStore({str(self.path)!r})"

    def exists(self) -> bool:
        return (self.path / "manifest.json").is_file()

    def manifest(self) -> dict:
        """The store's manifest (counts, sources, format); {} when there is no store yet.

        A store written by a newer reelgraph, in a layout this one does not
        know, is a :class:`StoreError` rather than a misread graph.
        """
        if not self.exists():
            return {}
        try:
            manifest = json.loads((self.path / "manifest.json").read_text())
        except (OSError, ValueError) as exc:
            raise StoreError(f"{self.path}: the store is damaged (manifest.json: {exc}); load your sources again") from None
        found = manifest.get("format", 1)
        if not isinstance(found, int) or found > STORE_FORMAT:
            raise StoreError(f"{self.path}: a store of format {found}, written by a newer reelgraph; this one reads "
                             f"format {STORE_FORMAT}: upgrade reelgraph (pip install -U reelgraph)")
        return manifest

    def read(self) -> FilmGraph:
        """The stored (merged) graph; :class:`StoreError` if there is none yet."""
        self._recover()
        with store_lock(self.path, "swap", shared=True):  # one version, even while a writer swaps
            if not self.exists():
                raise StoreError(f"{self.path}: no graph stored here yet; run 'reelgraph load SOURCE' or 'reelgraph demo'")
            self.manifest()  # refuses a layout this reelgraph does not know
            return _read_tables(self.path)

    @contextmanager
    def writing(self):
        """Hold the store for one writer: what is read inside is what the writes inside replace.

        :meth:`load` and :meth:`write` take it themselves; a caller that reads,
        computes and writes back (clusters) holds it around all three, so a
        load by another process in between is not overwritten.
        """
        with store_lock(self.path, "write", waiting_message=f"{self.path}: another reelgraph is writing to this "
                                                             "store; waiting for it to finish"):
            self._recover()
            _remove_stale_staging(self.path)
            yield self

    def _recover(self) -> None:
        """Put back a store a writer killed between its two renames left aside (``.NAME.old-PID``)."""
        if self.path.exists():
            return
        with store_lock(self.path, "swap"):
            if self.path.exists():  # a writer was swapping: it is in place now
                return
            aside = [p for p in self.path.parent.glob(f".{self.path.name}.old-*") if (p / "manifest.json").is_file()]
            if aside:
                latest = max(aside, key=lambda p: (p / "manifest.json").stat().st_mtime)
                latest.rename(self.path)
                log.warning("%s: put back the store a stopped write left in %s", self.path, latest.name)

    def partitions(self, skip=()) -> dict[str, FilmGraph]:
        """Each source's own tables, by source key, in the order they were first loaded.

        Sources whose key is in ``skip`` are not read: an empty graph stands in
        their place (keeping the order), as for sources about to be replaced.
        """
        with store_lock(self.path, "swap", shared=True):
            return {entry["key"]: FilmGraph.empty() if entry["key"] in skip
                    else _read_tables(self.path / "parts" / entry["folder"])
                    for entry in self.manifest().get("partitions", [])}

    def load(self, parts: dict[str, FilmGraph], sources: dict[str, list] | None = None) -> tuple[FilmGraph, dict]:
        """Put each source's tables in the store, replacing an older copy of the same source.

        The stored graph is the merge (:func:`~reelgraph.model.merge_graphs`) of
        every source's tables, in the order the sources were first loaded.
        A source loaded again (a newer saved page of the same film, a newer
        copy of IMDb's datasets) replaces its earlier tables, so values it
        changed are updated and rows it no longer has are gone, while other
        sources' rows stay.  Cluster ids survive for films still there.

        Parameters
        ----------
        parts : dict
            Source key (see :func:`reelgraph.loaders.read_partitions`) -> its graph.
        sources : dict, optional
            Source key -> the paths it was read from, for the manifest.

        Returns
        -------
        (FilmGraph, dict)
            The new stored graph, and per table the ids ``added``,
            ``updated`` and ``removed`` (counts) against the old one.
        """
        with self.writing():
            # What the old graph was, kept small: each table's row hashes (read
            # one table at a time) and the films' cluster ids, not the graph itself.
            self.manifest()  # refuses a layout this reelgraph does not know, before reading anything
            before = self._row_fingerprints() if self.exists() else {}
            clusters = self._cluster_ids() if self.exists() else pd.Series(dtype="Int64")
            entries = {e["key"]: e for e in self.manifest().get("partitions", [])}
            stored = self.partitions(skip=parts)  # the sources reloaded are replaced: no need to read them
            stored.update(parts)
            for key in parts:
                entries.setdefault(key, {"key": key, "folder": f"{len(entries):04d}-{slugify(key)[:60]}"})
                entries[key]["sources"] = list(map(str, (sources or {}).get(key, [])))
                entries[key]["counts"] = parts[key].counts()
            merged = merge_graphs(*stored.values())
            merged.films["cluster"] = merged.films["id"].map(clusters).astype("Int64")
            self._write(merged, list(entries.values()), {entries[k]["folder"]: g for k, g in parts.items()})
            resolved = getattr(merged, "resolved_keys", {})
            return merged, {table: _changes(before.get(table), getattr(merged, table), table, resolved) for table in _KEYS}

    def _row_fingerprints(self) -> dict:
        """Per table of the stored graph, its :func:`_fingerprint`, reading one table at a time."""
        out = {}
        for table in _KEYS:
            path = self.path / f"{table}.parquet"
            try:
                out[table] = _stored_fingerprint(path, table)
            except (OSError, ValueError) as exc:
                raise StoreError(f"{self.path}: the store is damaged ({exc}); load your sources again") from None
        return out

    def _cluster_ids(self) -> pd.Series:
        """The stored films' cluster ids, by film id (films without one left out)."""
        films = pq.read_table(self.path / "films.parquet", columns=["id", "cluster"]).to_pandas()
        return films.set_index("id")["cluster"].dropna()

    def merge(self, graph: FilmGraph, sources=(), key: str | None = None) -> FilmGraph:
        """Add one graph as the source ``key`` (default: named by ``sources``) and return the stored graph."""
        key = key or "graph:" + "|".join(map(str, sources))
        return self.load({key: graph}, {key: list(sources)})[0]

    def write(self, graph: FilmGraph) -> None:
        """Replace the merged graph (e.g. with cluster ids added), keeping the sources' tables."""
        with self.writing():
            self._write(graph, self.manifest().get("partitions", []), {})

    def _write(self, graph: FilmGraph, partitions: list[dict], new_parts: dict[str, FilmGraph]) -> None:
        # Everything goes to a staging folder that replaces the store in one rename; the
        # tables of sources not reloaded are hard-linked into it rather than copied.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.new-", dir=self.path.parent))
        try:
            _write_tables(graph, staging)
            for entry in partitions:
                target = staging / "parts" / entry["folder"]
                if entry["folder"] in new_parts:
                    _write_tables(new_parts[entry["folder"]], target, written=(graph, staging))
                else:
                    _link_tree(self.path / "parts" / entry["folder"], target)
            manifest = {
                "format": STORE_FORMAT,
                "written": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "counts": graph.counts(),
                "partitions": partitions,
            }
            (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
            old = None
            with store_lock(self.path, "swap"):  # readers wait out the two renames, never see between them
                if self.path.exists():
                    old = self.path.with_name(f".{self.path.name}.old-{os.getpid()}")
                    self.path.rename(old)
                staging.rename(self.path)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def clear(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _remove_stale_staging(path: Path) -> None:
    """Remove the staging folders (``.NAME.new-*``) of writers that were stopped; only a writer calls it."""
    for staging in path.parent.glob(f".{path.name}.new-*"):
        shutil.rmtree(staging, ignore_errors=True)


def _write_tables(graph: FilmGraph, folder: Path, written: tuple[FilmGraph, Path] | None = None) -> None:
    """Each table as ``folder/NAME.parquet``; one equal to the table of a graph ``written`` already
    (a source's table, in a store of that source alone) is hard-linked to that file instead."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in graph.tables().items():
        if written is not None and df.equals(getattr(written[0], name)):
            _link(written[1] / f"{name}.parquet", folder / f"{name}.parquet")
        else:
            df.to_parquet(folder / f"{name}.parquet", index=False)


def _read_tables(folder: Path) -> FilmGraph:
    try:
        frames = {name: _read_table(folder / f"{name}.parquet", name) for name in FilmGraph.TABLES}
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        raise StoreError(f"{folder}: the store is damaged ({exc}); load your sources again") from None
    return FilmGraph(**frames)


_MASKED_DTYPES = {"Int64": pd.Int64Dtype(), "Float64": pd.Float64Dtype(), "boolean": pd.BooleanDtype()}


def _read_table(path: Path, table: str) -> pd.DataFrame:
    """One Parquet table, each column converted straight to its canonical dtype.

    Why not ``pd.read_parquet``: it gives list cells as numpy arrays and text
    as Arrow-backed strings, which FilmGraph then converts cell by cell into
    Python lists and objects: 8.2 s for a store of 500k movies, against 4.2 s
    when Arrow builds the lists and objects itself, with the same result
    (benchmarks/bench_commands.py).
    """
    arrow = pq.read_table(path)
    columns, lists = TABLE_COLUMNS[table], LIST_COLUMNS[table]
    out = {}
    with cyclic_gc_paused():
        for name, column, kind in _arrays(arrow):
            dtype = columns.get(name)
            if name in lists and pa.types.is_null(kind):  # an empty or all-empty column
                out[name] = pd.Series([[] for _ in range(len(column))], dtype=object)
            elif name in lists and (pa.types.is_list(kind) or pa.types.is_large_list(kind)):
                if column.null_count:
                    column = pc.fill_null(column, pa.scalar([], type=kind))
                out[name] = pd.Series(column.to_pylist(), dtype=object)
            elif dtype in _MASKED_DTYPES:
                out[name] = column.to_pandas(types_mapper={kind: _MASKED_DTYPES[dtype]}.get)
            elif dtype == "object" and (pa.types.is_string(kind) or pa.types.is_large_string(kind)
                                        or pa.types.is_null(kind)):
                out[name] = pd.Series(column.to_numpy(zero_copy_only=False), dtype=object)
            else:  # anything else: FilmGraph's normalisation makes it canonical
                out[name] = column.to_pandas()
    return pd.DataFrame(out, index=pd.RangeIndex(arrow.num_rows))


def _arrays(arrow: pa.Table):
    """Each column of ``arrow`` as (name, one array, its Arrow type)."""
    for name, column in zip(arrow.column_names, arrow.columns):
        array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
        yield name, array, array.type


def _link_tree(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        _link(item, target / item.name)


def _link(source: Path, target: Path) -> None:
    """Files are never changed in place once written, so two names may share one."""
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copy2(source, target)


_KEYS = {"films": ["id"], "people": ["id"], "credits": ["person_id", "film_id", "role"],
         "similar": ["film_id", "similar_id", "source"]}


def _row_hashes(df: pd.DataFrame, key: list[str], lists=()) -> pd.Series:
    """One hash per row of everything but ``cluster``, indexed by a hash of the row's key.

    Columns are hashed as they are (both graphs have the canonical dtypes);
    only the ``lists`` columns go through Python, as joined strings.
    """
    values = df.drop(columns=[c for c in ("cluster",) if c in df.columns])
    for column in lists:
        values[column] = ["\x1f".join(map(str, v)) if isinstance(v, list) else v for v in values[column]]
    hashes = pd.util.hash_pandas_object(values, index=False)
    # the key as a 64-bit hash too: a flat index compares fast (odds of a collision among 10M keys: 3 in a million;
    # one would shift a count by one)
    hashes.index = pd.Index(pd.util.hash_pandas_object(df[key], index=False).to_numpy())
    return hashes


def table_changes(old: FilmGraph, new: FilmGraph) -> dict:
    """Per table, how many rows were ``added``, ``updated`` and ``removed`` from ``old`` to ``new``.

    Both are merged graphs (:func:`~reelgraph.model.merge_graphs`): one row a key.

    Examples
    --------
    >>> a = FilmGraph.from_records(films=[{"id": "tt1", "title": "A", "rating": 6.0}, {"id": "tt2", "title": "B"}])
    >>> b = FilmGraph.from_records(films=[{"id": "tt1", "title": "A", "rating": 6.4}, {"id": "tt3", "title": "C"}])
    >>> table_changes(a, b)["films"]
    {'added': 1, 'updated': 1, 'removed': 1}
    """
    return {table: _changes(_fingerprint(getattr(old, table), table), getattr(new, table), table) for table in _KEYS}


def _fingerprint(df: pd.DataFrame, table: str) -> tuple:
    """What :func:`_changes` needs of an old table: its row count and row hashes (None when empty)."""
    return len(df), (_row_hashes(df, _KEYS[table], LIST_COLUMNS[table]) if len(df) else None)


def _stored_fingerprint(path: Path, table: str) -> tuple:
    """The :func:`_fingerprint` of a stored table, read for hashing only.

    Text stays in Arrow (pandas hashes Arrow strings like Python ones, eight
    times faster) and list cells are joined by Arrow as :func:`_row_hashes`
    joins them in Python, so no Python object is made for a cell: a reload
    at IMDb's scale no longer holds the old graph in memory.  A column of
    any other kind goes the canonical way (:func:`_read_table`).
    """
    arrow = pq.read_table(path)
    columns, lists = TABLE_COLUMNS[table], LIST_COLUMNS[table]
    frame = {}
    for name, column, kind in _arrays(arrow):
        dtype = columns.get(name)
        if name in lists and pa.types.is_null(kind):
            frame[name] = pd.array([""] * len(column), dtype="string[pyarrow]")
        elif name in lists and pa.types.is_list(kind) and pa.types.is_string(kind.value_type):
            joined = pc.binary_join(pc.fill_null(column, pa.scalar([], type=kind)), "\x1f")
            frame[name] = pd.array(joined, dtype="string[pyarrow]")
        elif name in lists and pa.types.is_list(kind) and pa.types.is_null(kind.value_type) and not column.null_count:
            frame[name] = pd.array([""] * len(column), dtype="string[pyarrow]")  # lists all empty
        elif dtype in _MASKED_DTYPES:
            frame[name] = column.to_pandas(types_mapper={kind: _MASKED_DTYPES[dtype]}.get)
        elif dtype == "object" and name not in lists and (pa.types.is_string(kind) or pa.types.is_null(kind)):
            frame[name] = pd.array(column.cast(pa.string()), dtype="string[pyarrow]")
        else:
            return _fingerprint(normalize_table(_read_table(path, table), table), table)
    df = pd.DataFrame(frame, index=pd.RangeIndex(arrow.num_rows))
    if list(df.columns) != list(columns):  # an older layout: let FilmGraph make it canonical
        return _fingerprint(normalize_table(_read_table(path, table), table), table)
    return len(df), (_row_hashes(df, _KEYS[table]) if len(df) else None)




#: Which key columns hold film ids and which person ids (for keys resolved by a merge).
_KEY_KINDS = {"id": None, "person_id": "person", "film_id": "film", "similar_id": "film"}


def _earlier_keys(df: pd.DataFrame, table: str, resolved: dict) -> pd.Series:
    """Hashes of the keys rows of ``df`` had before the merge resolved derived keys -> their key hash now.

    A stub film ``title:jane-eyre`` completed by ``tt1229822`` is one film
    whose key changed, as are its links and credits; each alternative
    (any subset of the key's id columns put back to a derived key) is listed.
    """
    key = _KEYS[table]
    inverse = {}
    for column in key:
        kind = _KEY_KINDS.get(column) or ("film" if table == "films" else "person" if table == "people" else None)
        mapping = resolved.get(kind) if kind else None
        if mapping:
            back: dict[str, list] = {}
            for derived, real in mapping.items():
                back.setdefault(real, []).append(derived)
            inverse[column] = back
    if not inverse or df.empty:
        return pd.Series(dtype=np.uint64)
    now = pd.util.hash_pandas_object(df[key], index=False).to_numpy()
    earlier, later = [], []
    for size in range(1, len(inverse) + 1):
        for columns in itertools.combinations(inverse, size):
            rows = df[key].assign(_row=np.arange(len(df)))
            for column in columns:
                rows = rows[rows[column].isin(inverse[column].keys())]
                rows = rows.assign(**{column: rows[column].map(inverse[column])}).explode(column)
            if rows.empty:
                continue
            keys = rows[key].astype({c: df[c].dtype for c in key})
            earlier.append(pd.util.hash_pandas_object(keys, index=False).to_numpy())
            later.append(now[rows["_row"].to_numpy(dtype=np.int64)])
    if not earlier:
        return pd.Series(dtype=np.uint64)
    return pd.Series(np.concatenate(later), index=np.concatenate(earlier))


def _changes(before, new_df: pd.DataFrame, table: str, resolved: dict | None = None) -> dict:
    """``added``/``updated``/``removed`` of ``new_df`` against ``before`` (a :func:`_fingerprint`, or None).

    A row whose key a merge resolved (a stub film completed by its IMDb id,
    and its links) counts as updated, not as removed and added.
    """
    n_before, before_hashes = before if before is not None else (0, None)
    if before_hashes is None or new_df.empty:  # a first load (or everything gone): nothing to compare row by row
        return {"added": len(new_df), "updated": 0, "removed": n_before}
    after = _row_hashes(new_df, _KEYS[table], LIST_COLUMNS[table])
    common = before_hashes.index.intersection(after.index)
    added = after.index.difference(before_hashes.index)
    removed = before_hashes.index.difference(after.index)
    earlier = _earlier_keys(new_df, table, resolved or {})
    completed = earlier[earlier.index.isin(removed) & np.isin(earlier.to_numpy(), added)]
    return {
        "added": int(len(added)) - int(completed.nunique()),
        "updated": (int((before_hashes.loc[common] != after.loc[common]).sum()) if len(common) else 0)
                   + int(completed.nunique()),
        "removed": int(len(removed)) - int(completed.index.nunique()),
    }
