"""The graph as the views read it: nodes, their kinds, neighbours, degrees and edges.

Private helper of :mod:`reelgraph.views`.  A view takes the NetworkX mirror
(or an object with such an ``nx`` attribute, or a graph built by hand);
:class:`Source` hides the shapes it may come in: undirected or directed,
multigraph or not, "More like this" links in ``G.graph["similar"]`` or as
film–film edges, a cut-out carrying the whole graph's degrees in
``G.graph["degree"]``.

Examples
--------
>>> import networkx as nx
>>> G = nx.Graph()
>>> G.add_edge("nm0000001", "tt0000001", roles=["actor"])
>>> src = Source(G)
>>> src.kind("tt0000001"), list(src.neighbours("tt0000001")), src.degree("nm0000001")
('film', ['nm0000001'], 1)
"""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx
from reelgraph.views._values import as_number, as_texts
from reelgraph.views.style import KIND_STYLES

__all__ = ["Source", "merge_multi"]


class Source:
    """The mirror as the views read it: the main graph ``G`` and the "More like this" links ``S`` (or None)."""

    def __init__(self, graph):
        G = graph if isinstance(graph, nx.Graph) else getattr(graph, "nx", None)
        if not isinstance(G, nx.Graph):
            raise TypeError(f"expected a networkx graph (or a mirror with .nx), not {type(graph).__name__}")
        similar = G.graph.get("similar") if isinstance(getattr(G, "graph", None), dict) else None
        self.G = G
        self.S = similar if isinstance(similar, nx.Graph) else None

    def __contains__(self, node) -> bool:
        try:
            return node in self.G or (self.S is not None and node in self.S)
        except TypeError:  # unhashable
            return False

    def attrs(self, node) -> dict:
        out = dict(self.G.nodes[node]) if node in self.G else {}
        if self.S is not None and node in self.S:
            for key, value in self.S.nodes[node].items():
                out.setdefault(key, value)
        return out

    def kind(self, node, attrs=None) -> str:
        attrs = self.attrs(node) if attrs is None else attrs
        kind = attrs.get("kind")
        if isinstance(kind, str) and kind in KIND_STYLES:
            return kind
        if isinstance(node, str):
            if node.startswith(("tt", "title:")):
                return "film"
            if node.startswith(("nm", "name:")):
                return "person"
            if node.startswith("genre:"):
                return "genre"
        if self.S is not None and node in self.S and node not in self.G:
            return "film"
        return "other" if kind is not None else "film"

    @staticmethod
    def adjacent(graph, node):
        """Neighbours of ``node`` in ``graph``, both ways in a directed graph."""
        if node not in graph:
            return ()
        if graph.is_directed():
            return list(graph.successors(node)) + list(graph.predecessors(node))
        return graph.neighbors(node)

    def neighbours(self, node, similar=True):
        seen = set()
        for v in self.adjacent(self.G, node):
            if v not in seen:
                seen.add(v)
                yield v
        if similar and self.S is not None:
            for v in self.adjacent(self.S, node):
                if v not in seen:
                    seen.add(v)
                    yield v

    def degree(self, node) -> int:
        # A graph cut out of a larger one (Mirror.to_networkx(nodes=...)) says
        # each node's degree in the whole graph: its own edges stop at the cut.
        whole = self.G.graph.get("degree")
        if isinstance(whole, Mapping) and node in whole:
            return int(whole[node])
        d = self.G.degree(node) if node in self.G else 0
        if self.S is not None and node in self.S:
            d += self.S.degree(node)
        return int(d)

    def edge_attrs(self, u, v) -> dict | None:
        """Attributes of the main-graph edge between ``u`` and ``v`` (either way; multi-edges merged)."""
        G = self.G
        data = G.get_edge_data(u, v)
        if data is None and G.is_directed():
            data = G.get_edge_data(v, u)
        if data is None:
            return None
        if G.is_multigraph():
            return merge_multi(data.values())
        return dict(data)


def merge_multi(datas) -> dict:
    out: dict = {}
    for data in datas:
        for key, value in data.items():
            if key in ("roles", "characters"):
                merged = out.setdefault(key, [])
                for item in as_texts(value):
                    if item not in merged:
                        merged.append(item)
            elif key == "billing":
                b = as_number(value)
                if b is not None and (out.get("billing") is None or b < out["billing"]):
                    out["billing"] = b
            else:
                out.setdefault(key, value)
    return out
