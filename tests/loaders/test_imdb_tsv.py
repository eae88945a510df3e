"""Tests of reelgraph.loaders.imdb_tsv: IMDb's dataset files (title.basics, title.principals, ...) -> FilmGraph.

Everything here runs on hand-written files and small synthetic folders in
``tmp_path``; only ``test_real_*`` read /work/shared, and only when
``REELGRAPH_REALDATA`` points at it.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import reelgraph.loaders.line_blocks as line_blocks  # noqa: E402
from reelgraph.errors import InputError  # noqa: E402
from reelgraph.model import FILM_COLUMNS, LIST_COLUMNS, PEOPLE_COLUMNS, CREDIT_COLUMNS  # noqa: E402
from reelgraph.loaders.imdb_tsv import ImdbLoadReport, is_imdb_datasets_folder, read_imdb_datasets  # noqa: E402
from reelgraph.loaders.synth import write_synthetic_datasets  # noqa: E402

N = "\\N"

BASICS = [
    ["tconst", "titleType", "primaryTitle", "originalTitle", "isAdult", "startYear", "endYear", "runtimeMinutes", "genres"],
    ["tt0000001", "movie", 'The "Quoted" Film, Part 1', 'Le Film "Cité"', "0", "1999", N, "101", "Drama,Romance"],
    ["tt0000002", "movie", "Adult Film", "Adult Film", "1", "2005", N, N, "Adult"],
    ["tt0000003", "tvSeries", "Séries: Ünïcode 東京", "Séries: Ünïcode 東京", "0", N, N, "30", N],
]
RATINGS = [
    ["tconst", "averageRating", "numVotes"],
    ["tt0000001", "7.5", "1234"],
    ["tt0000003", "6.1", "12"],
]
PRINCIPALS = [
    ["tconst", "ordering", "nconst", "category", "job", "characters"],
    ["tt0000001", "1", "nm0000001", "actress", N, '["Ruth","Narrator"]'],
    ["tt0000001", "2", "nm0000002", "actor", N, '["Dr. \\"X\\""]'],
    ["tt0000001", "3", "nm0000003", "director", N, N],
    ["tt0000001", "4", "nm0000004", "writer", "novel", N],
    ["tt0000001", "5", "nm0000099", "cinematographer", "director of photography", N],
    ["tt0000002", "1", "nm0000002", "actor", N, '["Him"]'],
    ["tt0000003", "1", "nm0000001", "self", N, '["Herself - Host"]'],
    ["tt0000003", "2", "nm0000005", "producer", "producer", N],
    ["tt0000003", "3", "nm0000404", "actor", N, '["Ghost"]'],
]
NAMES = [
    ["nconst", "primaryName", "birthYear", "deathYear", "primaryProfession", "knownForTitles"],
    ["nm0000001", 'Zoë "Z" Ångström', "1970", N, "actress,producer", "tt0000001,tt0000003"],
    ["nm0000002", "O'Brien, Jr.", "1940", "2020", "actor", "tt0000001"],
    ["nm0000003", "Jean-Luc Réalisateur", N, N, "director,writer", "tt0000001"],
    ["nm0000004", "山田 花子", "1980", N, N, N],
    ["nm0000005", "Prod Ucer", N, N, "producer", N],
    ["nm0000006", "Crew Only", "1960", N, "writer", N],
    ["nm0000099", "Camera Person", N, N, "cinematographer", N],
]
CREW = [
    ["tconst", "directors", "writers"],
    ["tt0000001", "nm0000003", "nm0000004,nm0000006,nm0000006"],
    ["tt0000002", N, N],
    ["tt0000003", "nm0000007", N],
]
FILES = {"title.basics": BASICS, "title.ratings": RATINGS, "title.principals": PRINCIPALS, "name.basics": NAMES, "title.crew": CREW}
EVERYTHING = dict(title_types=None, include_adult=True, categories=None)


def tsv_bytes(rows) -> bytes:
    return "".join("\t".join(row) + "\n" for row in rows).encode("utf-8")


def write_folder(folder: Path, files=None, gz=False, skip=()) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (files or FILES).items():
        if name in skip:
            continue
        data = rows if isinstance(rows, bytes) else tsv_bytes(rows)
        if gz:
            (folder / f"{name}.tsv.gz").write_bytes(gzip.compress(data, mtime=0))
        else:
            (folder / f"{name}.tsv").write_bytes(data)
    return folder


def load(folder, **kwargs):
    kwargs.setdefault("progress", False)
    return read_imdb_datasets(folder, **kwargs)


def is_empty(value) -> bool:
    if isinstance(value, list):
        return value == []
    return value is None or pd.isna(value)


def row(df, **where):
    mask = pd.Series(True, index=df.index)
    for column, value in where.items():
        mask &= df[column] == value
    rows = df[mask]
    assert len(rows) == 1, f"{len(rows)} rows match {where}"
    return rows.iloc[0]


@pytest.fixture(autouse=True, params=["threads", "inline"])
def reading_mode(request, monkeypatch):
    """Every test twice: files read by a reader thread and parsed by a pool (as large files are), and in the caller's thread (small files)."""
    monkeypatch.setattr(line_blocks, "SMALL_FILE_BYTES", 0 if request.param == "threads" else 1 << 40)
    return request.param


