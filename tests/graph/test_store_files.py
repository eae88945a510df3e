"""A source given as Parquet files (TableFiles) that replaces every stored source is linked in, not read.

The store it leaves, its change report and its graph index equal what the
route through pandas gives for the same tables.
"""

import gzip
import json
import os
import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest

from reelgraph.analysis.stats import graph_stats
from reelgraph.errors import StoreError
from reelgraph.loaders.imdb_tsv import read_imdb_datasets
from reelgraph.loaders.synth import write_synthetic_datasets
from reelgraph.model import FilmGraph, merge_graphs
from reelgraph.store import _KEYS, LocalStore, TableFiles, _write_tables
from reelgraph.workflows import load


@pytest.fixture(scope="module")
def imdb_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("imdb")
    write_synthetic_datasets(folder, titles=3000, seed=7, progress=False)
    return folder


@pytest.fixture(scope="module")
def datasets(imdb_folder):
    return read_imdb_datasets(imdb_folder, title_types=None, progress=False)


def _files(graph: FilmGraph, folder) -> TableFiles:
    """The tables as the datasets loader writes them (IMDb's principals repeat some credits: the store folds them)."""
    _write_tables(graph, folder)
    return TableFiles(folder)


def _assert_same_store(got: LocalStore, expected: LocalStore):
    a, b = got.read(), expected.read()
    for table in FilmGraph.TABLES:  # row for row, in the same order
        assert getattr(a, table).equals(getattr(b, table)), table
    assert got.manifest()["counts"] == expected.manifest()["counts"]
    mirror_a, mirror_b = got.mirror(), expected.mirror()  # the graph index, built from each
    assert graph_stats(mirror_a) == graph_stats(mirror_b)
    assert list(mirror_a.ids) == list(mirror_b.ids)


def _refreshed(graph: FilmGraph) -> FilmGraph:
    """A newer copy: some films and their credits gone, one rating changed, one credit added."""
    films = graph.films.iloc[10:].reset_index(drop=True).copy()
    films.loc[0, "rating"] = 9.9
    credits = graph.credits[graph.credits["film_id"].isin(films["id"])]
    extra = credits.iloc[[0]].assign(role="composer")
    return FilmGraph(films, graph.people, pd.concat([credits, extra], ignore_index=True), graph.similar)


def test_files_route_equals_the_tables_route(tmp_path, datasets):
    by_files, by_tables = LocalStore(tmp_path / "files"), LocalStore(tmp_path / "tables")
    got, changes = by_files.load({"imdb-datasets": _files(datasets, tmp_path / "part1")}, {"imdb-datasets": ["/x"]})
    _, expected = by_tables.load({"imdb-datasets": datasets}, {"imdb-datasets": ["/x"]})
    assert isinstance(got, TableFiles) and got.counts() == merge_graphs(datasets).counts()
    assert len(datasets.credits) > got.counts()["credits"]  # the fixture has credits to fold
    assert changes == expected
    assert changes["films"] == {"added": len(datasets.films), "updated": 0, "removed": 0}
    _assert_same_store(by_files, by_tables)
    # the store's tables are the source's files, linked, not copies
    from reelgraph._parquet_table import table_paths

    for table in FilmGraph.TABLES:
        stored, source = (table_paths(folder, table) for folder in (by_files.path, by_files.path / "parts" / "0000-imdb-datasets"))
        assert [path.relative_to(by_files.path) for path in stored] == \
               [path.relative_to(by_files.path / "parts" / "0000-imdb-datasets") for path in source]
        assert [path.stat().st_ino for path in stored] == [path.stat().st_ino for path in source]


@pytest.mark.parametrize("title_order", ["as IMDb's", "out of order"])
def test_a_datasets_folder_read_out_of_core_equals_the_tables_route(tmp_path, imdb_folder, datasets, title_order):
    """``load DIR`` (its repeated credits folded as they stream, or after when the titles are out of order)
    leaves the store the pandas route leaves."""
    folder = imdb_folder
    if title_order == "out of order":  # the first title's credits moved to the end
        folder = tmp_path / "imdb"
        shutil.copytree(imdb_folder, folder)
        with gzip.open(folder / "title.principals.tsv.gz", "rt", encoding="utf-8") as handle:
            header, *lines = handle.read().splitlines()
        first = [line for line in lines if line.split("\t")[0] == lines[0].split("\t")[0]]
        with gzip.open(folder / "title.principals.tsv.gz", "wt", encoding="utf-8", newline="\n") as handle:
            handle.write("\n".join([header, *lines[len(first):], *first]) + "\n")
        datasets = read_imdb_datasets(folder, title_types=None, progress=False)
    by_files, by_tables = LocalStore(tmp_path / "files"), LocalStore(tmp_path / "tables")
    changes = load([folder], store=by_files, title_types=None).changes
    _, expected = by_tables.load({"imdb-datasets": datasets})
    assert changes == expected
    assert len(datasets.credits) > by_files.read().counts()["credits"]  # credits were folded
    _assert_same_store(by_files, by_tables)


