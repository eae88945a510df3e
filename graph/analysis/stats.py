"""What a graph holds: the counts behind ``reelgraph stats`` and the demo's summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
from reelgraph.model import MORE_LIKE_THIS, FilmGraph

__all__ = ["graph_stats", "graph_summary", "best_connected_people"]


def best_connected_people(graph, top: int = 5) -> pd.DataFrame:
    """People ranked by how many other people they share a film with.

    ``graph`` is a :class:`~reelgraph.model.FilmGraph` or its mirror.  Returns a
    DataFrame with ``id``, ``name``, ``collaborators`` (distinct
    people met on a film) and ``films`` (distinct films), best first; ties go
    to more films, then to the name, then to the id.

    Examples
    --------
    >>> g = FilmGraph.from_records(
    ...     people=[{"id": "a", "name": "A"}, {"id": "b", "name": "B"}, {"id": "c", "name": "C"}],
    ...     credits=[{"person_id": p, "film_id": f, "role": "actor"} for p, f in [("a", "f1"), ("b", "f1"), ("a", "f2"), ("c", "f2")]])
    >>> best_connected_people(g, top=1)[["name", "collaborators", "films"]].values.tolist()
    [['A', 2, 2]]
    """
    from reelgraph.mirror import build_mirror

    mirror = build_mirror(graph)  # a mirror passes through as it is
    n = mirror.n_people
    view = mirror.view(frozenset(mirror.role_names))
    collaborators = mirror._collaborators  # persisted with the store's graph index
    if collaborators is None:
        from reelgraph.analysis._stats_kernels import collaborator_counts  # numba: imported only when counting

        # Every credit, one edge a (person, film): people's rows list their films, films' rows their people.
        collaborators = collaborator_counts(view.indptr, view.indices, n)
    table = pd.DataFrame({"collaborators": np.asarray(collaborators, dtype=np.int64),
                          "films": np.asarray(view.degree[:n], dtype=np.int64)})
    table = table[table["films"] > 0]  # people of the people table without a credit are not ranked
    # Only rows that can reach the top are sorted, and only theirs are named.
    table = table.nlargest(top, ["collaborators", "films"], keep="all") if top else table.iloc[:0]
    rows = table.index.to_numpy()
    table = table.assign(id=mirror.ids[rows], name=mirror.table_rows("people", rows, ["name"])["name"].to_numpy())
    table = table.sort_values(["collaborators", "films", "name", "id"], ascending=[False, False, True, True])
    return table[["id", "name", "collaborators", "films"]].head(top).reset_index(drop=True)


def graph_stats(graph: FilmGraph, top: int = 5) -> dict:
    """Counts of films (full and stub), people, credits per role and links.

    Examples
    --------
    >>> graph_stats(FilmGraph.empty())["films"]
    0
    """
    summary = getattr(graph, "_summary", None)  # a mirror opened from the store's graph index has it
    if summary is None:
        summary = graph_summary(getattr(graph, "film_graph", graph))
    return {
        **summary,
        "best_connected": best_connected_people(graph, top).to_dict("records"),
    }


def graph_summary(graph: FilmGraph) -> dict:
    """Counts ``reelgraph stats`` prints: films (full and stub), people, credits per role, links per source.

    Examples
    --------
    >>> graph_summary(FilmGraph.empty())["films"]
    0
    """
    films = graph.films
    stubs = int(films["stub"].fillna(False).sum())
    roles = graph.credits["role"].value_counts()
    similar_sources = graph.similar["source"].value_counts()
    return {
        "films": len(films) - stubs,
        "stub_films": stubs,
        "people": len(graph.people),
        "credits": len(graph.credits),
        "credits_by_role": {str(role): int(n) for role, n in roles.items()},
        "more_like_this": int(similar_sources.get(MORE_LIKE_THIS, 0)),
        "similar_by_source": {str(s): int(n) for s, n in similar_sources.items()},
    }
