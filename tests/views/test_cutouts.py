"""Views drawn from a cut-out of the mirror (Mirror.to_networkx(nodes=...)) equal those drawn from the whole graph.

``reelgraph show`` cuts out the nodes a view can reach instead of building the
NetworkX graph of the whole store; these tests hold it to giving the very same
view, node for node and edge for edge.
"""

import pytest

from reelgraph import views
from reelgraph.mirror import build_mirror
from reelgraph.model import FilmGraph


@pytest.fixture(scope="module")
def mirror(sample_graph):
    films = sample_graph.films.copy()
    films["cluster"] = films.index.to_series().mod(3).astype("Int64")  # clusters for the cluster view
    return build_mirror(FilmGraph(films, sample_graph.people, sample_graph.credits, sample_graph.similar))


def _same(a: views.View, b: views.View):
    assert (a.title, a.note, a.shown, a.omitted, a.legend) == (b.title, b.note, b.shown, b.omitted, b.legend)
    assert a.nodes == b.nodes
    assert a.edges == b.edges
    assert a.options == b.options


def test_degrees_are_the_whole_graphs(mirror):
    G = mirror.nx
    S = G.graph["similar"]
    degrees = mirror.degrees()
    assert [int(d) for d in degrees] == [G.degree(n) + (S.degree(n) if n in S else 0) for n in mirror.ids]


@pytest.mark.parametrize("depth", [0, 1, 2])
def test_neighbourhood_is_the_ball_the_view_explores(mirror, depth):
    import networkx as nx

    G = mirror.nx
    both = nx.compose(G, G.graph["similar"].to_undirected())
    for centre in list(mirror.ids[mirror.n_people:][:10]) + list(mirror.ids[:10]):
        expected = set(nx.single_source_shortest_path_length(both, centre, cutoff=depth))
        assert set(mirror.neighbourhood([centre], depth)) == expected


@pytest.mark.parametrize("depth,max_nodes", [(1, 60), (2, 60), (2, 400)])
def test_neighbourhood_view_from_a_cutout_equals_the_whole(mirror, depth, max_nodes):
    centres = list(mirror.ids[mirror.n_people:]) + list(mirror.ids[:: max(1, mirror.n_people // 25)][:25])
    for centre in centres:
        whole = views.neighbourhood_view(mirror, centre, depth=depth, max_nodes=max_nodes)
        cut = mirror.to_networkx(nodes=mirror.neighbourhood([centre], depth))
        _same(views.neighbourhood_view(cut, centre, depth=depth, max_nodes=max_nodes), whole)


def _path(kind, mirror, a, b) -> list:
    """The path between ``a`` and ``b``, or [] when there is none (nor can be: a writer in no cast)."""
    from reelgraph.errors import ReelgraphError

    try:
        return kind(mirror, a, b).path
    except ReelgraphError:
        return []


def test_path_view_from_a_cutout_equals_the_whole(mirror):
    from reelgraph.analysis.paths import costar_path, film_path

    paths = []
    # From Carey Mulligan to the person farthest away, from Never Let Me Go to the film farthest away.
    for end, kind, others in (("name:carey-mulligan", costar_path, mirror.ids[: mirror.n_people]),
                              ("tt1334260", film_path, mirror.ids[mirror.n_people:])):
        found = [_path(kind, mirror, end, other) for other in others if other != end]
        paths.append([step["id"] for step in max(found, key=len)])
    assert [len(path) for path in paths] >= [5, 5]
    for path in paths:
        _same(views.path_view(mirror.to_networkx(nodes=path), path), views.path_view(mirror, path))


def test_film_views_from_the_films_alone_equal_the_whole(mirror):
    films = mirror.to_networkx(nodes=mirror.film_ids)
    _same(views.cluster_view(films, max_nodes=2000), views.cluster_view(mirror, max_nodes=2000))
    _same(views.more_like_this_view(films, max_nodes=2000), views.more_like_this_view(mirror, max_nodes=2000))
    centre = mirror.ids[mirror.n_people]
    _same(views.more_like_this_view(films, centre), views.more_like_this_view(mirror, centre))


def test_unknown_ids_are_named(mirror):
    with pytest.raises(KeyError, match="not in the mirror: tt404"):
        mirror.to_networkx(nodes=["tt404"])
    with pytest.raises(KeyError, match="not in the mirror: nm404"):
        mirror.neighbourhood(["nm404"], 1)
