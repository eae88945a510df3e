"""Views over PLAIN_EDGES_FROM nodes draw plain edges (no dashes, no arrowheads), and their legend says so.

Their page draws them itself (static/page.js, FAST_DRAW_FROM): vis-network
gets the nodes only, as custom shapes, and the page strokes the edges in
batches and draws the labels explore.js picks.  The browser tests check that
what a person sees and does still works there: edges and labels drawn,
focus, search, filters and the SVG export.
"""

import json
import re
import time
from importlib import resources

import pytest

from reelgraph.views import neighbourhood_view, write_html
from reelgraph.views.style import EDGE_STYLES, PLAIN_EDGES_FROM

FOCUS_EDGE = "#1F2328"
LABEL_PX = 14  # explore.js: a label's height on the screen, whatever the zoom (the centre's: its own 18)


@pytest.fixture(scope="module")
def graph():
    from tests.views.conftest import make_graph

    return make_graph(n_films=1100, cast=6, seed=3, similar=5, hostile=False)


def _edge_legend(view) -> dict:
    labels = {style["label"] for style in EDGE_STYLES.values()}
    return {entry["label"]: entry["shape"] for entry in view.legend if entry["label"] in labels}


def test_a_view_just_over_the_limit_draws_plain_edges(graph):
    view = neighbourhood_view(graph, "tt1000005", depth=8, max_nodes=PLAIN_EDGES_FROM + 1)
    assert view.shown == 3001
    assert {(e["dashes"], e["arrows"]) for e in view.edges} == {(False, "")}
    assert _edge_legend(view) == {"credit (person \u2013 film)": "line", "more like this": "line"}


def test_a_view_at_the_limit_keeps_dashes_and_arrows(graph):
    view = neighbourhood_view(graph, "tt1000005", depth=8, max_nodes=PLAIN_EDGES_FROM)
    assert view.shown == 3000
    similar = [e for e in view.edges if e["rgKind"] == "similar"]
    assert similar and all(e["dashes"] is True and e["arrows"] in ("to", "to, from") for e in similar)
    assert _edge_legend(view) == {"credit (person \u2013 film)": "line", "more like this": "dashed-arrow"}


def test_the_page_draws_itself_exactly_the_views_with_plain_edges():
    # the page's batches draw plain lines only: it must take over where the views stop drawing dashes
    script = resources.files("reelgraph.views").joinpath("static", "page.js").read_text(encoding="utf-8")
    assert [int(n) for n in re.findall(r"var FAST_DRAW_FROM = (\d+);", script)] == [PLAIN_EDGES_FROM]


# -- in the browser ------------------------------------------------------------------


@pytest.fixture(scope="module")
def huge_view(tmp_path_factory):
    from tests.views.conftest import make_graph

    G = make_graph(n_films=2400, cast=6, seed=3, similar=5, hostile=False)
    view = neighbourhood_view(G, "tt1000005", depth=6, max_nodes=3500)
    assert view.shown == 3500 and len(view.edges) > 9000
    return view, write_html(view, tmp_path_factory.mktemp("huge") / "huge.html")


LABELS = """(function(){ var s = network.getScale(), out = {};
  reelgraph.labelled().forEach(function(id){ var l = reelgraph.labelOf(id); out[id] = {text: l.text, px: l.size * s}; });
  return out; })()"""


def _neighbours(view, node_id) -> set:
    return {e["to"] for e in view.edges if e["from"] == node_id} | {e["from"] for e in view.edges if e["to"] == node_id}


def _label_heights_are_right(labels, centre):
    return all(abs(label["px"] - (18 if node == centre else LABEL_PX)) < 0.01 for node, label in labels.items())


def test_a_very_big_view_draws_its_edges_and_labels_itself(page, huge_view):
    view, path = huge_view
    url, seconds = page.open_view(path, timeout=120)
    print(f"\n3,500-node view still {seconds:.2f} s after navigation")
    assert page.evaluate("reelgraph.fastDraw") is True
    # vis-network holds the nodes (hover, click, selection) but builds no edge: the page draws them
    assert page.evaluate("network.body.nodeIndices.length") == 3500
    assert page.evaluate("network.body.edgeIndices.length") == 0
    assert page.evaluate("edges.length") == len(view.edges)
    assert page.evaluate("nodes.get('tt1000005').shape") == "custom" and page.evaluate("nodes.get('tt1000005').rgShape") == "dot"

    labels = page.evaluate(LABELS)
    label_of = {n["id"]: n["label"] for n in view.nodes}
    largest = max(view.nodes, key=lambda n: n["value"])["id"]
    assert 20 <= len(labels) <= 300 and largest in labels and "tt1000005" in labels
    assert all(label["text"] == label_of[node] for node, label in labels.items())
    assert _label_heights_are_right(labels, "tt1000005")
    unlabelled = next(n["id"] for n in view.nodes if n["id"] not in labels)
    assert page.evaluate("reelgraph.labelOf(%s)" % json.dumps(unlabelled)) is None

    # every edge reaches the SVG export, as drawn; the labels drawn too
    svg = page.evaluate("reelgraph.exportSvg()")
    assert svg.count("<line ") == len(view.edges)
    assert svg.count('stroke="%s"' % EDGE_STYLES["credit"]["colour"]) >= sum(e["rgKind"] == "credit" for e in view.edges)
    assert svg.count("<text ") == len(labels)
    page.assert_offline_and_clean(url)


