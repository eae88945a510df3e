"""A load that touches few keys re-merges only those: the same graph and change report as merging everything."""

import json
import os
import random
import shutil

import numpy as np
import pyarrow as pa
import pytest

import reelgraph._index_reuse as index_reuse
import reelgraph.store as store_module
from reelgraph.graph_index import INDEX_FOLDER, open_index, store_version, write_index_from_tables
from reelgraph.model import FilmGraph, film_key, person_key
from reelgraph.store import _KEYS, LocalStore
from tests.graph.test_graph_index import _assert_same_files


@pytest.fixture(autouse=True, params=["views whole", "views' deltas"])
def view_deltas(request, monkeypatch):
    """Every test twice: patched views, degrees and counts written whole (compacted) at every write, and kept
    as deltas and overlays whatever their size."""
    share = 0.0 if request.param == "views whole" else float("inf")
    monkeypatch.setattr(index_reuse, "DELTA_SHARE", share)
    monkeypatch.setattr(index_reuse, "OVERLAY_SHARE", share)
    return request.param


@pytest.fixture
def touched_only(monkeypatch):
    """Every load of a stored graph takes the route of few keys, however large its sources."""
    monkeypatch.setattr(store_module, "_TOUCHED_SHARE", float("inf"))


def _sorted(df, table):
    return df.sort_values(_KEYS[table]).reset_index(drop=True)


def _assert_same_graph(got: FilmGraph, expected: FilmGraph):
    for table in FilmGraph.TABLES:
        a, b = _sorted(getattr(got, table), table), _sorted(getattr(expected, table), table)
        assert a.equals(b), f"{table}:\n{a.compare(b) if a.shape == b.shape else (a.shape, b.shape)}"


def _assert_index_is_built_anew(store: LocalStore, scratch):
    """The store's graph index (patched or not) is the one its tables give when built anew, file for file."""
    shutil.rmtree(scratch, ignore_errors=True)
    write_index_from_tables(store.path, scratch, store_version(store.manifest()))
    _assert_same_files(scratch / INDEX_FOLDER, store.path / INDEX_FOLDER)


@pytest.fixture
def patched_writes(monkeypatch):
    """Each store write's :func:`reelgraph._index_reuse.reusable`: True where the index was patched."""
    found, reusable = [], index_reuse.reusable

    def spy(previous, folder):
        reused = reusable(previous, folder)
        if previous is not None:
            found.append(reused is not None)
        return reused

    monkeypatch.setattr(index_reuse, "reusable", spy)
    return found


class _Twins:
    """Two stores given the same loads: one merges everything, the other only the keys each load touches.

    The second's graph index, patched where a load keeps the nodes, must be the one built anew.
    """

    def __init__(self, root, monkeypatch):
        self.full, self.touched, self.monkeypatch = LocalStore(root / "full"), LocalStore(root / "touched"), monkeypatch
        self.scratch = root / "index-built-anew"

    def load(self, parts):
        self.monkeypatch.setattr(store_module, "_TOUCHED_SHARE", 0.0)
        full, full_changes = self.full.load(parts)
        full = full.read()
        self.monkeypatch.setattr(store_module, "_TOUCHED_SHARE", float("inf"))
        touched, changes = self.touched.load(parts)
        assert changes == full_changes
        _assert_same_graph(touched.read(), full)
        _assert_index_is_built_anew(self.touched, self.scratch)
        return changes


TITLES = ["Jane Eyre", "Amélie", "Amelie", "Never Let Me Go", "Atonement", "Pride & Prejudice", "Zoë", "!!!"]
NAMES = ["Keira Knightley", "Carey Mulligan", "Zoë Kravitz", "Zoe Kravitz", "Andrew Garfield", "Mia"]


def _random_graph(rng: random.Random) -> FilmGraph:
    """A small source whose derived keys often meet IMDb ids of the same title or name, in one source or another."""
    films, people, credits, similar = {}, {}, {}, {}
    for _ in range(rng.randint(0, 8)):
        title, year = rng.choice(TITLES), rng.choice([2005, 2011, None])
        if rng.random() < 0.5:
            row = {"id": f"tt{rng.randint(1, 12):07d}", "title": title, "year": year, "stub": False}
        else:
            row = {"id": film_key(title, year), "title": title, "year": year, "stub": rng.random() < 0.8}
        row.update({"rating": rng.choice([None, 6.5, 7.1]), "genres": rng.sample(["Drama", "Romance", "War"], rng.randint(0, 2)),
                    "plot": rng.choice([None, "A plot."])})
        films[row["id"]] = row
    for _ in range(rng.randint(0, 6)):
        name = rng.choice(NAMES)
        person = f"nm{rng.randint(1, 8):07d}" if rng.random() < 0.5 else person_key(name)
        people[person] = {"id": person, "name": name, "birth_year": rng.choice([None, 1980]),
                          "professions": rng.sample(["actress", "actor", "writer"], rng.randint(0, 2))}
    film_ids, person_ids = list(films) + [f"tt{rng.randint(1, 12):07d}"], list(people) or [person_key("Mia")]
    for _ in range(rng.randint(0, 8)):
        key = (rng.choice(person_ids), rng.choice(film_ids), rng.choice(["actor", "director"]))
        credits[key] = {"person_id": key[0], "film_id": key[1], "role": key[2], "billing": rng.choice([None, 1, 2]),
                        "characters": rng.sample(["Ruth", "Kathy", "Tommy"], rng.randint(0, 2))}
    for _ in range(rng.randint(0, 6)):
        key = (rng.choice(film_ids), rng.choice(film_ids + [film_key(rng.choice(TITLES))]), "imdb-more-like-this")
        similar[key] = {"film_id": key[0], "similar_id": key[1], "source": key[2], "rank": rng.randint(1, 5)}
    return FilmGraph.from_records(*(list(rows.values()) for rows in (films, people, credits, similar)))


