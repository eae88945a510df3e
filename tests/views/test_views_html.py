"""The views' HTML, read as text: self-contained, escaped, cut with a note, no ``lib/``."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
from importlib import resources

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from reelgraph import views
from reelgraph.errors import NameNotFoundError
from reelgraph.views import page as page_module
from reelgraph.views import View, cluster_view, imdb_url, more_like_this_view, neighbourhood_view, path_view, show_inline, write_html

# The same hostile strings as conftest.make_graph (imported through the fixture module's values).
HOSTILE_TITLE = '<img src=x onerror="window.__xss=1">'
SCRIPT_TITLE = "</script><script>window.__xss=2</script>"
AMP_TITLE = "Pride & Prejudice"
LITERAL_ENTITY_TITLE = "Tom &amp; Jerry &lt;3"
HOSTILE_CHARACTER = "<b>Kathy</b> & 'Ruth' \"H.\""
HOSTILE_NAME = "Mal<script>window.__xss=3</script>ory"

VIS_DIR = resources.files("pyvis").joinpath("templates", "lib", "vis-9.1.2")


def _data(page: str) -> dict:
    """The JSON data block of a page, decoded."""
    match = re.search(r'<script type="application/json" id="rg-data">(.*?)</script>', page, re.S)
    assert match, "no data block"
    return json.loads(match.group(1))


def _scripts(page: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", page, re.S)


ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "span", "p", "ul", "li", "svg", "circle", "polygon", "rect", "line", "div", "noscript", "script",
                # the tools (search, filters, export) and the details panel: none of them fetches anything (there is no <form>)
                "input", "select", "option", "label", "button", "aside"}
URL_ATTRIBUTES = {"src", "href", "srcset", "action", "formaction", "poster", "data", "background", "xlink:href", "ping", "manifest", "icon"}


def _tags(page: str) -> list:
    """Every start tag of the page with its attributes, as the HTML parser sees them."""
    from html.parser import HTMLParser

    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

        handle_startendtag = handle_starttag

    Collector(convert_charrefs=True).feed(page)
    return found


def _page_without_vendor(page: str) -> str:
    """The page less vis-network's own script and style (checked separately, byte for byte)."""
    vis_js = VIS_DIR.joinpath("vis-network.min.js").read_text(encoding="utf-8")
    vis_css = VIS_DIR.joinpath("vis-network.css").read_text(encoding="utf-8")
    assert page.count(vis_js) == 1 and page.count(vis_css) == 1, "vis-network must be inlined exactly once, unchanged"
    return page.replace(vis_js, "").replace(vis_css, "")


@pytest.fixture
def hostile(graph_factory):
    return graph_factory(n_films=30, cast=5, seed=1)


@pytest.fixture
def all_views(hostile):
    return {
        "neighbourhood": neighbourhood_view(hostile, "tt1000000", depth=2, max_nodes=40),
        "path": path_view(hostile, nx.shortest_path(hostile, "tt1000000", "tt1000003")),
        "cluster": cluster_view(hostile),
        "more_like_this": more_like_this_view(hostile),
        "more_like_this_centre": more_like_this_view(hostile, "tt1000000", depth=1),
        "genres": neighbourhood_view(hostile, "tt1000002", genres=True, colour_by="cluster", size_by="rating"),
    }


# -- self-contained ------------------------------------------------------------------------


SVG_NAMESPACE = '"http://www.w3.org/2000/svg"'


def test_no_resource_is_fetched_from_anywhere(all_views):
    for name, view in all_views.items():
        page = view.html()
        # the SVG export names SVG's XML namespace: a name, never fetched (and only once, in the script)
        assert _page_without_vendor(page).count(SVG_NAMESPACE) == 1, name
        own = _page_without_vendor(page).replace(SVG_NAMESPACE, "")
        tags = _tags(page)
        assert {t for t, _ in tags} <= ALLOWED_TAGS, (name, {t for t, _ in tags} - ALLOWED_TAGS)
        for tag, attrs in tags:
            for attr, value in attrs:
                assert attr not in URL_ATTRIBUTES, (name, tag, attr, value)
        assert not re.search(r"@import", page, re.I), name
        for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", page):
            assert url.startswith("data:"), (name, url[:40])
        # the only web addresses left are IMDb pages, inside the data
        for url in re.findall(r"https?://[^\s\"'<>\\]*", own):
            assert url.startswith("https://www.imdb.com/"), (name, url)
        data_block = re.search(r'id="rg-data">(.*?)</script>', page, re.S).group(1)
        assert re.findall(r"https?://", own) == re.findall(r"https?://", data_block), name
        # no CDN, no bootstrap, no tom-select, no pyvis lib/ reference
        lowered = page.lower()
        for needle in ("cdnjs", "jsdelivr", "unpkg", "bootstrap", "tom-select", "lib/bindings", "lib/vis"):
            assert needle not in lowered, (name, needle)


