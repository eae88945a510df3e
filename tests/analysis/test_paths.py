"""Co-star paths, film paths, Bacon numbers and best centres on graphs with known answers."""

import json
import math
import re

import networkx as nx
import numpy as np
import pytest

from reelgraph.errors import AmbiguousNameError, NameNotFoundError, ReelgraphError
from reelgraph.mirror import build_mirror
from reelgraph.model import FilmGraph
from reelgraph.analysis.paths import NoCreditError, bacon_numbers, best_centres, costar_path, farthest_people, film_path


def labels(path):
    return [step["label"] for step in path]


# -- costar_path ------------------------------------------------------------------


def test_shortest_chain_with_years(costars):
    r = costar_path(costars, "Kevin Bacon", "Dana Delany")
    assert r.distance == 2
    assert r.path == [
        {"id": "nm0000001", "kind": "person", "label": "Kevin Bacon"},
        {"id": "tt0000001", "kind": "film", "label": "First", "year": 1990},
        {"id": "nm0000002", "kind": "person", "label": "Bea Arthur"},
        {"id": "tt0000006", "kind": "film", "label": "Sixth", "year": 2015},
        {"id": "nm0000004", "kind": "person", "label": "Dana Delany"},
    ]
    assert r.total_paths is None and not r.truncated
    json.dumps(r.to_dict())  # JSON-serialisable as it is


def test_ids_and_names_give_the_same_answer_both_ways(costars, ids):
    forward = costar_path(costars, ids["A"], ids["D"])
    backward = costar_path(costars, "dana delany", "KEVIN BACON")
    assert labels(forward.path) == labels(backward.path)[::-1]


def test_costars_are_one_hop_apart_and_self_is_zero(costars):
    assert costar_path(costars, "Kevin Bacon", "Bea Arthur").distance == 1
    r = costar_path(costars, "Kevin Bacon", "Kevin Bacon")
    assert r.distance == 0 and labels(r.path) == ["Kevin Bacon"]


def test_year_filter_changes_the_answer(costars):
    r = costar_path(costars, "Kevin Bacon", "Dana Delany", year_range=(None, 2009))
    assert r.distance == 3
    assert labels(r.path) == ["Kevin Bacon", "Fourth", "Emma Stone", "Fifth", "Fred Astaire", "Seventh", "Dana Delany"]
    # A window that keeps only f1..f3 (1990-2010) forces the route through Second and Third.
    r = costar_path(costars, "Kevin Bacon", "Dana Delany", year_range=(1990, 2010), exclude_films=["Fourth"])
    assert labels(r.path) == ["Kevin Bacon", "First", "Bea Arthur", "Second", "Carl Weathers", "Third", "Dana Delany"]


def test_year_filter_can_disconnect(costars):
    r = costar_path(costars, "Kevin Bacon", "Dana Delany", year_range=(2011, None))
    assert not r.found and r.distance is None and r.path == []


def test_min_votes_drops_little_seen_films(costars):
    r = costar_path(costars, "Kevin Bacon", "Dana Delany", min_votes=100, all_paths=True)
    assert r.distance == 3 and r.total_paths == 2


def test_excluding_a_person_or_a_film(costars):
    r = costar_path(costars, "Kevin Bacon", "Dana Delany", exclude_people=["Bea Arthur"])
    assert labels(r.path) == ["Kevin Bacon", "Fourth", "Emma Stone", "Fifth", "Fred Astaire", "Seventh", "Dana Delany"]
    r = costar_path(costars, "Kevin Bacon", "Dana Delany", exclude_films=["tt0000006"], all_paths=True)
    assert r.distance == 3 and r.total_paths == 2
    assert sorted(tuple(labels(p)) for p in r.paths) == [
        ("Kevin Bacon", "First", "Bea Arthur", "Second", "Carl Weathers", "Third", "Dana Delany"),
        ("Kevin Bacon", "Fourth", "Emma Stone", "Fifth", "Fred Astaire", "Seventh", "Dana Delany"),
    ]


def test_excluding_an_end_is_an_error(costars):
    with pytest.raises(ReelgraphError, match="cannot exclude"):
        costar_path(costars, "Kevin Bacon", "Dana Delany", exclude_people=["Kevin Bacon"])


def test_all_paths_counts_and_caps(costars):
    # Crew count when actors_only=False: the director of First and Seventh is a second route.
    r = costar_path(costars, "Kevin Bacon", "Dana Delany", actors_only=False, all_paths=True)
    assert r.distance == 2 and r.total_paths == 2 and not r.truncated
    assert sorted(tuple(labels(p)) for p in r.paths) == [
        ("Kevin Bacon", "First", "Bea Arthur", "Sixth", "Dana Delany"),
        ("Kevin Bacon", "First", "Gene Director", "Seventh", "Dana Delany"),
    ]
    capped = costar_path(costars, "Kevin Bacon", "Dana Delany", actors_only=False, all_paths=True, max_paths=1)
    assert capped.total_paths == 2 and len(capped.paths) == 1 and capped.truncated


