"""The bad-input corpus (issue #16): hundreds of hostile inputs made at test time from small good ones.

Seeds: the bundled copied page (``never-let-me-go.imdb.txt``), saved HTML
pages of ``tests/fixtures``, and a small folder of IMDb's TSV datasets written
here.  Each is truncated, has bytes flipped, is re-encoded (UTF-16,
Latin-1), gets wrong columns, absurd values, hostile names, deep nesting,
odd Unicode, duplicate ids, or is replaced by a FIFO, a folder or a loop of
symbolic links.  Every case is read by the real loaders, and the verdicts:

* **no traceback**: what goes wrong is a :class:`~reelgraph.errors.ReelgraphError`
  of one line that starts with the file (or folder) at fault;
* **no hang**: each read runs under an alarm (in process) or a timeout (CLI);
* **no partial write**: a failed ``rg.load`` leaves every byte of the store as it was;
* **no silent out-of-range value**: what is read (with ``on_error="raise"``
  and, for datasets, ``"skip"``, by both dataset loaders) holds no value
  :func:`~reelgraph.model.first_bad_row` refuses and no id twice.

Most cases run in this process through the Python API (fast: a case costs
milliseconds); a sample runs through ``reelgraph load`` and ``reelgraph
parse`` in subprocesses, as a user would.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

import reelgraph as rg
from reelgraph.errors import ReelgraphError
from reelgraph.loaders import read_sources
from reelgraph.loaders.imdb_bulk import write_imdb_tables
from reelgraph.loaders.imdb_tsv import read_imdb_datasets
from reelgraph.loaders.sample import SAMPLE_DIR, SAMPLE_SOURCES
from reelgraph.model import FilmGraph, first_bad_row
from reelgraph.store import _read_tables

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SEED_TEXT = SAMPLE_DIR / "pages" / "never-let-me-go.imdb.txt"
SEED_HTML = [FIXTURES / "html" / "never_let_me_go.html", FIXTURES / "html" / "atonement_urql_state.html",
             FIXTURES / "pages" / "lantern_keepers_fullcredits.html", FIXTURES / "pages" / "lantern_keepers_reference.html"]
#: Seconds one case may take in this process before it counts as a hang.
CASE_SECONDS = 30
#: Seconds one CLI run may take.
CLI_SECONDS = 120

N = "\\N"
DATASETS = {
    "title.basics": [
        ["tconst", "titleType", "primaryTitle", "originalTitle", "isAdult", "startYear", "endYear", "runtimeMinutes", "genres"],
        ["tt0000001", "movie", "First Light", "First Light", "0", "1999", N, "101", "Drama,Romance"],
        ["tt0000002", "movie", 'The "Quoted" Film', "Le Film", "0", "2005", N, N, "Comedy"],
        ["tt0000003", "tvSeries", "Séries: Ünïcode 東京", "Séries: Ünïcode 東京", "0", "2010", "2014", "30", N],
        ["tt0000004", "short", "Awakening", "Awakening", "0", "1896", N, "0", "Short"],
    ],
    "title.ratings": [
        ["tconst", "averageRating", "numVotes"],
        ["tt0000001", "7.5", "1234"],
        ["tt0000002", "1.0", "0"],
        ["tt0000003", "10.0", "12"],
    ],
    "title.principals": [
        ["tconst", "ordering", "nconst", "category", "job", "characters"],
        ["tt0000001", "1", "nm0000001", "actress", N, '["Ruth","Narrator"]'],
        ["tt0000001", "2", "nm0000002", "actor", N, '["Dr. \\"X\\""]'],
        ["tt0000001", "3", "nm0000003", "director", N, N],
        ["tt0000002", "1", "nm0000002", "actor", N, '["Him"]'],
        ["tt0000003", "1", "nm0000001", "self", N, '["Herself"]'],
        ["tt0000004", "1", "nm0000004", "actor", N, '["Rip"]'],
    ],
    "title.crew": [
        ["tconst", "directors", "writers"],
        ["tt0000001", "nm0000003", "nm0000003,nm0000004"],
        ["tt0000002", N, N],
        ["tt0000003", "nm0000003", N],
        ["tt0000004", N, N],
    ],
    "name.basics": [
        ["nconst", "primaryName", "birthYear", "deathYear", "primaryProfession", "knownForTitles"],
        ["nm0000001", "Zoë Ångström", "1970", N, "actress", "tt0000001"],
        ["nm0000002", "O'Brien, Jr.", "1940", "2020", "actor", "tt0000001"],
        ["nm0000003", "Jean-Luc Réalisateur", "1564", "1616", "director,writer", "tt0000001"],
        ["nm0000004", "山田 花子", N, N, N, N],
    ],
}


# -- the cases -----------------------------------------------------------------


@dataclass
class Case:
    """One bad input: ``build(folder)`` writes it and returns the path to load; ``kind`` is ``page`` or ``datasets``.

    ``must_fail``: only an error is right (a refused file, an absurd value
    with ``on_error="raise"``); otherwise an error or a clean read are both
    right.  ``says``: words the error must hold (the value, the column).
    """

    name: str
    kind: str
    build: Callable[[Path], Path]
    must_fail: bool = False
    says: str | None = None


def _write_page(data: bytes | str, suffix: str):
    def build(folder: Path) -> Path:
        path = folder / f"page{suffix}"
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path
    return build


def _flips(data: bytes, count: int, seed: int) -> list[bytes]:
    """``count`` copies of ``data``, each with a handful of bytes set to hostile values at seeded places."""
    import random

    rng = random.Random(seed)
    out = []
    for _ in range(count):
        copy = bytearray(data)
        for _ in range(rng.randint(1, 6)):
            copy[rng.randrange(len(copy))] = rng.choice([0xFF, 0xC3, 0x00, 0x09, 0x0A, 0x22, 0x5C, 0x3C, 0x7B, 0x5B, 0x80])
        out.append(bytes(copy))
    return out


def _unicode_oddities(text: str, seed: int) -> list[tuple[str, str]]:
    """(name, text) with U+2028, U+2029, NUL, a BOM, right-to-left marks put in at seeded places."""
    import random

    rng = random.Random(seed)
    out = []
    for char, name in (("\u2028", "u2028"), ("\u2029", "u2029"), ("\x00", "nul"), ("\ufeff", "bom"), ("\u202e", "rtl"),
                       ("\r", "cr"), ("\x0b", "vtab")):
        for where in ("start", "title", "random"):
            if where == "start":
                changed = char + text
            elif where == "title":
                first = text.index("\n")
                changed = text[: first // 2] + char + text[first // 2:]
            else:
                at = rng.randrange(len(text))
                changed = text[:at] + char + text[at:]
            out.append((f"{name}-{where}", changed))
    return out


def text_page_cases() -> list[Case]:
    seed = SEED_TEXT.read_text(encoding="utf-8")
    data = seed.encode("utf-8")
    lines = seed.split("\n")
    title_line = lines[0]
    cases = [Case(f"text-cut-{i}", "page", _write_page(data[: len(data) * i // 20], ".txt")) for i in range(0, 20)]
    cases += [Case(f"text-flip-{i}", "page", _write_page(d, ".txt")) for i, d in enumerate(_flips(data, 14, 1))]
    cases += [Case(f"text-{name}", "page", _write_page(t, ".txt")) for name, t in _unicode_oddities(seed, 2)]
    cases += [
        Case("text-utf16", "page", _write_page(seed.encode("utf-16"), ".txt"), must_fail=True),
        Case("text-latin1", "page", _write_page(seed.encode("latin-1", "replace"), ".txt"), must_fail=True),
        Case("text-no-title-line", "page", _write_page("\n".join(lines[1:]), ".txt"), must_fail=True),
        Case("text-title-line-only", "page", _write_page(title_line + "\n", ".txt"), must_fail=True),
        Case("text-url-only", "page", _write_page("\n".join(lines[1:2]), ".txt"), must_fail=True),
        Case("text-year-0000", "page", _write_page(seed.replace("(2010) - IMDb", "(0000) - IMDb", 1), ".txt"), must_fail=True, says="year"),
        Case("text-year-9999", "page", _write_page(seed.replace("(2010) - IMDb", "(9999) - IMDb", 1), ".txt"), must_fail=True, says="year"),
        Case("text-rating-99", "page", _write_page(seed.replace("IMDb RATING 7.1/10", "IMDb RATING 99.9/10"), ".txt"), must_fail=True, says="rating"),
        Case("text-rating-0", "page", _write_page(seed.replace("IMDb RATING 7.1/10", "IMDb RATING 0/10"), ".txt"), must_fail=True, says="rating"),
        Case("text-votes-huge", "page", _write_page(seed.replace("7.1/10 141K", "7.1/10 99999999999M"), ".txt"), must_fail=True, says="votes"),
        Case("text-votes-garbled", "page", _write_page(seed.replace("7.1/10 141K", "7.1/10 1.2.3K"), ".txt")),
        Case("text-runtime-huge", "page", _write_page(seed.replace("1h 43m", "99999999h 43m"), ".txt")),
        Case("text-bad-date", "page", _write_page(re.sub(r"Release date [A-Z][a-z]+ \d{1,2}, \d{4}", "Release date February 30, 2010", seed), ".txt")),
        Case("text-title-200k", "page", _write_page(seed.replace("Never Let Me Go (2010) - IMDb", "x" * 200_000 + " (2010) - IMDb", 1), ".txt"),
             must_fail=True, says="200,000 characters"),
        Case("text-empty", "page", _write_page(b"", ".txt"), must_fail=True),
        Case("text-blank", "page", _write_page(b" \n\n\t\n", ".txt"), must_fail=True),
        Case("text-binary", "page", _write_page(bytes(range(256)) * 8, ".txt"), must_fail=True),
    ]
    for i, name in enumerate(("<script>alert(1)</script>", "Robert'); DROP TABLE films;--", "\u202eevil\u202c", "🎬" * 50,
                              "n" * 5_000, "a\\N\tb", "{{name}} ${name} %s")):
        cases.append(Case(f"text-hostile-name-{i}", "page", _write_page(seed.replace("Carey Mulligan", name), ".txt")))
    return cases


def _next_data(html: str) -> re.Match:
    return re.search(r'(<script id="__NEXT_DATA__"[^>]*>)(.*?)(</script>)', html, re.S)


def _with_next_data(html: str, change: Callable[[str], str]) -> str:
    match = _next_data(html)
    return html[: match.start(2)] + change(match.group(2)) + html[match.end(2):]


def html_cases() -> list[Case]:
    cases = []
    for n, seed_path in enumerate(SEED_HTML):
        data = seed_path.read_bytes()
        stem = seed_path.stem
        cases += [Case(f"html-{stem}-cut-{i}", "page", _write_page(data[: len(data) * i // 12], ".html")) for i in range(12)]
        cases += [Case(f"html-{stem}-flip-{i}", "page", _write_page(d, ".html")) for i, d in enumerate(_flips(data, 6, 10 + n))]
        cases.append(Case(f"html-{stem}-utf16", "page", _write_page(data.decode("utf-8").encode("utf-16"), ".html"), must_fail=True))
        cases.append(Case(f"html-{stem}-latin1", "page", _write_page(data.decode("utf-8").encode("latin-1", "replace"), ".html")))
    html = SEED_HTML[0].read_text(encoding="utf-8")
    deep = "[" * 200_000 + "]" * 200_000
    absurd = [
        ("runtime-1e30", '"seconds": 6180', '"seconds": 1e30', "runtime_minutes"),
        ("runtime-negative", '"seconds": 6180', '"seconds": -5400', "runtime_minutes"),
        ("runtime-infinity", '"seconds": 6180', '"seconds": Infinity', None),
        ("runtime-nan", '"seconds": 6180', '"seconds": NaN', None),
        ("rating-99", '"aggregateRating": 7.1', '"aggregateRating": 99.9', "rating"),
        ("rating-negative", '"aggregateRating": 7.1', '"aggregateRating": -3', "rating"),
        ("votes-negative", '"voteCount": 141372', '"voteCount": -500', "votes"),
        ("votes-1e300", '"voteCount": 141372', '"voteCount": 1e300', "votes"),
        ("year-negative", '"year": 2010', '"year": -3000', "year"),
        ("year-0", '"year": 2010', '"year": 0', "year"),
        ("year-99999", '"year": 2010', '"year": 99999', "year"),
        ("year-text", '"year": 2010', '"year": "two thousand"', None),
    ]
    for name, old, new, says in absurd:
        assert old in _next_data(html).group(2), old
        cases.append(Case(f"html-{name}", "page", _write_page(_with_next_data(html, lambda s, o=old, n=new: s.replace(o, n)), ".html"),
                          must_fail=says is not None, says=says))
    title = '"titleText": {'
    assert title in html
    cases += [
        Case("html-deep-next-data", "page", _write_page(_with_next_data(html, lambda s: '{"props": {"x": ' + deep + "}}"), ".html")),
        Case("html-deep-inside", "page", _write_page(_with_next_data(html, lambda s: s.replace('"__typename": "Runtime"', '"deep": ' + deep, 1)), ".html")),
        Case("html-deep-object", "page", _write_page(_with_next_data(html, lambda s: s.replace('"__typename": "Runtime"', '"deep": ' + '{"a":' * 100_000 + "1" + "}" * 100_000, 1)), ".html")),
        Case("html-deep-jsonld", "page", _write_page(html.replace('"@type": "AggregateRating"', '"deep": ' + deep, 1), ".html")),
        Case("html-deep-tags", "page", _write_page(html.replace("<body", "<div>" * 50_000 + "<body", 1), ".html")),
        Case("html-title-200k", "page", _write_page(html.replace("Never Let Me Go", "x" * 200_000), ".html"), must_fail=True, says="200,000 characters"),
        Case("html-nul-escape", "page", _write_page(_with_next_data(html, lambda s: s.replace("Carey Mulligan", "Carey\\u0000Mulligan")), ".html")),
        Case("html-u2028", "page", _write_page(html.replace("Carey Mulligan", "Carey\u2028Mulligan").replace("Never Let Me Go", "Never\u2029Let Me Go"), ".html")),
        Case("html-bad-person-id", "page", _write_page(html.replace('"nm1659547"', '"nm<script>"'), ".html")),
        Case("html-next-data-array", "page", _write_page(_with_next_data(html, lambda s: "[1, 2, 3]"), ".html")),
        Case("html-next-data-empty", "page", _write_page(_with_next_data(html, lambda s: ""), ".html")),
        Case("html-no-script-end", "page", _write_page(html[: _next_data(html).end(2)], ".html")),
    ]
    for i, name in enumerate(("<script>alert(1)</script>", "</script><script>x()</script>", "\u202eevil", "n" * 5_000, '"}]}', "a\tb\nc")):
        cases.append(Case(f"html-hostile-name-{i}", "page",
                          _write_page(_with_next_data(html, lambda s, v=json.dumps(name)[1:-1]: s.replace("Carey Mulligan", v)), ".html")))
    return cases


def _tsv(rows) -> str:
    return "".join("\t".join(row) + "\n" for row in rows)


def _datasets(change: Callable[[dict], None] | None = None, gz=(), raw: dict | None = None):
    """A builder of a datasets folder: ``change`` edits a copy of :data:`DATASETS` (rows of fields); ``raw`` gives bytes of files outright."""

    def build(folder: Path) -> Path:
        out = folder / "imdb"
        out.mkdir()
        tables = {name: [list(row) for row in rows] for name, rows in DATASETS.items()}
        if change is not None:
            change(tables)
        for name, rows in tables.items():
            if raw and name in raw:
                data = raw[name]
            else:
                data = _tsv(rows).encode("utf-8")
            if name in gz:
                (out / f"{name}.tsv.gz").write_bytes(gzip.compress(data))
            else:
                (out / f"{name}.tsv").write_bytes(data)
        return out
    return build


def _set(file: str, row: int, column: str, value: str):
    def change(tables):
        header = tables[file][0]
        tables[file][row][header.index(column)] = value
    return change


def _special(file: str, how: str):
    """Replace ``file.tsv`` of the datasets by a FIFO, a folder, a loop of links or a device."""

    def build(folder: Path) -> Path:
        out = _datasets()(folder)
        target = out / f"{file}.tsv"
        target.unlink()
        if how == "fifo":
            os.mkfifo(target)
        elif how == "folder":
            target.mkdir()
        elif how == "loop":
            target.symlink_to(target.name)
        elif how == "device":
            target.symlink_to("/dev/zero")
        return out
    return build


def _page_special(how: str):
    def build(folder: Path) -> Path:
        target = folder / "page.txt"
        if how == "fifo":
            os.mkfifo(target)
        elif how == "loop":
            target.symlink_to(target.name)
        elif how == "device":
            target.symlink_to("/dev/zero")
        elif how == "dangling":
            target.symlink_to("nowhere.txt")
        elif how == "fifo-in-folder":
            pages = folder / "pages"
            pages.mkdir()
            shutil.copy(SEED_TEXT, pages / "seed.txt")
            os.mkfifo(pages / "stuck.txt")
            return pages
        return target
    return build


def datasets_cases() -> list[Case]:
    cases = []
    bounded = [  # (file, row, column, value, must fail, words of the error)
        ("title.ratings", 1, "averageRating", "99.9", True, "averageRating"), ("title.ratings", 1, "averageRating", "-3", True, "averageRating"),
        ("title.ratings", 1, "averageRating", "inf", True, "averageRating"), ("title.ratings", 1, "averageRating", "nan", True, "averageRating"),
        ("title.ratings", 1, "averageRating", "0", True, "averageRating"), ("title.ratings", 1, "averageRating", "1e400", True, "averageRating"),
        ("title.ratings", 1, "averageRating", "seven", True, "averageRating"),
        ("title.ratings", 2, "numVotes", "-500", True, "numVotes"), ("title.ratings", 2, "numVotes", "9" * 19, True, "numVotes"),
        ("title.ratings", 2, "numVotes", "1.5", True, "numVotes"),
        ("title.basics", 1, "startYear", "-3000", True, "startYear"), ("title.basics", 1, "startYear", "0", True, "startYear"),
        ("title.basics", 1, "startYear", "99999", True, "startYear"), ("title.basics", 1, "startYear", "two thousand", True, "startYear"),
        ("title.basics", 1, "startYear", "9" * 25, True, "startYear"), ("title.basics", 1, "startYear", "1e3", True, "startYear"),
        ("title.basics", 3, "endYear", "99999", True, "endYear"),
        ("title.basics", 1, "runtimeMinutes", "-90", True, "runtimeMinutes"), ("title.basics", 1, "runtimeMinutes", "9000000000000", True, "runtimeMinutes"),
        ("title.basics", 1, "primaryTitle", "x" * 200_000, True, "200,000 characters"),
        ("title.basics", 1, "originalTitle", "y" * 3_000, True, "3,000 characters"),
        ("title.basics", 1, "isAdult", "yes", True, "isAdult"),
        ("title.basics", 1, "tconst", "tt", True, "tconst"), ("title.basics", 1, "tconst", "nm0000001", True, "tconst"),
        ("title.basics", 1, "tconst", "tt12x", True, "tconst"), ("title.basics", 1, "tconst", "tt123456", True, "tconst"),
        ("title.crew", 1, "directors", "nm0000003,nm7", True, "directors"),
        ("title.principals", 1, "ordering", "-1", True, "ordering"), ("title.principals", 1, "nconst", "tt0000001", True, "nconst"),
        ("title.principals", 1, "characters", "[" * 5000, False, None), ("title.principals", 1, "characters", "z" * 200_000, True, "characters"),
        ("title.crew", 1, "directors", "nm1,,nm2", True, "directors"), ("title.crew", 1, "writers", "x" * 200_000, True, "writers"),
        ("name.basics", 2, "birthYear", "2030", True, "birthYear"), ("name.basics", 2, "birthYear", "2021", True, "birthYear"),
        ("name.basics", 3, "deathYear", "1500", True, "birthYear"), ("name.basics", 3, "deathYear", "-1", True, "deathYear"),
        ("name.basics", 1, "primaryName", "n" * 200_000, True, "200,000 characters"), ("name.basics", 1, "nconst", "nm", True, "nconst"),
    ]
    for i, (file, row, column, value, must_fail, says) in enumerate(bounded):
        cases.append(Case(f"tsv-value-{i}-{column}", "datasets", _datasets(_set(file, row, column, value)), must_fail=must_fail, says=says))
    for file in ("title.basics", "title.ratings", "title.crew", "name.basics"):
        def repeat(tables, file=file):
            tables[file].insert(3, list(tables[file][1]))
        cases.append(Case(f"tsv-duplicate-{file}", "datasets", _datasets(repeat), must_fail=True, says="duplicate id"))
    for n, file in enumerate(DATASETS):
        data = _tsv(DATASETS[file]).encode("utf-8")
        cases += [Case(f"tsv-{file}-cut-{i}", "datasets", _datasets(raw={file: data[: len(data) * i // 7]})) for i in range(7)]
        cases += [Case(f"tsv-{file}-flip-{i}", "datasets", _datasets(raw={file: d})) for i, d in enumerate(_flips(data, 4, 100 + n))]
        cases.append(Case(f"tsv-{file}-utf16", "datasets", _datasets(raw={file: data.decode("utf-8").encode("utf-16")}), must_fail=True))
        cases.append(Case(f"tsv-{file}-latin1", "datasets", _datasets(raw={file: data.decode("utf-8").encode("latin-1", "replace")})))
        cases.append(Case(f"tsv-{file}-gz-cut", "datasets", _datasets(raw={file: gzip.compress(data)[:-9]}, gz=()), must_fail=True))
        cases.append(Case(f"tsv-{file}-no-header", "datasets", _datasets(raw={file: _tsv(DATASETS[file][1:]).encode()}), must_fail=True))
        swapped = [row[1:2] + row[:1] + row[2:] for row in DATASETS[file]]
        cases.append(Case(f"tsv-{file}-swapped-columns", "datasets", _datasets(raw={file: _tsv(swapped).encode()}), must_fail=True))
        extra = [row + ["extra"] for row in DATASETS[file]]
        cases.append(Case(f"tsv-{file}-extra-column", "datasets", _datasets(raw={file: _tsv(extra).encode()}), must_fail=True))
        short = [DATASETS[file][0]] + [row[:-1] for row in DATASETS[file][1:]]
        cases.append(Case(f"tsv-{file}-short-rows", "datasets", _datasets(raw={file: _tsv(short).encode()}), must_fail=True))
        cases.append(Case(f"tsv-{file}-crlf", "datasets", _datasets(raw={file: data.replace(b"\n", b"\r\n")})))
        cases.append(Case(f"tsv-{file}-nul", "datasets", _datasets(raw={file: data.replace(b"\t", b"\t\x00", 3)})))
        cases.append(Case(f"tsv-{file}-u2028", "datasets", _datasets(raw={file: data.replace(b"\t", "\t\u2028".encode(), 3)})))
    for i, name in enumerate(("<script>alert(1)</script>", "Robert'); DROP TABLE films;--", '"', "\\", "\u202eevil", "🎬" * 100, "a\\Nb")):
        cases.append(Case(f"tsv-hostile-name-{i}", "datasets", _datasets(_set("name.basics", 1, "primaryName", name))))
        cases.append(Case(f"tsv-hostile-title-{i}", "datasets", _datasets(_set("title.basics", 1, "primaryTitle", name))))
    for how in ("fifo", "folder", "loop", "device"):
        cases.append(Case(f"tsv-basics-{how}", "datasets", _special("title.basics", how), must_fail=True))
        cases.append(Case(f"tsv-ratings-{how}", "datasets", _special("title.ratings", how), must_fail=True))
    for how in ("fifo", "loop", "device", "dangling", "fifo-in-folder"):
        cases.append(Case(f"page-{how}", "page", _page_special(how), must_fail=True))
    return cases


ALL_CASES = text_page_cases() + html_cases() + datasets_cases()


def test_the_corpus_is_big_and_varied():
    assert len(ALL_CASES) >= 200
    assert len({case.name for case in ALL_CASES}) == len(ALL_CASES)
    kinds = {case.name.split("-")[0] for case in ALL_CASES}
    assert kinds == {"text", "html", "tsv", "page"}


# -- running them ----------------------------------------------------------------


class Hang(Exception):
    pass


@contextlib.contextmanager
def alarm(seconds: int):
    """Raise :class:`Hang` in this thread after ``seconds`` (a blocked ``open`` of a FIFO included)."""

    def ring(signum, frame):
        raise Hang(f"no answer in {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def store_bytes(store: Path) -> dict[str, str]:
    """Every file of ``store`` -> the hash of its bytes."""
    return {str(p.relative_to(store)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(store.rglob("*")) if p.is_file()}


def assert_plausible(graph: FilmGraph, what: str):
    """No value of ``graph`` out of bounds, no film or person id twice."""
    for table in FilmGraph.TABLES:
        bad = first_bad_row(table, getattr(graph, table))
        assert bad is None, f"{what}: {table} holds a bad value: {bad}"
    assert not graph.films["id"].duplicated().any(), f"{what}: a film id twice"
    assert not graph.people["id"].duplicated().any(), f"{what}: a person id twice"


def check_error(case: Case, error: BaseException, root: Path):
    """A :class:`ReelgraphError` of one line that names a path in the case's folder (and ``case.says``)."""
    if not isinstance(error, ReelgraphError):
        raise AssertionError(f"{case.name}: {type(error).__name__} instead of a one-line error: {error!r}"[:2000]) from error
    message = str(error)
    assert "\n" not in message, f"{case.name}: more than one line: {message[:500]!r}"
    assert message.startswith(str(root)), f"{case.name}: the error names no file of the case: {message[:300]!r}"
    assert len(message) < 1000, f"{case.name}: an error of {len(message)} characters"
    if case.says:
        assert case.says in message, f"{case.name}: the error does not say {case.says!r}: {message[:300]!r}"


