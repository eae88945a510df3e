"""What a graph holds: the counts behind ``reelgraph stats`` and the demo's summary."""

from __future__ import annotations

import numpy as np
import pandas as pd

from graph.model import MORE_LIKE_THIS, FilmGraph

__all__ = ["graph_stats", "best_connected_people"]


def best_connected_people(graph: FilmGraph, top: int = 5) -> pd.DataFrame:
    """People ranked by how many other people they share a film with.

    Returns a DataFrame with ``id``, ``name``, ``collaborators`` (distinct
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
    from graph._stats_kernels import collaborator_counts  # numba: imported only when counting

    credits = graph.credits
    person, person_ids = pd.factorize(credits["person_id"])
    film, _ = pd.factorize(credits["film_id"])
    known = (person >= 0) & (film >= 0)
    n_people, n_films = len(person_ids), int(film.max(initial=-1)) + 1
    # Each (film, person) pair once, in film order: the films' member lists.
    pairs = np.unique(film[known].astype(np.int64) * n_people + person[known])
    film_people = (pairs % n_people).astype(np.int64)
    pair_film = pairs // n_people
    film_indptr = np.zeros(n_films + 1, np.int64)
    np.cumsum(np.bincount(pair_film, minlength=n_films), out=film_indptr[1:])
    by_person = np.argsort(film_people, kind="stable")
    films_each = np.bincount(film_people, minlength=n_people)
    person_indptr = np.zeros(n_people + 1, np.int64)
    np.cumsum(films_each, out=person_indptr[1:])
    collaborators = collaborator_counts(person_indptr, pair_film[by_person], film_indptr, film_people)

    table = pd.DataFrame({"id": np.asarray(person_ids, dtype=object), "collaborators": collaborators,
                          "films": films_each})
    # Only rows that can reach the top need their names looked up and sorted.
    table = table.nlargest(top, ["collaborators", "films"], keep="all") if top else table.iloc[:0]
    table["name"] = table["id"].map(graph.people.drop_duplicates("id").set_index("id")["name"])
    table = table.sort_values(["collaborators", "films", "name", "id"], ascending=[False, False, True, True])
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
