"""The saved IMDb page kinds beside the main page: ``/reference``, ``/fullcredits/``, ``/keywords/``.

The fixtures in ``tests/fixtures/pages`` are small hand-made pages in the
2025-2026 shapes (its README says which shape each follows), with invented
titles and people (``tt94...``, ``nm94...``) and IMDb's real credit category
ids.  Three of them are pages of one title, The Lantern Keepers: its main
page, its full credits and its keywords; the tests load them into one store
and check the union.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from reelgraph.errors import InputError
from reelgraph.loaders import read_partitions, source_key
from reelgraph.loaders.imdb_credits import CREDIT_CATEGORIES, credit_role
from reelgraph.loaders.imdb_html import PAGE_KINDS, read_imdb_html
from reelgraph.model import FILM_COLUMNS, LIST_COLUMNS
from reelgraph.workflows import load

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
MAIN = PAGES / "lantern_keepers_main.html"
FULL = PAGES / "lantern_keepers_fullcredits.html"
KEYWORDS = PAGES / "lantern_keepers_keywords.html"
REFERENCE = PAGES / "salt_harbour_reference.html"
LANTERN_REFERENCE = PAGES / "lantern_keepers_reference.html"
CATEGORY = "amzn1.imdb.concept.name_credit_category."


def read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a fixture read must not warn
        return read_imdb_html(path)


def film_of(graph, film_id="tt9400001") -> dict:
    return next(row for row in graph.to_records()["films"] if row["id"] == film_id)


def credit_rows(graph) -> list[tuple]:
    return [(c["person_id"], c["role"], c["characters"], c["job"], c["billing"], c["star"])
            for c in graph.to_records()["credits"]]


# -- the role of a credit category --------------------------------------------


def test_categories_map_by_id_first_then_by_heading():
    assert credit_role("Regie", CATEGORY + "ace5cb4c-8708-4238-9542-04641e7c8171") == ("director", None)
    assert credit_role("Kamera", CATEGORY + "e2bf7217-c947-461b-aa58-47e27da1c78e") == ("cinematographer", None)
    assert credit_role("Produced by", CATEGORY + "0000-unknown") == ("producer", None)  # unknown id: the heading
    assert credit_role("Art Director") == ("art_director", None)  # not a director
    assert credit_role("Casting By") == ("casting_director", None)
    assert credit_role(None, None, "actor") == ("actor", None)


def test_category_table_has_one_row_an_id_and_the_core_roles():
    ids = [row[0] for row in CREDIT_CATEGORIES]
    assert len(ids) == len(set(ids))
    roles = {row[1] for row in CREDIT_CATEGORIES}
    assert {"actor", "self", "director", "writer", "producer", "composer", "cinematographer", "editor"} <= roles


def test_incomplete_credits_is_a_canonical_list_column():
    assert FILM_COLUMNS["incomplete_credits"] == "object"
    assert "incomplete_credits" in LIST_COLUMNS["films"]


# -- each page kind ------------------------------------------------------------


def test_main_page_2025_groupings_by_category_id_and_more_like_this():
    graph = read(MAIN)
    assert graph.page_kind == "main"
    film = film_of(graph)
    assert (film["title"], film["year"], film["rating"], film["votes"], film["incomplete_credits"]) == (
        "The Lantern Keepers", 2025, 7.4, 18250, [])
    # German headings ("Regie", "Drehbuch", "Hauptbesetzung"): mapped by the grouping ids.
    assert credit_rows(graph) == [
        ("nm9400001", "actor", ["Mara"], None, 1, True),
        ("nm9400002", "actor", ["Keeper Brand"], None, 2, True),
        ("nm9400003", "actor", ["Young Mara"], "uncredited", 3, False),
        ("nm9400010", "director", [], None, None, False),
        ("nm9400011", "writer", [], "screenplay", None, False),
        ("nm9400020", "producer", [], None, None, False),
        ("nm9400030", "composer", [], None, None, False),
    ]
    stubs = {f["id"]: (f["title"], f["title_type"], f["year"], f["rating"], f["votes"], f["stub"])
             for f in graph.to_records()["films"] if f["stub"]}
    assert stubs == {"tt9400101": ("The Invented Tide", "movie", 2021, 6.9, 5400, True),
                     "tt9400102": ("Salt Harbour", "tvMiniSeries", 2023, 8.1, 22000, True)}
    assert [(s["similar_id"], s["rank"]) for s in graph.to_records()["similar"]] == [("tt9400101", 1), ("tt9400102", 2)]


def test_fullcredits_page_every_category_and_what_is_incomplete():
    graph = read(FULL)
    assert graph.page_kind == "fullcredits"
    film = film_of(graph)
    assert (film["title"], film["year"], film["title_type"], film["stub"]) == ("The Lantern Keepers", 2025, "movie", False)
    assert film["incomplete_credits"] == ["producer", "art_department"]  # 2 of 4 producers, 1 of 12
    assert film["complete_credits"] == ["director", "writer", "actor", "composer", "cinematographer"]
    assert graph.incomplete_counts == {"producer": (2, 4), "art_department": (1, 12)}
    assert credit_rows(graph) == [
        ("nm9400001", "actor", ["Mara", "Narrator"], None, 1, None),  # a full-credits page names no stars
        ("nm9400002", "actor", ["Keeper Brand"], None, 2, None),
        ("nm9400003", "actor", ["Young Mara"], "uncredited", 3, None),
        ("nm9400004", "actor", ["Harbour Master"], "as Jonathan Invented", 4, None),
        ("nm9400005", "actor", ["Fisher"], None, 5, None),
        ("nm9400010", "director", [], None, None, None),
        ("nm9400011", "writer", [], "screenplay by", None, None),
        ("nm9400012", "writer", [], "novel", None, None),
        ("nm9400020", "producer", [], None, None, None),
        ("nm9400021", "producer", [], "executive producer", None, None),
        ("nm9400030", "composer", [], None, None, None),
        ("nm9400040", "cinematographer", [], None, None, None),  # heading "Kamera": by id
        ("nm9400050", "art_department", [], "set dresser", None, None),
    ]
    assert graph.counts()["similar"] == 0


def test_keywords_page_the_whole_keyword_list():
    graph = read(KEYWORDS)
    assert graph.page_kind == "keywords"
    film = film_of(graph)
    assert film["keywords"] == ["lighthouse", "storm", "sibling rivalry", "based on novel", "island", "lamp", "keeper"]
    assert film["keywords_total"] == 7
    # interestScore {usersInterested, usersVoted}: "14 of 15 found this relevant", item i for keyword i
    assert film["keyword_relevant"] == [14, 9, 6, 5, 3, 2, 1]
    assert film["keyword_voters"] == [15, 10, 8, 5, 4, 3, 1]
    assert graph.counts() == {"films": 1, "people": 0, "credits": 0, "similar": 0}


def test_reference_page_categories_episode_counts_and_stars():
    graph = read(REFERENCE)
    assert graph.page_kind == "reference"
    film = film_of(graph, "tt9400102")
    assert (film["title"], film["title_type"], film["rating"], film["votes"]) == ("Salt Harbour", "tvMiniSeries", 8.1, 22000)
    assert (film["keywords"], film["keywords_total"]) == (["harbour", "smuggling"], 31)  # storylineKeywords
    assert film["incomplete_credits"] == ["actor"]  # 3 of 60 cast
    assert film["complete_credits"] == ["director", "composer"]
    assert credit_rows(graph) == [
        ("nm9400201", "actor", ["Harbour Master Eik"], "6 episodes", 1, True),  # the star of principalCreditsV2
        ("nm9400202", "actor", ["Lotte"], "credit only, 5 episodes", 2, False),
        ("nm9400203", "actor", ["Smuggler"], "uncredited, 1 episode", 3, False),
        ("nm9400210", "director", [], "6 episodes", None, False),  # also in crewV2: one credit
        ("nm9400230", "composer", [], "6 episodes", None, False),
    ]
    assert graph.counts()["similar"] == 0  # a reference page has no "More like this"


def test_the_older_keywords_shape_section_items(tmp_path):
    # tests/fixtures/html/keywords_page.html: contentData.section.items[].rowTitle
    graph = read(PAGES.parent / "html" / "keywords_page.html")
    film = film_of(graph, "tt1334260")
    assert (film["title"], film["keywords"]) == ("Never Let Me Go", ["dystopia", "clone"])
    assert (film["keyword_relevant"], film["keyword_voters"]) == ([], [])  # this shape has no votes


# -- one film from many pages --------------------------------------------------


def test_pages_of_one_title_keep_their_own_source_keys():
    keys = [source_key("imdb-html", path, read(path)) for path in (MAIN, FULL, KEYWORDS, REFERENCE, LANTERN_REFERENCE)]
    assert keys == ["page:tt9400001", "page:tt9400001:fullcredits", "page:tt9400001:keywords",
                    "page:tt9400102:reference", "page:tt9400001:reference"]
    parts, _ = read_partitions([PAGES])
    # The folder also holds The Quiet Orchard's main page and full credits (tests/graph/test_page_merge.py).
    assert sorted(parts) == sorted(keys + ["page:tt9500001", "page:tt9500001:fullcredits"])
    assert set(PAGE_KINDS) == {"main", "reference", "fullcredits", "keywords"}


@pytest.mark.parametrize("together", [True, False], ids=["one-load", "three-loads"])
def test_main_fullcredits_and_keywords_merge_into_one_film(tmp_path, together):
    store = tmp_path / "store"
    if together:
        load([MAIN, FULL, KEYWORDS], store=store)
    else:  # a sub-page loaded later never replaces the main page's facts
        for path in (MAIN, FULL, KEYWORDS):
            load([path], store=store)
    from reelgraph.store import LocalStore

    graph = LocalStore(store).read()
    films = graph.to_records()["films"]
    lantern = [f for f in films if f["id"] == "tt9400001"]
    assert len(lantern) == 1
    film = lantern[0]
    assert film["stub"] is False and film["rating"] == 7.4  # the main page's facts
    assert film["keywords"] == ["lighthouse", "storm", "sibling rivalry", "based on novel", "island", "lamp",
                                "keeper"]  # from /keywords, most relevant first
    assert (film["keyword_relevant"], film["keyword_voters"]) == ([14, 9, 6, 5, 3, 2, 1], [15, 10, 8, 5, 4, 3, 1])
    assert film["keywords_total"] == 7
    assert sorted(film["incomplete_credits"]) == ["art_department", "producer"]
    credits = {(c["person_id"], c["role"]): c for c in graph.to_records()["credits"] if c["film_id"] == "tt9400001"}
    assert len(credits) == 13  # the union: 3 top cast + 2 more, crew of both pages, each credit once
    assert credits[("nm9400001", "actor")]["characters"] == ["Mara", "Narrator"]  # characters united
    assert credits[("nm9400001", "actor")]["star"] is True  # the main page's stars survive the merge
    assert credits[("nm9400003", "actor")]["job"] == "uncredited"
    assert credits[("nm9400040", "cinematographer")]["person_id"] == "nm9400040"
    links = [(s["similar_id"], s["rank"]) for s in graph.to_records()["similar"] if s["film_id"] == "tt9400001"]
    assert links == [("tt9400101", 1), ("tt9400102", 2)]  # "More like this" from the main page


def test_parse_json_reports_the_page_kinds_incomplete_credits(tmp_path):
    from click.testing import CliRunner

    from reelgraph.cli import main as cli

    result = CliRunner().invoke(cli, ["parse", "--json", str(FULL)])
    assert result.exit_code == 0, result.output
    film = next(f for f in json.loads(result.output)["films"] if f["id"] == "tt9400001")
    assert film["incomplete_credits"] == ["producer", "art_department"]


def _parse_text(*paths) -> str:
    from click.testing import CliRunner

    from reelgraph.cli import main as cli

    result = CliRunner().invoke(cli, ["parse", *map(str, paths)])
    assert result.exit_code == 0, result.output
    return result.output


def test_parse_text_names_the_page_kind_and_the_incomplete_lists_with_their_counts():
    assert _parse_text(FULL) == (
        "films: 1\npeople: 13\ncredits: 13\nsimilar: 0\n"
        "  tt9400001  The Lantern Keepers (2025)  no rating\n"
        "    pages: fullcredits\n"
        "    incomplete: producer (2 of 4), art_department (1 of 12)\n"
        "pages read: 1\n"
        f"  {FULL}: fullcredits page (contentData) of tt9400001 The Lantern Keepers: cast 5; crew 8 (director 1, "
        "writer 2, producer 2, composer 1, cinematographer 1, art_department 1); links 0; keywords 0; "
        "incomplete: producer (2 of 4), art_department (1 of 12)\n")
    assert _parse_text(REFERENCE).endswith(
        "  tt9400102  Salt Harbour (2023)  rating 8.1, 22,000 votes\n"
        "    pages: reference\n"
        "    incomplete: actor (3 of 60)\n"
        "pages read: 1\n"
        f"  {REFERENCE}: reference page (aboveTheFoldData + mainColumnData, categories) of tt9400102 Salt Harbour: "
        "cast 3; crew 2 (director 1, composer 1); links 0; keywords 2; incomplete: actor (3 of 60)\n")


def test_parse_text_of_a_main_page_says_no_more_than_its_counts():
    assert _parse_text(MAIN) == (
        "films: 3\npeople: 7\ncredits: 7\nsimilar: 2\n"
        "  tt9400001  The Lantern Keepers (2025)  rating 7.4, 18,250 votes\n"
        "pages read: 1\n"
        f"  {MAIN}: main page (aboveTheFoldData + mainColumnData, 2025 groupings) of tt9400001 The Lantern Keepers: "
        "cast 3; crew 4 (director 1, writer 1, producer 1, composer 1); links 2; keywords 2\n")


def test_parse_text_names_each_page_its_layout_and_counts():
    from reelgraph.loaders.sample import SAMPLE_DIR

    seed = SAMPLE_DIR / "pages" / "never-let-me-go.imdb.txt"
    html = PAGES.parent / "html" / "never_let_me_go.html"
    lines = _parse_text(KEYWORDS, seed, html).splitlines()
    assert lines[lines.index("pages read: 3"):] == [
        "pages read: 3",
        f"  {KEYWORDS}: keywords page (contentData) of tt9400001 The Lantern Keepers: cast 0; crew 0; links 0; "
        "keywords 7",
        f"  {seed}: main page (copied text) of tt1334260 Never Let Me Go: cast 18; crew 3 (director 1, writer 2); "
        "links 12; keywords 5",
        f"  {html}: main page (aboveTheFoldData + mainColumnData) of tt1334260 Never Let Me Go: cast 10; "
        "crew 3 (director 1, writer 2); links 6; keywords 5"]


def test_parse_text_of_pages_of_one_film_names_only_what_no_page_lists_in_full():
    # The reference page shows 3 of 5 actors and 1 of 4 producers; the full
    # credits all 5 actors and 2 of the 4 producers: the count of the page
    # that shows most.
    assert (
        "  tt9400001  The Lantern Keepers (2025)  rating 7.4, 18,250 votes\n"
        "    pages: main, reference, fullcredits\n"
        "    incomplete: producer (2 of 4), art_department (1 of 12)\n"
        "pages read: 3\n") in _parse_text(MAIN, LANTERN_REFERENCE, FULL)


# -- bad input -----------------------------------------------------------------


def _page(tmp_path, name, route, page_props, metas="", canonical=None) -> Path:
    path = tmp_path / name
    link = f'<link rel="canonical" href="{canonical}"/>' if canonical else ""
    path.write_text(
        f"<!DOCTYPE html><html><head><title>x - IMDb</title>{metas}{link}</head><body>"
        f'<script id="__NEXT_DATA__" type="application/json">{json.dumps({"props": {"pageProps": page_props}, "page": route})}'
        "</script></body></html>", encoding="utf-8")
    return path


def _one_line_error(path, pattern):
    with pytest.raises(InputError) as caught:
        read_imdb_html(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: ") and "\n" not in text
    assert caught.match(pattern)


def test_reference_page_without_categories(tmp_path):
    above = {"id": "tt9400102", "titleText": {"text": "Salt Harbour"}}
    path = _page(tmp_path, "ref.html", "/title/[tconst]/reference",
                 {"aboveTheFoldData": above, "mainColumnData": {"id": "tt9400102"}}, canonical="https://www.imdb.com/title/tt9400102/reference/")
    _one_line_error(path, r"no credit categories in the reference page of tt9400102 \(mainColumnData\.categories\)")


def test_fullcredits_page_without_categories(tmp_path):
    path = _page(tmp_path, "full.html", "/title/[tconst]/fullcredits",
                 {"contentData": {"entityMetadata": {"id": "tt9400001", "titleText": {"text": "The Lantern Keepers"}}}})
    _one_line_error(path, r"no credit categories in the fullcredits page of tt9400001")


def test_fullcredits_page_without_content_data(tmp_path):
    path = _page(tmp_path, "full.html", "/title/[tconst]/fullcredits", {"somethingElse": {}},
                 canonical="https://www.imdb.com/title/tt9400001/fullcredits/")
    _one_line_error(path, r"no contentData in the fullcredits page's __NEXT_DATA__")


def test_keywords_page_without_keywords(tmp_path):
    path = _page(tmp_path, "kw.html", "/title/[tconst]/keywords",
                 {"contentData": {"entityMetadata": {"id": "tt9400001", "titleText": {"text": "The Lantern Keepers"}}}})
    _one_line_error(path, r"no keywords in the keywords page of tt9400001")


def test_truncated_sub_page(tmp_path):
    text = FULL.read_text(encoding="utf-8")
    path = tmp_path / "cut.html"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    _one_line_error(path, r"__NEXT_DATA__ JSON is truncated or invalid \(cut off before its end\): "
                          r"the fullcredits page of tt9400001 keeps its data there")


def test_sub_page_whose_data_is_of_another_title(tmp_path):
    path = _page(tmp_path, "full.html", "/title/[tconst]/fullcredits",
                 {"contentData": {"entityMetadata": {"id": "tt9400002"}, "categories": []}},
                 canonical="https://www.imdb.com/title/tt9400001/fullcredits/")
    _one_line_error(path, r"address names tt9400001 but its data is of tt9400002")


def test_sub_page_of_a_name_page(tmp_path):
    by_route = _page(tmp_path, "nm.html", "/name/[nconst]/fullcredits", {"contentData": {}},
                     metas='<meta property="og:site_name" content="IMDb"/>',
                     canonical="https://www.imdb.com/name/nm9400001/fullcredits/")
    _one_line_error(by_route, r"an IMDb name page, not a title page: reelgraph reads a title's main page and its "
                              r"/reference, /fullcredits and /keywords pages")
    by_meta = _page(tmp_path, "nm2.html", "/name/[nconst]/awards", {},
                    metas='<meta property="imdb:pageType" content="name"/><meta property="imdb:subPageType" content="awards"/>')
    _one_line_error(by_meta, r"an IMDb name page \(awards of it\), not a title page")


def test_episodes_page_still_refused_with_the_kinds_read():
    path = PAGES.parent / "html" / "episodes_page.html"
    _one_line_error(path, r"the IMDb episodes page of tt0412142: reelgraph reads a title's main page and its "
                          r"/reference, /fullcredits and /keywords pages")


def test_other_sub_page_by_route(tmp_path):
    path = _page(tmp_path, "trivia.html", "/title/[tconst]/trivia", {"contentData": {}},
                 canonical="https://www.imdb.com/title/tt9400001/trivia/")
    _one_line_error(path, r"the IMDb trivia page of tt9400001: reelgraph reads")