@pytest.fixture
def folder(tmp_path):
    return write_folder(tmp_path / "imdb")


@pytest.fixture(params=["isal", "pyarrow"])
def gzip_backend(request, monkeypatch):
    """Run a test with each gzip reader: isal's igzip (when installed) and pyarrow's zlib."""
    if request.param == "isal" and line_blocks._ISAL is None:
        pytest.skip("isal is not installed")
    if request.param == "pyarrow":
        monkeypatch.setattr(line_blocks, "_ISAL", None)
    return request.param


# -- a hand-made folder, every canonical column ------------------------------


def test_hand_made_folder_every_column(folder):
    graph = load(folder, **EVERYTHING)
    assert graph.counts() == {"films": 3, "people": 9, "credits": 11, "similar": 0}

    films = graph.films.set_index("id")
    expected_films = {
        "tt0000001": dict(title='The "Quoted" Film, Part 1', original_title='Le Film "Cité"', year=1999, title_type="movie", is_adult=False,
                          runtime_minutes=101, genres=["Drama", "Romance"], rating=7.5, votes=1234, source="imdb-datasets", stub=False),
        "tt0000002": dict(title="Adult Film", original_title="Adult Film", year=2005, title_type="movie", is_adult=True,
                          runtime_minutes=None, genres=["Adult"], rating=None, votes=None, source="imdb-datasets", stub=False),
        "tt0000003": dict(title="Séries: Ünïcode 東京", original_title="Séries: Ünïcode 東京", year=None, title_type="tvSeries", is_adult=False,
                          runtime_minutes=30, genres=[], rating=6.1, votes=12, source="imdb-datasets", stub=False),
    }
    assert list(graph.films["id"]) == list(expected_films)
    for film_id, values in expected_films.items():
        for column in FILM_COLUMNS:
            if column == "id":
                continue
            actual = films.loc[film_id, column]
            if column in values and not is_empty(values[column]):
                assert actual == values[column], (film_id, column, actual)
                assert not isinstance(actual, float) or column == "rating"
            else:
                assert is_empty(actual), (film_id, column, actual)
    assert str(graph.films["year"].dtype) == "Int64" and str(graph.films["rating"].dtype) == "Float64"

    people = graph.people.set_index("id")
    expected_people = {
        "nm0000001": ('Zoë "Z" Ångström', 1970, None, ["actress", "producer"]),
        "nm0000002": ("O'Brien, Jr.", 1940, 2020, ["actor"]),
        "nm0000003": ("Jean-Luc Réalisateur", None, None, ["director", "writer"]),
        "nm0000004": ("山田 花子", 1980, None, []),
        "nm0000005": ("Prod Ucer", None, None, ["producer"]),
        "nm0000006": ("Crew Only", 1960, None, ["writer"]),
        "nm0000099": ("Camera Person", None, None, ["cinematographer"]),
        "nm0000007": (None, None, None, []),  # dangling: director in title.crew only
        "nm0000404": (None, None, None, []),  # dangling: in title.principals only
    }
    assert sorted(people.index) == sorted(expected_people)
    assert list(graph.people["id"][-2:]) == ["nm0000007", "nm0000404"]  # dangling last, sorted
    for person_id, (name, born, died, professions) in expected_people.items():
        got = people.loc[person_id]
        assert (got["name"] == name) if name else got["name"] is None
        assert (got["birth_year"] == born) if born else pd.isna(got["birth_year"])
        assert (got["death_year"] == died) if died else pd.isna(got["death_year"])
        assert got["professions"] == professions
        assert got["source"] == "imdb-datasets"
    assert list(graph.people.columns[: len(PEOPLE_COLUMNS)]) == list(PEOPLE_COLUMNS)

    credits = graph.credits
    assert list(credits.columns[: len(CREDIT_COLUMNS)]) == list(CREDIT_COLUMNS)
    expected_credits = [
        # person, film, role, characters, job, billing
        ("nm0000001", "tt0000001", "actor", ["Ruth", "Narrator"], None, 1),
        ("nm0000002", "tt0000001", "actor", ['Dr. "X"'], None, 2),
        ("nm0000003", "tt0000001", "director", [], None, 3),
        ("nm0000004", "tt0000001", "writer", [], "novel", 4),
        ("nm0000099", "tt0000001", "cinematographer", [], "director of photography", 5),
        ("nm0000002", "tt0000002", "actor", ["Him"], None, 1),
        ("nm0000001", "tt0000003", "self", ["Herself - Host"], None, 1),
        ("nm0000005", "tt0000003", "producer", [], "producer", 2),
        ("nm0000404", "tt0000003", "actor", ["Ghost"], None, 3),
        # from title.crew, where the principals lack them (nm0000006 listed twice: once)
        ("nm0000006", "tt0000001", "writer", [], None, None),
        ("nm0000007", "tt0000003", "director", [], None, None),
    ]
    actual = [
        (r.person_id, r.film_id, r.role, r.characters, r.job, None if pd.isna(r.billing) else int(r.billing))
        for r in credits.itertuples()
    ]
    assert actual == expected_credits
    assert credits["star"].isna().all()
    assert (credits["source"] == "imdb-datasets").all()
    assert str(credits["billing"].dtype) == "Int64"
    assert graph.similar.empty and list(graph.similar.columns[:4]) == ["film_id", "similar_id", "rank", "source"]

    report = graph.report
    assert isinstance(report, ImdbLoadReport)
    assert report.rows_read == {"basics": 3, "ratings": 2, "principals": 9, "crew": 3, "names": 7}
    assert report.rows_kept["principals"] == 9 and report.rows_kept["names"] == 7
    assert report.dangling_people == 2 and report.dangling_credits == 2
    assert report.crew_credits_added == 2
    assert report.skipped_lines == 0 and report.bad_characters == 0
    assert report.missing_optional == []
    assert "dangling people" in report.summary()