@pytest.mark.parametrize("seed", range(8))
def test_random_loads_give_the_graph_and_report_of_a_full_merge(tmp_path, monkeypatch, seed):
    rng = random.Random(seed)
    twins = _Twins(tmp_path, monkeypatch)
    twins.load({"imdb-datasets": _random_graph(rng)})
    loaded = {}
    for step in range(8):
        key = rng.choice(["imdb-datasets", "page:a", "page:b", "page:c", f"page:{step}"])
        if key in loaded and rng.random() < 0.2:
            graph = loaded[key]  # the same copy again: a refresh that changes nothing
        else:
            graph = _random_graph(rng)
        loaded[key] = graph
        parts = {key: graph}
        if rng.random() < 0.2:  # two sources in one load
            parts[f"page:{step}-more"] = _random_graph(rng)
        twins.load(parts)
    _assert_same_graph(twins.touched.read(), twins.full.read())  # what the next load starts from


def test_cluster_ids_survive_a_load_of_few_keys(tmp_path, touched_only):
    store = LocalStore(tmp_path)
    store.load({"imdb-datasets": FilmGraph.from_records(films=[{"id": "tt0000001", "title": "A"},
                                                               {"id": "tt0000002", "title": "B"}])})
    clustered = store.read()
    clustered.films["cluster"] = clustered.films["id"].map({"tt0000001": 4, "tt0000002": 5}).astype("Int64")
    store.write(clustered)
    page = FilmGraph.from_records(films=[{"id": "tt0000002", "title": "B", "year": 2001},
                                         {"id": "tt0000003", "title": "C"}])
    merged, changes = store.load({"page:tt0000002": page})
    merged = merged.read()
    clusters = merged.films.set_index("id")["cluster"]
    assert clusters.dtype == "Int64" and clusters.dropna().to_dict() == {"tt0000001": 4, "tt0000002": 5}
    assert clusters.isna().to_dict() == {"tt0000001": False, "tt0000002": False, "tt0000003": True}
    assert changes["films"] == {"added": 1, "updated": 1, "removed": 0}


def _jane_eyre_store(path) -> LocalStore:
    store = LocalStore(path)
    imdb = FilmGraph.from_records(
        films=[{"id": "tt1229822", "title": "Jane Eyre", "year": 2011}, {"id": "tt0000009", "title": "Other"}],
        people=[{"id": "nm0000001", "name": "Mia"}],
        credits=[{"person_id": "nm0000001", "film_id": "tt1229822", "role": "actor"}])
    page = FilmGraph.from_records(
        films=[{"id": "tt0000009", "title": "Other"},
               {"id": "title:jane-eyre:2011", "title": "Jane Eyre", "year": 2011, "stub": True}],
        similar=[{"film_id": "tt0000009", "similar_id": "title:jane-eyre:2011", "rank": 1, "source": "imdb-more-like-this"}])
    store.load({"imdb-datasets": imdb, "page:tt0000009": page})
    assert store.read().similar["similar_id"].tolist() == ["tt1229822"]  # the stub resolved to the one Jane Eyre
    return store


def test_a_new_source_that_makes_a_stub_ambiguous_splits_it_again(tmp_path, touched_only):
    # A second "Jane Eyre" of 2011 in a new page: the stub no longer names one film.
    store = _jane_eyre_store(tmp_path)
    other = FilmGraph.from_records(films=[{"id": "tt0000077", "title": "Jane Eyre", "year": 2011}])
    merged, changes = store.load({"page:tt0000077": other})
    merged = merged.read()
    assert sorted(merged.films["id"]) == ["title:jane-eyre:2011", "tt0000009", "tt0000077", "tt1229822"]
    assert merged.similar["similar_id"].tolist() == ["title:jane-eyre:2011"]
    assert changes == {"films": {"added": 2, "updated": 0, "removed": 0},  # the old Jane Eyre: as before
                       "people": {"added": 0, "updated": 0, "removed": 0},
                       "credits": {"added": 0, "updated": 0, "removed": 0},
                       "similar": {"added": 1, "updated": 0, "removed": 1}}


