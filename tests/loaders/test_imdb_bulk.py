"""Tests of reelgraph.loaders.imdb_bulk: IMDb's dataset files -> the canonical tables as Parquet, out of core.

The rule: ``write_imdb_tables(folder, out, **options)`` read back by the
store's reader is ``read_imdb_datasets(folder, **options)``, row for row and
in the same order, with the schema the store writes for it and the same
report; bad input raises the same :class:`InputError` and writes nothing.
The hand-made folders and bad inputs are ``test_imdb_tsv.py``'s own.

With ``fold_repeats=True`` the files are those rows as the store folds them
(:func:`~reelgraph.store.fold_repeated_keys`): the same rows, order and types.
"""

from __future__ import annotations

import gzip
import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import reelgraph.loaders.imdb_bulk as imdb_bulk
from reelgraph._parquet_table import ParquetTable
import reelgraph.loaders.line_blocks as line_blocks
from reelgraph.errors import InputError
from reelgraph.loaders.imdb_bulk import write_imdb_tables
from reelgraph.loaders.imdb_tsv import read_imdb_datasets
from reelgraph.loaders.synth import write_synthetic_datasets
from reelgraph.model import FilmGraph
from reelgraph.store import TableFiles, _read_tables, _write_tables, fold_repeated_keys

_spec = importlib.util.spec_from_file_location("_imdb_tsv_tests", Path(__file__).with_name("test_imdb_tsv.py"))
tsv_tests = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tsv_tests)
N, FILES, EVERYTHING = tsv_tests.N, tsv_tests.FILES, tsv_tests.EVERYTHING
write_folder, with_file, replace_line, tsv_bytes = tsv_tests.write_folder, tsv_tests.with_file, tsv_tests.replace_line, tsv_tests.tsv_bytes

REPORT_FIELDS = ("files", "missing_optional", "rows_read", "rows_kept", "bad_lines", "dangling_people", "dangling_credits",
                 "crew_credits_added", "bad_characters")


@pytest.fixture(autouse=True, params=["threads", "inline"])
def reading_mode(request, monkeypatch):
    """As in test_imdb_tsv.py: files read and parsed by threads (as large files are), and in the caller's thread."""
    monkeypatch.setattr(line_blocks, "SMALL_FILE_BYTES", 0 if request.param == "threads" else 1 << 40)
    return request.param


def agree(folder: Path, out: Path, check_fold: bool | None = None, **options) -> FilmGraph:
    """Write ``folder`` with both routes, check that they agree (rows, order, schema, report); the graph read back.

    ``check_fold``: also :func:`folds_like_the_store` (default: in the threads' reading mode only, the
    fold being the same code in both).
    """
    report = write_imdb_tables(folder, out, progress=False, **options)
    expected = read_imdb_datasets(folder, progress=False, **options)
    graph = _read_tables(out)
    for name in FilmGraph.TABLES:
        # the same order, too: films as title.basics, credits as title.principals then title.crew, people as name.basics then dangling
        pd.testing.assert_frame_equal(getattr(graph, name), getattr(expected, name), obj=name)
    reference = out.parent / f"{out.name}-pandas"
    _write_tables(expected, reference)
    for name in FilmGraph.TABLES:
        written, wanted = ParquetTable(out, name).schema_arrow, ParquetTable(reference, name).schema_arrow
        assert written.equals(wanted, check_metadata=True), (name, written, wanted)
    for field in REPORT_FIELDS:
        assert getattr(report, field) == getattr(expected.report, field), field
    assert sorted(p.name for p in out.iterdir()) == sorted(FilmGraph.TABLES)  # each a folder of chunks
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]  # no staging folder left
    if check_fold or (check_fold is None and line_blocks.SMALL_FILE_BYTES == 0):
        folds_like_the_store(folder, out, expected.report, **options)
    return graph


