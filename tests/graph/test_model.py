"""The canonical model: keys, normalisation and the one merge function."""

import pytest

from reelgraph.model import FilmGraph, film_key, merge_graphs, normalize_table, person_key, slugify


def test_derived_keys_are_stable():
    assert slugify("Pride & Prejudice") == "pride-prejudice"
    assert film_key("Amélie", 2001) == "title:amelie:2001"
    assert film_key("I'm Here") == "title:i-m-here"
    assert person_key("Saoirse Ronan") == "name:saoirse-ronan"


def test_normalize_adds_missing_columns_with_empty_lists():
    films = normalize_table(None, "films")
    assert list(films.columns[:3]) == ["id", "title", "year"]
    g = FilmGraph.from_records(films=[{"id": "tt0414387", "title": "Pride & Prejudice", "genres": "Drama"}])
    assert g.films.loc[0, "genres"] == ["Drama"]
    assert g.films.loc[0, "keywords"] == []
    assert str(g.films["year"].dtype) == "Int64"


def test_stub_merges_into_the_full_film_by_title():
    page = FilmGraph.from_records(
        films=[{"id": "tt1334260", "title": "Never Let Me Go", "year": 2010},
               {"id": "title:jane-eyre", "title": "Jane Eyre", "rating": 7.3, "stub": True}],
        similar=[{"film_id": "tt1334260", "similar_id": "title:jane-eyre", "rank": 12, "source": "imdb-more-like-this"}],
    )
    table = FilmGraph.from_records(films=[{"id": "tt1229822", "title": "Jane Eyre", "year": 2011, "genres": ["Drama"]}])
    merged = merge_graphs(page, table)
    jane = merged.films.set_index("id").loc["tt1229822"]
    assert (jane["year"], jane["rating"], bool(jane["stub"]), jane["genres"]) == (2011, 7.3, False, ["Drama"])
    assert merged.similar[["film_id", "similar_id", "rank"]].values.tolist() == [["tt1334260", "tt1229822", 12]]
    assert "title:jane-eyre" not in set(merged.films.id)


def test_stub_with_two_candidate_films_stays_a_stub():
    stub = FilmGraph.from_records(films=[{"id": "title:jane-eyre", "title": "Jane Eyre", "stub": True}])
    two = FilmGraph.from_records(films=[{"id": "tt1229822", "title": "Jane Eyre", "year": 2011},
                                        {"id": "tt0036969", "title": "Jane Eyre", "year": 1943}])
    merged = merge_graphs(stub, two)
    assert sorted(merged.films.id) == ["title:jane-eyre", "tt0036969", "tt1229822"]


def test_derived_person_resolves_to_the_one_id_with_that_name():
    text = FilmGraph.from_records(people=[{"id": "name:keira-knightley", "name": "Keira Knightley"}],
                                  credits=[{"person_id": "name:keira-knightley", "film_id": "tt1334260", "role": "actor",
                                            "characters": ["Ruth"], "billing": 1}])
    html = FilmGraph.from_records(people=[{"id": "nm0461136", "name": "Keira Knightley", "birth_year": 1985}],
                                  credits=[{"person_id": "nm0461136", "film_id": "tt1334260", "role": "actor"}])
    merged = merge_graphs(text, html)
    assert merged.people[["id", "birth_year"]].values.tolist() == [["nm0461136", 1985]]
    credit = merged.credits.iloc[0]
    assert len(merged.credits) == 1
    assert (credit["person_id"], credit["characters"], credit["billing"]) == ("nm0461136", ["Ruth"], 1)


def test_richer_row_wins_and_lists_unite():
    thin = FilmGraph.from_records(films=[{"id": "tt1", "title": "A", "rating": 6.0, "genres": ["Drama"]}])
    rich = FilmGraph.from_records(films=[{"id": "tt1", "title": "A", "year": 2000, "rating": 7.0, "votes": 10,
                                          "genres": ["Romance"]}])
    for order in ((thin, rich), (rich, thin)):
        film = merge_graphs(*order).films.iloc[0]
        assert film["rating"] == 7.0
        assert sorted(film["genres"]) == ["Drama", "Romance"]


