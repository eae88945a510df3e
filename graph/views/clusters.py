"""The cluster view: films coloured by cluster, with the "More like this" links between them.

Examples
--------
>>> import networkx as nx
>>> G = nx.Graph()
>>> for film, cluster in [("tt0000001", 0), ("tt0000002", 0), ("tt0000003", 1)]:
...     G.add_node(film, kind="film", label=film, cluster=cluster)
>>> view = cluster_view(G)
>>> view.title, [entry["label"] for entry in view.legend][1:]
('Clusters: 2 clusters, 3 films', ['cluster 0 (2 films)', 'cluster 1 (1 film)'])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from reelgraph.views._builder import Builder
from reelgraph.views._layout import grouped_start
from reelgraph.views._select import check_limits, priority, round_robin
from reelgraph.views._source import Source
from reelgraph.views._values import cluster_key, plural, sort_key
from reelgraph.views.view_object import View

__all__ = ["cluster_view"]


def cluster_view(
    mirror,
    clusters=None,
    *,
    max_nodes: int = 2000,
    size_by: str | None = "degree",
    title: str | None = None,
    cluster_names=None,
) -> View:
    """Films coloured by cluster, with the "More like this" links between them.

    Parameters
    ----------
    clusters : optional
        The assignment: ``{film id: cluster}``, ``{cluster: [film ids]}``, a
        sequence of collections of film ids (as :mod:`networkx.community`
        returns them; cluster ``i`` is the ``i``-th), or None for the
        ``cluster`` attribute of the film nodes.
    max_nodes : int
        At most this many films: taken from every cluster in turn, the
        most-voted first, so small clusters stay whole.
    cluster_names : optional
        The names ``reelgraph clusters`` prints, for the legend, the tooltips and
        the cluster filter: ``{cluster id: name}``, ``ClusterResult.clusters``
        or the ClusterResult (without them a cluster is called "cluster <id>").

    Examples
    --------
    >>> import reelgraph as rg
    >>> mirror = rg.build_mirror(rg.read_sources(rg.SAMPLE_SOURCES))
    >>> clusters = rg.cluster_films(rg.similarity_graph(mirror), seed=0)
    >>> cluster_view(mirror, clusters.membership).title
    'Clusters: 4 clusters, 30 films'
    """
    check_limits(max_nodes)
    src = Source(mirror)
    assignment = _cluster_assignment(src, clusters)
    present = {f: c for f, c in assignment.items() if f in src}
    unknown = len(assignment) - len(present)
    by_cluster: dict = {}
    for film, c in present.items():
        by_cluster.setdefault(c, []).append(film)
    ordered = sorted(by_cluster, key=lambda c: (-len(by_cluster[c]), sort_key(c)))
    groups = [sorted(by_cluster[c], key=lambda f: priority(src, f)) for c in ordered]
    total = len(present)
    kept = round_robin(groups, max_nodes) if total > max_nodes else [f for g in groups for f in g]
    b = Builder(src, colour_by="cluster", size_by=size_by, cluster_names=cluster_names)
    for film in kept:
        b.add(film)
        b.cluster_of[film] = present[film]
    b.link_all(similar=True)
    kept_set = set(kept)
    b.positions.update(grouped_start(b, [[f for f in g if f in kept_set] for g in groups]))
    omitted = total - len(kept)
    notes = []
    if omitted:
        notes.append(f"Showing {len(kept):,} of {total:,} films in {plural(len(ordered), 'cluster')}: {omitted:,} left out (max_nodes={max_nodes}).")
    if unknown:
        notes.append(f"{plural(unknown, 'id')} of the assignment not in the graph.")
    return b.build(
        title=title or f"Clusters: {plural(len(ordered), 'cluster')}, {plural(total, 'film')}",
        kind="cluster",
        note=" ".join(notes) or None,
        omitted=omitted,
        physics=False,  # the layout keeps each cluster's films together; physics would mix them again
    )


def _cluster_assignment(src: Source, clusters) -> dict:
    """``{film id: cluster}`` from any of the accepted shapes."""
    if clusters is None:
        out = {}
        for node, attrs in src.G.nodes(data=True):
            if src.kind(node, attrs) == "film":
                c = cluster_key(attrs.get("cluster"))
                if c is not None:
                    out[node] = c
        return out
    if not isinstance(clusters, Mapping) and hasattr(clusters, "items") and callable(clusters.items):
        clusters = dict(clusters.items())  # a pandas Series, for instance
    if isinstance(clusters, Mapping):
        values = list(clusters.values())
        if values and all(isinstance(v, Iterable) and not isinstance(v, (str, bytes)) for v in values):
            out = {}
            for c, films in clusters.items():
                for film in films:
                    out.setdefault(film, cluster_key(c) if cluster_key(c) is not None else str(c))
            return out
        return {film: cluster_key(c) for film, c in clusters.items() if cluster_key(c) is not None}
    if isinstance(clusters, Iterable) and not isinstance(clusters, (str, bytes)):
        out = {}
        for i, films in enumerate(clusters):
            if isinstance(films, (str, bytes)) or not isinstance(films, Iterable):
                raise TypeError("clusters as a sequence must hold collections of film ids, one per cluster")
            for film in films:
                out.setdefault(film, i)
        return out
    raise TypeError(f"clusters must be a mapping or a sequence of collections, not {type(clusters).__name__}")