def folds_like_the_store(folder: Path, out: Path, expected_report, **options) -> None:
    """``fold_repeats=True`` writes what the store's fold makes of ``out`` (written without it), with the same report."""
    refolded, folded = out.parent / f"{out.name}-refolded", out.parent / f"{out.name}-folded"
    shutil.copytree(out, refolded)
    fold_repeated_keys(TableFiles(refolded))
    report = write_imdb_tables(folder, folded, progress=False, fold_repeats=True, **options)
    for name in FilmGraph.TABLES:
        got, wanted = ParquetTable(folded, name).read(), ParquetTable(refolded, name).read()
        assert got.equals(wanted), name  # rows, order and types (the store's rewrite drops pandas' metadata)
    for field in REPORT_FIELDS:
        assert getattr(report, field) == getattr(expected_report, field), field


# -- agreement ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        EVERYTHING,
        {},
        dict(title_types=("tvSeries",)),
        dict(title_types="tvSeries"),
        dict(title_types=("movie",), include_adult=True),
        dict(title_types=None),
        dict(title_types=None, include_adult=True, year_range=(1990, 2000)),
        dict(title_types=None, include_adult=True, year_range=(2000, None)),
        dict(title_types=None, include_adult=True, year_range=(None, 2005)),
        dict(title_types=None, include_adult=True, min_votes=100),
        dict(title_types=None, include_adult=True, min_votes=12),
        dict(title_types=None, include_adult=True, min_votes=10_000),  # nothing kept: every text column empty
        dict(title_types=("short",)),
        dict(title_types=None, include_adult=True, categories=("director",)),  # no characters anywhere: list<null>
        dict(title_types=None, include_adult=True, categories=("actress", "self")),  # no crew credits
        dict(title_types=None, include_adult=True, categories=("writer", "producer")),
    ],
    ids=lambda options: ",".join(f"{k}={v}" for k, v in options.items()) or "defaults",
)
def test_hand_made_folder_agrees(tmp_path, options):
    agree(write_folder(tmp_path / "imdb"), tmp_path / "out", **options)


def test_hand_made_folder_every_value(tmp_path):
    graph = agree(write_folder(tmp_path / "imdb"), tmp_path / "out", **EVERYTHING)
    assert graph.counts() == {"films": 3, "people": 9, "credits": 11, "similar": 0}
    assert list(graph.people["id"][-2:]) == ["nm0000007", "nm0000404"]  # dangling, sorted, last
    assert graph.credits["characters"].tolist()[:2] == [["Ruth", "Narrator"], ['Dr. "X"']]


def test_missing_optional_files(tmp_path):
    folder = write_folder(tmp_path / "min", skip=("title.ratings", "title.crew"))
    agree(folder, tmp_path / "out", **EVERYTHING)
    with pytest.raises(InputError, match=r"title\.ratings\.tsv\.gz: min_votes needs title\.ratings"):
        write_imdb_tables(folder, tmp_path / "out2", min_votes=5, progress=False)
    assert not (tmp_path / "out2").exists()


def test_gzip_folder(tmp_path):
    agree(write_folder(tmp_path / "gz", gz=True), tmp_path / "out", **EVERYTHING)


def test_header_only_principals(tmp_path):
    agree(with_file(tmp_path, "title.principals", FILES["title.principals"][:1]), tmp_path / "out", **EVERYTHING)


def test_characters_that_are_no_json_lists(tmp_path):
    rows = replace_line(FILES["title.principals"], 1, ["tt0000001", "1", "nm0000001", "actress", N, "Ruth"])
    rows = replace_line(rows, 2, ["tt0000001", "2", "nm0000002", "actor", N, '["A", "B"]'])
    rows = replace_line(rows, 6, ["tt0000002", "1", "nm0000002", "actor", N, '["x\\",","b\\"\\"","c\\\\d"]'])
    rows = replace_line(rows, 9, ["tt0000003", "3", "nm0000404", "actor", N, '["a",null]'])
    graph = agree(with_file(tmp_path, "title.principals", rows), tmp_path / "out", **EVERYTHING)
    assert graph.credits["characters"].tolist()[5] == ['x",', 'b""', "c\\d"]


