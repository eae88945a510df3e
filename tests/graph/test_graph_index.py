"""The persisted graph index (reelgraph.graph_index): what it maps equals what is built in memory; never trusted stale."""

import json
import logging
import random
import shutil

import numpy as np
import pandas as pd
import pytest
from reelgraph.analysis.paths import bacon_numbers, costar_path
from reelgraph.analysis.similarity import similar_films
from reelgraph.analysis.stats import graph_stats
from reelgraph.graph_index import INDEX_FOLDER, open_index, store_version, write_index
from reelgraph.loaders import read_sources
from reelgraph.loaders.sample import SAMPLE_SOURCES
from reelgraph.mirror import build_mirror
from reelgraph.model import FilmGraph
from reelgraph.store import LocalStore

ARRAYS = ("credit_person", "credit_film", "credit_role", "similar_src", "similar_dst", "film_year", "film_votes")


def _random_graph(seed: int) -> FilmGraph:
    """Films, people, credits and links with gaps: nameless people, ids only a credit or a link names, stubs, lists."""
    rng = random.Random(seed)
    titles = ["Jane Eyre", "Amélie", "Zoë", "Atonement", "", "Never Let Me Go"]
    films = [{"id": f"tt{i:07d}", "title": rng.choice(titles) or None, "year": rng.choice([None, 1999, 2011]),
              "votes": rng.choice([None, 10, 5000]), "rating": rng.choice([None, 6.5]), "stub": rng.random() < 0.1,
              "genres": rng.sample(["Drama", "War", "Romance"], rng.randint(0, 2)),
              "keywords": rng.sample(["boarding school", "clone", "love"], rng.randint(0, 3))}
             for i in range(rng.randint(1, 40))]
    films += [{"id": f"title:stub-{i}", "title": f"Stub {i}", "stub": True} for i in range(rng.randint(0, 3))]
    people = [{"id": f"nm{i:07d}", "name": rng.choice(["Keira Knightley", "Zoë Kravitz", None, "Mia"]),
               "birth_year": rng.choice([None, 1985]), "professions": rng.sample(["actor", "writer"], rng.randint(0, 2))}
              for i in range(rng.randint(0, 30))]
    film_ids = [f["id"] for f in films] + ["tt9999999"]  # one named only by credits and links
    person_ids = [p["id"] for p in people] + ["nm9999999"]
    credits = {}
    for _ in range(rng.randint(0, 120)):
        key = (rng.choice(person_ids), rng.choice(film_ids), rng.choice(["actor", "actress", "director", "self", "editor"]))
        credits[key] = {"person_id": key[0], "film_id": key[1], "role": key[2], "billing": rng.choice([None, 1, 3]),
                        "characters": rng.sample(["Ruth", "Kathy", "Tommy"], rng.randint(0, 2))}
    similar = {}
    for _ in range(rng.randint(0, 20)):
        key = (rng.choice(film_ids), rng.choice(film_ids))
        similar[key] = {"film_id": key[0], "similar_id": key[1], "rank": rng.randint(1, 12), "source": "imdb-more-like-this"}
    return FilmGraph.from_records(films, people, list(credits.values()), list(similar.values()))


def _persisted(graph: FilmGraph, folder):
    write_index(graph, folder, "v1")
    mirror, why = open_index(folder, "v1")
    assert why == ""
    return mirror


def _assert_same_mirror(persisted, built):
    assert (persisted.n_people, persisted.n_films, persisted.role_names) == (built.n_people, built.n_films, built.role_names)
    assert np.asarray(persisted.ids).tolist() == built.ids.tolist()
    assert np.asarray(persisted.labels).tolist() == built.labels.tolist()
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(persisted, name), getattr(built, name), err_msg=name)
    np.testing.assert_array_equal(persisted.degrees(), built.degrees())
    for roles in {built.role_set(), built.role_set(actors_only=False), frozenset(built.role_names), frozenset({"editor"})}:
        a, b = persisted.view(roles), built.view(roles)
        for part in ("indptr", "indices", "degree"):
            np.testing.assert_array_equal(getattr(a, part), getattr(b, part), err_msg=f"{sorted(roles)} {part}")
    for node_id in built.ids.tolist() + ["tt0000000", "nobody"]:
        expected = built.index_of(node_id) if node_id in built else None
        assert (persisted.index_of(node_id) if node_id in persisted else None) == expected
    np.testing.assert_array_equal(persisted.indexes_of(["nobody", *built.ids[::-1]]),
                                  built.indexes_of(["nobody", *built.ids[::-1]]))
    for table in FilmGraph.TABLES:
        pd.testing.assert_frame_equal(getattr(persisted.film_graph, table), getattr(built.film_graph, table))
    pd.testing.assert_frame_equal(persisted.people, built.people)
    pd.testing.assert_frame_equal(persisted.films, built.films)
    G, H = persisted.nx, built.nx
    assert dict(G.nodes(data=True)) == dict(H.nodes(data=True))
    assert sorted(G.edges(data=True)) == sorted(H.edges(data=True))
    assert sorted(G.graph["similar"].edges(data=True)) == sorted(H.graph["similar"].edges(data=True))
    assert graph_stats(persisted) == graph_stats(built.film_graph)


