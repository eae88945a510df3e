"""Exploring a view in a real browser: focus, search, filters, cluster legend, labels, export.

Headless Chromium with the network blocked, driven as in ``test_views_browser.py``
(see ``conftest.py``): clicks and keys are real input events, and every test
checks the page fetched nothing and logged no error.
"""

from __future__ import annotations

import json
import time

import pytest

from reelgraph.views import cluster_view, more_like_this_view, neighbourhood_view, write_html
from reelgraph.views.style import cluster_colour

pytestmark = pytest.mark.browser

HOSTILE_TITLE = '<img src=x onerror="window.__xss=1">'
FADED_EDGE = "rgba(208, 215, 222, 0.35)"


def _neighbours(view, node_id) -> set:
    out = set()
    for edge in view.edges:
        if edge["from"] == node_id:
            out.add(edge["to"])
        elif edge["to"] == node_id:
            out.add(edge["from"])
    return out


def _focus_state(page) -> dict:
    return page.evaluate(
        "(function(){ var p = document.getElementById('rg-panel');"
        " return {focused: reelgraph.focused, faded: reelgraph.fadedIds().sort(), panelHidden: p.hidden,"
        " panelTitle: p.querySelector('.rg-tip-title') ? p.querySelector('.rg-tip-title').textContent : null,"
        " panelText: p.textContent, panelTags: Array.from(p.querySelectorAll('*')).map(function(e){ return e.tagName; }),"
        " links: Array.from(p.querySelectorAll('a')).map(function(a){ return a.href; }),"
        " fadedEdges: edges.get().filter(function(e){ return e.color && e.color.color === %s; }).length}; })()" % json.dumps(FADED_EDGE)
    )


def _empty_corner(page):
    return page.evaluate("(function(){ var r = document.getElementById('rg-network').getBoundingClientRect(); return {x: r.left + 4, y: r.bottom - 4}; })()")


@pytest.fixture
def small_view(graph_factory, tmp_path):
    G = graph_factory(n_films=30, cast=5, seed=1)
    view = neighbourhood_view(G, "tt1000000", depth=2, max_nodes=60)
    return view, write_html(view, tmp_path / "small.html")


def test_a_click_focuses_a_node_fading_exactly_the_others(page, small_view):
    view, path = small_view
    url, _ = page.open_view(path)
    ids = [n["id"] for n in view.nodes]
    person = next(n["id"] for n in view.nodes if n["rgKind"] == "person" and len(_neighbours(view, n["id"])) >= 2)
    pos = page.node_position(person)
    page.click(pos["x"], pos["y"])
    state = _focus_state(page)
    keep = {person} | _neighbours(view, person)
    assert state["focused"] == person
    assert set(state["faded"]) == set(ids) - keep
    incident = sum(1 for e in view.edges if person in (e["from"], e["to"]))
    assert state["fadedEdges"] == len(view.edges) - incident
    # the panel: the node's details as text, and its IMDb link
    node = next(n for n in view.nodes if n["id"] == person)
    assert not state["panelHidden"] and state["panelTitle"] == node["rgTip"]["title"]
    assert all(line in state["panelText"] for line in node["rgTip"]["lines"])
    expected_links = [node["rgUrl"]] if "rgUrl" in node else []
    assert state["links"] == expected_links

    # Escape clears it, and the faded nodes get their colours back
    page.press_key("Escape", key_code=27)
    state = _focus_state(page)
    assert state["focused"] is None and state["faded"] == [] and state["panelHidden"] and state["fadedEdges"] == 0
    some = next(iter(set(ids) - keep))
    original = next(n for n in view.nodes if n["id"] == some)["color"]
    assert page.evaluate("nodes.get(%s).color" % json.dumps(some)) == original
    page.assert_offline_and_clean(url)


