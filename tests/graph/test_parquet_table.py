"""A table as one Parquet file or as chunks: read as one, rewritten only where its rows change."""

import json
import os
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import reelgraph._parquet_table as parquet_table
from reelgraph._parquet_table import ParquetTable, duckdb_scan, rewrite_table, table_paths
from reelgraph.model import FilmGraph
from reelgraph.store import LocalStore
from tests.graph.test_graph_index import PATCHABLE, _assert_same_files, _index_files, _without_deltas


def _assert_index_is_built_anew(store, scratch):
    """The store's graph index, patched or not, is the one its tables give when built anew, file for file."""
    import filecmp

    from reelgraph.graph_index import INDEX_FOLDER, store_version, write_index_from_tables

    write_index_from_tables(store.path, scratch, store_version(store.manifest()))
    _assert_same_files(scratch / INDEX_FOLDER, store.path / INDEX_FOLDER)  # a view with a delta compared whole
    for name in _index_files(scratch / INDEX_FOLDER):  # and byte for byte: the chunks' sources name the same inodes
        if name != "index.json" and not re.fullmatch(PATCHABLE, name):
            assert filecmp.cmp(scratch / INDEX_FOLDER / name, store.path / INDEX_FOLDER / name, shallow=False), name
    assert _without_deltas(json.loads((store.path / INDEX_FOLDER / "index.json").read_text())) == \
        _without_deltas(json.loads((scratch / INDEX_FOLDER / "index.json").read_text()))  # sources and all


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 4 rows, so that a few rows make several."""
    monkeypatch.setattr(parquet_table, "CHUNK_ROWS", 4)
    return 4


def _chunks(folder, table, rows: list[list[str]], types=None):
    (folder / table).mkdir(parents=True)
    for number, ids in enumerate(rows):
        pq.write_table(pa.table({"id": pa.array(ids, type=(types or {}).get(number, pa.string()))}),
                       folder / table / f"{number:06d}.parquet")


def _ids(folder, table="films"):
    return ParquetTable(folder, table).read(["id"]).column(0).to_pylist()


def test_chunks_read_as_one_table_with_row_groups_numbered_across_them(tmp_path):
    _chunks(tmp_path, "films", [["a", "b"], ["c"], ["d", "e", "f"]])
    table = ParquetTable(tmp_path, "films")
    assert table.chunked and table.num_rows == 6 and table.num_row_groups == 3
    assert table.row_group_rows().tolist() == [0, 2, 3, 6]
    assert table.read_row_group(2).column("id").to_pylist() == ["d", "e", "f"]
    assert [b.num_rows for b in table.iter_batches(row_groups=[0, 2])] == [2, 3]
    assert _ids(tmp_path) == ["a", "b", "c", "d", "e", "f"]


def test_a_column_with_no_value_in_one_chunk_reads_as_the_type_of_the_others(tmp_path):
    _chunks(tmp_path, "films", [[None, None], ["c"]], types={0: pa.null()})
    table = ParquetTable(tmp_path, "films")
    assert table.schema_arrow.field("id").type == pa.string()
    assert table.read_row_group(0).schema.field("id").type == pa.string()
    assert _ids(tmp_path) == [None, None, "c"]


def test_one_file_wins_over_a_folder_of_the_same_name(tmp_path):
    _chunks(tmp_path, "films", [["a"]])
    pq.write_table(pa.table({"id": ["z"]}), tmp_path / "films.parquet")
    assert table_paths(tmp_path, "films") == [tmp_path / "films.parquet"] and _ids(tmp_path) == ["z"]


def test_a_missing_table_is_named_by_its_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"films\.parquet"):
        ParquetTable(tmp_path, "films")


def test_a_damaged_chunk_is_named(tmp_path):
    _chunks(tmp_path, "films", [["a"], ["b"]])
    (tmp_path / "films" / "000001.parquet").write_bytes(b"PAR1 cut short")
    with pytest.raises((OSError, ValueError), match=r"films/000001\.parquet: .*") as info:
        ParquetTable(tmp_path, "films")
    assert "\n" not in str(info.value)


def test_duckdb_numbers_the_rows_of_the_whole_table(tmp_path):
    from reelgraph._duckdb import connect

    _chunks(tmp_path, "films", [["a", "b"], ["c"], ["d", "e"]])
    with connect() as db:
        rows = db.execute(f"SELECT file_row_number, id FROM {duckdb_scan(tmp_path, 'films', row_numbers=True)} "
                          "ORDER BY 1").fetchall()
        assert rows == [(0, "a"), (1, "b"), (2, "c"), (3, "d"), (4, "e")]
        assert db.execute(f"SELECT count(*) FROM {duckdb_scan(tmp_path, 'films')}").fetchone() == (5,)


def test_duckdb_out_of_its_memory_is_one_line_naming_the_setting():
    from reelgraph._duckdb import connect
    from reelgraph.errors import TooBigError

    with pytest.raises(TooBigError, match=r"^DuckDB's work outgrew its memory limit \(32MB\): set "
                                          r"REELGRAPH_DUCKDB_MEMORY higher") as info:
        with connect(memory_limit="32MB") as db:  # a list aggregate cannot spill to disk
            db.execute("SELECT length(list(i)) FROM range(20000000) t(i)").fetchall()
    assert "\n" not in str(info.value)


def test_a_rewrite_links_the_chunks_without_a_changed_row(tmp_path, small_chunks):
    _chunks(tmp_path / "old", "films", [["a", "b", "c", "d"], ["e", "f", "g", "h"], ["i", "j", "k", "l"], ["m", "n"]])
    source = ParquetTable(tmp_path / "old", "films")
    removed = np.zeros(14, dtype=bool)
    removed[5] = True  # "f" goes
    new_rows = pa.table({"id": ["J", "o", "p", "q"]})  # "j" (row 9) becomes "J", then three rows appended
    rewrite_table(source, tmp_path / "new" / "films", source.schema_arrow, new_rows,
                  keep=lambda offset, n: ~removed[offset:offset + n], positions=np.array([9]))
    assert _ids(tmp_path / "new") == ["a", "b", "c", "d", "e", "g", "h", "i", "J", "k", "l", "m", "n", "o", "p", "q"]
    old, new = source.paths, table_paths(tmp_path / "new", "films")
    assert [pq.ParquetFile(p).metadata.num_rows for p in new] == [4, 3, 4, 4, 1]
    assert new[0].stat().st_ino == old[0].stat().st_ino  # untouched: the same file
    assert {p.stat().st_ino for p in new[1:]}.isdisjoint({p.stat().st_ino for p in old})  # edited, or filled up


def test_a_rewrite_of_one_file_writes_chunks(tmp_path, small_chunks):
    pq.write_table(pa.table({"id": list("abcdefghij")}), tmp_path / "films.parquet", row_group_size=4)
    rewrite_table(ParquetTable(tmp_path, "films"), tmp_path / "new" / "films", pa.schema([("id", pa.string())]),
                  pa.table({"id": ["k"]}), keep=lambda offset, n: np.ones(n, dtype=bool))
    assert [pq.ParquetFile(p).metadata.num_rows for p in table_paths(tmp_path / "new", "films")] == [4, 4, 3]
    assert _ids(tmp_path / "new") == list("abcdefghijk")


def test_a_rewrite_of_no_row_leaves_one_empty_chunk_with_the_columns(tmp_path):
    rewrite_table(None, tmp_path / "films", pa.schema([("id", pa.string())]), None)
    table = ParquetTable(tmp_path, "films")
    assert table.num_rows == 0 and table.schema_arrow.names == ["id"]


def test_a_page_added_to_a_chunked_store_writes_only_the_chunks_it_changes(tmp_path, small_chunks):
    """The second page leaves most chunks of every table as they were (the same files), and the store
    reads as the one written whole."""
    n = 40
    imdb = FilmGraph.from_records(films=[{"id": f"tt{i:07d}", "title": f"F{i}"} for i in range(n)],
                                  people=[{"id": f"nm{i:07d}", "name": f"P{i}"} for i in range(n)],
                                  credits=[{"person_id": f"nm{i:07d}", "film_id": f"tt{i:07d}", "role": "actor"}
                                           for i in range(n)])
    store = LocalStore(tmp_path / "store")
    store.load({"imdb-datasets": imdb})

    def page(film, person):
        return FilmGraph.from_records(films=[{"id": f"tt{film:07d}", "title": f"F{film}", "rating": 8.0}],
                                      credits=[{"person_id": f"nm{person:07d}", "film_id": f"tt{film:07d}", "role": "actor"}],
                                      people=[{"id": f"nm{person:07d}", "name": f"P{person}"}])

    store.load({"page:tt0000003": page(3, 3)})  # the first edit writes the tables as chunks
    assert all(len(table_paths(store.path, table)) > 1 for table in ("films", "people", "credits"))
    keep = tmp_path / "kept"  # links keep the old files' inodes from being reused
    keep.mkdir()
    before = {}
    for table in ("films", "people", "credits"):
        for path in table_paths(store.path, table):
            os.link(path, keep / f"{table}-{path.name}")
            before[table, path.name] = path.stat().st_ino
    index = store.path / "index"
    index_files = [f"{table}/{path.name}" for table in ("people", "films", "credits", "nodes") for path in (index / table).iterdir()]
    index_before = {}
    for name in index_files:
        os.link(index / name, keep / f"index-{name.replace('/', '-')}")
        index_before[name] = (index / name).stat().st_ino
    store.load({"page:tt0000021": page(21, 7)})  # film 21 is updated; nm7 gets a second credit
    linked = {(table, path.name) for table in ("films", "people", "credits") for path in table_paths(store.path, table)
              if before.get((table, path.name)) == path.stat().st_ino}
    written = {(table, path.name) for table in ("films", "people", "credits") for path in table_paths(store.path, table)} - linked
    assert written == {("films", "000005.parquet"), ("credits", "000010.parquet")}  # tt21's chunk; the last, filled up
    # The index's people, films and credits, a file per chunk of the store's, are written again where
    # the store's chunk was; so are the nodes of tt21's chunk (nodes/: a chunk per chunk of people, then of films).
    for table in ("people", "films", "credits"):
        assert sorted(path.stem for path in (index / table).iterdir()) == [path.stem for path in table_paths(store.path, table)]
    index_written = {name for name in (path.relative_to(index).as_posix() for path in index.rglob("*.arrow"))
                     if index_before.get(name) != (index / name).stat().st_ino}
    people_chunks = len(table_paths(store.path, "people"))
    assert index_written == {"films/000005.arrow", "credits/000010.arrow", "similar.arrow", f"nodes/{people_chunks + 5:06d}.arrow"}
    _assert_index_is_built_anew(store, tmp_path / "anew")
    mirror = store.mirror(progress=False)
    assert mirror.label(mirror.index_of("tt0000021")) == "F21"
    read = store.read()
    assert read.films.set_index("id").loc["tt0000021", "rating"] == 8.0
    assert sorted(read.credits.loc[read.credits["person_id"] == "nm0000007", "film_id"]) == ["tt0000007", "tt0000021"]
    whole = LocalStore(tmp_path / "whole")
    whole.write(read)
    assert whole.read().counts() == read.counts() == {"films": 40, "people": 40, "credits": 41, "similar": 0}


def test_a_page_giving_a_column_its_first_values_writes_only_its_own_index_chunk(tmp_path, small_chunks):
    """The datasets leave plots, certificates, keywords and keyword votes empty (Arrow type null): a page that
    brings the first of them retypes the store's table, but the index keeps every column in its type with values,
    so the index chunks of the films the page does not touch stay the same files."""
    store = LocalStore(tmp_path / "store")
    films = [{"id": f"tt{i:07d}", "title": f"F{i}"} for i in range(40)]
    store.load({"imdb-datasets": FilmGraph.from_records(films=films)})
    store.load({"page:tt0000003": FilmGraph.from_records(films=[{"id": "tt0000003", "title": "F3", "rating": 8.0}])})
    index = store.path / "index" / "films"
    before = {path.name: path.stat().st_ino for path in index.iterdir()}
    keep = [(path, os.link(path, tmp_path / path.name)) for path in index.iterdir()]  # inodes not reused
    page = FilmGraph.from_records(films=[{"id": "tt0000021", "title": "F21", "plot": "A plot.", "certificate": "PG",
                                          "keywords": ["clones", "love"], "keyword_relevant": [4, 1],
                                          "keyword_voters": [5, 3]}])
    store.load({"page:tt0000021": page})
    written = sorted(path.name for path in index.iterdir() if before.get(path.name) != path.stat().st_ino)
    assert written == ["000005.arrow"] and len(keep) == 10  # tt21's chunk alone
    chunk_types = {str(pa.ipc.open_file(pa.memory_map(str(path))).schema) for path in index.iterdir()}
    assert len(chunk_types) == 1  # one schema, with values or without
    _assert_index_is_built_anew(store, tmp_path / "anew")
    mirror_films = store.mirror(progress=False).films.set_index("id")
    assert mirror_films.loc["tt0000021", "plot"] == "A plot." and mirror_films.loc["tt0000021", "certificate"] == "PG"
    assert list(mirror_films.loc["tt0000021", "keyword_voters"]) == [5, 3]
    assert mirror_films.loc["tt0000022", "plot"] is None and list(mirror_films.loc["tt0000022", "keywords"]) == []


def test_repeated_keys_spread_over_chunks_fold_as_in_one_file(tmp_path, small_chunks):
    """The store's fold finds repeats across chunks by their row numbers in the whole table."""
    from reelgraph.store import TableFiles, _read_tables, _write_tables, fold_repeated_keys

    credits = [{"person_id": f"nm{i % 5:07d}", "film_id": f"tt{i % 7:07d}", "role": "actor", "characters": [f"C{i}"]}
               for i in range(30)]  # (person, film) repeats every 35 rows: none; add some that do
    credits += [dict(credits[2], characters=["Again"]), dict(credits[13], characters=["Once more"])]
    graph = FilmGraph.from_records(films=[{"id": f"tt{i:07d}"} for i in range(7)],
                                   people=[{"id": f"nm{i:07d}"} for i in range(5)], credits=credits)
    one, chunks = tmp_path / "one", tmp_path / "chunks"
    _write_tables(graph, one)
    _write_tables(graph, chunks)
    source = ParquetTable(chunks, "credits")
    rewrite_table(source, chunks / ".credits", source.schema_arrow.remove_metadata(), None,
                  keep=lambda offset, n: np.ones(n, dtype=bool))
    (chunks / "credits.parquet").unlink()
    (chunks / ".credits").rename(chunks / "credits")
    assert len(table_paths(chunks, "credits")) == 8
    fold_repeated_keys(TableFiles(one))
    fold_repeated_keys(TableFiles(chunks))
    folded_one, folded_chunks = _read_tables(one).credits, _read_tables(chunks).credits
    assert len(folded_one) == 30
    pd.testing.assert_frame_equal(folded_chunks, folded_one)