def test_defaults_keep_non_adult_movies_and_main_categories(folder):
    graph = load(folder)
    assert list(graph.films["id"]) == ["tt0000001"]
    # the cinematographer is not in the default categories; the crew adds nm0000006 as a writer
    assert sorted(zip(graph.credits["person_id"], graph.credits["role"])) == [
        ("nm0000001", "actor"), ("nm0000002", "actor"), ("nm0000003", "director"), ("nm0000004", "writer"), ("nm0000006", "writer")]
    assert sorted(graph.people["id"]) == ["nm0000001", "nm0000002", "nm0000003", "nm0000004", "nm0000006"]
    assert graph.report.dangling_people == 0
    assert graph.report.rows_kept["basics"] == 1


@pytest.mark.parametrize(
    "kwargs, films",
    [
        (dict(title_types=("tvSeries",)), ["tt0000003"]),
        (dict(title_types="tvSeries"), ["tt0000003"]),
        (dict(title_types=("movie",), include_adult=True), ["tt0000001", "tt0000002"]),
        (dict(title_types=None), ["tt0000001", "tt0000003"]),
        (dict(title_types=None, include_adult=True, year_range=(1990, 2000)), ["tt0000001"]),
        (dict(title_types=None, include_adult=True, year_range=(2000, None)), ["tt0000002"]),
        (dict(title_types=None, include_adult=True, year_range=(None, 2005)), ["tt0000001", "tt0000002"]),
        (dict(title_types=None, include_adult=True, min_votes=100), ["tt0000001"]),
        (dict(title_types=None, include_adult=True, min_votes=12), ["tt0000001", "tt0000003"]),
        (dict(title_types=None, include_adult=True, min_votes=10_000), []),
        (dict(title_types=("short",)), []),
    ],
)
def test_title_filters(folder, kwargs, films):
    graph = load(folder, categories=None, **kwargs)
    assert list(graph.films["id"]) == films
    assert set(graph.credits["film_id"]) <= set(films)
    assert set(graph.credits["person_id"]) == set(graph.people["id"])