def test_a_click_on_the_background_clears_the_focus(page, small_view):
    view, path = small_view
    url, _ = page.open_view(path)
    film = "tt1000000"
    page.evaluate("reelgraph.focus(%s)" % json.dumps(film))
    assert _focus_state(page)["focused"] == film
    corner = _empty_corner(page)
    page.click(corner["x"], corner["y"])
    state = _focus_state(page)
    assert state["focused"] is None and state["faded"] == [] and state["panelHidden"]
    page.assert_offline_and_clean(url)


def test_the_panel_shows_hostile_strings_as_text_and_links_only_imdb_ids(page, small_view):
    view, path = small_view
    url, _ = page.open_view(path)
    page.evaluate("window.__xss = 0")
    pos = page.node_position("tt1000000")
    page.click(pos["x"], pos["y"])
    state = _focus_state(page)
    assert state["focused"] == "tt1000000"
    assert state["panelTitle"] == HOSTILE_TITLE
    assert set(state["panelTags"]) <= {"DIV", "A", "BUTTON"}, state["panelTags"]
    assert state["links"] == ["https://www.imdb.com/title/tt1000000/"]
    # a film known only by title: no link, and the panel says where it was listed
    stub = next(n for n in view.nodes if n.get("rgStub"))
    page.evaluate("reelgraph.focus(%s)" % json.dumps(stub["id"]))
    state = _focus_state(page)
    assert state["links"] == []
    assert "Listed by title only on " in state["panelText"]
    time.sleep(0.2)
    assert page.evaluate("window.__xss") == 0 and page.evaluate("document.images.length") == 0
    page.assert_offline_and_clean(url)


# -- search ------------------------------------------------------------------------------------

ACCENTED = "Zoë Ångström-Núñez"


@pytest.fixture
def searchable_view(graph_factory, tmp_path):
    G = graph_factory(n_films=30, cast=5, seed=1)
    G.add_node("nm3000001", kind="person", label=ACCENTED)
    G.add_edge("nm3000001", "tt1000000", roles=["actress"], characters=["Ruth"], billing=2)
    G.add_edge("nm3000001", "tt1000005", roles=["actress"], billing=1)  # better connected: ranked first
    G.add_node("nm3000002", kind="person", label="Zoe Angstrom")  # the same letters, less known: ranked after
    G.add_edge("nm3000002", "tt1000000", roles=["actor"], billing=9)
    view = neighbourhood_view(G, "tt1000000", depth=1)
    return view, write_html(view, tmp_path / "search.html")


def _results(page):
    return page.evaluate("Array.from(document.querySelectorAll('#rg-results .rg-result span:first-child')).map(function(s){ return s.textContent; })")


def _centre_offset(page, node_id):
    pos = page.node_position(node_id)
    centre = page.evaluate("(function(){ var r = document.getElementById('rg-network').getBoundingClientRect(); return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()")
    return abs(pos["x"] - centre["x"]), abs(pos["y"] - centre["y"])


@pytest.mark.parametrize("typed", ["zoe angs", "ÅNGSTRÖM-NÚÑ", "nunez zo"])
def test_typing_finds_a_person_ignoring_accents_and_case_and_enter_centres_on_her(page, searchable_view, typed):
    view, path = searchable_view
    url, _ = page.open_view(path)
    page.evaluate("document.getElementById('rg-search').focus()")
    page.type_text(typed)
    found = _results(page)
    assert found and found[0] == ACCENTED, found
    page.press_key("Enter", key_code=13)
    assert page.evaluate("reelgraph.focused") == "nm3000001"
    time.sleep(0.6)  # the view glides to the node in 0.3 s
    dx, dy = _centre_offset(page, "nm3000001")
    assert dx < 2 and dy < 2, (dx, dy)
    assert page.evaluate("document.getElementById('rg-results').hidden")
    assert set(page.evaluate("reelgraph.fadedIds()")) == {n["id"] for n in view.nodes} - {"nm3000001", "tt1000000"}
    page.assert_offline_and_clean(url)


