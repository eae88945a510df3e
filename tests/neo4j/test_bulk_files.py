"""The import files written from Parquet (DuckDB, out of core) say what those written from pandas say.

Both sets of files are read back as the import tool reads them (typed
headers, quoted text, an unquoted empty field for a missing value, arrays
split on the array delimiter, import ids resolved to the nodes' keys) and
compared as multisets of nodes and relationships.  No Neo4j server is needed
here; tests/neo4j/test_bulk.py imports both into real servers.
"""

import csv
import math
import re
from collections import Counter
from pathlib import Path

import pytest

from reelgraph.model import FilmGraph, merge_graphs
from reelgraph.neo4j.bulk import (
    ImportFiles,
    Neo4jBulkError,
    relationship_count,
    write_import_files,
    write_import_files_from_parquet,
)
from reelgraph.store import TableFiles, _write_tables

_FIELD = re.compile(r'"((?:[^"]|"")*)"|([^,\n]*)')


def _records(paths) -> tuple[list[str], list[list]]:
    """(header, rows) of one import source (a header file then data files, or one file with its header).

    A field is None when empty and unquoted (missing), else its text with
    doubled quotes undone; quoted fields may hold line breaks.
    """
    text = "".join(Path(p).read_text(encoding="utf-8") for p in paths)
    rows, row, pos = [], [], 0
    while pos < len(text):
        match = _FIELD.match(text, pos)
        quoted, plain = match.groups()
        row.append(quoted.replace('""', '"') if quoted is not None else (plain or None))
        pos = match.end()
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        assert text[pos] == "\n", f"bad CSV at {pos}: {text[pos - 20 : pos + 20]!r}"
        rows.append(row)
        row, pos = [], pos + 1
    return rows[0], rows[1:]


def _value(kind: str, field: str, delimiter: str):
    if kind == "long":
        return int(field)
    if kind == "double":
        return float(field)
    if kind == "boolean":
        return {"true": True, "false": False}[field]
    if kind == "string[]":
        return tuple(field.split(delimiter))
    return field


def read_import(files: ImportFiles) -> tuple[Counter, Counter]:
    """The nodes and relationships the import tool makes of ``files``, as multisets.

    A node is ``(label, ((property, value), ...))``; a relationship is
    ``(type, start key, end key, properties)`` with each end named by its
    node's ``id`` (``name`` for a Genre), the import ids resolved.
    """
    delimiter = chr(int(next(a for a in files.extra_args if a.startswith("--array-delimiter=")).split("+")[1], 16))
    keys, nodes, rels = {}, Counter(), Counter()

    def properties(header, row, skip):
        props = {}
        for column, field in zip(header, row):
            if column in skip or field is None:
                continue
            name, _, kind = column.partition(":")
            props[name] = _value(kind or "string", field, delimiter)
        return props

    for _, paths in files.nodes:
        header, rows = _records(paths)
        id_column = next(c for c in header if c.startswith(":ID("))
        group = id_column[4:-1]
        for row in rows:
            fields = dict(zip(header, row))
            props = properties(header, row, {id_column, ":LABEL"})
            key = props.get("id", props.get("name"))
            assert (group, fields[id_column]) not in keys, "import ids repeat"
            keys[group, fields[id_column]] = key
            nodes[fields[":LABEL"], tuple(sorted(props.items()))] += 1
    for _, paths in files.relationships:
        header, rows = _records(paths)
        start, end = header[0], header[1]
        for row in rows:
            fields = dict(zip(header, row))
            props = properties(header, row, {start, end, ":TYPE"})
            rels[fields[":TYPE"], keys[start[start.index("(") + 1 : -1], fields[start]],
                 keys[end[end.index("(") + 1 : -1], fields[end]], tuple(sorted(props.items()))] += 1
    return nodes, rels


