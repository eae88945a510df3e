"""Tests of reelgraph.loaders.synth: synthetic IMDb dataset folders (format, determinism, shape)."""

from __future__ import annotations

import collections
import gzip
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reelgraph.loaders.synth import HEADERS, write_synthetic_datasets  # noqa: E402

N = "\\N"

#: The header lines of IMDb's files, copied from the real dumps.
IMDB_HEADERS = {
    "title.basics": "tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\truntimeMinutes\tgenres",
    "title.principals": "tconst\tordering\tnconst\tcategory\tjob\tcharacters",
    "name.basics": "nconst\tprimaryName\tbirthYear\tdeathYear\tprimaryProfession\tknownForTitles",
    "title.ratings": "tconst\taverageRating\tnumVotes",
    "title.crew": "tconst\tdirectors\twriters",
    "title.akas": "titleId\tordering\ttitle\tregion\tlanguage\ttypes\tattributes\tisOriginalTitle",
    "title.episode": "tconst\tparentTconst\tseasonNumber\tepisodeNumber",
}


def rows(folder: Path, name: str) -> list[list[str]]:
    text = gzip.decompress((folder / f"{name}.tsv.gz").read_bytes()).decode("utf-8")
    assert text.endswith("\n")
    return [line.split("\t") for line in text[:-1].split("\n")]