def test_category_filter(folder):
    graph = load(folder, title_types=None, include_adult=True, categories=("director",))
    assert sorted(zip(graph.credits["film_id"], graph.credits["person_id"], graph.credits["role"])) == [
        ("tt0000001", "nm0000003", "director"), ("tt0000003", "nm0000007", "director")]
    assert graph.report.crew_credits_added == 1  # no writers: "writer" is not asked for

    graph = load(folder, title_types=None, include_adult=True, categories=("actress", "self"))
    assert sorted(zip(graph.credits["film_id"], graph.credits["person_id"], graph.credits["role"])) == [
        ("tt0000001", "nm0000001", "actor"), ("tt0000003", "nm0000001", "self")]
    assert graph.report.crew_credits_added == 0
    assert list(graph.people["id"]) == ["nm0000001"]


def test_optional_files_missing_leave_columns_empty(tmp_path):
    folder = write_folder(tmp_path / "min", skip=("title.ratings", "title.crew"))
    graph = load(folder, **EVERYTHING)
    assert graph.films["rating"].isna().all() and graph.films["votes"].isna().all()
    assert len(graph.credits) == 9 and graph.report.crew_credits_added == 0
    assert graph.report.missing_optional == ["ratings", "crew"]
    assert graph.report.dangling_people == 1  # nm0000404; nm0000007 came from the crew
    with pytest.raises(InputError, match=r"title\.ratings\.tsv\.gz: min_votes needs title\.ratings"):
        load(folder, min_votes=5)


@pytest.mark.parametrize("missing", ["title.basics", "title.principals", "name.basics"])
def test_missing_required_file(tmp_path, missing):
    folder = write_folder(tmp_path / "x", skip=(missing,))
    with pytest.raises(InputError, match=rf"{missing}\.tsv\.gz: missing required file \(neither {missing}\.tsv\.gz nor {missing}\.tsv"):
        load(folder)


def test_tsv_and_gz_give_equal_graphs(tmp_path, gzip_backend):
    plain = load(write_folder(tmp_path / "plain"), **EVERYTHING)
    packed = load(write_folder(tmp_path / "gz", gz=True), **EVERYTHING)
    for name in ("films", "people", "credits", "similar"):
        pd.testing.assert_frame_equal(getattr(plain, name), getattr(packed, name))
    assert Path(packed.report.files["principals"]).name == "title.principals.tsv.gz"


def test_is_imdb_datasets_folder(tmp_path, folder):
    assert is_imdb_datasets_folder(folder)
    assert not is_imdb_datasets_folder(tmp_path / "nowhere")
    assert not is_imdb_datasets_folder(folder / "title.basics.tsv")
    other = tmp_path / "tables"
    other.mkdir()
    (other / "films.csv").write_text("id\n")
    assert not is_imdb_datasets_folder(other)
    partial = write_folder(tmp_path / "partial", skip=("title.principals", "name.basics"))
    assert is_imdb_datasets_folder(partial)  # recognised, so the loader can say what is missing


def test_bad_arguments(folder):
    with pytest.raises(ValueError, match="on_error"):
        load(folder, on_error="ignore")
    with pytest.raises(ValueError, match="year_range"):
        load(folder, year_range=(1990,))
    with pytest.raises(InputError, match="not a folder"):
        load(folder / "title.basics.tsv")


def test_loading_writes_nothing(folder):
    before = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir())
    load(folder, **EVERYTHING)
    assert sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()) == before


# -- bad input ---------------------------------------------------------------


def replace_line(rows, index, new):
    rows = [list(r) for r in rows]
    rows[index] = new
    return rows


def with_file(tmp_path, name, data, gz=False):
    files = dict(FILES)
    files[name] = data
    return write_folder(tmp_path / "bad", files, gz=gz)


