"""``on_error="skip"`` of read_partitions / read_sources: one bad saved page no longer stops the others.

Two good saved pages (fixtures from tests/fixtures/html) and one bad page
in a folder: with "skip" the two load and the bad one is named with its
one-line error; without it, the load raises naming the bad file.
"""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import pytest

from reelgraph.errors import InputError
from reelgraph.loaders import Partitions, Skipped, read_partitions, read_sources
from reelgraph.loaders.sample import SAMPLE_DIR
from reelgraph.model import merge_graphs

HTML = Path(__file__).resolve().parents[1] / "fixtures" / "html"
GOOD = ("atonement_urql_state.html", "never_let_me_go.html")  # tt0783233, tt1334260
GOOD_KEYS = ["page:tt0783233", "page:tt1334260"]
SEED_TEXT = SAMPLE_DIR / "pages" / "never-let-me-go.imdb.txt"

#: name in the folder -> (bytes, the problem InputError names)
BAD = {
    "empty": ("blank.html", b"", "empty file"),
    "binary": ("binary.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file, expected text or HTML"),
    "truncated": ("cut.html", (HTML / "truncated_next_data.html").read_bytes(),
                  "__NEXT_DATA__ JSON is truncated or invalid (cut off before its end) and no JSON-LD block describes the title"),
}


def pages_folder(tmp_path: Path, bad: str | None = None) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir(parents=True)
    for name in GOOD:
        shutil.copy(HTML / name, folder / name)
    if bad is not None:
        name, data, _ = BAD[bad]
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture(params=sorted(BAD))
def bad(request):
    return request.param


def test_skip_loads_the_good_pages_and_names_the_bad_one(tmp_path, bad):
    folder = pages_folder(tmp_path, bad)
    name, _, problem = BAD[bad]
    parts, sources = read_partitions([folder], on_error="skip")
    assert isinstance(parts, Partitions)
    assert sorted(parts) == GOOD_KEYS
    assert parts.skipped == [Skipped(str(folder / name), problem)]
    assert sources == {"page:tt0783233": [str((folder / GOOD[0]).resolve())], "page:tt1334260": [str((folder / GOOD[1]).resolve())]}
    # The same as the folder without the bad page.
    clean, _ = read_partitions([pages_folder(tmp_path / "clean")])
    assert {k: g.counts() for k, g in parts.items()} == {k: g.counts() for k, g in clean.items()}
    assert clean.skipped == []


def test_without_skip_the_bad_page_raises_naming_it(tmp_path, bad):
    folder = pages_folder(tmp_path, bad)
    name, _, problem = BAD[bad]
    message = f"^{re.escape(str(folder / name))}: {re.escape(problem)}$"
    with pytest.raises(InputError, match=message):
        read_partitions([folder])
    with pytest.raises(InputError, match=message):
        read_partitions([folder], on_error="raise")
    with pytest.raises(InputError, match=message):
        read_sources([folder])


def test_read_sources_skips_too(tmp_path, bad):
    folder = pages_folder(tmp_path, bad)
    name, _, problem = BAD[bad]
    graph = read_sources([folder], on_error="skip")
    assert graph.skipped == [Skipped(str(folder / name), problem)]
    assert graph.counts() == read_sources([HTML / GOOD[0], HTML / GOOD[1]]).counts() == {"films": 8, "people": 19, "credits": 20, "similar": 9}
    assert read_sources([HTML / GOOD[0]]).skipped == []


def test_skipped_is_a_pair_and_keeps_the_line(tmp_path):
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes(SEED_TEXT.read_bytes() + "\nCaf\u00e9\n".encode("latin-1"))
    parts, _ = read_partitions([latin1, SEED_TEXT], on_error="skip")
    [(path, message)] = parts.skipped
    line = SEED_TEXT.read_bytes().count(b"\n") + 2
    assert (path, message) == (str(latin1), f"line {line}: not UTF-8 text (invalid byte 0xe9)")
    with pytest.raises(InputError, match=f"^{re.escape(str(latin1))}:{line}: not UTF-8 text \\(invalid byte 0xe9\\)$"):
        read_partitions([latin1, SEED_TEXT])


def test_pages_named_directly_are_skipped_too(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"   \n")
    missing = tmp_path / "gone.html"
    unknown = tmp_path / "notes.dat"
    unknown.write_bytes(b"just some notes\n")
    paths = [HTML / GOOD[0], empty, missing, unknown, SEED_TEXT]
    parts, _ = read_partitions(paths, on_error="skip")
    assert list(parts) == ["page:tt0783233", "page:tt1334260:text"]  # the seed is copied text
    assert parts.skipped == [
        Skipped(str(empty), "empty file"),
        Skipped(str(missing), "no such file or folder"),
        Skipped(str(unknown), "unknown format: expected a saved IMDb page (.txt, .html) or a folder"),
    ]
    with pytest.raises(InputError, match=f"^{re.escape(str(empty))}: empty file$"):
        read_partitions(paths)


