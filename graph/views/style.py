"""How a view looks and moves: colours, shapes, sizes, the legend and vis-network's options.

Shape by kind (film: dot, person: diamond, genre: square), colour by kind or
by cluster, size by degree or rating.  A film known only by title (a *stub*)
is drawn hollow with a dashed border.  Every colour here is one of the
constants below or mixed from them, so none comes from the data.

A cluster's colour comes from its id alone (:func:`cluster_colour`), so
cluster 2 has the same colour in every view, page and notebook, and the
cluster palette keeps away from the colours of the node kinds.

The functions that read a view being built take its
:class:`~reelgraph.views._builder.Builder` (``b``): its nodes in drawing
order (``b.order``), their kind and attributes (``b.info``), its edges
(``b.edges``) and the choices ``b.colour_by`` and ``b.size_by``.

Examples
--------
>>> KIND_STYLES["person"]["shape"], darker("#FFFFFF"), lighter("#000000")
('diamond', '#A6A6A6', '#4C4C4C')
>>> cluster_colour(2) == CLUSTER_COLOURS[2], cluster_colour("Noir") == cluster_colour("Noir")
(True, True)
>>> network_options(2000)["physics"]["stabilization"]["iterations"]
100
"""

from __future__ import annotations

import math
import zlib

from reelgraph.views._values import as_number, is_missing, sort_key

__all__ = [
    "KIND_STYLES",
    "EDGE_STYLES",
    "CLUSTER_COLOURS",
    "NO_CLUSTER_COLOUR",
    "STUB_FILL",
    "darker",
    "lighter",
    "node_colours",
    "is_stub",
    "cluster_colour",
    "cluster_palette",
    "node_sizes",
    "legend",
    "network_options",
    "PLAIN_EDGES_FROM",
    "plain_edges",
]

#: Views of more nodes than this draw every edge as a plain line: no dashes, no arrowheads.  In headless
#: Chromium a dashed line costs about four plain ones (each is a canvas save, setLineDash and restore),
#: an arrowhead about one more: at 10,000 nodes and 34,000 edges one still frame took 2.9 s with
#: them and 0.5 s without.  "More like this" links keep their own colour; their direction stays in
#: their tooltips.
PLAIN_EDGES_FROM = 3000


def plain_edges(n_nodes: int) -> bool:
    """Whether a view of ``n_nodes`` nodes draws its edges as plain lines (see :data:`PLAIN_EDGES_FROM`).

    Examples
    --------
    >>> plain_edges(3000), plain_edges(3001)
    (False, True)
    """
    return n_nodes > PLAIN_EDGES_FROM


#: Colour and shape of each node kind (shape names are vis-network's).
KIND_STYLES = {
    "film": {"colour": "#4C78A8", "border": "#2F4B6E", "shape": "dot", "label": "film"},
    "person": {"colour": "#F58518", "border": "#A85A0C", "shape": "diamond", "label": "person"},
    "genre": {"colour": "#54A24B", "border": "#356B2F", "shape": "square", "label": "genre"},
    "other": {"colour": "#9D9D9D", "border": "#666666", "shape": "triangle", "label": "other"},
}

#: Colour, dashes and legend text of each kind of edge.
EDGE_STYLES = {
    "credit": {"colour": "#A7B1BC", "dashes": False, "label": "credit (person \u2013 film)"},
    "similar": {"colour": "#6F9FD8", "dashes": True, "label": "more like this"},
    "genre": {"colour": "#9CCB95", "dashes": [2, 4], "label": "in genre"},
    "link": {"colour": "#BBBBBB", "dashes": False, "label": "link"},
    "missing": {"colour": "#D1242F", "dashes": [6, 4], "label": "no direct link in the graph"},
}

#: Colours of clusters: cluster ``c`` (an int) gets ``CLUSTER_COLOURS[c % 12]``.  Chosen apart from
#: :data:`KIND_STYLES`' blue, orange, green and grey (no film-blue or person-orange cluster), and
#: the first ones (the biggest clusters: ``reelgraph clusters`` numbers them by size) apart from each other.
CLUSTER_COLOURS = (
    "#E45756", "#72B7B2", "#B279A2", "#EECA3B", "#9D755D", "#FF9DA6",
    "#17BECF", "#5F4690", "#BCBD22", "#A6761D", "#8F2D56", "#1B9E77",
)
#: Films with no cluster, when colouring by cluster.
NO_CLUSTER_COLOUR = "#C8C8C8"
#: The fill of a stub film: hollow.
STUB_FILL = "#FFFFFF"


def _mix(colour: str, other: tuple, amount: float) -> str:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    r, g, b = (round(c + (o - c) * amount) for c, o in zip((r, g, b), other))
    return f"#{r:02X}{g:02X}{b:02X}"