@pytest.fixture(scope="module")
def imdb_mix(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mix")
    return folder, write_synthetic_datasets(folder, titles=3000, seed=3, progress=False)


def test_writes_all_seven_files_gzipped_with_exact_headers(imdb_mix):
    folder, summary = imdb_mix
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{name}.tsv.gz" for name in IMDB_HEADERS)
    for name, header in IMDB_HEADERS.items():
        data = (folder / f"{name}.tsv.gz").read_bytes()
        assert data[:2] == b"\x1f\x8b"
        text = gzip.decompress(data).decode("utf-8")
        assert text.split("\n", 1)[0] == header
        assert "\t".join(HEADERS[name]) == header
        assert "\r" not in text
        width = header.count("\t") + 1
        lines = text[:-1].split("\n")
        assert all(line.count("\t") == width - 1 for line in lines), name
        assert len(lines) - 1 == summary.rows[name]
        assert all("" not in line.split("\t") for line in lines), f"empty field in {name} (IMDb writes \\N)"


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a = write_synthetic_datasets(tmp_path / "a", titles=500, seed=11, progress=False)
    b = write_synthetic_datasets(tmp_path / "b", titles=500, seed=11, progress=False)
    c = write_synthetic_datasets(tmp_path / "c", titles=500, seed=12, progress=False)
    for name in IMDB_HEADERS:
        assert (tmp_path / "a" / f"{name}.tsv.gz").read_bytes() == (tmp_path / "b" / f"{name}.tsv.gz").read_bytes(), name
    assert (tmp_path / "a" / "title.principals.tsv.gz").read_bytes() != (tmp_path / "c" / "title.principals.tsv.gz").read_bytes()
    assert a.rows == b.rows and a.dangling_nconsts == b.dangling_nconsts


def test_ids_sorted_and_well_formed(imdb_mix):
    folder, summary = imdb_mix
    basics = rows(folder, "title.basics")[1:]
    tconsts = [r[0] for r in basics]
    assert len(tconsts) == summary.titles == len(set(tconsts))
    assert all(t.startswith("tt") and len(t) >= 9 and t[2:].isdigit() for t in tconsts)
    assert [int(t[2:]) for t in tconsts] == sorted(int(t[2:]) for t in tconsts)
    names = rows(folder, "name.basics")[1:]
    nconsts = [r[0] for r in names]
    assert all(n.startswith("nm") and len(n) >= 9 and n[2:].isdigit() for n in nconsts)
    assert [int(n[2:]) for n in nconsts] == sorted(int(n[2:]) for n in nconsts)
    principals = rows(folder, "title.principals")[1:]
    assert [r[0] for r in principals] == sorted((r[0] for r in principals), key=lambda t: int(t[2:]))


def test_title_type_mix_like_imdb(imdb_mix):
    folder, summary = imdb_mix
    types = collections.Counter(r[1] for r in rows(folder, "title.basics")[1:])
    assert types == collections.Counter(summary.title_types)
    share = {t: c / summary.titles for t, c in types.items()}
    assert share["tvEpisode"] > 0.7
    assert 0.035 <= share["movie"] <= 0.065
    assert {"movie", "short", "tvSeries", "tvEpisode", "tvMovie", "video"} <= set(types)


@pytest.mark.parametrize("movie_share", [0.5, 1.0])
def test_movie_share(tmp_path, movie_share):
    summary = write_synthetic_datasets(tmp_path, titles=2000, seed=1, movie_share=movie_share, progress=False)
    assert abs(summary.movies / summary.titles - movie_share) < 0.04
    if movie_share == 1.0:
        assert summary.title_types == {"movie": 2000}
        assert rows(tmp_path, "title.episode") == [IMDB_HEADERS["title.episode"].split("\t")]


def test_principals_per_title_and_categories(imdb_mix):
    folder, summary = imdb_mix
    principals = rows(folder, "title.principals")[1:]
    per_title = collections.Counter(r[0] for r in principals)
    assert len(per_title) == summary.titles
    assert min(per_title.values()) >= 5 and max(per_title.values()) <= 15
    assert 9 <= len(principals) / summary.titles <= 11
    orderings = collections.defaultdict(list)
    for r in principals:
        orderings[r[0]].append(int(r[1]))
    assert all(v == list(range(1, len(v) + 1)) for v in orderings.values())
    categories = collections.Counter(r[3] for r in principals)
    assert {"actor", "actress", "self", "director", "writer", "producer", "composer", "cinematographer", "editor", "archive_footage"} <= set(categories)
    assert categories.most_common(1)[0][0] == "actor"
    for r in principals:
        if r[5] != N:
            assert r[3] in ("actor", "actress", "self", "archive_footage")
            characters = json.loads(r[5])
            assert isinstance(characters, list) and characters and all(isinstance(c, str) for c in characters)
    assert any('\\"' in r[5] for r in principals)  # escaped quotes inside the JSON
    assert any(r[4] != N for r in principals) and any(r[4] == N for r in principals)


def test_heavy_tailed_careers(imdb_mix):
    folder, _ = imdb_mix
    titles = collections.defaultdict(set)
    for r in rows(folder, "title.principals")[1:]:
        titles[r[2]].add(r[0])
    counts = np.array([len(v) for v in titles.values()])
    assert np.median(counts) <= 2
    assert counts.max() >= 20 * np.median(counts)
    assert (counts == 1).mean() > 0.4


def test_dangling_nconsts(imdb_mix):
    folder, summary = imdb_mix
    names = {r[0] for r in rows(folder, "name.basics")[1:]}
    in_principals = {r[2] for r in rows(folder, "title.principals")[1:]}
    dangling = in_principals - names
    assert dangling == set(summary.dangling_nconsts)
    assert 2 <= len(dangling) <= 0.002 * len(in_principals) + 2
    assert summary.people == len(names)
    crew_people = {p for r in rows(folder, "title.crew")[1:] for field in r[1:] if field != N for p in field.split(",")}
    assert crew_people <= names | dangling


def test_names_and_titles_carry_awkward_characters(imdb_mix):
    folder, _ = imdb_mix
    titles = [r[2] for r in rows(folder, "title.basics")[1:]] + [r[3] for r in rows(folder, "title.basics")[1:]]
    names = [r[1] for r in rows(folder, "name.basics")[1:]]
    for texts in (titles, names):
        assert any('"' in t for t in texts)
        assert any("," in t for t in texts)
        assert any(any(ord(ch) > 127 for ch in t) for t in texts)
        assert any(any(ord(ch) > 0x2000 for ch in t) for t in texts)  # CJK, Hangul
    assert any("'" in t for t in titles + names)


def test_nulls_ratings_and_votes(imdb_mix):
    folder, summary = imdb_mix
    basics = rows(folder, "title.basics")[1:]
    assert any(r[5] == N for r in basics) and any(r[7] == N for r in basics) and any(r[8] == N for r in basics)
    ratings = rows(folder, "title.ratings")[1:]
    assert 0.05 < len(ratings) / summary.titles < 0.3  # most titles have no rating
    values = [float(r[1]) for r in ratings]
    assert all(1.0 <= v <= 10.0 and len(r[1].split(".")[1]) == 1 for v, r in zip(values, ratings))
    votes = np.array([int(r[2]) for r in ratings])
    assert votes.min() >= 5
    assert votes.mean() > 3 * np.median(votes)  # log-normal: a long right tail
    names = rows(folder, "name.basics")[1:]
    assert any(r[2] == N for r in names) and any(r[2] != N for r in names)


def test_episodes_and_akas(imdb_mix):
    folder, summary = imdb_mix
    types = {r[0]: r[1] for r in rows(folder, "title.basics")[1:]}
    episodes = rows(folder, "title.episode")[1:]
    assert len(episodes) == summary.title_types["tvEpisode"]
    assert all(types[r[0]] == "tvEpisode" and types[r[1]] in ("tvSeries", "tvMiniSeries") for r in episodes)
    akas = rows(folder, "title.akas")[1:]
    assert akas and all(r[0] in types for r in akas)
    assert all((r[7] == "1") == (r[1] == "1") for r in akas)


def test_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        write_synthetic_datasets(tmp_path, titles=0, progress=False)
    with pytest.raises(ValueError):
        write_synthetic_datasets(tmp_path, titles=10, movie_share=1.5, progress=False)


def test_tiny_folder(tmp_path):
    summary = write_synthetic_datasets(tmp_path, titles=1, seed=0, progress=False)
    assert summary.titles == 1 and 5 <= summary.principals <= 15
    assert len(rows(tmp_path, "title.basics")) == 2


@pytest.mark.realdata
@pytest.mark.skipif(not os.environ.get("REELGRAPH_REALDATA"), reason="set REELGRAPH_REALDATA to /work/shared/realdata to compare with IMDb's real files")
def test_headers_match_the_real_files():
    folder = Path(os.environ["REELGRAPH_REALDATA"]) / "imdb-tsv-head100-2021"
    for name, header in IMDB_HEADERS.items():
        with open(folder / f"{name}.tsv", encoding="utf-8") as f:
            assert f.readline().rstrip("\n") == header == "\t".join(HEADERS[name])


def test_the_text_built_a_chunk_at_a_time_is_the_same_bytes(tmp_path, monkeypatch):
    # Principals' text is built one chunk of rows at a time (at IMDb's size one
    # array would pass Arrow's 2 GiB limit); chunk boundaries change no byte.
    import reelgraph.loaders.synth as synth

    write_synthetic_datasets(tmp_path / "one", titles=3000, seed=5, progress=False)
    monkeypatch.setattr(synth, "_CHUNK_ROWS", 997)
    write_synthetic_datasets(tmp_path / "many", titles=3000, seed=5, progress=False)
    for name in ("title.principals", "title.basics", "name.basics"):
        one = gzip.decompress((tmp_path / "one" / f"{name}.tsv.gz").read_bytes())
        many = gzip.decompress((tmp_path / "many" / f"{name}.tsv.gz").read_bytes())
        assert one == many, name