def test_huge_and_unpadded_ids(tmp_path):
    """Ids beyond any bitmap, and dangling people whose ids are not zero-padded as IMDb pads them."""
    huge = "tt99999999999"
    files = {name: [[huge if c == "tt0000003" else c for c in r] for r in rows] for name, rows in FILES.items()}
    files["title.principals"] = [[{"nm0000404": "nm00000404"}.get(c, c) for c in r] for r in files["title.principals"]]
    files["title.principals"].append(["tt0000001", "9", "nm999999999999", "actor", N, N])
    files["title.crew"] = [[{"nm0000007": "nm00000007"}.get(c, c) for c in r] for r in files["title.crew"]]
    graph = agree(write_folder(tmp_path / "huge", files), tmp_path / "out", **EVERYTHING)
    assert list(graph.people["id"][-3:]) == ["nm00000007", "nm00000404", "nm999999999999"]


def test_small_blocks_and_row_groups(tmp_path, monkeypatch):
    monkeypatch.setattr(line_blocks, "BLOCK_BYTES", 100)
    monkeypatch.setattr(imdb_bulk, "ROW_GROUP_ROWS", 2)
    agree(write_folder(tmp_path / "imdb"), tmp_path / "out", **EVERYTHING)
    credits = ParquetTable(tmp_path / "out", "credits")
    assert credits.chunked and len(credits.paths) == credits.num_row_groups > 2  # a chunk a row group


#: IMDb's principals with credits listed twice: an actor with two characters, an actress also listed as an
#: actor (one role to reelgraph), a producer with two jobs; and ids that are one number but two people.
REPEATED = FILES["title.principals"] + [
    ["tt0000001", "6", "nm0000002", "actor", N, '["Dr. X (older)"]'],
    ["tt0000001", "7", "nm0000001", "actor", N, '["Ruth"]'],
    ["tt0000003", "4", "nm0000005", "producer", "executive producer", N],
    ["tt0000003", "5", "nm00000404", "actor", N, '["Twin"]'],
    ["tt0000003", "6", "nm0000005", "producer", N, N],
]


def _sorted_by_title(rows):
    return rows[:1] + sorted(rows[1:], key=lambda row: (row[0], int(row[1])))


@pytest.mark.parametrize("block_bytes", [None, 100, 60], ids=["one-block", "blocks-of-100", "blocks-of-60"])
def test_repeated_credits_fold_as_they_stream(tmp_path, monkeypatch, block_bytes):
    """Sorted by title, as IMDb's file is: the repeats are folded in one pass, also when a title spans blocks."""
    if block_bytes is not None:
        monkeypatch.setattr(line_blocks, "BLOCK_BYTES", block_bytes)
    folds = []
    monkeypatch.setattr(imdb_bulk, "fold_repeated_keys", _counted(imdb_bulk.fold_repeated_keys, folds))
    agree(with_file(tmp_path, "title.principals", _sorted_by_title(REPEATED)), tmp_path / "out", check_fold=True, **EVERYTHING)
    assert folds == []  # no second pass: folded as they streamed
    credits = _read_tables(tmp_path / "out-folded").credits
    assert len(credits) == 14 - 4 + 2  # 14 principal rows, 4 of them folded into others; 2 crew credits
    folded = credits.tail(3)  # after the others, as the store folds them
    assert folded[["person_id", "film_id", "role", "job"]].values.tolist() == [
        ["nm0000005", "tt0000003", "producer", "executive producer, producer"],
        ["nm0000001", "tt0000001", "actor", None], ["nm0000002", "tt0000001", "actor", None]]
    assert folded["characters"].tolist() == [[], ["Ruth", "Narrator"], ["Dr. X (older)", 'Dr. "X"']]
    twins = credits[credits["film_id"] == "tt0000003"]["person_id"].tolist()
    assert "nm0000404" in twins and "nm00000404" in twins  # one number, two people: not folded


