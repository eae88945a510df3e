"""The neighbourhood view: everything within ``depth`` steps of one film or person.

Examples
--------
>>> import networkx as nx
>>> G = nx.Graph()
>>> G.add_node("tt1334260", kind="film", label="Never Let Me Go", year=2010)
>>> G.add_node("nm1659547", kind="person", label="Carey Mulligan")
>>> G.add_edge("nm1659547", "tt1334260", roles=["actor"], characters=["Kathy"])
>>> view = neighbourhood_view(G, "tt1334260")
>>> view.title, view.shown, view.omitted
('Neighbourhood of Never Let Me Go (1 step)', 2, 0)
"""

from __future__ import annotations

from reelgraph.views._builder import Builder
from reelgraph.views._layout import place_leftovers, radial_start
from reelgraph.views._select import check_limits, require, select_rings
from reelgraph.views._source import Source
from reelgraph.views._values import label_of, plural
from reelgraph.views.view_object import View

__all__ = ["neighbourhood_view"]


def neighbourhood_view(
    mirror,
    centre_id,
    depth: int = 1,
    max_nodes: int = 300,
    *,
    similar: bool = True,
    genres: bool = False,
    colour_by: str = "kind",
    size_by: str | None = "degree",
    title: str | None = None,
    cluster_names=None,
    chain=None,
) -> View:
    """Everything within ``depth`` steps of one film or person.

    Parameters
    ----------
    mirror : networkx.Graph or object with ``.nx``
        The NetworkX mirror (see the module docstring).
    centre_id : str
        Id of the film or person in the middle.
    depth : int
        Steps from the centre (credits, and "More like this" links when
        ``similar``).
    max_nodes : int
        At most this many film and person nodes; the nearest are kept, and the
        page says how many were left out.
    similar : bool
        Follow "More like this" links as well as credits.
    genres : bool
        Add a node per genre of the films shown (on top of ``max_nodes``).
    colour_by : {"kind", "cluster"}
    size_by : {"degree", "rating", None}
    cluster_names : optional
        The names ``reelgraph clusters`` prints, for the legend, the tooltips and
        the cluster filter: ``{cluster id: name}``, ``ClusterResult.clusters``
        or the ClusterResult (without them a cluster is called "cluster <id>").
    chain : sequence of str, optional
        Ids of a chain (a ``PathResult.path``'s ``"id"`` values, say): its
        nodes and steps are added to the view (on top of ``max_nodes``) and
        the page offers to highlight it.

    Raises
    ------
    NameNotFoundError
        When the mirror has no node ``centre_id``, or no node of ``chain``.

    Examples
    --------
    >>> import reelgraph as rg
    >>> mirror = rg.build_mirror(rg.read_sources(rg.SAMPLE_SOURCES))
    >>> v = neighbourhood_view(mirror, "tt1334260")
    >>> v.shown, v.omitted
    (36, 0)
    >>> chain = [step["id"] for step in rg.costar_path(mirror, "Keira Knightley", "Sally Hawkins").path]
    >>> neighbourhood_view(mirror, "tt1334260", chain=chain).chain == chain
    True
    """
    check_limits(max_nodes, depth)
    src = Source(mirror)
    require(src, centre_id)
    rings, parents, total = select_rings(src, centre_id, depth, max_nodes, similar)
    kept = [n for ring in rings for n in ring]
    b = Builder(src, colour_by=colour_by, size_by=size_by, cluster_names=cluster_names)
    for node in kept:
        b.add(node)
    b.emphasis[centre_id] = "centre"
    b.link_all(similar=similar)
    if genres:
        b.add_genres()
    if chain is not None:
        b.add_chain(chain)
    b.positions.update(radial_start(src, rings, parents, len(b.order)))
    place_leftovers(b)
    omitted = total - len(kept)
    centre_label = label_of(centre_id, src.attrs(centre_id))
    steps = plural(depth, "step")
    note = None
    if omitted:
        note = f"Showing {len(kept):,} of {total:,} nodes within {steps} of {centre_label}: {omitted:,} left out (max_nodes={max_nodes})."
    return b.build(
        title=title or f"Neighbourhood of {centre_label} ({steps})",
        kind="neighbourhood",
        note=note,
        shown=len(b.order),
        omitted=omitted,
    )
