"""Copied text (select all, copy) of a title's sub-pages: refused in one line that says to save the HTML instead.

The text of a ``/reference``, ``/fullcredits`` or ``/keywords`` page runs
names, characters, jobs and category headings together, with no IMDb ids
and no totals, so it cannot be read reliably; the saved HTML of the same
page can (its JSON).  The page is known by its first line (``Title (Year) -
Full cast & crew - IMDb``) or its address (``.../title/tt.../reference``).
The shared real pages hold no copied sub-page, so there is no real-data
test here.
"""

from __future__ import annotations

import pytest

from reelgraph.errors import InputError
from reelgraph.loaders import read_sources
from reelgraph.loaders.imdb_text import read_imdb_text

_REFUSAL = ("copied text of an IMDb {page} page, which cannot be read reliably (names, characters and jobs run "
            "together): save that page as HTML instead (Save page as..., .html)")


@pytest.mark.parametrize("text, page", [
    ("The Matrix (1999) - Reference view - IMDb\nhttps://www.imdb.com/title/tt0133093/reference\n"
     "Cast (in credits order) Keanu Reeves ... Neo\n", "/reference"),
    ("The Matrix (1999) - IMDb\nhttps://www.imdb.com/title/tt0133093/reference/\nDirected by Lana Wachowski\n",
     "/reference"),
    ("The Matrix (1999) - Full cast & crew - IMDb\nDirected by Lana Wachowski Cast Keanu Reeves ... Neo\n",
     "/fullcredits"),
    ("The Matrix (1999) - IMDb\nhttps://www.imdb.com/title/tt0133093/fullcredits/?ref_=tt_cl_sm\nCast\n",
     "/fullcredits"),
    ("The Matrix (1999) - Plot keywords - IMDb\nartificial reality\n", "/keywords"),
], ids=["reference-by-heading", "reference-by-address", "fullcredits-by-heading", "fullcredits-by-address",
        "keywords"])
def test_copied_sub_page_is_refused_in_one_line_naming_the_file(tmp_path, text, page):
    path = tmp_path / "copied.txt"
    path.write_text(text, encoding="utf-8")
    expected = f"{path}: " + _REFUSAL.format(page=page)
    with pytest.raises(InputError) as caught:
        read_imdb_text(path)
    assert str(caught.value) == expected and "\n" not in str(caught.value)


# Copies whose first line is the plain "Title (Year) - IMDb" and that have no address: known by their
# credit list headings, where a main page has "Top cast".
_REFERENCE_BODY = ("The Matrix (1999) - IMDb\nThe Matrix (1999) R 2h 16m IMDb RATING 8.7/10 2.2M\n"
                   "Cast (in credits order) verified as complete Keanu Reeves ... Neo Laurence Fishburne ... Morpheus\n"
                   "Directed by Lana Wachowski ... (as The Wachowski Brothers) Lilly Wachowski\n"
                   "Writing Credits Lilly Wachowski ... (written by) Lana Wachowski ... (written by)\n"
                   "Produced by Joel Silver ... producer Music by Don Davis Cinematography by Bill Pope\n"
                   "Storyline Plot Keywords artificial reality simulation Genres Action Sci-Fi\n")


@pytest.mark.parametrize("text, page", [
    (_REFERENCE_BODY, "/reference"),
    (_REFERENCE_BODY.replace("IMDb RATING 8.7/10 2.2M", "Full Cast & Crew"), "/fullcredits"),
], ids=["reference", "fullcredits"])
def test_copied_sub_page_without_its_heading_or_address_is_known_by_its_credit_lists(tmp_path, text, page):
    path = tmp_path / "copied.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_imdb_text(path)
    assert str(caught.value) == f"{path}: " + _REFUSAL.format(page=page)


def test_a_main_page_naming_credit_headings_in_its_text_is_still_a_main_page(tmp_path):
    from reelgraph.loaders.sample import SAMPLE_DIR

    seed = (SAMPLE_DIR / "pages" / "never-let-me-go.imdb.txt").read_text(encoding="utf-8")
    # a plot or trivia line that happens to hold three headings does not make it a sub-page: it has "Top cast"
    path = tmp_path / "seed.txt"
    path.write_text(seed.replace("Top cast", "Directed by Produced by Music by Top cast", 1), encoding="utf-8")
    film = read_imdb_text(path).to_records()["films"][0]
    assert (film["id"], film["title"]) == ("tt1334260", "Never Let Me Go")


def test_a_folder_skips_the_copied_sub_page_and_names_it(tmp_path):
    from reelgraph.loaders.sample import SAMPLE_DIR

    (tmp_path / "seed.txt").write_text((SAMPLE_DIR / "pages" / "never-let-me-go.imdb.txt").read_text(encoding="utf-8"),
                                       encoding="utf-8")
    (tmp_path / "credits.txt").write_text("Never Let Me Go (2010) - Full cast & crew - IMDb\nCast\n", encoding="utf-8")
    graph = read_sources([tmp_path], on_error="skip")
    assert [(path, message) for path, message in graph.skipped] == [
        (str(tmp_path / "credits.txt"), _REFUSAL.format(page="/fullcredits"))]


def test_other_sub_pages_still_ask_for_the_main_page(tmp_path):
    path = tmp_path / "trivia.txt"
    path.write_text("The Matrix (1999) - Trivia - IMDb\nsome trivia\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"trivia\.txt: an IMDb trivia page, not a title page: copy the film's main page$"):
        read_imdb_text(path)