@pytest.mark.parametrize(
    "name, data, pattern",
    [
        ("title.basics", replace_line(BASICS, 0, [c.replace("primaryTitle", "title") for c in BASICS[0]]),
         r"title\.basics\.tsv:1: wrong header for title\.basics \(missing primaryTitle; unexpected 'title'\)"),
        ("title.basics", replace_line(BASICS, 0, BASICS[0][:2] + [BASICS[0][3], BASICS[0][2]] + BASICS[0][4:]),
         r"title\.basics\.tsv:1: header has the columns in the wrong order"),
        ("title.principals", replace_line(PRINCIPALS, 3, PRINCIPALS[3][:5]),
         r"title\.principals\.tsv:4: expected 6 tab-separated fields, found 5"),
        ("title.principals", replace_line(PRINCIPALS, 5, PRINCIPALS[5][:4] + ["a\tb", N]),
         r"title\.principals\.tsv:6: expected 6 tab-separated fields, found 7"),
        ("title.principals", replace_line(PRINCIPALS, 2, ["tt0000001", "2", "xx0000002", "actor", N, N]),
         r"title\.principals\.tsv:3: bad value 'xx0000002' in column nconst, expected an id like nm0000001"),
        ("title.principals", replace_line(PRINCIPALS, 7, ["tt0000003", "1", "nm-0000001", "self", N, N]),
         r"title\.principals\.tsv:8: bad value 'nm-0000001' in column nconst"),
        ("title.basics", replace_line(BASICS, 3, ["tt"] + BASICS[3][1:]),
         r"title\.basics\.tsv:4: bad value 'tt' in column tconst"),
        ("title.principals", replace_line(PRINCIPALS, 9, ["tt0000003", "three", "nm0000404", "actor", N, N]),
         r"title\.principals\.tsv:10: bad value 'three' in column ordering, expected an integer"),
        ("title.basics", replace_line(BASICS, 2, BASICS[2][:5] + ["20x5"] + BASICS[2][6:]),
         r"title\.basics\.tsv:3: bad value '20x5' in column startYear, expected an integer"),
        ("title.ratings", replace_line(RATINGS, 2, ["tt0000003", "six", "12"]),
         r"title\.ratings\.tsv:3: bad value 'six' in column averageRating, expected a number"),
        ("title.crew", replace_line(CREW, 1, ["tt0000001", "nm0000003", "nm0000004,Bob"]),
         r"title\.crew\.tsv:2: bad value 'nm0000004,Bob' in column writers"),
        ("name.basics", tsv_bytes(NAMES[:2]) + b"nm0000002\tO'Brien \xff\xfe\t1940\t2020\tactor\t\\N\n" + tsv_bytes(NAMES[3:]),
         r"name\.basics\.tsv:3: not UTF-8 text \(byte 0xff at column 19\)"),
        ("title.principals", tsv_bytes(PRINCIPALS[:4]) + b"\n" + tsv_bytes(PRINCIPALS[4:]),
         r"title\.principals\.tsv:5: empty line"),
        ("title.principals", b"", r"title\.principals\.tsv:1: empty file, expected the header line"),
        ("title.principals", b"tconst\tordering\tnconst", r"title\.principals\.tsv:1: wrong header"),
    ],
    ids=["header-renamed", "header-reordered", "ragged-short", "ragged-long", "bad-id", "negative-id", "empty-id", "bad-int", "bad-year",
         "bad-float", "bad-id-list", "non-utf8", "empty-line", "empty-file", "header-only-partial"],
)
def test_bad_input_raises_with_file_and_line(tmp_path, name, data, pattern):
    folder = with_file(tmp_path, name, data)
    with pytest.raises(InputError, match=pattern):
        load(folder, **EVERYTHING)


def test_bad_line_in_a_dropped_row_is_still_an_error(tmp_path):
    # the adult title is filtered out by default, but its broken line is reported all the same
    folder = with_file(tmp_path, "title.basics", replace_line(BASICS, 2, BASICS[2][:5] + ["20x5"] + BASICS[2][6:]))
    with pytest.raises(InputError, match=r"title\.basics\.tsv:3: bad value '20x5'"):
        load(folder)


def test_bad_input_in_gz_names_the_gz_file(tmp_path, gzip_backend):
    folder = with_file(tmp_path, "title.principals", replace_line(PRINCIPALS, 3, PRINCIPALS[3][:5]), gz=True)
    with pytest.raises(InputError, match=r"title\.principals\.tsv\.gz:4: expected 6 tab-separated fields, found 5"):
        load(folder, **EVERYTHING)


