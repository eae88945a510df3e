"""Bulk first load of an empty Neo4j with ``neo4j-admin database import full``.

:func:`reelgraph.neo4j.sync.sync_graph` sends the graph over Bolt in batched
``UNWIND ... MERGE`` transactions: it works on any server, on a full database
as well as an empty one, and is the loader to use for every update.  For a
*first* load of a large graph into an *empty* database the offline import
tool is many times faster: it writes the store files directly, without
transactions, locks or index look-ups.  This module is that path:

* :func:`write_import_files` writes the canonical graph as the import tool's
  CSV files (typed headers, one file a table), vectorised with
  pandas/pyarrow; given the tables as Parquet files (a store,
  :class:`reelgraph.store.TableFiles`) it hands them to
  :func:`write_import_files_from_parquet`, which writes the same files out
  of core with DuckDB (the whole IMDb's tables do not fit in memory as pandas);
* :func:`bulk_load` checks that the target is the reelgraph-managed local
  server (:mod:`reelgraph.neo4j.server`) and that its database is empty, stops
  it, imports, starts it again, creates the schema
  (:func:`reelgraph.neo4j.indexes.ensure_schema`) and returns
  :func:`reelgraph.neo4j.sync.neo4j_counts`;
* :func:`choose_loader` and :func:`load_graph` pick between the two.

When is the bulk path chosen?
-----------------------------
* explicitly: ``reelgraph load --bulk`` (``load_graph(..., bulk=True)``);
  it is refused with a one-line message unless the target is the managed
  server and its database holds nothing;
* automatically (``bulk=None``): when NEO4J_URI is the managed server of the
  home (:func:`reelgraph.neo4j.server.default_home`), that server runs, its
  database is empty and the graph has more than :data:`BULK_THRESHOLD`
  (1.5 million) relationships.  Anything else goes through ``sync_graph``;
* never with ``bulk=False`` (``reelgraph load --batched``).

What it writes
--------------
Exactly what ``sync_graph`` makes, so that either loader can follow the
other: the same labels, relationship types and property names; ``Film`` and
``Person`` nodes with every non-missing property of
``reelgraph.schema.FILM_PROPERTIES`` / ``PERSON_PROPERTIES``; one ``Genre``
node a distinct genre and ``IN_GENRE`` from each film to each of its
genres; one relationship a credit (``ACTED_IN``, ``DIRECTED``, ``WROTE``,
``PRODUCED``, ``COMPOSED``, else ``WORKED_ON {role}``) with ``characters``,
``billing``, ``star``, ``job``; ``MORE_LIKE_THIS {rank, source}``; and,
like a first sync into an empty database, no ``load_id`` stamp: the stale
sweep of a later ``sync_graph`` deletes whatever that sync did not stamp.
Both loaders take their rows from ``neo4j_store._sync_tables``, so they leave out the same ones: credits
and links whose person or film is not in the tables, empty genre names,
links without a source, and of duplicate keys all but the last row.

CSV format choices:

* every text value is quoted (``"``, inner quotes doubled, as the tool's RFC
  4180 quoting wants; backslashes are plain characters); a missing value is an
  *unquoted* empty field, which the tool skips, so missing properties stay
  missing while an empty string stays an empty string;
* integers are ``long`` and floats ``double``: the 64-bit types the values
  sent over Bolt get (the tool's ``int`` and ``float`` are 32-bit);
* import ids are integers (a node's row number, ``--id-type=integer``); the
  keys are ordinary properties, as in ``sync_graph``;
* list properties are ``string[]``, joined with a control character
  (``U+001F`` unit separator, else another one) that appears in no value —
  never ``;``, which titles and character names contain; an empty list is a
  missing property, as in ``sync_graph``;
* a file with a line break inside a value is named in
  ``--multiline-fields`` (the slower parser runs for that file only).
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from reelgraph._arrow_text import text_buffer
from reelgraph._duckdb import sql_literal
from reelgraph.errors import ReelgraphError
from reelgraph.model import TABLE_COLUMNS, FilmGraph
from reelgraph.neo4j import server as neo4j_server
from reelgraph.neo4j.indexes import ensure_schema
from reelgraph.neo4j.sync import (
    Neo4jSettings,
    _sync_tables,
    connect,
    neo4j_counts,
    sync_graph,
)
from reelgraph.schema import (
    CREDIT_PROPERTIES,
    FILM_PROPERTIES,
    OTHER_ROLE,
    PERSON_PROPERTIES,
    ROLE_RELATIONSHIPS,
    SIMILAR_PROPERTIES,
)
from reelgraph.store import TableFiles

__all__ = [
    "BULK_THRESHOLD",
    "Neo4jBulkError",
    "ImportFiles",
    "write_import_files",
    "write_import_files_from_parquet",
    "relationship_count",
    "managed_home",
    "choose_loader",
    "bulk_load",
    "load_graph",
]

#: Above this many relationships a first load into the empty managed server
#: goes through the import tool (when the loader is left to choose).  Its
#: fixed cost (stop, import, start, schema: about 14 s on 2 cores) makes it
#: slower than batches below about 1.2M relationships (measured by
#: benchmarks/bench_neo4j_load.py: 19.6 s against 18.4 s at 1M, 53.4 s
#: against 84.9 s at 5M).
BULK_THRESHOLD = 1_500_000

#: The import tool's off-heap memory cap (``--max-off-heap-memory``) for :func:`bulk_load`.  Its default, 90%
#: of the free memory, is no limit on a shared machine; 3 GB beside its 2 GB heap is what the whole-IMDb
#: benchmark used (benchmarks/bench_neo4j_whole.py).  The server is stopped meanwhile.
IMPORT_OFF_HEAP = "3g"

#: Array delimiters tried in turn: control characters no title or name has.
_ARRAY_DELIMITERS = ("\x1f", "\x1e", "\x1d", "\x1c", "\x07")
_CHUNK_ROWS = 250_000
_NODE_COUNT = "MATCH (n) RETURN count(n) AS n"
_REL_COUNT = "MATCH ()-[r]->() RETURN count(r) AS n"


class Neo4jBulkError(ReelgraphError):
    """The bulk loader refused the target, or the import failed; one line says why."""

    exit_code = 4


class ImportFiles(tuple):
    """``(nodes, relationships)`` for :func:`reelgraph.neo4j.server.bulk_import`, with what else the import needs.

    Unpacks as the pair; the attributes carry the rest:

    ``extra_args``
        options the files need (``--array-delimiter=U+001F``, and
        ``--multiline-fields`` when a value has a line break);
    ``rows``
        rows written per file name (``films.csv`` ...), headers excluded.
    """

    def __new__(cls, nodes, relationships, extra_args=(), rows=None):
        self = super().__new__(cls, (nodes, relationships))
        self.extra_args = list(extra_args)
        self.rows = dict(rows or {})
        return self

    @property
    def nodes(self):
        return self[0]

    @property
    def relationships(self):
        return self[1]


# -- column encoders ---------------------------------------------------------------
#
# Each turns a pandas column into a pyarrow string array of CSV fields: quoted
# text, plain numbers, or null for a missing value (written as an empty field).


def _quote(text: pa.Array) -> pa.Array:
    """``"..."`` with inner quotes doubled; null stays null."""
    return pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")


def _strings(series: pd.Series) -> pa.Array:
    """A text column as arrow strings; cells that are not text become ``str(cell)`` as the driver would not."""
    values = series.to_numpy(dtype=object)
    try:
        return pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        # Rare: a non-text cell in a text column. Slow path, still no row loop in Python code of ours.
        return pa.array(series.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v),
                                   na_action="ignore").to_numpy(dtype=object), type=pa.string(), from_pandas=True)


def _lists(series: pd.Series) -> pa.Array:
    """A list column as ``list<string>``; None, NA and empty lists become null (no property, as sync_graph)."""
    values = series.to_numpy(dtype=object)
    try:
        arr = pa.array(values, type=pa.list_(pa.string()), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        arr = pa.array(series.map(lambda v: [str(x) for x in v] if isinstance(v, (list, tuple, np.ndarray)) else None)
                       .to_numpy(dtype=object), type=pa.list_(pa.string()), from_pandas=True)
    empty = pc.equal(pc.list_value_length(arr), 0)
    return pc.if_else(pc.fill_null(empty, True), pa.scalar(None, arr.type), arr)


def _numbers(series: pd.Series, kind: str) -> pa.Array:
    if kind == "long":
        arr = pa.array(pd.to_numeric(series, errors="coerce").astype("Int64"), type=pa.int64(), from_pandas=True)
    else:
        arr = pa.array(pd.to_numeric(series, errors="coerce").astype("Float64"), type=pa.float64(), from_pandas=True)
        arr = pc.if_else(pc.fill_null(pc.is_finite(arr), False), arr, pa.scalar(None, pa.float64()))
    return pc.cast(arr, pa.string())


def _booleans(series: pd.Series) -> pa.Array:
    arr = pa.array(series.astype("boolean"), type=pa.bool_(), from_pandas=True)
    return pc.cast(arr, pa.string())


def _kind(table: str, column: str) -> str:
    """Import-tool type of a canonical column: string, long, double, boolean, string[] or long[]."""
    from reelgraph.model import INT_LIST_COLUMNS, LIST_COLUMNS

    if column in INT_LIST_COLUMNS[table]:
        return "long[]"
    if column in LIST_COLUMNS[table]:
        return "string[]"
    return {"Int64": "long", "Float64": "double", "boolean": "boolean"}.get(TABLE_COLUMNS[table].get(column), "string")


def _header(table: str, column: str) -> str:
    """The typed header of a property column (``year:long``, ``genres:string[]``; text has no type)."""
    kind = _kind(table, column)
    return column if kind == "string" else f"{column}:{kind}"


#: File -> (canonical table, its property columns in file order), ids, label and type aside.  ``role`` (the
#: ``WORKED_ON`` key) ends credits.csv, always there; any other column no row has a value for is left out.
_PROPERTY_COLUMNS = {
    "films.csv": ("films", tuple(p for p in FILM_PROPERTIES if p != "id")),
    "people.csv": ("people", tuple(p for p in PERSON_PROPERTIES if p != "id")),
    "credits.csv": ("credits", CREDIT_PROPERTIES),
    "similar.csv": ("similar", (*SIMILAR_PROPERTIES, "source")),
}
_NODE_FILES = ("films.csv", "people.csv", "genres.csv")
_RELATIONSHIP_FILES = ("credits.csv", "in_genre.csv", "similar.csv")


def _first_free_delimiter(appears) -> str:
    """The first of :data:`_ARRAY_DELIMITERS` for which ``appears(candidate)`` is false."""
    for candidate in _ARRAY_DELIMITERS:
        if not appears(candidate):
            return candidate
    raise Neo4jBulkError("every array delimiter the bulk loader can use appears in some list value; "
                         "load with the batched sync instead (reelgraph load --batched)")


def _import_args(delimiter: str, multiline: list[Path]) -> list[str]:
    """The import options the files need: integer ids, the array delimiter, the files with line breaks."""
    extra = ["--id-type=integer", f"--array-delimiter=U+{ord(delimiter):04X}"]
    if multiline:
        extra += ["--multiline-fields-format=v2", f"--multiline-fields={','.join(str(p.resolve()) for p in multiline)}"]
    return extra


class _Column:
    """One CSV column: its header and its encoded fields (or one constant field for every row)."""

    def __init__(self, header: str, fields=None, constant: str | None = None, list_values: pa.Array | None = None,
                 text_values: pa.Array | None = None):
        self.header = header
        self.fields = fields
        self.constant = constant
        self.list_values = list_values  # list<string> array, joined once the delimiter is known
        self.text_values = text_values  # unquoted text, checked for line breaks

    def encoded(self, delimiter: str) -> pa.Array | str:
        if self.constant is not None:
            return self.constant
        if self.list_values is not None:
            return _quote(pc.binary_join(self.list_values, delimiter))
        return self.fields


def _text_column(header: str, series: pd.Series) -> _Column:
    text = _strings(series)
    return _Column(header, _quote(text), text_values=text)


def _property_columns(df: pd.DataFrame, table: str, properties) -> list[_Column]:
    """The property columns of ``df``; a column with no value in any row is left out (less for the tool to parse)."""
    columns = []
    for name in properties:
        if name not in df.columns:
            continue
        kind, header = _kind(table, name), _header(table, name)
        if kind in ("string[]", "long[]"):  # long[] items are written as their digits, as text items
            column = _Column(header, list_values=_lists(df[name]))
            values = column.list_values
        elif kind == "string":
            column = _text_column(header, df[name])
            values = column.text_values
        elif kind == "boolean":
            column = _Column(header, _booleans(df[name]))
            values = column.fields
        else:
            column = _Column(header, _numbers(df[name], kind))
            values = column.fields
        if values.null_count < len(values):
            columns.append(column)
    return columns


# -- files ----------------------------------------------------------------------------


def _write_csv(path: Path, columns: list[_Column], rows: int, delimiter: str) -> None:
    with open(path, "wb") as out:
        out.write((",".join(c.header for c in columns) + "\n").encode("utf-8"))
        encoded = [c.encoded(delimiter) for c in columns]
        for start in range(0, rows, _CHUNK_ROWS):
            stop = min(rows, start + _CHUNK_ROWS)
            parts = []
            for field in encoded:
                if isinstance(field, str):
                    parts.append(field)
                else:
                    part = field.slice(start, stop - start)
                    parts.append(pc.fill_null(part, "") if part.null_count else part)
            line = pc.binary_join_element_wise(*parts, "\n", "") if len(parts) == 1 else \
                pc.binary_join_element_wise(pc.binary_join_element_wise(*parts, ","), "\n", "")
            out.write(text_buffer(line))


def _has_line_break(columns: list[_Column]) -> bool:
    for column in columns:
        values = column.text_values
        if values is None and column.list_values is not None:
            values = pc.list_flatten(column.list_values)
        if values is not None and len(values) and pc.any(pc.match_substring_regex(values, "[\r\n]")).as_py():
            return True
    return False


def _pick_delimiter(all_columns: list[_Column]) -> str:
    flattened = [pc.list_flatten(c.list_values) for c in all_columns if c.list_values is not None]
    flattened = [f for f in flattened if len(f)]
    return _first_free_delimiter(lambda candidate: any(pc.any(pc.match_substring(f, candidate)).as_py()
                                                       for f in flattened))


def write_import_files(film_graph: FilmGraph, folder) -> ImportFiles:
    """Write ``film_graph`` as ``neo4j-admin database import full`` CSV files.

    Parameters
    ----------
    film_graph : FilmGraph or reelgraph.store.TableFiles
        The canonical graph; as Parquet files, the tables are not read into
        memory: :func:`write_import_files_from_parquet` writes the files.
    folder : str or os.PathLike
        Where to write (created if missing): ``films.csv``, ``people.csv``,
        ``genres.csv``, ``credits.csv``, ``in_genre.csv``, ``similar.csv``,
        each with its typed header line (``:ID(Film)``, ``id``, ``:LABEL``,
        ``year:long``, ``rating:double``, ``genres:string[]``,
        ``:START_ID(Person)``, ``:END_ID(Film)``, ``:TYPE``, ...).  The
        import ids are integers (a node's row number, ``--id-type=integer``,
        faster for the tool than strings); the keys (``Film.id``,
        ``Person.id``, ``Genre.name``) are plain properties, as sync_graph
        stores them.  A property no row has a value for gets no column.

    Returns
    -------
    ImportFiles
        ``(nodes, relationships)``: ``(label, [path])`` pairs as
        :func:`reelgraph.neo4j.server.bulk_import` takes them (labels and types
        are in the files' ``:LABEL``/``:TYPE`` columns, so the names are
        empty); its ``extra_args`` must be passed along.

    Examples
    --------
    >>> import tempfile
    >>> g = FilmGraph.from_records(
    ...     films=[{"id": "tt1", "title": 'Say "hi"; bye', "year": 2010, "rating": 7.1, "genres": ["Drama"]}],
    ...     people=[{"id": "nm1", "name": "A, B"}],
    ...     credits=[{"person_id": "nm1", "film_id": "tt1", "role": "actor", "characters": ["X; Y", "Z"]}])
    >>> with tempfile.TemporaryDirectory() as d:
    ...     nodes, rels = write_import_files(g, d)
    ...     print(open(Path(d) / "credits.csv").read().replace("\\x1f", "|"), end="")
    :START_ID(Person),:END_ID(Film),:TYPE,characters:string[],role
    0,0,ACTED_IN,"X; Y|Z",
    """
    if isinstance(film_graph, TableFiles):
        return write_import_files_from_parquet(film_graph, folder)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    films, people, genres, credits, similar = _sync_tables(film_graph)
    genre_names = pd.Series(genres["genres"].unique(), dtype=object)
    # Integer import ids (--id-type=integer): each node's position in its
    # table.  The tool maps integers much faster than strings; the real key is
    # an ordinary property (``id``, ``name``), as sync_graph stores it.
    position = {"Film": pd.Index(films["id"]), "Person": pd.Index(people["id"]), "Genre": pd.Index(genre_names)}

    def node_id(label):
        return _Column(f":ID({label})", pc.cast(pa.array(np.arange(len(position[label]))), pa.string()))

    def end_id(header, label, keys):
        return _Column(f"{header}({label})", pc.cast(pa.array(position[label].get_indexer(keys)), pa.string()))

    def properties(name, df):
        return _property_columns(df, *_PROPERTY_COLUMNS[name])

    builders = {
        "films.csv": (lambda: [node_id("Film"), _text_column("id", films["id"]), _Column(":LABEL", constant="Film")]
                              + properties("films.csv", films),
                      len(films)),
        "people.csv": (lambda: [node_id("Person"), _text_column("id", people["id"]),
                                _Column(":LABEL", constant="Person")]
                       + properties("people.csv", people), len(people)),
        "genres.csv": (lambda: [node_id("Genre"), _text_column("name", genre_names),
                                _Column(":LABEL", constant="Genre")], len(genre_names)),
        "credits.csv": (lambda: [end_id(":START_ID", "Person", credits["person_id"]),
                                 end_id(":END_ID", "Film", credits["film_id"]),
                                 _Column(":TYPE", pa.array(credits["_type"].to_numpy(dtype=object), type=pa.string()))]
                        + properties("credits.csv", credits)
                        + [_text_column("role", credits["_role"])], len(credits)),
        "in_genre.csv": (lambda: [end_id(":START_ID", "Film", genres["id"]), end_id(":END_ID", "Genre", genres["genres"]),
                                  _Column(":TYPE", constant="IN_GENRE")], len(genres)),
        "similar.csv": (lambda: [end_id(":START_ID", "Film", similar["film_id"]),
                                 end_id(":END_ID", "Film", similar["similar_id"]),
                                 _Column(":TYPE", constant="MORE_LIKE_THIS")]
                        + properties("similar.csv", similar), len(similar)),
    }
    # Files are built and written side by side: pyarrow's kernels release the GIL.
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        built = dict(zip(builders, pool.map(lambda build: build[0](), builders.values())))
        delimiter = _pick_delimiter([c for columns in built.values() for c in columns])
        list(pool.map(lambda name: _write_csv(folder / name, built[name], builders[name][1], delimiter), builders))
    multiline = [folder / name for name, columns in built.items() if _has_line_break(columns)]
    node_files = [("", [folder / n]) for n in _NODE_FILES]
    rel_files = [("", [folder / n]) for n in _RELATIONSHIP_FILES]
    return ImportFiles(node_files, rel_files, _import_args(delimiter, multiline),
                       {name: rows for name, (_, rows) in builders.items()})



# -- the same files from Parquet, out of core ------------------------------------------
#
# The tables of a whole IMDb do not fit in memory as pandas (12M films, 17M
# people, 95M credits).  From Parquet files (:class:`reelgraph.store.TableFiles`)
# DuckDB writes the same files under its memory limit: the rows of
# ``_sync_tables`` (its rules restated in SQL below) and the encodings of the
# column encoders above, field for field; its CSV writer quotes the text.


def _sql_field(kind: str, column: str, delimiter: str) -> str:
    """SQL of one property field, as the column encoders above make it (before quoting); NULL when missing."""
    if kind in ("string[]", "long[]"):
        # Empty list: missing (as _lists); a null item makes the whole value missing (as pc.binary_join).
        items = f"CAST({column} AS VARCHAR[])"
        return (f"CASE WHEN len({items}) > 0 AND list_count({items}) = len({items}) "
                f"THEN array_to_string({items}, {sql_literal(delimiter)}) END")
    if kind == "long":
        return f"TRY_CAST({column} AS BIGINT)"
    if kind == "double":  # NaN and infinities are missing, as in _numbers; DuckDB prints doubles round-trip exact
        return f"CASE WHEN isfinite(TRY_CAST({column} AS DOUBLE)) THEN TRY_CAST({column} AS DOUBLE) END"
    if kind == "boolean":
        return f"TRY_CAST({column} AS BOOLEAN)"
    return f"CAST({column} AS VARCHAR)"


def _parquet_columns(tables, table: str) -> set[str]:
    """The columns of one of ``tables`` (TableFiles) that hold a value somewhere (a column of Arrow type null holds none)."""

    def typed(kind):
        return not (pa.types.is_null(kind) or (pa.types.is_list(kind) and pa.types.is_null(kind.value_type)))

    return {field.name for field in tables.open(table).schema_arrow if typed(field.type)}


class _ParquetTable:
    """One canonical table's Parquet files, seen from DuckDB: which columns it has and what their values hold.

    ``file_row_number`` numbers the rows of the whole table (:func:`reelgraph._parquet_table.duckdb_scan`).
    """

    def __init__(self, db, tables, table: str, where: str = "TRUE"):
        from reelgraph._parquet_table import duckdb_scan

        self.table = table
        self.source = duckdb_scan(tables.folder, table, row_numbers=True)
        self.columns = _parquet_columns(tables, table)
        self.where = where
        self.stats = {}
        self._db = db

    def measure(self, columns, lists_of_text=()) -> None:
        """Count each column's values (as its file would hold them) and find line breaks and array delimiters.

        Over the table's rows before the credit/link filters and duplicate
        folding (one scan, no join): a column or file may at worst be
        written with an empty column, a slower parse or another delimiter,
        all of which the import tool reads into the same database.
        """
        parts = []
        for column in (c for c in columns if c in self.columns):
            kind = _kind(self.table, column) if column in TABLE_COLUMNS[self.table] else "string"
            name = f'"{column}"'
            parts.append(f"count({_sql_field(kind, name, _ARRAY_DELIMITERS[0])}) AS \"{column}:n\"")
            if kind == "string[]":
                text = f"array_to_string(CAST({name} AS VARCHAR[]), '')"
                parts += [f"bool_or(contains({text}, chr({ord(d)}))) AS \"{column}:{ord(d)}\"" for d in _ARRAY_DELIMITERS]
            elif kind == "string":
                text = name
            else:
                continue
            parts.append(f"bool_or(contains({text}, chr(10)) OR contains({text}, chr(13))) AS \"{column}:lines\"")
        if not parts:
            return
        cursor = self._db.execute(f"SELECT {', '.join(parts)} FROM {self.source} WHERE {self.where}")
        names = [d[0] for d in cursor.description]
        self.stats.update(zip(names, cursor.fetchone()))

    def present(self, column: str) -> bool:
        return bool(self.stats.get(f"{column}:n"))

    def has_line_break(self, columns) -> bool:
        return any(self.stats.get(f"{c}:lines") for c in columns)

    def contains(self, delimiter: str) -> bool:
        return any(v for k, v in self.stats.items() if k.endswith(f":{ord(delimiter)}"))

    def keep_last(self, key: list[str], name: str) -> str:
        """A SQL condition keeping, of the rows (of ``self.where``) that share ``key``, the last one.

        What ``_unique_last`` (``drop_duplicates(keep="last")``) leaves.  A
        first pass groups 64-bit hashes of the key (only the key columns are
        read); merged tables repeat no key, and then nothing more is done.
        """
        key_sql = ", ".join(f'"{k}"' for k in key)
        repeated = (f"SELECT h FROM (SELECT hash({key_sql}) AS h FROM {self.source} WHERE {self.where}) "
                    "GROUP BY h HAVING count(*) > 1")
        if not self._db.execute(f"SELECT count(*) FROM ({repeated})").fetchone()[0]:
            return "TRUE"
        # Only rows whose key hash repeats are ranked (a collision of two keys ranks each 1: both kept).
        self._db.execute(
            f"CREATE TEMP TABLE {name} AS SELECT n FROM (SELECT file_row_number AS n, row_number() OVER "
            f"(PARTITION BY {key_sql} ORDER BY file_row_number DESC) AS r FROM {self.source} "
            f"WHERE {self.where} AND hash({key_sql}) IN ({repeated})) WHERE r > 1")
        return f"file_row_number NOT IN (SELECT n FROM {name})"


def _copy_csv(db, folder: Path, name: str, headers: list[str], fields: list[str], quoted: list[bool],
              query_tail: str) -> tuple[list[Path], int]:
    """Write ``SELECT fields query_tail`` as the data file ``name`` and its header line as a file of its own.

    DuckDB's CSV writer quotes the ``quoted`` (text) fields, doubling inner
    quotes, writes NULL as an empty unquoted field and the rest as they
    are.  The header goes to ``<name>.header.csv`` (the import tool reads a
    header file followed by data files), so the writer's quoting never
    touches the typed header.
    """
    header = folder / (name.removesuffix(".csv") + ".header.csv")
    header.write_text(",".join(headers) + "\n", encoding="utf-8")
    columns = [f"c{i}" for i in range(len(fields))]
    select = ", ".join(f"{field} AS {column}" for field, column in zip(fields, columns))
    forced = [column for column, q in zip(columns, quoted) if q]
    options = "FORMAT csv, HEADER false" + (f", FORCE_QUOTE ({', '.join(forced)})" if forced else "")
    rows = db.execute(f"COPY (SELECT {select} {query_tail}) TO {sql_literal(str(folder / name))} ({options})").fetchone()[0]
    return [header, folder / name], int(rows)


def write_import_files_from_parquet(tables, folder, *, progress: bool = False) -> ImportFiles:
    """Write the import tool's CSV files from the canonical tables' Parquet files, out of core, with DuckDB.

    The same files as :func:`write_import_files` writes from the tables in
    memory, rule for rule: the rows ``_sync_tables`` keeps (films and
    people with an id, the last row of a repeated key; genre links without
    repeats or empty names; credits with a role, a person and a film in the
    tables, typed as ``ROLE_RELATIONSHIPS`` says; links with a source and
    both films), the same typed headers and encodings (quoted text, an
    unquoted empty field for a missing value, lists joined with a control
    character found in no value, an empty list missing) and integer import
    ids.  The ids are the rows' numbers in their Parquet file rather than in
    the filtered table, and rows come in DuckDB's order: neither reaches the
    database.  Each data file has its header in a file of its own
    (``films.header.csv`` then ``films.csv``).

    DuckDB works under its memory limit (:func:`reelgraph._duckdb.connect`),
    spilling into ``folder``; no row becomes a Python object.  Two key
    tables (Film and Person id -> import id) are the largest things it
    holds: about 1.5 GB for the whole IMDb, spilled when need be.

    Parameters
    ----------
    tables : reelgraph.store.TableFiles
        The folder of the tables ``films``, ``people``, ``credits`` and
        ``similar``, each one Parquet file or a folder of chunks (a store
        is one: ``TableFiles(store.path)``).  Their columns are the canonical ones
        (:data:`reelgraph.model.TABLE_COLUMNS`); a column of Arrow type null
        holds no value.
    folder : str or os.PathLike
        Where to write (created if missing).
    progress : bool
        Say each file as it is written, on stderr.

    Returns
    -------
    ImportFiles
        As :func:`write_import_files` returns it.

    Examples
    --------
    >>> import tempfile
    >>> from reelgraph.store import TableFiles, _write_tables
    >>> g = FilmGraph.from_records(
    ...     films=[{"id": "tt1", "title": 'Say "hi"; bye', "genres": ["Drama"]}],
    ...     people=[{"id": "nm1", "name": "A, B"}],
    ...     credits=[{"person_id": "nm1", "film_id": "tt1", "role": "actor", "characters": ["X; Y", "Z"]}])
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _write_tables(g, Path(d) / "tables")
    ...     files = write_import_files_from_parquet(TableFiles(Path(d) / "tables"), Path(d) / "csv")
    ...     print("".join(p.read_text() for p in files.relationships[0][1]).replace("\x1f", "|"), end="")
    :START_ID(Person),:END_ID(Film),:TYPE,characters:string[],role
    0,0,ACTED_IN,"X; Y|Z",
    """
    from reelgraph._duckdb import connect as duckdb_connect
    from reelgraph.schema import IN_GENRE, MORE_LIKE_THIS

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rows, files, multiline = {}, {}, []
    with duckdb_connect(temp_directory=folder) as db:
        films = _ParquetTable(db, tables, "films", "id IS NOT NULL")
        people = _ParquetTable(db, tables, "people", "id IS NOT NULL")
        credits = _ParquetTable(db, tables, "credits", "role IS NOT NULL")
        similar = _ParquetTable(db, tables, "similar", "source IS NOT NULL")
        by_file = {"films.csv": films, "people.csv": people, "credits.csv": credits, "similar.csv": similar}
        _say("measuring the tables' values (which columns, line breaks, array delimiter)", progress)
        for name, table in by_file.items():
            # role: the credits' key, written only for WORKED_ON; measured for its line breaks.
            table.measure(["id", *_PROPERTY_COLUMNS[name][1], *(["role"] if name == "credits.csv" else [])])
        delimiter = _first_free_delimiter(lambda d: any(t.contains(d) for t in by_file.values()))

        def properties(name, alias=""):
            """(headers, fields, quoted) of the file's property columns that hold a value."""
            table, columns = _PROPERTY_COLUMNS[name]
            chosen = [c for c in columns if by_file[name].present(c)]
            kinds = [_kind(table, c) for c in chosen]
            return ([_header(table, c) for c in chosen],
                    [_sql_field(k, f'{alias}"{c}"', delimiter) for k, c in zip(kinds, chosen)],
                    [k in ("string", "string[]") for k in kinds])

        def write(name, headers, fields, quoted, tail, line_breaks=False):
            _say(f"writing {name}", progress)
            files[name], rows[name] = _copy_csv(db, folder, name, headers, fields, quoted, tail)
            if line_breaks:
                multiline.append(folder / name)

        # Node keys -> import ids, the last row of a repeated id (GROUP BY keeps the largest row number).
        for label, table in (("Film", films), ("Person", people)):
            db.execute(f"CREATE TEMP TABLE {label}_keys AS SELECT CAST(id AS VARCHAR) AS id, "
                       f"max(file_row_number) AS n FROM {table.source} WHERE {table.where} GROUP BY 1")
            keys = db.execute(f"SELECT count(*) FROM {label}_keys").fetchone()[0]
            if keys < table.stats.get("id:n", 0):  # repeated ids: keep each one's last row
                table.where += f" AND file_row_number IN (SELECT n FROM {label}_keys)"

        for name, table, label in (("films.csv", films, "Film"), ("people.csv", people, "Person")):
            headers, fields, quoted = properties(name)
            write(name, [f":ID({label})", "id", ":LABEL", *headers],
                  ["file_row_number", 'CAST("id" AS VARCHAR)', sql_literal(label), *fields],
                  [False, True, False, *quoted], f"FROM {table.source} WHERE {table.where}",
                  table.has_line_break(["id", *_PROPERTY_COLUMNS[name][1]]))

        # Genres: each film's distinct non-empty names (list_distinct drops nulls, as dropna).
        if "genres" in films.columns:
            links = (f"SELECT file_row_number AS film, unnest(list_distinct(CAST(genres AS VARCHAR[]))) AS name "
                     f"FROM {films.source} WHERE {films.where}")
        else:
            links = "SELECT NULL::BIGINT AS film, NULL::VARCHAR AS name WHERE false"
        links = f"SELECT * FROM ({links}) WHERE name <> ''"
        db.execute(f"CREATE TEMP TABLE Genre_keys AS SELECT name, row_number() OVER (ORDER BY name) - 1 AS n "
                   f"FROM (SELECT DISTINCT name FROM ({links}))")
        genre_breaks = films.has_line_break(["genres"])
        write("genres.csv", [":ID(Genre)", "name", ":LABEL"], ["n", "name", sql_literal("Genre")],
              [False, True, False], "FROM Genre_keys", genre_breaks)
        write("in_genre.csv", [":START_ID(Film)", ":END_ID(Genre)", ":TYPE"],
              ["l.film", "g.n", sql_literal(IN_GENRE)], [False, False, False],
              f"FROM ({links}) l JOIN Genre_keys g ON l.name = g.name")

        # Credits: the type from the role; WORKED_ON keeps the role as its key property.
        named = ", ".join(sql_literal(role) for role in ROLE_RELATIONSHIPS)
        rel_type = ("CASE CAST(c.role AS VARCHAR) "
                    + " ".join(f"WHEN {sql_literal(r)} THEN {sql_literal(t)}" for r, t in ROLE_RELATIONSHIPS.items())
                    + f" ELSE {sql_literal(OTHER_ROLE)} END")
        kept = credits.keep_last(["person_id", "film_id", "role"], "credits_repeated")
        headers, fields, quoted = properties("credits.csv", "c.")
        write("credits.csv", [":START_ID(Person)", ":END_ID(Film)", ":TYPE", *headers, "role"],
              ["p.n", "f.n", rel_type, *fields, f"CASE WHEN CAST(c.role AS VARCHAR) NOT IN ({named}) "
                                                 "THEN CAST(c.role AS VARCHAR) END"],
              [False, False, False, *quoted, True],
              f"FROM (SELECT * FROM {credits.source} WHERE {credits.where} AND {kept}) c "
              "JOIN Person_keys p ON CAST(c.person_id AS VARCHAR) = p.id "
              "JOIN Film_keys f ON CAST(c.film_id AS VARCHAR) = f.id",
              credits.has_line_break([*_PROPERTY_COLUMNS["credits.csv"][1], "role"]))

        kept = similar.keep_last(["film_id", "similar_id", "source"], "similar_repeated")
        headers, fields, quoted = properties("similar.csv", "s.")
        write("similar.csv", [":START_ID(Film)", ":END_ID(Film)", ":TYPE", *headers],
              ["a.n", "b.n", sql_literal(MORE_LIKE_THIS), *fields], [False, False, False, *quoted],
              f"FROM (SELECT * FROM {similar.source} WHERE {similar.where} AND {kept}) s "
              "JOIN Film_keys a ON CAST(s.film_id AS VARCHAR) = a.id "
              "JOIN Film_keys b ON CAST(s.similar_id AS VARCHAR) = b.id",
              similar.has_line_break(_PROPERTY_COLUMNS["similar.csv"][1]))

    return ImportFiles([("", files[n]) for n in _NODE_FILES], [("", files[n]) for n in _RELATIONSHIP_FILES],
                       _import_args(delimiter, multiline), {n: rows[n] for n in (*_NODE_FILES, *_RELATIONSHIP_FILES)})


