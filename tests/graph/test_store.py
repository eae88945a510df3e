"""The local Parquet store: round trips, atomic replacement, where it lives."""

import pandas as pd
import pytest

from reelgraph.errors import StoreError
from reelgraph.model import FilmGraph
from reelgraph.store import DEFAULT_STORE, LocalStore, store_path


def _graph():
    return FilmGraph.from_records(
        films=[{"id": "tt1334260", "title": "Never Let Me Go", "year": 2010, "genres": ["Drama", "Romance"], "rating": 7.1}],
        people=[{"id": "name:keira-knightley", "name": "Keira Knightley", "professions": ["actress"]}],
        credits=[{"person_id": "name:keira-knightley", "film_id": "tt1334260", "role": "actor", "characters": ["Ruth"],
                  "billing": 1, "star": True}],
    )


def test_round_trip_keeps_values_and_lists(tmp_path):
    store = LocalStore(tmp_path / "s")
    store.merge(_graph(), sources=["seed.txt"], key="page:tt1334260")
    back = store.read()
    film = back.films.iloc[0]
    assert (film["id"], film["year"], film["rating"], film["genres"]) == ("tt1334260", 2010, 7.1, ["Drama", "Romance"])
    credit = back.credits.iloc[0]
    assert (credit["characters"], credit["billing"], bool(credit["star"])) == (["Ruth"], 1, True)
    assert store.manifest()["counts"] == {"films": 1, "people": 1, "credits": 1, "similar": 0}
    [part] = store.manifest()["partitions"]
    assert (part["key"], part["sources"]) == ("page:tt1334260", ["seed.txt"])
    assert store.partitions()["page:tt1334260"].counts() == store.read().counts()


def test_a_source_loaded_again_replaces_its_old_rows(tmp_path):
    store = LocalStore(tmp_path / "s")
    old = FilmGraph.from_records(films=[{"id": "tt1", "title": "A", "rating": 6.0}, {"id": "tt2", "title": "B"}])
    page = FilmGraph.from_records(films=[{"id": "tt3", "title": "C"}])
    store.load({"imdb-datasets": old, "page:tt3": page})
    new = FilmGraph.from_records(films=[{"id": "tt1", "title": "A", "rating": 6.4}])
    merged, changes = store.load({"imdb-datasets": new})
    merged = merged.read()
    assert sorted(merged.films.id) == ["tt1", "tt3"]
    assert merged.films.set_index("id").loc["tt1", "rating"] == 6.4
    assert changes["films"] == {"added": 0, "updated": 1, "removed": 1}
    assert [p["key"] for p in store.manifest()["partitions"]] == ["imdb-datasets", "page:tt3"]


def test_merge_twice_changes_nothing(tmp_path):
    store = LocalStore(tmp_path / "s")
    first = store.merge(_graph()).counts()
    assert store.merge(_graph()).counts() == first


