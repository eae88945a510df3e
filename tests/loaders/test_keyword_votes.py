"""A /keywords page's interest votes: read, merged, and kept by every store as lists of whole numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from reelgraph.errors import InputError
from reelgraph.loaders.imdb_html import read_imdb_html
from reelgraph.loaders.tables import read_tables, write_tables
from reelgraph.model import FilmGraph, merge_graphs
from reelgraph.store import LocalStore

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
MAIN = PAGES / "lantern_keepers_main.html"
KEYWORDS = PAGES / "lantern_keepers_keywords.html"
LANTERN_KEYWORDS = ["lighthouse", "storm", "sibling rivalry", "based on novel", "island", "lamp", "keeper"]
RELEVANT, VOTERS = [14, 9, 6, 5, 3, 2, 1], [15, 10, 8, 5, 4, 3, 1]


def _film(graph: FilmGraph, film_id="tt9400001") -> dict:
    return next(f for f in graph.to_records()["films"] if f["id"] == film_id)


def _votes(film: dict) -> tuple:
    return film["keywords"], film["keyword_relevant"], film["keyword_voters"]


def test_a_keyword_listed_by_title_only_on_another_page_follows_the_voted_ones():
    page = read_imdb_html(KEYWORDS)
    other = FilmGraph.from_records(films=[{"id": "tt9400001", "title": "The Lantern Keepers",
                                           "keywords": ["fog", "storm", "lighthouse"]}])
    for graphs in ((page, other), (other, page)):  # whichever source ranks higher
        keywords, relevant, voters = _votes(_film(merge_graphs(*graphs)))
        assert keywords[:7] == LANTERN_KEYWORDS and keywords[7:] == ["fog"]
        assert (relevant, voters) == (RELEVANT, VOTERS)
        assert all(type(n) is int for n in relevant + voters)


def test_two_pages_with_votes_the_newer_one_wins_per_keyword():
    old = FilmGraph.from_records(films=[{"id": "tt1", "title": "A", "keywords": ["clone", "school"],
                                         "keyword_relevant": [3, 1], "keyword_voters": [3, 2]}])
    new = FilmGraph.from_records(films=[{"id": "tt1", "title": "A", "keywords": ["school", "clone"],
                                         "keyword_relevant": [9, 4], "keyword_voters": [9, 8]}])
    assert _votes(_film(merge_graphs(old, new), "tt1")) == (["school", "clone"], [9, 4], [9, 8])


@pytest.mark.parametrize("order", ["datasets-first", "page-first"])
def test_the_store_keeps_the_votes_beside_films_without_any(tmp_path, order):
    # A films table whose keyword votes are empty everywhere (as the datasets' films are) and the keywords page.
    tables = FilmGraph.from_records(films=[{"id": "tt9400001", "title": "The Lantern Keepers", "year": 2025},
                                           {"id": "tt0000002", "title": "Other", "year": 1999}])
    store = LocalStore(tmp_path / "store")
    loads = [{"tables": tables}, {"page:tt9400001:keywords": read_imdb_html(KEYWORDS)}]
    for part in loads if order == "datasets-first" else loads[::-1]:
        store.load(part)
    back = store.read()
    assert _votes(_film(back)) == (LANTERN_KEYWORDS, RELEVANT, VOTERS)
    assert _votes(_film(back, "tt0000002")) == ([], [], [])


def test_csv_tables_round_trip_the_votes_as_numbers(tmp_path):
    folder = write_tables(read_imdb_html(KEYWORDS), tmp_path / "tables")
    assert "14|9|6|5|3|2|1" in (folder / "films.csv").read_text()
    assert _votes(_film(read_tables(folder))) == (LANTERN_KEYWORDS, RELEVANT, VOTERS)


def test_csv_tables_refuse_a_vote_that_is_not_a_whole_number(tmp_path):
    folder = write_tables(read_imdb_html(KEYWORDS), tmp_path / "tables")
    films = folder / "films.csv"
    films.write_text(films.read_text().replace("14|9|6", "14|nine|6"))
    with pytest.raises(InputError, match=r"films\.csv:2: keyword_relevant: 'nine' is not a whole number"):
        read_tables(folder)


def test_neo4j_import_files_type_the_votes_as_long_arrays(tmp_path):
    from reelgraph.neo4j.bulk import write_import_files

    write_import_files(read_imdb_html(KEYWORDS), tmp_path / "import")
    header, row = list(csv.reader((tmp_path / "import" / "films.csv").open()))[:2]
    assert "keyword_relevant:long[]" in header and "keyword_voters:long[]" in header
    fields = dict(zip(header, row))
    assert fields["keyword_relevant:long[]"].split("\x1f") == ["14", "9", "6", "5", "3", "2", "1"]


@pytest.mark.neo4j
def test_neo4j_keeps_the_votes_as_integer_lists(neo4j_driver):
    from reelgraph.neo4j.sync import run_cypher, sync_graph

    sync_graph(neo4j_driver, read_imdb_html(KEYWORDS), progress=False)
    film = run_cypher(neo4j_driver, "MATCH (f:Film {id: $id}) RETURN f.keywords AS keywords, "
                      "f.keyword_relevant AS relevant, f.keyword_voters AS voters", {"id": "tt9400001"}).iloc[0]
    assert (list(film["keywords"]), list(film["relevant"]), list(film["voters"])) == (LANTERN_KEYWORDS, RELEVANT, VOTERS)
    top = run_cypher(neo4j_driver, "MATCH (f:Film {id: $id}) RETURN f.keywords[0] AS keyword, "
                     "f.keyword_relevant[0] * 1.0 / f.keyword_voters[0] AS share", {"id": "tt9400001"}).iloc[0]
    assert (top["keyword"], round(top["share"], 3)) == ("lighthouse", 0.933)