def relationship_count(film_graph: FilmGraph | TableFiles, above: int | None = None) -> int:
    """About how many relationships ``film_graph`` makes in Neo4j (credits + genre links + links), cheaply.

    Of Parquet files (:class:`reelgraph.store.TableFiles`) the row counts
    come from the files' metadata and the genre links from one scan of the
    ``genres`` column, skipped when the credits and links alone number more
    than ``above``.
    """
    if isinstance(film_graph, TableFiles):
        counts = film_graph.counts()
        count = counts["credits"] + counts["similar"]
        if (above is not None and count > above) or "genres" not in _parquet_columns(film_graph, "films"):
            return count
        from reelgraph._duckdb import connect as duckdb_connect
        from reelgraph._parquet_table import duckdb_scan

        with duckdb_connect() as db:
            genres = db.execute("SELECT coalesce(sum(len(genres)), 0) FROM "
                                f"{duckdb_scan(film_graph.folder, 'films')}").fetchone()[0]
        return count + int(genres)
    genres = film_graph.films["genres"]
    in_genre = int(genres.map(len, na_action="ignore").fillna(0).sum()) if len(genres) else 0
    return len(film_graph.credits) + len(film_graph.similar) + in_genre


# -- choosing and running -------------------------------------------------------------


def _say(message: str, progress: bool) -> None:
    if progress:
        print(f"neo4j bulk: {message}", file=sys.stderr, flush=True)