def test_line_too_long_is_an_error_not_a_whole_read(tmp_path, monkeypatch):
    monkeypatch.setattr(line_blocks, "MAX_LINE_BYTES", 1000)
    monkeypatch.setattr(line_blocks, "BLOCK_BYTES", 256)
    folder = with_file(tmp_path, "title.principals", tsv_bytes(PRINCIPALS[:3]) + b"x" * 5000)
    with pytest.raises(InputError, match=r"title\.principals\.tsv:4: line too long"):
        load(folder, **EVERYTHING)
    folder = with_file(tmp_path, "name.basics", b"y" * 5000)
    with pytest.raises(InputError, match=r"name\.basics\.tsv:1: line too long"):
        load(folder, **EVERYTHING)


def test_huge_id_numbers_work_without_a_huge_bitmap(tmp_path):
    huge = "tt99999999999"  # beyond any bitmap: the id set falls back to a sorted array
    files = dict(FILES)
    files["title.basics"] = [[huge if c == "tt0000003" else c for c in r] for r in BASICS]
    files["title.principals"] = [[huge if c == "tt0000003" else c for c in r] for r in PRINCIPALS]
    files["title.ratings"] = [[huge if c == "tt0000003" else c for c in r] for r in RATINGS]
    files["title.crew"] = [[huge if c == "tt0000003" else c for c in r] for r in CREW]
    graph = load(write_folder(tmp_path / "huge", files), **EVERYTHING)
    assert graph.counts() == {"films": 3, "people": 9, "credits": 11, "similar": 0}
    assert graph.films.set_index("id").loc[huge, "votes"] == 12


def test_header_only_file_is_fine(tmp_path):
    folder = with_file(tmp_path, "title.principals", PRINCIPALS[:1])
    graph = load(folder, **EVERYTHING)
    assert graph.counts()["films"] == 3 and graph.counts()["credits"] == 4  # all from title.crew
    assert graph.report.rows_read["principals"] == 0


def test_last_line_without_newline(tmp_path):
    folder = with_file(tmp_path, "title.principals", tsv_bytes(PRINCIPALS)[:-1])
    assert len(load(folder, **EVERYTHING).credits) == 11


@pytest.fixture(scope="module")
def synth_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth")
    summary = write_synthetic_datasets(folder, titles=400, seed=7, progress=False)
    return folder, summary


def test_truncated_gzip(tmp_path, synth_folder, gzip_backend):
    source, summary = synth_folder
    folder = tmp_path / "trunc"
    folder.mkdir()
    for path in source.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    principals = folder / "title.principals.tsv.gz"
    data = principals.read_bytes()
    principals.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"title\.principals\.tsv\.gz:\d+: broken gzip stream") as info:
        load(folder, **EVERYTHING)
    assert 1 <= info.value.line <= summary.principals + 1
    # skip mode cannot skip a broken stream
    with pytest.raises(InputError, match="broken gzip stream"):
        load(folder, on_error="skip", **EVERYTHING)


def test_corrupt_gzip(tmp_path, synth_folder, gzip_backend):
    source, _ = synth_folder
    folder = tmp_path / "corrupt"
    folder.mkdir()
    for path in source.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    names = folder / "name.basics.tsv.gz"
    data = bytearray(names.read_bytes())
    data[-8:-4] = bytes(4 - i for i in range(4))  # wrong CRC
    names.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"name\.basics\.tsv\.gz:\d+: broken gzip stream"):
        load(folder, **EVERYTHING)
    names.write_bytes(b"nconst\tprimaryName\n")  # a plain file named .gz
    with pytest.raises(InputError, match=r"name\.basics\.tsv\.gz:1: not gzip-compressed"):
        load(folder, **EVERYTHING)


def test_line_numbers_across_blocks(tmp_path, synth_folder, monkeypatch):
    """Tiny blocks: many blocks per file; a bad line deep in the file is still named exactly."""
    source, summary = synth_folder
    monkeypatch.setattr(line_blocks, "BLOCK_BYTES", 100)
    folder = tmp_path / "deep"
    folder.mkdir()
    for path in source.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    principals = folder / "title.principals.tsv.gz"
    lines = gzip.decompress(principals.read_bytes()).split(b"\n")
    lines[1234] = lines[1234].rsplit(b"\t", 1)[0]  # file line 1235 loses a field
    principals.write_bytes(gzip.compress(b"\n".join(lines)))
    with pytest.raises(InputError, match=r"title\.principals\.tsv\.gz:1235: expected 6 tab-separated fields, found 5"):
        load(folder, **EVERYTHING)
    graph = load(folder, on_error="skip", **EVERYTHING)
    assert graph.report.bad_lines["principals"] == 1
    assert graph.report.rows_read["principals"] == summary.principals - 1


