"""One canonical table on disk: a Parquet file, or a folder of Parquet chunks read as one table.

A table in a folder is ``NAME.parquet``, or the folder ``NAME/`` of chunk
files (``000000.parquet``, ``000001.parquet``, ...) whose rows, in name order,
are the table's.  Why chunks: a store's merged tables change with every
load, and a load of few keys (a saved page added to the whole IMDb) changes
rows in a few chunks only.  Written as one file, every table was written
again whole (about 40 s at IMDb's size); written as chunks, the chunks
without a changed row are hard-linked into the new version
(:func:`rewrite_table`), the others written again.  Parquet itself cannot
link row groups from another file, and pyarrow writes no file from another
file's row groups, hence files.

:class:`ParquetTable` reads either form through the few calls of
``pyarrow.parquet.ParquetFile`` the store and the graph index use, with
row groups numbered across the chunks; a column with no value in one chunk
(Arrow type null) and values in another reads as the type of the values.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from reelgraph._duckdb import sql_literal
from reelgraph._durable import link

__all__ = ["CHUNK_ROWS", "ChunkWriter", "ParquetTable", "table_paths", "is_chunked", "duckdb_scan", "link_table", "move_table",
           "remove_table", "rewrite_table"]

#: Rows in a chunk a table is written in: one Parquet row group, as pyarrow writes them by default.
CHUNK_ROWS = 1 << 20


def table_paths(folder, table: str) -> list[Path]:
    """The files of ``table`` in ``folder``, in row order: ``NAME.parquet``, else the chunks of ``NAME/``.

    A table with neither is ``[folder/NAME.parquet]``, so that reading it
    fails naming the file that is missing.
    """
    folder = Path(folder)
    if is_chunked(folder, table):
        return sorted((folder / table).glob("*.parquet"))
    return [folder / f"{table}.parquet"]


def is_chunked(folder, table: str) -> bool:
    """Whether ``table`` in ``folder`` is a folder of chunks."""
    return (Path(folder) / table).is_dir() and not (Path(folder) / f"{table}.parquet").exists()


class ParquetTable:
    """A table's Parquet files (:func:`table_paths`) read as one ``pq.ParquetFile`` reads one file.

    Row groups are numbered across the files, in row order.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "films").mkdir()
    >>> pq.write_table(pa.table({"id": ["tt1", "tt2"]}), folder / "films" / "000000.parquet")
    >>> pq.write_table(pa.table({"id": ["tt3"]}), folder / "films" / "000001.parquet")
    >>> table = ParquetTable(folder, "films")
    >>> table.num_rows, table.num_row_groups, table.read(["id"]).column(0).to_pylist()
    (3, 2, ['tt1', 'tt2', 'tt3'])
    """

    def __init__(self, folder, table: str, read_dictionary=()):
        self.paths = table_paths(folder, table)
        self.chunked = is_chunked(folder, table)
        self.files = [_open(path, list(read_dictionary) or None) for path in self.paths]
        # row group -> (file, its group there)
        self._groups = [(f, g) for f, file in enumerate(self.files) for g in range(file.num_row_groups)]
        self.num_row_groups = len(self._groups)
        self.num_rows = sum(file.metadata.num_rows for file in self.files)
        schemas = [file.schema_arrow for file in self.files]
        self._same_schemas = all(schema.equals(schemas[0]) for schema in schemas[1:])
        self.schema_arrow = (schemas[0] if self._same_schemas
                             else pa.unify_schemas(schemas, promote_options="default").remove_metadata())

    def row_group_metadata(self, group: int):
        f, g = self._groups[group]
        return self.files[f].metadata.row_group(g)

    def row_group_rows(self) -> np.ndarray:
        """Where each row group starts, and its end: ``num_row_groups + 1`` row numbers."""
        return np.cumsum([0] + [self.row_group_metadata(i).num_rows for i in range(self.num_row_groups)])

    def file_rows(self) -> np.ndarray:
        """Where each file starts, and its end: ``len(paths) + 1`` row numbers."""
        return np.cumsum([0] + [file.metadata.num_rows for file in self.files])

    def column_leaves(self) -> dict[str, int]:
        """Each leaf column's path (``"id"``, ``"genres.list.element"``) -> its number in a row group's metadata."""
        schema = self.files[0].metadata.schema
        return {schema.column(i).path: i for i in range(len(schema))}

    def file_row_groups(self, file: int) -> list[int]:
        """The row groups (numbered across the files) of file number ``file``."""
        return [group for group, (f, _) in enumerate(self._groups) if f == file]

    def read_file(self, file: int, columns=None) -> pa.Table:
        """The rows (``columns``) of file number ``file``, in the table's types."""
        return self._unified(self.files[file].read(columns=columns))

    def read_row_group(self, group: int, columns=None) -> pa.Table:
        f, g = self._groups[group]
        return self._unified(self.files[f].read_row_group(g, columns=columns))

    def iter_batches(self, batch_size: int = CHUNK_ROWS, row_groups=None, columns=None):
        """The rows a record batch at a time (never across two files), only those of ``row_groups`` if given."""
        wanted = range(self.num_row_groups) if row_groups is None else row_groups
        by_file: dict[int, list[int]] = {}
        for group in wanted:
            f, g = self._groups[group]
            by_file.setdefault(f, []).append(g)
        for f, groups in by_file.items():
            for batch in self.files[f].iter_batches(batch_size=batch_size, row_groups=groups, columns=columns):
                yield self._unified_batch(batch)

    def read(self, columns=None) -> pa.Table:
        """The whole table (its ``columns``), one chunk a column when it is one file."""
        parts = [self._unified(file.read(columns=columns)) for file in self.files]
        return parts[0] if len(parts) == 1 else pa.concat_tables(parts)

    def _unified(self, part: pa.Table) -> pa.Table:
        if self._same_schemas:
            return part
        schema = pa.schema([self.schema_arrow.field(name) for name in part.column_names])
        return part if part.schema.equals(schema) else part.cast(schema)

    def _unified_batch(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        if self._same_schemas:
            return batch
        table = self._unified(pa.Table.from_batches([batch])).combine_chunks()
        return table.to_batches()[0] if table.num_rows else pa.RecordBatch.from_pylist([], schema=table.schema)


def _open(path: Path, read_dictionary) -> pq.ParquetFile:
    """``path`` opened for reading; an error names the file (pyarrow's do not always: a table may be many)."""
    try:
        return pq.ParquetFile(path, read_dictionary=read_dictionary)
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        if str(path) in str(exc):
            raise
        raise type(exc)(f"{path}: {exc}") from None


def duckdb_scan(folder, table: str, row_numbers: bool = False) -> str:
    """SQL that scans ``table`` in ``folder`` with DuckDB (``read_parquet``), as one table.

    ``row_numbers``: each row's number in the whole table as the column
    ``file_row_number`` (DuckDB numbers a file's rows, so the rows of the
    chunks before, looked up by the file's ``file_index``, are added).  One
    scan of every file: a ``UNION ALL`` of a scan a chunk ran out of
    DuckDB's 3 GB writing the whole IMDb's credits for Neo4j, where this
    takes 3.3 GB of the process in all.
    """
    paths = table_paths(folder, table)
    listed = ", ".join(sql_literal(str(path)) for path in paths)
    options = ", file_row_number = true" if row_numbers else ""
    scan = f"read_parquet([{listed}]{options}, union_by_name = true)"
    if len(paths) == 1 or not row_numbers:
        return scan
    starts = ", ".join(str(int(start)) for start in ParquetTable(folder, table).file_rows()[:-1])
    return (f"(SELECT * REPLACE (file_row_number + CAST([{starts}] AS BIGINT[])[CAST(file_index AS BIGINT) + 1] "
            f"AS file_row_number) FROM {scan})")


def link_table(source_folder, target_folder, table: str) -> None:
    """Hard-link ``table``'s files from one folder into another, in the same form."""
    source_folder, target_folder = Path(source_folder), Path(target_folder)
    if is_chunked(source_folder, table):
        (target_folder / table).mkdir(parents=True)
        for path in table_paths(source_folder, table):
            link(path, target_folder / table / path.name)
    else:
        link(source_folder / f"{table}.parquet", target_folder / f"{table}.parquet")


def move_table(source_folder, target_folder, table: str) -> None:
    """Move ``table`` from one folder into another, in its form, replacing the one there."""
    remove_table(target_folder, table)
    name = table if is_chunked(source_folder, table) else f"{table}.parquet"
    os.replace(Path(source_folder) / name, Path(target_folder) / name)


def remove_table(folder, table: str) -> None:
    """Remove ``table`` from ``folder``, in either form."""
    folder = Path(folder)
    if (folder / f"{table}.parquet").exists():
        (folder / f"{table}.parquet").unlink()
    if (folder / table).is_dir():
        shutil.rmtree(folder / table)


def rewrite_table(source: ParquetTable | None, target: Path, schema: pa.Schema, new_rows: pa.Table | None,
                  keep=None, positions: np.ndarray | None = None) -> None:
    """Write ``source``'s rows, edited, as the chunk folder ``target``; unchanged chunks are linked.

    The rows are ``source``'s rows where ``keep(offset, n)`` says (none
    when ``keep`` is None), with the rows at ``positions`` (ascending, kept)
    replaced by the first ``len(positions)`` rows of ``new_rows``, then
    the rest of ``new_rows`` appended.  Each chunk of a chunked ``source``
    none of whose rows changes is hard-linked (so ``keep`` should be cheap
    to ask); a chunk whose rows change is written again, and a source of
    one file is written again a row group at a time, each a chunk.  The
    appended rows fill the last chunk up to :data:`CHUNK_ROWS` (it is
    written again), then new chunks: a table that many small loads add to
    stays in chunks of about :data:`CHUNK_ROWS` rows.

    ``schema``: the table's columns and types (``source``'s, with null
    columns given the new rows' types); chunks written again have it,
    linked ones keep theirs, and :class:`ParquetTable` reads them as one.
    """
    positions = np.zeros(0, np.int64) if positions is None else positions
    n_substitutes = len(positions)
    appended = new_rows.slice(n_substitutes) if new_rows is not None and len(new_rows) > n_substitutes else None
    out = ChunkWriter(target)
    if keep is not None and source is not None:
        offset = 0
        for f, file in enumerate(source.files):
            n_file = file.metadata.num_rows
            first, last = np.searchsorted(positions, [offset, offset + n_file])
            if source.chunked and last == first and keep(offset, n_file).all():
                out.add(source.paths[f])
                offset += n_file
                continue
            for batch in file.iter_batches(batch_size=CHUNK_ROWS):
                n = batch.num_rows
                part = pa.Table.from_batches([batch]).cast(schema)
                kept = keep(offset, n)
                first, last = np.searchsorted(positions, [offset, offset + n])
                if last > first:  # rows replaced in place: taken from the new rows, after the batch's own
                    take = np.arange(n)
                    take[positions[first:last] - offset] = n + np.arange(last - first)
                    part = pa.concat_tables([part, new_rows.slice(first, last - first)]).take(take[kept])
                elif not kept.all():
                    part = part.filter(pa.array(kept))
                if part.num_rows:
                    out.add(part)
                offset += n
    if appended is not None:
        last = out.take_last_if_short(schema)
        rows = appended if last is None else pa.concat_tables([last, appended])
        for start in range(0, len(rows), CHUNK_ROWS):
            out.add(rows.slice(start, CHUNK_ROWS))
    out.finish(schema)


class ChunkWriter:
    """The chunk files of a table being written, in order; the last one is held back until the next comes,
    so that rows appended after it can fill it up (:meth:`take_last_if_short`).  :meth:`finish` writes
    an empty chunk, which holds the columns, when no row came."""

    def __init__(self, folder: Path):
        self.folder, self.written, self.last = folder, 0, None
        folder.mkdir(parents=True)

    def add(self, chunk) -> None:
        """A file to link (a Path) or rows to write (an Arrow table)."""
        self._flush()
        self.last = chunk

    def take_last_if_short(self, schema: pa.Schema) -> pa.Table | None:
        """The last chunk's rows, taken back, when it has fewer than :data:`CHUNK_ROWS`."""
        if self.last is None:
            return None
        rows = pq.read_table(self.last).cast(schema) if isinstance(self.last, Path) else self.last
        if rows.num_rows >= CHUNK_ROWS:
            return None
        self.last = None
        return rows

    def finish(self, schema: pa.Schema) -> None:
        self._flush()
        if not self.written:  # no row: one empty chunk holds the columns
            pq.write_table(schema.empty_table(), self._next())

    def _flush(self) -> None:
        if self.last is None:
            return
        if isinstance(self.last, Path):
            link(self.last, self._next())
        else:
            pq.write_table(self.last, self._next(), row_group_size=CHUNK_ROWS)
        self.last = None

    def _next(self) -> Path:
        path = self.folder / f"{self.written:06d}.parquet"
        self.written += 1
        return path