def managed_home(settings: Neo4jSettings | None = None, home=None) -> Path | None:
    """The home of the reelgraph-managed server that ``settings`` point at, if they do and it runs.

    ``settings`` (default: from the environment) name the managed server when
    their URI is ``bolt://`` or ``neo4j://`` on 127.0.0.1/localhost with the
    Bolt port of ``home``'s configuration (default
    :func:`reelgraph.neo4j.server.default_home`) and no other database than
    ``neo4j`` is asked for.
    """
    settings = settings or Neo4jSettings.from_env()
    home = neo4j_server._home(home)
    if not settings.configured or not (home / "conf" / "neo4j.conf").is_file():
        return None
    try:
        uri = urlsplit(settings.uri)
        port = uri.port or 7687
    except ValueError:
        return None
    if uri.scheme not in ("bolt", "neo4j") or uri.hostname not in ("127.0.0.1", "localhost", "::1"):
        return None
    if settings.database not in (None, "", "neo4j"):
        return None
    bolt_port, _ = neo4j_server._ports(home)
    if port != bolt_port or not neo4j_server.status(home)["running"]:
        return None
    return home


def _database_size(settings: dict | Neo4jSettings) -> tuple[int, int]:
    if isinstance(settings, dict):
        settings = Neo4jSettings(uri=settings["uri"], user=settings["user"], password=settings["password"])
    driver = connect(settings)
    try:
        with driver.session() as session:
            return session.run(_NODE_COUNT).single()["n"], session.run(_REL_COUNT).single()["n"]
    finally:
        driver.close()