def darker(colour: str) -> str:
    """``colour`` (``#RRGGBB``) 35% of the way to black: the border of a fill."""
    return _mix(colour, (0, 0, 0), 0.35)


def lighter(colour: str) -> str:
    """``colour`` (``#RRGGBB``) 30% of the way to white: a fill under the pointer."""
    return _mix(colour, (255, 255, 255), 0.3)


def is_stub(kind: str, attrs) -> bool:
    """Whether a node is a film known only by title (drawn hollow, dashed)."""
    return kind == "film" and bool(attrs.get("stub")) and not is_missing(attrs.get("stub"))


def node_colours(fill: str, border: str, stub: bool) -> dict:
    """vis-network's ``color`` of a node: its fill and border, lighter on hover; a stub is hollow.

    Examples
    --------
    >>> node_colours("#000000", "#111111", stub=True)["background"]
    '#FFFFFF'
    """
    hover = {"background": lighter(fill) if not stub else STUB_FILL, "border": "#1F2328"}
    return {
        "background": STUB_FILL if stub else fill,
        "border": border if not stub else fill,
        "highlight": dict(hover),
        "hover": dict(hover),
    }


def cluster_colour(cluster) -> str:
    """The colour of a cluster, from its id alone: the same in every view.

    An integer id ``c`` gets ``CLUSTER_COLOURS[c % len(CLUSTER_COLOURS)]``;
    any other id (a name) a colour picked by its CRC-32, which, unlike
    Python's ``hash``, is the same in every run.

    Examples
    --------
    >>> cluster_colour(0), cluster_colour(12), cluster_colour(1)
    ('#E45756', '#E45756', '#72B7B2')
    """
    if isinstance(cluster, int) and not isinstance(cluster, bool):
        index = cluster
    else:
        index = zlib.crc32(str(cluster).encode("utf-8"))
    return CLUSTER_COLOURS[index % len(CLUSTER_COLOURS)]


def cluster_palette(clusters) -> tuple[dict, list, dict]:
    """``(colours, order, counts)`` of the clusters of a view's films (one entry per film, None for none).

    ``order`` is the legend's: the biggest cluster first.  Colours come from
    the cluster ids (:func:`cluster_colour`), not from this order.

    Examples
    --------
    >>> colours, order, counts = cluster_palette([2, 2, 1, None])
    >>> order, counts, colours[2] == cluster_colour(2)
    ([2, 1], {2: 2, 1: 1}, True)
    """
    counts: dict = {}
    for c in clusters:
        if c is not None:
            counts[c] = counts.get(c, 0) + 1
    order = sorted(counts, key=lambda c: (-counts[c], sort_key(c)))
    colours = {c: cluster_colour(c) for c in order}
    return colours, order, counts


