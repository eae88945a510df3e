"""reelgraph as a NetworkX backend (reelgraph.nx_backend): NetworkX's answers, from the arrays.

Every supported call is compared with plain NetworkX on the same graph:
random graphs (some disconnected, some with many equally short paths, tuple
node keys, self-loops) through ``backend="reelgraph"``, and the bundled
sample through the mirror's own graph object, with no keyword.
"""

import random
import warnings

import networkx as nx
import pytest

import reelgraph as rg
from reelgraph.nx_backend import (
    BACKEND_NAME,
    ON_ARRAYS,
    NetworkXFallbackWarning,
    ReelgraphGraph,
    backend_interface,
    can_run,
    convert_to_nx,
    should_run,
)

CAREY, KEIRA, NLMG = "name:carey-mulligan", "name:keira-knightley", "tt1334260"


def random_graphs():
    """Graphs whose searches meet ties and dead ends: sparse (disconnected), dense, grids, lattices of tuples."""
    graphs = [nx.gnp_random_graph(n, p, seed=seed) for n, p, seed in ((40, 0.04, 1), (60, 0.05, 2), (80, 0.2, 3), (30, 0.5, 4))]
    graphs.append(nx.grid_2d_graph(6, 5))  # tuple keys, many shortest paths
    graphs.append(nx.complete_bipartite_graph(4, 5))  # every path of length 2 ties
    barbell = nx.barbell_graph(5, 3)
    barbell.add_edge(0, 0)  # a self-loop
    barbell.add_nodes_from(["alone", "also alone"])
    graphs.append(barbell)
    rng = random.Random(7)
    shuffled = nx.Graph()  # edges inserted in random order: adjacency order is not sorted
    edges = list(nx.gnm_random_graph(50, 90, seed=5).edges())
    rng.shuffle(edges)
    shuffled.add_edges_from((b, a) if rng.random() < 0.5 else (a, b) for a, b in edges)
    graphs.append(shuffled)
    return graphs


def pairs(nodes, k=60, seed=0):
    rng = random.Random(seed)
    nodes = list(nodes)
    return [(rng.choice(nodes), rng.choice(nodes)) for _ in range(k)] + [(nodes[0], nodes[0])]


def outcome(f, *args, **kwargs):
    """What a call gives: its value (generators listed), or the exception's type and message."""
    try:
        value = f(*args, **kwargs)
        return list(value) if not isinstance(value, (dict, list, set, int, float)) else value
    except (nx.NetworkXException, KeyError) as exc:
        return type(exc), str(exc)


@pytest.fixture(scope="module")
def sample():
    mirror = rg.build_mirror(rg.read_sources(rg.SAMPLE_SOURCES))
    return mirror, mirror.as_networkx_backend(), mirror.nx


# -- registration ---------------------------------------------------------------------


def test_the_entry_point_is_discoverable():
    assert "reelgraph" in nx.utils.backends.backends
    assert nx.utils.backends.backends[BACKEND_NAME].load() is backend_interface
    assert ReelgraphGraph.__networkx_backend__ == "reelgraph"


def test_the_supported_functions():
    assert sorted(ON_ARRAYS) == [
        "all_shortest_paths", "bidirectional_shortest_path", "closeness_centrality", "connected_components",
        "has_path", "node_connected_component", "number_connected_components", "shortest_path",
        "shortest_path_length", "single_source_shortest_path", "single_source_shortest_path_length",
    ]


# -- the same answers as NetworkX --------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Note. conversions to backend graphs are saved to cache")  # NetworkX's, on reuse
@pytest.mark.parametrize("index", range(len(random_graphs())))
def test_random_graphs_give_networkx_answers(index):
    H = random_graphs()[index]
    G = ReelgraphGraph.from_networkx(H)
    for graph, kw in ((G, {}), (H, {"backend": "reelgraph"})):
        for s, t in pairs(H, seed=index):
            for f in (nx.shortest_path, nx.bidirectional_shortest_path, nx.shortest_path_length, nx.has_path):
                assert outcome(f, graph, s, t, **kw) == outcome(f, H, s, t), (f.__name__, s, t)
            assert outcome(nx.all_shortest_paths, graph, s, t, **kw) == outcome(nx.all_shortest_paths, H, s, t), (s, t)
        for s in list(H)[:15]:
            for f in (nx.single_source_shortest_path_length, nx.single_source_shortest_path, nx.shortest_path):
                mine, theirs = f(graph, s, **kw), f(H, s)
                assert list(mine.items()) == list(theirs.items())  # same order too
            assert list(nx.single_source_shortest_path_length(graph, s, cutoff=2, **kw).items()) == \
                list(nx.single_source_shortest_path_length(H, s, cutoff=2).items())
            assert nx.shortest_path(graph, target=s, **kw) == nx.shortest_path(H, target=s)
            assert nx.node_connected_component(graph, s, **kw) == nx.node_connected_component(H, s)
            assert nx.closeness_centrality(graph, s, **kw) == nx.closeness_centrality(H, s)
        assert list(nx.connected_components(graph, **kw)) == list(nx.connected_components(H))
        assert nx.number_connected_components(graph, **kw) == nx.number_connected_components(H)
        assert nx.closeness_centrality(graph, **kw) == nx.closeness_centrality(H)
        assert nx.closeness_centrality(graph, wf_improved=False, **kw) == nx.closeness_centrality(H, wf_improved=False)