def test_self_appearances_do_not_link_by_default(costars):
    assert not costar_path(costars, "Kevin Bacon", "Zoe Zed").found
    r = costar_path(costars, "Kevin Bacon", "Zoe Zed", actors_only=False, exclude_roles=())
    assert labels(r.path) == ["Kevin Bacon", "First", "Sam Self", "Eighth", "Zoë Zed"]


def test_unreachable_and_unknown_people(costars):
    r = costar_path(costars, "Kevin Bacon", "Xavier Alone", all_paths=True)
    assert r.distance is None and r.total_paths == 0
    with pytest.raises(NameNotFoundError, match="no person named 'Kevin Bacn'; did you mean 'Kevin Bacon'"):
        costar_path(costars, "Kevin Bacn", "Dana Delany")


def test_more_like_this_links_are_never_walked():
    g = FilmGraph.from_records(
        films=[{"id": "tt0000001", "title": "A"}, {"id": "tt0000002", "title": "B"}],
        people=[{"id": "nm0000001", "name": "P"}, {"id": "nm0000002", "name": "Q"}],
        credits=[{"person_id": "nm0000001", "film_id": "tt0000001", "role": "actor"}, {"person_id": "nm0000002", "film_id": "tt0000002", "role": "actor"}],
        similar=[{"film_id": "tt0000001", "similar_id": "tt0000002", "rank": 1, "source": "imdb-more-like-this"}],
    )
    assert not costar_path(g, "P", "Q").found
    assert not film_path(g, "A", "B").found


def test_path_through_the_film_graph_directly():
    g = FilmGraph.from_records(credits=[{"person_id": "nm0000001", "film_id": "tt0000001", "role": "actor"}, {"person_id": "nm0000002", "film_id": "tt0000001", "role": "actress"}])
    assert costar_path(g, "nm0000001", "nm0000002").distance == 1  # actress counts as acting


# -- film_path -------------------------------------------------------------------------


def test_film_path_through_shared_people(costars):
    r = film_path(costars, "First", "Seventh")
    assert r.distance == 1 and labels(r.path) == ["First", "Gene Director", "Seventh"]
    r = film_path(costars, "Fourth", "Seventh", actors_only=True)
    assert r.distance == 2 and labels(r.path) == ["Fourth", "Emma Stone", "Fifth", "Fred Astaire", "Seventh"]
    r = film_path(costars, "Second", "Seventh", actors_only=True, all_paths=True)
    assert r.distance == 2 and r.total_paths == 2


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
@pytest.mark.parametrize("years", [(2003, 2008), (2009, 2013), (2011, 2020)])
def test_film_path_filters_the_films_between_never_the_ends(sample_graph, years, engine, monkeypatch):
    """Both directions, one path and all of them, agree with NetworkX on the graph of the allowed films.

    An end outside the years used to be kept out on one side of the search
    and not the other: the answer hung on which side expanded first (and
    the all-paths walk back failed with a KeyError).
    """
    from reelgraph.analysis import paths
    from reelgraph.analysis.paths import DEFAULT_EXCLUDED_ROLES

    if engine == "numpy":  # as one_paths below
        monkeypatch.setattr(paths, "_kernels", None)
        monkeypatch.setattr(paths, "NUMPY_SEARCHES", 10**9)
    else:
        monkeypatch.setattr(paths, "NUMPY_SEARCHES", 0)
    films = sample_graph.films.set_index("id")
    credits = sample_graph.credits[~sample_graph.credits.role.isin(DEFAULT_EXCLUDED_ROLES)]
    titles = ["Never Let Me Go", "Paddington", "Bend It Like Beckham", "Hunger", "12 Years a Slave", "The Tesseract"]
    ids = {t: films.index[(films.title == t) & ~films.stub.fillna(False).astype(bool)][0] for t in titles}
    for a in titles:
        for b in titles:
            if a == b:
                continue
            ends = {ids[a], ids[b]}
            kept = credits[credits.film_id.isin(ends) | credits.film_id.map(films["year"]).between(*years)]
            G = nx.Graph(list(zip(kept.person_id, kept.film_id)))
            try:
                expected = nx.shortest_path_length(G, ids[a], ids[b]) // 2
                count = len(list(nx.all_shortest_paths(G, ids[a], ids[b])))
            except (nx.NetworkXNoPath, nx.NodeNotFound):
                expected, count = None, 0
            one = film_path(sample_graph, a, b, year_range=years)
            every = film_path(sample_graph, a, b, year_range=years, all_paths=True, max_paths=1000)
            assert (one.distance if one.found else None) == expected, (a, b)
            assert (every.distance if every.found else None, every.total_paths if every.found else 0) == (expected, count)
            if one.found:
                inner = [step["id"] for step in one.path[2:-2:2]]  # the films between the ends
                assert all(years[0] <= films.at[f, "year"] <= years[1] for f in inner)


# -- bacon_numbers ------------------------------------------------------------------------


