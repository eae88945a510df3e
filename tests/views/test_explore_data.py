"""What the views hand their page for exploring: cluster colours and names, filter facts, stub notes."""

from __future__ import annotations

import math

import networkx as nx
import pytest

import reelgraph as rg
from reelgraph.views import CLUSTER_COLOURS, KIND_STYLES, cluster_view, more_like_this_view, neighbourhood_view, path_view
from reelgraph.views.page import json_for_script
from reelgraph.views.style import NO_CLUSTER_COLOUR, cluster_colour


def _rgb(code):
    return tuple(int(code[i : i + 2], 16) for i in (1, 3, 5))


def _distance(a, b):
    """'Redmean' colour distance: a cheap stand-in for perceived difference (0 to about 765)."""
    (r1, g1, b1), (r2, g2, b2) = _rgb(a), _rgb(b)
    r = (r1 + r2) / 2
    return math.sqrt((2 + r / 256) * (r1 - r2) ** 2 + 4 * (g1 - g2) ** 2 + (2 + (255 - r) / 256) * (b1 - b2) ** 2)


@pytest.fixture
def sample():
    return rg.build_mirror(rg.read_sources(rg.SAMPLE_SOURCES))


def test_cluster_palette_keeps_away_from_the_node_kinds_colours():
    kinds = [style["colour"] for style in KIND_STYLES.values()] + [NO_CLUSTER_COLOUR]
    assert min(_distance(c, k) for c in CLUSTER_COLOURS for k in kinds) > 75
    # the first clusters (the biggest: ids are numbered by size) apart from one another
    first = CLUSTER_COLOURS[:6]
    assert min(_distance(a, b) for a in first for b in first if a != b) > 90
    assert len(set(CLUSTER_COLOURS)) == len(CLUSTER_COLOURS)


def test_a_clusters_colour_depends_on_its_id_only(graph_factory):
    G = graph_factory(n_films=40, cast=3, seed=2, clusters=4)
    whole = cluster_view(G)
    # a view where the clusters rank differently: only the films of clusters 2 and 3, cluster 3 the bigger
    films = [n for n, a in G.nodes(data=True) if a["kind"] == "film" and a["cluster"] in (2, 3)]
    part = cluster_view(G, {f: G.nodes[f]["cluster"] for f in films if G.nodes[f]["cluster"] == 3 or f < "tt1000010"})
    links = more_like_this_view(G)
    colour_of = {}
    for view in (whole, part, links):
        for node in view.nodes:
            cluster = G.nodes[node["id"]].get("cluster")
            if cluster is not None and not node.get("rgStub"):
                colour_of.setdefault(cluster, set()).add(node["color"]["background"])
    assert {c: colours for c, colours in colour_of.items()} == {c: {cluster_colour(c)} for c in (0, 1, 2, 3)}
    assert [e["cluster"] for e in part.legend if "cluster" in e][0] == 3  # the biggest of that view first
    assert cluster_colour(3) == CLUSTER_COLOURS[3] and cluster_colour("Noir") == cluster_colour("Noir")


def test_the_legend_and_tooltips_use_the_names_reelgraph_clusters_prints(sample):
    clusters = rg.cluster_films(rg.similarity_graph(sample), seed=0)
    view = cluster_view(sample, clusters.membership, cluster_names=clusters)
    table = clusters.clusters
    expected = [f"{row.name} ({row.size} films)" for row in table.itertuples()]
    assert [e["label"] for e in view.legend if "cluster" in e] == expected
    assert [c["name"] for c in view.clusters] == list(table["name"])
    seed = next(n for n in view.nodes if n["id"] == "tt1334260")
    cluster = int(clusters.membership["tt1334260"])
    assert f"Cluster {cluster}: {table.loc[table['cluster'] == cluster, 'name'].iloc[0]}" in seed["rgTip"]["lines"]
    assert seed["rgCluster"] == str(cluster)
    # rg.view takes them too, in every shape: the ClusterResult, its table, a mapping
    for names in (clusters, table, dict(zip(table["cluster"], table["name"]))):
        drawn = rg.view(sample, "Never Let Me Go", cluster_names=names)
        assert {c["name"] for c in drawn.clusters} <= set(table["name"])
    # without names a cluster is "cluster <id>"
    plain = cluster_view(sample, clusters.membership)
    assert [e["label"].split(" (")[0] for e in plain.legend if "cluster" in e] == [f"cluster {c}" for c in table["cluster"]]


