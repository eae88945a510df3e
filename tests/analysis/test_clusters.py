"""Louvain clusters of the similarity graph: deterministic ids, modularity, names."""

import itertools
import json

import networkx as nx
import numpy as np
import pytest

from reelgraph.analysis.clusters import cluster_films, modularity
from reelgraph.mirror import build_mirror
from reelgraph.model import MORE_LIKE_THIS, FilmGraph
from reelgraph.analysis.similarity import similarity_graph

ROMANCE = ["tt0000001", "tt0000002", "tt0000003", "tt0000004"]
SPACE = ["tt0000005", "tt0000006", "tt0000007"]
VOTES = {"tt0000001": 100, "tt0000002": 5000, "tt0000003": 300, "tt0000004": 10, "tt0000005": 50, "tt0000006": 60, "tt0000007": 7000}


def two_groups() -> FilmGraph:
    films = [{"id": f, "title": f"Romance {i}", "year": 2000 + i, "genres": ["Romance", "Drama"], "keywords": ["jane austen"], "votes": VOTES[f]} for i, f in enumerate(ROMANCE, 1)]
    films += [{"id": f, "title": f"Space {i}", "year": 2010 + i, "genres": ["Sci-Fi", "Action"], "keywords": ["space"], "votes": VOTES[f]} for i, f in enumerate(SPACE, 1)]
    films.append({"id": "tt0000008", "title": "Alone", "genres": ["Western"]})
    similar = [{"film_id": a, "similar_id": b, "rank": 1, "source": MORE_LIKE_THIS} for group in (ROMANCE, SPACE) for a, b in itertools.permutations(group, 2)]
    # One person links the two groups, weakly.
    credits = [{"person_id": "nm0000001", "film_id": f, "role": "actor"} for f in ("tt0000004", "tt0000005")]
    return FilmGraph.from_records(films=films, credits=credits, similar=similar)


@pytest.fixture
def sim():
    return similarity_graph(build_mirror(two_groups()))


def test_clusters_numbered_by_size_with_na_for_loners(sim):
    r = cluster_films(sim, seed=0)
    assert r.method == "networkx"
    assert r.membership.name == "cluster" and str(r.membership.dtype) == "Int64"
    assert r.membership.dropna().to_dict() == {**dict.fromkeys(ROMANCE, 0), **dict.fromkeys(SPACE, 1)}
    assert r.membership.index.tolist()[-1] == "tt0000008" and r.membership.isna().tolist()[-1]
    assert list(r.clusters["size"]) == [4, 3]


def test_modularity_matches_networkx(sim):
    r = cluster_films(sim, seed=0)
    G = sim.to_networkx()
    expected = nx.community.modularity(G, [set(ROMANCE), set(SPACE)], weight="weight")
    assert r.modularity == pytest.approx(expected, abs=1e-12)
    # By hand: 9 edges of 0.4 + 0.15 + 0.15 = 0.7 inside the groups, one of
    # 0.3 * (1 - exp(-1/ln 3)) = 0.179273 between them; m = 6.479273, so
    # Q = 6.3/m - (8.579273/2m)^2 - (4.379273/2m)^2 = 0.419808.
    assert round(r.modularity, 6) == 0.419808


def test_cluster_names_centre_and_top_films(sim):
    table = cluster_films(sim, seed=0).clusters
    first, second = table.to_dict("records")
    assert first["top_genres"] == ["Romance", "Drama"] and first["top_keywords"] == ["jane austen"]
    assert first["central_film"] == "tt0000002"  # every film equally central: most votes wins
    assert first["name"] == "Romance / Drama: jane austen (around Romance 2, 2002)"
    assert first["top_films"] == ["tt0000002", "tt0000003", "tt0000001", "tt0000004"]
    assert second["name"] == "Sci-Fi / Action: space (around Space 3, 2013)"
    assert second["top_films"] == ["tt0000007", "tt0000006", "tt0000005"]