def test_clicking_a_result_focuses_it_and_a_miss_says_so(page, searchable_view):
    view, path = searchable_view
    url, _ = page.open_view(path)
    page.evaluate("document.getElementById('rg-search').focus()")
    page.type_text("zoe")
    assert _results(page) == [ACCENTED, "Zoe Angstrom"]  # the better-connected first
    box = page.evaluate("(function(){ var r = document.querySelectorAll('#rg-results .rg-result')[1].getBoundingClientRect(); return {x: r.left + 5, y: r.top + r.height / 2}; })()")
    page.click(box["x"], box["y"])
    assert page.evaluate("reelgraph.focused") == "nm3000002"
    page.evaluate("document.getElementById('rg-search').focus(); document.getElementById('rg-search').select()")
    page.type_text("no such name")
    assert _results(page) == []
    assert "matches" in page.evaluate("document.getElementById('rg-results').textContent")
    page.assert_offline_and_clean(url)


# -- filters and the cluster legend -----------------------------------------------------------

HIDDEN = "nodes.get({filter: function(n){ return n.hidden === true; }}).map(function(n){ return n.id; }).sort()"


def _expected_hidden(view, film_shown, person_ok=lambda node: True) -> set:
    """What the page's filters should hide: films failing ``film_shown``; people and genres
    failing ``person_ok`` or left without a shown film of the view."""
    by_id = {n["id"]: n for n in view.nodes}
    shown = {i for i, n in by_id.items() if n["rgKind"] == "film" and film_shown(n)}
    for i, n in by_id.items():
        if n["rgKind"] == "film":
            continue
        films = [v for v in _neighbours(view, i) if by_id[v]["rgKind"] == "film"]
        if person_ok(n) and (not films or any(v in shown for v in films)):
            shown.add(i)
    return set(by_id) - shown


def _set_value(page, element_id, value):
    page.evaluate("(function(){ var e = document.getElementById(%s); e.value = %s; e.dispatchEvent(new Event('change')); })()" % (json.dumps(element_id), json.dumps(value)))


def _click_element(page, selector):
    box = page.evaluate("(function(){ var r = document.querySelector(%s).getBoundingClientRect(); return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()" % json.dumps(selector))
    page.click(box["x"], box["y"])


def _counts(view, hidden) -> str:
    kinds = {}
    for n in view.nodes:
        total, shown = kinds.get(n["rgKind"], (0, 0))
        kinds[n["rgKind"]] = (total + 1, shown + (n["id"] not in hidden))
    words = {"film": ("film", "films"), "person": ("person", "people"), "genre": ("genre", "genres")}
    parts = []
    for kind in ("film", "person", "genre"):
        if kind in kinds:
            total, shown = kinds[kind]
            word = words[kind][0 if total == 1 else 1]
            parts.append(f"{total:,} {word}" if not hidden else f"{shown:,} of {total:,} {word}")
    return ("Showing " if hidden else "") + ", ".join(parts)


@pytest.fixture
def filter_view(graph_factory, tmp_path):
    G = graph_factory(n_films=40, cast=5, seed=5)
    view = neighbourhood_view(G, "tt1000000", depth=2, max_nodes=90, genres=True)
    return view, write_html(view, tmp_path / "filters.html")


def test_a_year_range_hides_the_right_nodes_and_the_counts_follow(page, filter_view):
    view, path = filter_view
    url, _ = page.open_view(path)
    assert page.evaluate("document.getElementById('rg-counts').textContent") == _counts(view, set())
    page.evaluate("document.getElementById('rg-year-from').focus()")
    page.type_text("1970")
    page.evaluate("document.getElementById('rg-year-to').focus()")
    page.type_text("1999")
    expected = _expected_hidden(view, lambda n: n.get("rgYear") is not None and 1970 <= n["rgYear"] <= 1999)
    assert 0 < len(expected) < len(view.nodes)
    assert set(page.evaluate(HIDDEN)) == expected
    assert page.evaluate("document.getElementById('rg-counts').textContent") == _counts(view, expected)
    assert page.evaluate("reelgraph.counts.shown") == len(view.nodes) - len(expected)
    assert not page.evaluate("document.getElementById('rg-reset').hidden")
    _click_element(page, "#rg-reset")
    assert page.evaluate(HIDDEN) == []
    assert page.evaluate("document.getElementById('rg-counts').textContent") == _counts(view, set())
    page.assert_offline_and_clean(url)