def both_routes(graph: FilmGraph, tmp_path) -> tuple[ImportFiles, ImportFiles]:
    """The files written from ``graph`` in memory and from ``graph`` written as Parquet."""
    _write_tables(graph, tmp_path / "tables")
    from_pandas = write_import_files(graph, tmp_path / "pandas")
    from_parquet = write_import_files_from_parquet(TableFiles(tmp_path / "tables"), tmp_path / "parquet")
    return from_pandas, from_parquet


def assert_same_import(from_pandas: ImportFiles, from_parquet: ImportFiles) -> None:
    assert from_parquet.rows == from_pandas.rows
    assert read_import(from_parquet) == read_import(from_pandas)
    assert from_parquet.extra_args[:2] == from_pandas.extra_args[:2]  # integer ids, the same array delimiter
    multiline = [{Path(p).name for p in a.split("=", 1)[1].split(",")} for files in (from_pandas, from_parquet)
                 for a in files.extra_args if a.startswith("--multiline-fields=")]
    assert multiline[:1] == multiline[1:]


def tricky_graph() -> FilmGraph:
    """Every rule at once: quotes, commas, line breaks, empty strings and lists, repeated keys, orphans."""
    return FilmGraph.from_records(
        films=[{"id": "tt0000001", "title": 'He said "no", then; left', "year": 2010, "rating": 7.1,
                "gross_worldwide": 2_923_706_026, "genres": ["Drama", "Sci;Fi", "Drama", ""], "stub": False,
                "keywords": ["a,b", 'c"d', "back\\slash"]},
               {"id": "tt0000002", "title": "", "plot": "two\nlines\r\n", "keywords": [], "rating": float("nan"),
                "genres": []},
               {"id": "tt0000003", "title": "old copy", "year": 1999, "genres": ["Old"]},
               {"id": "tt0000003", "title": "\u6f22\u5b57 \u00e9 \U0001f3ac", "year": 2001, "rating": 0.1 + 0.2,
                "genres": ["Comedy"], "tagline": ""},
               {"id": None, "title": "no id", "genres": ["Ghost"]}],
        people=[{"id": "nm0000001", "name": "O'Brien, Pat \\ \u00e9", "professions": ["actor", "x;y"]},
                {"id": "nm0000002", "name": "first"}, {"id": "nm0000002", "name": "second", "birth_year": 1970},
                {"id": "name:jo", "name": "Jo"}, {"id": None, "name": "nobody"}],
        credits=[{"person_id": "nm0000001", "film_id": "tt0000001", "role": "actor",
                  "characters": ['Ruth "R"', "a;b"], "billing": 1, "star": True},
                 {"person_id": "nm0000001", "film_id": "tt0000001", "role": "editor", "job": "cut"},
                 {"person_id": "nm0000001", "film_id": "tt0000001", "role": "editor", "job": "recut"},  # repeat: last
                 {"person_id": "nm0000002", "film_id": "tt0000003", "role": "director"},
                 {"person_id": "name:jo", "film_id": "tt0000002", "role": "self", "characters": []},
                 {"person_id": "name:jo", "film_id": "tt0000002", "role": "writer", "job": "line\nbreak"},
                 {"person_id": "nm9999999", "film_id": "tt0000001", "role": "actor"},  # no such person
                 {"person_id": "nm0000001", "film_id": "tt9999999", "role": "actor"},  # no such film
                 {"person_id": "nm0000001", "film_id": "tt0000002", "role": None}],  # no role
        similar=[{"film_id": "tt0000001", "similar_id": "tt0000002", "rank": 1, "source": "imdb-more-like-this"},
                 {"film_id": "tt0000001", "similar_id": "tt0000002", "rank": 2, "source": "imdb-more-like-this"},
                 {"film_id": "tt0000001", "similar_id": "tt0000003", "rank": 3, "source": None},  # no source
                 {"film_id": "tt0000001", "similar_id": "tt0000404", "rank": 4, "source": "x"}])  # no such film