def test_failed_write_leaves_the_old_store(tmp_path, monkeypatch):
    store = LocalStore(tmp_path / "s")
    store.write(_graph())
    bigger = FilmGraph.from_records(films=[{"id": f"tt{i:07d}", "title": str(i)} for i in range(5)])

    def broken(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("pandas.DataFrame.to_parquet", broken)
    with pytest.raises(OSError, match="disk full"):
        store.write(bigger)
    monkeypatch.undo()
    assert store.read().counts()["films"] == 1
    # Nothing else is left beside the store but its two lock files (flock's: kept, never stale).
    assert sorted(p.name for p in tmp_path.iterdir()) == [".s.swap.lock", ".s.write.lock", "s"]


def test_missing_store_says_what_to_do(tmp_path):
    with pytest.raises(StoreError, match="no graph stored here yet; run 'reelgraph load"):
        LocalStore(tmp_path / "none").read()


def test_store_location_precedence(tmp_path, monkeypatch):
    monkeypatch.delenv("REELGRAPH_STORE", raising=False)
    assert store_path() == DEFAULT_STORE
    monkeypatch.setenv("REELGRAPH_STORE", str(tmp_path / "env"))
    assert store_path() == tmp_path / "env"
    assert store_path(tmp_path / "flag") == tmp_path / "flag"


def _tricky_graph():
    return FilmGraph.from_records(
        films=[{"id": "tt1", "title": "Ame \u96e8; \"quoted\"", "year": 1999, "genres": [], "rating": None, "stub": None,
                "keywords": ["a", ""], "cluster": 3},
               {"id": "tt2", "title": None, "votes": 12, "genres": ["Drama"], "stub": True, "plot": "line\nbreak"}],
        people=[{"id": "nm1", "name": "Zoë", "professions": []}, {"id": "nm2", "name": "", "birth_year": 1950}],
        credits=[{"person_id": "nm1", "film_id": "tt1", "role": "actor", "characters": [], "billing": None},
                 {"person_id": "nm2", "film_id": "tt2", "role": "self", "characters": ["Himself", "Narrator"],
                  "star": False, "job": "host"}],
        similar=[{"film_id": "tt1", "similar_id": "tt2", "rank": 1, "source": "imdb-more-like-this"}],
    )


@pytest.mark.parametrize("which", ["sample", "tricky", "empty", "no lists"])
def test_read_gives_what_pandas_and_the_normalisation_give(tmp_path, sample_graph, which):
    """The store's own Parquet reader is a faster route to exactly the same tables."""
    graph = {"sample": lambda: sample_graph, "tricky": _tricky_graph, "empty": FilmGraph.empty,
             "no lists": lambda: FilmGraph.from_records(films=[{"id": "tt1", "title": "A"}])}[which]()
    store = LocalStore(tmp_path / "s")
    store.write(graph)
    fast = store.read()
    slow = FilmGraph(**{name: pd.read_parquet(store.path / f"{name}.parquet") for name in FilmGraph.TABLES})
    for name in FilmGraph.TABLES:
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(slow, name), check_exact=True)
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(graph, name), check_exact=True)