def test_a_page_completing_a_stub_of_another_source_counts_it_updated(tmp_path, touched_only):
    store = LocalStore(tmp_path)
    page = FilmGraph.from_records(
        films=[{"id": "tt0000009", "title": "Other"}, {"id": "title:jane-eyre", "title": "Jane Eyre", "stub": True}],
        similar=[{"film_id": "tt0000009", "similar_id": "title:jane-eyre", "rank": 1, "source": "imdb-more-like-this"}])
    store.load({"page:tt0000009": page, "imdb-datasets": FilmGraph.from_records(
        films=[{"id": f"tt{i:07d}", "title": f"F{i}"} for i in range(20, 40)])})
    jane = FilmGraph.from_records(films=[{"id": "tt1229822", "title": "Jane Eyre", "year": 2011, "rating": 7.3}])
    merged, changes = store.load({"page:tt1229822": jane})
    merged = merged.read()
    assert merged.films.set_index("id").loc["tt1229822", ["year", "stub"]].tolist() == [2011, False]
    assert changes["films"] == {"added": 0, "updated": 1, "removed": 0}
    assert changes["similar"] == {"added": 0, "updated": 1, "removed": 0}


def test_a_page_added_reads_only_the_key_columns_of_other_sources_and_of_the_store(tmp_path, monkeypatch):
    store = LocalStore(tmp_path)
    imdb = FilmGraph.from_records(films=[{"id": f"tt{i:07d}", "title": f"F{i}", "genres": ["Drama"]} for i in range(40)],
                                  people=[{"id": f"nm{i:07d}", "name": f"P{i}"} for i in range(40)],
                                  credits=[{"person_id": f"nm{i:07d}", "film_id": f"tt{i:07d}", "role": "actor"}
                                           for i in range(40)])
    store.load({"imdb-datasets": imdb})
    read = []
    real_read_table = store_module._read_table
    monkeypatch.setattr(store_module, "_read_table",
                        lambda folder, table: read.append((folder, table)) or real_read_table(folder, table))
    page = FilmGraph.from_records(films=[{"id": "tt0000003", "title": "F3", "rating": 8.0}],
                                  credits=[{"person_id": "name:mia", "film_id": "tt0000003", "role": "actor"}],
                                  people=[{"id": "name:mia", "name": "Mia"}])
    merged, changes = store.load({"page:tt0000003": page})
    # Of the store, only the links are read whole (they come from pages: small); no source's tables are.
    assert {(folder, table) for folder, table in read if folder == store.path} == {(store.path, "similar")}
    assert not [folder for folder, _ in read if "parts" in folder.parts]
    merged = merged.read()
    assert merged.counts() == {"films": 40, "people": 41, "credits": 41, "similar": 0}
    assert changes == {"films": {"added": 0, "updated": 1, "removed": 0},
                       "people": {"added": 1, "updated": 0, "removed": 0},
                       "credits": {"added": 1, "updated": 0, "removed": 0},
                       "similar": {"added": 0, "updated": 0, "removed": 0}}


def test_a_page_replaced_by_a_newer_copy_loses_the_rows_it_no_longer_has(tmp_path, touched_only):
    store = _jane_eyre_store(tmp_path)
    newer = FilmGraph.from_records(films=[{"id": "tt0000009", "title": "Other", "rating": 5.0}])
    merged, changes = store.load({"page:tt0000009": newer})
    merged = merged.read()
    assert sorted(merged.films["id"]) == ["tt0000009", "tt1229822"]
    assert merged.similar.empty
    assert changes == {"films": {"added": 0, "updated": 1, "removed": 0},
                       "people": {"added": 0, "updated": 0, "removed": 0},
                       "credits": {"added": 0, "updated": 0, "removed": 0},
                       "similar": {"added": 0, "updated": 0, "removed": 1}}


def test_which_loads_merge_only_the_keys_they_touch():
    manifest = {"counts": {"films": 300, "people": 100, "credits": 0, "similar": 0},
                "partitions": [{"key": "imdb-datasets", "counts": {"films": 300, "people": 100}},
                               {"key": "page:1", "counts": {"films": 5, "people": 4}}]}
    page = FilmGraph.from_records(films=[{"id": f"tt{i:07d}", "title": "A"} for i in range(6)])
    assert store_module._touches_few_rows(manifest, {"page:1": page}) is True  # 9 old rows and 6 new of 400
    assert store_module._touches_few_rows({**manifest, "counts": {"films": 20}}, {"page:1": page}) is False
    assert store_module._touches_few_rows(manifest, {"imdb-datasets": page}) is False  # replaces 400 rows
    assert store_module._touches_few_rows({}, {"page:1": page}) is False  # nothing stored yet


