"""The persisted graph index (reelgraph.graph_index): what it maps equals what is built in memory; never trusted stale."""

import json
import logging
import random
import re
import shutil

import numpy as np
import pandas as pd
import pytest
from reelgraph.analysis.paths import bacon_numbers, costar_path
from reelgraph.analysis.similarity import similar_films
from reelgraph.analysis.stats import graph_stats
import pyarrow as pa
from reelgraph._index_build import factorize, id_hashes
from reelgraph.graph_index import INDEX_FOLDER, INDEX_FORMAT, open_index, store_version, write_index, write_index_from_tables
from reelgraph.loaders import read_sources
from reelgraph.loaders.sample import SAMPLE_SOURCES
from reelgraph.mirror import build_mirror
from reelgraph.model import FilmGraph
from reelgraph.store import LocalStore, _write_tables

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


def test_a_mirror_whose_read_pages_were_let_go_reads_the_same(tmp_path):
    """A writer patching an index drops the pages it read of the old one (madvise): they come back from the file."""
    import mmap

    from reelgraph._index_reuse import _forget_pages

    graph = read_sources(SAMPLE_SOURCES)
    persisted, built = _persisted(graph, tmp_path), build_mirror(graph)
    _assert_same_mirror(persisted, built)
    assert len(persisted.mapped_files) >= 5 and all(isinstance(m, mmap.mmap) for m in persisted.mapped_files)
    _forget_pages(persisted)
    _assert_same_mirror(persisted, built)
    assert costar_path(persisted, "Keira Knightley", "Andrew Garfield").path == \
        costar_path(built, "Keira Knightley", "Andrew Garfield").path


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


@pytest.mark.parametrize("damage", ["delete", "truncate", "truncate-chunk", "truncate-credits", "garble-json", "stale", "format"])
def test_a_missing_damaged_or_stale_index_is_rebuilt_with_a_message(tmp_path, caplog, damage):
    store = LocalStore(tmp_path / "store")
    store.load({"sample": read_sources(SAMPLE_SOURCES)})
    index = store.path / INDEX_FOLDER
    if damage == "delete":
        shutil.rmtree(index)
    elif damage == "truncate":
        (index / "view0_indices.npy").write_bytes((index / "view0_indices.npy").read_bytes()[:100])
    elif damage == "truncate-credits":  # an array that may grow (index.json gives its length) may not shrink
        (index / "credit_film.npy").write_bytes((index / "credit_film.npy").read_bytes()[:-4])
    elif damage == "truncate-chunk":
        (index / "credits" / "000000.arrow").write_bytes((index / "credits" / "000000.arrow").read_bytes()[:100])
    elif damage == "garble-json":
        (index / "index.json").write_text("{not json")
    elif damage == "format":  # an index written by an earlier reelgraph: read by none of its readers
        meta = json.loads((index / "index.json").read_text())
        (index / "index.json").write_text(json.dumps({**meta, "format": 1}))
    else:
        meta = json.loads((index / "index.json").read_text())
        (index / "index.json").write_text(json.dumps({**meta, "store_version": "an older one"}))
    with caplog.at_level(logging.WARNING):
        mirror = store.mirror()
    expected = {"delete": "missing", "truncate": "damaged", "truncate-chunk": "damaged", "truncate-credits": "damaged",
                "garble-json": "damaged",
                "stale": "stale", "format": f"of another format (1; this reelgraph reads {INDEX_FORMAT})"}[damage]
    assert any(f"the graph index is {expected}" in r.getMessage() for r in caplog.records)
    assert costar_path(mirror, "Keira Knightley", "Andrew Garfield").distance == 1
    _assert_same_mirror(mirror, build_mirror(store.read()))
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        store.mirror()  # rebuilt once: trusted from now on
    assert not caplog.records


def test_an_index_of_format_3_is_read_as_it_is(tmp_path, caplog):
    store = LocalStore(tmp_path / "store")
    store.load({"sample": read_sources(SAMPLE_SOURCES)})
    index = store.path / INDEX_FOLDER
    meta = json.loads((index / "index.json").read_text())
    assert meta["format"] == INDEX_FORMAT == 4
    (index / "index.json").write_text(json.dumps({**meta, "format": 3}))  # a format-3 index: format 4 without deltas
    with caplog.at_level(logging.WARNING):
        mirror = store.mirror()
    assert not caplog.records and json.loads((index / "index.json").read_text())["format"] == 3
    assert costar_path(mirror, "Keira Knightley", "Andrew Garfield").distance == 1