def test_repeated_credits_out_of_title_order(tmp_path, monkeypatch):
    """Titles out of order: the principals are read again without folding, and the store's fold does it after."""
    monkeypatch.setattr(line_blocks, "BLOCK_BYTES", 100)
    folds = []
    monkeypatch.setattr(imdb_bulk, "fold_repeated_keys", _counted(imdb_bulk.fold_repeated_keys, folds))
    rows = _sorted_by_title(REPEATED)
    rows = rows[:1] + rows[-7:] + rows[1:-7]  # tt0000003's credits first
    agree(with_file(tmp_path, "title.principals", rows), tmp_path / "out", check_fold=True, **EVERYTHING)
    assert folds == [1]  # by write_imdb_tables itself, once it saw tt0000001 after tt0000003


def test_repeats_in_a_block_by_numbers_packed_or_not():
    """Person numbers too large to pack with the title and role into one int64 are matched by their text."""
    films = np.array([1, 1, 1, 2, 2, 2], dtype=np.int64)
    columns = {"person_id": pa.array(["nm1", "nm2", "nm1", "nm1", "nm1", "nm01"]), "film_id": pa.array(["tt1"] * 3 + ["tt2"] * 3),
               "role": pa.array(["actor", "actor", "actor", "writer", "actor", "actor"])}
    small = np.array([1, 2, 1, 1, 1, 1], dtype=np.int64)
    for people in (small, small << 60):
        assert imdb_bulk._repeated_in_block(films, people, columns).tolist() == [True, False, True, False, False, False]
    assert imdb_bulk._repeated_in_block(films[::-1].copy(), small, columns) is None  # titles out of order


def _counted(function, calls: list):
    def counting(*args, **kwargs):
        calls.append(1)
        return function(*args, **kwargs)
    return counting


@pytest.fixture(scope="module")
def synth_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth")
    write_synthetic_datasets(folder, titles=20_000, seed=3, progress=False)
    return folder


@pytest.mark.parametrize("options", [dict(title_types=None), {}, EVERYTHING, dict(title_types=None, min_votes=50, year_range=(1950, 2010))],
                         ids=["all-types", "defaults", "everything", "votes-years"])
def test_synthetic_folder_agrees(tmp_path, synth_folder, options):
    graph = agree(synth_folder, tmp_path / "out", **options)
    assert len(graph.credits) > len(graph.films) > 0


def test_existing_out_folder_keeps_other_files(tmp_path):
    folder = write_folder(tmp_path / "imdb")
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "films.parquet").write_text("old")
    write_imdb_tables(folder, out, progress=False)
    assert (out / "notes.txt").read_text() == "mine"
    assert len(_read_tables(out).films) == 1


def test_memory_limit_and_spill_folder(tmp_path, synth_folder):
    spill = tmp_path / "spill"
    spill.mkdir()
    report = write_imdb_tables(synth_folder, tmp_path / "out", title_types=None, progress=False, memory_limit="200MB", temp_directory=spill)
    assert report.crew_credits_added > 0 and list(spill.iterdir()) == []


# -- bad input -------------------------------------------------------------------------

_BAD = next(m for m in tsv_tests.test_bad_input_raises_with_file_and_line.pytestmark if m.name == "parametrize")


def assert_nothing_written(out: Path):
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]


@pytest.mark.parametrize("name, data, pattern", _BAD.args[1], ids=_BAD.kwargs["ids"])
def test_bad_input_raises_with_file_and_line(tmp_path, name, data, pattern):
    folder = with_file(tmp_path, name, data)
    with pytest.raises(InputError, match=pattern):
        write_imdb_tables(folder, tmp_path / "out", progress=False, **EVERYTHING)
    assert_nothing_written(tmp_path / "out")


@pytest.mark.parametrize("missing", ["title.basics", "title.principals", "name.basics"])
def test_missing_required_file(tmp_path, missing):
    folder = write_folder(tmp_path / "x", skip=(missing,))
    with pytest.raises(InputError, match=rf"{missing}\.tsv\.gz: missing required file"):
        write_imdb_tables(folder, tmp_path / "out", progress=False)
    assert_nothing_written(tmp_path / "out")