def test_a_source_of_unknown_size_merges_everything():
    manifest = {"counts": {"films": 300}, "partitions": [{"key": "page:1"}]}
    assert store_module._touches_few_rows(manifest, {"page:1": FilmGraph.empty()}) is False


NOTHING = {"added": 0, "updated": 0, "removed": 0}


@pytest.mark.parametrize("order, expected", [
    ("tables first", {"films": {"added": 1, "updated": 12, "removed": 0}, "people": {"added": 0, "updated": 21, "removed": 0},
                      "credits": {"added": 0, "updated": 21, "removed": 0}, "similar": {"added": 1, "updated": 0, "removed": 0}}),
    # the tables complete the page's stubs: updated, not removed and added
    ("page first", {"films": {"added": 17, "updated": 11, "removed": 0}, "people": {"added": 260, "updated": 21, "removed": 0},
                    "credits": {"added": 340, "updated": 0, "removed": 0}, "similar": {"added": 0, "updated": 11, "removed": 0}}),
])
def test_the_sample_page_and_tables_give_the_graph_and_report_of_a_full_merge(tmp_path, monkeypatch, order, expected):
    from reelgraph.loaders import read_partitions
    from reelgraph.loaders.sample import SAMPLE_SOURCES

    first, second = SAMPLE_SOURCES if order == "tables first" else SAMPLE_SOURCES[::-1]
    twins = _Twins(tmp_path, monkeypatch)
    twins.load(read_partitions([first])[0])
    assert twins.load(read_partitions([second])[0]) == expected
    assert twins.load(read_partitions([second])[0]) == dict.fromkeys(FilmGraph.TABLES, NOTHING)  # the same copy again


def test_a_page_brings_values_to_columns_the_store_had_none_in(tmp_path):
    # The datasets have no plots or keywords: those columns are written as type null; a page's plot must not be lost.
    store = LocalStore(tmp_path)
    store.load({"imdb-datasets": FilmGraph.from_records(films=[{"id": f"tt{i:07d}", "title": f"F{i}"} for i in range(40)])})
    page = FilmGraph.from_records(films=[{"id": "tt0000003", "title": "F3", "plot": "A plot.", "keywords": ["clones", "love"]}])
    store.load({"page:tt0000003": page})
    films = store.read().films.set_index("id")
    assert films.loc["tt0000003", "plot"] == "A plot."
    assert films.loc["tt0000003", "keywords"] == ["clones", "love"]
    assert films.loc["tt0000004", "keywords"] == [] and films.loc["tt0000004", "plot"] is None


def _datasets(n: int = 40) -> FilmGraph:
    """A store's worth of IMDb-like tables: films, people, and a credit of each person in two films."""
    return FilmGraph.from_records(
        films=[{"id": f"tt{i:07d}", "title": f"F{i}", "year": 2000 + i % 20, "votes": i * 10} for i in range(n)],
        people=[{"id": f"nm{i:07d}", "name": f"P{i}"} for i in range(n)],
        credits=[{"person_id": f"nm{i:07d}", "film_id": f"tt{(i + k) % n:07d}", "role": role}
                 for i in range(n) for k, role in ((0, "actor"), (1, "director"))])


_KNOWN_PAGE = FilmGraph.from_records(
    films=[{"id": "tt0000003", "title": "F3", "rating": 7.5, "votes": 999, "plot": "A plot."}, {"id": "tt0000004", "title": "F4"}],
    people=[{"id": "nm0000009", "name": "P9"}],
    credits=[{"person_id": "nm0000009", "film_id": "tt0000003", "role": "actor", "characters": ["Kathy"]},
             {"person_id": "nm0000003", "film_id": "tt0000003", "role": "actor", "billing": 1}],
    similar=[{"film_id": "tt0000003", "similar_id": "tt0000004", "source": "imdb-more-like-this", "rank": 1}])