def test_a_refresh_reports_what_changed_and_keeps_cluster_ids(tmp_path, datasets):
    by_files, by_tables = LocalStore(tmp_path / "files"), LocalStore(tmp_path / "tables")
    by_files.load({"imdb-datasets": _files(datasets, tmp_path / "part1")})
    by_tables.load({"imdb-datasets": datasets})
    for store in (by_files, by_tables):  # clusters written back, as `reelgraph clusters` does
        graph = store.read()
        graph.films["cluster"] = pd.array([i % 3 for i in range(len(graph.films))], dtype="Int64")
        store.write(graph)
    newer = _refreshed(datasets)
    _, changes = by_files.load({"imdb-datasets": _files(newer, tmp_path / "part2")})
    _, expected = by_tables.load({"imdb-datasets": newer})
    assert changes == expected
    assert changes["films"] == {"added": 0, "updated": 1, "removed": 10}
    assert changes["credits"]["added"] == 1
    _assert_same_store(by_files, by_tables)
    clusters = by_files.read().films.set_index("id")["cluster"]
    assert clusters.notna().all() and clusters.equals(by_tables.read().films.set_index("id")["cluster"].loc[clusters.index])
    # the source's own file kept no cluster ids: the store's films are a file of their own now
    assert pq.read_table(by_files.path / "parts" / "0000-imdb-datasets" / "films.parquet")["cluster"].null_count \
        == len(newer.films)


def test_loading_the_same_files_again_changes_nothing(tmp_path, datasets):
    store = LocalStore(tmp_path / "store")
    store.load({"imdb-datasets": _files(datasets, tmp_path / "part1")})
    _, changes = store.load({"imdb-datasets": _files(datasets, tmp_path / "part2")})
    assert changes == {table: {"added": 0, "updated": 0, "removed": 0} for table in _KEYS}


def test_a_store_of_an_older_layout_is_refreshed_and_indexed_as_a_canonical_one(tmp_path, datasets):
    """A store written before some columns existed: the same files again change nothing; its index is rebuilt."""
    store = LocalStore(tmp_path / "store")
    store.load({"imdb-datasets": _files(datasets, tmp_path / "part1")})
    films = pq.read_table(store.path / "films.parquet")
    older = films.drop_columns(["incomplete_credits", "complete_credits", "keywords_total", "keyword_relevant",
                                 "keyword_voters"])
    (store.path / "films.parquet").unlink()  # linked to the source's part: written anew, not through the link
    pq.write_table(older, store.path / "films.parquet")
    manifest = store.manifest()
    (store.path / "manifest.json").write_text(json.dumps({**manifest, "version": "older"}))  # its index is stale
    mirror = store.mirror(progress=False)
    assert mirror.label(mirror.index_of(films["id"][0].as_py())) == films["title"][0].as_py()
    assert mirror.arrow_column("films", "incomplete_credits").to_pylist()[:3] == [[], [], []]
    _, changes = store.load({"imdb-datasets": _files(datasets, tmp_path / "part2")})
    assert changes == {table: {"added": 0, "updated": 0, "removed": 0} for table in _KEYS}


def test_beside_other_sources_the_files_are_merged_as_tables(tmp_path, datasets):
    page = FilmGraph.from_records(films=[{"id": "tt9999999", "title": "A Saved Page", "year": 2010}],
                                  people=[{"id": "nm9999999", "name": "Someone"}],
                                  credits=[{"person_id": "nm9999999", "film_id": "tt9999999", "role": "actor"}])
    by_files, by_tables = LocalStore(tmp_path / "files"), LocalStore(tmp_path / "tables")
    for store in (by_files, by_tables):
        store.load({"page:tt9999999": page})
    _, changes = by_files.load({"imdb-datasets": _files(datasets, tmp_path / "part1")})
    _, expected = by_tables.load({"imdb-datasets": datasets})
    assert changes == expected
    assert by_files.read().counts()["films"] == len(datasets.films) + 1


def test_files_that_are_not_canonical_tables_leave_the_store_as_it_was(tmp_path, datasets):
    store = LocalStore(tmp_path / "store")
    store.load({"imdb-datasets": _files(datasets, tmp_path / "part1")})
    bad = _files(datasets, tmp_path / "bad")
    pq.write_table(pq.read_table(bad.folder / "films.parquet").drop_columns(["title"]), bad.folder / "films.parquet")
    with pytest.raises(StoreError, match=r"films.parquet: not a canonical films table"):
        store.load({"imdb-datasets": bad})
    assert store.read().counts() == merge_graphs(datasets).counts()


def test_a_writer_removes_the_source_folders_of_loads_that_died(tmp_path):
    store = LocalStore(tmp_path / "store")
    dead = tmp_path / ".store.source-999999999-abc"  # no such process
    alive = tmp_path / f".store.source-{os.getpid()}-def"  # a load still reading
    for folder in (dead, alive):
        (folder / "imdb-datasets-x").mkdir(parents=True)
    store.load({"page": FilmGraph.from_records(films=[{"id": "tt0000001", "title": "A"}])})
    assert not dead.exists() and alive.exists()
    with store.source_tables() as folder:
        assert folder.parent == tmp_path and folder.name.startswith(f".store.source-{os.getpid()}-")
    assert not folder.exists()


def test_the_label_keys_of_the_files_are_written_with_the_store(tmp_path, datasets):
    import pyarrow as pa

    from reelgraph._label_keys import LabelKeys

    store = LocalStore(tmp_path / "store")
    store.load({"imdb-datasets": _files(datasets, tmp_path / "part")})
    folder = store.path / "parts" / "0000-imdb-datasets"
    merged = store.read()
    for table, label in (("films", "title"), ("people", "name")):
        stored = LabelKeys.read(folder, table)
        expected = LabelKeys.of(pa.Table.from_pandas(getattr(merged, table)[["id", label]], preserve_index=False), table)
        assert len(stored) == len(getattr(merged, table)) > 100
        assert stored.hashes.tolist() == expected.hashes.tolist() and stored.flags.tolist() == expected.flags.tolist()