def test_bacon_histogram_and_unreachable(costars, ids):
    b = bacon_numbers(costars, "Kevin Bacon")
    # B, E at 1; C, D, F at 2; Z and X act but are cut off; G and S never act so are not counted.
    assert b.histogram == [1, 2, 3] and b.unreachable == 2 and b.reachable == 5  # the other people reached
    assert b.average == pytest.approx(8 / 5)
    assert b.people_at(1) == [ids["B"], ids["E"]]
    assert b.people_at(2) == [ids["C"], ids["D"], ids["F"]]
    assert b.unreachable_people() == [ids["Z"], ids["X"]]
    json.dumps(b.to_dict())


def test_bacon_with_a_year_filter(costars):
    b = bacon_numbers(costars, "Kevin Bacon", year_range=(None, 2009))
    assert b.histogram == [1, 2, 2, 1] and b.unreachable == 2


def test_bacon_excluding_people(costars, ids):
    b = bacon_numbers(costars, "Kevin Bacon", exclude_people=["Bea Arthur"])
    assert b.histogram == [1, 1, 1, 1, 1] and b.unreachable == 2
    assert b.people_at(4) == [ids["C"]]


# -- best_centres ----------------------------------------------------------------------------


def test_best_centres_exact_order(costars):
    r = best_centres(costars, top=8)
    assert r.exact and r.error is None and r.universe == 8
    # Average distances by hand: B 7/5, D 7/5, A 8/5, F 8/5, C 9/5, E 9/5; Z and X reach nobody.
    assert [(c.label, c.average, c.reachable) for c in r.centres[:6]] == [
        ("Bea Arthur", 1.4, 5), ("Dana Delany", 1.4, 5), ("Kevin Bacon", 1.6, 5),
        ("Fred Astaire", 1.6, 5), ("Carl Weathers", 1.8, 5), ("Emma Stone", 1.8, 5),
    ]
    assert [c.reachable for c in r.centres[6:]] == [0, 0] and all(math.isinf(c.average) for c in r.centres[6:])


def test_best_centres_candidates_and_filters(costars):
    # Most co-star credits: Bea Arthur and Dana Delany (3 each).
    r = best_centres(costars, top=5, candidates=2)
    assert r.candidates == 2 and [c.label for c in r.centres] == ["Bea Arthur", "Dana Delany"]
    r = best_centres(costars, top=1, candidates=["Kevin Bacon", "Carl Weathers"])
    assert [c.label for c in r.centres] == ["Kevin Bacon"]
    # Without Sixth the six actors form a cycle A-B-C-D-F-E: everyone averages
    # (1 + 1 + 2 + 2 + 3) / 5 = 1.8, and ties go by id.
    r = best_centres(costars, top=2, exclude_films=["Sixth"])
    assert [(c.label, c.average) for c in r.centres] == [("Kevin Bacon", 1.8), ("Bea Arthur", 1.8)]


def test_best_centres_sampled_reports_its_error(costars):
    r = best_centres(costars, top=3, sample=5, seed=1)
    assert not r.exact and r.sample == 5
    assert r.error is not None and r.error >= 0
    assert all(c.stderr is not None for c in r.centres)
    assert r.centres[0].reachable >= 1
    again = best_centres(costars, top=3, sample=5, seed=1)
    assert [c.id for c in again.centres] == [c.id for c in r.centres]  # seeded


# -- against networkx on random graphs ----------------------------------------------------------