@pytest.mark.parametrize("page, patched, patched_when_it_goes", [
    # a page of known films and people: new values, a credit added, a link: the index is patched
    (_KNOWN_PAGE, True, True),
    # a person and a film the store does not have: nodes come, after the old ones of their kind, and go
    # again (the numbers after theirs close up): patched
    (FilmGraph.from_records(films=[{"id": "tt0000003", "title": "F3", "rating": 7.5, "votes": 999}, {"id": "tt0000999", "title": "New film"}],
                            people=[{"id": "nm0000999", "name": "New"}, {"id": "name:newcomer", "name": "Newcomer"}],
                            credits=[{"person_id": "nm0000999", "film_id": "tt0000003", "role": "actor"},
                                     {"person_id": "name:newcomer", "film_id": "tt0000003", "role": "actor"},
                                     {"person_id": "nm0000002", "film_id": "tt0000999", "role": "director"}],
                            similar=[{"film_id": "tt0000003", "similar_id": "tt0000999", "source": "imdb-more-like-this",
                                      "rank": 1}]), True, True),
    # a role the store has no credit of: its role names change: built anew
    (FilmGraph.from_records(films=[{"id": "tt0000003", "title": "F3"}],
                            credits=[{"person_id": "nm0000001", "film_id": "tt0000003", "role": "composer"}]), False, False),
])
def test_a_page_patches_the_index_when_it_keeps_the_numbering(tmp_path, monkeypatch, patched_writes, page, patched,
                                                              patched_when_it_goes):
    twins = _Twins(tmp_path, monkeypatch)
    twins.load({"imdb-datasets": _datasets()})
    twins.load({"page:tt0000003": page})
    assert patched_writes[-1] is patched
    mirror = twins.touched.mirror()
    assert mirror.label(mirror.index_of("tt0000003")) == "F3"
    assert mirror.films.set_index("id").loc["tt0000003", "votes"] == (999 if patched else 30)
    # the same page again: nothing comes or goes; a newer copy without its credits takes them away again
    twins.load({"page:tt0000003": page})
    assert patched_writes[-1] is True
    twins.load({"page:tt0000003": FilmGraph.from_records(films=[{"id": "tt0000003", "title": "F3"}])})
    assert patched_writes[-1] is patched_when_it_goes
    assert len(twins.touched.mirror().credit_person) == 80


def test_a_node_coming_to_a_store_with_nodes_named_by_credits_alone_builds_the_index_anew(
        tmp_path, monkeypatch, patched_writes):
    datasets = _datasets()
    datasets = FilmGraph.from_records(  # nm0000100 and tt0000100 have no rows
        films=datasets.films.to_dict("records"), people=datasets.people.to_dict("records"),
        credits=datasets.credits.to_dict("records") + [{"person_id": "nm0000100", "film_id": "tt0000100", "role": "actor"}])
    twins = _Twins(tmp_path, monkeypatch)
    twins.load({"imdb-datasets": datasets})
    twins.load({"page:tt0000003": _KNOWN_PAGE})
    assert patched_writes[-1] is True  # no node comes: the numbering holds
    twins.load({"page:new": FilmGraph.from_records(people=[{"id": "nm0000999", "name": "New"}])})
    assert patched_writes[-1] is False


def _random_known_page(rng: random.Random, n: int = 40, new: int = 0) -> FilmGraph:
    """A page naming only films and people of :func:`_datasets`, with values of its own (titles and names too).

    ``new``: ids past :func:`_datasets`' may come too, each with a row of the page's own.
    """
    n += new
    films = [{"id": f"tt{i:07d}", "title": rng.choice([f"F{i}", "Amélie", ""]), "rating": rng.choice([None, 6.5]),
              "votes": rng.choice([None, 5, 10 ** 6]), "plot": rng.choice([None, "A plot."]),
              "genres": rng.sample(["Drama", "War"], rng.randint(0, 2))} for i in rng.sample(range(n), rng.randint(1, 4))]
    people = [{"id": f"nm{i:07d}", "name": rng.choice([f"P{i}", "Zoë Kravitz"]), "birth_year": rng.choice([None, 1980])}
              for i in rng.sample(range(n), rng.randint(0, 4))]
    credits = {}
    for _ in range(rng.randint(0, 6)):
        key = (f"nm{rng.randrange(n):07d}", f"tt{rng.randrange(n):07d}", rng.choice(["actor", "director"]))
        credits[key] = {"person_id": key[0], "film_id": key[1], "role": key[2], "billing": rng.choice([None, 1]),
                        "characters": rng.sample(["Ruth", "Kathy"], rng.randint(0, 2))}
    similar = [{"film_id": films[0]["id"], "similar_id": f"tt{i:07d}", "source": "imdb-more-like-this", "rank": rank}
               for rank, i in enumerate(rng.sample(range(n), rng.randint(0, 3)), 1)]
    named = {row["id"] for row in films + people}
    for node in sorted({value for row in [*credits.values(), *similar] for value in row.values()
                        if isinstance(value, str) and value[2:].isdigit() and int(value[2:]) >= n - new} - named):
        (films.append({"id": node, "title": "New"}) if node.startswith("tt") else people.append({"id": node, "name": "New"}))
    return FilmGraph.from_records(films=films, people=people, credits=list(credits.values()), similar=similar)


@pytest.mark.parametrize("seed", range(6))
def test_random_pages_of_known_films_and_people_patch_the_index_as_built_anew(tmp_path, monkeypatch, patched_writes, seed):
    rng = random.Random(seed)
    twins = _Twins(tmp_path, monkeypatch)  # each load: the index patched is the one built anew
    twins.load({"imdb-datasets": _datasets()})
    for step in range(6):
        twins.load({f"page:{rng.choice('abc')}": _random_known_page(rng)})
    assert sum(patched_writes) >= 4, patched_writes  # (a role's first credit may go: then it is built anew)