def test_a_store_that_cannot_be_written_is_read_through_a_mirror_built_in_memory(tmp_path, caplog, monkeypatch):
    import reelgraph.graph_index as graph_index

    store = LocalStore(tmp_path / "store")
    store.load({"sample": read_sources(SAMPLE_SOURCES)})
    shutil.rmtree(store.path / INDEX_FOLDER)

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(graph_index, "write_index_from_tables", refused)
    with caplog.at_level(logging.WARNING):
        mirror = store.mirror()
    assert any("cannot write the graph index (Permission denied)" in r.getMessage() for r in caplog.records)
    assert costar_path(mirror, "Keira Knightley", "Andrew Garfield").distance == 1
    assert not (store.path / INDEX_FOLDER).exists()


# -- the index written from the store's Parquet tables (write_index_from_tables) ------------------------


def _edge_graph(seed: int) -> FilmGraph:
    """What a merged store rarely has but the tables allow: repeated or missing own ids, missing roles, tables all empty."""
    rng = random.Random(seed)
    graph = _random_graph(seed)
    films, people, credits, similar = (getattr(graph, t).copy() for t in FilmGraph.TABLES)
    if len(people) > 2 and rng.random() < 0.5:  # a repeated id (its first row counts) and a row without id
        people = pd.concat([people, people.iloc[[0]].assign(name="Another"), people.iloc[[1]].assign(id=None)],
                           ignore_index=True)
    if rng.random() < 0.3:
        films = films.iloc[:0]  # every film named only by credits and links
    if rng.random() < 0.3:
        people = people.iloc[:0]
    if len(credits):
        roles = ["archive_footage", None, "archive_sound", "Actor", "cinematographer"]
        credits.loc[credits.sample(frac=0.3, random_state=seed).index, "role"] = rng.choice(roles)
    if len(films) and rng.random() < 0.3:
        films["title"] = None  # a text column of nothing but missing values, and lists all empty
        films["genres"] = [[] for _ in range(len(films))]
    return FilmGraph(films=films, people=people, credits=credits, similar=similar)


def _write_both(graph: FilmGraph, folder):
    """The index ``write_index`` writes for ``graph``, and the one written from its Parquet tables as a store has them."""
    old, tables, new = folder / "old", folder / "tables", folder / "new"
    write_index(graph, old, "v1")
    _write_tables(graph, tables)
    write_index_from_tables(tables, new, "v1")
    return old / INDEX_FOLDER, new / INDEX_FOLDER


def _index_files(folder) -> list[str]:
    """An index's files, those of its chunk folders too, as paths relative to it."""
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())


def _without_sources(meta: str) -> dict:
    """``index.json`` without its chunks' sources, which name the store files' inodes: two stores' differ."""
    meta = json.loads(meta)
    for chunks in meta["chunks"].values():
        for chunk in chunks:
            chunk["source"] = None
    return meta


def _without_deltas(meta: dict) -> dict:
    """``index.json`` without the files of views' deltas and arrays' overlays (a patched index's: see
    :func:`_whole_arrays`), nor the sizes of the files they patch (compared whole instead)."""
    meta.pop("overlays", None)
    meta["arrays"] = [name for name in meta["arrays"] if "_delta_" not in name and "_overlay_" not in name]
    meta["files"] = {name: size for name, size in meta["files"].items() if "_delta_" not in name and "_overlay_" not in name
                     and not re.fullmatch(PATCHABLE, name)}
    return meta


#: The index files a patched index may hold as a base with a delta or an overlay (compared whole).
PATCHABLE = r"view\d+_(indptr|indices|degree)\.npy|degrees\.npy|collaborators\.npy|film_year\.npy|film_votes\.npy"


def _whole_arrays(folder) -> dict:
    """``{file name: array}``: the files a view's delta or an array's overlay patches, as the whole array would be."""
    from reelgraph.graph_index import _view, overlaid

    meta = json.loads((folder / "index.json").read_text())
    arrays = {name: np.load(folder / f"{name}.npy") for name in meta["arrays"]}
    whole = {f"{name}.npy": arrays[name] for name in meta.get("overlays", ())}
    for name in meta.get("overlays", ()):
        arrays[name] = whole[f"{name}.npy"] = np.array(
            overlaid(folder / f"{name}.npy", arrays[f"{name}_overlay_nodes"], arrays[f"{name}_overlay_values"]))
    for entry in meta["views"]:
        name = entry["name"]
        if f"{name}_delta_nodes" in arrays:
            indptr, indices = _view(frozenset(entry["roles"]), name, arrays).materialize()
            whole.update({f"{name}_indptr.npy": indptr, f"{name}_indices.npy": indices})
    return whole