def test_role_and_stub_filters(page, filter_view):
    view, path = filter_view
    url, _ = page.open_view(path)
    options = page.evaluate("Array.from(document.querySelectorAll('#rg-role option')).map(function(o){ return o.value; })")
    assert options == ["", "actor", "director"]
    _set_value(page, "rg-role", "director")
    expected = _expected_hidden(view, lambda n: True, lambda n: n["rgKind"] != "person" or "director" in n.get("rgRoles", []))
    assert set(page.evaluate(HIDDEN)) == expected and expected
    _set_value(page, "rg-role", "")
    _click_element(page, "#rg-hide-stubs")
    assert page.evaluate("document.getElementById('rg-hide-stubs').checked")
    stubs = {n["id"] for n in view.nodes if n.get("rgStub")}
    assert stubs and set(page.evaluate(HIDDEN)) == _expected_hidden(view, lambda n: not n.get("rgStub"))
    assert page.evaluate("document.getElementById('rg-counts').textContent") == _counts(view, set(page.evaluate(HIDDEN)))
    page.assert_offline_and_clean(url)


def test_a_legend_click_shows_only_that_cluster(page, graph_factory, tmp_path):
    G = graph_factory(n_films=40, cast=3, seed=2)
    view = cluster_view(G, cluster_names={2: "Sci-Fi / Thriller (around <Never> Let Me Go, 2010)"})
    url, _ = page.open_view(write_html(view, tmp_path / "clusters.html"))
    buttons = page.evaluate("Array.from(document.querySelectorAll('.rg-legend-cluster')).map(function(b){ return [b.getAttribute('data-rg-cluster'), b.textContent]; })")
    assert ["2", "Sci-Fi / Thriller (around <Never> Let Me Go, 2010) (9 films)"] in buttons
    _click_element(page, '.rg-legend-cluster[data-rg-cluster="2"]')
    expected = {n["id"] for n in view.nodes if n.get("rgCluster") != "2"}
    assert set(page.evaluate(HIDDEN)) == expected
    assert page.evaluate("document.querySelector('.rg-legend-cluster[data-rg-cluster=\"2\"]').getAttribute('aria-pressed')") == "true"
    assert page.evaluate("document.getElementById('rg-cluster').value") == "2"
    assert page.evaluate("document.getElementById('rg-counts').textContent") == f"Showing {len(view.nodes) - len(expected)} of {len(view.nodes)} films"
    _click_element(page, '.rg-legend-cluster[data-rg-cluster="2"]')  # again: every cluster
    assert page.evaluate(HIDDEN) == []
    page.assert_offline_and_clean(url)


