"""A chain highlighted on demand, in the path view and in any view given one; the picture saved as SVG.

Headless Chromium with the network blocked (see ``conftest.py``): the
buttons are pressed with real mouse events, and every test checks that the
page fetched nothing and logged no error.
"""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET

import pytest

import reelgraph as rg
from reelgraph.views import neighbourhood_view, path_view, write_html

pytestmark = pytest.mark.browser

SVG = "{http://www.w3.org/2000/svg}"
FADED_EDGE = "rgba(208, 215, 222, 0.35)"
CHAIN_EDGE = "#1F2328"


@pytest.fixture(scope="module")
def mirror():
    return rg.build_mirror(rg.read_sources(rg.SAMPLE_SOURCES))


@pytest.fixture(scope="module")
def chain(mirror):
    """The sample's longest co-star chain: 11 nodes, from Alexander Rendel to Brian Milligan."""
    return [step["id"] for step in rg.farthest_people(mirror).path.path]


def _click_element(page, selector):
    box = page.evaluate("(function(){ var r = document.querySelector(%s).getBoundingClientRect();"
                        " return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()" % json.dumps(selector))
    page.click(box["x"], box["y"])


def _chain_state(page) -> dict:
    return page.evaluate(
        "(function(){ var b = document.getElementById('rg-chain');"
        " return {shown: reelgraph.chainShown, pressed: b.getAttribute('aria-pressed'), hidden: b.hidden,"
        " faded: reelgraph.fadedIds().sort(),"
        " thick: edges.get().filter(function(e){ return e.width === 4 && e.color.color === %s; }).map(function(e){ return e.id; }).sort(),"
        " fadedEdges: edges.get().filter(function(e){ return e.color && e.color.color === %s; }).length}; })()"
        % (json.dumps(CHAIN_EDGE), json.dumps(FADED_EDGE))
    )


def _steps(view, chain) -> list:
    """Ids of the view's edges joining two consecutive nodes of the chain."""
    pairs = {frozenset(p) for p in zip(chain, chain[1:])}
    return sorted(e["id"] for e in view.edges if frozenset((e["from"], e["to"])) in pairs)


def test_a_neighbourhood_given_a_chain_highlights_it(page, mirror, chain, tmp_path):
    view = neighbourhood_view(mirror, "tt1334260", chain=chain)
    assert view.chain == chain and set(chain) <= {n["id"] for n in view.nodes}
    steps = _steps(view, chain)
    assert len(steps) == len(chain) - 1  # every step is an edge of the view
    url, _ = page.open_view(write_html(view, tmp_path / "nlmg.html"))
    state = _chain_state(page)
    assert (state["hidden"], state["shown"], state["pressed"], state["faded"]) == (False, False, "false", [])

    _click_element(page, "#rg-chain")
    state = _chain_state(page)
    assert (state["shown"], state["pressed"]) == (True, "true")
    assert state["faded"] == sorted({n["id"] for n in view.nodes} - set(chain))
    assert state["thick"] == steps
    assert state["fadedEdges"] == len(view.edges) - len(steps)
    # the view moves to the chain (a 300 ms glide): every node of it on screen, labelled
    labelled = "(function(){ var on = reelgraph.labelled(); return %s.every(function(id){ return on.indexOf(id) >= 0; }); })()" % json.dumps(chain)
    assert page.wait_for(labelled, timeout=10)
    for node in chain:
        pos = page.node_position(node)
        assert 0 <= pos["x"] <= 1280 and 0 <= pos["y"] <= 800, (node, pos)

    _click_element(page, "#rg-chain")  # a second press puts everything back
    state = _chain_state(page)
    assert (state["shown"], state["pressed"], state["faded"], state["thick"], state["fadedEdges"]) == (False, "false", [], [], 0)
    widths = page.evaluate("edges.get(%s).map(function(e){ return e.width; })" % json.dumps(steps))
    assert widths == [next(e.get("width", 1) for e in view.edges if e["id"] == s) for s in steps]

    page.evaluate("reelgraph.highlightChain(); 0")  # Escape clears it as it clears a focus
    page.press_key("Escape", key_code=27)
    assert _chain_state(page)["shown"] is False
    page.evaluate("reelgraph.highlightChain(); 0")  # focusing a node ends the highlight
    page.evaluate("reelgraph.focus(%s); 0" % json.dumps(chain[0]))
    assert _chain_state(page)["shown"] is False and page.evaluate("reelgraph.focused") == chain[0]
    page.assert_offline_and_clean(url)


def test_the_path_view_highlights_its_chain_and_stays_fitted(page, mirror, chain, tmp_path):
    view = path_view(mirror, chain)
    url, _ = page.open_view(write_html(view, tmp_path / "path.html"))
    _click_element(page, "#rg-chain")
    state = _chain_state(page)
    assert state["shown"] is True and state["faded"] == [] and state["thick"] == _steps(view, chain)
    assert page.evaluate("reelgraph.moved") is False  # a path view keeps fitting its frame
    page.assert_offline_and_clean(url)


