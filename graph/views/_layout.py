"""Starting positions for the views, computed in Python.

Private helper of :mod:`reelgraph.views`.  vis-network's physics only polishes a
layout for a bounded number of iterations, so where the nodes start is most
of where they end: a random start needs hundreds of iterations on a big
view, a good one a few dozen.  Two layouts, both deterministic and linear in
the number of nodes:

* :func:`radial`: the centre in the middle, each ring of the neighbourhood
  in an annulus around it (as large as its number of nodes needs), each
  node at the angle of its parents, so a film's cast and its own films sit
  on the same side;
* :func:`grouped`: one disc per group (cluster or connected component),
  biggest first, packed in rows; inside a disc the nodes follow a sunflower
  spiral in breadth-first order, so linked nodes are near each other.

A big view (more than :data:`FORCE_LAYOUT_FROM` nodes) is then laid out
whole in Python by :func:`force_layout` (igraph's Fruchterman-Reingold,
started from those positions; up to :data:`FORCE_LAYOUT_UPTO` nodes), so
the browser draws a finished picture instead of simulating thousands of
nodes: its structure shows, and it is still at once.

The functions at the end apply them to a view being built (a
:class:`~reelgraph.views._builder.Builder` ``b``: its nodes ``b.order``,
edges ``b.edges`` and the ``b.positions`` they fill in).
"""

from __future__ import annotations

import math

from reelgraph.views._select import priority

__all__ = ["FORCE_LAYOUT_FROM", "FORCE_LAYOUT_UPTO", "force_layout", "spacing_for", "radial", "grouped", "bfs_order", "radial_start", "grouped_start", "components", "place_leftovers", "view_adjacency"]

#: Views with more nodes than this are laid out in Python and drawn without physics: by
#: :func:`force_layout` up to :data:`FORCE_LAYOUT_UPTO` nodes, past it as they start (its long
#: edges made every frame of a 10,000-node view twice as slow to draw, and took seconds here).
FORCE_LAYOUT_FROM = 300
FORCE_LAYOUT_UPTO = 5000

_GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))
_GOLDEN_FRACTION = (math.sqrt(5.0) - 1.0) / 2.0
_STRETCH = 1.45


def spacing_for(n_nodes: int) -> float:
    """Distance between neighbouring nodes at the start, in vis-network units."""
    if n_nodes <= 60:
        return 140.0
    if n_nodes <= 300:
        return 75.0
    return 48.0


def _circular_mean(angles) -> float | None:
    angles = list(angles)
    if not angles:
        return None
    s = sum(math.sin(a) for a in angles)
    c = sum(math.cos(a) for a in angles)
    if abs(s) < 1e-12 and abs(c) < 1e-12:
        return angles[0]
    return math.atan2(s, c)


def radial(rings: list[list], parents: dict, spacing: float) -> dict:
    """``{node: (x, y)}``: ``rings[0]`` is ``[centre]``, ``parents[v]`` the nodes of the ring before linked to ``v``.

    Examples
    --------
    >>> pos = radial([["c"], ["a", "b"]], {"a": ["c"], "b": ["c"]}, 100.0)
    >>> pos["c"], round(math.dist(pos["a"], pos["c"])) == round(math.dist(pos["b"], pos["c"]))
    ((0.0, 0.0), True)
    """
    positions: dict = {}
    angle: dict = {}
    if not rings or not rings[0]:
        return positions
    centre = rings[0][0]
    positions[centre] = (0.0, 0.0)
    angle[centre] = 0.0
    r_prev = 0.0
    for depth, ring in enumerate(rings[1:], start=1):
        k = len(ring)
        if not k:
            continue
        if depth == 1:
            ordered = list(ring)
        else:
            desired = {}
            for i, v in enumerate(ring):
                mean = _circular_mean(angle[p] for p in parents.get(v, ()) if p in angle)
                desired[v] = ((mean if mean is not None else 0.0) % (2 * math.pi), i)
            ordered = sorted(ring, key=lambda v: desired[v])
        r_in = r_prev + spacing * (1.6 if depth == 1 else 1.2)
        r_circle = k * spacing / (2 * math.pi)
        if r_circle <= r_in or k <= 48:
            # one circle is enough: no two nodes closer than ``spacing``
            r_in = max(r_in, r_circle)
            r_out = r_in
        else:
            r_out = math.sqrt(r_in * r_in + k * spacing * spacing / math.pi)
        band = r_out - r_in
        # ring 1 starts at the left so the first group (people) sits on the left
        offset = math.pi if depth == 1 else (desired[ordered[0]][0] if k else 0.0)
        for i, v in enumerate(ordered):
            a = offset + 2 * math.pi * (i + 0.5) / k
            frac = (i * _GOLDEN_FRACTION) % 1.0 if band > spacing * 0.75 else 0.0
            r = r_in + band * frac
            # an ellipse rather than a circle: pages are wider than they are tall
            positions[v] = (round(_STRETCH * r * math.cos(a), 1), round(r * math.sin(a), 1))
            angle[v] = a
        r_prev = r_out
    return positions


def bfs_order(nodes: list, adjacency: dict, degree=None) -> list:
    """``nodes`` in breadth-first order from the best-connected one, component by component."""
    members = set(nodes)
    degree = degree or (lambda n: len(adjacency.get(n, ())))
    index = {n: i for i, n in enumerate(nodes)}
    starts = sorted(nodes, key=lambda n: (-degree(n), index[n]))
    seen: set = set()
    out = []
    for start in starts:
        if start in seen:
            continue
        seen.add(start)
        queue = [start]
        head = 0
        while head < len(queue):
            u = queue[head]
            head += 1
            out.append(u)
            for v in sorted((v for v in adjacency.get(u, ()) if v in members and v not in seen), key=lambda v: (-degree(v), index[v])):
                seen.add(v)
                queue.append(v)
    return out