def choose_loader(film_graph: FilmGraph | TableFiles, settings: Neo4jSettings | None = None, *, bulk: bool | None = None,
                  home=None, threshold: int = BULK_THRESHOLD) -> str:
    """``"bulk"`` or ``"batched"``: which loader :func:`load_graph` uses.

    ``bulk=True`` always says ``"bulk"`` (:func:`bulk_load` then refuses a
    target it cannot fill) and ``bulk=False`` always ``"batched"``.  Left to
    choose (``None``), it says ``"bulk"`` only when the graph has more than
    ``threshold`` relationships, ``settings`` point at the running managed
    server of ``home`` and its database is empty.

    Examples
    --------
    >>> choose_loader(FilmGraph.empty(), Neo4jSettings())
    'batched'
    >>> choose_loader(FilmGraph.empty(), Neo4jSettings(), bulk=True)
    'bulk'
    """
    if bulk is not None:
        return "bulk" if bulk else "batched"
    if relationship_count(film_graph, above=threshold) <= threshold:
        return "batched"
    found = managed_home(settings, home)
    if found is None:
        return "batched"
    nodes, rels = _database_size(neo4j_server.connection_settings(found))
    return "bulk" if nodes == 0 and rels == 0 else "batched"


def _one_line(exc: Exception) -> str:
    """The import tool's reason (with ``--verbose``: the bad file, line and value), not its progress bars."""
    text = str(exc)
    cause = re.search(r"original error: (.+)", text)
    where = re.search(r"\[source:([^,\]]+), position:\d+, line:(\d+)\]", text)
    if cause:
        # The tool counts lines from 0; editors and people count from 1.
        place = f"{Path(where.group(1)).name} line {int(where.group(2)) + 1}: " if where else ""
        return (place + cause.group(1).strip())[:300]
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith((".", "at "))]
    for line in lines:
        if re.search(r"Exception|Error|ERROR|[Ii]nvalid", line) and not line.startswith("WARNING"):
            return line[:300]
    return (lines[-1] if lines else type(exc).__name__)[:300]