def read_case(case: Case, path: Path, on_error: str, out: Path) -> list[FilmGraph]:
    """What the loaders read of the case: pages by :func:`read_sources`; datasets by both dataset loaders."""
    if case.kind == "page":
        return [read_sources([path], on_error=on_error)]
    graph = read_imdb_datasets(path, title_types=None, on_error=on_error, progress=False)
    write_imdb_tables(path, out, title_types=None, on_error=on_error, progress=False)
    return [graph, _read_tables(out)]


@pytest.fixture(scope="module")
def store_template(tmp_path_factory) -> Path:
    """A store holding the bundled sample: what every failed load must leave as it was."""
    store = tmp_path_factory.mktemp("corpus-store") / "store"
    rg.load(SAMPLE_SOURCES, store=store)
    return store


@pytest.mark.filterwarnings("ignore:.*__NEXT_DATA__:UserWarning")  # a cut page read from JSON-LD says so, as it should
@pytest.mark.parametrize("group", ["text", "html", "tsv", "page"])
def test_every_case_gives_a_one_line_error_or_plausible_data(group, tmp_path, store_template):
    """Each case, read in this process with ``on_error="raise"`` (and ``"skip"`` for datasets): see the module docstring."""
    before = store_bytes(store_template)
    failures = []
    for number, case in enumerate(c for c in ALL_CASES if c.name.split("-")[0] == group):
        root = tmp_path / f"case{number}"
        root.mkdir()
        try:
            path = case.build(root)
            for on_error in ("raise", "skip") if case.kind == "datasets" else ("raise",):
                try:
                    with alarm(CASE_SECONDS):
                        graphs = read_case(case, path, on_error, root / f"tables-{on_error}")
                except Hang as exc:
                    raise AssertionError(f"{case.name}: hung ({exc})") from None
                except Exception as exc:  # noqa: BLE001 - any exception is judged
                    check_error(case, exc, root)
                    if on_error == "raise":
                        # the same input through rg.load: the same refusal, and not one byte of the store changed
                        with alarm(CASE_SECONDS), pytest.raises(ReelgraphError):
                            rg.load([path], store=store_template, title_types=None)
                        assert store_bytes(store_template) == before, f"{case.name}: a failed load changed the store"
                    continue
                if case.must_fail and on_error == "raise":
                    raise AssertionError(f"{case.name}: read without an error")
                for graph in graphs:
                    assert_plausible(graph, f"{case.name} ({on_error})")
        except AssertionError as exc:
            failures.append(str(exc)[:600])
        finally:
            shutil.rmtree(root, ignore_errors=True)
    assert not failures, f"{len(failures)} bad cases:\n" + "\n".join(failures)