def test_deterministic_for_a_seed(sim):
    a, b = cluster_films(sim, seed=7), cluster_films(sim, seed=7)
    assert a.membership.equals(b.membership) and a.modularity == b.modularity
    assert cluster_films(sim, seed=1).membership.equals(a.membership)  # an easy graph: any seed finds it


def test_resolution(sim):
    merged = cluster_films(sim, seed=0, resolution=0.01)
    assert merged.membership.dropna().unique().tolist() == [0]


def test_igraph_backend_agrees(sim):
    pytest.importorskip("igraph")
    a = cluster_films(sim, seed=0, method="networkx")
    b = cluster_films(sim, seed=0, method="igraph")
    assert b.method == "igraph" and b.membership.equals(a.membership)
    assert b.modularity == pytest.approx(a.modularity)


def test_bad_method(sim):
    with pytest.raises(ValueError, match="unknown method"):
        cluster_films(sim, method="leiden")


def test_empty_and_from_tables():
    r = cluster_films(FilmGraph.from_records(films=[{"id": "tt0000001", "title": "A"}]))
    assert r.membership.isna().all() and r.clusters.empty and r.modularity == 0.0
    r = cluster_films(two_groups())  # tables are turned into a similarity graph first
    assert r.membership["tt0000007"] == 1


def test_modularity_function_against_networkx():
    rng = np.random.default_rng(3)
    u, v = rng.integers(0, 30, 80), rng.integers(0, 30, 80)
    keep = u != v
    u, v = u[keep], v[keep]
    pairs = {tuple(sorted(p)) for p in zip(u.tolist(), v.tolist())}
    u = np.array([p[0] for p in sorted(pairs)])
    v = np.array([p[1] for p in sorted(pairs)])
    w = rng.random(len(u))
    labels = rng.integers(0, 4, 30)
    G = nx.Graph()
    G.add_nodes_from(range(30))
    G.add_weighted_edges_from(zip(u.tolist(), v.tolist(), w.tolist()))
    parts = [set(np.flatnonzero(labels == c).tolist()) for c in range(4)]
    for gamma in (1.0, 0.5):
        assert modularity(30, u, v, w, labels, gamma) == pytest.approx(nx.community.modularity(G, parts, weight="weight", resolution=gamma))


def test_top_titles_follow_top_films(sim):
    table = cluster_films(sim, seed=0).clusters
    assert table["top_titles"].tolist() == [["Romance 2", "Romance 3", "Romance 1", "Romance 4"], ["Space 3", "Space 2", "Space 1"]]


def test_modularity_at_the_standard_resolution_beside_the_one_maximised(sim):
    G = sim.to_networkx()
    standard = cluster_films(sim, seed=0)
    assert standard.standard_modularity == standard.modularity == round(standard.modularity, 12)
    # Resolution 0.1: still the two groups here, scored higher at 0.1, the same at 1.
    low = cluster_films(sim, seed=0, resolution=0.1)
    assert low.membership.dropna().to_dict() == standard.membership.dropna().to_dict()
    assert low.standard_modularity == standard.modularity
    assert low.modularity == pytest.approx(nx.community.modularity(G, [set(ROMANCE), set(SPACE)], weight="weight", resolution=0.1), abs=1e-12)
    assert low.modularity > 0.9 > standard.modularity
    assert low.to_dict()["standard_modularity"] == standard.modularity


def test_one_cluster_is_modularity_zero_at_resolution_one():
    chain = [("tt0000001", "tt0000002"), ("tt0000002", "tt0000003"), ("tt0000003", "tt0000004")]
    g = FilmGraph.from_records(films=[{"id": f"tt000000{i}", "title": t} for i, t in enumerate("ABCD", 1)],
                               similar=[{"film_id": a, "similar_id": b, "rank": 1, "source": MORE_LIKE_THIS} for a, b in chain])
    one = cluster_films(g, resolution=0.5)
    assert one.clusters["size"].tolist() == [4]
    assert (one.modularity, one.standard_modularity) == (0.5, 0.0)
    assert str(one.standard_modularity) == "0.0"  # not -2.2e-16, nor -0.0


# -- checks from outside the scores: "More like this" inside clusters, genre purity; min_shared -------------------------


