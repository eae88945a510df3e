"""The "More like this" view: films and IMDb's recommendations between them, as arrows.

Examples
--------
>>> import networkx as nx
>>> S = nx.DiGraph()
>>> S.add_edge("tt0000001", "tt0000002", rank=1)
>>> S.add_edge("tt0000002", "tt0000001", rank=3)
>>> view = more_like_this_view(S)
>>> view.title, [e["arrows"] for e in view.edges]
('More like this: 2 films, 1 link', ['to, from'])
"""

from __future__ import annotations

import networkx as nx
from reelgraph.views._builder import Builder
from reelgraph.views._layout import components, grouped_start, place_leftovers, radial_start
from reelgraph.views._select import check_limits, priority, require, select_rings
from reelgraph.views._source import Source
from reelgraph.views._values import cluster_key, label_of, plural, sort_key
from reelgraph.views.view_object import View

__all__ = ["more_like_this_view"]


def more_like_this_view(
    mirror_or_similar_graph,
    centre_id=None,
    *,
    depth: int = 2,
    max_nodes: int = 2000,
    colour_by: str | None = None,
    size_by: str | None = "degree",
    title: str | None = None,
    cluster_names=None,
    chain=None,
) -> View:
    """The "More like this" graph: films and the links between them (arrows point to the film recommended).

    Parameters
    ----------
    mirror_or_similar_graph
        The mirror (its ``graph["similar"]``, or its film–film edges), or a
        graph of films and links on its own.
    centre_id : optional
        Only the films within ``depth`` links of this one (either way).
    max_nodes : int
        At most this many films: the nearest to the centre, or without a
        centre the most linked (then the most voted).
    colour_by : {"kind", "cluster"} or None
        None: by cluster when some film has one, else by kind.
    cluster_names : optional
        The names ``reelgraph clusters`` prints, for the legend, the tooltips and
        the cluster filter: ``{cluster id: name}``, ``ClusterResult.clusters``
        or the ClusterResult (without them a cluster is called "cluster <id>").
    chain : sequence of str, optional
        Ids of a chain (films linked by "More like this", or a co-star
        path): its nodes and steps are added to the view and the page offers
        to highlight it.

    Examples
    --------
    >>> import reelgraph as rg
    >>> mirror = rg.build_mirror(rg.read_sources(rg.SAMPLE_SOURCES))
    >>> more_like_this_view(mirror, "tt1334260", depth=1).shown
    13
    """
    check_limits(max_nodes, depth)
    src = Source(mirror_or_similar_graph)
    S = _similar_graph(src)
    if centre_id is not None:
        require(src, centre_id)

        def neighbours(n):
            return Source.adjacent(S, n)

        rings, parents, total = select_rings(src, centre_id, depth, max_nodes, True, neighbours)
        kept = [n for ring in rings for n in ring]
    else:
        linked = [n for n in S.nodes if S.degree(n) > 0]
        total = len(linked)
        if total > max_nodes:
            ranked = sorted(linked, key=lambda n: (-S.degree(n),) + priority(src, n)[:1] + (sort_key(n),))
            kept = ranked[:max_nodes]
        else:
            kept = sorted(linked, key=sort_key)
    if colour_by is None:
        colour_by = "cluster" if any(cluster_key(src.attrs(n).get("cluster")) is not None for n in kept) else "kind"
    b = Builder(src, colour_by=colour_by, size_by=size_by, cluster_names=cluster_names)
    for node in kept:
        b.add(node)
    if centre_id is not None:
        b.emphasis[centre_id] = "centre"
    keep = set(kept)
    # in the view's order: a cut subgraph lists its edges in the order of a (salted) set of nodes
    for u, v, data in b.in_view_order(S.subgraph(keep).edges(data=True), S.is_directed()):
        b.link(u, v, "similar", directed=S.is_directed(), attrs=dict(data))
    if chain is not None:
        b.add_chain(chain)
    if centre_id is not None:
        b.positions.update(radial_start(src, rings, parents, len(b.order)))
        if chain is not None:
            place_leftovers(b)  # the chain's nodes beyond the rings
    else:
        # films of one cluster start together (each cluster a disc), otherwise each connected part
        b.positions.update(grouped_start(b, _by_cluster(b) if colour_by == "cluster" else components(b)))
    omitted = total - len(kept)
    note = None
    if omitted:
        where = f"within {plural(depth, 'link')} of {label_of(centre_id, src.attrs(centre_id))}" if centre_id is not None else "with links"
        note = f"Showing {len(kept):,} of {total:,} films {where}: {omitted:,} left out (max_nodes={max_nodes})."
    if title is None:
        if centre_id is not None:
            title = f"More like this around {label_of(centre_id, src.attrs(centre_id))}"
        else:
            title = f"More like this: {plural(len(kept), 'film')}, {plural(len(b.edges), 'link')}"
    return b.build(title=title, kind="more_like_this", note=note, omitted=omitted)


def _by_cluster(b: Builder) -> list[list]:
    """The view's films grouped by cluster, biggest first; the films in no cluster last, together."""
    groups: dict = {}
    for node in b.order:
        groups.setdefault(b.cluster(node), []).append(node)
    clustered = sorted((c for c in groups if c is not None), key=lambda c: (-len(groups[c]), sort_key(c)))
    return [groups[c] for c in clustered] + ([groups[None]] if None in groups else [])


def _similar_graph(src: Source) -> nx.Graph:
    """The "More like this" links: ``G.graph["similar"]``, else the film–film edges of the graph."""
    if src.S is not None:
        return src.S
    G = src.G
    films = [n for n, a in G.nodes(data=True) if src.kind(n, a) == "film"]
    return G.subgraph(films)