# -- a sample through the command line ---------------------------------------------

CLI_SAMPLE = ["text-no-title-line", "text-u2028-title", "text-year-9999", "html-runtime-1e30", "html-deep-next-data", "html-title-200k",
              "tsv-value-0-averageRating", "tsv-value-13-startYear", "tsv-duplicate-title.basics", "tsv-basics-fifo", "page-fifo",
              "page-loop", "tsv-title.basics-utf16", "html-never_let_me_go-cut-6"]
CLI_SKIP_SAMPLE = ["tsv-value-0-averageRating", "tsv-duplicate-title.basics", "tsv-value-33-birthYear", "tsv-title.ratings-cut-4"]


def _cli(*args, timeout=CLI_SECONDS) -> subprocess.CompletedProcess:
    try:
        return subprocess.run([sys.executable, "-m", "reelgraph", *args], capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"reelgraph {' '.join(args)[:200]}: hung ({timeout} s)") from None


def _case(name: str) -> Case:
    return next(case for case in ALL_CASES if case.name == name)


@pytest.mark.parametrize("name", CLI_SAMPLE)
def test_cli_load_refuses_in_one_line_and_leaves_the_store(name, tmp_path, store_template):
    """``reelgraph load CASE --store S``: exit non-zero (or 0 for a readable cut copy), no traceback, the store's bytes unchanged."""
    case = _case(name)
    store = tmp_path / "store"
    shutil.copytree(store_template, store)
    before = store_bytes(store)
    root = tmp_path / "case"
    root.mkdir()
    path = case.build(root)
    done = _cli("load", str(path), "--store", str(store), "--title-types", "all", "--quiet")
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    if done.returncode:
        errors = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(errors) == 1 and str(root) in errors[0], done.stderr[-2000:]
        if case.says:
            assert case.says in errors[0]
        assert store_bytes(store) == before
    else:
        assert not case.must_fail, f"{name}: loaded without an error"
        assert_plausible(rg.open_store(store).read(), name)
    if case.kind == "page":
        parsed = _cli("parse", str(path))
        assert "Traceback" not in parsed.stderr, parsed.stderr[-3000:]
        assert (parsed.returncode != 0) == (done.returncode != 0), (parsed.stderr, done.stderr)


@pytest.mark.parametrize("name", CLI_SKIP_SAMPLE)
def test_cli_load_skip_stores_no_bad_value(name, tmp_path, store_template):
    """``reelgraph load CASE --on-error skip``: loads, says how many lines it skipped, and the store holds no bad value."""
    case = _case(name)
    store = tmp_path / "store"
    shutil.copytree(store_template, store)
    root = tmp_path / "case"
    root.mkdir()
    path = case.build(root)
    done = _cli("load", str(path), "--store", str(store), "--title-types", "all", "--on-error", "skip", "--quiet")
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.returncode == 0, done.stderr[-2000:]
    if case.must_fail:
        assert "bad lines skipped" in done.stderr + done.stdout
    graph = rg.open_store(store).read()
    assert_plausible(graph, name)
    assert len(graph.films) > 30  # the sample's films and the folder's