def _children_cpu_seconds() -> float:
    """User plus system CPU seconds of the child processes waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bulk_load(film_graph: FilmGraph | TableFiles, home=None, *, progress: bool = True, import_heap: str = "2g",
              import_off_heap: str | None = IMPORT_OFF_HEAP, keep_files: bool = False) -> dict:
    """Fill the empty database of the managed local server with ``film_graph`` through the import tool.

    Steps: check that the server of ``home`` runs and its database holds no
    node and no relationship (a count query), write the CSV files
    (:func:`write_import_files`) under ``<home>/import`` while the server
    stops, run ``neo4j-admin database import full neo4j --overwrite-destination``,
    start the server again with the same ports, heap and page cache, create
    the constraints and indexes (:func:`reelgraph.neo4j.indexes.ensure_schema`).
    The server is started again even when writing or the import fails.

    Parameters
    ----------
    film_graph : FilmGraph or reelgraph.store.TableFiles
        The canonical graph, in memory or as Parquet files (then written
        out of core, :func:`write_import_files_from_parquet`).
    home : str or os.PathLike, optional
        The managed server's home; default :func:`reelgraph.neo4j.server.default_home`.
    progress : bool
        Say what happens, on stderr.
    import_heap : str
        Heap of the import JVM.
    import_off_heap : str or None
        The most off-heap memory the import tool may take for its caches
        (``--max-off-heap-memory``); None leaves the tool's default, 90% of
        the memory free when it starts, too greedy on a shared machine.
    keep_files : bool
        Keep the CSV files (their folder is in the returned ``"files"``).

    Returns
    -------
    dict
        :func:`reelgraph.neo4j.sync.neo4j_counts`, plus ``"seconds"`` per step
        (``write`` and ``stop``, both counted from the same start since they
        overlap; ``import``; ``start``; ``schema``; and ``import_cpu``, the
        import tool's user plus system CPU seconds) and ``"files"`` when kept.

    Raises
    ------
    Neo4jBulkError
        When the server is not the managed one, does not run, holds data,
        or the import fails.
    """
    home = neo4j_server._home(home)
    if not (home / "conf" / "neo4j.conf").is_file():
        raise Neo4jBulkError(f"no reelgraph-managed Neo4j in {home}: the bulk loader only fills that server "
                             "('reelgraph neo4j start' makes one)")
    if not neo4j_server.status(home)["running"]:
        raise Neo4jBulkError(f"the managed Neo4j of {home} is not running; start it with 'reelgraph neo4j start'")
    settings = neo4j_server.connection_settings(home)
    nodes, rels = _database_size(settings)
    if nodes or rels:
        raise Neo4jBulkError(f"the Neo4j database at {settings['uri']} holds {nodes} nodes and {rels} relationships; "
                             "the bulk loader only fills an empty one: load with --batched to sync into it")
    conf = neo4j_server._read_conf(home)
    bolt_port, http_port = neo4j_server._ports(home)
    heap = conf.get("server.memory.heap.max_size", "1g")
    pagecache = conf.get("server.memory.pagecache.size", "512m")

    seconds = {}
    (home / "import").mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="reelgraph-bulk-", dir=home / "import"))
    failure = None
    began = time.monotonic()

    def stop_server(started: float = began) -> None:
        neo4j_server.stop(home)
        seconds["stop"] = round(time.monotonic() - started, 2)

    try:
        try:
            _say(f"writing import files into {folder} while the server stops", progress)
            # Stopping the server is mostly waiting for its JVM to shut down:
            # it runs beside the CSV writing (1-2 s less on 2 cores).
            with ThreadPoolExecutor(max_workers=1) as pool:
                stopping = pool.submit(stop_server)
                try:
                    files = write_import_files(film_graph, folder)
                    seconds["write"] = round(time.monotonic() - began, 2)
                finally:
                    stopping.result()
            _say(f"{sum(files.rows[n] for n in ('credits.csv', 'in_genre.csv', 'similar.csv'))} relationships "
                 f"written in {seconds['write']:.1f}s; running neo4j-admin database import full", progress)
            began = time.monotonic()
            cpu_before = _children_cpu_seconds()
            try:
                memory = [f"--max-off-heap-memory={import_off_heap}"] if import_off_heap else []
                neo4j_server.bulk_import(files.nodes, files.relationships, home=home, database="neo4j",
                                         overwrite=True, heap=import_heap,
                                         extra_args=[*files.extra_args, *memory, "--verbose"])
                seconds["import"] = round(time.monotonic() - began, 2)
                seconds["import_cpu"] = round(_children_cpu_seconds() - cpu_before, 2)
            except neo4j_server.Neo4jServerError as exc:
                failure = _one_line(exc)
                # A failed import leaves a half-written store the server cannot
                # open; importing nothing replaces it with an empty database.
                empty = folder / "empty.csv"
                empty.write_text("id:ID(Film)\n")
                with contextlib.suppress(neo4j_server.Neo4jServerError):
                    neo4j_server.bulk_import([("Film", [empty])], home=home, database="neo4j", overwrite=True)
        finally:
            # Also after a failed write or import: the server ran before.
            began = time.monotonic()
            _say("starting the server again", progress)
            neo4j_server.start(home, bolt_port=bolt_port, http_port=http_port, heap=heap, pagecache=pagecache)
            seconds["start"] = round(time.monotonic() - began, 2)
    finally:
        if not keep_files:
            shutil.rmtree(folder, ignore_errors=True)
    if failure:
        raise Neo4jBulkError(f"neo4j-admin import failed: {failure} (report: {home / 'logs' / 'import.report'}); "
                             "the database is empty, so a batched sync (load --batched) can still fill it")

    began = time.monotonic()
    driver = connect(Neo4jSettings(uri=settings["uri"], user=settings["user"], password=settings["password"]))
    try:
        ensure_schema(driver)
        counts = neo4j_counts(driver)
    finally:
        driver.close()
    seconds["schema"] = round(time.monotonic() - began, 2)
    _say("done: " + ", ".join(f"{n} {k}" for k, n in {**counts["nodes"], **counts["relationships"]}.items()), progress)
    result = {**counts, "seconds": seconds}
    if keep_files:
        result["files"] = str(folder)
    return result


def load_graph(film_graph: FilmGraph | TableFiles, settings: Neo4jSettings | None = None, *,
               bulk: bool | None = None, home=None, progress: bool = True) -> tuple[str, dict]:
    """Put ``film_graph`` into Neo4j with the loader :func:`choose_loader` picks.

    ``film_graph`` may be Parquet files (:class:`reelgraph.store.TableFiles`,
    e.g. a store's): the bulk loader writes its files from them out of core;
    the batched one still reads them into memory (pandas) first.

    Returns
    -------
    (str, dict)
        ``"bulk"`` or ``"batched"``, and :func:`reelgraph.neo4j.sync.neo4j_counts`
        (``{"nodes": ..., "relationships": ...}``).

    Raises
    ------
    Neo4jBulkError
        ``bulk=True`` with a target that is not the running managed server
        of ``home``, or one whose database is not empty.

    Examples
    --------
    >>> from reelgraph.loaders import read_sources
    >>> from reelgraph.loaders.sample import SAMPLE_SOURCES
    >>> loader, counts = load_graph(read_sources(SAMPLE_SOURCES), Neo4jSettings.from_env())  # doctest: +SKIP
    >>> loader, counts["nodes"]  # doctest: +SKIP
    ('batched', {'Film': 30, 'Person': 281, 'Genre': 16})
    """
    settings = settings or Neo4jSettings.from_env()
    loader = choose_loader(film_graph, settings, bulk=bulk, home=home)
    if loader == "bulk":
        found = managed_home(settings, home)
        if found is None:
            raise Neo4jBulkError(f"--bulk fills only the running reelgraph-managed Neo4j of {neo4j_server._home(home)}, "
                                 f"and NEO4J_URI ({settings.uri or 'unset'}) is not it; load with --batched")
        result = bulk_load(film_graph, found, progress=progress)
        return "bulk", {"nodes": result["nodes"], "relationships": result["relationships"]}
    if isinstance(film_graph, TableFiles):
        film_graph = film_graph.read()  # sync_graph sends the tables from memory (pandas)
    driver = connect(settings)
    try:
        return "batched", sync_graph(driver, film_graph, progress=progress)
    finally:
        driver.close()