def test_a_very_big_view_redraws_its_edges_for_focus_search_and_filters(page, huge_view, png_decoder):
    view, path = huge_view
    url, _ = page.open_view(path, timeout=120)
    names = [n["rgTip"]["title"] for n in view.nodes]
    person = next(n for n in view.nodes if n["rgKind"] == "person" and names.count(n["rgTip"]["title"]) == 1)  # the search's first result
    others = _neighbours(view, person["id"])
    looks = """(function(id){ var out = {mine: [], rest: {}};
      edges.get().forEach(function(e){ var l = reelgraph.edgeLook(e);
        if (e.from === id || e.to === id) { out.mine.push(l); } else { var k = l ? l.colour + ' ' + l.order : 'hidden'; out.rest[k] = (out.rest[k] || 0) + 1; } });
      return out; })(%s)""" % json.dumps(person["id"])

    # search and jump: the person's edges dark over the others, labels sized for the new zoom
    took = page.evaluate(
        "(function(){ var t = performance.now(); var box = document.getElementById('rg-search'); box.value = %s;"
        " box.dispatchEvent(new Event('input'));"
        " box.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'})); return performance.now() - t; })()" % json.dumps(person["rgTip"]["title"])
    )
    print(f"\nsearch and focus in a 3,500-node view: {took:.0f} ms")
    time.sleep(0.3)
    assert page.evaluate("reelgraph.focused") == person["id"]
    assert set(page.evaluate("network.getSelectedNodes()")) == {person["id"]} | others
    seen = page.evaluate(looks)
    assert len(seen["mine"]) == len(others) and all(look["colour"] == FOCUS_EDGE and look["order"] == 1 for look in seen["mine"])
    assert set(seen["rest"]) <= {EDGE_STYLES["credit"]["colour"] + " 0", EDGE_STYLES["similar"]["colour"] + " 0"}
    labels = page.evaluate(LABELS)
    assert person["id"] in labels and _label_heights_are_right(labels, "tt1000005")

    # the person's edges are dark on the screen (near the person: the search brought it to the middle), and
    # not once the focus is cleared
    def dark_along_edges():
        centre = page.node_position(person["id"])
        ends = [page.node_position(other) for other in sorted(others)]
        box = 160
        x0, y0 = int(centre["x"]) - box, int(centre["y"]) - box
        w, _, pixels = png_decoder(page.screenshot({"x": x0, "y": y0, "width": 2 * box, "height": 2 * box, "scale": 1}))
        dark = 0
        for end in ends:
            dx, dy = end["x"] - centre["x"], end["y"] - centre["y"]
            length = (dx * dx + dy * dy) ** 0.5
            for away in range(30, 151, 15):  # past the person's node and label, before other nodes pile up
                x = centre["x"] + dx * min(away / length, 1) - x0
                y = centre["y"] + dy * min(away / length, 1) - y0
                r, g, b = pixels[int(y) * w + int(x)]
                dark += r < 90 and g < 90 and b < 90
        return dark

    focused_dark = dark_along_edges()
    page.evaluate("reelgraph.clearFocus(); 0")
    time.sleep(0.3)
    assert page.evaluate("reelgraph.edgeLook(edges.get()[0]).order") == 0
    cleared_dark = dark_along_edges()
    print(f"dark points along the person's {len(others)} edges: {focused_dark} focused, {cleared_dark} not")
    assert focused_dark >= 4 * len(others) > cleared_dark

    # a filter hides nodes: their edges go with them, on the screen and in the export
    page.evaluate("var y = document.getElementById('rg-year-from'); y.value = '2000'; y.dispatchEvent(new Event('input')); 0")
    hidden = set(page.evaluate("nodes.get({filter: function(n){ return n.hidden === true; }}).map(function(n){ return n.id; })"))
    assert hidden
    kept = [e for e in view.edges if e["from"] not in hidden and e["to"] not in hidden]
    assert page.evaluate("edges.get().filter(function(e){ return reelgraph.edgeLook(e) !== null; }).length") == len(kept) < len(view.edges)
    assert page.evaluate("reelgraph.exportSvg()").count("<line ") == len(kept)
    page.assert_offline_and_clean(url)