def test_two_groups_keep_every_link_inside_and_are_pure(sim):
    result = cluster_films(sim, seed=0)
    # Every link is inside its group; Alone (no edge) is in no cluster and counts in neither figure.
    assert (result.mlt_inside, result.genre_purity, result.min_shared) == (1.0, 1.0, 1)
    assert {k: result.to_dict()[k] for k in ("mlt_inside", "genre_purity", "min_shared")} == {
        "mlt_inside": 1.0, "genre_purity": 1.0, "min_shared": 1}


def test_mlt_inside_and_genre_purity_by_hand():
    from reelgraph.analysis.clusters import genre_purity, mlt_inside

    m = build_mirror(two_groups())
    # Romance 1-3 together, Romance 4 with the Space films, Alone unclustered.
    labels = np.array([0, 0, 0, 1, 1, 1, 1, -1])
    # 6 + 3 = 9 linked pairs; inside: Romance 1-3 (3) and Space (3).
    assert mlt_inside(m, labels) == round(6 / 9, 6)
    sets = similarity_graph(m)._ctx.genres
    # Cluster 1 holds one romance (Romance, Drama) and three space films (Sci-Fi, Action): 3 of 4 carry Sci-Fi.
    assert genre_purity(sets, labels) == round(6 / 7, 6)
    assert mlt_inside(m, np.full(8, -1)) == 0.0 and genre_purity(sets, np.full(8, -1)) is None
    assert mlt_inside(build_mirror(FilmGraph.from_records(films=[{"id": "tt0000001", "title": "A"}])), np.array([0])) is None


SAMPLE_BY_MIN_SHARED = {
    # min_shared: (clusters, films clustered, modularity at 1, "More like this" inside, genre purity)
    1: (4, 30, 0.247, 0.25, 0.862069),
    2: (5, 21, 0.392, 0.5, 0.9),
    3: (2, 14, 0.283, 0.833333, 0.923077),
}


@pytest.mark.parametrize("min_shared", sorted(SAMPLE_BY_MIN_SHARED))
def test_min_shared_on_the_sample(min_shared):
    from reelgraph.loaders import read_sources
    from reelgraph.loaders.sample import SAMPLE_SOURCES

    result = cluster_films(build_mirror(read_sources(SAMPLE_SOURCES)), seed=0, min_shared=min_shared)
    figures = (len(result.clusters), int(result.membership.notna().sum()), round(result.standard_modularity, 3),
               result.mlt_inside, result.genre_purity)
    assert figures == SAMPLE_BY_MIN_SHARED[min_shared]
    assert result.min_shared == min_shared


def test_cli_clusters_prints_the_checks(tmp_path):
    from click.testing import CliRunner

    from reelgraph.cli import main
    from reelgraph.loaders.sample import SAMPLE_SOURCES

    def run(*args):
        return CliRunner().invoke(main, [*map(str, args), "--store", str(tmp_path)], env={"NEO4J_URI": ""})

    assert run("load", "--quiet", *SAMPLE_SOURCES).exit_code == 0
    lines = run("clusters", "--quiet").output.splitlines()
    assert lines[-2:] == ['"More like this" links inside a cluster 25.0%; genre purity 0.862; 30 films clustered, '
                          "people linking films that share anyone", "cluster ids written to the store"]
    one = run("clusters", "--quiet", "--resolution", "0.5").output.splitlines()
    assert len(one) == 3  # one cluster holds every link: no checks line
    bad = run("clusters", "--min-shared", "0")
    assert bad.exit_code == 2 and "0 is not in the range x>=1" in bad.output
    data = json.loads(run("clusters", "--quiet", "--min-shared", "2", "--json").stdout)
    assert (len(data["clusters"]), data["mlt_inside"], data["genre_purity"], data["min_shared"]) == (5, 0.5, 0.9, 2)
    assert run("clusters", "--quiet", "--min-shared", "2").output.splitlines()[-2] == (
        '"More like this" links inside a cluster 50.0%; genre purity 0.900; 21 films clustered, '
        "people linking films that share at least 2")