@pytest.mark.parametrize("seed", range(4))
def test_random_pages_bringing_new_films_and_people_patch_the_index_as_built_anew(tmp_path, monkeypatch, patched_writes,
                                                                                   seed):
    rng = random.Random(seed)
    twins = _Twins(tmp_path, monkeypatch)
    twins.load({"imdb-datasets": _datasets()})
    for step in range(6):
        twins.load({f"page:{rng.choice('abc')}": _random_known_page(rng, new=8)})
    assert sum(patched_writes) >= 5, patched_writes  # (a role's first credit may go: then it is built anew)


def _labelled_store(path) -> tuple[LocalStore, FilmGraph]:
    imdb = FilmGraph.from_records(
        films=[{"id": f"tt{i:07d}", "title": f"F{i}"} for i in range(30)] + [{"id": "tt0000777", "title": "Ørsted"}],
        people=[{"id": f"nm{i:07d}", "name": f"P{i}"} for i in range(30)] + [{"id": "nm0000777", "name": "Zoë Mia"}],
        credits=[{"person_id": f"nm{i:07d}", "film_id": f"tt{i:07d}", "role": "actor"} for i in range(30)])
    store = LocalStore(path)
    store.load({"imdb-datasets": imdb})
    return store, imdb


def test_a_page_stores_the_label_keys_of_other_sources_and_the_next_page_reads_them(tmp_path, monkeypatch):
    from reelgraph._label_keys import LabelKeys

    store, imdb = _labelled_store(tmp_path / "store")
    datasets = store.path / "parts" / "0000-imdb-datasets"
    assert not list(datasets.glob("*.labels.arrow"))  # worked out by the first page that needs them
    page = FilmGraph.from_records(people=[{"id": "name:zoe-mia", "name": "Zoe Mia"}],
                                  credits=[{"person_id": "name:zoe-mia", "film_id": "tt0000003", "role": "actor"}])
    store.load({"page:tt0000003": page})
    for table, column in (("films", "title"), ("people", "name")):
        expected = LabelKeys.of(pa.Table.from_pandas(getattr(imdb, table)[["id", column]], preserve_index=False), table)
        stored = LabelKeys.read(datasets, table)
        assert stored.hashes.tolist() == expected.hashes.tolist() and stored.flags.tolist() == expected.flags.tolist()
        assert not stored.derived().any()

    worked_out = []
    of = LabelKeys.of.__func__
    monkeypatch.setattr(LabelKeys, "of", classmethod(lambda cls, keys, table: worked_out.append(len(keys)) or of(cls, keys, table)))
    another = FilmGraph.from_records(people=[{"id": "name:zoe-mia", "name": "ZOE MIA"}],
                                     credits=[{"person_id": "name:zoe-mia", "film_id": "tt0000004", "role": "director"}])
    merged, changes = store.load({"page:tt0000004": another})
    assert len(imdb.people) not in worked_out and len(imdb.films) not in worked_out  # the datasets' are read
    credits = merged.read().credits
    assert sorted(credits.loc[credits["person_id"] == "nm0000777", ["film_id", "role"]].itertuples(index=False, name=None)) == [
        ("tt0000003", "actor"), ("tt0000004", "director")]
    assert not credits["person_id"].str.startswith("name:").any()
    assert changes["credits"] == {"added": 1, "updated": 0, "removed": 0}


def test_label_keys_made_from_other_files_or_damaged_are_not_trusted(tmp_path):
    from reelgraph._label_keys import LabelKeys

    store, _ = _labelled_store(tmp_path / "store")
    folder = store.path / "parts" / "0000-imdb-datasets"
    keys = LabelKeys(np.zeros(31, "uint64"), np.ones(31, "uint8"))
    keys.write(folder, "people", made_from=folder)
    assert LabelKeys.read(folder, "people").flags.tolist() == [1] * 31
    people = folder / "people.parquet"
    os.utime(people, ns=(people.stat().st_atime_ns, people.stat().st_mtime_ns + 1))  # another file now
    assert LabelKeys.read(folder, "people") is None
    LabelKeys(keys.hashes[:30], keys.flags[:30]).write(folder, "people", made_from=folder)  # a row short
    assert LabelKeys.read(folder, "people") is None
    (folder / "people.labels.arrow").write_bytes(b"ARROW1\x00\x00 cut short")
    assert LabelKeys.read(folder, "people") is None
    assert LabelKeys.read(folder, "films") is None  # none stored


