"""The copied-text loader against the seed page: every value it shows, asserted."""

import pandas as pd
import pytest

from reelgraph.errors import InputError
from reelgraph.model import MORE_LIKE_THIS, merge_graphs
from reelgraph.loaders.imdb_text import read_imdb_text
from reelgraph.loaders.sample import SAMPLE_DIR

SEED = SAMPLE_DIR / "pages" / "never-let-me-go.imdb.txt"


@pytest.fixture(scope="module")
def seed():
    return read_imdb_text(SEED)


@pytest.fixture(scope="module")
def film(seed):
    return seed.films.set_index("id").loc["tt1334260"]


def test_identity_and_header(film):
    assert film["title"] == "Never Let Me Go"
    assert film["year"] == 2010
    assert film["title_type"] == "movie"
    assert film["certificate"] == "R"
    assert film["runtime_minutes"] == 103
    assert bool(film["stub"]) is False
    assert film["source"] == "imdb-text"


def test_rating_votes_popularity(film):
    assert film["rating"] == 7.1
    assert film["votes"] == 141_000
    assert film["popularity"] == 833
    assert film["metascore"] == 69


def test_genres_include_the_storyline_list(film):
    # The header shows the first three; the storyline lists Thriller as well.
    assert film["genres"] == ["Drama", "Romance", "Sci-Fi", "Thriller"]


def test_plot_is_shown_once(film):
    assert film["plot"] == (
        "The lives of three friends, from their early school days into young adulthood, "
        "when the reality of the world they live in comes knocking."
    )


def test_storyline_keywords_and_tagline(film):
    assert film["storyline"].startswith("As children, Ruth, Kathy and Tommy spend their childhood")
    assert film["storyline"].endswith("the haunting reality that awaits them.")
    assert film["keywords"] == ["dystopia", "amputation", "clone", "boarding school", "human cloning"]
    assert film["keywords_total"] == 5 + 117
    assert film["tagline"] == "Welcome to Hailsham. The students have everything they need, except time."


def test_details(film):
    assert film["release_date"] == "2011-02-11"
    assert film["release_country"] == "United Kingdom"
    assert film["countries"] == ["United Kingdom"]
    assert film["languages"] == ["English"]
    assert film["also_known_as"] == ["Nunca me abandones"]
    assert film["filming_locations"] == ["Andrew Melville Hall, University of St Andrews, St. Andrews, Fife, Scotland, UK"]
    assert film["companies"] == ["DNA Films", "Film4", "Searchlight Films"]


def test_box_office(film):
    assert film["budget"] == 15_000_000
    assert film["budget_currency"] == "USD"
    assert film["gross_worldwide"] == 9_918_093
    assert film["gross_currency"] == "USD"


def test_top_cast_of_eighteen_with_characters(seed):
    actors = seed.credits[seed.credits.role == "actor"].sort_values("billing")
    names = seed.people.set_index("id")["name"]
    cast = [(names[p], c) for p, c in zip(actors.person_id, actors.characters)]
    assert cast == [
        ("Keira Knightley", ["Ruth"]), ("Carey Mulligan", ["Kathy"]), ("Andrew Garfield", ["Tommy"]),
        ("Izzy Meikle-Small", ["Young Kathy"]), ("Charlie Rowe", ["Young Tommy"]), ("Ella Purnell", ["Young Ruth"]),
        ("Charlotte Rampling", ["Miss Emily"]), ("Sally Hawkins", ["Miss Lucy"]),
        ("Kate Bowes Renna", ["Miss Geraldine"]), ("Hannah Sharp", ["Amanda"]), ("Christina Carrafiell", ["Laura"]),
        ("Oliver Parsons", ["Arthur"]), ("Luke Bryant", ["David"]), ("Fidelis Morgan", ["Matron"]),
        ("Damien Thomas", ["Doctor"]), ("Nathalie Richard", ["Madame"]), ("Huggy Leaver", ["Delivery Man 1"]),
        ("Charles Cork", ["Delivery Man 2"]),
    ]
    assert list(actors.billing) == list(range(1, 19))