def test_ties_are_broken_as_networkx_breaks_them():
    """On a grid every corner-to-corner path is shortest: the backend picks NetworkX's, and lists all in its order."""
    H = nx.grid_2d_graph(4, 4)
    G = ReelgraphGraph.from_networkx(H)
    assert nx.shortest_path(G, (0, 0), (3, 3)) == nx.shortest_path(H, (0, 0), (3, 3)) == \
        [(0, 0), (0, 1), (0, 2), (0, 3), (1, 3), (2, 3), (3, 3)]
    every = list(nx.all_shortest_paths(G, (0, 0), (3, 3)))
    assert every == list(nx.all_shortest_paths(H, (0, 0), (3, 3)))
    assert len(every) == 20 and every[0] == [(0, 0), (1, 0), (2, 0), (3, 0), (3, 1), (3, 2), (3, 3)]


def test_generation_stamps_wrap_around_cleanly():
    """Searches mark nodes with a stamp per query; when the stamps run out the marks are cleared, answers unchanged."""
    import reelgraph.nx_backend as backend

    H = nx.grid_2d_graph(5, 5)
    G = ReelgraphGraph.from_networkx(H)
    expected = nx.shortest_path(H, (0, 0), (4, 4))
    assert nx.shortest_path(G, (0, 0), (4, 4)) == expected
    G._gen = backend._LAST_STAMP - 2
    for _ in range(4):
        assert nx.shortest_path(G, (0, 0), (4, 4)) == expected
        assert nx.closeness_centrality(G, (2, 2)) == nx.closeness_centrality(H, (2, 2))
    assert G._gen < 10


def test_the_sample_through_the_mirrors_own_graph(sample):
    mirror, G, N = sample
    assert len(G) == G.number_of_nodes() == N.number_of_nodes() == 311
    assert G.number_of_edges() == N.number_of_edges()
    assert list(G) == list(N)
    assert nx.shortest_path(G, CAREY, KEIRA) == [CAREY, NLMG, KEIRA]
    ids = list(N)
    for s, t in pairs(ids, k=400, seed=1):
        for f in (nx.shortest_path, nx.shortest_path_length, nx.all_shortest_paths):
            assert outcome(f, G, s, t) == outcome(f, N, s, t), (f.__name__, s, t)
    for s in ids[::25]:
        assert list(nx.single_source_shortest_path_length(G, s).items()) == list(nx.single_source_shortest_path_length(N, s).items())
        assert nx.closeness_centrality(G, s) == nx.closeness_centrality(N, s)
        assert nx.node_connected_component(G, s) == nx.node_connected_component(N, s)
    assert list(nx.connected_components(G)) == list(nx.connected_components(N))
    assert nx.number_connected_components(G) == nx.number_connected_components(N) == 2
    assert nx.closeness_centrality(G) == nx.closeness_centrality(N)


def test_a_mirror_opened_from_a_store(tmp_path, sample):
    """The memory-mapped mirror (persisted graph index) gives the same graph and answers."""
    _, _, N = sample
    rg.load(rg.SAMPLE_SOURCES, store=tmp_path / "store")
    G = rg.open_mirror(tmp_path / "store").as_networkx_backend()
    assert list(G) == list(N)
    for s, t in pairs(list(N), k=100, seed=2):
        assert outcome(nx.shortest_path, G, s, t) == outcome(nx.shortest_path, N, s, t)
    assert nx.number_connected_components(G) == 2


# -- errors ---------------------------------------------------------------------------------


def test_unknown_nodes_raise_node_not_found(sample):
    _, G, _ = sample
    with pytest.raises(nx.NodeNotFound, match=r"^Source nm0000000 is not in G$"):
        nx.shortest_path(G, "nm0000000", CAREY)
    with pytest.raises(nx.NodeNotFound, match=r"^Target tt0000000 is not in G$"):
        nx.shortest_path_length(G, CAREY, "tt0000000")
    with pytest.raises(nx.NodeNotFound, match=r"^Source nm0000000 is not in G$"):
        nx.single_source_shortest_path_length(G, "nm0000000")
    with pytest.raises(nx.NodeNotFound, match=r"^Source nm0000000 not in G$"):
        nx.all_shortest_paths(G, "nm0000000", CAREY)  # at the call, as NetworkX
    with pytest.raises(nx.NodeNotFound, match=r"^Source \['a list'\] is not in G$"):
        nx.closeness_centrality(G, ["a list"])
    with pytest.raises(KeyError, match=r"^'nm0000000'$"):
        nx.node_connected_component(G, "nm0000000")