def test_later_source_wins_a_tie():
    old = FilmGraph.from_records(films=[{"id": "tt1", "title": "A", "rating": 6.0}])
    new = FilmGraph.from_records(films=[{"id": "tt1", "title": "A", "rating": 6.4}])
    assert merge_graphs(old, new).films.loc[0, "rating"] == 6.4


def test_merge_is_idempotent_and_drops_self_links():
    g = FilmGraph.from_records(
        films=[{"id": "tt1", "title": "A"}, {"id": "tt2", "title": "B"}],
        similar=[{"film_id": "tt1", "similar_id": "tt2", "rank": 2, "source": "x"},
                 {"film_id": "tt1", "similar_id": "tt2", "rank": 1, "source": "x"},
                 {"film_id": "tt1", "similar_id": "tt1", "rank": 3, "source": "x"}],
    )
    once = merge_graphs(g)
    assert once.similar[["film_id", "similar_id", "rank"]].values.tolist() == [["tt1", "tt2", 1]]
    assert merge_graphs(once, once).counts() == once.counts()


@pytest.mark.parametrize("table", ["films", "people", "credits", "similar"])
def test_empty_graph_has_canonical_columns(table):
    df = getattr(FilmGraph.empty(), table)
    assert len(df) == 0 and len(df.columns) >= 4


# -- plausible values (issue #16) ------------------------------------------------


@pytest.mark.parametrize("table, column, value, said", [
    ("films", "rating", 99.9, "rating 99.9 out of range (1.0 to 10.0)"),
    ("films", "rating", -3, "rating -3 out of range (1.0 to 10.0)"),
    ("films", "rating", float("inf"), "rating inf is not a number"),
    ("films", "votes", -500, "votes -500 out of range (0 to 10000000000)"),
    ("films", "year", 0, "year 0 out of range (1870 to "),
    ("films", "year", 99999, "year 99999 out of range (1870 to "),
    ("films", "year", "two thousand", "year 'two thousand' is not a number"),
    ("films", "year", "9" * 25, "year 9999999999999999999999999 out of range"),
    ("films", "runtime_minutes", -90, "runtime_minutes -90 out of range (0 to 1000000)"),
    ("films", "runtime_minutes", 9e12, "runtime_minutes 9000000000000.0 out of range"),
    ("films", "title", "x" * 200_000, "title of 200,000 characters (at most 2,000)"),
    ("films", "plot", "p" * 100_001, "plot of 100,001 characters (at most 100,000)"),
    ("films", "keywords", ["ok", "k" * 100_001], "keywords of 100,001 characters"),
    ("people", "birth_year", 2999, "birth_year 2999 out of range (1 to "),
])
def test_bad_value_says_what_is_wrong(table, column, value, said):
    from reelgraph.model import bad_value

    assert bad_value(table, column, value).startswith(said)


@pytest.mark.parametrize("table, column, value", [
    ("films", "rating", 1.0), ("films", "rating", 10), ("films", "year", 1874), ("films", "year", 2115),
    ("films", "runtime_minutes", 0), ("films", "votes", 0), ("people", "birth_year", 1564), ("films", "year", None),
    ("films", "rating", float("nan")), ("films", "title", "t" * 2_000), ("films", "genres", []),
])
def test_bad_value_accepts_what_imdb_holds(table, column, value):
    from reelgraph.model import bad_value

    assert bad_value(table, column, value) is None


def test_first_bad_row_finds_the_first_row_of_any_column():
    import pandas as pd

    from reelgraph.model import first_bad_row

    films = pd.DataFrame({"id": ["a", "b", "c"], "year": [2000, 2001, 99999], "rating": [7.0, 11.0, None], "title": ["A", "B", "C"]})
    assert first_bad_row("films", films) == (1, "rating 11.0 out of range (1.0 to 10.0)")
    people = FilmGraph.from_records(people=[{"id": "nm1", "name": "A", "birth_year": 1950, "death_year": 1949}]).people
    assert first_bad_row("people", people) == (0, "birth_year 1950 after death_year 1949")
    assert first_bad_row("films", FilmGraph.empty().films) is None


def test_imdb_ids_are_matched_whole():
    from reelgraph.model import is_imdb_film_id, is_imdb_person_id

    assert is_imdb_film_id("tt1334260") and is_imdb_person_id("nm0461136")
    assert not is_imdb_film_id("tt1334260\n") and not is_imdb_person_id("nm<script>") and not is_imdb_film_id("tt12")