def node_sizes(b) -> dict:
    """``{node: value}`` that vis-network scales node sizes by: sqrt(degree), the rating, or all alike."""
    if b.size_by == "degree":
        return {n: round(math.sqrt(b.src.degree(n) if n in b.src else _view_degree(b, n)), 3) for n in b.order}
    if b.size_by == "rating":
        ratings = {n: as_number(b.info[n]["attrs"].get("rating")) for n in b.order if b.info[n]["kind"] == "film"}
        known = sorted(r for r in ratings.values() if r is not None)
        # films with no rating are drawn as the lowest-rated, other nodes as the median film
        low = known[0] if known else 1.0
        middle = known[len(known) // 2] if known else 5.0
        return {n: (ratings.get(n) if ratings.get(n) is not None else low) if n in ratings else middle for n in b.order}
    return {n: 1 for n in b.order}


def _view_degree(b, node) -> int:
    return sum(1 for e in b.edges.values() if node in (e["u"], e["v"]))


def legend(b, palette) -> list:
    """The legend of a view: ``{"label", "shape", "colour"[, "border", "dashed"]}`` per entry.

    One entry per kind of node and kind of edge the view shows, stubs, and
    with colour by cluster the (at most 20) biggest clusters, each named as
    ``reelgraph clusters`` names it when the view knows the names
    (``b.cluster_name``) and carrying its id (``"cluster"``: the page makes
    the entry a button that shows only that cluster).  ``palette`` is
    :func:`cluster_palette`'s answer, or None when not colouring by cluster.
    """
    entries = []
    kinds_present = []
    for node in b.order:
        k = b.info[node]["kind"]
        if k not in kinds_present:
            kinds_present.append(k)
    order = [k for k in ("film", "person", "genre", "other") if k in kinds_present]
    for k in order:
        style = KIND_STYLES[k]
        colour, border = style["colour"], style["border"]
        label = style["label"]
        if k == "film" and b.colour_by == "cluster":
            colour, border, label = "#FFFFFF", "#57606A", "film (colour: cluster)"
        entries.append({"label": label, "shape": style["shape"], "colour": colour, "border": border})
    if any(is_stub(b.info[n]["kind"], b.info[n]["attrs"]) for n in b.order):
        entries.append({"label": "film known only by title", "shape": "dot", "colour": STUB_FILL, "border": KIND_STYLES["film"]["colour"], "dashed": True})
    if b.colour_by == "cluster" and palette and palette[0]:
        colours, cluster_order, counts = palette
        shown = cluster_order[:20]
        for c in shown:
            count = counts[c]
            entries.append({"label": f"{b.cluster_name(c)} ({count:,} film{'s' if count != 1 else ''})", "shape": "dot",
                            "colour": colours[c], "cluster": c})
        rest = len(cluster_order) - len(shown)
        if rest > 0:
            entries.append({"label": f"+{rest:,} more clusters (colours repeat)", "shape": "dot", "colour": "#FFFFFF", "border": "#8C959F"})
        if any(b.info[n]["kind"] == "film" and b.cluster(n) is None for n in b.order):
            entries.append({"label": "no cluster", "shape": "dot", "colour": NO_CLUSTER_COLOUR})
    edge_kinds = []
    for edge in b.edges.values():
        key = (edge["kind"], edge["directed"])
        if key not in edge_kinds:
            edge_kinds.append(key)
    plain = plain_edges(len(b.order))
    for kind in ("credit", "similar", "genre", "link", "missing"):
        for directed in (False, True):
            if (kind, directed) in edge_kinds:
                style = EDGE_STYLES[kind]
                if plain:  # drawn as plain lines (see PLAIN_EDGES_FROM)
                    if (kind, not directed) in edge_kinds and directed:
                        continue  # one entry for the kind
                    entries.append({"label": style["label"], "shape": "line", "colour": style["colour"]})
                    continue
                shape = ("dashed-" if style["dashes"] else "") + ("arrow" if directed else "line")
                entries.append({"label": style["label"], "shape": shape, "colour": style["colour"]})
    return entries


def network_options(n_nodes: int, *, physics: bool = True) -> dict:
    """vis-network options: bounded stabilisation, lighter drawing for big views.

    The nodes start from positions computed in Python (:mod:`reelgraph.views._layout`),
    so physics only polishes: a few hundred iterations on a small view, 100 on
    a big one, with a coarser Barnes-Hut approximation (``theta``) past 500
    nodes; the page turns physics off when they are done.
    """
    big = n_nodes > 300
    if n_nodes <= 100:
        iterations, theta, spring, gravity, overlap = 300, 0.5, 190, -6000, 0.6
    elif n_nodes <= 300:
        iterations, theta, spring, gravity, overlap = 200, 0.8, 130, -4000, 0.3
    elif n_nodes <= 500:
        iterations, theta, spring, gravity, overlap = 200, 0.8, 95, -3000, 0
    else:
        iterations, theta, spring, gravity, overlap = 100, 1.2, 80, -2500, 0
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "physics": {
            "enabled": bool(physics),
            "solver": "barnesHut",
            "barnesHut": {
                "theta": theta,
                "gravitationalConstant": gravity,
                "centralGravity": 0.1 if not big else 0.15,
                "springLength": spring,
                "springConstant": 0.04,
                "damping": 0.4,
                "avoidOverlap": overlap,
            },
            "stabilization": {"enabled": True, "iterations": iterations, "updateInterval": 25, "fit": True},
            "minVelocity": 1.5,
            "maxVelocity": 40,
            "timestep": 0.5,
            "adaptiveTimestep": True,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
            "navigationButtons": False,
            "keyboard": False,
            "multiselect": False,
        },
        "nodes": {
            "borderWidth": 1.5,
            "font": {"size": 14, "face": "system-ui, Arial, sans-serif", "color": "#24292F", "strokeWidth": 3, "strokeColor": "#FFFFFF"},
            "scaling": {"min": 9 if not big else 6, "max": 34 if not big else 26, "label": {"enabled": False, "drawThreshold": 7, "maxVisible": 20}},
        },
        "edges": {
            # straight lines for big views (cheaper) and fixed layouts (labels at the middle)
            "smooth": {"enabled": True, "type": "continuous", "roundness": 0.25} if not big and physics else False,
            "width": 1,
            "selectionWidth": 2,
            "hoverWidth": 0.5,
            "font": {"size": 12, "align": "horizontal", "color": "#24292F", "background": "#FFFFFF", "strokeWidth": 0},
        },
    }