def test_vis_network_is_the_pyvis_copy_and_the_only_scripts_are_allowed_by_hash(hostile):
    page = neighbourhood_view(hostile, "tt1000000").html()
    vis_js = VIS_DIR.joinpath("vis-network.min.js").read_text(encoding="utf-8")
    scripts = _scripts(page)
    assert len(scripts) == 2 and scripts[0] == vis_js
    csp = html.unescape(re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1))
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in csp


def test_writing_creates_no_lib_folder_and_nothing_else(all_views, tmp_path, monkeypatch):
    work = tmp_path / "cwd"
    out = tmp_path / "out"
    work.mkdir()
    out.mkdir()
    monkeypatch.chdir(work)
    for name, view in all_views.items():
        written = write_html(view, out / f"{name}.html")
        assert written == out / f"{name}.html"
        assert written.read_text(encoding="utf-8") == view.html()
    view.write("relative.html")
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.html" for n in all_views)
    assert [p.name for p in work.iterdir()] == ["relative.html"]
    assert not (work / "lib").exists() and not (out / "lib").exists()


# -- escaping --------------------------------------------------------------------------------


def test_hostile_strings_never_appear_raw(all_views):
    for name, view in all_views.items():
        page = view.html()
        for raw in ("<img", 'onerror="', "</script><script>", "<script>window", "<b>Kathy", "<i>"):
            assert raw not in _page_without_vendor(page).replace("<script>" + page_module.page_script(), ""), (name, raw)
        # exactly two executable scripts: vis-network and the page's own
        assert len(_scripts(page)) == 2, name
        assert page.count("</script>") == 3, name  # the data block, vis-network, the page script


def test_data_round_trips_to_the_exact_strings(hostile):
    view = neighbourhood_view(hostile, "tt1000000", depth=1)
    data = _data(view.html())
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["tt1000000"]["rgTip"]["title"] == HOSTILE_TITLE
    assert nodes["tt1000000"]["label"].startswith(HOSTILE_TITLE[:30])
    person = nodes["nm2000000"]
    assert person["rgTip"]["title"] == HOSTILE_NAME
    assert any(HOSTILE_CHARACTER in line for line in person["rgTip"]["lines"])
    assert any(HOSTILE_CHARACTER in line for line in nodes["tt1000000"]["rgTip"]["lines"])
    assert not any("title" in n for n in data["nodes"]), "nodes carry no vis 'title' (it would be a second tooltip)"