def test_a_store_of_format_1_is_read_as_it_is_and_takes_chunks_at_its_next_load(tmp_path, small_chunks):
    """A store an earlier reelgraph wrote (one file a table, format 1) reads the same, and a page added to it
    leaves a format-2 store of chunks holding what the same loads give a store that never was format 1."""
    import json

    from reelgraph.model import merge_graphs

    imdb = FilmGraph.from_records(films=[{"id": f"tt{i:07d}", "title": f"F{i}"} for i in range(12)],
                                  people=[{"id": f"nm{i:07d}", "name": f"P{i}"} for i in range(12)],
                                  credits=[{"person_id": f"nm{i:07d}", "film_id": f"tt{i:07d}", "role": "actor"}
                                           for i in range(12)])
    store = LocalStore(tmp_path / "store")
    store.load({"imdb-datasets": imdb})
    manifest = json.loads((store.path / "manifest.json").read_text())
    (store.path / "manifest.json").write_text(json.dumps({**manifest, "format": 1}))
    assert table_paths(store.path, "credits") == [store.path / "credits.parquet"]
    assert store.read().counts() == {"films": 12, "people": 12, "credits": 12, "similar": 0}
    page = FilmGraph.from_records(films=[{"id": "tt0000005", "title": "F5", "rating": 7.5}],
                                  credits=[{"person_id": "nm0000001", "film_id": "tt0000005", "role": "actor"}])
    store.load({"page:tt0000005": page})
    assert store.manifest()["format"] == 2
    assert [len(table_paths(store.path, t)) for t in ("films", "people", "credits")] == [3, 3, 4]
    never = LocalStore(tmp_path / "never")
    never.load({"imdb-datasets": imdb})
    never.load({"page:tt0000005": page})
    for table in FilmGraph.TABLES:
        pd.testing.assert_frame_equal(getattr(store.read(), table), getattr(never.read(), table))
    assert store.read().films.set_index("id").loc["tt0000005", "rating"] == 7.5
    assert merge_graphs(imdb, page).counts() == store.read().counts()