def test_skip_mode_counts_bad_lines(tmp_path):
    bad = (
        tsv_bytes(PRINCIPALS[:2])
        + b"tt0000001\t2\tnm0000002\tactor\n"  # ragged (line 3)
        + tsv_bytes(PRINCIPALS[3:5])
        + b"tt0000001\t5\tnm0000099\tcinematographer\t\xe9t\xe9\t\\N\n"  # latin-1 bytes (line 6)
        + b"tt0000002\tone\tnm0000002\tactor\t\\N\t[\"Him\"]\n"  # bad ordering (line 7)
        + tsv_bytes(PRINCIPALS[7:])
    )
    folder = with_file(tmp_path, "title.principals", bad)
    with pytest.raises(InputError, match=r"title\.principals\.tsv:3: expected 6"):
        load(folder, **EVERYTHING)
    graph = load(folder, on_error="skip", **EVERYTHING)
    assert graph.report.bad_lines == {"basics": 0, "ratings": 0, "principals": 3, "crew": 0, "names": 0}
    assert graph.report.skipped_lines == 3
    assert graph.report.rows_read["principals"] == 6
    assert sorted(graph.credits["billing"].dropna().astype(int).tolist()) == [1, 1, 2, 3, 3, 4]
    assert "3 bad lines skipped" in graph.report.summary()


def test_skip_mode_ragged_lines_only(tmp_path):
    rows = PRINCIPALS[:3] + [["tt0000001", "3"], ["tt0000001"]] + PRINCIPALS[5:]
    folder = with_file(tmp_path, "title.principals", rows)
    graph = load(folder, on_error="skip", **EVERYTHING)
    assert graph.report.bad_lines["principals"] == 2
    assert graph.report.rows_read["principals"] == 7


def test_skip_mode_still_raises_on_bad_header(tmp_path):
    folder = with_file(tmp_path, "name.basics", replace_line(NAMES, 0, NAMES[0][::-1]))
    with pytest.raises(InputError, match=r"name\.basics\.tsv:1: header"):
        load(folder, on_error="skip")


def test_characters_that_are_not_json_lists_are_kept_and_counted(tmp_path):
    rows = replace_line(PRINCIPALS, 1, ["tt0000001", "1", "nm0000001", "actress", N, "Ruth"])
    rows = replace_line(rows, 2, ["tt0000001", "2", "nm0000002", "actor", N, '["A", "B"]'])
    graph = load(with_file(tmp_path, "title.principals", rows), **EVERYTHING)
    assert graph.credits["characters"].iloc[0] == ["Ruth"]
    assert graph.credits["characters"].iloc[1] == ["A", "B"]
    assert graph.report.bad_characters == 1


# -- synthetic folders: the loader against a naive reading of the same files -------