def test_a_damaged_table_is_named_in_one_line(tmp_path):
    store = LocalStore(tmp_path / "s")
    store.write(_graph())
    (store.path / "credits.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(StoreError, match=r"/s: the store is damaged \(.*\); load your sources again") as info:
        store.read()
    assert "\n" not in str(info.value)


def test_a_source_loaded_again_is_not_read_back_first(tmp_path):
    """Reloading replaces the source's stored tables without reading them (at IMDb scale that was gigabytes)."""
    store = LocalStore(tmp_path / "s")
    store.load({"imdb-datasets": FilmGraph.from_records(films=[{"id": "tt1", "title": "A"}]),
                "page:tt3": FilmGraph.from_records(films=[{"id": "tt3", "title": "C"}])})
    clustered = store.read()
    clustered.films["cluster"] = clustered.films["id"].map({"tt3": 7}).astype("Int64")
    store.write(clustered)  # as 'reelgraph clusters' does
    [old_part] = [e["folder"] for e in store.manifest()["partitions"] if e["key"] == "imdb-datasets"]
    (store.path / "parts" / old_part / "films.parquet").write_bytes(b"not parquet")  # would fail if read
    merged, changes = store.load({"imdb-datasets": FilmGraph.from_records(films=[{"id": "tt2", "title": "B"}])})
    merged = merged.read()
    assert sorted(merged.films.id) == ["tt2", "tt3"]
    assert changes["films"] == {"added": 1, "updated": 0, "removed": 1}
    assert merged.films.set_index("id").loc["tt3", "cluster"] == 7  # cluster ids carried over from the stored films


@pytest.mark.parametrize("which", ["sample", "tricky", "empty", "no lists"])
def test_stored_fingerprints_equal_those_of_the_read_tables(tmp_path, sample_graph, which, monkeypatch):
    """A reload hashes the stored tables straight from Arrow; the hashes are those of the canonical tables."""
    import reelgraph.store as store_module
    from reelgraph.store import _KEYS, _fingerprint, _stored_fingerprint

    graph = {"sample": lambda: sample_graph, "tricky": _tricky_graph, "empty": FilmGraph.empty,
             "no lists": lambda: FilmGraph.from_records(films=[{"id": "tt1", "title": "A"}])}[which]()
    store = LocalStore(tmp_path / "s")
    store.write(graph)
    read = store.read()

    def not_this_way(*args):
        raise AssertionError("the fingerprint took the slow way (a full read)")

    monkeypatch.setattr(store_module, "_read_table", not_this_way)
    for table in _KEYS:
        n, hashes = _stored_fingerprint(store.path, table)
        n_read, hashes_read = _fingerprint(getattr(read, table), table)
        assert n == n_read == len(getattr(graph, table))
        if hashes_read is None:
            assert hashes is None
        else:
            pd.testing.assert_series_equal(hashes, hashes_read)


def test_a_stored_table_of_an_older_layout_is_fingerprinted_the_canonical_way(tmp_path):
    import pyarrow.parquet as pq

    from reelgraph.store import _fingerprint, _stored_fingerprint

    store = LocalStore(tmp_path / "s")
    store.write(_tricky_graph())
    path = store.path / "films.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["tagline"]), path)  # a column this version has, that one lacked
    n, hashes = _stored_fingerprint(store.path, "films")
    n_read, hashes_read = _fingerprint(store.read().films, "films")
    assert n == n_read == 2
    pd.testing.assert_series_equal(hashes, hashes_read)


def test_a_stub_completed_by_its_film_counts_as_updated_not_removed(tmp_path):
    # The seed page lists its "More like this" films by title (stubs); the
    # sample's tables then bring those films with IMDb ids.  Loading only
    # adds, so nothing may be reported as removed.
    from reelgraph.loaders import read_partitions
    from reelgraph.loaders.sample import SAMPLE_SOURCES

    tables, page = SAMPLE_SOURCES
    store = LocalStore(tmp_path)
    store.load(*read_partitions([page]))
    merged, changes = store.load(*read_partitions([tables]))
    merged = merged.read()
    assert merged.counts() == {"films": 30, "people": 281, "credits": 361, "similar": 12}
    assert changes["films"] == {"added": 17, "updated": 11, "removed": 0}
    assert changes["similar"] == {"added": 0, "updated": 11, "removed": 0}
    assert changes["people"] == {"added": 260, "updated": 21, "removed": 0}
    assert changes["credits"] == {"added": 340, "updated": 0, "removed": 0}


def test_a_source_that_drops_a_film_still_reports_it_removed(tmp_path):
    store = LocalStore(tmp_path)
    a = FilmGraph.from_records(films=[{"id": "tt0000001", "title": "A"}, {"id": "title:b", "title": "B", "stub": True}])
    b = FilmGraph.from_records(films=[{"id": "tt0000001", "title": "A"}])
    store.load({"x": a})
    _, changes = store.load({"x": b})
    assert changes["films"] == {"added": 0, "updated": 0, "removed": 1}


def test_a_store_records_its_format_and_one_from_a_newer_reelgraph_is_refused(tmp_path):
    import json

    from reelgraph.store import STORE_FORMAT

    store = LocalStore(tmp_path)
    store.write(FilmGraph.from_records(films=[{"id": "tt0000001", "title": "A"}]))
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["format"] == STORE_FORMAT == 2
    del manifest["format"]  # a store from before the field: format 1, read as before
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert store.read().counts()["films"] == 1
    manifest["format"] = STORE_FORMAT + 1
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StoreError, match=r"a store of format 3, written by a newer reelgraph; this one reads format 2"):
        store.read()
    with pytest.raises(StoreError, match=r"format 2"):
        store.load({"x": FilmGraph.from_records(films=[{"id": "tt0000002", "title": "B"}])})
    assert json.loads((tmp_path / "manifest.json").read_text())["format"] == 3  # untouched