def _assert_same_files(old, new):
    """The indexes in ``old`` and ``new`` are the same, file for file; a view of ``new`` with a delta
    (patched) is compared whole, as its base and delta read."""
    assert _index_files(old) == [name for name in _index_files(new) if "_delta_" not in name and "_overlay_" not in name]
    assert _without_deltas(_without_sources((new / "index.json").read_text())) == \
        _without_deltas(_without_sources((old / "index.json").read_text()))
    whole = _whole_arrays(new)
    for name in _index_files(old):
        if name.endswith(".npy"):
            a, b = np.load(old / name), whole.get(name, None)
            b = np.load(new / name) if b is None else b
            assert a.dtype == b.dtype, name
            np.testing.assert_array_equal(a, b, err_msg=name)
        elif name.endswith(".arrow"):
            a, b = (pa.ipc.open_file(str(folder / name)).read_all() for folder in (old, new))
            assert a.schema == b.schema, f"{name}: {a.schema} != {b.schema}"
            assert a.equals(b), name
            assert [c.num_chunks for c in a.columns] == [c.num_chunks for c in b.columns], name


def test_the_index_from_the_tables_of_the_sample_is_the_one_from_its_graph(tmp_path):
    old, new = _write_both(read_sources(SAMPLE_SOURCES), tmp_path)
    _assert_same_files(old, new)


@pytest.mark.parametrize("seed", range(12))
def test_the_index_from_the_tables_of_random_graphs_is_the_one_from_their_graph(tmp_path, seed):
    _assert_same_files(*_write_both(_random_graph(seed), tmp_path))


@pytest.mark.parametrize("seed", range(24))
def test_the_index_from_tables_with_gaps_is_the_one_from_their_graph(tmp_path, seed):
    graph = _edge_graph(seed)
    old, new = _write_both(graph, tmp_path)
    _assert_same_files(old, new)
    if graph.people["id"].is_unique and graph.people["id"].notna().all():  # as a store's tables always are
        mirror, why = open_index(tmp_path / "new", "v1")
        assert why == ""
        _assert_same_mirror(mirror, build_mirror(graph))


@pytest.mark.parametrize("graph", [
    FilmGraph.empty(),
    FilmGraph.from_records(credits=[{"person_id": "nm0000001", "film_id": "tt0000001", "role": "self"}]),
    FilmGraph.from_records(similar=[{"film_id": "tt0000001", "similar_id": "tt0000002", "rank": 1,
                                     "source": "imdb-more-like-this"}]),
    FilmGraph.from_records(people=[{"id": "nm0000001", "name": "Zoë Wanamaker"}]),
    FilmGraph.from_records(films=[{"id": "tt0000001", "title": "Amélie"}, {"id": "tt0000002", "title": ""}]),
], ids=["empty", "credits only", "links only", "people only", "films only"])
def test_the_index_from_tables_that_are_almost_empty_is_the_one_from_their_graph(tmp_path, graph):
    _assert_same_files(*_write_both(graph, tmp_path))


def test_id_hashes_are_pandas_hashes_without_python_strings():
    ids = ["nm0000001", "tt0000001", "title:jane-eyre:2011", "name:zoë-kravitz", "", "日本語のタイトル", "x" * 77]
    expected = pd.util.hash_array(np.asarray(ids, dtype=object), categorize=False)
    np.testing.assert_array_equal(id_hashes(pa.array(ids)), expected)
    np.testing.assert_array_equal(id_hashes(pa.array(ids).slice(2, 3)), expected[2:5])
    np.testing.assert_array_equal(id_hashes(pa.array(ids, type=pa.large_string())), expected)
    assert id_hashes(pa.array([], type=pa.string())).dtype == np.uint64


def test_factorize_is_pandas_factorize():
    values = ["actor", None, "self", "actor", "", "editor", None, "self"]
    codes, uniques = factorize(pa.chunked_array([values[:3], values[3:]]))
    expected_codes, expected_uniques = pd.factorize(pd.Series(values, dtype=object))
    assert codes.tolist() == expected_codes.tolist() and uniques.to_pylist() == list(expected_uniques)


def test_every_store_write_writes_the_index_a_graph_gives(tmp_path):
    store = LocalStore(tmp_path / "store")
    graph, _ = store.load({"sample": read_sources(SAMPLE_SOURCES)})
    write_index(store.read(), tmp_path / "old", store_version(store.manifest()))
    _assert_same_files(tmp_path / "old" / INDEX_FOLDER, store.path / INDEX_FOLDER)