def test_label_keys_written_into_a_new_version_leave_the_old_versions_file_alone(tmp_path):
    from reelgraph._label_keys import LabelKeys

    store, _ = _labelled_store(tmp_path / "store")
    folder = store.path / "parts" / "0000-imdb-datasets"
    LabelKeys(np.zeros(31, "uint64"), np.ones(31, "uint8")).write(folder, "people", made_from=folder)
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy, copy_function=os.link)  # as a store write links the source's files
    LabelKeys(np.ones(31, "uint64"), np.ones(31, "uint8")).write(copy, "people", made_from=folder)
    assert LabelKeys.read(folder, "people").hashes.tolist() == [0] * 31
    assert LabelKeys.read(copy, "people").hashes.tolist() == [1] * 31


def test_credits_only_appended_grow_the_old_credit_arrays_in_place_and_each_version_reads_its_own_rows(
        tmp_path, monkeypatch):
    store = LocalStore(tmp_path / "store")
    store.load({"imdb-datasets": _datasets()})
    index = store.path / INDEX_FOLDER
    before = store.mirror(progress=False)
    n_before = len(before.credit_person)
    old_people, old_films = np.array(before.credit_person), np.array(before.credit_film)
    inodes = {name: (index / f"{name}.npy").stat().st_ino for name in ("credit_person", "credit_film", "credit_role")}
    extend_credits, grown = index_reuse.Reused.extend_credits, {}

    def spied(reused, writer):
        assert {name: len(reused.arrays[name]) for name in inodes} == dict.fromkeys(inodes, 1)  # the appended row only
        extend_credits(reused, writer)
        grown.update((name, reused.arrays[name]) for name in inodes)

    with monkeypatch.context() as patched:  # no node renumbered: views, degrees, collaborators from the old files
        for name in ("view", "collaborators"):
            patched.setattr(index_reuse.Reused, name, lambda *args: pytest.fail("made in memory"))
        patched.setattr(index_reuse.Reused, "extend_credits", spied)
        store.load({"page:tt0000003": FilmGraph.from_records(
            films=[{"id": "tt0000003", "title": "F3"}],
            credits=[{"person_id": "nm0000009", "film_id": "tt0000003", "role": "director"}])})
    # the new arrays were mapped from the grown files, never joined in memory
    assert all(isinstance(array, np.memmap) and len(array) == n_before + 1 for array in grown.values())
    assert {name: (index / f"{name}.npy").stat().st_ino for name in inodes} == inodes  # the same files, grown
    after = store.mirror(progress=False)
    assert len(after.credit_person) == n_before + 1
    assert (after.credit_person[-1], after.credit_film[-1]) == (after.index_of("nm0000009"), after.index_of("tt0000003"))
    # the version mapped before reads its own rows still, from the file that grew under it
    assert len(before.credit_person) == n_before and np.array_equal(before.credit_person, old_people)
    assert np.array_equal(before.credit_film, old_films)
    _assert_index_is_built_anew(store, tmp_path / "anew")  # header and all: the file np.save writes

    # A write cut short after appending leaves rows past the index's: the index opens, and the next write cuts them off.
    with open(index / "credit_person.npy", "ab") as file:
        file.write(b"\xff" * 64)
    opened, why = open_index(store.path, store_version(store.manifest()))
    assert why == "" and len(opened.credit_person) == n_before + 1
    store.load({"page:tt0000004": FilmGraph.from_records(
        films=[{"id": "tt0000004", "title": "F4"}],
        credits=[{"person_id": "nm0000009", "film_id": "tt0000004", "role": "director"}])})
    assert (index / "credit_person.npy").stat().st_ino == inodes["credit_person"]
    _assert_index_is_built_anew(store, tmp_path / "anew")

    # A new person renumbers every film: the arrays are written anew, and the old files stay as they were.
    store.load({"page:tt0000005": FilmGraph.from_records(
        people=[{"id": "nm0000999", "name": "New"}],
        credits=[{"person_id": "nm0000999", "film_id": "tt0000005", "role": "actor"}])})
    assert (index / "credit_person.npy").stat().st_ino != inodes["credit_person"]
    _assert_index_is_built_anew(store, tmp_path / "anew")


def test_credit_arrays_shared_with_a_store_copied_by_hard_links_are_written_whole(tmp_path):
    store = LocalStore(tmp_path / "store")
    store.load({"imdb-datasets": _datasets()})
    shutil.copytree(store.path, tmp_path / "copy", copy_function=os.link)  # as cp -al
    copy = LocalStore(tmp_path / "copy")
    files = {path: (path.stat().st_ino, path.stat().st_size) for path in (store.path / INDEX_FOLDER).glob("credit_*.npy")}
    copy.load({"page:tt0000003": FilmGraph.from_records(
        films=[{"id": "tt0000003", "title": "F3"}],
        credits=[{"person_id": "nm0000009", "film_id": "tt0000003", "role": "director"}])})
    assert {path: (path.stat().st_ino, path.stat().st_size) for path in files} == files  # the original's, untouched
    assert all((copy.path / INDEX_FOLDER / path.name).stat().st_ino != ino for path, (ino, _) in files.items())
    assert len(copy.mirror(progress=False).credit_person) == len(store.mirror(progress=False).credit_person) + 1


