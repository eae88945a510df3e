"""Tests of :mod:`reelgraph.loaders.imdb_html`: saved IMDb title pages (.html).

The fixtures in ``tests/fixtures/html`` are small hand-made pages in the
shapes IMDb used: the 2022 layout (``aboveTheFoldData`` + ``mainColumnData``),
the early-2022 one (``urqlState`` caches), the newer grouped credits
(``principalCreditsV2`` / ``castV2`` / ``crewV2``) and the classic layout with
JSON-LD only.  Their data is the seed film's (Never Let Me Go) and films
around it, or invented (``nm92...``, ``tt92...``).

``test_real_saved_page`` reads a real saved page and runs only when
``REELGRAPH_REALDATA`` names the folder holding ``imdb-html-2022``.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from reelgraph.errors import InputError
from reelgraph.model import FILM_COLUMNS, MORE_LIKE_THIS, merge_graphs
from reelgraph.loaders.imdb_html import SOURCE, looks_like_imdb_html, read_imdb_html

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"
NLMG = FIXTURES / "never_let_me_go.html"
SAMPLE_TEXT_PAGE = Path(__file__).resolve().parents[2] / "loaders" / "sample" / "pages" / "never-let-me-go.imdb.txt"


def films_by_id(graph) -> dict:
    return {row["id"]: row for row in graph.to_records()["films"]}


def credits_of(graph, role=None) -> list[dict]:
    rows = graph.to_records()["credits"]
    return [row for row in rows if role is None or row["role"] == role]


def people_names(graph) -> dict:
    return {row["id"]: row["name"] for row in graph.to_records()["people"]}


def read_quietly(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a fixture read must not warn unless a test says so
        return read_imdb_html(path)


# -- the 2022 layout: Never Let Me Go ----------------------------------------


@pytest.fixture(scope="module")
def nlmg():
    return read_quietly(NLMG)


def test_film_row_has_every_field_the_page_states(nlmg):
    film = films_by_id(nlmg)["tt1334260"]
    expected = {
        "id": "tt1334260",
        "title": "Never Let Me Go",
        "original_title": "Never Let Me Go",
        "year": 2010,
        "title_type": "movie",
        "rating": 7.1,
        "votes": 141372,
        "runtime_minutes": 103,
        "genres": ["Drama", "Romance", "Sci-Fi"],
        "certificate": "R",  # null in __NEXT_DATA__, from JSON-LD contentRating
        "release_date": "2011-02-11",
        "release_country": "United Kingdom",
        "countries": ["United Kingdom"],
        "languages": ["English"],
        "plot": "The lives of three friends, from their early school days into young adulthood, "
        "when the reality of the world they live in comes knocking.",
        "storyline": "As children, Ruth, Kathy and Tommy spend their childhood at a seemingly idyllic English boarding school.",
        "keywords": ["dystopia", "amputation", "clone", "boarding school", "human cloning"],
        "keywords_total": 122,
        "companies": ["DNA Films", "Film4", "Searchlight Films"],
        "budget": 15000000,
        "budget_currency": "USD",
        "gross_worldwide": 9918093,
        "gross_currency": "USD",
        "popularity": 833,
        "metascore": 69,
        "tagline": "Welcome to Hailsham. The students have everything they need, except time.",
        "also_known_as": ["Nunca me abandones"],
        "filming_locations": ["Andrew Melville Hall, University of St Andrews, St. Andrews, Fife, Scotland, UK"],
        "is_adult": False,
        "stub": False,
        "source": "imdb-html",
    }
    assert {key: film.get(key) for key in expected} == expected
    assert SOURCE == "imdb-html"


def test_tables_have_the_canonical_columns(nlmg):
    assert list(nlmg.films.columns[: len(FILM_COLUMNS)]) == list(FILM_COLUMNS)
    assert nlmg.counts() == {"films": 7, "people": 13, "credits": 13, "similar": 6}


def test_cast_in_billing_order_with_characters_and_stars(nlmg):
    cast = [(c["person_id"], c["characters"], c["billing"], c["star"], c["job"]) for c in credits_of(nlmg, "actor")]
    assert cast == [
        ("nm0461136", ["Ruth"], 1, True, None),
        ("nm1659547", ["Kathy"], 2, True, None),
        ("nm1940449", ["Tommy"], 3, True, None),
        ("nm9100001", ["Young Kathy"], 4, False, None),
        ("nm9100002", ["Young Tommy"], 5, False, None),
        ("nm9100003", ["Young Ruth"], 6, False, None),
        ("nm0001648", ["Miss Emily"], 7, False, None),
        ("nm1020089", ["Miss Lucy"], 8, False, None),
        ("nm9100009", ["Guardian", "Narrator"], 9, False, "voice"),  # two characters; attribute as job
        ("nm9100010", [], 10, False, None),  # "characters": null
    ]
    assert all(c["film_id"] == "tt1334260" and c["source"] == SOURCE for c in credits_of(nlmg))


def test_directors_and_writers_with_their_jobs(nlmg):
    crew = [(c["person_id"], c["role"], c["job"], c["billing"], c["star"]) for c in credits_of(nlmg) if c["role"] != "actor"]
    # Listed twice on the page (principal credits and the credits section): one row each.
    assert crew == [
        ("nm0738996", "director", None, None, False),
        ("nm0411872", "writer", "novel", None, False),
        ("nm0307497", "writer", "screenplay", None, False),
    ]
    names = people_names(nlmg)
    assert names["nm0461136"] == "Keira Knightley"
    assert names["nm0738996"] == "Mark Romanek"
    assert names["nm0307497"] == "Alex Garland"
    assert len(names) == 13


def test_more_like_this_links_and_stub_films(nlmg):
    similar = [(s["film_id"], s["similar_id"], s["rank"], s["source"]) for s in nlmg.to_records()["similar"]]
    assert similar == [
        ("tt1334260", "tt1174732", 1, MORE_LIKE_THIS),
        ("tt1334260", "tt1723811", 2, MORE_LIKE_THIS),
        ("tt1334260", "tt0783233", 3, MORE_LIKE_THIS),
        ("tt1334260", "tt9100100", 4, MORE_LIKE_THIS),  # another title of the same name: kept, it has its own id
        ("tt1334260", "tt0414387", 5, MORE_LIKE_THIS),
        ("tt1334260", "tt1229822", 6, MORE_LIKE_THIS),
    ]
    films = films_by_id(nlmg)
    stubs = {fid: (f["title"], f["year"], f["title_type"], f["rating"], f["votes"], f["stub"]) for fid, f in films.items() if f["stub"]}
    assert stubs == {
        "tt1174732": ("An Education", 2009, "movie", 7.3, 150211, True),
        "tt1723811": ("Shame", 2011, "movie", 7.2, 210334, True),
        "tt0783233": ("Atonement", 2007, "movie", 7.8, 281020, True),
        "tt9100100": ("Never Let Me Go", 2022, "short", None, 0, True),
        "tt0414387": ("Pride & Prejudice", 2005, "movie", 7.8, 290123, True),
        "tt1229822": ("Jane Eyre", 2011, "movie", 7.3, 95712, True),
    }
    assert all(f["source"] == SOURCE for f in films.values())


def test_graph_merges_cleanly_with_itself(nlmg):
    merged = merge_graphs(nlmg, read_quietly(NLMG))
    assert merged.counts() == nlmg.counts()


# -- other shapes ------------------------------------------------------------


def test_early_2022_shape_from_urql_state_caches():
    graph = read_quietly(FIXTURES / "atonement_urql_state.html")
    film = films_by_id(graph)["tt0783233"]
    assert {k: film[k] for k in ("title", "year", "title_type", "rating", "votes", "runtime_minutes", "genres",
                                  "certificate", "release_date", "countries", "languages", "plot")} == {
        "title": "Atonement",
        "year": 2007,
        "title_type": "movie",  # only titleType.text "Movie" on the page
        "rating": 7.8,
        "votes": 281020,
        "runtime_minutes": 123,  # runtimes.edges[0].node.seconds
        "genres": ["Drama", "Mystery", "Romance", "War"],  # a plain list of names
        "certificate": "R",
        "release_date": "2007-09-07",
        "countries": ["United Kingdom", "France"],
        "languages": ["English"],
        "plot": "A young girl's lie changes the course of several lives.",
    }
    # "credits" with a category per node instead of "cast"; no stars marked: the top 3 billed are.
    credits = [(c["person_id"], c["role"], c["characters"], c["job"], c["billing"], c["star"]) for c in credits_of(graph)]
    assert credits == [
        ("nm0461136", "actor", ["Cecilia Tallis"], None, 1, True),
        ("nm0564215", "actor", ["Robbie Turner"], None, 2, True),
        ("nm1519680", "actor", ["Briony Tallis, 13 Years"], None, 3, True),
        ("nm1140917", "actor", ["Briony Tallis, 18 Years"], None, 4, False),
        ("nm0942504", "director", [], None, None, False),
        ("nm0358960", "writer", [], "screenplay", None, False),
        ("nm0568042", "writer", [], "novel", None, False),
    ]
    # A plain list instead of edges; the page's own id is dropped; a title without id gets a derived key.
    similar = [(s["similar_id"], s["rank"]) for s in graph.to_records()["similar"]]
    assert similar == [("tt0414387", 1), ("title:the-english-patient:1996", 2), ("tt1334260", 3)]
    stub = films_by_id(graph)["title:the-english-patient:1996"]
    assert (stub["title"], stub["year"], stub["rating"], stub["stub"]) == ("The English Patient", 1996, None, True)


def test_json_ld_only_page():
    graph = read_quietly(FIXTURES / "pride_and_prejudice_jsonld_only.html")
    film = films_by_id(graph)["tt0414387"]
    assert {k: film[k] for k in ("title", "year", "title_type", "rating", "votes", "runtime_minutes", "genres",
                                  "certificate", "release_date", "keywords", "stub", "source")} == {
        "title": "Pride & Prejudice",  # HTML entities in JSON-LD strings are decoded
        "year": 2005,
        "title_type": "movie",
        "rating": 7.8,
        "votes": 290123,
        "runtime_minutes": 129,  # PT2H9M
        "genres": ["Drama", "Romance"],
        "certificate": "PG",
        "release_date": "2005-11-11",
        "keywords": ["based on novel", "19th century", "england", "marriage", "pride"],
        "stub": False,
        "source": "imdb-html",
    }
    assert film["plot"].startswith("Sparks fly when spirited Elizabeth Bennet meets single, rich, and proud Mr. Darcy.")
    credits = [(c["person_id"], c["role"], c["characters"], c["job"], c["billing"], c["star"]) for c in credits_of(graph)]
    assert credits == [
        ("nm0461136", "actor", [], None, 1, True),  # JSON-LD actors are the page's stars
        ("nm0532193", "actor", [], None, 2, True),
        ("nm0000950", "actor", [], None, 3, True),
        ("nm0942504", "director", [], None, None, False),
        ("nm0000807", "writer", [], None, None, False),  # creator Persons; the Organization is dropped
        ("nm0595386", "writer", [], None, None, False),
    ]
    assert people_names(graph)["nm0000807"] == "Jane Austen"
    assert graph.counts()["similar"] == 0


def test_tv_series_in_the_newer_grouped_shape():
    graph = read_quietly(FIXTURES / "glass_orchard_tv_series.html")
    film = films_by_id(graph)["tt9200001"]
    assert {k: film[k] for k in ("title", "original_title", "year", "title_type", "rating", "votes", "runtime_minutes",
                                  "genres", "certificate", "release_date", "release_country", "countries", "languages",
                                  "companies", "popularity", "is_adult")} == {
        "title": "The Glass Orchard",
        "original_title": "Le Verger de verre",
        "year": 2021,
        "title_type": "tvSeries",
        "rating": 8.2,
        "votes": 45210,
        "runtime_minutes": 55,
        "genres": ["Drama", "Mystery"],  # titleGenres.genres[].genre
        "certificate": "TV-14",
        "release_date": "2021-03-03",
        "release_country": "France",
        "countries": ["France", "Belgium"],
        "languages": ["French", "English"],
        "companies": ["Invented Pictures"],
        "popularity": 1204,
        "is_adult": False,
    }
    credits = [(c["person_id"], c["role"], c["characters"], c["job"], c["billing"], c["star"]) for c in credits_of(graph)]
    assert credits == [
        ("nm9200001", "actor", ["Mara Quill"], None, 1, True),
        ("nm9200002", "actor", ["Detective Hal Brook"], None, 2, True),  # the credited role's text is the character
        ("nm9200003", "actor", ["Iris Vane", "Young Iris"], None, 3, True),
        ("nm9200004", "actor", ["Owen"], "uncredited", 4, False),  # not in the "Stars" grouping
        ("nm9200010", "writer", [], "creator", None, False),
        ("nm9200011", "producer", [], "executive producer", None, False),
        ("nm9200012", "composer", [], None, None, False),
    ]
    similar = [(s["similar_id"], s["rank"]) for s in graph.to_records()["similar"]]
    assert similar == [("tt9200101", 1), ("tt9200102", 2)]
    assert films_by_id(graph)["tt9200102"]["title_type"] == "tvMiniSeries"


# -- truncated __NEXT_DATA__ -------------------------------------------------


def test_truncated_next_data_without_json_ld_is_an_error():
    path = FIXTURES / "truncated_next_data.html"
    with pytest.raises(InputError, match=r"truncated_next_data\.html: __NEXT_DATA__ JSON is truncated or invalid \(cut off"):
        read_imdb_html(path)


def test_truncated_next_data_falls_back_to_json_ld_with_a_warning(tmp_path):
    text = NLMG.read_text(encoding="utf-8")
    path = tmp_path / "cut.html"
    path.write_text(text[: text.index('"moreLikeThisTitles"')], encoding="utf-8")
    with pytest.warns(UserWarning, match=r"cut\.html: __NEXT_DATA__ JSON is truncated or invalid .*JSON-LD block only"):
        graph = read_imdb_html(path)
    film = films_by_id(graph)["tt1334260"]
    assert (film["title"], film["year"], film["rating"], film["votes"], film["runtime_minutes"], film["certificate"]) == (
        "Never Let Me Go", 2011, 7.1, 141372, 103, "R")  # JSON-LD knows the release date, not the year
    credits = [(c["person_id"], c["role"], c["billing"], c["star"]) for c in credits_of(graph)]
    assert credits == [
        ("nm0461136", "actor", 1, True),
        ("nm1659547", "actor", 2, True),
        ("nm1940449", "actor", 3, True),
        ("nm0738996", "director", None, False),
        ("nm0411872", "writer", None, False),
        ("nm0307497", "writer", None, False),
    ]
    assert graph.counts()["similar"] == 0


def test_invalid_next_data_and_json_ld_of_another_title_is_an_error(tmp_path):
    text = NLMG.read_text(encoding="utf-8")
    text = text.replace('"mainColumnData": {', '"mainColumnData": {,', 1).replace('"url": "/title/tt1334260/"', '"url": "/title/tt0000001/"')
    path = tmp_path / "broken.html"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"JSON is truncated or invalid \(Expecting .*no JSON-LD block describes the title"):
        read_imdb_html(path)


# -- bad input ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.html", r"empty file"),
        ("episodes_page.html", r"the IMDb episodes page of tt0412142: reelgraph reads a title's main page and its "
                               r"/reference, /fullcredits and /keywords pages"),
        ("unrelated.html", r"not an IMDb title page \(no title id"),
        ("truncated_next_data.html", r"__NEXT_DATA__ JSON is truncated"),
        ("no_cast.html", r"no cast: tt9300001 lists no actors"),
    ],
)
def test_bad_fixture_pages(name, message):
    path = FIXTURES / name
    with pytest.raises(InputError) as caught:
        read_imdb_html(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: ")
    assert "\n" not in text
    assert caught.match(message)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.html: no such file"):
        read_imdb_html(tmp_path / "nope.html")


def test_folder(tmp_path):
    with pytest.raises(InputError, match=r"is a folder"):
        read_imdb_html(tmp_path)


def test_white_space_only_file(tmp_path):
    path = tmp_path / "blank.html"
    path.write_text("  \n\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"blank\.html: empty file"):
        read_imdb_html(path)


def test_binary_file(tmp_path):
    path = tmp_path / "poster.html"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    with pytest.raises(InputError, match=r"poster\.html: binary file"):
        read_imdb_html(path)


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.html"
    path.write_bytes("<html><head><title>Amélie (2001) - IMDb</title></head></html>".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1\.html:1: not UTF-8 text \(invalid byte 0xe9\)"):
        read_imdb_html(path)


def test_text_that_is_not_html(tmp_path):
    path = tmp_path / "copied.html"
    path.write_text(SAMPLE_TEXT_PAGE.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(InputError, match=r"copied\.html: not an HTML page"):
        read_imdb_html(path)


def test_imdb_name_page(tmp_path):
    path = tmp_path / "keira.html"
    path.write_text(
        '<html><head><meta property="imdb:pageType" content="name"/><meta property="imdb:pageConst" content="nm0461136"/>'
        '<link rel="canonical" href="https://www.imdb.com/name/nm0461136/"/></head><body></body></html>',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"keira\.html: an IMDb name page, not a title page: reelgraph reads"):
        read_imdb_html(path)


def test_other_next_js_site(tmp_path):
    path = tmp_path / "shop.html"
    path.write_text(
        '<html><head><title>Shop</title></head><body><script id="__NEXT_DATA__" type="application/json">'
        '{"props":{"pageProps":{"basket":[]}},"page":"/shop"}</script></body></html>',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"shop\.html: not an IMDb title page"):
        read_imdb_html(path)


def test_title_page_without_any_json(tmp_path):
    path = tmp_path / "bare.html"
    path.write_text(
        '<html><head><title>Never Let Me Go (2010) - IMDb</title>'
        '<link rel="canonical" href="https://www.imdb.com/title/tt1334260/"/></head><body><h1>Never Let Me Go</h1></body></html>',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"bare\.html: no title data for tt1334260"):
        read_imdb_html(path)


# -- format detection --------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["never_let_me_go.html", "atonement_urql_state.html", "pride_and_prejudice_jsonld_only.html",
     "glass_orchard_tv_series.html", "keywords_page.html", "episodes_page.html"],
)
def test_looks_like_imdb_html_on_imdb_pages(name):
    head = (FIXTURES / name).read_bytes()[:4096]
    assert looks_like_imdb_html(head) is True
    assert looks_like_imdb_html(head.decode("utf-8", "ignore")) is True


def test_looks_like_imdb_html_on_other_input():
    assert looks_like_imdb_html((FIXTURES / "unrelated.html").read_bytes()) is False
    assert looks_like_imdb_html(b"") is False
    assert looks_like_imdb_html(SAMPLE_TEXT_PAGE.read_bytes()[:4096]) is False  # copied text: no markup
    assert looks_like_imdb_html(b"<html>\x00\x01\x02 imdb.com") is False  # binary
    assert looks_like_imdb_html(None) is False


# -- the real saved page (optional) ------------------------------------------

REAL_PAGE = "imdb-html-2022/tt7520794_russian_doll_series__case-9.html"


@pytest.fixture(scope="module")
def real_page():
    folder = os.environ.get("REELGRAPH_REALDATA")
    if not folder:
        pytest.skip("set REELGRAPH_REALDATA to the realdata folder to read a real saved IMDb page")
    path = Path(folder) / REAL_PAGE
    if not path.is_file():
        pytest.skip(f"REELGRAPH_REALDATA has no {REAL_PAGE}")
    return path


@pytest.mark.realdata
def test_real_saved_page(real_page):
    assert looks_like_imdb_html(real_page.read_bytes()[:4096]) is True
    graph = read_quietly(real_page)
    film = films_by_id(graph)["tt7520794"]
    assert {k: film[k] for k in ("title", "original_title", "year", "title_type", "rating", "votes", "runtime_minutes",
                                  "genres", "certificate", "release_date", "release_country", "countries", "languages",
                                  "popularity", "keywords_total", "stub", "source")} == {
        "title": "Russian Doll",
        "original_title": "Russian Doll",
        "year": 2019,
        "title_type": "tvSeries",
        "rating": 7.8,
        "votes": 80656,
        "runtime_minutes": 30,
        "genres": ["Adventure", "Comedy", "Drama", "Mystery"],
        "certificate": "TV-MA",
        "release_date": "2019-02-01",
        "release_country": "United States",
        "countries": ["United States"],
        "languages": ["English"],
        "popularity": 375,
        "keywords_total": 51,
        "stub": False,
        "source": "imdb-html",
    }
    assert "stuck in a time loop" in film["keywords"]
    assert "Netflix" in film["companies"]
    assert film["filming_locations"] == ["New York City, New York, USA"]

    names = people_names(graph)
    assert names["nm0005169"] == "Natasha Lyonne"
    actors = {c["person_id"]: c for c in credits_of(graph, "actor")}
    assert len(actors) == 20  # the 4 principal cast, then the 16 of the top cast
    natasha = actors["nm0005169"]
    assert (natasha["characters"], natasha["billing"], natasha["star"]) == (["Nadia Vulvokov"], 1, True)
    assert (actors["nm1854211"]["characters"], actors["nm1854211"]["billing"], actors["nm1854211"]["star"]) == (["Alan Zaveri"], 2, True)
    assert (actors["nm3020280"]["characters"], actors["nm3020280"]["star"]) == (["Lizzy"], False)  # not among the "Stars"
    assert actors["nm0039051"]["characters"] == ["Ruth Brenner"]
    assert actors["nm2251884"]["characters"] == []
    creators = {c["person_id"]: c["job"] for c in credits_of(graph, "writer")}
    assert creators == {"nm2853516": "creator", "nm0005169": "creator", "nm0688132": "creator"}

    similar = [(s["similar_id"], s["rank"], s["source"]) for s in graph.to_records()["similar"]]
    assert len(similar) == 12
    assert similar[:4] == [("tt8064302", 1, MORE_LIKE_THIS), ("tt2372162", 2, MORE_LIKE_THIS),
                           ("tt5580146", 3, MORE_LIKE_THIS), ("tt5687612", 4, MORE_LIKE_THIS)]
    films = films_by_id(graph)
    assert (films["tt8064302"]["title"], films["tt8064302"]["year"], films["tt8064302"]["rating"], films["tt8064302"]["stub"]) == (
        "Dead to Me", 2019, 8.0, True)
    assert (films["tt5687612"]["title"], films["tt5687612"]["rating"], films["tt5687612"]["votes"]) == ("Fleabag", 8.7, 135652)
    assert films["tt5580146"]["title_type"] == "tvMiniSeries"