def test_a_damaged_manifest_is_one_line(tmp_path):
    store = LocalStore(tmp_path)
    store.write(FilmGraph.from_records(films=[{"id": "tt0000001", "title": "A"}]))
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(StoreError, match=r"the store is damaged \(manifest.json: "):
        store.read()


@pytest.mark.parametrize("slugs", [
    {"amelie", "zoe-kravitz", "jane-eyre-2011", "cafe", ""},
    {"a-b"},
    {f"x{i}" for i in range(40)} | {"amelie", "jane-eyre-2011", "fi-lm", "film", "a-1-2"},
])
def test_slug_matches_is_slugify_of_every_text(slugs):
    import pyarrow as pa

    from reelgraph.model import slugify
    from reelgraph._slugs import slug_matches

    texts = ["Amélie", "AMELIE", "amelie!", "Zoë Kravitz", "zoe kravitz", None, "", "--", "Jane Eyre (2011)",
             "jane eyre 2011", "Café", "a-b", "A  B", "xamelie", "Ærø", "ﬁlm", "Jane Eyre, 2011!", "A½",
             "𝐀melie", "Amelie 😀", "İ", "ǅ"]
    found = slug_matches(pa.chunked_array([texts[:9], texts[9:]]), slugs)
    assert found.dtype == bool
    assert found.tolist() == [text is not None and slugify(text) in slugs for text in texts]


@pytest.mark.parametrize("n_slugs", [1, 300, 5000])
def test_slug_matches_agrees_with_slugify_on_random_names(n_slugs):
    import random

    import pyarrow as pa

    from reelgraph.model import slugify
    from reelgraph._slugs import slug_matches

    rng = random.Random(7)
    # ASCII, letters with marks, ligatures, fullwidth and compatibility forms, combining marks, other scripts,
    # and characters beyond the Basic Multilingual Plane (math letters that fold to ASCII, emoji)
    letters = list("aAeEzZ09 -.'&!") + list("éÉøßﬁĲ½Ａ\u0301æŒǅıİłṃ٣ｶﬀ⁄℅Ⅻ\u00a0가中ŉ") + ["𝐀", "😀"]
    texts = ["".join(rng.choice(letters) for _ in range(rng.randint(0, 7))) for _ in range(30_000)]
    slugs = {slugify(text) for text in rng.sample(texts, n_slugs)} | {"zz-09", "e-e"}
    chunks = pa.chunked_array([texts[:777], texts[777:], []])
    found = slug_matches(chunks, slugs)
    expected = [slugify(text) in slugs for text in texts]
    assert found.tolist() == expected
    assert 0 < sum(expected) < len(texts)


def test_slug_hashes_are_the_hashes_of_slugify_and_undecided_beyond_the_plane():
    import pyarrow as pa

    from reelgraph._slugs import _hashed_matches, slug_hash

    texts = pa.chunked_array([pa.array(["Zoë Kravitz", "ZOE_KRAVITZ", "𝐙oe Kravitz", None, "zoe kravitz 2"]).slice(1)])
    wanted, undecided = _hashed_matches(texts, {"zoe-kravitz"})
    assert wanted.tolist() == [True, False, False, False] and undecided.tolist() == [False, True, False, False]
    assert slug_hash("") == 0xCBF29CE484222325 and slug_hash("a") == 0xAF63DC4C8601EC8C  # FNV-1a's published values