def test_bad_cluster_names_are_refused_in_one_line(sample):
    with pytest.raises(TypeError, match="cluster_names must be a mapping"):
        cluster_view(sample, cluster_names=["Drama"])
    import pandas as pd

    with pytest.raises(ValueError, match="'cluster' and 'name' columns"):
        cluster_view(sample, cluster_names=pd.DataFrame({"id": [0], "title": ["x"]}))


def test_nodes_carry_what_the_filters_read(graph_factory):
    G = graph_factory(n_films=30, cast=5, seed=1)
    view = neighbourhood_view(G, "tt1000000", depth=2, max_nodes=60)
    for node in view.nodes:
        attrs = G.nodes[node["id"]]
        if node["rgKind"] == "film":
            assert node.get("rgYear") == attrs["year"]
            assert node.get("rgCluster") == (None if attrs["cluster"] is None else str(attrs["cluster"]))
            assert node.get("rgStub", False) == attrs["stub"]
        else:
            in_view = {e["to"] if e["from"] == node["id"] else e["from"] for e in view.edges if node["id"] in (e["from"], e["to"])}
            roles = []
            for film in sorted(in_view, key=[n["id"] for n in view.nodes].index):
                for role in G.edges[node["id"], film].get("roles", []) if G.has_edge(node["id"], film) else []:
                    if role not in roles:
                        roles.append(role)
            assert sorted(node.get("rgRoles", [])) == sorted(roles)


def test_a_stub_film_says_which_page_listed_it(sample):
    view = rg.view(sample, "Never Let Me Go")
    stub = next(n for n in view.nodes if n.get("rgStub"))
    assert "Listed by title only on Never Let Me Go (2010)\u2019s page (\u201cMore like this\u201d)" in stub["rgTip"]["lines"]
    # listed by several films: named, then counted
    S = nx.DiGraph()
    G = nx.Graph(similar=S)
    G.add_node("title:x", kind="film", label="X", stub=True)
    for i in range(5):
        G.add_node(f"tt000000{i}", kind="film", label=f"F{i}", year=2000 + i)
        S.add_edge(f"tt000000{i}", "title:x", rank=1)
    tip = more_like_this_view(G).nodes
    line = next(n for n in tip if n["id"] == "title:x")["rgTip"]["lines"][-2]
    assert line == "Listed by title only on the pages of F0 (2000), F1 (2001), F2 (2002) and 2 more (\u201cMore like this\u201d)"


def test_a_hostile_cluster_name_stays_data(graph_factory):
    G = graph_factory(n_films=12, cast=2, seed=1)
    hostile = '</script><img src=x onerror="window.__xss=9">'
    view = cluster_view(G, cluster_names={0: hostile})
    page = view.html()
    assert hostile not in page
    assert json_for_script(hostile)[1:-1] in page  # in the data block, escaped for it
    assert "&lt;/script&gt;&lt;img src=x onerror=&#34;window.__xss=9&#34;&gt;" in page  # in the legend, escaped for HTML


def test_the_path_view_takes_cluster_names_too(graph_factory):
    G = graph_factory(n_films=12, cast=2, seed=1)
    chain = nx.shortest_path(G, "tt1000000", "tt1000003")
    view = path_view(G, chain, cluster_names={0: "Zero"})
    first = next(n for n in view.nodes if n["id"] == "tt1000000")
    assert "Cluster 0: Zero" in first["rgTip"]["lines"] and first["rgCluster"] == "0"
