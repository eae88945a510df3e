"""What a graph holds: the counts behind ``reelgraph stats`` and the demo's summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from reelgraph.model import MORE_LIKE_THIS, FilmGraph

__all__ = ["graph_stats", "graph_summary", "summary_of_columns", "best_connected_people"]


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
        collaborators = collaborator_counts(*view.kernel_args, n)
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
    def column(frame: pd.DataFrame, name: str) -> pa.Array:
        return pa.array(frame[name], from_pandas=True)

    return summary_of_columns(stub=column(graph.films, "stub"), people=len(graph.people),
                              roles=column(graph.credits, "role"), similar_sources=column(graph.similar, "source"))


def summary_of_columns(*, stub, people: int, roles, similar_sources) -> dict:
    """:func:`graph_summary` from the only columns it counts, as Arrow: no table in pandas.

    Counts by value are most frequent first, ties in order of first
    appearance (as pandas' ``value_counts`` gives them); missing values are
    not counted.

    Parameters
    ----------
    stub : pyarrow.Array or ChunkedArray
        ``films.stub`` (its length is the number of films).
    people : int
        Rows of ``people``.
    roles, similar_sources : pyarrow.Array or ChunkedArray
        ``credits.role`` and ``similar.source``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> summary_of_columns(stub=pa.array([True, None, False]), people=2, roles=pa.array(["self", "actor", "actor"]),
    ...                    similar_sources=pa.array([], pa.string()))["credits_by_role"]
    {'actor': 2, 'self': 1}
    """
    stubs = int(pc.sum(pc.fill_null(stub.cast(pa.bool_()), False).cast(pa.int64())).as_py() or 0)
    by_source = _value_counts(similar_sources)
    return {
        "films": len(stub) - stubs,
        "stub_films": stubs,
        "people": int(people),
        "credits": len(roles),
        "credits_by_role": _value_counts(roles),
        "more_like_this": by_source.get(MORE_LIKE_THIS, 0),
        "similar_by_source": by_source,
    }


def _value_counts(values) -> dict:
    """Non-missing ``values`` (Arrow) -> how many times each occurs, most frequent first, ties in order of first appearance."""
    if not len(values) or pa.types.is_null(values.type):
        return {}
    from reelgraph.analysis._stats_kernels import code_counts

    if isinstance(values, pa.DictionaryArray):  # e.g. the credits' roles as a graph index holds them: counted as coded
        dictionary, chunks = values.dictionary, [values]
    else:
        encoded = pc.dictionary_encode(values)
        chunks = encoded.chunks if isinstance(encoded, pa.ChunkedArray) else [encoded]
        # (chunks share one dictionary, the last chunk's, in order of first appearance)
        dictionary = chunks[-1].dictionary if chunks else pa.array([], pa.string())
    codes = [np.asarray(chunk.indices.fill_null(-1) if chunk.null_count else chunk.indices) for chunk in chunks]
    counts, first = code_counts(codes[0] if len(codes) == 1 else np.concatenate(codes or [np.empty(0, np.int32)]),
                                len(dictionary))
    # a given dictionary need not be in order of first appearance, nor hold only values that occur
    order = [i for i in np.lexsort((first, -counts)) if counts[i]]
    names = dictionary.to_pylist()
    return {str(names[i]): int(counts[i]) for i in order}
