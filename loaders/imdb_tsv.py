"""IMDb's own datasets (https://datasets.imdbws.com/) at full scale: a folder of ``*.tsv`` / ``*.tsv.gz`` files.

:func:`read_imdb_datasets` reads

======================  ========  ====================================================
file                    needed    gives
======================  ========  ====================================================
``title.basics``        required  films (and the title filter)
``title.principals``    required  credits
``name.basics``         required  people
``title.ratings``       optional  ``films.rating`` / ``films.votes`` (and ``min_votes``)
``title.crew``          optional  director and writer credits the principals lack
======================  ========  ====================================================

each as ``NAME.tsv`` or ``NAME.tsv.gz`` (when both are there the ``.tsv.gz``,
IMDb's own form, is read).  ``title.akas`` and ``title.episode`` are not read.

The format is IMDb's, exactly: UTF-8, tab-separated, a header line with
IMDb's column names in IMDb's order, ``\\N`` for a missing value, no quoting
(titles contain ``"``), ``characters`` a JSON list such as ``["Ruth"]``.

Streaming
---------
No file is ever held whole in memory.  :mod:`reelgraph.loaders.line_blocks`
reads and decompresses each file in blocks of whole lines; its worker
threads parse the blocks with pyarrow's CSV parser (which releases the GIL),
check them and filter their rows (all here, in :class:`_Parser`); only the
kept rows (as Arrow columns) are kept:

1. ``title.basics``: title type, adult flag, year range -> the candidate titles;
2. ``title.ratings``: ratings of the candidates (with ``min_votes``, this file
   is read first, and step 1 keeps only the titles with enough votes);
3. ``title.principals``: rows of kept titles and wanted categories;
4. ``title.crew``: directors and writers of kept titles;
5. ``name.basics``: the people those credits name.

Memory therefore grows with what is *kept*, not with the size of the files.

Decisions
---------
* **Roles**: ``actor`` and ``actress`` both become role ``actor``; every other
  category is kept as it is (``director``, ``writer``, ``producer``,
  ``composer``, ``self``, ``cinematographer``, ``archive_footage``, ...).
  ``categories`` filters on IMDb's categories (before this mapping).
* **Crew**: each person in ``title.crew``'s ``directors`` / ``writers`` lists
  becomes a ``director`` / ``writer`` credit unless ``title.principals``
  already has that (person, film, role), and a list naming someone twice
  gives one credit.  Crew credits have no billing, job or characters.  They
  are added only when ``director`` / ``writer`` is in ``categories``.
* **Dangling people** (named by a kept credit, absent from ``name.basics``):
  the credit is kept and the person gets a ``people`` row with the id only
  (``name`` and the rest empty).  The report counts them
  (``dangling_people``) and the credits naming them (``dangling_credits``).
* **Missing ratings / crew files**: not an error; the rating columns stay
  empty and no crew credits are added (``report.missing_optional``).
  ``min_votes`` without ``title.ratings`` is an error, though, since it
  would drop every title.
* ``year_range=(first, last)`` is inclusive, either end may be ``None``;
  titles without a start year are dropped when a range is given.
  ``min_votes`` drops titles without a rating.
* A ``characters`` cell that is not a JSON list of strings is kept as a
  one-item list of the raw text and counted (``report.bad_characters``).

Errors
------
A missing required file (or one that is a folder, a FIFO, a device, a loop
of symbolic links), an unexpected header, a line with the wrong number of
fields, a value that is not what its column holds (a year that is no
integer, an id that is no ``tt...`` / ``nm...``), a value out of the bounds
of :data:`reelgraph.model.VALUE_BOUNDS` (a rating outside 1-10, negative
votes, a year outside 1870 to a century ahead, a negative runtime, a birth
after a death) or a text longer than :data:`reelgraph.model.MAX_NAME_CHARS`
(titles, names) / :data:`~reelgraph.model.MAX_TEXT_CHARS`, an id a kept row
of ``title.basics``, ``title.ratings``, ``title.crew`` or ``name.basics``
already had, bytes that are not UTF-8 or a broken gzip stream raise
:class:`~reelgraph.errors.InputError` naming the file and, where there is
one, the line.  With ``on_error="skip"`` bad lines are skipped and counted
(``report.bad_lines``, of them ``report.duplicate_ids``; the first row of an
id wins; ``report.first_bad_line`` says what was wrong with the first)
instead; a broken gzip stream or a bad header still raises, since nothing
after it can be trusted.  The bounds are checked on each block at Arrow
speed (a few kernels); only a block that fails them is read line by line to
name the line.  The function returns a whole graph or raises: it never
writes anything.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from reelgraph.errors import InputError
from reelgraph.loaders.line_blocks import BadLine, ParsedBlock, parse_blocks, progress_bar
from reelgraph.model import IMDB_ID_DIGITS, LIST_COLUMNS, MAX_NAME_CHARS, MAX_TEXT_CHARS, NAME_COLUMNS, VALUE_BOUNDS, FilmGraph, bad_value, cyclic_gc_paused

__all__ = [
    "SOURCE",
    "DEFAULT_CATEGORIES",
    "FILES",
    "ImdbLoadReport",
    "find_dataset_file",
    "is_imdb_datasets_folder",
    "read_imdb_datasets",
    "scan_principals",
]

#: ``films.source`` (and ``people`` / ``credits``) of rows made by this loader.
SOURCE = "imdb-datasets"

#: Principal categories read by default.
DEFAULT_CATEGORIES = ("actor", "actress", "director", "writer", "producer", "composer")

_NULL = "\\N"
_INT = "int"
_FLOAT = "float"
_TT = "tt"  # an id column: tt + digits
_NM = "nm"
_NM_LIST = "nm-list"  # comma-separated nm ids, or \N


@dataclasses.dataclass(frozen=True)
class _FileSpec:
    key: str
    stem: str
    columns: tuple[str, ...]
    kinds: dict  # column -> _INT / _FLOAT / _TT / _NM / _NM_LIST; others are text
    required: bool
    table: str  # the canonical table its rows become
    canonical: dict  # column -> the canonical column whose bounds it keeps (reelgraph.model.VALUE_BOUNDS, NAME_COLUMNS)
    unique: str | None = None  # the id column no two rows may share


_SPECS = (
    _FileSpec("basics", "title.basics", ("tconst", "titleType", "primaryTitle", "originalTitle", "isAdult", "startYear", "endYear", "runtimeMinutes", "genres"),
              {"tconst": _TT, "isAdult": _INT, "startYear": _INT, "endYear": _INT, "runtimeMinutes": _INT}, True, "films",
              {"primaryTitle": "title", "originalTitle": "original_title", "startYear": "year", "endYear": "year", "runtimeMinutes": "runtime_minutes"},
              "tconst"),
    _FileSpec("ratings", "title.ratings", ("tconst", "averageRating", "numVotes"), {"tconst": _TT, "averageRating": _FLOAT, "numVotes": _INT}, False,
              "films", {"averageRating": "rating", "numVotes": "votes"}, "tconst"),
    _FileSpec("principals", "title.principals", ("tconst", "ordering", "nconst", "category", "job", "characters"), {"tconst": _TT, "ordering": _INT, "nconst": _NM}, True,
              "credits", {"ordering": "billing"}),
    _FileSpec("crew", "title.crew", ("tconst", "directors", "writers"), {"tconst": _TT, "directors": _NM_LIST, "writers": _NM_LIST}, False,
              "credits", {}, "tconst"),
    _FileSpec("names", "name.basics", ("nconst", "primaryName", "birthYear", "deathYear", "primaryProfession", "knownForTitles"), {"nconst": _NM, "birthYear": _INT, "deathYear": _INT}, True,
              "people", {"primaryName": "name", "birthYear": "birth_year", "deathYear": "death_year"}, "nconst"),
)

#: Pairs of columns of a file whose first may not exceed the second (born after dying is a typo).
_ORDERED = {"names": (("birthYear", "deathYear"),)}

#: The files read: key -> file name without ``.tsv`` / ``.tsv.gz``.
FILES = {spec.key: spec.stem for spec in _SPECS}
_SPEC = {spec.key: spec for spec in _SPECS}
_ARROW_TYPES = {_INT: pa.int64(), _FLOAT: pa.float64()}


@dataclasses.dataclass
class ImdbLoadReport:
    """What :func:`read_imdb_datasets` read, kept, skipped and could not resolve.

    ``rows_read`` counts the data lines read from each file (header excluded,
    skipped lines excluded); ``rows_kept`` the rows that passed the filters.
    """

    folder: str
    files: dict = dataclasses.field(default_factory=dict)  # key -> path read
    missing_optional: list = dataclasses.field(default_factory=list)
    rows_read: dict = dataclasses.field(default_factory=dict)
    rows_kept: dict = dataclasses.field(default_factory=dict)
    bad_lines: dict = dataclasses.field(default_factory=dict)  # skipped with on_error="skip"
    dangling_people: int = 0  # distinct nconst named by kept credits, absent from name.basics
    dangling_credits: int = 0  # kept credits naming them
    crew_credits_added: int = 0  # director/writer credits from title.crew that principals lack
    bad_characters: int = 0  # characters cells that were no JSON list
    duplicate_ids: dict = dataclasses.field(default_factory=dict)  # rows skipped for an id an earlier row had (among bad_lines)
    first_bad_line: dict = dataclasses.field(default_factory=dict)  # key -> "line N: what is wrong" of the first line skipped
    seconds: dict = dataclasses.field(default_factory=dict)  # per step

    @property
    def skipped_lines(self) -> int:
        return sum(self.bad_lines.values())

    def summary(self) -> str:
        """A few human-readable lines, for a command line."""
        out = []
        for key, path in self.files.items():
            line = f"{Path(path).name}: {self.rows_read.get(key, 0):,} rows read, {self.rows_kept.get(key, 0):,} kept"
            if self.bad_lines.get(key):
                line += f", {self.bad_lines[key]:,} bad lines skipped"
                if self.duplicate_ids.get(key):
                    line += f" ({self.duplicate_ids[key]:,} repeating an id)"
                if key in self.first_bad_line:
                    line += f" (first: {self.first_bad_line[key]})"
            out.append(line)
        for key in self.missing_optional:
            out.append(f"{FILES[key]}.tsv(.gz): not found, skipped")
        out.append(f"dangling people (in credits, not in name.basics): {self.dangling_people:,} ({self.dangling_credits:,} credits)")
        out.append(f"credits added from title.crew: {self.crew_credits_added:,}")
        if self.bad_characters:
            out.append(f"characters cells that were no JSON list: {self.bad_characters:,}")
        return "\n".join(out)


# -- files -------------------------------------------------------------------


def find_dataset_file(folder, stem: str) -> Path | None:
    """``folder/stem.tsv.gz`` or ``folder/stem.tsv`` (that order), or None.

    Whatever bears the name is returned, a folder or a FIFO too: reading it
    then refuses it by name, rather than calling the file missing.
    """
    folder = Path(folder)
    for suffix in (".tsv.gz", ".tsv"):
        path = folder / f"{stem}{suffix}"
        if os.path.lexists(path):
            return path
    return None


def is_imdb_datasets_folder(path) -> bool:
    """True when ``path`` is a folder with any of IMDb's ``title.basics``,
    ``title.principals`` or ``name.basics`` files (``.tsv`` or ``.tsv.gz``).

    A folder with only some of them is still recognised, so that
    :func:`read_imdb_datasets` can say which file is missing.
    """
    path = Path(path)
    return path.is_dir() and any(find_dataset_file(path, s.stem) for s in _SPECS if s.required)


# -- parsing -----------------------------------------------------------------


def _is_utf8(data) -> bool:
    """Whether the bytes ``data`` are UTF-8 text (checked by Arrow, at memory speed)."""
    try:
        pa.array([bytes(data)], pa.binary()).cast(pa.string())
        return True
    except pa.ArrowInvalid:
        return False


class _ImplausibleValue(pa.ArrowInvalid):
    """A block holds a value out of bounds (or may: a long cell in bytes); the slow path finds and names its line."""


_ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError)


class _Parser:
    """Parses blocks of whole lines of one file into Arrow tables; finds and explains bad lines.

    ``select(table) -> table`` filters the rows of a block (it runs in the
    worker threads).  Id columns get an int64 twin (``_tconst``,
    ``_nconst``): those in ``eager`` before ``select`` (so it can use them),
    the others after it, for the kept rows only.
    """

    def __init__(self, spec: _FileSpec, path: Path, on_error: str, select=None, eager=(), runs=()):
        self.spec = spec
        self.path = path
        self.on_error = on_error
        self.select = select
        types = {c: _ARROW_TYPES.get(spec.kinds.get(c), pa.string()) for c in spec.columns}
        self.schema = pa.schema([(c, types[c]) for c in spec.columns])
        self.read_options = pcsv.ReadOptions(column_names=list(spec.columns), use_threads=False, block_size=4 << 20)
        self.convert_options = pcsv.ConvertOptions(column_types=types, null_values=[_NULL], strings_can_be_null=True,
                                                   true_values=[], false_values=[], quoted_strings_can_be_null=False)
        ids = [c for c, k in spec.kinds.items() if k in (_TT, _NM, _NM_LIST)]
        self.eager = [c for c in ids if c in eager]
        self.runs = set(runs)  # id columns whose equal values come in runs (title.principals is sorted by tconst)
        self.lazy = [c for c in ids if c not in eager]
        digits = f"[0-9]{{{IMDB_ID_DIGITS},}}"
        self._patterns = {c: re.compile(rf"{k}{digits}") for c, k in spec.kinds.items() if k in (_TT, _NM)}
        self._list_pattern = re.compile(rf"nm{digits}(,nm{digits})*")
        bounds = VALUE_BOUNDS[spec.table]
        #: column -> (lowest, highest) of the canonical column it becomes
        self.bounds = {c: bounds[name] for c, name in spec.canonical.items() if name in bounds}
        #: text column -> most characters (a title or a name, or any other text)
        self.text_limits = {c: MAX_NAME_CHARS if spec.canonical.get(c) in NAME_COLUMNS[spec.table] else MAX_TEXT_CHARS
                            for c in spec.columns if c not in spec.kinds or spec.kinds[c] == _NM_LIST}
        self.ordered = _ORDERED.get(spec.key, ())
        #: number each row by its line in the block (for a duplicate id's line): only when an error names it
        self.number_lines = spec.unique is not None and on_error == "raise"

    def _parse_options(self, handler):
        return pcsv.ParseOptions(delimiter="\t", quote_char=False, escape_char=False, double_quote=False,
                                 newlines_in_values=False, ignore_empty_lines=False, invalid_row_handler=handler)

    def _check_values(self, table: pa.Table) -> None:
        """Raise :class:`_ImplausibleValue` when some value of ``table`` may be out of bounds; :meth:`problem` then finds which.

        At Arrow speed, a few kernels a block: each bounded column's least
        and greatest value (and NaN), each text column's longest cell in
        bytes (never fewer than its characters), ordered pairs.
        """
        for column, (lowest, highest) in self.bounds.items():
            values = table[column]
            least, greatest = pc.min_max(values).values()
            if least.is_valid and (least.as_py() < lowest or greatest.as_py() > highest):
                raise _ImplausibleValue(column)
            if pa.types.is_floating(values.type) and pc.any(pc.is_nan(values)).as_py():
                raise _ImplausibleValue(column)
        for column, limit in self.text_limits.items():
            if (pc.max(pc.binary_length(table[column])).as_py() or 0) > limit:
                raise _ImplausibleValue(column)
        for first, second in self.ordered:
            if pc.any(pc.greater(table[first], table[second])).as_py():
                raise _ImplausibleValue(first)

    def _arrow(self, data: bytes, skip_ragged: bool, check: bool = True) -> tuple[pa.Table, int, int]:
        """Parse ``data``, add the ids, select; (kept rows, rows parsed, ragged rows skipped).  Raises an Arrow error on anything bad.

        ``check``: check the values too (:meth:`_check_values`); the slow
        path parses lines :meth:`problem` found good without it.
        """
        ragged = []
        if not data:
            table = self.schema.empty_table()
        else:

            def handler(row):
                if skip_ragged:
                    ragged.append(1)
                    return "skip"
                return "error"

            # The handler only where every byte is UTF-8: pyarrow hands it the row as text, and a row that is not
            # fails to decode before the handler runs (a traceback on stderr, the row kept); the slow path skips it.
            valid = skip_ragged and _is_utf8(data)
            table = pcsv.read_csv(pa.py_buffer(data), read_options=self.read_options,
                                  parse_options=self._parse_options(handler if valid else None), convert_options=self.convert_options)
        parsed = table.num_rows
        if check:
            self._check_values(table)
        if self.number_lines:
            table = table.append_column("_line", pa.array(np.arange(parsed, dtype=np.int32)))
        table = self._ids(table, self.eager)
        if self.select is not None:
            table = self.select(table)
        return self._ids(table, self.lazy), parsed, len(ragged)

    def _ids(self, table: pa.Table, columns) -> pa.Table:
        """Append ``_<column>`` int64 id numbers; raises ArrowInvalid on a malformed id."""
        for column in columns:
            kind = self.spec.kinds[column]
            values = table[column]
            if kind == _NM_LIST:
                items = pc.list_flatten(pc.split_pattern(values, ","))
                digits = pc.utf8_slice_codeunits(items, 2)
                if len(items) and not (pc.all(pc.starts_with(items, "nm"), min_count=0).as_py()
                                       and pc.all(pc.ascii_is_decimal(digits), min_count=0).as_py()
                                       and pc.min(pc.binary_length(digits)).as_py() >= IMDB_ID_DIGITS):
                    raise pa.ArrowInvalid(f"malformed id in {column}")
                pc.cast(digits, pa.int64())
                continue
            runs = None
            if column in self.runs and len(values):
                # convert each run of equal ids once (any order works, sorted input is just faster)
                encoded = pc.run_end_encode(values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values)
                runs, values = encoded.run_ends.to_numpy(), encoded.values
            digits = pc.utf8_slice_codeunits(values, 2)
            if (values.null_count or not pc.all(pc.starts_with(values, kind), min_count=0).as_py()
                    or not pc.all(pc.ascii_is_decimal(digits), min_count=0).as_py()
                    or (len(values) and pc.min(pc.binary_length(digits)).as_py() < IMDB_ID_DIGITS)):
                raise pa.ArrowInvalid(f"malformed id in {column}")
            numbers = pc.cast(digits, pa.int64())
            if runs is not None:
                numbers = pa.array(np.repeat(numbers.to_numpy(), np.diff(runs, prepend=0)))
            table = table.append_column(f"_{column}", numbers)
        return table

    def empty(self) -> pa.Table:
        return self._arrow(b"", False)[0]

    def parse(self, block: bytes) -> ParsedBlock:
        """The kept rows of ``block`` (whole lines, ending with a newline), its lines, and the good rows read.

        Every line of a block is a good row read or a bad line skipped.
        Raises :class:`~reelgraph.loaders.line_blocks.BadLine` for the first
        bad line when ``on_error`` is "raise".
        """
        try:
            table, parsed, ragged = self._arrow(block, self.on_error == "skip")
            return ParsedBlock(table, lines=parsed + ragged, rows=parsed)
        except _ARROW_ERRORS:
            return self._salvage(block)

    # The slow path: only for blocks where pyarrow met something wrong.

    def problem(self, line: bytes) -> str | None:
        """Why ``line`` (without its newline) is bad, or None when it looks good."""
        if line.endswith(b"\r"):
            line = line[:-1]
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"not UTF-8 text (byte 0x{line[exc.start]:02x} at column {exc.start + 1})"
        if not text:
            return "empty line"
        fields = text.split("\t")
        if len(fields) != len(self.spec.columns):
            return f"expected {len(self.spec.columns)} tab-separated fields, found {len(fields)}"
        for column, value in zip(self.spec.columns, fields):
            kind = self.spec.kinds.get(column)
            if kind is None or (value == _NULL and kind not in (_TT, _NM)):
                continue
            if kind == _INT:
                ok = re.fullmatch(r" *-?[0-9]{1,18} *", value) is not None  # what pyarrow takes for an int64
                what = "an integer"
            elif kind == _FLOAT:
                try:
                    float(value)
                    ok = True
                except ValueError:
                    ok = False
                what = "a number"
            elif kind == _NM_LIST:
                ok = self._list_pattern.fullmatch(value) is not None
                what = "a comma-separated list of nm... ids"
            else:
                ok = self._patterns[column].fullmatch(value) is not None
                what = f"an id like {kind}0000001 ({IMDB_ID_DIGITS} digits or more)"
            if not ok:
                return f"bad value {value[:60]!r} in column {column}, expected {what}"
        values = dict(zip(self.spec.columns, fields))
        for column, value in values.items():
            if value == _NULL:
                continue
            if column in self.bounds:
                number = float(value) if self.spec.kinds[column] == _FLOAT else int(value)
                if number != number:  # NaN: a missing value is \N, so "nan" is a value that is no number
                    return f"{column} {value[:40]!r} is not a number"
                problem = bad_value(self.spec.table, self.spec.canonical[column], number)
                if problem is not None:
                    return f"{column} {problem.split(' ', 1)[1]}"  # the file's column name, not the canonical one
            elif column in self.text_limits and len(value) > self.text_limits[column]:
                return f"{column} of {len(value):,} characters (at most {self.text_limits[column]:,})"
        for first, second in self.ordered:
            if _NULL not in (values[first], values[second]) and int(values[first]) > int(values[second]):
                return f"{first} {int(values[first])} after {second} {int(values[second])}"
        return None

    def _salvage(self, block) -> ParsedBlock:
        """Parse the good lines of ``block`` alone; the others are skipped (counted as lines but not rows) or raised."""
        lines = bytes(block).split(b"\n")
        lines.pop()  # the block ends with a newline
        good, bad = [], []
        for i, line in enumerate(lines):
            problem = self.problem(line)
            if problem is None:
                good.append(i)
            elif self.on_error == "raise":
                raise BadLine(i, problem)
            else:
                bad.append((i, problem))
        # pyarrow may still refuse a line the checks above let through: find it by bisection.
        extra = self._bisect(lines, good)
        if extra:
            extra.sort()
            if self.on_error == "raise":
                raise BadLine(*extra[0])
            dropped = {i for i, _ in extra}
            good = [i for i in good if i not in dropped]
        first = min(bad + extra, default=None)
        if not good:
            return ParsedBlock(self.empty(), lines=len(lines), rows=0, first_problem=first)
        # no _line to fix: lines are numbered only when a bad one raises, so here every line is good
        table, parsed, _ = self._arrow(b"\n".join(lines[i] for i in good) + b"\n", False, check=False)
        return ParsedBlock(table, lines=len(lines), rows=parsed, first_problem=first)

    def _bisect(self, lines: list[bytes], rows: list[int]) -> list[tuple[int, str]]:
        if not rows:
            return []
        try:
            self._arrow(b"\n".join(lines[i] for i in rows) + b"\n", False, check=False)
            return []
        except _ARROW_ERRORS as exc:
            if len(rows) == 1:
                message = str(exc).splitlines()[0]
                return [(rows[0], f"unreadable line ({message})")]
        mid = len(rows) // 2
        return self._bisect(lines, rows[:mid]) + self._bisect(lines, rows[mid:])


def _check_header(spec: _FileSpec, path: Path, line: bytes | None):
    if line is None:
        raise InputError(path, "empty file, expected the header line", line=1)
    if line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    if line.endswith(b"\r"):
        line = line[:-1]
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(path, "header is not UTF-8 text", line=1) from None
    expected = "\t".join(spec.columns)
    if text != expected:
        found = text.split("\t")
        if sorted(found) == sorted(spec.columns):
            problem = f"header has the columns in the wrong order: expected {', '.join(spec.columns)}; found {', '.join(found)}"
        else:
            missing = [c for c in spec.columns if c not in found]
            extra = [c for c in found if c not in spec.columns]
            detail = "; ".join(p for p in (f"missing {', '.join(missing)}" if missing else "",
                                           f"unexpected {', '.join(repr(e[:40]) for e in extra[:5])}" if extra else "") if p)
            problem = f"wrong header for {spec.stem} ({detail}); expected: {expected.replace(chr(9), ' <tab> ')}"
        raise InputError(path, problem, line=1)


def _scan_blocks(spec: _FileSpec, path: Path, on_error: str, report: ImdbLoadReport | None, progress: bool, select=None, eager=(), runs=(),
                 transform=None):
    """Read ``path`` block by block (see :func:`~reelgraph.loaders.line_blocks.parse_blocks`); yield what ``select`` keeps of each block, in file order.

    ``transform(table)``, when given, runs on each block's kept rows in the
    worker thread, and its result is yielded instead.  The file's rows read
    and bad lines go to ``report`` once the file is read to its end.
    """
    parser = _Parser(spec, path, on_error, select, eager, runs)
    unique = _UniqueIds(spec, path, on_error) if spec.unique else None

    def parse(data):
        block = parser.parse(data)
        if unique is not None:  # the kept rows go along, for the file-order check of their ids in this thread
            return block._replace(value=unique.prepare(block.value, transform))
        return block if transform is None else block._replace(value=transform(block.value))

    rows = bad = 0
    lines = 1  # the header
    blocks = parse_blocks(path, parse, check_header=lambda line: _check_header(spec, path, line), progress=progress, kind="TSV")
    with contextlib.closing(blocks):  # stops the reader and the workers at once should anything here raise
        for block in blocks:
            rows += block.rows
            bad += block.lines - block.rows
            if block.first_problem is not None and report is not None and spec.key not in report.first_bad_line:
                index, problem = block.first_problem
                report.first_bad_line[spec.key] = f"line {lines + 1 + index:,}: {problem}"
            value = block.value
            if unique is not None:
                value, repeated = unique.check(value, lines, transform)
                rows -= repeated
                bad += repeated
                if repeated and report is not None:
                    report.duplicate_ids[spec.key] = report.duplicate_ids.get(spec.key, 0) + repeated
                    report.first_bad_line.setdefault(spec.key, unique.first_repeat)
            lines += block.lines
            yield value
    if report is not None:
        report.rows_read[spec.key] = report.rows_read.get(spec.key, 0) + rows
        report.bad_lines[spec.key] = report.bad_lines.get(spec.key, 0) + bad


class _UniqueIds:
    """The ids of a file's rows seen so far, in file order: a repeated one is raised (with its line) or its row dropped.

    Ids are checked on the rows a read keeps (every row, unless filtered):
    those are what would be stored twice.  The check runs in the consuming
    thread, block after block in file order, on numbers the parse threads
    made (``_<unique>`` and, to name a line, ``_line``): a bitmap indexed by
    the id number, grown as needed; ids too large for one kept in a set.
    """

    #: Id numbers below this go in the bitmap (IMDb's are below 10**8; a hostile tt2147483647 must not cost 2 GB).
    BITMAP_LIMIT = 1 << 27

    def __init__(self, spec: _FileSpec, path: Path, on_error: str):
        self.column = spec.unique
        self.path = path
        self.stem = spec.stem
        self.on_error = on_error
        self.seen = np.zeros(1 << 16, dtype=bool)
        self.big: set[int] = set()
        self.first_repeat: str | None = None  # what the report says of the first repeat skipped

    def prepare(self, table: pa.Table, transform) -> tuple:
        """In a parse thread: (the block's value, its kept rows without ``_line``, their id numbers, their lines or None)."""
        numbers = _numbers(table[f"_{self.column}"])
        lines = None
        if "_line" in table.column_names:
            lines = table["_line"].to_numpy()
            table = table.drop_columns(["_line"])
        return (transform(table) if transform is not None else table), table, numbers, lines

    def check(self, prepared: tuple, lines_before: int, transform) -> tuple[object, int]:
        """The block's value less its rows whose id came before, and how many those were; raises on one with ``on_error="raise"``."""
        value, table, numbers, block_lines = prepared
        repeated = self._repeated(numbers)
        if not repeated.any():
            return value, 0
        row = int(np.argmax(repeated))
        problem = f"duplicate id {table[self.column][row].as_py()}: {self.stem} lists it again (each id once)"
        if self.on_error == "raise":
            raise InputError(self.path, problem, line=lines_before + 1 + int(block_lines[row]))
        self.first_repeat = self.first_repeat or problem + " (the first row kept)"
        table = table.filter(pa.array(~repeated))
        return (transform(table) if transform is not None else table), int(repeated.sum())

    def _repeated(self, numbers: np.ndarray) -> np.ndarray:
        """Each id number seen before (in earlier blocks or earlier in this one); all become seen."""
        if not len(numbers):
            return np.zeros(0, dtype=bool)
        big = numbers >= self.BITMAP_LIMIT
        repeated = np.zeros(len(numbers), dtype=bool)
        if len(numbers) > 1 and not np.all(numbers[1:] > numbers[:-1]):  # IMDb's files are sorted: a repeat within shows here
            _, first = np.unique(numbers, return_index=True)
            repeated[:] = True
            repeated[first] = False
        small = np.where(big, 0, numbers)
        top = int(small.max())
        if top >= len(self.seen):
            grown = np.zeros(max(top + 1, len(self.seen) * 3 // 2), dtype=bool)
            grown[: len(self.seen)] = self.seen
            self.seen = grown
        repeated |= self.seen[small] & ~big
        self.seen[small[~big]] = True
        if big.any():
            for i in np.flatnonzero(big).tolist():
                repeated[i] |= int(numbers[i]) in self.big
                self.big.add(int(numbers[i]))
        return repeated


def _scan(spec: _FileSpec, path: Path, on_error: str, report: ImdbLoadReport | None, progress: bool, select=None, eager=(), runs=()) -> pa.Table:
    """Read ``path`` block by block (see :func:`_scan_blocks`), keep what ``select`` keeps, return it as one table."""
    kept = [t for t in _scan_blocks(spec, path, on_error, report, progress, select, eager, runs) if t.num_rows]
    if not kept:
        return _Parser(spec, path, on_error, select, eager, runs).empty()
    return pa.concat_tables(kept).combine_chunks() if len(kept) > 1 else kept[0]


# -- id sets -----------------------------------------------------------------


class _IdSet:
    """A set of (non-negative) id numbers: membership of a whole array at numpy speed.

    A bitmap indexed by the number (IMDb's ids are below 10**8: at most
    100 MB); a sorted array when some id is too large for that.
    """

    BITMAP_LIMIT = 1 << 31

    def __init__(self, numbers: np.ndarray):
        numbers = np.asarray(numbers, dtype=np.int64)
        self.size = int(numbers.max()) + 1 if len(numbers) else 0
        if self.size > self.BITMAP_LIMIT:
            self.bits = None
            self.sorted = np.unique(numbers)
        else:
            self.bits = np.zeros(self.size + 1, dtype=bool)  # the extra slot answers every id out of range
            self.bits[numbers] = True

    def contains(self, numbers) -> np.ndarray:
        numbers = np.asarray(numbers, dtype=np.int64)
        if self.bits is None:
            return np.isin(numbers, self.sorted)
        return self.bits[np.minimum(numbers, self.size)]


def _numbers(column) -> np.ndarray:
    return np.asarray(column.to_numpy(), dtype=np.int64) if isinstance(column, pa.Array) else np.asarray(column.combine_chunks().to_numpy(), dtype=np.int64)


def _filter(table: pa.Table, mask) -> pa.Table:
    if isinstance(mask, np.ndarray):
        if mask.all():
            return table
        mask = pa.array(mask)
    return table.filter(mask)


# -- the steps ---------------------------------------------------------------


def scan_principals(path, titles, categories, *, on_error: str = "raise", report: ImdbLoadReport | None = None, progress: bool = True) -> pa.Table:
    """Read ``title.principals`` and keep the rows of ``titles`` (tconst numbers; None: all) and ``categories`` (None: all).

    Returns an Arrow table: ``tconst``, ``ordering``, ``nconst``,
    ``category``, ``job``, ``characters``, and the id numbers ``_tconst`` and
    ``_nconst``.  Public for the benchmark: this is the hot loop.
    """
    path = Path(path)
    result = _scan(_SPEC["principals"], path, on_error, report, progress, **_principals_scan(_IdSet(titles) if titles is not None else None, categories))
    if report is not None:
        report.rows_kept["principals"] = result.num_rows
    return result


def _principals_scan(titles: "_IdSet | None", categories) -> dict:
    """How :func:`_scan` reads ``title.principals``: rows of ``titles`` (None: all) and ``categories`` (None: all)."""
    value_set = pa.array(sorted(categories), pa.string()) if categories is not None else None

    def select(table):
        if titles is not None:
            table = _filter(table, titles.contains(_numbers(table["_tconst"])))
        if value_set is not None:
            table = _filter(table, pc.fill_null(pc.is_in(table["category"], value_set=value_set), False).to_numpy(zero_copy_only=False))
        return table

    return {"select": select, "eager": ("tconst",), "runs": ("tconst",)}


def _read_basics(path, title_types, include_adult, year_range, on_error, report, progress, only: "_IdSet | None" = None) -> pa.Table:
    return _scan(_SPEC["basics"], path, on_error, report, progress, **_basics_scan(title_types, include_adult, year_range, only))


def _basics_scan(title_types, include_adult, year_range, only: "_IdSet | None" = None) -> dict:
    """How :func:`_scan` reads ``title.basics``: the titles the filters keep (of ``only``, when given), without ``endYear``."""
    types = pa.array(sorted(title_types), pa.string()) if title_types is not None else None

    def select(table):
        mask = np.ones(table.num_rows, dtype=bool)
        if only is not None:
            mask &= only.contains(_numbers(table["_tconst"]))
        if types is not None:
            mask &= pc.fill_null(pc.is_in(table["titleType"], value_set=types), False).to_numpy(zero_copy_only=False)
        if not include_adult:
            mask &= pc.equal(pc.fill_null(table["isAdult"], 0), 0).to_numpy(zero_copy_only=False)
        if year_range is not None:
            first, last = year_range
            year = table["startYear"]
            mask &= pc.is_valid(year).to_numpy(zero_copy_only=False)
            if first is not None:
                mask &= pc.fill_null(pc.greater_equal(year, first), False).to_numpy(zero_copy_only=False)
            if last is not None:
                mask &= pc.fill_null(pc.less_equal(year, last), False).to_numpy(zero_copy_only=False)
        return _filter(table.drop_columns(["endYear"]), mask)

    return {"select": select, "eager": ("tconst",) if only is not None else ()}


def _read_ratings(path, titles: "_IdSet | None", on_error, report, progress, min_votes: int | None = None) -> pa.Table:
    def select(table):
        mask = titles.contains(_numbers(table["_tconst"])) if titles is not None else np.ones(table.num_rows, dtype=bool)
        if min_votes is not None:
            mask &= pc.fill_null(pc.greater_equal(table["numVotes"], min_votes), False).to_numpy(zero_copy_only=False)
        return _filter(table, mask)

    result = _scan(_SPEC["ratings"], path, on_error, report, progress, select, eager=("tconst",))
    report.rows_kept["ratings"] = result.num_rows
    return result


def _read_crew(path, titles: _IdSet, roles: list[str], on_error, report, progress) -> pa.Table:
    """Crew credits of kept titles: ``_tconst``, ``tconst``, ``nconst``, ``_nconst``, ``role``, one row per listed person."""

    table = _scan(_SPEC["crew"], path, on_error, report, progress, **_crew_scan(titles))
    report.rows_kept["crew"] = table.num_rows
    return _crew_credits(table, roles)


def _crew_scan(titles: "_IdSet") -> dict:
    """How :func:`_scan` reads ``title.crew``: the rows of ``titles``."""

    def select(table):
        return _filter(table, titles.contains(_numbers(table["_tconst"])))

    return {"select": select, "eager": ("tconst",)}


def _crew_credits(table: pa.Table, roles: list[str]) -> pa.Table:
    """``title.crew`` rows -> one row per listed person and role (see :func:`_read_crew`), in file order."""
    parts = []
    for order, role in enumerate(roles):
        lists = pc.split_pattern(table["directors" if role == "director" else "writers"], ",")
        if isinstance(lists, pa.ChunkedArray):
            lists = lists.combine_chunks()
        people = pc.list_flatten(lists)
        parents = pc.list_parent_indices(lists)
        parts.append(pa.table({
            "_tconst": table["_tconst"].take(parents),
            "tconst": table["tconst"].take(parents),
            "nconst": people,
            "_nconst": pc.cast(pc.utf8_slice_codeunits(people, 2), pa.int64()),
            "role": pa.repeat(pa.scalar(role, pa.string()), len(people)),
            "_order": pc.add(pc.multiply(pc.cast(parents, pa.int64()), len(roles)), order),
        }))
    if not parts:
        return _no_crew()
    crew = pa.concat_tables(parts).combine_chunks()
    # file order: a title's directors, then its writers, then the next title
    crew = crew.take(pc.sort_indices(crew["_order"]))  # stable
    return crew.drop_columns(["_order"])


def _no_crew() -> pa.Table:
    return pa.table({"_tconst": pa.array([], pa.int64()), "tconst": pa.array([], pa.string()), "nconst": pa.array([], pa.string()),
                     "_nconst": pa.array([], pa.int64()), "role": pa.array([], pa.string())})


def _read_names(path, people: _IdSet, on_error, report, progress) -> pa.Table:
    result = _scan(_SPEC["names"], path, on_error, report, progress, **_names_scan(people))
    report.rows_kept["names"] = result.num_rows
    return result


def _names_scan(people) -> dict:
    """How :func:`_scan` reads ``name.basics``: the rows of ``people`` (anything with ``contains``), without ``knownForTitles``."""

    def select(table):
        return _filter(table.drop_columns(["knownForTitles"]), people.contains(_numbers(table["_nconst"])))

    return {"select": select, "eager": ("nconst",)}


# -- canonical tables ----------------------------------------------------------

def _shared_strings(values: pa.Array) -> np.ndarray:
    """An object array of the strings of ``values`` (None for null) in which equal strings are one Python object."""
    encoded = pc.dictionary_encode(values)
    distinct = np.append(encoded.dictionary.to_numpy(zero_copy_only=False), None)
    return distinct[pc.fill_null(encoded.indices, len(distinct) - 1).to_numpy(zero_copy_only=False)]


def _column(values, shared: bool = False) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """An Arrow column as what the canonical tables hold: object strings (None for null), Int64, Float64 or boolean.

    ``shared``: equal strings become one Python object, for columns whose
    values repeat (``role``, or ``film_id`` of credits): a Python string
    costs about 60 bytes, and dictionary-encoding first is no slower.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        strings = _shared_strings(values) if shared else values.to_numpy(zero_copy_only=False)
        return pd.Series(strings, dtype=object)  # str, None for null (pandas would infer "str")
    mask = values.is_null().to_numpy(zero_copy_only=False)
    if pa.types.is_integer(kind):
        return pd.arrays.IntegerArray(pc.fill_null(values, 0).to_numpy().astype(np.int64), mask)
    if pa.types.is_floating(kind):
        return pd.arrays.FloatingArray(pc.fill_null(values, 0.0).to_numpy().astype(np.float64), mask)
    if pa.types.is_boolean(kind):
        return pd.arrays.BooleanArray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), mask)
    raise TypeError(f"no canonical column for {kind}")  # pragma: no cover


def _frame(columns: dict, shared=()) -> pd.DataFrame:
    df = pd.DataFrame({name: _column(values, name in shared) for name, values in columns.items()})
    df["source"] = pd.Series(np.full(len(df), SOURCE, dtype=object), dtype=object)
    return df


def _empty_lists(n: int) -> list:
    return [[] for _ in range(n)]


def _row_lists(encoded: pa.DictionaryArray, pieces: list[list[str]]) -> list[list[str]]:
    """Each row's own list: a copy of ``pieces[i]`` for a row of distinct value ``i`` of ``encoded``, ``[]`` for a null.

    Rows of one value share its strings (a Python string costs about 60 bytes).
    """
    pieces = [*pieces, []]  # for the nulls
    indices = pc.fill_null(encoded.indices, len(pieces) - 1).to_numpy(zero_copy_only=False)
    return [list(pieces[i]) for i in indices.tolist()]


def _comma_lists(column) -> list[list[str]]:
    """``"a,b"`` -> ``["a", "b"]``, null -> ``[]``; each distinct value split once, each row its own list."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    encoded = pc.dictionary_encode(column)
    return _row_lists(encoded, [value.split(",") if value else [] for value in encoded.dictionary.to_pylist()])


#: A JSON list of strings without escapes or spaces (``["Ruth"]``, ``["A","B"]``): split on ``","`` once its brackets are cut.
_PLAIN_JSON_LIST = r'^\["[^"\\]*(","[^"\\]*)*"\]$'


def _characters(column) -> tuple[list[list[str]], int]:
    """Parse IMDb's JSON lists (``["Ruth"]``, ``["A","B"]``): (lists, cells that were no JSON list of strings).

    Each distinct cell is parsed once: the plain ones (see
    :data:`_PLAIN_JSON_LIST`) split by Arrow, the rest by :func:`json.loads`.
    """
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    encoded = pc.dictionary_encode(column)
    distinct = encoded.dictionary
    pieces = pc.split_pattern(pc.utf8_slice_codeunits(distinct, 2, -2), '","').to_pylist()
    hard = np.flatnonzero(~pc.match_substring_regex(distinct, _PLAIN_JSON_LIST).to_numpy(zero_copy_only=False))
    bad = []
    for j, value in zip(hard.tolist(), distinct.take(pa.array(hard, pa.int64())).to_pylist()):
        pieces[j], ok = _json_list(value)
        if not ok:
            bad.append(j)
    rows = np.bincount(encoded.indices.drop_null().to_numpy(), minlength=len(pieces))
    return _row_lists(encoded, pieces), int(rows[bad].sum())


def _json_list(value: str) -> tuple[list[str], bool]:
    """A JSON list of strings, and True; else ``[value]`` and False."""
    try:
        parsed = json.loads(value)
    except (ValueError, RecursionError):  # not JSON, or nested thousands deep: no list of names either way
        parsed = None
    if isinstance(parsed, list) and all(isinstance(item, str) for item in parsed):
        return parsed, True
    return [value], False


class _Ratings:
    """``title.ratings`` rows (with ``_tconst``) looked up by title number; a title rated twice gets its first row."""

    def __init__(self, ratings: pa.Table | None):
        self.ratings = ratings if ratings is not None and ratings.num_rows else None
        if self.ratings is not None:
            rated = _numbers(self.ratings["_tconst"])
            self.order = np.argsort(rated, kind="stable")
            self.sorted = rated[self.order]

    def of(self, tids: np.ndarray) -> tuple[pa.Array, pa.Array]:
        """(``averageRating``, ``numVotes``) of each title number in ``tids``, null when unrated."""
        if self.ratings is None:
            return pa.nulls(len(tids), pa.float64()), pa.nulls(len(tids), pa.int64())
        pos = np.minimum(np.searchsorted(self.sorted, tids), len(self.sorted) - 1)
        index = pa.array(self.order[pos], mask=self.sorted[pos] != tids)
        return self.ratings["averageRating"].take(index), self.ratings["numVotes"].take(index)


def _film_columns(basics: pa.Table, ratings: _Ratings) -> dict:
    """The ``films`` columns taken from ``title.basics`` rows (with ``_tconst``) and their ratings, as Arrow; ``genres`` still IMDb's text."""
    rating, votes = ratings.of(_numbers(basics["_tconst"]))
    return {
        "id": basics["tconst"],
        "title": basics["primaryTitle"],
        "year": basics["startYear"],
        "title_type": basics["titleType"],
        "rating": rating,
        "votes": votes,
        "runtime_minutes": basics["runtimeMinutes"],
        "original_title": basics["originalTitle"],
        "is_adult": pc.not_equal(basics["isAdult"], 0),
        "genres": basics["genres"],
    }


def _person_columns(names: pa.Table) -> dict:
    """The ``people`` columns taken from ``name.basics`` rows, as Arrow; ``professions`` still IMDb's text."""
    return {"id": names["nconst"], "name": names["primaryName"], "birth_year": names["birthYear"], "death_year": names["deathYear"],
            "professions": names["primaryProfession"]}


def _credit_columns(principals: pa.Table) -> dict:
    """The ``credits`` columns taken from ``title.principals`` rows (actress -> actor), as Arrow; ``characters`` still IMDb's text."""
    category = principals["category"]
    actor = pc.fill_null(pc.is_in(category, value_set=pa.array(["actor", "actress"])), False)
    return {"person_id": principals["nconst"], "film_id": principals["tconst"], "role": pc.if_else(actor, pa.scalar("actor"), category),
            "job": principals["job"], "billing": principals["ordering"], "characters": principals["characters"]}


def _crew_credit_columns(crew: pa.Table) -> dict:
    """The ``credits`` columns of crew credits (see :func:`_crew_credits`): no job, billing or characters."""
    n = crew.num_rows
    return {"person_id": crew["nconst"], "film_id": crew["tconst"], "role": crew["role"], "job": pa.nulls(n, pa.string()),
            "billing": pa.nulls(n, pa.int64()), "characters": pa.nulls(n, pa.string())}


def _films(basics: pa.Table, ratings: pa.Table | None) -> pd.DataFrame:
    n = basics.num_rows
    columns = _film_columns(basics, _Ratings(ratings))
    genres = columns.pop("genres")
    df = _frame(columns, shared=("title_type",))
    df["genres"] = _comma_lists(genres)
    df["stub"] = pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.zeros(n, dtype=bool))  # every film here has its full data
    for column in LIST_COLUMNS["films"]:  # the others, empty: cheaper for normalize_table than None
        if column not in df.columns:
            df[column] = _empty_lists(n)
    return df


def _people(names: pa.Table, dangling_ids: list[str]) -> pd.DataFrame:
    n = len(dangling_ids)
    table = pa.table(_person_columns(names))
    if n:
        table = pa.concat_tables([table, _dangling_people(dangling_ids)])
    df = _frame({c: table[c] for c in ("id", "name", "birth_year", "death_year")})
    df["professions"] = _comma_lists(table["professions"])
    return df


def _dangling_people(ids: list[str]) -> pa.Table:
    """:func:`_person_columns` of people known by id alone."""
    n = len(ids)
    return pa.table({"id": pa.array(ids, pa.string()), "name": pa.nulls(n, pa.string()), "birth_year": pa.nulls(n, pa.int64()),
                     "death_year": pa.nulls(n, pa.int64()), "professions": pa.nulls(n, pa.string())})


def _credits(principals: pa.Table, crew: pa.Table, report: ImdbLoadReport) -> pd.DataFrame:
    table = pa.table(_credit_columns(principals))
    if crew.num_rows:
        table = pa.concat_tables([table, pa.table(_crew_credit_columns(crew))])
    df = _frame({c: table[c] for c in ("person_id", "film_id", "role", "job", "billing")}, shared=("person_id", "film_id", "role"))
    df["characters"], report.bad_characters = _characters(table["characters"])
    df["star"] = pd.arrays.BooleanArray(np.zeros(len(df), dtype=bool), np.ones(len(df), dtype=bool))  # all unknown
    return df


def _new_crew(principals: pa.Table, crew: pa.Table) -> pa.Table:
    """Crew rows whose (title, person, role) the principals lack, each once, in file order."""
    if not crew.num_rows:
        return crew
    roles = pa.array(["director", "writer"])
    p_titles, p_people = _numbers(principals["_tconst"]), _numbers(principals["_nconst"])
    p_role = np.asarray(pc.fill_null(pc.index_in(principals["category"], value_set=roles), 2).to_numpy(zero_copy_only=False), dtype=np.int64)
    c_titles, c_people = _numbers(crew["_tconst"]), _numbers(crew["_nconst"])
    c_role = np.asarray(pc.index_in(crew["role"], value_set=roles).to_numpy(zero_copy_only=False), dtype=np.int64)
    top_person = int(max(p_people.max(initial=0), c_people.max(initial=0))) + 1
    top_title = int(max(p_titles.max(initial=0), c_titles.max(initial=0))) + 1
    if top_title * top_person * 3 < 2**62:
        p_keys = (p_titles * top_person + p_people) * 3 + p_role
        c_keys = (c_titles * top_person + c_people) * 3 + c_role
    else:  # pragma: no cover - ids beyond 2**31 each
        p_keys = pd.MultiIndex.from_arrays([p_titles, p_people, p_role]).to_flat_index().to_numpy()
        c_keys = pd.MultiIndex.from_arrays([c_titles, c_people, c_role]).to_flat_index().to_numpy()
    first = np.flatnonzero(~pd.Index(c_keys).duplicated(keep="first"))
    fresh = first[~pd.Index(c_keys[first]).isin(p_keys)]
    return crew.take(pa.array(fresh))


# -- the loader ----------------------------------------------------------------


def _as_names(value, what: str):
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    values = tuple(value)
    if not all(isinstance(v, str) for v in values):
        raise TypeError(f"{what} must be strings")
    return values


def _prepare(folder, title_types, categories, year_range, min_votes, on_error) -> tuple:
    """Check the options and find the files: (title_types, categories, year_range, a new report, key -> path).

    Raises ValueError for a bad option, :class:`~reelgraph.errors.InputError`
    for a missing folder or required file.
    """
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', not {on_error!r}")
    title_types = _as_names(title_types, "title_types")
    categories = _as_names(categories, "categories")
    if year_range is not None:
        year_range = tuple(year_range)
        if len(year_range) != 2:
            raise ValueError("year_range must be (first, last)")
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "not a folder")
    report = ImdbLoadReport(folder=os.fspath(folder))
    paths = {}
    for spec in _SPECS:
        path = find_dataset_file(folder, spec.stem)
        if path is None:
            if spec.required:
                raise InputError(folder / f"{spec.stem}.tsv.gz", f"missing required file (neither {spec.stem}.tsv.gz nor {spec.stem}.tsv in the folder)")
            report.missing_optional.append(spec.key)
        else:
            paths[spec.key] = path
            report.files[spec.key] = os.fspath(path)
    if min_votes is not None and "ratings" not in paths:
        raise InputError(folder / "title.ratings.tsv.gz", "min_votes needs title.ratings, which is missing")
    return title_types, categories, year_range, report, paths


def read_imdb_datasets(
    folder,
    *,
    title_types=("movie",),
    include_adult: bool = False,
    year_range: tuple[int | None, int | None] | None = None,
    min_votes: int | None = None,
    categories=DEFAULT_CATEGORIES,
    on_error: str = "raise",
    progress: bool = True,
) -> FilmGraph:
    """Read a folder of IMDb's dataset files into a :class:`~reelgraph.model.FilmGraph`.

    Parameters
    ----------
    folder : str or os.PathLike
        Holds ``title.basics``, ``title.principals`` and ``name.basics``
        (required) and ``title.ratings``, ``title.crew`` (optional), each as
        ``.tsv`` or ``.tsv.gz``.
    title_types : iterable of str or None
        IMDb title types to keep (``"movie"``, ``"tvSeries"``, ...); None keeps all.
    include_adult : bool
        Keep titles with ``isAdult`` set.
    year_range : (first, last), optional
        Keep titles whose start year is in this inclusive range; either end may be None.
    min_votes : int, optional
        Keep titles with at least this many votes (needs ``title.ratings``).
    categories : iterable of str or None
        IMDb principal categories to keep (before ``actress`` becomes role
        ``actor``); None keeps all.  ``director`` / ``writer`` also decide
        whether ``title.crew`` adds credits.
    on_error : "raise" or "skip"
        What a bad line does: raise :class:`~reelgraph.errors.InputError`
        (naming file and line) or be skipped and counted.
    progress : bool
        Show tqdm progress bars (rows, rows/s) on stderr.

    Returns
    -------
    FilmGraph
        With ``films``, ``people``, ``credits`` (``similar`` is empty).  Its
        ``report`` attribute is an :class:`ImdbLoadReport`.

    Raises
    ------
    InputError
        A required file is missing or any file is malformed (see the module docstring).
    """
    started = time.perf_counter()
    title_types, categories, year_range, report, paths = _prepare(folder, title_types, categories, year_range, min_votes, on_error)

    def step(name, t0):
        report.seconds[name] = time.perf_counter() - t0

    ratings = None
    voted = None
    if "ratings" in paths and min_votes is not None:
        # Votes first: title.basics then keeps only titles with enough of
        # them, so what is held stays the size of the output however big the
        # input (all movies would be held otherwise).
        t0 = time.perf_counter()
        ratings = _read_ratings(paths["ratings"], None, on_error, report, progress, min_votes=min_votes)
        voted = _IdSet(_numbers(ratings["_tconst"]))
        step("title.ratings", t0)

    t0 = time.perf_counter()
    basics = _read_basics(paths["basics"], title_types, include_adult, year_range, on_error, report, progress, only=voted)
    candidates = _IdSet(_numbers(basics["_tconst"]))
    step("title.basics", t0)

    if ratings is not None:
        ratings = _filter(ratings, candidates.contains(_numbers(ratings["_tconst"])))
        report.rows_kept["ratings"] = ratings.num_rows
    elif "ratings" in paths:
        t0 = time.perf_counter()
        ratings = _read_ratings(paths["ratings"], candidates, on_error, report, progress)
        step("title.ratings", t0)
    report.rows_kept["basics"] = basics.num_rows

    def read_crew(roles):
        t0 = time.perf_counter()
        table = _read_crew(paths["crew"], candidates, roles, on_error, report, progress)
        step("title.crew", t0)
        return table

    # title.crew needs only the kept titles: it is read in a thread of its own while title.principals is
    # (whose reading leaves some of a second core free); an error of title.principals is raised first.
    crew_roles = [r for r in ("director", "writer") if categories is None or r in categories]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reelgraph-crew") as side:
        crew = side.submit(read_crew, crew_roles) if "crew" in paths and crew_roles else None
        t0 = time.perf_counter()
        principals = scan_principals(paths["principals"], _numbers(basics["_tconst"]), categories, on_error=on_error, report=report,
                                     progress=progress)
        step("title.principals", t0)
        crew = _new_crew(principals, crew.result()) if crew is not None else _no_crew()
    report.crew_credits_added = crew.num_rows

    t0 = time.perf_counter()
    credit_people = np.concatenate([_numbers(principals["_nconst"]), _numbers(crew["_nconst"])])
    names = _read_names(paths["names"], _IdSet(credit_people), on_error, report, progress)
    step("name.basics", t0)

    t0 = time.perf_counter()
    found = _IdSet(_numbers(names["_nconst"]))
    missing = ~found.contains(credit_people)
    report.dangling_credits = int(missing.sum())
    ids = pa.concat_arrays([principals["nconst"].combine_chunks(), crew["nconst"].combine_chunks()]) if crew.num_rows else principals["nconst"].combine_chunks()
    dangling_ids = sorted(set(ids.filter(pa.array(missing)).to_pylist()))
    report.dangling_people = len(dangling_ids)

    bar = progress_bar(progress, "canonical tables")
    with cyclic_gc_paused():  # millions of strings and lists, no cycles
        films = _films(basics, ratings)
        bar.update(len(films))
        del basics, ratings
        people = _people(names, dangling_ids)
        bar.update(len(people))
        del names
        credits = _credits(principals, crew, report)
        bar.update(len(credits))
        del principals, crew
        graph = FilmGraph(films, people, credits, None)
    bar.close()
    step("canonical tables", t0)
    report.seconds["total"] = time.perf_counter() - started
    graph.report = report
    return graph
