"""The local store: the canonical tables on disk, as Parquet, read by every command.

With no Neo4j configured, this is where ``reelgraph load`` puts the graph.  A
store is a folder holding the tables ``films``, ``people``, ``credits`` and
``similar`` and ``manifest.json`` (counts and the sources loaded).  A table
is one Parquet file (``films.parquet``), or a folder of Parquet chunks
(``credits/000000.parquet``, ...) that a load of few keys rewrites only
where its rows changed, linking the other chunks into the new version
(:mod:`reelgraph._parquet_table`).  Its location is, in order: the
``--store`` option, the environment variable ``REELGRAPH_STORE``, or
:data:`DEFAULT_STORE`.

Each source's own tables are kept too, under ``parts/``: loading a source
again (a newer copy of IMDb's datasets, a newer saved page) replaces its old
tables, and the merged graph is made anew from all sources, so what a source
no longer has is gone and what other sources brought stays.

Writes are atomic: the new tables go to a sibling folder that replaces the old
one only when complete, so a failed load never leaves a half-written store.
One writer at a time changes a store (a second waits), and a reader always
sees one version of it, never old films with new credits
(:mod:`reelgraph._store_locks`); a store left aside by a writer killed
between its two renames is put back by the next reader or writer, and what a
killed writer left beside the store is removed by the next writer.  The new
folder is synced to disk before its rename (:mod:`reelgraph._durable`), so a
machine that stops just after it does not come back with empty tables.
"""

from __future__ import annotations

import bisect
import itertools
import json
import logging
import os
import shutil
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from reelgraph._durable import link, sync_folder_entries, sync_tree
from reelgraph._imdb_ids import imdb_id_mask
from reelgraph._index_reuse import PreviousIndex
from reelgraph._parquet_table import ParquetTable, duckdb_scan, link_table, remove_table, rewrite_table, table_paths
from reelgraph._label_keys import LABEL_COLUMN, LabelKeys, is_imdb_id
from reelgraph._slugs import slug_matches
from reelgraph._store_locks import store_lock
from reelgraph.errors import StoreError
from reelgraph.graph_index import store_version, write_index_from_tables
from reelgraph.model import (
    IMDB_FILM_PREFIX,
    IMDB_PERSON_PREFIX,
    LIST_COLUMNS,
    TABLE_COLUMNS,
    FilmGraph,
    _derived_key_maps,
    _fold_duplicates,
    _fold_resolved,
    cyclic_gc_paused,
    merge_graphs,
    normalize_table,
    slugify,
)

__all__ = ["DEFAULT_STORE", "STORE_FORMAT", "LocalStore", "TableFiles", "fold_repeated_keys", "fold_repeated_rows", "frame_from_arrow", "store_path", "table_changes"]

log = logging.getLogger(__name__)

#: Where the store lives when neither ``--store`` nor ``REELGRAPH_STORE`` says.
DEFAULT_STORE = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "reelgraph" / "store"