def test_tricky_values_give_the_same_import(tmp_path):
    from_pandas, from_parquet = both_routes(tricky_graph(), tmp_path)
    assert_same_import(from_pandas, from_parquet)
    assert from_parquet.rows == {"films.csv": 3, "people.csv": 3, "genres.csv": 3, "credits.csv": 5,
                                 "in_genre.csv": 3, "similar.csv": 1}
    assert [[p.name for p in paths] for _, paths in from_parquet.nodes] == [
        ["films.header.csv", "films.csv"], ["people.header.csv", "people.csv"], ["genres.header.csv", "genres.csv"]]
    nodes, rels = read_import(from_parquet)
    film = dict(next(props for (label, props) in nodes if dict(props).get("id") == "tt0000003"))
    assert film == {"id": "tt0000003", "title": "\u6f22\u5b57 \u00e9 \U0001f3ac", "year": 2001,
                    "rating": 0.1 + 0.2, "genres": ("Comedy",), "tagline": ""}  # the last row, exact double
    assert ("WORKED_ON", "nm0000001", "tt0000001", (("job", "recut"), ("role", "editor"))) in rels
    # Line breaks in films (plot) and credits (job): those files, and only they, parse multi-line.
    assert from_parquet.extra_args[-1].startswith("--multiline-fields=")
    assert {Path(p).name for p in from_parquet.extra_args[-1].split("=", 1)[1].split(",")} == {"films.csv",
                                                                                               "credits.csv"}


def test_tables_in_chunks_give_the_same_import(tmp_path):
    """Import ids number the rows of the whole table, whatever chunk (file) a row is in."""
    import pyarrow.parquet as pq

    graph = tricky_graph()
    _write_tables(graph, tmp_path / "one")
    chunked = tmp_path / "chunked"
    for name in FilmGraph.TABLES:  # as a store keeps its large tables: a folder of chunks, here of 2 rows
        whole = pq.read_table(tmp_path / "one" / f"{name}.parquet")
        (chunked / name).mkdir(parents=True)
        for k, start in enumerate(range(0, max(whole.num_rows, 1), 2)):
            pq.write_table(whole.slice(start, 2), chunked / name / f"{k:06d}.parquet")
    assert len(list((chunked / "films").glob("*.parquet"))) == 3  # 5 rows
    from_one = write_import_files_from_parquet(TableFiles(tmp_path / "one"), tmp_path / "from-one")
    from_chunks = write_import_files_from_parquet(TableFiles(chunked), tmp_path / "from-chunks")
    assert_same_import(write_import_files(graph, tmp_path / "pandas"), from_chunks)
    for name in from_one.rows:  # the very same lines, import ids and all (in DuckDB's order)
        lines = [sorted((folder / name).read_text(encoding="utf-8").splitlines()) for folder in
                 (tmp_path / "from-one", tmp_path / "from-chunks")]
        assert lines[0] == lines[1]
    with (tmp_path / "from-chunks" / "films.csv").open(encoding="utf-8", newline="") as file:
        ids = [row[0] for row in csv.reader(file)]
    # rows 0 and 1 (chunk 0), row 3 (chunk 1: the last of the repeated tt0000003); row 4 has no id
    assert sorted(ids) == ["0", "1", "3"]


def test_the_header_and_text_encoding_are_those_of_the_pandas_files(tmp_path):
    from_pandas, from_parquet = both_routes(tricky_graph(), tmp_path)
    for name in ("films.csv", "credits.csv", "similar.csv"):
        pandas_text = (tmp_path / "pandas" / name).read_text()
        parquet_header = (tmp_path / "parquet" / name.replace(".csv", ".header.csv")).read_text()
        assert pandas_text.split("\n", 1)[0] + "\n" == parquet_header
    # A quoted empty string and a doubled quote, written by DuckDB as by pyarrow.
    films = (tmp_path / "parquet" / "films.csv").read_text()
    assert '"He said ""no"", then; left"' in films and ',"",' in films


def test_a_null_list_item_makes_the_value_missing_as_in_the_pandas_files(tmp_path):
    graph = FilmGraph.from_records(films=[{"id": "tt1", "title": "x", "countries": ["FR", None], "genres": ["A"]}])
    from_pandas, from_parquet = both_routes(graph, tmp_path)
    assert_same_import(from_pandas, from_parquet)
    assert "countries" not in dict(next(iter(read_import(from_parquet)[0]))[1])


