"""Which nodes a view keeps: the nearest first, the best-known first, within ``max_nodes``.

Private helper of :mod:`reelgraph.views`.  A view of a large graph must be
cut; the cut keeps what a person looking for a film or an actor expects:
the rings nearest the centre, and inside a ring the best-billed people, the
most-voted films and the best-connected nodes, taken from each kind (or
each cluster) in turn so that no kind crowds the others out.

Examples
--------
>>> round_robin([["a1", "a2", "a3"], ["b1"]], 3)
['a1', 'b1', 'a2']
"""

from __future__ import annotations

from reelgraph.errors import NameNotFoundError
from reelgraph.views._source import Source
from reelgraph.views._values import as_number, label_of

__all__ = ["check_limits", "require", "priority", "round_robin", "select_rings"]


def check_limits(max_nodes, depth=None):
    """Raise ValueError unless ``max_nodes`` is a positive integer and ``depth`` (if given) a non-negative one."""
    if not isinstance(max_nodes, int) or isinstance(max_nodes, bool) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive integer, not {max_nodes!r}")
    if depth is not None and (not isinstance(depth, int) or isinstance(depth, bool) or depth < 0):
        raise ValueError(f"depth must be a non-negative integer, not {depth!r}")


def require(src: Source, node):
    """Raise NameNotFoundError unless ``node`` is in the graph."""
    if node not in src:
        raise NameNotFoundError("film or person", str(node))


def priority(src: Source, node, parents=()) -> tuple:
    """Sort key within one ring: best-billed people, most-voted films, best-connected first."""
    attrs = src.attrs(node)
    kind = src.kind(node, attrs)
    degree = src.degree(node)
    label = label_of(node, attrs)
    if kind == "person":
        billing = None
        for p in parents:
            data = src.edge_attrs(node, p)
            b = as_number(data.get("billing")) if data else None
            if b is not None and (billing is None or b < billing):
                billing = b
        return (billing if billing is not None else 10**9, -degree, label)
    if kind == "film":
        votes = as_number(attrs.get("votes"))
        return (-(votes or 0), -degree, label)
    return (-degree, label)


def round_robin(groups: list[list], budget: int) -> list:
    """Take from each list in turn (each already best-first) until ``budget`` items."""
    out = []
    index = 0
    while len(out) < budget and any(index < len(g) for g in groups):
        for g in groups:
            if index < len(g) and len(out) < budget:
                out.append(g[index])
        index += 1
    return out


def select_rings(src: Source, centre, depth: int, max_nodes: int, similar: bool, neighbours=None):
    """Nodes within ``depth`` steps of ``centre``, nearest first, at most ``max_nodes``.

    Returns ``(rings, parents, total)``: the kept nodes ring by ring (the
    centre alone first), each node's linked nodes in the ring before, and how
    many nodes lie within ``depth`` in all.
    When the limit bites, each ring keeps only nodes linked to a kept node of
    the ring before, taking people (by billing), films (by votes) and others
    (by degree) in turn, so a film's view keeps both its cast and its "More
    like this" films.
    """
    neighbours = neighbours or (lambda n: src.neighbours(n, similar))
    dist = {centre: 0}
    parents: dict = {}
    rings = [[centre]]
    frontier = [centre]
    for d in range(1, depth + 1):
        ring = []
        for u in frontier:
            for v in neighbours(u):
                if v not in dist:
                    dist[v] = d
                    parents[v] = [u]
                    ring.append(v)
                elif dist[v] == d:
                    parents[v].append(u)
        if not ring:
            break
        rings.append(ring)
        frontier = ring
    total = len(dist)
    if total <= max_nodes:
        return rings, parents, total
    kept_rings = [[centre]]
    kept_set = {centre}
    for ring in rings[1:]:
        budget = max_nodes - len(kept_set)
        if budget <= 0:
            break
        by_kind: dict = {}
        for v in ring:
            linked = [p for p in parents[v] if p in kept_set]
            if linked:
                by_kind.setdefault(src.kind(v), []).append((priority(src, v, linked), v))
        groups = []
        for kind in ("person", "film", "genre", "other"):
            if kind in by_kind:
                groups.append([v for _, v in sorted(by_kind[kind], key=lambda item: item[0])])
        chosen = round_robin(groups, budget)
        if not chosen:
            break
        kept_rings.append(chosen)
        kept_set.update(chosen)
    return kept_rings, parents, total