def random_graph(seed, people=120, films=70, credits=260):
    rng = np.random.default_rng(seed)
    rows = {(int(p), int(f)) for p, f in zip(rng.integers(0, people, credits), rng.integers(0, films, credits))}
    return FilmGraph.from_records(
        films=[{"id": f"tt{f:07d}", "title": f"F{f}", "year": 1950 + f} for f in range(films)],
        people=[{"id": f"nm{p:07d}", "name": f"P{p}"} for p in range(people)],
        credits=[{"person_id": f"nm{p:07d}", "film_id": f"tt{f:07d}", "role": "actor"} for p, f in sorted(rows)],
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_agrees_with_networkx(seed):
    m = build_mirror(random_graph(seed))
    G = m.nx
    people = [n for n, d in G.nodes(data=True) if d["kind"] == "person"]
    rng = np.random.default_rng(seed)
    for s, t in rng.choice(people, (60, 2)):
        r = costar_path(m, s, t, all_paths=True, max_paths=10_000)
        if nx.has_path(G, s, t):
            expected = list(nx.all_shortest_paths(G, s, t))
            assert r.distance == (len(expected[0]) - 1) // 2
            assert r.total_paths == len(expected)
            assert sorted(tuple(step["id"] for step in p) for p in r.paths) == sorted(map(tuple, expected))
            single = costar_path(m, s, t)
            assert [step["id"] for step in single.path] in expected
        else:
            assert r.distance is None
    # Bacon numbers and centres against plain BFS.
    universe = [p for p in people if G.degree(p) > 0]
    lengths = {p: nx.single_source_shortest_path_length(G, p) for p in universe}
    centre = universe[0]
    hops = [lengths[centre][q] // 2 for q in universe if q in lengths[centre]]
    b = bacon_numbers(m, centre)
    assert b.histogram == np.bincount(hops).tolist()
    assert b.unreachable == len(universe) - len(hops)
    ranking = best_centres(m, top=5, candidates=len(universe))
    members = set(universe)

    def key(p):
        others = [lengths[p][q] // 2 for q in lengths[p] if q in members and q != p]
        return (-len(others), sum(others) / len(others) if others else math.inf, p)

    expected = sorted(key(p) for p in universe)[:5]
    assert [c.id for c in ranking.centres] == [p for _, _, p in expected]
    assert [c.average for c in ranking.centres] == pytest.approx([a for _, a, _ in expected])


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("filters", [{}, {"year_range": (1960, 2000)}, {"min_votes": 1, "avoid": ["P3", "F5"]}])
def test_compiled_bacon_search_equals_the_numpy_one(seed, filters, monkeypatch):
    # Graphs above COMPILED_BFS_NODES are searched by the numba kernel: the same depths as numpy's layers.
    from reelgraph.analysis import paths

    m = build_mirror(random_graph(seed, people=300, films=150, credits=500))
    centre = next(m.ids[i] for i in range(m.n_people) if m.view(m.role_set()).degree[i] > 0)
    by_numpy = bacon_numbers(m, centre, **filters)
    monkeypatch.setattr(paths, "COMPILED_BFS_NODES", 0)
    compiled = bacon_numbers(m, centre, **filters)
    assert (compiled.histogram, compiled.unreachable, compiled.average) == (
        by_numpy.histogram, by_numpy.unreachable, by_numpy.average)
    assert compiled.people_at(2) == by_numpy.people_at(2)


@pytest.mark.parametrize("size", [(70, 40, 200), (3000, 1500, 9000), (20000, 6000, 30000)])
@pytest.mark.parametrize("filters", [{}, {"year_range": (1960, 2000), "avoid": ["P3", "F5"]}])
def test_compiled_breadth_first_depths_equal_numpy_layers_node_for_node(size, filters, monkeypatch):
    """Every node's depth, from people and from films: both directions of the compiled search, many 64-node words."""
    from reelgraph.analysis import paths

    people, films, credits = size
    m = build_mirror(random_graph(1, people=people, films=films, credits=credits))
    degree = m.view(m.role_set()).degree
    centres = [int(np.argmax(degree[: m.n_people])), m.n_people + int(np.argmax(degree[m.n_people:]))]
    for centre in centres:
        q = paths._prepare(m, **filters)
        by_numpy = paths._bfs_distances(m, q, centre)
        monkeypatch.setattr(paths, "COMPILED_BFS_NODES", 0)
        compiled = paths._bfs_distances(m, q, centre)
        monkeypatch.setattr(paths, "COMPILED_BFS_NODES", 2_000_000)
        assert compiled.max() >= 3 or filters
        np.testing.assert_array_equal(compiled, by_numpy.astype(np.int32))


def test_ambiguous_endpoint_is_reported():
    g = FilmGraph.from_records(people=[{"id": "nm0000001", "name": "Same"}, {"id": "nm0000002", "name": "Same"}])
    with pytest.raises(AmbiguousNameError, match="2 people are named 'Same'"):
        costar_path(g, "Same", "nm0000001")


def test_search_stamps_start_again_when_the_counter_nears_its_limit():
    """The 32-bit stamps (numpy searches) are cleared when their counter could overflow, the compiled search's bits after each query; answers stay the same."""
    from reelgraph.analysis.paths import _scratch_for

    m = build_mirror(random_graph(0))
    G = m.nx
    people = [n for n, d in G.nodes(data=True) if d["kind"] == "person" and G.degree(n) > 0]
    pairs = [(people[i], people[-1 - i]) for i in range(20)]

    def answers():
        return [(costar_path(m, s, t).path, costar_path(m, s, t, all_paths=True).paths) for s, t in pairs]

    before = answers()
    scratch = _scratch_for(m)
    assert scratch.stamp[0].dtype == np.int32
    scratch.tick = int(np.iinfo(np.int32).max) - 5  # as if billions of ticks had gone by: the next would overflow
    assert answers() == before
    assert scratch.tick < 10_000
    assert not scratch.bits.any()  # every query clears the bits it set (avoided nodes included)
    assert costar_path(m, *pairs[0], avoid=[pairs[1][0]]).found is not None and not scratch.bits.any()


# -- one path: its tie-break, the same compiled and in numpy ------------------------------------------


def reference_one_path(m, s, t):
    """The documented tie-break of one path, written plainly.

    Whole layers; the side whose frontier has fewer edges to follow expands
    (side 0 on a tie), reading its frontier in the order its nodes were
    reached and each node's neighbours in index order; a node's parent is
    the node it was first reached from.  The path goes through the first
    neighbour so read that the other side has reached, then back to each
    end by the parents.
    """
    view = m.view(m.role_set())

    def neighbours(v):
        return view.indices[view.indptr[v] : view.indptr[v + 1]].tolist()

    frontier, parent = ([s], [t]), ({s: None}, {t: None})

    def back(k, node):
        chain = []
        while node is not None:
            chain.append(node)
            node = parent[k][node]
        return chain

    while True:
        work = [sum(len(neighbours(v)) for v in frontier[k]) for k in (0, 1)]
        if not (work[0] and work[1]):
            return None
        x = 0 if work[0] <= work[1] else 1
        new = []
        for v in frontier[x]:
            for w in neighbours(v):
                if w in parent[x]:
                    continue
                if w in parent[1 - x]:  # the first meeting node
                    ours, theirs = back(x, v), back(1 - x, w)
                    return ours[::-1] + theirs if x == 0 else theirs[::-1] + ours
                parent[x][w] = v
                new.append(w)
        if not new:
            return None
        frontier[x][:] = new


def one_paths(m, pairs, monkeypatch, engine, **filters):
    """Node indexes of ``costar_path``'s path for each pair, by the numpy search or the compiled one."""
    from reelgraph.analysis import paths

    if engine == "numpy":
        monkeypatch.setattr(paths, "_kernels", None)
        monkeypatch.setattr(paths, "NUMPY_SEARCHES", 10**9)
    else:
        monkeypatch.setattr(paths, "NUMPY_SEARCHES", 0)
    return [[m.index_of(step["id"]) for step in costar_path(m, s, t, **filters).path] or None for s, t in pairs]


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_one_path_follows_the_tie_break_node_for_node(seed, engine, monkeypatch):
    # Dense enough that most layers where the searches meet hold several meeting nodes.
    m = build_mirror(random_graph(seed, people=400, films=120, credits=1400))
    rng = np.random.default_rng(seed)
    people = [i for i in range(m.n_people) if m.view(m.role_set()).degree[i] > 0]
    pairs = [(str(m.ids[a]), str(m.ids[b])) for a, b in rng.choice(people, (150, 2)) if a != b]
    expected = [reference_one_path(m, m.index_of(s), m.index_of(t)) for s, t in pairs]
    assert one_paths(m, pairs, monkeypatch, engine) == expected
    assert sum(e is not None and len(e) >= 5 for e in expected) > 100  # real searches, not co-stars


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("filters", [{"year_range": (1960, 2000)}, {"avoid": ["P3", "F5", "F9"]},
                                     {"year_range": (1955, None), "exclude_people": ["P7", "P11"]}])
def test_one_path_is_the_same_compiled_and_in_numpy_with_filters(seed, filters, monkeypatch):
    m = build_mirror(random_graph(seed, people=300, films=150, credits=1200))
    rng = np.random.default_rng(seed)
    people = [i for i in range(m.n_people) if m.view(m.role_set()).degree[i] > 0 and str(m.labels[i]) not in ("P3", "P7", "P11")]
    pairs = [(str(m.ids[a]), str(m.ids[b])) for a, b in rng.choice(people, (80, 2))]
    by_numpy = one_paths(m, pairs, monkeypatch, "numpy", **filters)
    assert one_paths(m, pairs, monkeypatch, "compiled", **filters) == by_numpy
    assert sum(p is not None for p in by_numpy) > 20


def test_filters_are_resolved_once_per_mirror_and_options(costars):
    from reelgraph.analysis import paths
    from reelgraph.mirror import DEFAULT_EXCLUDED_ROLES

    m = build_mirror(costars)
    q = paths._prepare(m)
    assert paths._prepare(m, exclude_roles=list(DEFAULT_EXCLUDED_ROLES)) is q
    assert paths._prepare(m, year_range=[None, 2009]) is paths._prepare(m, year_range=(None, 2009)) is not q
    # A string of roles is read by Mirror.role_set as its letters: never the same options as the one role.
    assert paths._prepare(m, exclude_roles="self") is not paths._prepare(m, exclude_roles=("self",))
    # People and films to exclude are resolved every time (names may be new to the mirror).
    assert paths._prepare(m, avoid=["Bea Arthur"]) is not paths._prepare(m, avoid=["Bea Arthur"])
    assert labels(costar_path(m, "Kevin Bacon", "Dana Delany", year_range=(None, 2009)).path) == ROUTE_BY_E
    assert costar_path(m, "Kevin Bacon", "Dana Delany").distance == 2


# -- avoid: people and films alike, each value resolved once ------------------------------------

ROUTE_BY_E = ["Kevin Bacon", "Fourth", "Emma Stone", "Fifth", "Fred Astaire", "Seventh", "Dana Delany"]
ROUTE_BY_C = ["Kevin Bacon", "First", "Bea Arthur", "Second", "Carl Weathers", "Third", "Dana Delany"]


@pytest.mark.parametrize("avoid", [["Bea Arthur"], ["nm0000002"], "bea arthur", ("BEA ARTHUR",)])
def test_avoid_a_person_by_name_or_id(costars, avoid):
    r = costar_path(costars, "Kevin Bacon", "Dana Delany", avoid=avoid)
    assert r.distance == 3 and labels(r.path) == ROUTE_BY_E


@pytest.mark.parametrize("avoid", [["Sixth"], ["tt0000006"], "sixth (2015)"])
def test_avoid_a_film_by_name_or_id(costars, avoid):
    r = costar_path(costars, "Kevin Bacon", "Dana Delany", avoid=avoid, all_paths=True)
    assert r.distance == 3 and r.total_paths == 2
    assert sorted(labels(p) for p in r.paths) == [ROUTE_BY_C, ROUTE_BY_E]


def test_avoid_people_and_films_together(costars, ids):
    r = costar_path(costars, "Kevin Bacon", "Dana Delany", avoid=["Sixth", ids["E"]], all_paths=True)
    assert r.total_paths == 1 and labels(r.path) == ROUTE_BY_C
    r = costar_path(costars, "Kevin Bacon", "Dana Delany", avoid=["tt0000006", "Emma Stone", "Third"])
    assert not r.found


def test_avoid_in_film_path_bacon_and_centres(costars, ids):
    for fifth in ("Fifth", ids["f5"]):
        r = film_path(costars, "Fourth", "Seventh", actors_only=True, avoid=[fifth])
        assert labels(r.path) == ["Fourth", "Kevin Bacon", "First", "Bea Arthur", "Sixth", "Dana Delany", "Seventh"]
    r = film_path(costars, "Fourth", "Seventh", actors_only=True, avoid=[ids["A"]])
    assert labels(r.path) == ["Fourth", "Emma Stone", "Fifth", "Fred Astaire", "Seventh"]
    b = bacon_numbers(costars, "Kevin Bacon", avoid=["Bea Arthur"])
    assert b.histogram == [1, 1, 1, 1, 1] and b.reachable == 4 and b.unreachable == 2  # B is in no count
    b = bacon_numbers(costars, "Kevin Bacon", avoid=["First", ids["f4"]])
    assert b.histogram == [1] and b.reachable == 0 and b.unreachable == 7 and b.average is None
    r = best_centres(costars, top=2, avoid="Sixth")
    assert [(c.label, c.average, c.reachable) for c in r.centres] == [("Kevin Bacon", 1.8, 5), ("Bea Arthur", 1.8, 5)]
    r = best_centres(costars, top=1, avoid=[ids["B"], "Emma Stone"])
    assert r.universe == 6 and [(c.label, c.reachable) for c in r.centres] == [("Dana Delany", 2)]


def test_avoid_errors(costars):
    with pytest.raises(NameNotFoundError, match=r"^no person or film named 'Sixht'; did you mean 'Sixth'\?$"):
        costar_path(costars, "Kevin Bacon", "Dana Delany", avoid=["Sixht"])
    with pytest.raises(NameNotFoundError, match=r"^no person or film named 'Bea Artur'; did you mean 'Bea Arthur'\?$"):
        bacon_numbers(costars, "Kevin Bacon", avoid=["Bea Artur"])
    with pytest.raises(ReelgraphError, match=r"^a path cannot exclude its own ends: Dana Delany \(nm0000004\) is avoided$"):
        costar_path(costars, "Kevin Bacon", "Dana Delany", avoid=["Dana Delany"])
    with pytest.raises(ReelgraphError, match=r"^the centre cannot be excluded: Kevin Bacon \(nm0000001\) is avoided$"):
        bacon_numbers(costars, "Kevin Bacon", avoid="nm0000001")


def test_avoid_a_name_both_a_person_and_a_film_have_is_ambiguous():
    g = FilmGraph.from_records(
        films=[{"id": "tt0000001", "title": "Selena", "year": 1997, "title_type": "movie"}, {"id": "tt0000002", "title": "Other"}],
        people=[{"id": "nm0000001", "name": "Selena"}, {"id": "nm0000002", "name": "P"}, {"id": "nm0000003", "name": "Q"}],
        credits=[{"person_id": p, "film_id": f, "role": "actor"} for p, f in
                 [("nm0000001", "tt0000002"), ("nm0000002", "tt0000001"), ("nm0000003", "tt0000001"), ("nm0000002", "tt0000002"), ("nm0000003", "tt0000002")]])
    with pytest.raises(AmbiguousNameError, match=re.escape(
            "2 people or films are named 'Selena', pass an id instead: nm0000001 Selena (Other); tt0000001 Selena (1997, movie)")):
        costar_path(g, "P", "Q", avoid=["Selena"])
    assert labels(costar_path(g, "P", "Q", avoid=["tt0000001"]).path) == ["P", "Other", "Q"]
    assert labels(costar_path(g, "P", "Q", avoid=["nm0000001", "Other"]).path) == ["P", "Selena", "Q"]


# -- reachable: one definition for bacon and centres ---------------------------------------------


@pytest.mark.parametrize("filters", [{}, {"year_range": (None, 2009)}, {"avoid": ["Sixth"]}, {"actors_only": False, "exclude_roles": ()}])
def test_bacon_and_centres_count_the_same_people_reachable(costars, filters):
    ranking = best_centres(costars, top=100, **filters)
    assert len(ranking.centres) == ranking.universe
    for centre in ranking.centres:
        b = bacon_numbers(costars, centre.id, **filters)
        assert b.reachable == centre.reachable == sum(b.histogram) - 1
        assert b.reachable + b.unreachable + 1 == ranking.universe


def test_reachable_agrees_on_the_sample(sample_graph):
    m = build_mirror(sample_graph)
    b = bacon_numbers(m, "Carey Mulligan")
    centre = best_centres(m, top=1, candidates=["Carey Mulligan"]).centres[0]
    assert (b.reachable, centre.reachable, b.unreachable, b.histogram) == (218, 218, 0, [1, 83, 132, 3])


# -- ends that cannot be linked: a hint, not "no path" ------------------------------------------------


def test_a_director_has_no_acting_credit(costars):
    with pytest.raises(NoCreditError, match=re.escape(
            "Gene Director (nm0000007) has no acting credit (credited as director), so no co-star chain reaches them; "
            "link people through any credit with actors_only=False")) as info:
        costar_path(costars, "Kevin Bacon", "Gene Director")
    assert info.value.fix == "actors_only" and info.value.roles == ["director"]
    assert labels(costar_path(costars, "Kevin Bacon", "Gene Director", actors_only=False).path) == ["Kevin Bacon", "First", "Gene Director"]
    with pytest.raises(NoCreditError, match=r"^Gene Director \(nm0000007\) has no acting credit"):
        bacon_numbers(costars, "Gene Director")


def test_someone_credited_only_as_self(costars):
    with pytest.raises(NoCreditError, match=re.escape(
            "Sam Self (nm0000008) has no acting credit (credited as self), so no co-star chain reaches them; "
            "their roles are in exclude_roles")):
        costar_path(costars, "Sam Self", "Kevin Bacon")
    with pytest.raises(NoCreditError, match=re.escape("has no credit of the roles that link people (credited as self)")):
        costar_path(costars, "Sam Self", "Kevin Bacon", actors_only=False)
    assert costar_path(costars, "Sam Self", "Kevin Bacon", actors_only=False, exclude_roles=()).distance == 1


def test_a_film_where_a_person_is_expected(costars):
    with pytest.raises(NameNotFoundError, match=re.escape(
            "no person named 'First': it is a film, tt0000001 First (1990, movie, dir. Gene Director)")) as info:
        costar_path(costars, "First", "Kevin Bacon")
    assert (info.value.other_kind, info.value.other_id, info.value.suggestions) == ("film", "tt0000001", [])
    with pytest.raises(NameNotFoundError, match=r"^no person named 'tt0000002': it is a film, tt0000002 Second"):
        bacon_numbers(costars, "tt0000002")
    with pytest.raises(NameNotFoundError, match=r"^no film named 'Kevin Bacon': it is a person, nm0000001 Kevin Bacon \(b\. 1958, "):
        film_path(costars, "Kevin Bacon", "First")


# -- the farthest pair ----------------------------------------------------------------------------


def chain_graph(pairs) -> FilmGraph:
    return FilmGraph.from_records(credits=[{"person_id": p, "film_id": f, "role": "actor"} for p, f in pairs])


def test_farthest_people_on_the_sample(sample_graph):
    m = build_mirror(sample_graph)
    far = farthest_people(m)
    assert (far.distance, far.upper_bound, far.exact, far.component) == (5, 5, True, 219)
    assert labels(far.path.path) == [
        "Alexander Rendel", "The Tesseract", "Jonathan Rhys Meyers", "Bend It Like Beckham", "Keira Knightley",
        "Atonement", "Benedict Cumberbatch", "12 Years a Slave", "Michael Fassbender", "Hunger", "Brian Milligan"]
    assert (far.source, far.target) == (far.path.source, far.path.target)
    assert costar_path(m, far.source, far.target).distance == 5
    bounded = farthest_people(m, exact=False)
    assert bounded.distance == 5 and bounded.upper_bound == 6 and not bounded.exact and bounded.searches == 4
    json.dumps(far.to_dict())


def test_farthest_people_on_small_graphs():
    # A chain of four people, and an island of two: the chain is the largest component.
    g = chain_graph([("nm1", "tt1"), ("nm2", "tt1"), ("nm2", "tt2"), ("nm3", "tt2"), ("nm3", "tt3"), ("nm4", "tt3"),
                     ("nm8", "tt9"), ("nm9", "tt9")])
    far = farthest_people(g)
    assert (far.source, far.target, far.distance, far.exact, far.component) == ("nm1", "nm4", 3, True, 4)
    bounded = farthest_people(g, exact=False)  # from the best connected (nm2) to nm4, back to nm1: the bounds meet
    assert (bounded.source, bounded.target, bounded.distance, bounded.upper_bound, bounded.exact) == ("nm4", "nm1", 3, 4, False)
    # A star: everyone is 1 from the centre and 2 from each other.
    star = chain_graph([(p, f"tt{i}") for i in range(1, 5) for p in ("nm0", f"nm{i}")])
    far = farthest_people(star)
    assert (far.source, far.target, far.distance) == ("nm1", "nm2", 2)
    # A cycle of six people: the diameter is 3; avoiding one film makes it a chain of 5 hops.
    cycle = chain_graph([(f"nm{i}", f"tt{i}") for i in range(6)] + [(f"nm{(i + 1) % 6}", f"tt{i}") for i in range(6)])
    assert farthest_people(cycle).distance == 3
    bounded = farthest_people(cycle, exact=False)  # every eccentricity is 3: the bounds stay 3 and 6
    assert (bounded.distance, bounded.upper_bound, bounded.exact, bounded.searches) == (3, 6, False, 4)
    cut = farthest_people(cycle, avoid="tt5")  # nm0 and nm5 no longer share tt5: a chain nm0 .. nm5
    assert (cut.source, cut.target, cut.distance, cut.exact) == ("nm0", "nm5", 5, True)
    assert [s["id"] for s in cut.path.path][::2] == ["nm0", "nm1", "nm2", "nm3", "nm4", "nm5"]


def test_farthest_people_needs_two_linked_people(costars):
    with pytest.raises(ReelgraphError, match="^no two people share a film under these filters"):
        farthest_people(chain_graph([("nm1", "tt1"), ("nm2", "tt2")]))
    with pytest.raises(ReelgraphError, match="^no two people share a film under these filters"):
        farthest_people(costars, year_range=(2030, None))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_farthest_people_against_networkx(seed):
    m = build_mirror(random_graph(seed))
    G = m.nx
    people = [n for n, d in G.nodes(data=True) if d["kind"] == "person" and G.degree(n) > 0]
    components = [c & set(people) for c in nx.connected_components(G.subgraph([n for n in G if G.degree(n) > 0]))]
    largest = max(components, key=len)
    diameter = nx.diameter(G.subgraph(nx.node_connected_component(G, next(iter(largest))))) // 2
    far = farthest_people(m)
    assert far.exact and far.distance == diameter and far.component == len(largest)
    assert nx.shortest_path_length(G, far.source, far.target) == 2 * diameter
    bounded = farthest_people(m, exact=False)
    assert bounded.distance <= diameter <= bounded.upper_bound
    assert nx.shortest_path_length(G, bounded.source, bounded.target) == 2 * bounded.distance


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
@pytest.mark.parametrize("seed", range(40))
def test_paths_with_filters_and_avoid_equal_networkx_on_random_graphs(seed, engine, monkeypatch):
    """Distance and number of shortest paths, co-star and film paths, against NetworkX on the kept graph."""
    import random

    from reelgraph.analysis import paths
    from reelgraph.analysis.paths import DEFAULT_EXCLUDED_ROLES

    if engine == "numpy":
        monkeypatch.setattr(paths, "_kernels", None)
        monkeypatch.setattr(paths, "NUMPY_SEARCHES", 10**9)
    else:
        monkeypatch.setattr(paths, "NUMPY_SEARCHES", 0)
    rng = random.Random(seed)
    films = [{"id": f"tt{i:07d}", "title": f"F{i}", "year": rng.randint(1990, 2020), "votes": rng.randint(0, 1000)}
             for i in range(rng.randint(3, 25))]
    people = [{"id": f"nm{i:07d}", "name": f"P{i}"} for i in range(rng.randint(3, 30))]
    credits = [{"person_id": p["id"], "film_id": f["id"], "role": rng.choice(["actor", "actor", "director", "self"])}
               for f in films for p in rng.sample(people, rng.randint(0, min(5, len(people))))]
    g = FilmGraph.from_records(films=films, people=people, credits=credits)
    year, votes = {f["id"]: f["year"] for f in films}, {f["id"]: f["votes"] for f in films}
    for _ in range(6):
        years = (rng.randint(1990, 2010), rng.randint(2005, 2020)) if rng.random() < 0.6 else None
        min_votes = rng.randint(0, 800) if rng.random() < 0.4 else None
        actors_only = rng.random() < 0.5
        films_path = rng.random() < 0.5
        a, b = rng.sample([x["id"] for x in (films if films_path else people)], 2)
        avoid = rng.sample([x["id"] for x in films + people if x["id"] not in (a, b)], rng.randint(0, 2))

        def kept(c):
            f = c["film_id"]
            role_ok = c["role"] == "actor" if actors_only else c["role"] not in DEFAULT_EXCLUDED_ROLES
            film_ok = (films_path and f in (a, b)) or (
                (years is None or years[0] <= year[f] <= years[1]) and (min_votes is None or votes[f] >= min_votes))
            return role_ok and film_ok and c["person_id"] not in avoid and f not in avoid

        G = nx.Graph([(c["person_id"], c["film_id"]) for c in credits if kept(c)])
        try:
            expected = (nx.shortest_path_length(G, a, b) // 2, len(list(nx.all_shortest_paths(G, a, b))))
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            expected = (None, 0)
        search = film_path if films_path else costar_path
        options = dict(year_range=years, min_votes=min_votes, actors_only=actors_only, avoid=avoid)
        try:
            one = search(g, a, b, **options)
            every = search(g, a, b, all_paths=True, max_paths=10**6, **options)
        except NoCreditError:  # an end with no credit that links: no chain, said so
            assert expected == (None, 0)
            continue
        assert (one.distance if one.found else None) == expected[0]
        assert (every.distance if every.found else None, every.total_paths if every.found else 0) == expected
