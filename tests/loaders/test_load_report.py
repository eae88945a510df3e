"""What ``reelgraph load`` says about the pages it loads: incomplete lists, copies refused, copies that lost facts.

* a page listing a credit category in part (fewer items than its total)
  is named with its counts, and with what is still incomplete in the store
  once every stored page is merged;
* a newer copy cut short and poorer than the stored one is refused (the
  stored copy is kept), and a whole but poorer one replaces it and says
  what it lost;

in ``--json`` (``incomplete``, ``refused``, ``replaced_poorer``) and in text; and the
summary of ``stats`` and ``demo`` says what each film known only by title is.
Pages from ``tests/fixtures/pages`` (The Lantern Keepers: ``/reference``
showing 3 of 5 actors and 1 of 4 producers, ``/fullcredits`` 2 of 4
producers and 1 of 12 of the art department) and ``tests/fixtures/html``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from reelgraph.cli import main
from reelgraph.loaders import CopyNote, replaces_copy
from reelgraph.model import FilmGraph

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REFERENCE = FIXTURES / "pages" / "lantern_keepers_reference.html"
FULL = FIXTURES / "pages" / "lantern_keepers_fullcredits.html"
MAIN = FIXTURES / "pages" / "lantern_keepers_main.html"
NLMG_HTML = FIXTURES / "html" / "never_let_me_go.html"


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("REELGRAPH_STORE", str(tmp_path / "store"))
    for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def invoke(*args):
        result = runner.invoke(main, ["load", "--quiet", *map(str, args)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    return invoke


def _report(result) -> dict:
    data = json.loads(result.stdout)
    return {key: data[key] for key in ("refused", "replaced_poorer", "incomplete")}


def test_json_names_each_incomplete_page_with_its_counts_and_what_the_store_still_lacks(run):
    assert _report(run(REFERENCE, "--json")) == {"refused": [], "replaced_poorer": [], "incomplete": [
        {"path": str(REFERENCE), "film_id": "tt9400001", "title": "The Lantern Keepers", "page_kind": "reference",
         "roles": {"actor": [3, 5], "producer": [1, 4]}, "still_incomplete": ["actor", "producer"]}]}
    # The full credits list all 5 actors: the store's film is no longer incomplete for them.
    assert _report(run(FULL, "--json"))["incomplete"] == [
        {"path": str(FULL), "film_id": "tt9400001", "title": "The Lantern Keepers", "page_kind": "fullcredits",
         "roles": {"producer": [2, 4], "art_department": [1, 12]}, "still_incomplete": ["producer", "art_department"]}]


def test_json_of_complete_pages_reports_nothing(run):
    assert _report(run(MAIN, "--json")) == {"refused": [], "replaced_poorer": [], "incomplete": []}


def test_text_says_which_pages_are_incomplete(run):
    lines = run(REFERENCE, FULL).stdout.splitlines()
    assert lines[-2:] == [
        f"  incomplete: {REFERENCE} (reference page of tt9400001 The Lantern Keepers): actor 3 of 5, producer 1 of 4; "
        "still incomplete in the store: producer, art_department",
        f"  incomplete: {FULL} (fullcredits page of tt9400001 The Lantern Keepers): producer 2 of 4, "
        "art_department 1 of 12; still incomplete in the store: producer, art_department"]


def _cut_copy(tmp_path) -> Path:
    """Never Let Me Go saved again, the browser stopping inside ``__NEXT_DATA__`` (the JSON-LD, first, is whole)."""
    text = NLMG_HTML.read_text(encoding="utf-8")
    cut = tmp_path / "never_let_me_go.html"
    cut.write_text(text[: text.index("__NEXT_DATA__") + 3000], encoding="utf-8")
    return cut


@pytest.mark.filterwarnings("ignore:.*read from the JSON-LD block only:UserWarning")
def test_json_names_a_refused_copy_and_what_it_lacks(run, tmp_path):
    run(NLMG_HTML)
    cut = _cut_copy(tmp_path)
    result = run(cut, "--json")
    message = (f"{cut} (page:tt1334260): not loaded, the stored copy is kept: this one is cut short and poorer "
               "(credits 6 against 13, IMDb person ids 6 against 13, links 0 against 6)")
    assert _report(result) == {"replaced_poorer": [], "incomplete": [], "refused": [
        {"source": f"{cut} (page:tt1334260)", "message": message,
         "fewer": {"credits": [6, 13], "IMDb person ids": [6, 13], "links": [0, 6]}}]}
    assert message not in result.stderr  # --json: the report holds it, not a stray line


@pytest.mark.filterwarnings("ignore:.*read from the JSON-LD block only:UserWarning")
def test_text_names_a_refused_copy_once_on_stderr(run, tmp_path):
    run(NLMG_HTML)
    cut = _cut_copy(tmp_path)
    result = run(cut)
    assert [line for line in result.stderr.splitlines() if "stored copy" in line] == [
        f"reelgraph: {cut} (page:tt1334260): not loaded, the stored copy is kept: this one is cut short and poorer "
        "(credits 6 against 13, IMDb person ids 6 against 13, links 0 against 6)"]


_NEXT_DATA = re.compile(r'(<script id="__NEXT_DATA__" type="application/json">)(.*?)(</script>)', re.DOTALL)


def test_json_names_a_whole_copy_that_replaced_a_richer_one(run, tmp_path):
    run(MAIN)
    text = MAIN.read_text(encoding="utf-8")
    match = _NEXT_DATA.search(text)
    data = json.loads(match.group(2))
    crew = data["props"]["pageProps"]["mainColumnData"]["crewV2"]
    data["props"]["pageProps"]["mainColumnData"]["crewV2"] = [
        group for group in crew if all(c["name"]["id"] != "nm9400030" for c in group["credits"])]  # IMDb dropped the composer
    newer = tmp_path / "main.html"
    newer.write_text(text[: match.start(2)] + json.dumps(data) + text[match.end(2):], encoding="utf-8")
    assert _report(run(newer, "--json")) == {"refused": [], "incomplete": [], "replaced_poorer": [
        {"source": f"{newer} (page:tt9400001)",
         "message": f"{newer} (page:tt9400001): replaces the stored copy with fewer facts (credits 6 against 7, "
                    "IMDb person ids 6 against 7): it is whole, so IMDb no longer lists them",
         "fewer": {"credits": [6, 7], "IMDb person ids": [6, 7]}}]}


def test_replaces_copy_says_it_in_a_note_that_is_the_line():
    old = FilmGraph.from_records(films=[{"id": "tt0000001", "title": "A"}],
                                 credits=[{"person_id": "nm0000001", "film_id": "tt0000001", "role": "actor"}])
    cut = FilmGraph.from_records(films=[{"id": "tt0000001", "title": "A"}])
    cut.whole = False
    replace, note = replaces_copy("a.html", cut, old)
    assert (replace, type(note), note.kept_out, note.fewer) == (
        False, CopyNote, True, {"credits": (0, 1), "IMDb person ids": (0, 1)})
    assert note == ("a.html: not loaded, the stored copy is kept: this one is cut short and poorer "
                    "(credits 0 against 1, IMDb person ids 0 against 1)")


# -- the summary names the films known only by title -------------------------------


def test_the_summary_says_what_the_film_known_only_by_title_is(tmp_path, monkeypatch):
    """The sample's "+ 1": the seed page lists, by title only, another title called "Never Let Me Go"."""
    from reelgraph.loaders.sample import SAMPLE_SOURCES

    monkeypatch.setenv("REELGRAPH_STORE", str(tmp_path / "store"))
    runner = CliRunner()
    assert runner.invoke(main, ["load", "--quiet", *map(str, SAMPLE_SOURCES)]).exit_code == 0
    result = runner.invoke(main, ["stats"], catch_exceptions=False)
    assert result.stdout.splitlines()[1:4] == [
        "films:            29 (+ 1 known only from 'More like this')",
        "  known by title: 'Never Let Me Go' (no year given), #10 in the 'More like this' of Never Let Me Go (2010): "
        "another title of the same name",
        "people:           281"]


def test_the_summary_names_no_stub_when_there_are_many():
    from reelgraph.cli.data import _STUBS_NAMED, _summary_lines

    stats = {"films": 1, "stub_films": _STUBS_NAMED + 1, "people": 1, "credits": 1, "credits_by_role": {"actor": 1},
             "more_like_this": 4, "best_connected": []}
    assert _summary_lines(stats) == ["films:            1 (+ 4 known only from 'More like this')", "people:           1",
                                     "credits:          1 (1 actor)", "more like this:   4 links"]
