"""Values checked as a database would (issue #16): bounds, duplicate ids, files that are no regular files.

Each loader refuses a bad value with its file and line (``on_error="raise"``)
or skips and counts its row (``"skip"``: the first row of a repeated id
wins); the two dataset loaders (in memory and out of core) agree.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest

from reelgraph.errors import InputError
from reelgraph.loaders import read_partitions, read_sources
from reelgraph.loaders.imdb_bulk import write_imdb_tables
from reelgraph.loaders.imdb_tsv import read_imdb_datasets
from reelgraph.loaders.sample import SAMPLE_DIR
from reelgraph.loaders.tables import read_tables, write_tables
from reelgraph.store import _read_tables

N = "\\N"
BASICS = [["tconst", "titleType", "primaryTitle", "originalTitle", "isAdult", "startYear", "endYear", "runtimeMinutes", "genres"],
          ["tt0000001", "movie", "First", "First", "0", "1999", N, "101", "Drama"],
          ["tt0000002", "movie", "Second", "Second", "0", "2005", N, "0", N],
          ["tt0000001", "movie", "First again", "First again", "0", "2001", N, "90", N]]
RATINGS = [["tconst", "averageRating", "numVotes"], ["tt0000001", "99.9", "10"], ["tt0000002", "6.5", "12"]]
PRINCIPALS = [["tconst", "ordering", "nconst", "category", "job", "characters"],
              ["tt0000001", "1", "nm0000001", "actor", N, '["A"]'], ["tt0000002", "1", "nm0000002", "actor", N, '["B"]']]
NAMES = [["nconst", "primaryName", "birthYear", "deathYear", "primaryProfession", "knownForTitles"],
         ["nm0000001", "Ann", "1990", "1980", "actress", N], ["nm0000002", "Bob", "1950", N, "actor", N]]


@pytest.fixture
def bad_folder(tmp_path):
    """Datasets with a repeated title (line 4), a rating of 99.9 (line 2) and a birth after a death (line 2)."""
    folder = tmp_path / "imdb"
    folder.mkdir()
    for name, rows in {"title.basics": BASICS, "title.ratings": RATINGS, "title.principals": PRINCIPALS, "name.basics": NAMES}.items():
        (folder / f"{name}.tsv").write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")
    return folder


def both(folder, tmp_path, **options):
    """The graph of each dataset loader: (in memory, out of core and read back), and the reports."""
    graph = read_imdb_datasets(folder, title_types=None, progress=False, **options)
    report = write_imdb_tables(folder, tmp_path / "tables", title_types=None, progress=False, **options)
    return [graph, _read_tables(tmp_path / "tables")], [graph.report, report]


def test_raise_names_the_first_bad_line_of_the_file_read_first(bad_folder, tmp_path):
    with pytest.raises(InputError, match=r"title\.basics\.tsv:4: duplicate id tt0000001: title\.basics lists it again"):
        read_imdb_datasets(bad_folder, title_types=None, progress=False)
    with pytest.raises(InputError, match=r"title\.ratings\.tsv:2: averageRating 99\.9 out of range \(1\.0 to 10\.0\)$"):
        write_imdb_tables(bad_folder, tmp_path / "out", title_types=None, progress=False)  # reads title.ratings first
    assert not (tmp_path / "out").exists()


def test_skip_keeps_the_first_row_of_an_id_and_counts_every_skipped_line(bad_folder, tmp_path):
    graphs, reports = both(bad_folder, tmp_path, on_error="skip")
    for graph in graphs:
        films = graph.films.set_index("id")
        assert films.loc["tt0000001", "title"] == "First" and int(films.loc["tt0000001", "year"]) == 1999
        assert len(graph.films) == 2
        assert films["rating"].isna()["tt0000001"] and float(films.loc["tt0000002", "rating"]) == 6.5  # its bad rating line skipped
        people = graph.people.set_index("id")
        assert people["name"].isna()["nm0000001"]  # born after dying: the line skipped, the person dangling
        assert people.loc["nm0000002", "name"] == "Bob"
    for report in reports:
        assert report.bad_lines == {"ratings": 1, "basics": 1, "principals": 0, "names": 1}
        assert report.duplicate_ids == {"basics": 1}
        assert report.rows_read["basics"] == 2
        assert report.first_bad_line["ratings"] == "line 2: averageRating 99.9 out of range (1.0 to 10.0)"
        assert report.first_bad_line["names"] == "line 2: birthYear 1990 after deathYear 1980"
        assert report.first_bad_line["basics"].startswith("duplicate id tt0000001")
        summary = report.summary()
        assert "title.basics.tsv: 2 rows read, 2 kept, 1 bad lines skipped (1 repeating an id)" in summary
        assert "name.basics.tsv: 1 rows read, 1 kept, 1 bad lines skipped (first: line 2: birthYear 1990 after deathYear 1980)" in summary


def test_a_runtime_of_zero_and_old_people_are_real_imdb_values(bad_folder, tmp_path):
    """IMDb rounds a film under a minute to 0 minutes; writers born centuries ago are credited."""
    rows = [row for row in BASICS if row[2] != "First again"]
    (bad_folder / "title.basics.tsv").write_text("".join("\t".join(r) + "\n" for r in rows))
    (bad_folder / "title.ratings.tsv").unlink()
    names = [NAMES[0], ["nm0000001", "Will", "1564", "1616", "writer", N], NAMES[2]]
    (bad_folder / "name.basics.tsv").write_text("".join("\t".join(r) + "\n" for r in names))
    graphs, _ = both(bad_folder, tmp_path)
    for graph in graphs:
        assert int(graph.films.set_index("id").loc["tt0000002", "runtime_minutes"]) == 0
        assert int(graph.people.set_index("id").loc["nm0000001", "birth_year"]) == 1564


@pytest.mark.parametrize("how", ["fifo", "folder", "loop"])
def test_a_dataset_file_that_is_no_regular_file_is_refused_by_name(bad_folder, how):
    target = bad_folder / "title.basics.tsv"
    target.unlink()
    {"fifo": os.mkfifo, "folder": os.mkdir, "loop": lambda p: p.symlink_to(p.name)}[how](target)
    said = {"fifo": "not a regular file but a FIFO", "folder": "is a folder, expected a file", "loop": "a loop of symbolic links"}[how]
    with pytest.raises(InputError, match=rf"title\.basics\.tsv: {said}"):
        read_imdb_datasets(bad_folder, progress=False)


def test_a_fifo_among_pages_is_refused_or_skipped_by_name(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(SAMPLE_DIR / "pages" / "never-let-me-go.imdb.txt", pages / "seed.txt")
    os.mkfifo(pages / "stuck.txt")
    with pytest.raises(InputError, match=r"stuck\.txt: not a regular file but a FIFO \(named pipe\)$"):
        read_sources([pages])
    parts, _ = read_partitions([pages, tmp_path / "stuck-too.txt"], on_error="skip")
    assert list(parts) == ["page:tt1334260:text"]
    assert [(os.path.basename(path), message) for path, message in parts.skipped] == [
        ("stuck.txt", "not a regular file but a FIFO (named pipe)"), ("stuck-too.txt", "no such file or folder")]


@pytest.mark.parametrize("value, said", [
    ("two thousand", "year 'two thousand' is not a number"),
    ("9" * 25, "year 9999999999999999999999999 out of range (1870 to "),  # beyond int64
    ("-3000", "year -3000 out of range"),
])
def test_canonical_tables_refuse_a_bad_year_on_its_line(tmp_path, value, said):
    folder = write_tables(read_tables(SAMPLE_DIR / "tables"), tmp_path / "tables")
    lines = (folder / "films.csv").read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[header.index("year")] = value
    lines[3] = ",".join(cells)
    (folder / "films.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"films\.csv:4: " + re.escape(said)):
        read_tables(folder)


def test_canonical_tables_refuse_a_repeated_id(tmp_path):
    folder = write_tables(read_tables(SAMPLE_DIR / "tables"), tmp_path / "tables")
    lines = (folder / "people.csv").read_text().splitlines()
    (folder / "people.csv").write_text("\n".join([*lines, lines[1]]) + "\n")
    with pytest.raises(InputError, match=rf"people\.csv:{len(lines) + 1}: duplicate id '[^']+': each people row's id must be unique"):
        read_tables(folder)


def test_huge_ids_are_checked_for_repeats_without_a_huge_bitmap(bad_folder, tmp_path):
    rows = [BASICS[0], ["tt2147483647", "movie", "Far", "Far", "0", "1999", N, N, N], BASICS[1],
            ["tt2147483647", "movie", "Far again", "Far again", "0", "1999", N, N, N]]
    (bad_folder / "title.basics.tsv").write_text("".join("\t".join(r) + "\n" for r in rows))
    with pytest.raises(InputError, match=r"title\.basics\.tsv:4: duplicate id tt2147483647"):
        read_imdb_datasets(bad_folder, title_types=None, progress=False)
    graphs, reports = both(bad_folder, tmp_path, on_error="skip")
    assert [sorted(g.films["id"]) for g in graphs] == [["tt0000001", "tt2147483647"]] * 2
    assert [r.duplicate_ids for r in reports] == [{"basics": 1}] * 2
