"""reelgraph: films, the people who make them and IMDb's "More like this" links, as a graph.

``import reelgraph as rg`` gives the whole Python API; the ``reelgraph``
command calls the same functions.  The path of the data is one way:
sources -> canonical tables -> stores (local Parquet store, Neo4j) ->
analysis (the NetworkX mirror) -> views.

Examples
--------
>>> import tempfile
>>> import reelgraph as rg
>>> store = tempfile.mkdtemp()
>>> _ = rg.load(rg.SAMPLE_SOURCES, store=store)         # the bundled sample
>>> graph = rg.open_store(store).read()                 # the four tables, as DataFrames
>>> sorted(graph.films.loc[graph.films["id"] == "tt1334260", "title"])
['Never Let Me Go']
>>> mirror = rg.open_mirror(store)                      # build once, query many times
>>> rg.costar_path(mirror, "Keira Knightley", "Carey Mulligan").distance
1
>>> rg.bacon_numbers(mirror, "Carey Mulligan").histogram[:2]
[1, 83]

The names below are loaded on first use, so ``import reelgraph`` (and every
command) stays quick.
"""

from __future__ import annotations

import importlib

__all__ = [
    # the stores and loading
    "open_store", "LocalStore", "load", "LoadResult", "read_sources", "SAMPLE_SOURCES", "FilmGraph",
    # the mirror and names
    "open_mirror", "build_mirror", "Mirror", "resolve_person", "resolve_film", "describe_person", "describe_film",
    # analysis
    "graph_stats", "costar_path", "film_path", "bacon_numbers", "best_centres", "farthest_people",
    "similar_films", "similarity_graph", "evaluate_similarity", "cluster_films", "cluster",
    # views and exports
    "view", "neighbourhood_view", "path_view", "cluster_view", "more_like_this_view", "write_html",
    "show_inline", "export_graph",
    # Neo4j
    "Neo4jSettings", "connect", "load_neo4j", "cypher", "read_neo4j", "example_queries",
    # the tour
    "demo",
    # errors
    "ReelgraphError", "InputError", "StoreError", "NameNotFoundError", "AmbiguousNameError",
    "Neo4jUnavailableError", "ReadOnlyQueryError", "NoCreditError", "TooBigError",
]

# Where each public name lives (module, attribute); one place, so the face
# cannot drift from the modules.
_HOMES = {
    "open_store": ("reelgraph.workflows", "open_store"),
    "LocalStore": ("reelgraph.store", "LocalStore"),
    "load": ("reelgraph.workflows", "load"),
    "LoadResult": ("reelgraph.workflows", "LoadResult"),
    "read_sources": ("reelgraph.loaders", "read_sources"),
    "SAMPLE_SOURCES": ("reelgraph.loaders.sample", "SAMPLE_SOURCES"),
    "FilmGraph": ("reelgraph.model", "FilmGraph"),
    "open_mirror": ("reelgraph.workflows", "open_mirror"),
    "build_mirror": ("reelgraph.mirror", "build_mirror"),
    "Mirror": ("reelgraph.mirror", "Mirror"),
    "resolve_person": ("reelgraph.names", "resolve_person"),
    "resolve_film": ("reelgraph.names", "resolve_film"),
    "describe_person": ("reelgraph.names", "describe_person"),
    "describe_film": ("reelgraph.names", "describe_film"),
    "graph_stats": ("reelgraph.analysis.stats", "graph_stats"),
    "costar_path": ("reelgraph.analysis.paths", "costar_path"),
    "film_path": ("reelgraph.analysis.paths", "film_path"),
    "bacon_numbers": ("reelgraph.analysis.paths", "bacon_numbers"),
    "best_centres": ("reelgraph.analysis.paths", "best_centres"),
    "farthest_people": ("reelgraph.analysis.paths", "farthest_people"),
    "similar_films": ("reelgraph.analysis.similarity", "similar_films"),
    "similarity_graph": ("reelgraph.analysis.similarity", "similarity_graph"),
    "evaluate_similarity": ("reelgraph.analysis.evaluation", "evaluate_similarity"),
    "cluster_films": ("reelgraph.analysis.clusters", "cluster_films"),
    "cluster": ("reelgraph.workflows", "cluster"),
    "view": ("reelgraph.views", "view"),
    "neighbourhood_view": ("reelgraph.views", "neighbourhood_view"),
    "path_view": ("reelgraph.views", "path_view"),
    "cluster_view": ("reelgraph.views", "cluster_view"),
    "more_like_this_view": ("reelgraph.views", "more_like_this_view"),
    "write_html": ("reelgraph.views", "write_html"),
    "show_inline": ("reelgraph.views", "show_inline"),
    "export_graph": ("reelgraph.export", "export_graph"),
    "Neo4jSettings": ("reelgraph.neo4j.sync", "Neo4jSettings"),
    "connect": ("reelgraph.neo4j.sync", "connect"),
    "load_neo4j": ("reelgraph.neo4j.bulk", "load_graph"),
    "cypher": ("reelgraph.neo4j.sync", "run_cypher"),
    "read_neo4j": ("reelgraph.neo4j.read", "read_graph"),
    "example_queries": ("reelgraph.neo4j.queries", "example_queries"),
    "demo": ("reelgraph.workflows", "demo"),
    "ReelgraphError": ("reelgraph.errors", "ReelgraphError"),
    "InputError": ("reelgraph.errors", "InputError"),
    "StoreError": ("reelgraph.errors", "StoreError"),
    "NameNotFoundError": ("reelgraph.errors", "NameNotFoundError"),
    "AmbiguousNameError": ("reelgraph.errors", "AmbiguousNameError"),
    "Neo4jUnavailableError": ("reelgraph.errors", "Neo4jUnavailableError"),
    "ReadOnlyQueryError": ("reelgraph.errors", "ReadOnlyQueryError"),
    "NoCreditError": ("reelgraph.errors", "NoCreditError"),
    "TooBigError": ("reelgraph.errors", "TooBigError"),
}


def __getattr__(name: str):
    # PEP 562: import a public name's module on first use (numba, pyvis and
    # the Neo4j driver take seconds to import; most commands need one of them).
    try:
        module, attribute = _HOMES[name]
    except KeyError:
        raise AttributeError(f"module 'reelgraph' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