def test_a_missing_folder_is_not_skipped(tmp_path):
    with pytest.raises(InputError, match=f"^{re.escape(str(tmp_path / 'imdb'))}: no such file or folder$"):
        read_partitions([SEED_TEXT, tmp_path / "imdb"], on_error="skip")


def test_a_bad_folder_is_not_skipped(tmp_path):
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "films.csv").write_bytes(b"")
    with pytest.raises(InputError, match=f"^{re.escape(str(tables / 'films.csv'))}: empty file, expected a CSV header$"):
        read_partitions([SEED_TEXT, tables], on_error="skip")
    datasets = tmp_path / "imdb"
    datasets.mkdir()
    (datasets / "title.basics.tsv").write_bytes(b"")
    with pytest.raises(InputError, match=r"title\.principals\.tsv\.gz: missing required file"):
        read_sources([SEED_TEXT, datasets], on_error="skip")


def test_every_source_skipped_is_an_error_naming_the_first(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.html").write_bytes(b"")
    (folder / "b.txt").write_bytes(b"\x00\x01\x02")
    with pytest.raises(InputError, match=f"^{re.escape(str(folder / 'a.html'))}: empty file \\(and 1 more bad pages: nothing to load\\)$"):
        read_partitions([folder], on_error="skip")
    with pytest.raises(InputError, match=f"^{re.escape(str(folder / 'a.html'))}: empty file \\(and 2 more bad pages: nothing to load\\)$"):
        read_sources([folder, tmp_path / "c.htm"], on_error="skip")
    # One bad page alone: its own error, as without skip.
    with pytest.raises(InputError, match=f"^{re.escape(str(folder / 'a.html'))}: empty file$"):
        read_partitions([folder / "a.html"], on_error="skip")


def test_no_sources_is_no_error():
    parts, sources = read_partitions([], on_error="skip")
    assert (dict(parts), parts.skipped, sources) == ({}, [], {})


def test_bad_on_error():
    with pytest.raises(ValueError, match="on_error must be 'raise' or 'skip', not 'ignore'"):
        read_partitions([SEED_TEXT], on_error="ignore")
    with pytest.raises(ValueError, match="on_error must be 'raise' or 'skip', not 'ignore'"):
        read_sources([SEED_TEXT], on_error="ignore")


DATASETS = {
    "title.basics": ["tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\truntimeMinutes\tgenres",
                     "tt1334260\tmovie\tNever Let Me Go\tNever Let Me Go\t0\t2010\t\\N\t103\tDrama,Romance,Sci-Fi",
                     "tt0414387\tmovie\tPride & Prejudice\tPride & Prejudice\t0\t2005\t\\N\t129\tDrama,Romance"],
    "title.principals": ["tconst\tordering\tnconst\tcategory\tjob\tcharacters",
                         'tt1334260\t1\tnm0461136\tactress\t\\N\t["Ruth"]',
                         'tt1334260\tsecond\tnm1659547\tactress\t\\N\t["Kathy"]',  # bad: ordering is no integer
                         'tt0414387\t1\tnm0461136\tactress\t\\N\t["Elizabeth Bennet"]'],
    "name.basics": ["nconst\tprimaryName\tbirthYear\tdeathYear\tprimaryProfession\tknownForTitles",
                    "nm0461136\tKeira Knightley\t1985\t\\N\tactress\ttt0414387",
                    "nm1659547\tCarey Mulligan\t1985\t\\N\tactress\ttt1174732"],
}


def test_on_error_still_reaches_the_datasets(tmp_path):
    datasets = tmp_path / "imdb"
    datasets.mkdir()
    for stem, lines in DATASETS.items():
        (datasets / f"{stem}.tsv.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0))
    folder = pages_folder(tmp_path, "empty")
    parts, _ = read_partitions([datasets, folder], on_error="skip", progress=False)
    assert sorted(parts) == ["imdb-datasets", *GOOD_KEYS]
    assert parts["imdb-datasets"].report.bad_lines["principals"] == 1
    assert parts.skipped == [Skipped(str(folder / "blank.html"), "empty file")]
    graph = read_sources([datasets, folder], on_error="skip", progress=False)
    assert [r.bad_lines["principals"] for r in graph.reports] == [1]
    assert graph.counts() == merge_graphs(*parts.values()).counts()
    bad_line = re.escape(str(datasets / "title.principals.tsv.gz")) + ":3: bad value 'second' in column ordering, expected an integer"
    with pytest.raises(InputError, match=bad_line):
        read_partitions([datasets], progress=False)
