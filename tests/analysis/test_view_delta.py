"""An adjacency view whose changed rows are held in a delta (reelgraph.mirror.CsrView) answers as the plain view does.

A graph index patched for a small edit keeps each view's old files as the
base and writes the rows that changed apart.  Here every reader is checked
against that: each view of a random graph gets a delta holding a third of
its rows, with those rows emptied in the base, so a reader that reads the
base for them answers wrongly.
"""

import networkx as nx
import numpy as np
import pytest

from reelgraph.analysis import paths
from reelgraph.analysis.paths import bacon_numbers, best_centres, costar_path, farthest_people
from reelgraph.analysis.similarity import similar_films, similarity_graph
from reelgraph.analysis.stats import best_connected_people
from reelgraph.errors import ReelgraphError
from reelgraph.mirror import CsrView, build_mirror
from reelgraph.model import FilmGraph
from reelgraph.nx_backend import ReelgraphGraph


def _random_graph(seed: int, n_people: int = 120, n_films: int = 80) -> FilmGraph:
    rng = np.random.default_rng(seed)
    people = [{"id": f"nm{i:07d}", "name": f"Person {i}"} for i in range(n_people)]
    films = [{"id": f"tt{j:07d}", "title": f"Film {j}", "year": int(1950 + j % 70), "votes": int(rng.integers(0, 5000)),
              "genres": [["Drama"], ["Comedy"], ["Drama", "Crime"]][j % 3], "title_type": "movie"} for j in range(n_films)]
    credits = []
    for j in range(n_films):
        cast = rng.choice(n_people, size=int(rng.integers(1, 7)), replace=False)
        for billing, i in enumerate(cast.tolist(), 1):
            role = "actor" if billing < 5 else ("director" if billing == 5 else "self")
            credits.append({"person_id": f"nm{i:07d}", "film_id": f"tt{j:07d}", "role": role, "billing": billing})
    return FilmGraph.from_records(films=films, people=people, credits=credits)


def _with_delta(view: CsrView, rng) -> CsrView:
    """``view`` with a third of its rows moved into a delta, and emptied in the base."""
    n = len(view.degree)
    held = np.sort(rng.choice(n, size=n // 3, replace=False))
    rows = [view.row(v) for v in held.tolist()]
    delta_indptr = np.zeros(len(held) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=delta_indptr[1:])
    emptied = np.asarray(view.degree, dtype=np.int64).copy()
    emptied[held] = 0
    base_indptr = np.zeros(n + 1, dtype=view.indptr.dtype)
    np.cumsum(emptied, out=base_indptr[1:])
    keep = np.repeat(emptied > 0, np.asarray(view.degree, dtype=np.int64))
    stale = CsrView(view.roles, base_indptr, view.indices[keep], emptied)
    return stale.with_delta(held, delta_indptr, np.concatenate(rows).astype(np.int32), view.degree)


def _patched_mirror(graph: FilmGraph, seed: int):
    mirror = build_mirror(graph)
    rng = np.random.default_rng(seed)
    for roles in (mirror.role_set(), mirror.role_set(actors_only=False), frozenset(mirror.role_names)):
        mirror._views[roles] = _with_delta(mirror.view(roles), rng)
    return mirror


def _path(mirror, a, b, **options):
    try:
        return costar_path(mirror, a, b, **options).to_dict()
    except ReelgraphError as error:  # (no credit, no path: answers too)
        return str(error)


def _answers(mirror, pairs, films, centre):
    return {
        "paths": [_path(mirror, a, b) for a, b in pairs],
        "all paths": [_path(mirror, a, b, all_paths=True) for a, b in pairs[:10]],
        "filtered": [_path(mirror, a, b, year_range=(1970, 2000), min_votes=500) for a, b in pairs[:10]],
        "bacon": bacon_numbers(mirror, centre).to_dict(),
        "bacon people": bacon_numbers(mirror, centre).people_at(2),
        "centres": best_centres(mirror, top=5).to_dict(),
        "farthest": farthest_people(mirror, exact=True).to_dict(),
        "similar": [similar_films(mirror, f, top=5) for f in films],
        "similarity graph": [getattr(similarity_graph(mirror), name).tolist() for name in ("a", "b", "score", "shared")],
        "connected": best_connected_people(mirror, top=10).to_dict("list"),
        "neighbourhood": mirror.neighbourhood([films[0]], 2),
        "nx": nx.shortest_path_length(ReelgraphGraph.from_mirror(mirror), pairs[0][0]),
    }


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_a_view_with_rows_in_a_delta_answers_as_the_plain_view(seed, compiled, monkeypatch):
    if compiled:  # the numba kernels from the first query, and the compiled breadth-first search at any size
        paths._compiled_kernels()
        monkeypatch.setattr(paths, "COMPILED_BFS_NODES", 0)
    else:
        monkeypatch.setattr(paths, "_kernels", None)
        monkeypatch.setattr(paths, "NUMPY_SEARCHES", 10**9)
    graph = _random_graph(seed)
    rng = np.random.default_rng(seed + 100)
    people = [f"nm{i:07d}" for i in rng.choice(120, size=40, replace=False)]
    pairs = list(zip(people[:20], people[20:]))
    films = [f"tt{j:07d}" for j in rng.choice(80, size=5, replace=False)]
    plain, patched = build_mirror(graph), _patched_mirror(graph, seed)
    assert patched.view(patched.role_set()).has_delta
    assert _answers(patched, pairs, films, people[0]) == _answers(plain, pairs, films, people[0])


def test_rows_read_from_base_and_delta():
    view = CsrView(frozenset(), np.array([0, 2, 2, 3], np.int32), np.array([1, 2, 0], np.int32), np.array([2, 1, 1]))
    patched = view.with_delta(np.array([1]), np.array([0, 2]), np.array([0, 2], np.int32), np.array([2, 2, 1]))
    assert [patched.row(v).tolist() for v in range(3)] == [[1, 2], [0, 2], [0]]
    assert patched.neighbours(np.array([2, 1, 0])).tolist() == [0, 0, 2, 1, 2]
    indptr, indices = patched.materialize()
    assert indptr.tolist() == [0, 2, 4, 5] and indices.tolist() == [1, 2, 0, 2, 0]
    assert (patched.n_entries, view.n_entries) == (5, 3)
    assert view.materialize()[1] is view.indices  # no delta: the base as it is