#: The layout of a store this reelgraph writes and reads, recorded in its
#: manifest (a store without the field is format 1).  A later layout bumps it,
#: so a store is never silently misread by a reelgraph that does not know it.
#: Format 2: a merged table may be a folder of chunks (``credits/000000.parquet``,
#: ...; :mod:`reelgraph._parquet_table`) rather than one file.  Format 1 stores are
#: read as they are, and written as format 2 by the next load.
STORE_FORMAT = 2


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

    def mirror(self, progress: bool = True):
        """The mirror of the stored graph, memory-mapped from its persisted index (:mod:`reelgraph.graph_index`).

        Opening it reads almost nothing: what a query touches is paged in.
        An index that is missing, stale or damaged is rebuilt first (a
        warning, and a progress bar on a terminal when ``progress``).
        """
        from reelgraph.graph_index import ensure_index

        self._recover()
        with store_lock(self.path, "swap", shared=True):  # one version, even while a writer swaps
            if not self.exists():
                raise StoreError(f"{self.path}: no graph stored here yet; run 'reelgraph load SOURCE' or 'reelgraph demo'")
            return ensure_index(self.path, self.manifest(), lambda: _read_tables(self.path), progress=progress)

    @contextmanager
    def writing(self, wait: bool = True):
        """Hold the store for one writer: what is read inside is what the writes inside replace.

        ``wait=False``: a :class:`StoreError` at once when another process is writing.

        :meth:`load` and :meth:`write` take it themselves; a caller that reads,
        computes and writes back (clusters) holds it around all three, so a
        load by another process in between is not overwritten.
        """
        with store_lock(self.path, "write", waiting_message=f"{self.path}: another reelgraph is writing to this "
                                                             "store; waiting for it to finish", wait=wait):
            self._recover()
            _remove_stale_staging(self.path)
            yield self

    @contextmanager
    def source_tables(self):
        """A new folder beside the store for a source's tables written as files (:class:`TableFiles`), removed after.

        Beside the store, so that :meth:`load` links its files in rather than
        copying them.  A folder left by a load that was killed is removed by
        the next writer (its name holds its process id).
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.source-{os.getpid()}-", dir=self.path.parent))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

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

    def load(self, parts: dict, sources: dict[str, list] | None = None) -> tuple["TableFiles", dict]:
        """Put each source's tables in the store, replacing an older copy of the same source.

        The stored graph is the merge (:func:`~reelgraph.model.merge_graphs`) of
        every source's tables, in the order the sources were first loaded.
        A source loaded again (a newer saved page of the same film, a newer
        copy of IMDb's datasets) replaces its earlier tables, so values it
        changed are updated and rows it no longer has are gone, while other
        sources' rows stay.  Cluster ids survive for films still there.
        A saved page cut short that is poorer than its stored copy is kept
        out, with a warning (:meth:`_richer_copies`).
        A load of few rows (a saved page added to IMDb's datasets) re-merges
        only the keys it touches, with the same result and report.

        Parameters
        ----------
        parts : dict
            Source key (see :func:`reelgraph.loaders.read_partitions`) -> its
            graph (a FilmGraph, or a :class:`TableFiles` of merged tables).
        sources : dict, optional
            Source key -> the paths it was read from, for the manifest.

        Returns
        -------
        (TableFiles, dict)
            The new stored graph (its files: ``.read()`` for the tables in
            memory, ``.counts()``), and per table the ids ``added``,
            ``updated`` and ``removed`` (counts) against the old one.
        """
        with self.writing():
            manifest = self.manifest()  # refuses a layout this reelgraph does not know, before reading anything
            if _replaces_everything(manifest, parts):
                return self._load_files(*next(iter(parts.items())), manifest, sources)
            parts = {key: part.read() if isinstance(part, TableFiles) else part for key, part in parts.items()}
            entries = {e["key"]: e for e in manifest.get("partitions", [])}
            parts = self._richer_copies(parts, entries, sources or {})
            if not parts:  # every source was a poorer copy of a stored one: the store stays as it is
                return TableFiles(self.path), {table: {"added": 0, "updated": 0, "removed": 0} for table in _KEYS}
            for key in parts:
                entries.setdefault(key, {"key": key, "folder": f"{len(entries):04d}-{slugify(key)[:60]}"})
                entries[key]["sources"] = list(map(str, (sources or {}).get(key, [])))
                entries[key]["counts"] = parts[key].counts()
            new_parts = {entries[k]["folder"]: g for k, g in parts.items()}
            if _touches_few_rows(manifest, parts):
                edits, changes, label_keys = self._merge_touched(parts)
                self._write_edited(edits, list(entries.values()), new_parts, label_keys)
                return TableFiles(self.path), changes
            merged, changes = self._merge_all(parts)
            self._write(merged, list(entries.values()), new_parts)
            return TableFiles(self.path, graph=merged), changes

    def _richer_copies(self, parts: dict[str, FilmGraph], entries: dict, sources: dict) -> dict[str, FilmGraph]:
        """``parts`` without the saved pages that would replace a richer stored copy of themselves.

        Which copy wins is :func:`reelgraph.loaders.replaces_copy`'s to say;
        what it says goes to the log (one line on stderr from the command
        line).  Only pages are weighed: a stored page is small, and a newer
        copy of IMDb's datasets or of a folder of tables is what the user
        chose to load, filters and all.
        """
        from reelgraph.loaders import replaces_copy  # the loaders import the store: not at module level

        kept = {}
        for key, graph in parts.items():
            if key.startswith("page:") and key in entries:
                name = ", ".join(map(str, sources.get(key, []))) + f" ({key})" if sources.get(key) else key
                replace, message = replaces_copy(name, graph, _read_tables(self.path / "parts" / entries[key]["folder"]))
                if message:
                    log.warning("%s", message)
                if not replace:
                    continue
            kept[key] = graph
        return kept

    def _load_files(self, key: str, part: "TableFiles", manifest: dict, sources: dict | None) -> tuple["TableFiles", dict]:
        """:meth:`load` of one source given as Parquet files that replaces every stored source.

        The source's tables are the merged graph as they are (one row a key,
        as :meth:`TableFiles.check_merged` makes sure), so nothing is read
        into memory: the files are linked into the store, films get the
        stored cluster ids, the change report is worked out by DuckDB from
        the files, and the graph index is built from them.  The films' and
        people's label keys (:mod:`reelgraph._label_keys`, from their ids and
        labels alone) go beside them, for the pages that come next.
        """
        part.check_merged()
        if not part.merged:
            fold_repeated_keys(part)
        folder = f"{0:04d}-{slugify(key)[:60]}"
        entry = {"key": key, "folder": folder, "sources": list(map(str, (sources or {}).get(key, []))),
                 "counts": part.counts()}
        changes = {table: _file_changes(self.path if self.exists() else None, part.folder, table) for table in _KEYS}

        def fill(staging: Path) -> None:
            _link_tree(part.folder, staging / "parts" / folder)
            # The label keys the next page asks this source for (29M names and titles at IMDb's size, ~3 s)
            for table in LABEL_COLUMN:
                LabelKeys.of(_SourceRows(folder=part.folder).keys(table), table).write(
                    staging / "parts" / folder, table, made_from=part.folder)
            for table in FilmGraph.TABLES:
                link_table(part.folder, staging, table)
            if self.exists():
                _keep_cluster_ids(self.path, staging)

        self._write_staged(fill, part.counts(), [entry])
        return TableFiles(self.path), changes

    def _merge_all(self, parts: dict[str, FilmGraph]) -> tuple[FilmGraph, dict]:
        """:meth:`load`'s merge of every source's tables, and the change report against every stored row."""
        # What the old graph was, kept small: each table's row hashes (read
        # one table at a time) and the films' cluster ids, not the graph itself.
        before = self._row_fingerprints() if self.exists() else {}
        clusters = self._cluster_ids() if self.exists() else pd.Series(dtype="Int64")
        stored = self.partitions(skip=parts)  # the sources reloaded are replaced: no need to read them
        stored.update(parts)
        merged = merge_graphs(*stored.values())
        merged.films["cluster"] = merged.films["id"].map(clusters).astype("Int64")
        resolved = getattr(merged, "resolved_keys", {})
        return merged, {table: _changes(before.get(table), getattr(merged, table), table, resolved) for table in _KEYS}

    def _merge_touched(self, parts: dict[str, FilmGraph]) -> tuple[dict, dict]:
        """:meth:`load`'s merge and change report, re-merging only the keys the loaded sources touch.

        Each merged row depends only on the rows of all sources that share its
        key once derived keys are resolved, taken in source order
        (:func:`~reelgraph.model.merge_graphs`).  So a key that no row of a
        replaced or new source has, before or after, and that no changed
        resolution of a derived key moves, keeps its stored merged row, and
        its stored row is also what the report would compare it with:
        unchanged.  The resolutions themselves are worked out exactly, for
        the sources before and after, from the few rows that can decide
        them (:func:`_resolution_maps`).  Every other source, and the stored
        graph, is read as its key columns a batch of rows at a time, and
        whole only for the rows of touched keys: adding a page to the whole
        IMDb holds none of its tables.

        Returns
        -------
        (dict, dict, dict)
            Per table, the edit of the stored table (:class:`_TableEdit`);
            the change report; and the label keys worked out for stored
            sources that had none (source folder -> table -> :class:`LabelKeys`).
        """
        folders = {e["key"]: self.path / "parts" / e["folder"] for e in self.manifest()["partitions"]}
        # A replaced source is small here (_touches_few_rows): read whole, for the keys it had.
        before = {key: _SourceRows(graph=_read_tables(folder)) if key in parts else _SourceRows(folder=folder)
                  for key, folder in folders.items()}
        after = {**before, **{key: _SourceRows(graph=graph) for key, graph in parts.items()}}  # the order merge_graphs gets
        maps_before, maps_after = _resolution_maps(before.values(), after.values())
        touched = _touched_keys(before, after, parts.keys(), maps_before, maps_after)
        rows = {table: pd.concat([source.rows(table, source.key_rows(table, touched[table], maps_after))
                                  for source in after.values()], ignore_index=True) for table in FilmGraph.TABLES}
        remerged = _fold_resolved(rows["films"], rows["people"], rows["credits"], rows["similar"], maps_after)
        stored = _SourceRows(folder=self.path)
        edits, changes = {}, {}
        for table in _KEYS:
            replaced = stored.key_rows(table, touched[table])  # stored keys are resolved already
            old_rows, new = stored.rows(table, replaced), getattr(remerged, table)
            if table == "films":  # cluster ids survive, as in _merge_all
                new = new.assign(cluster=new["id"].map(old_rows.set_index("id")["cluster"].dropna()).astype("Int64"))
            changes[table] = _changes(_fingerprint(old_rows, table), new, table, maps_after)
            edits[table] = _TableEdit.of(replaced, old_rows, new, table)
        label_keys = {folders[key]: source.unsaved for key, source in before.items() if key not in parts and source.unsaved}
        return edits, changes, label_keys

    def _write_edited(self, edits: dict, partitions: list[dict], new_parts: dict[str, FilmGraph],
                      label_keys: dict | None = None) -> None:
        """Write the store with each table edited as :meth:`_merge_touched` says, a chunk at a time.

        The chunks of a table none of whose rows the edit changes are the
        old version's files, linked (:func:`~reelgraph._parquet_table.rewrite_table`):
        a page added to the whole IMDb writes the few chunks its rows are in.
        A row whose key stays keeps its place (:class:`_TableEdit`), so the
        graph index is patched rather than rebuilt when no node comes or
        goes (:mod:`reelgraph._index_reuse`).  ``similar`` is small (links
        come from saved pages): it is rewritten whole, in
        :func:`~reelgraph.model.merge_graphs`' order.  ``label_keys`` (as
        :meth:`_merge_touched` gives them) go beside the tables of their
        sources, so that the next load reads them rather than the tables.
        """
        counts = {table: edit.rows_after() for table, edit in edits.items()}

        def edit_table(staging: Path, table: str) -> None:
            edit = edits[table]
            with _damaged_is_a_store_error(self.path):
                if table == "similar":
                    old = _read_table(self.path, table)
                    links = pd.concat([old.loc[~edit.replaced], edit.rows], ignore_index=True)
                    links.sort_values(["film_id", "source", "rank"], kind="stable").to_parquet(
                        staging / f"{table}.parquet", index=False)
                else:
                    _rewrite(self.path, table, edit.appended, keep=lambda offset, n: ~edit.removed[offset:offset + n],
                             target=staging, substitutes=(edit.substituted, edit.substitutes))

        def fill(staging: Path) -> None:
            # Arrow encodes and compresses without the GIL: two tables at a time take both cores,
            # credits (most of the work) beside the others.
            with ThreadPoolExecutor(max_workers=2) as pool:
                for done in [pool.submit(edit_table, staging, table) for table in ("credits", "films", "people", "similar")]:
                    done.result()
            for entry in partitions:
                target = staging / "parts" / entry["folder"]
                if entry["folder"] in new_parts:
                    _write_tables(new_parts[entry["folder"]], target)
                else:
                    source = self.path / "parts" / entry["folder"]
                    _link_tree(source, target)
                    for table, keys in (label_keys or {}).get(source, {}).items():
                        keys.write(target, table, made_from=source)

        self._write_staged(fill, counts, partitions, edits=edits)

    def _row_fingerprints(self) -> dict:
        """Per table of the stored graph, its :func:`_fingerprint`, reading one table at a time."""
        out = {}
        for table in _KEYS:
            try:
                out[table] = _stored_fingerprint(self.path, table)
            except (OSError, ValueError) as exc:
                raise StoreError(f"{self.path}: the store is damaged ({exc}); load your sources again") from None
        return out

    def _cluster_ids(self) -> pd.Series:
        """The stored films' cluster ids, by film id (films without one left out)."""
        with _damaged_is_a_store_error(self.path):
            films = ParquetTable(self.path, "films").read(["id", "cluster"]).to_pandas()
        return films.set_index("id")["cluster"].dropna()

    def merge(self, graph: FilmGraph, sources=(), key: str | None = None) -> FilmGraph:
        """Add one graph as the source ``key`` (default: named by ``sources``) and return the stored graph."""
        key = key or "graph:" + "|".join(map(str, sources))
        return self.load({key: graph}, {key: list(sources)})[0].read()

    def write(self, graph: FilmGraph) -> None:
        """Replace the merged graph (e.g. with cluster ids added), keeping the sources' tables."""
        with self.writing():
            self._write(graph, self.manifest().get("partitions", []), {})

    def _write(self, graph: FilmGraph, partitions: list[dict], new_parts: dict[str, FilmGraph]) -> None:
        def fill(staging: Path) -> None:
            _write_tables(graph, staging)
            for entry in partitions:
                target = staging / "parts" / entry["folder"]
                if entry["folder"] in new_parts:
                    _write_tables(new_parts[entry["folder"]], target, written=(graph, staging))
                else:  # the tables of sources not reloaded are hard-linked rather than copied
                    _link_tree(self.path / "parts" / entry["folder"], target)

        self._write_staged(fill, graph.counts(), partitions)

    def _write_staged(self, fill, counts: dict, partitions: list[dict], edits: dict | None = None) -> None:
        """Write a new version of the store: ``fill(staging)`` puts the tables in a staging folder, which
        then gets the graph index (built from the staged files) and the manifest and replaces the store
        in one rename.  ``edits``: the tables are the stored ones edited so (:class:`_TableEdit`), and the
        stored index may be patched rather than built again."""
        previous = PreviousIndex(self.path, store_version(self.manifest()), edits) if edits is not None else None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.new-", dir=self.path.parent))
        try:
            fill(staging)
            manifest = {
                "format": STORE_FORMAT,
                "version": uuid.uuid4().hex,  # what the graph index is built for (reelgraph.graph_index)
                "written": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "counts": counts,
                "partitions": partitions,
            }
            write_index_from_tables(staging, staging, store_version(manifest), previous=previous)
            (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
            sync_tree(staging)  # on disk before the rename makes it the store: a crash cannot leave empty files
            old = None
            with store_lock(self.path, "swap"):  # readers wait out the two renames, never see between them
                if self.path.exists():
                    old = self.path.with_name(f".{self.path.name}.old-{os.getpid()}")
                    self.path.rename(old)
                staging.rename(self.path)
                sync_folder_entries(self.path.parent)
            if old is not None:  # a stop before it ends leaves it to the next writer (_remove_stale_staging)
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def clear(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


class TableFiles:
    """A graph's canonical tables as Parquet in a folder (``films.parquet`` or ``films/`` of chunks, ...), read only when asked.

    How a source too big for memory reaches the store: its loader writes the
    tables to disk (out of core, :mod:`reelgraph.loaders.imdb_bulk`) and
    :meth:`LocalStore.load` links the files into the store.  Rows that share
    a key (IMDb's principals list a few credits twice) are folded then, as
    :func:`~reelgraph.model.merge_graphs` folds them (:func:`fold_repeated_keys`),
    unless ``merged`` says the writer left one row a key already.  A store is
    itself one (``TableFiles(store.path)``).

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> _write_tables(FilmGraph.from_records(films=[{"id": "tt1334260", "title": "Never Let Me Go"}]), Path(folder))
    >>> TableFiles(folder).counts()
    {'films': 1, 'people': 0, 'credits': 0, 'similar': 0}
    """

    def __init__(self, folder, report=None, graph: FilmGraph | None = None, merged: bool = False):
        self.folder = Path(folder)
        self.report = report
        self.merged = merged  # its writer folded every repeated key already (else the store folds them as it links the files)
        self._graph = graph  # the tables already in memory, when the writer had them

    def __repr__(self):
        return f"TableFiles({str(self.folder)!r})"

    def open(self, table: str) -> ParquetTable:
        """One table's file or chunks (:mod:`reelgraph._parquet_table`), read as one."""
        return ParquetTable(self.folder, table)

    def counts(self) -> dict[str, int]:
        """Rows per table, from the files' metadata (nothing else is read)."""
        with _damaged_is_a_store_error(self.folder):
            return {table: self.open(table).num_rows for table in FilmGraph.TABLES}

    def read(self) -> FilmGraph:
        """The tables in memory (pandas), for a graph small enough to hold."""
        graph = self._graph if self._graph is not None else _read_tables(self.folder)
        if self.report is not None:
            graph.report = self.report
        return graph

    def check_merged(self) -> None:
        """Refuse files whose columns are not the canonical tables' (:data:`~reelgraph.model.TABLE_COLUMNS`)."""
        for table in FilmGraph.TABLES:
            with _damaged_is_a_store_error(self.folder):
                found = self.open(table).schema_arrow.names
            if found != list(TABLE_COLUMNS[table]):
                raise StoreError(f"{table_paths(self.folder, table)[0]}: not a canonical {table} table (columns {found})")


def fold_repeated_keys(files: TableFiles) -> None:
    """Fold, in the files, rows that share a key as :func:`~reelgraph.model.merge_graphs` folds them.

    IMDb's principals list a few credits twice.  DuckDB finds the keys that
    repeat (by a 64-bit hash of the key, so the group is small); only their
    rows are read into pandas and folded by the merge's own code, and the
    table is written again without them and with the folded rows after, the
    order ``merge_graphs`` gives.  A table without repeats is not touched.
    """
    from reelgraph._duckdb import connect

    with connect(temp_directory=files.folder.parent) as db:
        for table in FilmGraph.TABLES:
            if table == "similar":  # links come from pages only: small, folded whole
                if files.open(table).num_rows:
                    empty = FilmGraph.empty()
                    links = merge_graphs(FilmGraph(empty.films, empty.people, empty.credits,
                                                   _read_table(files.folder, table)))
                    _rewrite(files.folder, table, links.similar, keep=None)
                continue
            key = ", ".join(f'"{column}"' for column in _KEYS[table])
            # Only the key columns are read here (12 s for the ~95M credits of the whole IMDb).
            repeated = db.sql(
                f"WITH k AS (SELECT hash({key}) AS h, file_row_number AS n FROM "
                f"{duckdb_scan(files.folder, table, row_numbers=True)}) "
                "SELECT n FROM k WHERE h IN (SELECT h FROM k GROUP BY h HAVING count(*) > 1) ORDER BY n"
            ).fetchnumpy()["n"].astype(np.int64)
            if not len(repeated):
                continue
            mask = np.zeros(files.open(table).num_rows, dtype=bool)
            mask[repeated] = True
            folded = _folded(_SourceRows(folder=files.folder).rows(table, mask), table)
            _rewrite(files.folder, table, folded, keep=lambda offset, n, mask=mask: ~mask[offset:offset + n])


def fold_repeated_rows(rows: pa.Table, table: str) -> pd.DataFrame:
    """Rows of canonical table ``table`` (Arrow) whose keys repeat, folded one row a key as the store folds them.

    For a loader that sets such rows aside as it writes a table out of core
    (:func:`reelgraph.loaders.imdb_bulk.write_imdb_tables`): appended after
    the others, they make the table :func:`fold_repeated_keys` would make.
    """
    return _folded(_rows_frame(rows, table), table)


def _folded(rows: pd.DataFrame, table: str) -> pd.DataFrame:
    """``rows`` (of keys that repeat) folded by the merge's own code, in the order ``merge_graphs`` gives."""
    folded = _fold_duplicates(rows, _KEYS[table], table)
    if table == "films":  # a film is a stub only if every row of it was
        stub = folded["id"].map(rows["stub"].fillna(False).astype(bool).groupby(rows["id"]).all())
        folded = folded.assign(stub=stub.astype("boolean"))
    return folded


def _rewrite(folder: Path, table: str, extra: pd.DataFrame, keep, target: Path | None = None,
             substitutes=None) -> None:
    """Write ``table`` of ``folder`` again, as chunks, into the folder ``target`` (default: in its place):
    its rows where ``keep(offset, n)`` says (none when ``keep`` is None), then the rows of ``extra``.

    ``substitutes``: ``(positions, rows)``, stored rows (ascending
    positions, kept) written as the rows of the frame ``rows`` instead, in
    their place.  A chunk at a time (:func:`~reelgraph._parquet_table.rewrite_table`:
    the chunks no row of which changes are hard-linked), so a table of the
    whole IMDb is never held and a page added to it writes little; no file
    is changed in place (it may be a hard link).  A column the table holds
    no value in (Arrow type null) takes the type of the new rows' values,
    as pandas would have written it.
    """
    source = ParquetTable(folder, table)
    positions, rows = substitutes if substitutes is not None else (np.zeros(0, np.int64), extra.iloc[:0])
    new_rows = pd.concat([rows, extra], ignore_index=True) if len(rows) else extra
    new_arrow = pa.Table.from_pandas(new_rows, preserve_index=False) if len(new_rows) else None
    schema = _widened(source.schema_arrow, new_arrow).remove_metadata()
    new_arrow = _as_schema(new_arrow, schema) if new_arrow is not None else None
    target = target or folder
    writing = target / f".{table}.writing"
    if writing.exists():  # left by a rewrite stopped in a folder of a source's tables
        shutil.rmtree(writing)
    rewrite_table(source, writing, schema, new_arrow, keep=keep, positions=positions)
    remove_table(target, table)  # (the chunks linked into the new version stay there)
    writing.rename(target / table)


def _is_null_type(kind: pa.DataType) -> bool:
    return pa.types.is_null(kind) or (pa.types.is_list(kind) and pa.types.is_null(kind.value_type))


def _widened(schema: pa.Schema, extra: pa.Table | None) -> pa.Schema:
    """``schema`` with each column of type null (no value in the file) given the type of ``extra``'s values."""
    if extra is None:
        return schema
    fields = []
    for field in schema:
        kind = extra.schema.field(field.name).type
        fields.append(field.with_type(kind) if _is_null_type(field.type) and not _is_null_type(kind) else field)
    return pa.schema(fields, metadata=None)


def _as_schema(arrow: pa.Table, schema: pa.Schema) -> pa.Table:
    """Rows (from pandas) as an Arrow table of ``schema``; a column of type null there is null here."""
    columns = []
    for field in schema:
        column = arrow.column(field.name)
        if pa.types.is_null(field.type):
            column = pa.nulls(len(column), field.type)
        elif pa.types.is_list(field.type) and pa.types.is_null(field.type.value_type):
            column = pa.array([[] for _ in range(len(column))], type=field.type)
        columns.append(column.cast(field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def _replaces_everything(manifest: dict, parts: dict) -> bool:
    """Whether :meth:`LocalStore.load` of ``parts`` is one source of :class:`TableFiles` replacing every stored one."""
    if len(parts) != 1:
        return False
    key, part = next(iter(parts.items()))
    return isinstance(part, TableFiles) and all(entry["key"] == key for entry in manifest.get("partitions", []))


def _keep_cluster_ids(old_folder: Path, new_folder: Path) -> None:
    """Give the films of ``new_folder`` the cluster ids those of ``old_folder`` had (films gone keep none).

    The new films may be hard links to a source's files: they are replaced
    by new files, never changed in place.
    """
    old = ParquetTable(old_folder, "films").read(["id", "cluster"])
    old = old.filter(pc.is_valid(old["cluster"]))
    new_films = ParquetTable(new_folder, "films")
    if not old.num_rows and not new_films.num_rows:
        return
    new = new_films.read()
    if not old.num_rows and new["cluster"].null_count == new.num_rows:
        return  # no clusters before and none in the new files: the link stays
    at = pc.index_in(new["id"], value_set=old["id"].combine_chunks())
    clusters = pc.take(old["cluster"].combine_chunks().cast(pa.int64()), at)
    new = new.set_column(new.schema.get_field_index("cluster"), "cluster", clusters)
    writing = new_folder / ".films.clusters"
    rewrite_table(None, writing, new.schema.remove_metadata(), new.cast(new.schema.remove_metadata()))
    remove_table(new_folder, "films")
    writing.rename(new_folder / "films")


#: DuckDB's type for each canonical dtype, so a value hashes the same whatever its file's Parquet type was.
_DUCKDB_TYPES = {"object": "VARCHAR", "Int64": "BIGINT", "Float64": "DOUBLE", "boolean": "BOOLEAN"}


def _file_changes(old: Path | None, new: Path, table: str) -> dict:
    """``added``/``updated``/``removed`` rows of ``table`` in the folder ``new`` against the folder ``old`` (None: no store yet).

    What :func:`_changes` counts, worked out by DuckDB from the files, so a
    refresh of the whole IMDb holds neither table in memory: each row is a
    64-bit hash of its key and one of its other values (``cluster`` left
    out), and a full outer join on the keys, spilled to disk when it must,
    counts what appeared, what went and what changed.
    """
    from reelgraph._duckdb import connect

    if old is None:
        return {"added": ParquetTable(new, table).num_rows, "updated": 0, "removed": 0}
    lists = LIST_COLUMNS[table]

    def canonical(name, dtype):
        return f'CAST("{name}" AS VARCHAR[])' if name in lists else f'CAST("{name}" AS {_DUCKDB_TYPES[dtype]})'

    def hashed(folder):
        present = set(ParquetTable(folder, table).schema_arrow.names)
        key = ", ".join(canonical(c, TABLE_COLUMNS[table][c]) for c in _KEYS[table])
        # a column an older store lacks is as a canonical table has it empty: lists [], other values NULL
        values = ", ".join(canonical(c, d) if c in present else "[]::VARCHAR[]" if c in lists else "NULL"
                           for c, d in TABLE_COLUMNS[table].items() if c != "cluster")
        return f"SELECT hash({key}) AS k, hash({values}) AS h FROM {duckdb_scan(folder, table)}"

    with connect(temp_directory=new.parent) as db:
        added, updated, removed = db.execute(
            f"SELECT count(*) FILTER (WHERE o.k IS NULL), count(*) FILTER (WHERE o.h <> n.h), "
            f"count(*) FILTER (WHERE n.k IS NULL) FROM ({hashed(new)}) n FULL OUTER JOIN ({hashed(old)}) o ON n.k = o.k",
            ).fetchone()
    return {"added": int(added), "updated": int(updated), "removed": int(removed)}


def _remove_stale_staging(path: Path) -> None:
    """Remove the staging folders (``.NAME.new-*``) of writers that were stopped, old versions
    (``.NAME.old-PID``) a stopped writer had swapped out but not yet removed, and the source folders
    (``.NAME.source-PID-*``) of loads whose process is gone.

    Only a writer calls it, holding the write lock, after :meth:`LocalStore._recover` has put back a
    store that was missing: an old version beside a store in place is never needed again.
    """
    for staging in path.parent.glob(f".{path.name}.new-*"):
        shutil.rmtree(staging, ignore_errors=True)
    if path.exists():
        for old in path.parent.glob(f".{path.name}.old-*"):
            shutil.rmtree(old, ignore_errors=True)
    for folder in path.parent.glob(f".{path.name}.source-*-*"):
        pid = folder.name[len(f".{path.name}.source-"):].split("-")[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def _write_tables(graph: FilmGraph, folder: Path, written: tuple[FilmGraph, Path] | None = None) -> None:
    """Each table as ``folder/NAME.parquet``; one equal to the table of a graph ``written`` already
    (a source's table, in a store of that source alone) is hard-linked to that file instead."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in graph.tables().items():
        if written is not None and df.equals(getattr(written[0], name)):
            link(written[1] / f"{name}.parquet", folder / f"{name}.parquet")
        else:
            df.to_parquet(folder / f"{name}.parquet", index=False)


def _read_tables(folder: Path) -> FilmGraph:
    try:
        frames = {name: _read_table(folder, name) for name in FilmGraph.TABLES}
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        raise StoreError(f"{folder}: the store is damaged ({exc}); load your sources again") from None
    return FilmGraph(**frames)


_MASKED_DTYPES = {"Int64": pd.Int64Dtype(), "Float64": pd.Float64Dtype(), "boolean": pd.BooleanDtype()}


def _read_table(folder: Path, table: str) -> pd.DataFrame:
    """One table of ``folder``, each column converted straight to its canonical dtype (:func:`frame_from_arrow`)."""
    return frame_from_arrow(ParquetTable(folder, table).read(), table)


def frame_from_arrow(arrow: pa.Table, table: str) -> pd.DataFrame:
    """An Arrow table of canonical table ``table`` as pandas, each column converted straight to its canonical dtype.

    Why not ``pa.Table.to_pandas`` (or ``pd.read_parquet``): it gives list
    cells as numpy arrays and text as Arrow-backed strings, which FilmGraph
    then converts cell by cell into Python lists and objects: 8.2 s for a
    store of 500k movies, against 4.2 s when Arrow builds the lists and
    objects itself, with the same result (benchmarks/bench_commands.py).
    """
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
    """Hard-link the files of ``source``, and of its folders (a table's chunks), into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        if item.is_dir():
            _link_tree(item, target / item.name)
        else:
            link(item, target / item.name)


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


def _stored_fingerprint(folder: Path, table: str) -> tuple:
    """The :func:`_fingerprint` of a stored table, read for hashing only.

    Text stays in Arrow (pandas hashes Arrow strings like Python ones, eight
    times faster) and list cells are joined by Arrow as :func:`_row_hashes`
    joins them in Python, so no Python object is made for a cell: a reload
    at IMDb's scale no longer holds the old graph in memory.  A column of
    any other kind goes the canonical way (:func:`_read_table`).
    """
    arrow = ParquetTable(folder, table).read()
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
            return _fingerprint(normalize_table(_read_table(folder, table), table), table)
    df = pd.DataFrame(frame, index=pd.RangeIndex(arrow.num_rows))
    if list(df.columns) != list(columns):  # an older layout: let FilmGraph make it canonical
        return _fingerprint(normalize_table(_read_table(folder, table), table), table)
    return len(df), (_row_hashes(df, _KEYS[table]) if len(df) else None)




#: Which key columns hold film ids and which person ids (for keys resolved by a merge).
_KEY_KINDS = {"person_id": "person", "film_id": "film", "similar_id": "film"}


def _id_kind(table: str, column: str) -> str | None:
    """``"film"`` or ``"person"``: what the key column ``column`` of ``table`` holds ids of (None: no ids)."""
    if column == "id":
        return {"films": "film", "people": "person"}[table]
    return _KEY_KINDS.get(column)


def _earlier_keys(df: pd.DataFrame, table: str, resolved: dict) -> pd.Series:
    """Hashes of the keys rows of ``df`` had before the merge resolved derived keys -> their key hash now.

    A stub film ``title:jane-eyre`` completed by ``tt1229822`` is one film
    whose key changed, as are its links and credits; each alternative
    (any subset of the key's id columns put back to a derived key) is listed.
    """
    key = _KEYS[table]
    inverse = {}
    for column in key:
        kind = _id_kind(table, column)
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


# -- a load that touches few keys -------------------------------------------

#: A load whose sources (their new tables and the stored ones they replace)
#: hold at most this share of the stored rows re-merges only the keys they
#: touch (:meth:`LocalStore._merge_touched`): adding a saved page to IMDb's
#: movies.  A larger one (a first load, a newer copy of IMDb's datasets)
#: merges everything, which then costs less than reading the replaced
#: source and every source's keys besides.
_TOUCHED_SHARE = 0.25

#: Columns beside the key that resolving derived keys reads (merge_graphs).
_LABELS = {"films": ["title", "year"], "people": ["name"], "credits": [], "similar": []}

#: Arrow's types that hold canonical masked columns, to convert a few rows read whole.
_ARROW_MASKED = {pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(), pa.bool_(): pd.BooleanDtype()}


def _touches_few_rows(manifest: dict, parts: dict[str, FilmGraph]) -> bool:
    """Whether :meth:`LocalStore.load` of ``parts`` re-merges only the keys they touch (see :data:`_TOUCHED_SHARE`).

    Decided from the manifest's counts alone, so a large replaced source is
    never read: the full merge does not read it either.
    """
    counts = {e["key"]: e.get("counts") for e in manifest.get("partitions", [])}
    if not counts or any(key in counts and counts[key] is None for key in parts):
        return False  # no sources to keep (a graph written whole), or a source of unknown size
    changed = sum(sum((counts.get(key) or {}).values()) + sum(graph.counts().values()) for key, graph in parts.items())
    return changed <= _TOUCHED_SHARE * sum(manifest.get("counts", {}).values())


@contextmanager
def _damaged_is_a_store_error(folder: Path):
    try:
        yield
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        raise StoreError(f"{folder}: the store is damaged ({exc}); load your sources again") from None


class _TableEdit:
    """How a load of few keys changes one stored table (:meth:`LocalStore._merge_touched`).

    ``replaced`` marks the stored rows of touched keys and ``rows`` holds the
    merged rows of those keys.  A stored row whose key is among ``rows``
    keeps its place (``substituted``, ascending, and its new row in
    ``substitutes``); the others are ``removed``; the rows of new keys are
    ``appended`` after every stored row.  Rows keeping their places keep
    the graph index's numbering, so that it can be patched
    (:mod:`reelgraph._index_reuse`).
    """

    def __init__(self, replaced: np.ndarray, rows: pd.DataFrame, removed: np.ndarray, substituted: np.ndarray,
                 substitutes: pd.DataFrame, appended: pd.DataFrame):
        self.replaced, self.rows, self.removed = replaced, rows, removed
        self.substituted, self.substitutes, self.appended = substituted, substitutes, appended

    @classmethod
    def of(cls, replaced: np.ndarray, old_rows: pd.DataFrame, rows: pd.DataFrame, table: str) -> "_TableEdit":
        """The edit that puts ``rows`` (merged, one a key) in place of the stored ``old_rows`` (the rows ``replaced`` marks)."""
        keys = _KEYS[table]
        positions = np.flatnonzero(replaced)
        old_at = pd.MultiIndex.from_frame(old_rows[keys].astype(object)) if len(old_rows) else None
        match = (old_at.get_indexer(pd.MultiIndex.from_frame(rows[keys].astype(object)))
                 if old_at is not None and len(rows) else np.full(len(rows), -1))
        kept = match >= 0
        order = np.argsort(match[kept], kind="stable")  # in the stored order
        substituted = positions[match[kept][order]]
        removed = replaced.copy()
        removed[substituted] = False
        substitutes = rows[kept].iloc[order].reset_index(drop=True)
        # A row the load leaves as it was is not substituted: its chunk of the table need not be written again.
        changed = ~_same_rows(old_rows.iloc[match[kept][order]].reset_index(drop=True), substitutes, table)
        return cls(replaced, rows, removed, substituted[changed].astype(np.int64),
                   substitutes[changed].reset_index(drop=True), rows[~kept].reset_index(drop=True))

    def rows_after(self) -> int:
        """Rows of the table once edited."""
        return int((~self.removed).sum()) + len(self.appended)


def _same_rows(a: pd.DataFrame, b: pd.DataFrame, table: str) -> np.ndarray:
    """Which rows of ``a`` equal the row of ``b`` in the same place (both canonical, of ``table``), cluster ids too."""
    if not len(a):
        return np.zeros(0, dtype=bool)
    same = (_row_hashes(a, _KEYS[table], LIST_COLUMNS[table]).to_numpy()
            == _row_hashes(b, _KEYS[table], LIST_COLUMNS[table]).to_numpy())
    if "cluster" in a.columns:
        same &= (a["cluster"].astype("Int64").fillna(-1).to_numpy() == b["cluster"].astype("Int64").fillna(-1).to_numpy())
    return same


class _SourceRows:
    """One source's tables (a graph, or a folder of Parquet tables) as far as a load of few keys reads them.

    :meth:`keys` gives a table's key columns (and :data:`_LABELS`) for every
    row, as Arrow; :meth:`rows` the whole rows asked for, canonical.  A
    folder's other columns are read only in the row groups that hold rows
    asked for.  :meth:`label_keys` are a folder's stored ones when it has
    them (:mod:`reelgraph._label_keys`); those worked out here are in
    :attr:`unsaved`, for the write to store.
    """

    def __init__(self, graph: FilmGraph | None = None, folder: Path | None = None):
        self.graph, self.folder, self._keys, self._label_keys, self.unsaved = graph, folder, {}, {}, {}

    def keys(self, table: str) -> pa.Table:
        if table not in self._keys:
            columns = _KEYS[table] + _LABELS[table]
            if self.graph is not None:
                arrow = pa.Table.from_pandas(getattr(self.graph, table)[columns], preserve_index=False)
            else:
                with _damaged_is_a_store_error(self.folder):
                    arrow = ParquetTable(self.folder, table).read(columns)
            self._keys[table] = _as_key_types(arrow)
        return self._keys[table]

    def label_keys(self, table: str) -> LabelKeys:
        """Each row's label slug hash and whether its id is IMDb's (``films`` and ``people``)."""
        if table not in self._label_keys:
            keys = None if self.graph is not None else LabelKeys.read(self.folder, table)
            if keys is None:
                keys = LabelKeys.of(self.keys(table), table)
                if self.folder is not None:
                    self.unsaved[table] = keys
            self._label_keys[table] = keys
        return self._label_keys[table]

    def keys_where(self, table: str, wanted: np.ndarray) -> pa.Table:
        """:meth:`keys` of the rows where ``wanted``; a folder's are read only in the row groups that hold them."""
        if self.graph is not None or table in self._keys:
            return self.keys(table).filter(pa.array(wanted))
        columns = _KEYS[table] + _LABELS[table]
        with _damaged_is_a_store_error(self.folder):
            arrow = _rows_where(ParquetTable(self.folder, table), wanted, columns)
        return _as_key_types(arrow) if arrow is not None else _key_schema(columns).empty_table()

    def rows_holding(self, table: str, ids: dict[str, set]) -> pa.Table:
        """The key columns of the rows that hold, in one of their columns, one of its ``ids`` (column -> ids)."""
        if self.graph is not None or table in self._keys:
            keys = self.keys(table)
            return keys.filter(_rows_holding(keys, ids, np.logical_or))
        with _damaged_is_a_store_error(self.folder):  # a batch at a time, as key_rows
            parquet = ParquetTable(self.folder, table)
            schema = _key_schema(_KEYS[table] + _LABELS[table])
            groups = _row_groups_holding(parquet, ids, np.logical_or)
            parts = [keys.filter(_rows_holding(keys, ids, np.logical_or))
                     for batch in parquet.iter_batches(batch_size=1 << 20, row_groups=groups, columns=schema.names)
                     for keys in [_as_key_types(pa.Table.from_batches([batch]))]] if groups else []
        return pa.concat_tables(parts) if parts else schema.empty_table()

    def key_rows(self, table: str, wanted: set, maps: dict | None = None) -> np.ndarray:
        """:func:`_key_rows` of the whole table: which rows have one of the keys ``wanted`` (once ``maps`` resolved them).

        A folder's table is read as its key columns a batch of rows at a
        time: the credits of the whole IMDb are ~100M rows, their keys alone
        gigabytes.
        """
        if self.graph is not None or table in self._keys:
            return _key_rows(self.keys(table), table, wanted, maps)
        with _damaged_is_a_store_error(self.folder):
            parquet = ParquetTable(self.folder, table)
            if not wanted:
                return np.zeros(parquet.num_rows, dtype=bool)
            schema = _key_schema(_KEYS[table])
            out = np.zeros(parquet.num_rows, dtype=bool)
            bounds = parquet.row_group_rows()
            for group in _row_groups_holding(parquet, _wanted_ids(table, wanted, maps), np.logical_and):
                keys = parquet.read_row_group(group, columns=_KEYS[table]).cast(schema)
                out[bounds[group]:bounds[group + 1]] = _key_rows(keys, table, wanted, maps)
        return out

    def rows(self, table: str, wanted: np.ndarray) -> pd.DataFrame:
        """The rows of ``table`` where ``wanted`` (a mask over :meth:`keys`' rows) is True."""
        if self.graph is not None:
            return getattr(self.graph, table)[wanted]
        with _damaged_is_a_store_error(self.folder):
            parquet = ParquetTable(self.folder, table)
            arrow = _rows_where(parquet, wanted)
        return _rows_frame(arrow if arrow is not None else parquet.schema_arrow.empty_table(), table)


def _rows_where(parquet: ParquetTable, wanted: np.ndarray, columns=None) -> pa.Table | None:
    """The rows of ``parquet`` where ``wanted``, read a row group at a time (only the groups holding one); None if none.

    The few rows asked for are often spread over every group (IMDb's
    repeated credits), and the whole credits table read at once took 8 GB.
    """
    bounds = parquet.row_group_rows()
    parts = [parquet.read_row_group(i, columns=columns).filter(pa.array(wanted[bounds[i]:bounds[i + 1]]))
             for i in range(parquet.num_row_groups) if wanted[bounds[i]:bounds[i + 1]].any()]
    return pa.concat_tables(parts) if parts else None


def _rows_frame(arrow: pa.Table, table: str) -> pd.DataFrame:
    """A few rows of canonical table ``table`` as pandas, in its canonical dtypes."""
    return normalize_table(arrow.to_pandas(types_mapper=_ARROW_MASKED.get), table)


def _key_schema(columns) -> pa.Schema:
    """The types :meth:`_SourceRows.keys` gives its columns, whatever a source's all-empty columns were written as."""
    return pa.schema([(c, pa.int64() if c == "year" else pa.string()) for c in columns])


def _as_key_types(arrow: pa.Table) -> pa.Table:
    return arrow.cast(_key_schema(arrow.column_names))


def _resolution_maps(*orders) -> list[dict]:
    """The :func:`~reelgraph.model._derived_key_maps` of the merge of each list of sources, in its order.

    They are worked out from the rows that can decide them, as merge_graphs
    would from every row: every derived key's row, the rows of IMDb ids
    whose title (name) has the slug of some derived key's, and the links to
    derived keys (a film is never resolved to one that links to it).
    """
    sources = list({id(source): source for order in orders for source in order}.values())
    deciding = {}  # (source, table) -> the key rows that can decide a resolution
    for table in LABEL_COLUMN:
        derived = {id(s): s.label_keys(table).derived() for s in sources}
        slugs = {slugify(v) for s in sources for v in s.keys_where(table, derived[id(s)])[LABEL_COLUMN[table]].to_pylist()
                 if isinstance(v, str)}
        for s in sources:
            # the few candidates a stored hash gives are matched exactly (a hash may collide, or not tell)
            maybe = derived[id(s)] | s.label_keys(table).candidates(slugs)
            keys = s.keys_where(table, maybe)
            deciding[id(s), table] = keys.filter(derived[id(s)][maybe] | slug_matches(keys[LABEL_COLUMN[table]], slugs))

    def frame(order, table, rows_of):
        return pd.concat([rows_of(s).to_pandas(types_mapper=_ARROW_MASKED.get) for s in order], ignore_index=True)

    return [_derived_key_maps(frame(order, "films", lambda s: deciding[id(s), "films"]),
                              frame(order, "people", lambda s: deciding[id(s), "people"]),
                              frame(order, "similar", lambda s: s.keys("similar").filter(
                                  ~is_imdb_id(s.keys("similar")["similar_id"], "films"))))
            for order in orders]


def _touched_keys(before: dict, after: dict, loaded, maps_before: dict, maps_after: dict) -> dict[str, set]:
    """Per table, the (resolved) keys whose merged rows a load can change.

    The keys of every row of the ``loaded`` sources, before (the replaced
    tables) and after, and the keys before and after of every row that
    holds a derived id whose resolution changed.
    """
    moved = {kind: {d for d in maps_before[kind].keys() | maps_after[kind].keys()
                    if maps_before[kind].get(d) != maps_after[kind].get(d)} for kind in ("film", "person")}
    touched = {table: set() for table in _KEYS}
    for sources, maps in ((before, maps_before), (after, maps_after)):
        for key, source in sources.items():
            for table in _KEYS:
                if key in loaded:
                    touched[table].update(_resolved_keys(source.keys(table), table, maps))
                elif moved["film"] or moved["person"]:
                    holding = source.rows_holding(table, {c: moved[kind] for c, kind in _id_columns(table)})
                    touched[table].update(_resolved_keys(holding, table, maps))
    return touched


def _id_columns(table: str) -> list[tuple[str, str]]:
    """The key columns of ``table`` that hold ids, with the kind of each."""
    return [(column, kind) for column in _KEYS[table] if (kind := _id_kind(table, column))]


def _rows_holding(keys: pa.Table, ids: dict[str, set], combine) -> np.ndarray:
    """Rows whose columns hold one of their ``ids`` (column -> ids), combined by ``combine`` (numpy's or / and)."""
    masks = [pc.is_in(keys[column], value_set=pa.array(list(values), type=pa.string())).to_numpy(zero_copy_only=False)
             for column, values in ids.items()]
    return combine.reduce(masks)


def _wanted_ids(table: str, wanted: set, maps: dict | None) -> dict[str, set]:
    """Per id column of ``table``, the ids a row of one of the keys ``wanted`` may hold there (derived ones too)."""
    ids = {}
    for column, kind in _id_columns(table):
        values = {key[_KEYS[table].index(column)] for key in wanted}
        ids[column] = values | {d for d, real in (maps or {}).get(kind, {}).items() if real in values}
    return ids


def _row_groups_holding(parquet: ParquetTable, ids: dict[str, set], combine) -> list[int]:
    """The row groups of ``parquet`` whose column statistics allow one of ``ids`` (column -> ids).

    A column chunk's min and max bound what it holds, and a store's tables
    are in key order, but for rows a later load appended: a page's few keys
    lie in a few of the whole IMDb's 95 row groups of credits, which alone
    are read.  ``combine``: numpy's ``logical_or`` (one column may hold one)
    or ``logical_and`` (each column must).  A group without statistics is kept.
    """
    leaf = parquet.column_leaves()
    ordered = {column: sorted(values) for column, values in ids.items()}
    groups = []
    for group in range(parquet.num_row_groups):
        meta = parquet.row_group_metadata(group)
        may = []
        for column, values in ordered.items():
            stats = meta.column(leaf[column]).statistics
            if stats is None or not stats.has_min_max or not isinstance(stats.min, str):
                may.append(True)
                continue
            first = bisect.bisect_left(values, stats.min)
            may.append(first < len(values) and values[first] <= stats.max)
        if combine.reduce(may):
            groups.append(group)
    return groups


def _resolved_keys(keys: pa.Table, table: str, maps: dict | None) -> list[tuple]:
    """The key of each row of ``keys`` once ``maps`` (by kind) resolved its derived ids, as a tuple."""
    columns = []
    for column in _KEYS[table]:
        values = keys[column].to_pylist()
        mapping = (maps or {}).get(_id_kind(table, column))
        columns.append([mapping.get(v, v) for v in values] if mapping else values)
    return list(zip(*columns))


def _key_rows(keys: pa.Table, table: str, wanted: set, maps: dict | None = None) -> np.ndarray:
    """Which rows of ``keys`` have, once ``maps`` resolved their derived ids, one of the keys ``wanted``.

    Arrow first picks the rows whose every id is one of the wanted keys'
    (or a derived id resolving to one), so only those few become tuples.
    """
    out = np.zeros(keys.num_rows, dtype=bool)
    if not wanted or not keys.num_rows:
        return out
    rows = np.flatnonzero(_rows_holding(keys, _wanted_ids(table, wanted, maps), np.logical_and))
    out[rows[[key in wanted for key in _resolved_keys(keys.take(rows), table, maps)]]] = True
    return out