def test_array_delimiter_avoids_values_that_contain_it(tmp_path):
    graph = FilmGraph.from_records(films=[{"id": "tt1", "title": "x", "genres": ["a\x1fb", "c"]}],
                                   people=[{"id": "nm1", "name": "p", "professions": ["x\x1ey"]}])
    from_pandas, from_parquet = both_routes(graph, tmp_path)
    assert from_parquet.extra_args == ["--id-type=integer", "--array-delimiter=U+001D"]
    assert_same_import(from_pandas, from_parquet)
    every = FilmGraph.from_records(films=[{"id": "tt1", "genres": ["\x1f\x1e\x1d\x1c\x07"]}])
    _write_tables(every, tmp_path / "every")
    with pytest.raises(Neo4jBulkError, match="every array delimiter"):
        write_import_files_from_parquet(TableFiles(tmp_path / "every"), tmp_path / "out")


def test_empty_tables_and_columns_without_values(tmp_path):
    graph = FilmGraph.from_records(films=[{"id": "tt1", "title": "only"}])
    from_pandas, from_parquet = both_routes(graph, tmp_path)
    assert_same_import(from_pandas, from_parquet)
    assert (tmp_path / "parquet" / "films.header.csv").read_text() == ":ID(Film),id,:LABEL,title\n"
    assert from_parquet.rows == {"films.csv": 1, "people.csv": 0, "genres.csv": 0, "credits.csv": 0,
                                 "in_genre.csv": 0, "similar.csv": 0}


def test_the_sample_gives_the_same_import(tmp_path, sample_graph):
    from_pandas, from_parquet = both_routes(sample_graph, tmp_path)
    assert_same_import(from_pandas, from_parquet)
    assert sum(from_parquet.rows[n] for n in ("credits.csv", "in_genre.csv", "similar.csv")) == 441


def test_a_synthetic_imdb_store_gives_the_same_import(tmp_path):
    """A store loaded out of core from IMDb-format datasets (every title type): the path `reelgraph load` takes."""
    from reelgraph.loaders.synth import write_synthetic_datasets
    from reelgraph.store import LocalStore
    from reelgraph.workflows import load

    write_synthetic_datasets(tmp_path / "imdb", titles=3000, seed=7, progress=False)
    store = tmp_path / "store"
    load([tmp_path / "imdb"], store=store, title_types=None)  # None: every title type (the CLI's "all")
    tables = TableFiles(LocalStore(store).path)
    from_parquet = write_import_files_from_parquet(tables, tmp_path / "parquet")
    from_pandas = write_import_files(tables.read(), tmp_path / "pandas")
    assert_same_import(from_pandas, from_parquet)
    assert from_parquet.rows["credits.csv"] > 10_000
    assert relationship_count(tables) == relationship_count(tables.read())


def test_write_import_files_takes_table_files(tmp_path, sample_graph):
    _write_tables(sample_graph, tmp_path / "tables")
    files = write_import_files(TableFiles(tmp_path / "tables"), tmp_path / "out")
    assert files.nodes[0][1][0].name == "films.header.csv"
    assert read_import(files) == read_import(write_import_files(sample_graph, tmp_path / "pandas"))


def test_doubles_round_trip_exactly(tmp_path):
    values = [0.1 + 0.2, 1 / 3, 1e-7, 1e20, 5e-324, 2.0 ** 53 + 2, -0.0, 123456.789]
    graph = FilmGraph.from_records(films=[{"id": f"tt{i}", "rating": v} for i, v in enumerate(values)])
    from_pandas, from_parquet = both_routes(graph, tmp_path)
    assert_same_import(from_pandas, from_parquet)
    ratings = sorted(dict(props)["rating"] for _, props in read_import(from_parquet)[0])
    assert ratings == sorted(values) and all(not math.isnan(r) for r in ratings)