def test_broken_gzip_streams(tmp_path, synth_folder):
    folder = tmp_path / "broken"
    folder.mkdir()
    for path in synth_folder.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    principals = folder / "title.principals.tsv.gz"
    data = principals.read_bytes()
    principals.write_bytes(data[: len(data) // 2])
    for on_error in ("raise", "skip"):
        with pytest.raises(InputError, match=r"title\.principals\.tsv\.gz:\d+: broken gzip stream"):
            write_imdb_tables(folder, tmp_path / "out", progress=False, on_error=on_error, **EVERYTHING)
        assert_nothing_written(tmp_path / "out")
    principals.write_bytes(data)
    names = folder / "name.basics.tsv.gz"
    corrupt = bytearray(names.read_bytes())
    corrupt[-8:-4] = bytes(4 - i for i in range(4))  # wrong CRC
    names.write_bytes(bytes(corrupt))
    with pytest.raises(InputError, match=r"name\.basics\.tsv\.gz:\d+: broken gzip stream"):
        write_imdb_tables(folder, tmp_path / "out", progress=False, **EVERYTHING)
    assert_nothing_written(tmp_path / "out")


def test_bad_line_deep_in_a_file(tmp_path, synth_folder, monkeypatch):
    monkeypatch.setattr(line_blocks, "BLOCK_BYTES", 4096)
    folder = tmp_path / "deep"
    folder.mkdir()
    for path in synth_folder.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    principals = folder / "title.principals.tsv.gz"
    lines = gzip.decompress(principals.read_bytes()).split(b"\n")
    lines[12345] = lines[12345].rsplit(b"\t", 1)[0]  # file line 12346 loses a field
    principals.write_bytes(gzip.compress(b"\n".join(lines)))
    with pytest.raises(InputError, match=r"title\.principals\.tsv\.gz:12346: expected 6 tab-separated fields, found 5"):
        write_imdb_tables(folder, tmp_path / "out", progress=False, **EVERYTHING)
    assert_nothing_written(tmp_path / "out")
    agree(folder, tmp_path / "out", on_error="skip", **EVERYTHING)  # one line skipped, counted as read_imdb_datasets counts it


def test_skip_mode_counts_like_read_imdb_datasets(tmp_path):
    principals = FILES["title.principals"]
    bad = (
        tsv_bytes(principals[:2])
        + b"tt0000001\t2\tnm0000002\tactor\n"  # ragged (line 3)
        + tsv_bytes(principals[3:5])
        + b"tt0000001\t5\tnm0000099\tcinematographer\t\xe9t\xe9\t\\N\n"  # latin-1 bytes (line 6)
        + b"tt0000002\tone\tnm0000002\tactor\t\\N\t[\"Him\"]\n"  # bad ordering (line 7)
        + tsv_bytes(principals[7:])
    )
    folder = with_file(tmp_path, "title.principals", bad)
    with pytest.raises(InputError, match=r"title\.principals\.tsv:3: expected 6"):
        write_imdb_tables(folder, tmp_path / "out", progress=False, **EVERYTHING)
    assert_nothing_written(tmp_path / "out")
    report = write_imdb_tables(folder, tmp_path / "skipped", progress=False, on_error="skip", **EVERYTHING)
    assert report.bad_lines == {"basics": 0, "ratings": 0, "principals": 3, "crew": 0, "names": 0}
    assert report.rows_read["principals"] == 6
    agree(folder, tmp_path / "out", on_error="skip", **EVERYTHING)


def test_bad_arguments(tmp_path):
    folder = write_folder(tmp_path / "imdb")
    with pytest.raises(ValueError, match="on_error"):
        write_imdb_tables(folder, tmp_path / "out", on_error="ignore")
    with pytest.raises(InputError, match="not a folder"):
        write_imdb_tables(folder / "title.basics.tsv", tmp_path / "out")
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError):
        write_imdb_tables(folder, tmp_path / "file", progress=False)
