"""The pages of one title in the store: incomplete marks that clear, and copies that never lose data silently.

* A role a page lists only in part (``incomplete_credits``) stays marked on
  the merged film only while no page lists it in full
  (``complete_credits``), whatever the order of the pages and whichever
  route the store takes (the merge of everything in pandas, or the
  re-merge of the few keys a load touches).
* A page copied as text lives beside the saved HTML of the same page
  (``page:tt...:text``): the HTML's IMDb ids are kept, the text's names
  join them.
* A newer copy of the same page replaces the older one, unless it is cut
  short and poorer: then the stored copy is kept and a warning says so.

Pages from ``tests/fixtures/pages`` (the Lantern Keepers: main page,
``/reference`` showing 3 of 5 actors and 1 of 4 producers, ``/fullcredits``
showing all 5 actors and 2 of 4 producers) and ``tests/fixtures/html``.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from pathlib import Path

import pytest

import reelgraph.store as store_module
from reelgraph.loaders.sample import SAMPLE_DIR
from reelgraph.model import FilmGraph, merge_graphs
from reelgraph.store import LocalStore
from reelgraph.workflows import load

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MAIN = FIXTURES / "pages" / "lantern_keepers_main.html"
REFERENCE = FIXTURES / "pages" / "lantern_keepers_reference.html"
FULL = FIXTURES / "pages" / "lantern_keepers_fullcredits.html"
NLMG_HTML = FIXTURES / "html" / "never_let_me_go.html"
NLMG_TEXT = SAMPLE_DIR / "pages" / "never-let-me-go.imdb.txt"
ORCHARD_MAIN = FIXTURES / "pages" / "quiet_orchard_main.html"
ORCHARD_FULL = FIXTURES / "pages" / "quiet_orchard_fullcredits.html"

#: The Quiet Orchard's credits once its main page and /fullcredits merge, in either order:
#: ``(person, role, characters, job, billing, star, source)``.
ORCHARD_CREDITS = [
    ("nm9500001", "actor", ["Ada", "Old Ada"], "voice, as A. Invented", 1, True, "imdb-html, imdb-html/fullcredits"),
    ("nm9500002", "actor", ["Gardener"], "uncredited", 2, False, "imdb-html, imdb-html/fullcredits"),
    ("nm9500003", "actor", ["Neighbour"], None, 3, None, "imdb-html/fullcredits"),
    ("nm9500020", "director", [], None, None, False, "imdb-html, imdb-html/fullcredits"),
    ("nm9500010", "writer", [], "screenplay, novel", None, False, "imdb-html, imdb-html/fullcredits"),
]

#: The IMDb ids of the saved HTML of Never Let Me Go (its 13 credits).
NLMG_HTML_PEOPLE = ["nm0001648", "nm0307497", "nm0411872", "nm0461136", "nm0738996", "nm1020089", "nm1659547",
                    "nm1940449", "nm9100001", "nm9100002", "nm9100003", "nm9100009", "nm9100010"]


def _film(store, film_id="tt9400001") -> dict:
    return next(f for f in LocalStore(store).read().to_records()["films"] if f["id"] == film_id)


def _people(store, film_id="tt1334260") -> list[str]:
    credits = LocalStore(store).read().credits
    return sorted(credits.loc[credits["film_id"] == film_id, "person_id"])


@pytest.fixture(params=["merge-all", "touched-keys"])
def route(request, monkeypatch):
    """Each load of a stored graph takes one route: the merge of every source, or of the keys it touches."""
    monkeypatch.setattr(store_module, "_TOUCHED_SHARE", 0.0 if request.param == "merge-all" else float("inf"))
    return request.param


# -- incomplete marks that clear -------------------------------------------------


def test_a_role_listed_in_full_by_one_row_is_not_incomplete_in_the_merge():
    marked = FilmGraph.from_records(films=[{"id": "tt9400001", "title": "T", "incomplete_credits": ["actor", "producer"]}])
    full = FilmGraph.from_records(films=[{"id": "tt9400001", "title": "T", "incomplete_credits": ["producer"],
                                          "complete_credits": ["actor", "writer"]}])
    for graphs in ((marked, full), (full, marked)):
        film = merge_graphs(*graphs).to_records()["films"][0]
        assert (film["incomplete_credits"], sorted(film["complete_credits"])) == (["producer"], ["actor", "writer"])


@pytest.mark.parametrize("order", [(MAIN, REFERENCE, FULL), (FULL, REFERENCE, MAIN)], ids=["main-first", "full-first"])
@pytest.mark.parametrize("together", [True, False], ids=["one-load", "separate-loads"])
def test_fullcredits_clears_the_roles_it_lists_in_full(tmp_path, route, order, together):
    store = tmp_path / "store"
    if together:
        load(list(order), store=store)
    else:
        for path in order:
            load([path], store=store)
    film = _film(store)
    # actor: 3 of 5 on /reference, 5 of 5 on /fullcredits: cleared.  producer:
    # in part on both.  art_department: in part on /fullcredits, on no other.
    assert sorted(film["incomplete_credits"]) == ["art_department", "producer"]
    assert sorted(film["complete_credits"]) == ["actor", "cinematographer", "composer", "director", "writer"]


def test_the_mark_comes_back_when_the_page_that_cleared_it_is_replaced(tmp_path, route):
    store = tmp_path / "store"
    load([REFERENCE], store=store)
    load([FULL], store=store)
    assert "actor" not in _film(store)["incomplete_credits"]
    fewer = _edited(FULL, tmp_path / "full.html",
                    lambda props: _set_total(props["contentData"]["categories"], "Cast", 9))  # a newer save: 5 of 9
    load([fewer], store=store)
    assert sorted(_film(store)["incomplete_credits"]) == ["actor", "art_department", "producer"]


# -- copies of one page ----------------------------------------------------------


@pytest.mark.parametrize("order", [(NLMG_HTML, NLMG_TEXT), (NLMG_TEXT, NLMG_HTML)], ids=["text-after-html", "html-after-text"])
def test_a_copied_text_page_lives_beside_the_saved_html_and_keeps_its_ids(tmp_path, route, order, caplog):
    store = tmp_path / "store"
    for path in order:
        load([path], store=store)
    assert [e["key"] for e in LocalStore(store).manifest()["partitions"]] == (
        ["page:tt1334260", "page:tt1334260:text"] if order[0] == NLMG_HTML else ["page:tt1334260:text", "page:tt1334260"])
    people = _people(store)
    # Every id of the HTML is kept; the text's names of the same people fold
    # into them, and the ten people only the text lists stay by name.
    assert [p for p in people if p.startswith("nm")] == NLMG_HTML_PEOPLE
    assert len(people) == 23 and all(p.startswith("name:") for p in people if not p.startswith("nm"))
    assert "name:keira-knightley" not in people  # nm0461136
    assert not [r for r in caplog.records if r.name == "reelgraph.store"]  # nothing replaced, nothing to say


def test_a_copy_cut_short_never_replaces_a_richer_one(tmp_path, route, caplog):
    store = tmp_path / "store"
    load([NLMG_HTML], store=store)
    before = LocalStore(store).read().to_records()
    text = NLMG_HTML.read_text(encoding="utf-8")
    cut = tmp_path / "never_let_me_go.html"  # the browser stopped inside __NEXT_DATA__; JSON-LD comes first
    cut.write_text(text[: text.index("__NEXT_DATA__") + 3000], encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "read from the JSON-LD block only"
        with caplog.at_level(logging.WARNING, logger="reelgraph.store"):
            result = load([cut], store=store)
    assert LocalStore(store).read().to_records() == before
    assert _people(store) == NLMG_HTML_PEOPLE
    assert result.changes["credits"] == {"added": 0, "updated": 0, "removed": 0}
    assert caplog.messages == [
        f"{cut} (page:tt1334260): not loaded, the stored copy is kept: this one is cut short and poorer "
        "(credits 6 against 13, IMDb person ids 6 against 13, links 0 against 6)"]
    assert LocalStore(store).manifest()["partitions"][0]["sources"] == [str(NLMG_HTML)]


def test_a_copied_text_cut_short_never_replaces_the_whole_copy(tmp_path, route, caplog):
    store = tmp_path / "store"
    load([NLMG_TEXT], store=store)
    text = NLMG_TEXT.read_text(encoding="utf-8")
    cut = tmp_path / "never-let-me-go.imdb.txt"  # the selection ended before "More like this"
    cut.write_text(text[: text.index("More like this")], encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="reelgraph.store"):
        load([cut], store=store)
    assert LocalStore(store).read().counts()["similar"] == 12
    assert caplog.messages == [
        f"{cut} (page:tt1334260:text): not loaded, the stored copy is kept: this one is cut short and poorer "
        "(links 0 against 12, keywords 0 against 5)"]


def test_a_newer_save_as_rich_replaces_the_older_silently(tmp_path, route, caplog):
    store = tmp_path / "store"
    load([MAIN], store=store)
    newer = _edited(MAIN, tmp_path / "main.html", lambda props: props["aboveTheFoldData"]["ratingsSummary"].update(
        aggregateRating=7.6, voteCount=19000))
    with caplog.at_level(logging.WARNING, logger="reelgraph.store"):
        load([newer], store=store)
    film = _film(store)
    assert (film["rating"], film["votes"]) == (7.6, 19000)
    assert caplog.messages == []


def test_a_newer_whole_save_with_a_credit_removed_by_imdb_replaces_the_older_and_says_so(tmp_path, route, caplog):
    store = tmp_path / "store"
    load([MAIN], store=store)
    newer = _edited(MAIN, tmp_path / "main.html", lambda props: props["mainColumnData"].update(crewV2=[
        group for group in props["mainColumnData"]["crewV2"]
        if all(c["name"]["id"] != "nm9400030" for c in group["credits"])]))
    with caplog.at_level(logging.WARNING, logger="reelgraph.store"):
        result = load([newer], store=store)
    credits = LocalStore(store).read().credits
    assert "nm9400030" not in set(credits["person_id"])  # the composer IMDb no longer lists
    assert len(credits) == 6 and result.changes["credits"]["removed"] == 1
    assert caplog.messages == [
        f"{newer} (page:tt9400001): replaces the stored copy with fewer facts (credits 6 against 7, "
        "IMDb person ids 6 against 7): it is whole, so IMDb no longer lists them"]


# -- one credit from two pages ------------------------------------------------------


def _credit_rows(graph_or_store) -> list[tuple]:
    graph = LocalStore(graph_or_store).read() if isinstance(graph_or_store, Path) else graph_or_store
    rows = graph.to_records()["credits"]
    order = {person: n for n, (person, *_) in enumerate(ORCHARD_CREDITS)}
    return sorted(((r["person_id"], r["role"], r["characters"], r["job"], r["billing"], r["star"], r["source"])
                   for r in rows if r["film_id"] == "tt9500001"), key=lambda row: order[row[0]])


@pytest.mark.parametrize("order", [(ORCHARD_MAIN, ORCHARD_FULL), (ORCHARD_FULL, ORCHARD_MAIN)],
                         ids=["main-first", "full-first"])
def test_a_credit_on_two_pages_is_one_credit_with_both_pages_facts(order):
    from reelgraph.loaders.imdb_html import read_imdb_html

    # The star of the main page is a plain cast member on /fullcredits (no star flag there): still a star;
    # the main page's "voice" and the full credits' "(as A. Invented)" and second character are all kept.
    assert _credit_rows(merge_graphs(*map(read_imdb_html, order))) == ORCHARD_CREDITS


@pytest.mark.parametrize("order", [(ORCHARD_MAIN, ORCHARD_FULL), (ORCHARD_FULL, ORCHARD_MAIN)],
                         ids=["main-first", "full-first"])
def test_a_credit_on_two_pages_is_one_credit_in_the_store(tmp_path, route, order):
    store = tmp_path / "store"
    for page in order:
        load([page], store=store)
    assert _credit_rows(store) == ORCHARD_CREDITS
    load(list(order), store=tmp_path / "together")
    assert _credit_rows(tmp_path / "together") == ORCHARD_CREDITS


def test_a_star_on_any_page_is_a_star_and_jobs_and_sources_unite():
    rows = [{"person_id": "nm0000001", "film_id": "tt0000001", "role": "writer", "job": "screenplay",
             "star": False, "source": "imdb-html"},
            {"person_id": "nm0000001", "film_id": "tt0000001", "role": "writer", "job": "novel, screenplay",
             "star": True, "source": "imdb-datasets"},
            {"person_id": "nm0000001", "film_id": "tt0000001", "role": "writer", "job": None, "star": None,
             "source": "imdb-html/reference"}]
    graphs = [FilmGraph.from_records(credits=[row]) for row in rows]
    for ordered in (graphs, graphs[::-1]):
        credit = merge_graphs(*ordered).to_records()["credits"]
        assert [(c["job"] in ("screenplay, novel", "novel, screenplay"), c["star"], c["source"]) for c in credit] == [
            (True, True, "imdb-datasets, imdb-html, imdb-html/reference")]


# -- helpers ---------------------------------------------------------------------


_NEXT_DATA = re.compile(r'(<script id="__NEXT_DATA__" type="application/json">)(.*?)(</script>)', re.DOTALL)


def _edited(page: Path, target: Path, edit) -> Path:
    """A copy of ``page`` at ``target`` whose ``props.pageProps`` ``edit`` changed in place (a newer save)."""
    text = page.read_text(encoding="utf-8")
    match = _NEXT_DATA.search(text)
    data = json.loads(match.group(2))
    edit(data["props"]["pageProps"])
    target.write_text(text[: match.start(2)] + json.dumps(data) + text[match.end(2):], encoding="utf-8")
    return target


def _set_total(categories: list, name: str, total: int) -> None:
    next(c for c in categories if c["name"] == name)["section"]["total"] = total