def test_a_view_without_a_chain_offers_no_highlight(page, mirror, tmp_path):
    view = rg.view(mirror, "Never Let Me Go")
    assert view.chain == []
    url, _ = page.open_view(write_html(view, tmp_path / "nlmg.html"))
    assert page.evaluate("document.getElementById('rg-chain').hidden") is True
    page.assert_offline_and_clean(url)


def test_view_adds_a_chain_given_by_two_names(mirror):
    drawn = rg.view(mirror, "Paddington", chain=("Keira Knightley", "Andrew Garfield"))
    assert drawn.chain == ["name:keira-knightley", "tt1334260", "name:andrew-garfield"]
    assert set(drawn.chain) <= {n["id"] for n in drawn.nodes}
    with pytest.raises(ValueError, match="a chain is drawn in the view around a name"):
        rg.view(mirror, clusters=True, chain=("Keira Knightley", "Andrew Garfield"))
    with pytest.raises(rg.NameNotFoundError, match="nm9999999"):
        neighbourhood_view(mirror, "tt1334260", chain=["tt1334260", "nm9999999", "tt1334260"])


# -- SVG ---------------------------------------------------------------------------------------


def _download_svg(page, tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    page.browser.send("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads), "eventsEnabled": True})
    _click_element(page, "#rg-export-svg")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not [p for p in downloads.iterdir() if p.suffix == ".svg"]:
        time.sleep(0.1)
    return [p for p in downloads.iterdir() if p.suffix == ".svg"]


def test_the_svg_export_draws_each_visible_node_with_its_text_escaped(page, graph_factory, tmp_path):
    from tests.views.conftest import HOSTILE_TITLE

    G = graph_factory(n_films=30, cast=5, seed=1)
    view = neighbourhood_view(G, "tt1000000", depth=2, max_nodes=60)
    url, _ = page.open_view(write_html(view, tmp_path / "small.html"))
    page.evaluate("document.getElementById('rg-hide-stubs').click(); 0")  # a filter hides some nodes
    shown = page.evaluate("reelgraph.counts.shown")
    hidden = sorted(page.evaluate("nodes.get().filter(function(n){ return n.hidden; }).map(function(n){ return n.id; })"))
    assert hidden and shown == len(view.nodes) - len(hidden)

    saved = _download_svg(page, tmp_path)
    assert [p.name for p in saved] == ["neighbourhood-of-img-src-x-onerror-window-xss-1-2-steps.svg"]
    root = ET.fromstring(saved[0].read_bytes())  # well-formed XML
    assert root.tag == SVG + "svg"
    size = page.evaluate("(function(){ var r = document.getElementById('rg-network'); return [r.clientWidth, r.clientHeight]; })()")
    assert [int(root.get("width")), int(root.get("height"))] == size
    drawn = root.findall(f".//{SVG}g[@class='rg-node']")
    assert len(drawn) == shown
    assert sorted(g.get("data-id") for g in drawn) == sorted({n["id"] for n in view.nodes} - set(hidden))
    for g in drawn:
        assert len([e for e in g if e.tag in (SVG + "circle", SVG + "polygon", SVG + "rect")]) == 1
    # the hostile title is text, in the node's <title>, never an element
    hostile = next(g for g in drawn if g.get("data-id") == "tt1000000")
    assert hostile.find(SVG + "title").text == HOSTILE_TITLE
    assert not root.findall(".//img") and not root.findall(".//{http://www.w3.org/1999/xhtml}img")
    assert len(root.findall(f".//{SVG}g[@class='rg-edge']")) == sum(
        1 for e in view.edges if e["from"] not in hidden and e["to"] not in hidden)
    labels = {t.text for t in root.iter(SVG + "text")}
    assert set(page.evaluate("reelgraph.labelled().map(function(id){ return nodes.get(id).label; })")) <= labels
    page.assert_offline_and_clean(url)


def test_show_chain_adds_the_chain_to_a_neighbourhood(sample_graph, tmp_path):
    from click.testing import CliRunner

    from reelgraph.cli import main
    from reelgraph.store import LocalStore

    LocalStore(tmp_path / "store").write(sample_graph)

    def run(*args):
        return CliRunner().invoke(main, [*map(str, args), "--store", str(tmp_path / "store")], env={"NEO4J_URI": ""})

    out = tmp_path / "nlmg.html"
    result = run("show", "Never Let Me Go", "--chain", "Keira Knightley", "Andrew Garfield", "-o", out, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["shown"] == 36  # both already in the neighbourhood
    data = json.loads(out.read_text().split('id="rg-data">', 1)[1].split("</script>", 1)[0])
    assert data["meta"]["chain"] == ["name:keira-knightley", "tt1334260", "name:andrew-garfield"]
    result = run("show", "--clusters", "--chain", "Keira Knightley", "Andrew Garfield", "-o", tmp_path / "x.html")
    assert result.exit_code == 2 and "a chain is drawn in the view around a name" in result.output
    result = run("show", "Never Let Me Go", "--chain", "Keira Knightley", "Nobody Atall", "-o", tmp_path / "x.html")
    assert (result.exit_code, result.output) == (3, "reelgraph: error: no person named 'Nobody Atall'\n")
    assert not (tmp_path / "x.html").exists()