def test_an_index_is_rebuilt_from_the_tables_without_reading_them_into_pandas(tmp_path, monkeypatch):
    store = LocalStore(tmp_path / "store")
    store.load({"sample": read_sources(SAMPLE_SOURCES)})
    shutil.rmtree(store.path / INDEX_FOLDER)
    import reelgraph.store

    def refused(*args, **kwargs):
        raise AssertionError("the tables were read into pandas")

    monkeypatch.setattr(reelgraph.store, "_read_tables", refused)
    mirror = store.mirror()
    assert costar_path(mirror, "Keira Knightley", "Andrew Garfield").distance == 1


def _numpy_view(person, film, role, keep, n):
    """The CSR rows as the mirror built them before its numba kernel: a sort of every kept pair, then by film."""
    mask = keep[role]
    key = np.sort(person[mask].astype(np.int64) * n + film[mask])
    if len(key):
        key = key[np.concatenate([[True], key[1:] != key[:-1]])]
    p, f = (key // n).astype(np.int32), (key % n).astype(np.int32)
    order = np.argsort(f, kind="stable")
    src, dst = np.concatenate([p, f[order]]), np.concatenate([f, p[order]])
    return dst, np.bincount(src, minlength=n)


@pytest.mark.parametrize("seed", range(20))
def test_the_csr_kernel_gives_the_rows_of_sorting_every_pair(seed):
    from reelgraph._index_build import person_film_csr

    rng = np.random.default_rng(seed)
    n_people, n_films = int(rng.integers(0, 50)), int(rng.integers(1, 50))
    credits = int(rng.integers(0, 400)) if n_people else 0
    person = rng.integers(0, max(n_people, 1), credits).astype(np.int32)
    film = (n_people + rng.integers(0, n_films, credits)).astype(np.int32)
    role = rng.integers(0, 4, credits).astype(np.int16)
    keep = np.array([True, False, rng.random() < 0.5, True, False])
    indices, degree = person_film_csr(person, film, role, keep, n_people + n_films)
    expected_indices, expected_degree = _numpy_view(person, film, role, keep, n_people + n_films)
    np.testing.assert_array_equal(indices, expected_indices)
    np.testing.assert_array_equal(degree, expected_degree)
    assert indices.dtype == np.int32


@pytest.mark.parametrize("seed", range(8))
def test_text_read_as_parquet_dictionaries_is_what_compact_table_makes(tmp_path, seed):
    import pyarrow.parquet as pq
    from reelgraph._index_build import _read
    from reelgraph.graph_index import compact_table

    rng = random.Random(seed)
    n = rng.choice([0, 1, 19, 20, 200, 5000])
    values = {"few": ["actor", "self", "editor", "Zoë", None], "many": [f"job {i}" for i in range(400)] + [None],
              "none": [None]}
    frame = pd.DataFrame({name: pd.Series([rng.choice(pool) for _ in range(n)], dtype=object)
                          for name, pool in values.items()})
    # row groups of their own dictionaries, in another order than the values first appear
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "credits.parquet", row_group_size=64)
    read = _read(tmp_path, "credits", list(values), dictionaries=list(values))
    expected = compact_table(pa.Table.from_pandas(frame, preserve_index=False))
    assert read.schema == expected.schema and read.equals(expected)


@pytest.mark.parametrize("dropped", [{"films": ["cluster"]},  # before clusters existed
                                     {"films": ["incomplete_credits", "complete_credits", "keywords_total", "keyword_relevant",
                                                "keyword_voters"]},
                                     {"people": ["professions", "death_year"], "credits": ["star", "characters"]}])
def test_tables_of_an_older_layout_are_indexed_as_their_canonical_graph(tmp_path, dropped):
    """A store written before some columns existed: indexed as the graph pandas makes of it (those columns empty)."""
    import pyarrow.parquet as pq

    from reelgraph.store import _read_tables

    graph = read_sources(SAMPLE_SOURCES)
    _write_tables(graph, tmp_path / "tables")
    for table, columns in dropped.items():
        path = tmp_path / "tables" / f"{table}.parquet"
        arrow = pq.read_table(path).drop_columns(columns)
        pq.write_table(arrow.select(list(reversed(arrow.column_names))), path)  # and in another order
    write_index(_read_tables(tmp_path / "tables"), tmp_path / "pandas", "v1")
    write_index_from_tables(tmp_path / "tables", tmp_path / "older", "v1")
    _assert_same_files(tmp_path / "pandas" / INDEX_FOLDER, tmp_path / "older" / INDEX_FOLDER)