def test_three_stars(seed):
    names = seed.people.set_index("id")["name"]
    stars = seed.credits[seed.credits.star.fillna(False)]
    assert sorted(names[p] for p in stars.person_id) == ["Andrew Garfield", "Carey Mulligan", "Keira Knightley"]


def test_director_and_writers_with_jobs(seed):
    names = seed.people.set_index("id")["name"]
    crew = seed.credits[seed.credits.role != "actor"].sort_values(["role", "billing"])
    assert [(names[p], r, j) for p, r, j in zip(crew.person_id, crew.role, crew.job)] == [
        ("Mark Romanek", "director", None),
        ("Kazuo Ishiguro", "writer", "novel"),
        ("Alex Garland", "writer", "screenplay"),
    ]


def test_people_have_derived_keys(seed):
    assert seed.people.set_index("name").loc["Keira Knightley", "id"] == "name:keira-knightley"
    assert len(seed.people) == 21


def test_more_like_this_in_page_order_with_ratings(seed):
    links = seed.similar.sort_values("rank")
    films = seed.films.set_index("id")
    got = [(r, films.loc[s, "title"], films.loc[s, "rating"]) for r, s in zip(links["rank"], links.similar_id)]
    expected = [
        (1, "An Education", 7.3), (2, "Shame", 7.2), (3, "Atonement", 7.8), (4, "Brooklyn", 7.5),
        (5, "Suffragette", 6.9), (6, "I'm Here", 7.8), (7, "Far from the Madding Crowd", 7.1),
        (8, "Begin Again", 7.4), (9, "The Tesseract", 5.3), (10, "Never Let Me Go", None),
        (11, "Pride & Prejudice", 7.8), (12, "Jane Eyre", 7.3),
    ]
    got = [(r, t, None if pd.isna(rating) else float(rating)) for r, t, rating in got]
    assert got == expected
    assert set(links.source) == {MORE_LIKE_THIS}
    assert films.loc[links.similar_id, "stub"].all()


def test_unrated_entry_with_the_pages_own_title_is_another_film(seed):
    # IMDb never lists a film as like itself, so the unrated "Never Let Me Go"
    # after "The Tesseract" is another work of that name: a stub of its own,
    # never merged into the page's film, even after a merge.
    merged = merge_graphs(seed, seed)
    assert "title:never-let-me-go" in set(merged.films.id)
    assert not ((merged.similar.film_id == "tt1334260") & (merged.similar.similar_id == "tt1334260")).any()
    assert len(merged.similar) == 12


def test_loading_twice_is_a_no_op(seed):
    twice = merge_graphs(seed, seed)
    assert twice.counts() == seed.counts()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file"),
        ("Amélie (2001) - IMDb\nAmélie Poulain".encode("latin-1"), "not UTF-8"),
        (b"Just some notes about films\n", "not a copied IMDb title page"),
        (b"Never Let Me Go (2010) - Plot keywords - IMDb\nhttps://www.imdb.com/title/tt1334260/keywords/\nKeywords dystopia\n",
         "keywords page"),
        (b"Russian Doll (TV Series 2019-2022) - Episode list - IMDb\nhttps://www.imdb.com/title/tt7520794/episodes/\n",
         "episodes page"),
    ],
)
def test_bad_input_one_line_error(tmp_path, content, message):
    path = tmp_path / "page.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        read_imdb_text(path)
    assert str(info.value).startswith(str(path))
    assert "\n" not in str(info.value)


def test_truncated_copy_without_cast(tmp_path):
    text = SEED.read_text()
    path = tmp_path / "cut.txt"
    path.write_text(text[: text.index("Top cast")])
    with pytest.raises(InputError, match=r"cut\.txt: no cast found"):
        read_imdb_text(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.txt: no such file"):
        read_imdb_text(tmp_path / "nope.txt")
