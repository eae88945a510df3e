"""The analysis of the mirror: co-star paths and Bacon numbers (:mod:`.paths`), film similarity
(:mod:`.similarity`), how right it is against IMDb's "More like this" (:mod:`.evaluation`),
similarity clusters (:mod:`.clusters`) and the counts of a graph (:mod:`.stats`).

A regular package (not a namespace one) so that tools walking ``reelgraph``
(the doctest run among them) find these modules.  The similarity names are
importable from here, each module loaded on first use (a path query needs
none of them).

Examples
--------
>>> from reelgraph.analysis import evaluate_similarity, similar_films
>>> evaluate_similarity.__module__
'reelgraph.analysis.evaluation'
"""

__all__ = [
    "similar_films", "similarity_graph", "cluster_films", "evaluate_similarity", "EvaluationResult", "ClusterResult",
    "SimilarityGraph",
]

_HOMES = {
    "similar_films": "similarity",
    "similarity_graph": "similarity",
    "SimilarityGraph": "similarity",
    "cluster_films": "clusters",
    "ClusterResult": "clusters",
    "evaluate_similarity": "evaluation",
    "EvaluationResult": "evaluation",
}


def __getattr__(name: str):
    # PEP 562, as reelgraph/__init__.py does: import a name's module on first use.
    import importlib

    try:
        module = _HOMES[name]
    except KeyError:
        raise AttributeError(f"module 'reelgraph.analysis' has no attribute {name!r}") from None
    return getattr(importlib.import_module(f"reelgraph.analysis.{module}"), name)


def __dir__():
    return sorted([*globals(), *__all__])