def test_the_persisted_index_of_the_sample_is_the_mirror_built_in_memory(tmp_path):
    graph = read_sources(SAMPLE_SOURCES)
    persisted, built = _persisted(graph, tmp_path), build_mirror(graph)
    _assert_same_mirror(persisted, built)
    for a, b in [("Keira Knightley", "Andrew Garfield"), ("name:keira-knightley", "Charlotte Rampling")]:
        assert costar_path(persisted, a, b).path == costar_path(built, a, b).path
    assert bacon_numbers(persisted, "Carey Mulligan").histogram == bacon_numbers(built, "Carey Mulligan").histogram
    assert similar_films(persisted, "tt1334260", top=5) == similar_films(built, "tt1334260", top=5)
    ball = built.neighbourhood(["tt1334260"], 1)
    assert persisted.neighbourhood(["tt1334260"], 1) == ball
    cut, whole = persisted.to_networkx(nodes=ball), built.to_networkx(nodes=ball)
    assert sorted(cut.edges(data=True)) == sorted(whole.edges(data=True))
    assert cut.graph["degree"] == whole.graph["degree"]


@pytest.mark.parametrize("seed", range(12))
def test_the_persisted_index_of_random_graphs_is_the_mirror_built_in_memory(tmp_path, seed):
    graph = _random_graph(seed)
    _assert_same_mirror(_persisted(graph, tmp_path), build_mirror(graph))


def test_an_index_of_another_store_version_is_stale(tmp_path):
    write_index(FilmGraph.empty(), tmp_path, "v1")
    assert open_index(tmp_path, "v2") == (None, "stale")
    assert open_index(tmp_path / "elsewhere", "v1") == (None, "missing")


def test_every_store_write_writes_a_fresh_index(tmp_path):
    store = LocalStore(tmp_path / "store")
    store.load({"sample": read_sources(SAMPLE_SOURCES)})
    first = store_version(store.manifest())
    assert open_index(store.path, first)[1] == ""
    store.merge(FilmGraph.from_records(films=[{"id": "tt0000001", "title": "A new film"}]), key="extra")
    second = store_version(store.manifest())
    assert second != first and open_index(store.path, second)[1] == ""
    mirror = store.mirror()
    assert mirror.label(mirror.index_of("tt0000001")) == "A new film"


@pytest.mark.parametrize("damage", ["delete", "truncate", "garble-json", "stale"])
def test_a_missing_damaged_or_stale_index_is_rebuilt_with_a_message(tmp_path, caplog, damage):
    store = LocalStore(tmp_path / "store")
    store.load({"sample": read_sources(SAMPLE_SOURCES)})
    index = store.path / INDEX_FOLDER
    if damage == "delete":
        for item in index.iterdir():
            item.unlink()
        index.rmdir()
    elif damage == "truncate":
        (index / "view0_indices.npy").write_bytes((index / "view0_indices.npy").read_bytes()[:100])
    elif damage == "garble-json":
        (index / "index.json").write_text("{not json")
    else:
        meta = json.loads((index / "index.json").read_text())
        (index / "index.json").write_text(json.dumps({**meta, "store_version": "an older one"}))
    with caplog.at_level(logging.WARNING):
        mirror = store.mirror()
    expected = {"delete": "missing", "truncate": "damaged", "garble-json": "damaged", "stale": "stale"}[damage]
    assert any(f"the graph index is {expected}" in r.getMessage() for r in caplog.records)
    assert costar_path(mirror, "Keira Knightley", "Andrew Garfield").distance == 1
    _assert_same_mirror(mirror, build_mirror(store.read()))
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        store.mirror()  # rebuilt once: trusted from now on
    assert not caplog.records


def test_a_store_that_cannot_be_written_is_read_through_a_mirror_built_in_memory(tmp_path, caplog, monkeypatch):
    import reelgraph.graph_index as graph_index

    store = LocalStore(tmp_path / "store")
    store.load({"sample": read_sources(SAMPLE_SOURCES)})
    shutil.rmtree(store.path / INDEX_FOLDER)

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(graph_index, "write_index", refused)
    with caplog.at_level(logging.WARNING):
        mirror = store.mirror()
    assert any("cannot write the graph index (Permission denied)" in r.getMessage() for r in caplog.records)
    assert costar_path(mirror, "Keira Knightley", "Andrew Garfield").distance == 1
    assert not (store.path / INDEX_FOLDER).exists()