@pytest.mark.parametrize("kernel_copy", ["missing", "refused"])
def test_a_patched_index_is_the_same_where_the_kernel_cannot_copy_files(tmp_path, monkeypatch, kernel_copy):
    store = LocalStore(tmp_path / "store")
    store.load({"imdb-datasets": _datasets()})

    def refused(*args, **kwargs):
        raise OSError(18, "Invalid cross-device link")

    if kernel_copy == "missing":  # (another system than Linux)
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    else:
        monkeypatch.setattr(os, "copy_file_range", refused)
    store.load({"page:tt0000003": _KNOWN_PAGE})
    _assert_index_is_built_anew(store, tmp_path / "anew")


def test_a_view_delta_grows_over_pages_links_its_base_and_is_compacted_past_its_share(tmp_path, monkeypatch, view_deltas):
    if view_deltas == "views whole":
        pytest.skip("one run is enough: it sets the share itself")
    store = LocalStore(tmp_path / "store")
    store.load({"imdb-datasets": _datasets()})
    index = store.path / INDEX_FOLDER
    base = {part: (index / f"view0_{part}.npy").stat().st_ino for part in ("indptr", "indices")}
    counts = {name: (index / f"{name}.npy").stat().st_ino
              for name in ("degrees", "collaborators", "view0_degree", "film_year", "film_votes")}

    def page(film, person):
        store.load({f"page:{film}": FilmGraph.from_records(
            films=[{"id": film, "title": film}], credits=[{"person_id": person, "film_id": film, "role": "actor"}])})
        _assert_index_is_built_anew(store, tmp_path / "anew")
        mirror = store.mirror(progress=False)
        return mirror, mirror.view(mirror.role_set())

    mirror, view = page("tt0000003", "nm0000009")
    assert {part: (index / f"view0_{part}.npy").stat().st_ino for part in base} == base  # the base linked
    # and the degrees and counts too, with the rows that changed as their overlays
    assert {name: (index / f"{name}.npy").stat().st_ino for name in counts} == counts
    # (the years and votes did not change: linked as they are)
    assert set(json.loads((index / "index.json").read_text())["overlays"]) >= {"degrees", "collaborators", "view0_degree"}
    degree = np.load(index / "view0_degree_overlay_nodes.npy")
    assert mirror.index_of("nm0000009") in degree and view.degree[mirror.index_of("nm0000009")] == len(
        view.row(mirror.index_of("nm0000009")))
    held = view.delta_nodes.tolist()
    assert mirror.index_of("tt0000003") in held and mirror.index_of("nm0000009") in held
    assert mirror.ids[view.row(mirror.index_of("nm0000009"))].tolist().count("tt0000003") == 1

    mirror, view = page("tt0000004", "nm0000008")  # the first page's rows stay held, with this one's
    assert set(held) < set(view.delta_nodes.tolist()) and mirror.index_of("tt0000004") in view.delta_nodes
    assert {part: (index / f"view0_{part}.npy").stat().st_ino for part in base} == base

    monkeypatch.setattr(index_reuse, "DELTA_SHARE", 0.0)  # past its share: the view is written whole again
    monkeypatch.setattr(index_reuse, "OVERLAY_SHARE", 0.0)  # and the degrees and counts
    mirror, view = page("tt0000005", "nm0000007")
    assert not view.has_delta and not list(index.glob("view*_delta_*")) and not list(index.glob("*_overlay_*"))
    assert (index / "view0_indices.npy").stat().st_ino != base["indices"]
    assert all((index / f"{name}.npy").stat().st_ino != counts[name] for name in ("degrees", "collaborators", "view0_degree"))
    assert all((index / f"{name}.npy").stat().st_ino == counts[name] for name in ("film_year", "film_votes"))  # unchanged


def test_an_overlay_that_does_not_fit_its_array_is_damage(tmp_path, view_deltas):
    if view_deltas == "views whole":
        pytest.skip("overlays only")
    store = LocalStore(tmp_path / "store")
    store.load({"imdb-datasets": _datasets()})
    store.load({"page:tt0000003": FilmGraph.from_records(
        films=[{"id": "tt0000003", "title": "F3"}], credits=[{"person_id": "nm0000009", "film_id": "tt0000003", "role": "actor"}])})
    index = store.path / INDEX_FOLDER
    nodes = np.load(index / "degrees_overlay_nodes.npy")
    np.save(index / "degrees_overlay_nodes.npy", nodes + 10**6)  # past the array's end (the same size of file)
    mirror, why = open_index(store.path, store_version(store.manifest()))
    assert mirror is None and why.startswith("damaged (the overlay of degrees.npy does not fit it")