def test_a_cluster_has_the_same_colour_on_two_pages(page, graph_factory, png_decoder, tmp_path):
    G = graph_factory(n_films=40, cast=3, seed=2)
    film = "tt1000006"  # cluster 2
    seen, urls = [], []
    for name, view in (("clusters", cluster_view(G)), ("links", more_like_this_view(G, film, depth=1))):
        url, _ = page.open_view(write_html(view, tmp_path / f"{name}.html"))
        urls.append(url)
        colour = page.evaluate("nodes.get(%s).color.background" % json.dumps(film))
        pos = page.node_position(film)
        _, _, pixels = png_decoder(page.screenshot(clip={"x": pos["x"] - 2, "y": pos["y"] - 2, "width": 4, "height": 4, "scale": 1}))
        seen.append((colour, pixels[len(pixels) // 2]))
    assert page.requests() == urls and page.errors() == []
    (first, first_pixel), (second, second_pixel) = seen
    assert first == second == cluster_colour(2)
    target = tuple(int(first[i : i + 2], 16) for i in (1, 3, 5))
    assert all(abs(a - b) <= 6 for a, b in zip(first_pixel, target)) and all(abs(a - b) <= 6 for a, b in zip(second_pixel, target))


# -- the path view in a notebook, labels, export ---------------------------------------------

NODE_BOXES = (
    "(function(){ var c = document.getElementById('rg-network'); var out = [];"
    " network.body.data.nodes.getIds().forEach(function(id){ var b = network.getBoundingBox(id);"
    " var a = network.canvasToDOM({x: b.left, y: b.top}), z = network.canvasToDOM({x: b.right, y: b.bottom});"
    " out.push({id: id, left: a.x, top: a.y, right: z.x, bottom: z.y}); });"
    " return {width: c.clientWidth, height: c.clientHeight, boxes: out}; })()"
)


@pytest.mark.parametrize("width", [800, 1400])
def test_the_path_view_fits_its_notebook_frame(browser, tmp_path, width):
    import reelgraph as rg

    mirror = rg.build_mirror(rg.read_sources(rg.SAMPLE_SOURCES))
    chain = rg.farthest_people(mirror).path.path  # the sample's longest chain: 11 nodes, long labels
    view = rg.path_view(mirror, [step["id"] for step in chain])
    outer = tmp_path / "notebook.html"
    outer.write_text('<!DOCTYPE html><html><body style="margin: 0 24px">' + rg.show_inline(view, height="450px").data + "</body></html>", encoding="utf-8")
    page = browser.new_page(width=width, height=700)
    try:
        in_frame, frame_errors = page.open_notebook(outer)
        time.sleep(0.2)
        for frame_width in (width - 48, (width - 48) // 2):  # the page's width less its margins; then a narrower output area
            page.evaluate("document.querySelector('.reelgraph-view').style.width = '%dpx'; 0" % frame_width)
            time.sleep(0.3)  # the frame lays out again, and the view fits itself to it
            seen = in_frame(NODE_BOXES)
            assert seen["width"] == frame_width - 2  # less the frame's border
            assert len(seen["boxes"]) == len(view.nodes) == len(chain)
            for box in seen["boxes"]:  # each node with its label
                assert box["left"] >= 0 and box["top"] >= 0, box
                assert box["right"] <= seen["width"] and box["bottom"] <= seen["height"], box
        assert frame_errors() == [] and page.errors() == []
    finally:
        page.close()


def test_the_export_button_saves_the_picture_as_a_png_of_the_frames_size(page, small_view, png_decoder, tmp_path):
    view, path = small_view
    url, _ = page.open_view(path)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    page.browser.send("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads), "eventsEnabled": True})
    size = page.evaluate("(function(){ var c = document.querySelector('#rg-network canvas'); var r = document.getElementById('rg-network');"
                         " return {width: c.width, height: c.height, cssWidth: r.clientWidth, cssHeight: r.clientHeight}; })()")
    assert (size["width"], size["height"]) == (size["cssWidth"], size["cssHeight"])  # device pixel ratio 1
    _click_element(page, "#rg-export")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not [p for p in downloads.iterdir() if p.suffix == ".png"]:
        time.sleep(0.1)
    saved = [p for p in downloads.iterdir() if p.suffix == ".png"]
    assert [p.name for p in saved] == ["neighbourhood-of-img-src-x-onerror-window-xss-1-2-steps.png"]
    width, height, pixels = png_decoder(saved[0].read_bytes())
    assert (width, height) == (size["width"], size["height"])
    colours = set(pixels)
    assert (255, 255, 255) in colours and len(colours) > 20  # a white ground, and the drawing on it
    assert any(all(abs(a - b) <= 12 for a, b in zip(c, (0x4C, 0x78, 0xA8))) for c in colours), "no film-blue pixel"
    page.assert_offline_and_clean(url)


def test_a_big_view_labels_its_largest_nodes_without_overlap_and_more_as_you_zoom(page, graph_factory, tmp_path):
    G = graph_factory(n_films=1200, cast=6, seed=3, similar=5, hostile=False)
    view = neighbourhood_view(G, "tt1000005", depth=4, max_nodes=2000)
    url, _ = page.open_view(write_html(view, tmp_path / "big.html"), timeout=60)
    labels = (
        "(function(){ var s = network.getScale(), t = %s, on = [], off = 0;"
        " nodes.get().forEach(function(n){ if (n.font && n.font.size * s >= t - 1) { on.push(n.id); } else { off++; } });"
        " return {drawn: on.sort(), off: off, listed: reelgraph.labelled().sort()}; })()"
        % view.options["nodes"]["scaling"]["label"]["drawThreshold"]
    )
    at_fit = page.evaluate(labels)
    assert at_fit["drawn"] == at_fit["listed"]  # vis-network draws exactly the labels chosen
    assert 20 <= len(at_fit["drawn"]) <= 300 and at_fit["off"] >= 1700
    largest = max(view.nodes, key=lambda n: n["value"])["id"]
    assert largest in at_fit["drawn"] and "tt1000005" in at_fit["drawn"]  # the largest, and the centre
    # zooming in (the wheel, as a person does) shows labels that were not there
    centre = page.evaluate("(function(){ var r = document.getElementById('rg-network').getBoundingClientRect(); return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()")
    for _ in range(4):
        page.send("Input.dispatchMouseEvent", {"type": "mouseWheel", "x": centre["x"], "y": centre["y"], "deltaX": 0, "deltaY": -300})
    time.sleep(0.5)
    zoomed = page.evaluate(labels)
    assert zoomed["drawn"] == zoomed["listed"]
    assert set(zoomed["drawn"]) - set(at_fit["drawn"]), "no new label after zooming in"
    # a focused node and its neighbours come first
    person = next(n["id"] for n in view.nodes if n["rgKind"] == "person" and n["id"] not in at_fit["drawn"])
    page.evaluate("reelgraph.focus(%s)" % json.dumps(person))
    page.evaluate("network.moveTo({position: network.getPositions([%s])[%s]}); 0" % (json.dumps(person), json.dumps(person)))
    page.evaluate("reelgraph.focus(%s)" % json.dumps(person))
    assert person in page.evaluate(labels)["drawn"]
    page.assert_offline_and_clean(url)


def test_a_very_big_view_focuses_and_searches_without_freezing(page, graph_factory, tmp_path):
    """Past 3,000 nodes a focus selects the node and its neighbours instead of fading every other node."""
    G = graph_factory(n_films=2400, cast=6, seed=3, similar=5, hostile=False)
    view = neighbourhood_view(G, "tt1000005", depth=6, max_nodes=3500)
    assert view.shown == 3500 and view.options["physics"]["enabled"] is False
    url, _ = page.open_view(write_html(view, tmp_path / "huge.html"), timeout=120)
    person = next(n["id"] for n in view.nodes if n["rgKind"] == "person")
    took = page.evaluate("(function(){ var t = performance.now(); reelgraph.focus(%s); return performance.now() - t; })()" % json.dumps(person))
    print(f"\nfocus in a 3,500-node view: {took:.0f} ms")
    assert took < 1500
    assert page.evaluate("reelgraph.focused") == person and page.evaluate("reelgraph.fadedIds()") == []
    assert set(page.evaluate("network.getSelectedNodes()")) == {person} | _neighbours(view, person)
    assert not page.evaluate("document.getElementById('rg-panel').hidden")
    page.evaluate("document.getElementById('rg-search').focus()")
    name = next(n for n in view.nodes if n["id"] == person)["rgTip"]["title"]
    page.type_text(name)
    assert name in _results(page)
    page.assert_offline_and_clean(url)