def test_json_cannot_close_the_script_element():
    text = page_module.json_for_script({"t": SCRIPT_TITLE + "<!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"t": SCRIPT_TITLE + "<!-- & \u2028"}
    assert page_module.json_for_script({"x": float("nan"), "y": (1, 2)}) == '{"x":null,"y":[1,2]}'


def test_title_note_and_legend_are_escaped_once(graph_factory):
    G = graph_factory(n_films=30, cast=5, seed=1)
    view = neighbourhood_view(G, "tt1000002", max_nodes=5)  # "Pride & Prejudice", cut
    page = view.html()
    assert "<title>Neighbourhood of Pride &amp; Prejudice (1 step)</title>" in page
    assert "&amp;amp;" not in page
    note = re.search(r'<p class="rg-note"[^>]*>(.*?)</p>', page).group(1)
    assert html.unescape(note) == view.note and "Pride &amp; Prejudice" in note

    literal = neighbourhood_view(G, "tt1000003")  # a title holding a literal "&amp;": shown as typed
    assert "<title>Neighbourhood of Tom &amp;amp; Jerry &amp;lt;3 (1 step)</title>" in literal.html()

    hostile = neighbourhood_view(G, "tt1000000", title=HOSTILE_TITLE, max_nodes=3)
    page = hostile.html()
    # escaped once (markupsafe writes a quote as &#34;, html.escape as &quot;: the same text)
    escaped_title = re.search(r"<title>([^<]*)</title>", page).group(1)
    assert html.unescape(escaped_title) == HOSTILE_TITLE and '"' not in escaped_title
    hostile.legend.append({"label": "<i>legend</i> & co", "shape": "dot", "colour": '"><script>x</script>'})
    page = hostile.html()
    assert "&lt;i&gt;legend&lt;/i&gt; &amp; co" in page and "<i>legend" not in page
    assert '"><script>x' not in page  # a bad colour falls back to grey


def test_imdb_links_only_for_real_ids(hostile):
    data = _data(neighbourhood_view(hostile, "tt1000000", depth=2, max_nodes=300).html())
    kinds = {n["id"]: n for n in data["nodes"]}
    with_link = [n for n in data["nodes"] if "rgUrl" in n]
    assert with_link
    for node in data["nodes"]:
        node_id = node["id"]
        if re.fullmatch(r"tt\d{7,}", node_id):
            assert node["rgUrl"] == f"https://www.imdb.com/title/{node_id}/"
        elif re.fullmatch(r"nm\d{7,}", node_id):
            assert node["rgUrl"] == f"https://www.imdb.com/name/{node_id}/"
        else:
            assert "rgUrl" not in node, node_id
    assert any(i.startswith("name:") for i in kinds) and any(i.startswith("title:") for i in kinds)
    assert imdb_url("tt1334260\n") is None and imdb_url("tt12") is None and imdb_url(1334260) is None
    assert imdb_url("nm0000001") == "https://www.imdb.com/name/nm0000001/"


def test_tooltips_carry_year_rating_and_characters(hostile):
    view = neighbourhood_view(hostile, "tt1000005")
    nodes = {n["id"]: n for n in view.nodes}
    film = hostile.nodes["tt1000005"]
    lines = nodes["tt1000005"]["rgTip"]["lines"]
    assert f"Year: {film['year']}" in lines
    assert f"Rating: {film['rating']:.1f}/10 ({film['votes']:,} votes)" in lines
    assert any(" as Role 5-1" in line for line in lines)
    person = next(p for p in hostile.neighbors("tt1000005") if hostile.nodes[p]["kind"] == "person" and hostile.edges[p, "tt1000005"]["billing"] == 1)
    assert any(line.endswith(": actor as Role 5-1") for line in nodes[person]["rgTip"]["lines"])


# -- shapes, colours, legend, sizes ---------------------------------------------------------


def test_shape_and_colour_by_kind_with_legend(hostile):
    view = neighbourhood_view(hostile, "tt1000000", depth=1, genres=True)
    shapes = {n["rgKind"]: n["shape"] for n in view.nodes}
    assert shapes == {"film": "dot", "person": "diamond", "genre": "square"}
    film = next(n for n in view.nodes if n["rgKind"] == "film" and not n["id"].startswith("title:"))
    assert film["color"]["background"] == views.KIND_STYLES["film"]["colour"]
    labels = [entry["label"] for entry in view.legend]
    assert labels[:3] == ["film", "person", "genre"]
    assert "more like this" in labels and "credit (person \u2013 film)" in labels and "in genre" in labels
    page = view.html()
    assert page.count("<li><svg") == len(view.legend)


def test_colour_by_cluster(hostile):
    view = neighbourhood_view(hostile, "tt1000000", depth=2, colour_by="cluster")
    by_cluster = {}
    for node in view.nodes:
        if node["rgKind"] == "film" and not node["id"].startswith("title:"):
            by_cluster.setdefault(hostile.nodes[node["id"]]["cluster"], set()).add(node["color"]["background"])
    assert all(len(c) == 1 for c in by_cluster.values())
    assert len({next(iter(c)) for c in by_cluster.values()}) == len(by_cluster) > 1
    assert any(e["label"].startswith("cluster ") for e in view.legend)


def test_size_by_degree_and_rating(hostile):
    by_degree = neighbourhood_view(hostile, "tt1000000", depth=2, max_nodes=50)
    for node in by_degree.nodes:
        S = hostile.graph["similar"]
        degree = hostile.degree(node["id"]) + (S.degree(node["id"]) if node["id"] in S else 0)
        assert node["value"] == pytest.approx(math.sqrt(degree), abs=1e-3)
    by_rating = neighbourhood_view(hostile, "tt1000000", depth=2, max_nodes=50, size_by="rating")
    for node in by_rating.nodes:
        rating = hostile.nodes[node["id"]].get("rating")
        if node["rgKind"] == "film" and rating is not None:
            assert node["value"] == rating
    with pytest.raises(ValueError):
        neighbourhood_view(hostile, "tt1000000", size_by="votes")


def test_stub_films_are_hollow_and_dashed(hostile):
    view = more_like_this_view(hostile)
    stub = next(n for n in view.nodes if n["id"].startswith("title:"))
    assert stub["color"]["background"] == "#FFFFFF" and stub["shapeProperties"]["borderDashes"]
    assert any(e.get("dashed") for e in view.legend)


# -- cutting -----------------------------------------------------------------------------------


def test_neighbourhood_cut_says_how_many_were_left_out(hostile):
    full = neighbourhood_view(hostile, "tt1000000", depth=2, max_nodes=10_000)
    assert full.omitted == 0 and full.note is None and 'id="rg-note"' not in full.html()
    cut = neighbourhood_view(hostile, "tt1000000", depth=2, max_nodes=25)
    assert cut.shown == len(cut.nodes) == 25
    assert cut.omitted == full.shown - 25
    assert f"{cut.omitted:,} left out" in cut.note and "max_nodes=25" in cut.note
    assert f'data-omitted="{cut.omitted}"' in cut.html()
    # what is kept is the nearest: every ring-1 node before any ring-2 node, all linked
    kept = {n["id"] for n in cut.nodes}
    H = hostile.copy()
    H.add_edges_from(hostile.graph["similar"].edges)
    assert nx.is_connected(H.subgraph(kept))
    ring1 = set(H.neighbors("tt1000000"))
    assert ring1 <= kept or kept - {"tt1000000"} <= ring1


def test_neighbourhood_cut_keeps_people_and_films(hostile):
    view = neighbourhood_view(hostile, "tt1000000", depth=1, max_nodes=5)
    kinds = sorted(n["rgKind"] for n in view.nodes)
    assert kinds.count("person") >= 2 and kinds.count("film") >= 2


def test_depth_zero_and_bad_arguments(hostile):
    assert neighbourhood_view(hostile, "tt1000000", depth=0).shown == 1
    with pytest.raises(NameNotFoundError):
        neighbourhood_view(hostile, "tt9999999")
    with pytest.raises(ValueError):
        neighbourhood_view(hostile, "tt1000000", max_nodes=0)
    with pytest.raises(ValueError):
        neighbourhood_view(hostile, "tt1000000", depth=-1)
    with pytest.raises(TypeError):
        neighbourhood_view({"not": "a graph"}, "tt1000000")


def test_more_like_this_cut(hostile):
    full = more_like_this_view(hostile)
    cut = more_like_this_view(hostile, max_nodes=10)
    assert cut.shown == 10 and cut.omitted == full.shown - 10 and "left out" in cut.note


def test_cluster_view_cut_takes_from_every_cluster(hostile):
    view = cluster_view(hostile, max_nodes=8)
    clusters = {hostile.nodes[n["id"]]["cluster"] for n in view.nodes}
    assert clusters == {0, 1, 2, 3}
    assert view.omitted == 27 - 8 and "left out" in view.note


# -- the other views -----------------------------------------------------------------------------


def test_path_view(hostile):
    path = nx.shortest_path(hostile, "tt1000000", "tt1000003")
    view = path_view(hostile, path)
    assert [n["id"] for n in view.nodes] == path
    assert view.options["physics"]["enabled"] is False
    assert all("x" in n and "y" in n for n in view.nodes)
    assert len(view.edges) == len(path) - 1
    assert any(e.get("label", "").startswith("actor") for e in view.edges)
    assert view.title.startswith("Path from ") and "steps)" in view.title
    broken = path_view(hostile, ["tt1000000", "tt1000004"])
    if not hostile.has_edge("tt1000000", "tt1000004") and not hostile.graph["similar"].has_edge("tt1000000", "tt1000004") and not hostile.graph["similar"].has_edge("tt1000004", "tt1000000"):
        assert broken.edges[0]["rgKind"] == "missing"
    similar = path_view(hostile, ["tt1000000", "tt1000001"])
    assert similar.edges[0]["rgKind"] == "similar" and similar.edges[0]["label"] == "more like this"
    with pytest.raises(ValueError):
        path_view(hostile, [])
    with pytest.raises(NameNotFoundError):
        path_view(hostile, ["tt1000000", "nope"])


@pytest.mark.parametrize("shape", ["attribute", "film_to_cluster", "cluster_to_films", "sequence", "series"])
def test_cluster_view_accepts_every_assignment_shape(hostile, shape):
    films = [n for n, a in hostile.nodes(data=True) if a["kind"] == "film" and a["cluster"] is not None]
    mapping = {f: hostile.nodes[f]["cluster"] for f in films}
    clusters = {
        "attribute": None,
        "film_to_cluster": mapping,
        "cluster_to_films": {c: [f for f in films if mapping[f] == c] for c in set(mapping.values())},
        "sequence": [{f for f in films if mapping[f] == c} for c in sorted(set(mapping.values()))],
        "series": pd.Series(mapping),
    }[shape]
    view = cluster_view(hostile, clusters)
    assert view.shown == len(films)
    colours = {}
    for node in view.nodes:
        colours.setdefault(mapping[node["id"]], set()).add(node["color"]["background"])
    assert len(colours) == 4 and all(len(c) == 1 for c in colours.values())
    assert sum(1 for e in view.legend if e["label"].startswith("cluster ")) == 4
    assert all(e["rgKind"] == "similar" for e in view.edges)


def test_cluster_view_reports_unknown_ids(hostile):
    view = cluster_view(hostile, {"tt1000005": 1, "tt1000006": 1, "tt7777777": 2})
    assert view.shown == 2 and "1 id of the assignment not in the graph" in view.note


def test_more_like_this_from_a_bare_similar_graph():
    S = nx.DiGraph()
    S.add_edge("tt0000001", "tt0000002", rank=1)
    S.add_edge("tt0000002", "tt0000001", rank=3)
    S.add_edge("tt0000002", "title:unknown-film", rank=2)
    view = more_like_this_view(S)
    assert {n["id"] for n in view.nodes} == {"tt0000001", "tt0000002", "title:unknown-film"}
    arrows = sorted(e["arrows"] for e in view.edges)
    assert arrows == ["to", "to, from"]
    assert view.title == "More like this: 3 films, 2 links"


def test_more_like_this_from_film_edges_of_the_graph_itself():
    G = nx.DiGraph()
    G.add_node("tt0000001", kind="film", label="A")
    G.add_node("tt0000002", kind="film", label="B")
    G.add_node("nm0000001", kind="person", label="P")
    G.add_edge("tt0000001", "tt0000002")
    G.add_edge("nm0000001", "tt0000001", roles=["actor"])
    view = more_like_this_view(G)
    assert {n["id"] for n in view.nodes} == {"tt0000001", "tt0000002"}
    assert view.edges[0]["arrows"] == "to"


def test_mirror_like_object_with_nx(hostile):
    class FakeMirror:
        nx = hostile

    assert neighbourhood_view(FakeMirror(), "tt1000000").shown == neighbourhood_view(hostile, "tt1000000").shown


def test_odd_attribute_values_and_graph_types():
    G = nx.MultiGraph()
    G.add_node("tt0000001", kind="film", label=None, year=np.int64(1999), rating=float("nan"), votes=pd.NA, genres="Drama", stub=np.bool_(False), cluster=np.float64("nan"))
    G.add_node(7, kind="person", label="Seven", birth_year="n/a", professions=None)
    G.add_node("x", kind="company", label="Acme <Films>")
    G.add_edge(7, "tt0000001", roles=["actor"], characters=["A"], billing=np.int64(2))
    G.add_edge(7, "tt0000001", roles=["director"], characters=None, billing=None)
    G.add_edge("x", "tt0000001")
    view = neighbourhood_view(G, "tt0000001", size_by="rating", colour_by="cluster")
    page = view.html()
    data = _data(page)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["tt0000001"]["label"] == "tt0000001 (1999)"
    assert "Genres: Drama" in nodes["tt0000001"]["rgTip"]["lines"]
    assert nodes[7]["rgKind"] == "person" and nodes["x"]["rgKind"] == "other"
    assert any("actor, director as A" in line for line in nodes[7]["rgTip"]["lines"])
    assert "NaN" not in page.split('id="rg-data">')[1].split("</script>")[0]


# -- options -----------------------------------------------------------------------------------------


def test_physics_is_bounded_and_big_views_draw_lighter(graph_factory):
    G = graph_factory(n_films=400, cast=4, seed=2, hostile=False)
    big = neighbourhood_view(G, "tt1000000", depth=4, max_nodes=600)
    assert big.shown == 600
    small = neighbourhood_view(G, "tt1000000")
    for view in (big, small):
        physics = view.options["physics"]
        assert physics["stabilization"]["enabled"] is True
        assert physics["stabilization"]["iterations"] <= 300
        assert view.options["layout"]["improvedLayout"] is False
        assert all("x" in n and "y" in n for n in view.nodes), "every node starts from a computed position"
    assert big.options["physics"]["stabilization"]["iterations"] <= 100
    # a big view is laid out in Python (igraph) and drawn still: no physics in the browser
    assert big.options["physics"]["enabled"] is False and small.options["physics"]["enabled"] is True
    assert big.nodes == neighbourhood_view(G, "tt1000000", depth=4, max_nodes=600).nodes  # the same layout each time
    assert big.options["edges"]["smooth"] is False and big.options["interaction"]["hideEdgesOnDrag"] is True
    assert "stabilizationIterationsDone" in big.html() and "physics: {enabled: false}" in big.html()
    assert "loadingBar" not in big.html()


# -- notebooks ----------------------------------------------------------------------------------------


def test_show_inline_is_an_isolated_iframe(hostile):
    from IPython.display import HTML

    view = neighbourhood_view(hostile, "tt1000000")
    shown = show_inline(view, height=480)
    assert isinstance(shown, HTML)
    markup = shown.data
    match = re.fullmatch(r'<div class="reelgraph-view"><iframe srcdoc="([^"]*)" title="([^"]*)" sandbox="([^"]*)" style="([^"]*)"[^>]*></iframe></div>', markup)
    assert match, markup[:200]
    assert html.unescape(match.group(1)) == view.html()
    assert "allow-scripts" in match.group(3) and "allow-same-origin" not in match.group(3)
    assert "height: 480px" in match.group(4)
    assert "<script" not in markup and "<img" not in markup
    assert view._repr_html_() == markup.replace("480px", "650px")
    with pytest.raises(ValueError):
        show_inline(view, height="1px; background: url(x)")


def test_view_repr_and_type_checks(hostile):
    view = neighbourhood_view(hostile, "tt1000000", max_nodes=3)
    assert isinstance(view, View) and "left out" in repr(view)
    with pytest.raises(TypeError):
        write_html("<html>", "x.html")


def test_works_on_the_real_mirror():
    """The colleague's ``build_mirror(...).nx`` (on the seed page) draws as the hand-built graphs do."""
    mirror_module = pytest.importorskip("reelgraph.mirror")
    from reelgraph.loaders.imdb_text import read_imdb_text
    from reelgraph.loaders.sample import SAMPLE_DIR

    mirror = mirror_module.build_mirror(read_imdb_text(SAMPLE_DIR / "pages" / "never-let-me-go.imdb.txt"))
    view = neighbourhood_view(mirror, "tt1334260")
    nodes = {n["id"]: n for n in view.nodes}
    assert nodes["tt1334260"]["rgUrl"] == "https://www.imdb.com/title/tt1334260/"
    assert any(n["rgKind"] == "person" for n in view.nodes)
    assert any(e["rgKind"] == "similar" for e in view.edges)
    assert more_like_this_view(mirror).shown >= 2
