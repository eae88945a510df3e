"""What a graph holds: the counts behind ``reelgraph stats`` and the demo's summary."""

from __future__ import annotations

import pandas as pd

from graph.model import MORE_LIKE_THIS, FilmGraph

__all__ = ["graph_stats", "best_connected_people"]


def best_connected_people(graph: FilmGraph, top: int = 5) -> pd.DataFrame:
    """People ranked by how many other people they share a film with.

    Returns a DataFrame with ``id``, ``name``, ``collaborators`` (distinct
    people met on a film) and ``films`` (distinct films), best first; ties go
    to more films, then to the name.

    Examples
    --------
    >>> g = FilmGraph.from_records(
    ...     people=[{"id": "a", "name": "A"}, {"id": "b", "name": "B"}, {"id": "c", "name": "C"}],
    ...     credits=[{"person_id": p, "film_id": f, "role": "actor"} for p, f in [("a", "f1"), ("b", "f1"), ("a", "f2"), ("c", "f2")]])
    >>> best_connected_people(g, top=1)[["name", "collaborators", "films"]].values.tolist()
    [['A', 2, 2]]
    """
    credits = graph.credits[["person_id", "film_id"]].drop_duplicates()
    pairs = credits.merge(credits, on="film_id")
    pairs = pairs[pairs.person_id_x != pairs.person_id_y]
    collaborators = pairs.groupby("person_id_x")["person_id_y"].nunique().rename("collaborators")
    films = credits.groupby("person_id")["film_id"].nunique().rename("films")
    table = pd.concat([collaborators, films], axis=1).fillna(0).astype(int)
    table.index.name = "id"
    names = graph.people.set_index("id")["name"]
    table = table.reset_index()
    table["name"] = table["id"].map(names)
    table = table.sort_values(["collaborators", "films", "name"], ascending=[False, False, True])
    return table[["id", "name", "collaborators", "films"]].head(top).reset_index(drop=True)


def graph_stats(graph: FilmGraph, top: int = 5) -> dict:
    """Counts of films (full and stub), people, credits per role and links.

    Examples
    --------
    >>> graph_stats(FilmGraph.empty())["films"]
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
        "best_connected": best_connected_people(graph, top).to_dict("records"),
    }