def test_unreachable_targets_raise_no_path():
    H = nx.Graph([(1, 2), (3, 4)])
    G = ReelgraphGraph.from_networkx(H)
    with pytest.raises(nx.NetworkXNoPath, match=r"^No path between 1 and 4\.$"):
        nx.shortest_path(G, 1, 4)
    with pytest.raises(nx.NetworkXNoPath, match=r"^No path between 1 and 4\.$"):
        nx.shortest_path_length(G, 1, 4)
    with pytest.raises(nx.NetworkXNoPath, match=r"^No path between 1 and 3\.$"):
        nx.bidirectional_shortest_path(H, 1, 3, backend="reelgraph")
    paths = nx.all_shortest_paths(G, 1, 4)  # raises when advanced, as NetworkX's generator
    with pytest.raises(nx.NetworkXNoPath, match=r"^Target 4 cannot be reached from given sources$"):
        next(paths)
    assert nx.has_path(G, 1, 4) is False and nx.has_path(G, 1, 2) is True
    with pytest.raises(ValueError, match=r"^method not supported: bfs$"):
        nx.shortest_path(G, 1, 2, method="bfs")


# -- what falls back, and why ---------------------------------------------------------------


def test_unsupported_calls_on_the_mirrors_graph_run_in_networkx_with_the_reason(sample):
    _, G, N = sample
    with pytest.warns(NetworkXFallbackWarning, match=r"louvain_communities runs in NetworkX .* film similarity graph"):
        communities = nx.community.louvain_communities(G, seed=3)
    assert communities == nx.community.louvain_communities(N, seed=3)
    # degree_centrality, not pagerank: pagerank needs scipy, which reelgraph does not depend on
    with pytest.warns(NetworkXFallbackWarning, match=r"degree_centrality runs in NetworkX .* do not implement degree_centrality"):
        assert nx.degree_centrality(G) == nx.degree_centrality(N)
    with pytest.warns(NetworkXFallbackWarning, match=r"weighted paths \(weight='billing'\)"):
        assert nx.shortest_path(G, CAREY, KEIRA, weight="billing") == nx.shortest_path(N, CAREY, KEIRA, weight="billing")
    with pytest.warns(NetworkXFallbackWarning, match=r"all pairs at once"):
        assert dict(nx.shortest_path_length(G)) == dict(nx.shortest_path_length(N))
    assert convert_to_nx(G) is N
    assert G.nodes[NLMG]["label"] == "Never Let Me Go"  # any other Graph attribute: the NetworkX graph's


def test_supported_calls_do_not_warn(sample):
    _, G, _ = sample
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nx.shortest_path(G, CAREY, KEIRA)
        list(nx.connected_components(G))


def test_calls_that_change_their_input_are_refused(sample):
    _, G, _ = sample
    assert can_run("relabel_nodes", (G, {NLMG: "x"}), {"copy": False}) == \
        "relabel_nodes changes its input graph; run it on the NetworkX graph (G.to_networkx())"
    with pytest.raises(NotImplementedError, match=r"does not implement 'relabel_nodes' with these arguments"):
        nx.relabel_nodes(G, {NLMG: "x"}, copy=False)


def test_can_run_and_should_run_give_reasons():
    H = nx.path_graph(3)
    assert can_run("shortest_path", (H, 0, 2), {}) is True
    assert can_run("shortest_path", (H, 0, 2), {"weight": "w"}) == "weighted paths (weight='w'); reelgraph's arrays are unweighted"
    assert can_run("shortest_path", (nx.DiGraph(H), 0, 2), {}) == "the graph is directed; reelgraph's arrays hold undirected graphs"
    assert can_run("shortest_path", (nx.MultiGraph(H), 0, 2), {}) == "the graph is a multigraph; reelgraph's arrays hold simple graphs"
    assert can_run("closeness_centrality", (H,), {"distance": "d"}) == \
        "weighted distances (distance='d'); reelgraph's arrays are unweighted"
    assert can_run("pagerank", (H,), {}) == "reelgraph's arrays do not implement pagerank"
    assert can_run("louvain_communities", (H,), {}).startswith("the mirror's clusters are Louvain communities of the film similarity graph")
    assert should_run("shortest_path", (H, 0, 2), {}) == \
        "one query costs less in NetworkX than converting the graph (pass the mirror's graph instead)"
    assert should_run("connected_components", (H,), {}) is True
    with pytest.raises(NotImplementedError, match=r"'pagerank' is not implemented by 'reelgraph' backend for the given arguments"):
        nx.pagerank(H, backend="reelgraph")