@pytest.mark.parametrize("table", ["films", "people"])
def test_is_imdb_id_is_the_id_expression_on_random_strings(table):
    import random

    import pyarrow as pa
    import pyarrow.compute as pc

    from reelgraph.model import _IMDB_FILM_ID, _IMDB_PERSON_ID
    from reelgraph._label_keys import is_imdb_id as _is_imdb_id

    rng = random.Random(5)
    texts = [None if rng.random() < 0.05 else "".join(rng.choice("tnm0123456789x \uff11\u0663\u00e9")
                                                      for _ in range(rng.randint(0, 11))) for _ in range(20_000)]
    texts += [prefix + "".join(rng.choice("0123456789") for _ in range(rng.randint(5, 10)))
              for prefix in ("tt", "nm") for _ in range(5_000)]
    ids = pa.chunked_array([pa.array(texts[:9_000]), pa.array(texts[9_000:]).slice(7)])  # an offset, and nulls
    pattern = (_IMDB_FILM_ID if table == "films" else _IMDB_PERSON_ID).pattern
    expected = pc.fill_null(pc.match_substring_regex(ids, pattern), False).to_numpy(zero_copy_only=False)
    assert 3_000 < expected.sum() < 5_000
    for form in (ids, ids.cast(pa.large_string()), ids.dictionary_encode()):
        assert _is_imdb_id(form, table).tolist() == expected.tolist()
    assert _is_imdb_id(pa.chunked_array([["tt0000001", "tt000001", "nm0000001", "tt00000012", "tt0000001 "]]),
                       "films").tolist() == [True, False, False, True, False]


@pytest.mark.parametrize("form", ["one file", "chunks"])
def test_key_rows_read_only_the_row_groups_that_may_hold_them(tmp_path, form):
    """A stored table read a row group at a time, skipping groups whose statistics rule the keys out,
    finds exactly the rows the whole table would, in one file or in chunks."""
    import random

    import numpy as np
    import pyarrow.parquet as pq

    from reelgraph._parquet_table import ParquetTable
    from reelgraph.store import _key_rows, _row_groups_holding, _SourceRows

    rng = random.Random(3)
    films = sorted(f"tt{n:07d}" for n in rng.sample(range(1, 400), 60))
    rows = [{"person_id": f"nm{rng.randrange(40):07d}", "film_id": film, "role": rng.choice(["actor", "director"])}
            for film in films for _ in range(rng.randint(1, 4))]
    rows += [{"person_id": "name:keira-knightley", "film_id": "tt0000042", "role": "actor"}]  # appended by a page
    graph = FilmGraph.from_records(films=[{"id": f} for f in films], credits=rows)
    graph.credits.to_parquet(tmp_path / "credits.parquet", index=False, row_group_size=7)
    if form == "chunks":  # each row group a chunk file, the last two in one
        single = pq.ParquetFile(tmp_path / "credits.parquet")
        (tmp_path / "credits").mkdir()
        groups = list(range(single.num_row_groups))
        for number, chunk in enumerate(groups[:-2] + [groups[-2:]]):
            pq.write_table(single.read_row_groups(chunk if isinstance(chunk, list) else [chunk]),
                           tmp_path / "credits" / f"{number:06d}.parquet", row_group_size=7)
        (tmp_path / "credits.parquet").unlink()
    parquet = ParquetTable(tmp_path, "credits")
    assert parquet.chunked == (form == "chunks")
    assert parquet.num_row_groups > 10
    folder, whole = _SourceRows(folder=tmp_path), _SourceRows(graph=graph)
    for _ in range(30):
        wanted = {tuple(row.values()) for row in rng.sample(rows, rng.randint(0, 5))} | {("nm0000001", "tt9999999", "actor")}
        found = folder.key_rows("credits", wanted)
        assert found.tolist() == whole.key_rows("credits", wanted).tolist()
        assert found.sum() == sum(tuple(row.values()) in wanted for row in rows)
    assert _row_groups_holding(parquet, {"film_id": {"tt9999999"}}, np.logical_and) == []
    assert _row_groups_holding(parquet, {"person_id": {"name:keira-knightley"}}, np.logical_and) == [parquet.num_row_groups - 1]
    holding = folder.rows_holding("credits", {"person_id": {"name:keira-knightley"}, "film_id": {films[0]}})
    assert sorted(holding["film_id"].to_pylist()) == sorted(
        row["film_id"] for row in rows if row["person_id"] == "name:keira-knightley" or row["film_id"] == films[0])
    assert _key_rows(whole.keys("credits"), "credits", set()).sum() == 0