def naive(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.tsv.gz", sep="\t", quoting=csv.QUOTE_NONE, dtype=str, keep_default_na=False, encoding="utf-8")


def test_synthetic_folder_everything(synth_folder):
    folder, summary = synth_folder
    graph = load(folder, **EVERYTHING)
    report = graph.report
    assert report.rows_read == {"basics": summary.titles, "ratings": summary.rows["title.ratings"], "principals": summary.principals,
                                "crew": summary.titles, "names": summary.people}
    assert len(graph.films) == summary.titles
    assert report.dangling_people == len(summary.dangling_nconsts)
    assert sorted(graph.people.loc[graph.people["name"].isna(), "id"]) == sorted(summary.dangling_nconsts)

    principals = naive(folder, "title.principals")
    credits = graph.credits.iloc[: len(principals)]
    assert list(credits["person_id"]) == list(principals["nconst"])
    assert list(credits["film_id"]) == list(principals["tconst"])
    assert list(credits["billing"].astype(int)) == [int(v) for v in principals["ordering"]]
    roles = principals["category"].replace({"actress": "actor"})
    assert list(credits["role"]) == list(roles)
    assert list(credits["characters"]) == [json.loads(v) if v != N else [] for v in principals["characters"]]
    assert list(credits["job"]) == [None if v == N else v for v in principals["job"]]

    # crew credits: exactly the (title, person, role) the principals lack
    crew = naive(folder, "title.crew")
    listed = {(t, p, role) for t, ds, ws in zip(crew["tconst"], crew["directors"], crew["writers"])
              for role, people in (("director", ds), ("writer", ws)) if people != N for p in people.split(",")}
    have = set(zip(principals["tconst"], principals["nconst"], principals["category"]))
    extra = graph.credits.iloc[len(principals):]
    assert set(zip(extra["film_id"], extra["person_id"], extra["role"])) == listed - have
    assert len(extra) == len(listed - have) == report.crew_credits_added

    basics = naive(folder, "title.basics").set_index("tconst")
    films = graph.films.set_index("id")
    assert list(films.index) == list(basics.index)
    assert list(films["title"]) == list(basics["primaryTitle"])
    assert list(films["title_type"]) == list(basics["titleType"])
    assert [None if pd.isna(v) else int(v) for v in films["year"]] == [None if v == N else int(v) for v in basics["startYear"]]
    ratings = naive(folder, "title.ratings").set_index("tconst")
    assert films.loc[ratings.index, "votes"].astype(int).tolist() == ratings["numVotes"].astype(int).tolist()
    assert films["votes"].notna().sum() == len(ratings)


def test_synthetic_default_filters(synth_folder):
    folder, summary = synth_folder
    graph = load(folder)
    basics = naive(folder, "title.basics")
    movies = basics[(basics["titleType"] == "movie") & (basics["isAdult"] == "0")]
    assert sorted(graph.films["id"]) == sorted(movies["tconst"])
    assert set(graph.credits["role"]) <= {"actor", "director", "writer", "producer", "composer"}
    assert set(graph.credits["film_id"]) <= set(movies["tconst"])
    assert set(graph.credits["person_id"]) == set(graph.people["id"])


def test_small_blocks_give_the_same_graph(synth_folder, monkeypatch):
    folder, _ = synth_folder
    big = load(folder, **EVERYTHING)
    monkeypatch.setattr(line_blocks, "BLOCK_BYTES", 257)
    small = load(folder, **EVERYTHING)
    for name in ("films", "people", "credits"):
        pd.testing.assert_frame_equal(getattr(big, name), getattr(small, name))


def test_progress_bars_go_to_stderr(folder, capsys):
    load(folder, progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""


# -- the real files (optional) ------------------------------------------------

REALDATA = os.environ.get("REELGRAPH_REALDATA")
def needs_realdata(test):
    skip = pytest.mark.skipif(not REALDATA, reason="set REELGRAPH_REALDATA to /work/shared/realdata to run tests on IMDb's real files")
    return pytest.mark.realdata(skip(test))


@needs_realdata
def test_real_subset_counts():
    folder = Path(REALDATA) / "imdb-tsv-subset-2022"
    graph = load(folder, **EVERYTHING)
    report = graph.report
    assert report.rows_read == {"basics": 2000, "principals": 11576, "names": 10177}
    assert len(graph.films) == 2000 and (graph.films["title_type"] == "movie").all()
    assert len(graph.credits) == 11576  # no crew file: principals only
    assert graph.credits["film_id"].nunique() == 1959
    assert report.dangling_people == 6 and report.dangling_credits == 6
    assert len(graph.people) == 10177 + 6
    assert report.missing_optional == ["ratings", "crew"]
    assert report.bad_characters == 0
    assert graph.films["rating"].isna().all()
    # defaults: the 6 adult titles go, and the categories outside the default six
    default = load(folder)
    assert len(default.films) == 1994
    assert set(default.credits["role"]) == {"actor", "director", "writer", "producer", "composer"}


@needs_realdata
def test_real_head100_files():
    folder = Path(REALDATA) / "imdb-tsv-head100-2021"
    graph = load(folder, **EVERYTHING)
    assert graph.report.rows_read == {"basics": 99, "ratings": 99, "principals": 99, "crew": 99, "names": 99}
    assert len(graph.films) == 99 and graph.films["rating"].notna().all()
    assert graph.report.crew_credits_added == 64
    assert len(graph.credits) == 99 + 64
    # this name.basics does not match the principals: every credit names a dangling person
    assert graph.report.dangling_people == graph.credits["person_id"].nunique()
    film = graph.films.set_index("id").loc["tt0000001"]
    assert (film["title"], film["year"], film["runtime_minutes"], film["genres"], film["rating"], film["votes"]) == (
        "Carmencita", 1894, 1, ["Documentary", "Short"], 5.8, 1472)