def grouped(groups: list[list], spacing: float) -> dict:
    """``{node: (x, y)}``: one sunflower disc per group (each already in the order to place, centre first)."""
    discs = []
    c = spacing * 0.56
    for group in groups:
        pts = []
        for i, _ in enumerate(group):
            r = c * math.sqrt(i + 0.5) if len(group) > 1 else 0.0
            a = i * _GOLDEN_ANGLE
            pts.append((r * math.cos(a), r * math.sin(a)))
        radius = c * math.sqrt(len(group) + 0.5) + spacing * 0.6
        discs.append((group, pts, radius))
    if not discs:
        return {}
    area = sum((2 * r) ** 2 for _, _, r in discs)
    width = max(max(2 * r for _, _, r in discs), math.sqrt(area) * 1.15)
    positions: dict = {}
    x = y = 0.0
    row_height = 0.0
    placed = []
    for group, pts, radius in discs:
        d = 2 * radius
        if x > 0 and x + d > width:
            x = 0.0
            y += row_height
            row_height = 0.0
        cx, cy = x + radius, y + radius
        placed.append((group, pts, cx, cy))
        x += d
        row_height = max(row_height, d)
    total_h = y + row_height
    shift_x, shift_y = width / 2, total_h / 2
    for group, pts, cx, cy in placed:
        for node, (px, py) in zip(group, pts):
            positions[node] = (round(cx + px - shift_x, 1), round(cy + py - shift_y, 1))
    return positions


# -- starting positions of a view being built ----------------------------------


def radial_start(src, rings, parents, n_nodes) -> dict:
    """Starting positions of a neighbourhood: ring 1 grouped by kind (people on the left)."""
    if len(rings) > 1:
        order = {"person": 0, "film": 1, "genre": 2, "other": 3}
        first = rings[1]
        rings = [rings[0], sorted(first, key=lambda v: (order.get(src.kind(v), 3), priority(src, v, parents.get(v, ()))))] + rings[2:]
    return radial(rings, parents, spacing_for(n_nodes))


def view_adjacency(b) -> dict:
    """``{node: [linked nodes]}`` over the edges of the view."""
    adjacency: dict = {n: [] for n in b.order}
    for edge in b.edges.values():
        adjacency[edge["u"]].append(edge["v"])
        adjacency[edge["v"]].append(edge["u"])
    return adjacency


def components(b) -> list[list]:
    """Connected components of the view, biggest first."""
    adjacency = view_adjacency(b)
    seen: set = set()
    found = []
    for start in b.order:
        if start in seen:
            continue
        seen.add(start)
        component, stack = [], [start]
        while stack:
            u = stack.pop()
            component.append(u)
            for v in adjacency[u]:
                if v not in seen:
                    seen.add(v)
                    stack.append(v)
        found.append(component)
    index = {n: i for i, n in enumerate(b.order)}
    return sorted(found, key=lambda c: (-len(c), min(index[n] for n in c)))


def grouped_start(b, groups) -> dict:
    """Starting positions: a disc per group, its nodes in breadth-first order from the best-connected."""
    adjacency = view_adjacency(b)
    ordered = [bfs_order(list(g), adjacency) for g in groups if g]
    return grouped(ordered, spacing_for(len(b.order)))


def place_leftovers(b):
    """Nodes without a starting position (genres): just outside the mean of their placed neighbours."""
    adjacency = view_adjacency(b)
    for node in b.order:
        if node in b.positions:
            continue
        placed = [b.positions[v] for v in adjacency[node] if v in b.positions]
        if placed:
            x = sum(p[0] for p in placed) / len(placed)
            y = sum(p[1] for p in placed) / len(placed)
            b.positions[node] = (round(x * 1.25 + 40, 1), round(y * 1.25 + 40, 1))


def force_layout(b) -> dict:
    """``{node: (x, y)}``: a force-directed layout of the whole view, from its starting positions.

    igraph's Fruchterman-Reingold with its grid (C code: about 0.2 s for
    2,000 nodes, where the exact version takes 2 s), started from
    ``b.positions`` and scaled to the area the view's nodes need at
    :func:`spacing_for`'s distance (as :func:`grouped`'s discs).  igraph's random numbers (it nudges nodes
    that meet) come from a generator seeded here: the same view gives the
    same layout.
    """
    import random

    import igraph

    n = len(b.order)
    index = {node: i for i, node in enumerate(b.order)}
    links = [(index[e["u"]], index[e["v"]]) for e in b.edges.values()]
    graph = igraph.Graph(n=n, edges=links)
    start = [list(b.positions.get(node, (0.0, 0.0))) for node in b.order]
    igraph.set_random_number_generator(random.Random(7))
    try:
        coords = graph.layout_fruchterman_reingold(seed=start, niter=200, grid=True).coords
    finally:
        igraph.set_random_number_generator(random)
    cx = sum(x for x, _ in coords) / max(n, 1)
    cy = sum(y for _, y in coords) / max(n, 1)
    # a disc of radius R holding n nodes ``spacing`` apart has R = 0.56 * spacing * sqrt(n) and an
    # RMS radius of R / sqrt(2); a little more room (1.3) for the labels
    rms = math.sqrt(sum((x - cx) ** 2 + (y - cy) ** 2 for x, y in coords) / max(n, 1)) or 1.0
    factor = 1.3 * 0.56 * spacing_for(n) * math.sqrt(n) / math.sqrt(2) / rms
    return {node: (round((x - cx) * factor, 1), round((y - cy) * factor, 1)) for node, (x, y) in zip(b.order, coords)}