def test_a_damaged_table_is_a_store_error(tmp_path):
    from reelgraph.errors import StoreError

    _write_tables(read_sources(SAMPLE_SOURCES), tmp_path)
    (tmp_path / "credits.parquet").write_bytes(b"not parquet")
    with pytest.raises(StoreError, match="the store is damaged"):
        write_index_from_tables(tmp_path, tmp_path, "v1")
    assert not (tmp_path / INDEX_FOLDER).exists() and not list(tmp_path.glob(".index.new-*"))


@pytest.mark.parametrize("seed", range(12))
def test_the_csr_kernel_keeps_rows_in_node_order_whatever_the_numbering(seed):
    """People numbered after films, or between them: the rows are still each node's neighbours, in node order."""
    from reelgraph._index_build import person_film_csr

    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 60))
    kinds = rng.random(n) < 0.5  # True: a person
    people, films = np.flatnonzero(kinds), np.flatnonzero(~kinds)
    credits = int(rng.integers(0, 300)) if len(people) and len(films) else 0
    person = rng.choice(people, credits).astype(np.int32) if credits else np.zeros(0, np.int32)
    film = rng.choice(films, credits).astype(np.int32) if credits else np.zeros(0, np.int32)
    role = rng.integers(0, 3, credits).astype(np.int16)
    keep = np.array([True, rng.random() < 0.5, True, False])
    indices, degree = person_film_csr(person, film, role, keep, n)
    rows = [set() for _ in range(n)]
    for p, f, r in zip(person.tolist(), film.tolist(), role.tolist()):
        if keep[r]:
            rows[p].add(f)
            rows[f].add(p)
    assert indices.tolist() == [v for row in rows for v in sorted(row)]
    assert degree.tolist() == [len(row) for row in rows]


@pytest.mark.parametrize("prefix", [None, "nm"])
@pytest.mark.parametrize("seed", range(6))
def test_the_id_encoder_numbers_strings_as_one_factorisation_of_every_batch(seed, prefix):
    """Batches fed one by one, room grown on the way: the numbering of pandas.factorize over them all.

    With a prefix, IMDb's ids are looked up by number: ids that share a number but are written
    otherwise (``nm00000007``, ``nm7``, ``tt0000007``) stay ids of their own.
    """
    from reelgraph._index_build import _IdEncoder

    rng = random.Random(seed)
    pool = [f"nm{i:07d}" for i in range(3000)] + ["", "Zoë", "x" * 40, "日本", "nm00000007", "nm7", "tt0000007",
                                                   "nm123456789", "nm1234567890", "nm٠٠٠٠٠٠٧"]
    batches = [[rng.choice(pool + [None]) for _ in range(rng.randint(0, 2000))] for _ in range(rng.randint(1, 6))]
    encoder = _IdEncoder(rows=rng.randint(0, 5), nbytes=rng.randint(0, 5), prefix=prefix)  # room for ~1000: it must grow
    codes = []
    for k, batch in enumerate(batches):
        array = pa.array(batch, type=pa.string() if k % 2 else pa.large_string())
        out = np.empty(len(array), np.int32)
        encoder.encode(array.slice(1) if len(array) and k == 2 else array, out[1:] if len(array) and k == 2 else out)
        codes.append(out[1:] if len(array) and k == 2 else out)
        if len(array) and k == 2:
            batches[k] = batch[1:]
    ids, hashes = encoder.result()
    expected_codes, expected_ids = pd.factorize(pd.Series([v for batch in batches for v in batch], dtype=object))
    assert np.concatenate(codes).tolist() == expected_codes.tolist()
    assert ids.to_pylist() == list(expected_ids)
    np.testing.assert_array_equal(hashes, id_hashes(ids))


def test_rows_of_a_table_of_chunks_come_in_the_order_asked_and_decoded():
    from reelgraph.graph_index import take_rows

    chunks = [pa.table({"role": pa.array(roles, pa.string()).dictionary_encode(), "n": pa.array(numbers, pa.int64())})
              for roles, numbers in ((["actor", "director"], [0, 1]), (["self", None, "actor"], [2, 3, 4]), ([], []))]
    table = pa.concat_tables(chunks)
    taken = take_rows(table, np.array([4, 0, 2, 4, 3]))
    assert taken.column("role").to_pylist() == ["actor", "actor", "self", "actor", None]
    assert taken.column("n").to_pylist() == [4, 0, 2, 4, 3]
    assert taken.schema.field("role").type == pa.string()
    assert take_rows(table, np.array([], dtype=np.int64)).num_rows == 0
    assert take_rows(chunks[0], np.array([1])).column("role").to_pylist() == ["director"]
