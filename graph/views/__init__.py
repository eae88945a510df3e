"""Interactive views of the film graph: self-contained HTML pages drawn with pyvis.

Every view is a :class:`View`: a :class:`pyvis.network.Network` holding the
nodes, edges and vis-network options, plus a title, a legend and, when the
view had to be cut, a note saying how many nodes were left out.
:func:`write_html` writes it as **one** HTML file that works with no network
at all, and :func:`show_inline` shows it in Jupyter (also in VS Code and
Colab, where pyvis's own notebook output stays blank).

The views take the NetworkX mirror (``build_mirror(film_graph).nx``, or any
object with such an ``nx`` attribute, or a graph built by hand with the same
attributes):

* node ids are film and person ids; node attributes ``kind`` (``"film"``,
  ``"person"``, ``"genre"``), ``label``, for films ``year``, ``rating``,
  ``votes``, ``genres``, ``title_type``, ``stub``, ``cluster``, for people
  ``birth_year``, ``professions``;
* person–film edges with ``roles``, ``characters``, ``billing``;
* "More like this" links either as a directed graph in
  ``G.graph["similar"]`` or as film–film edges of the graph itself;
* for a graph cut out of a larger one, optionally ``G.graph["degree"]``:
  each node's degree in the whole graph, to rank and size nodes by.
  :meth:`reelgraph.mirror.Mirror.to_networkx` with ``nodes=`` makes such cut-outs,
  and ``reelgraph show`` draws from them, so a view of a few nodes never
  builds the NetworkX graph of a whole large store.

Views
-----
:func:`neighbourhood_view`
    Everything within ``depth`` steps of one film or person (cast, films,
    "More like this" links), at most ``max_nodes`` nodes.
:func:`path_view`
    A path (for instance from :func:`networkx.shortest_path`) laid out in
    reading order, each step labelled with the role and character.
:func:`cluster_view`
    Films coloured by cluster, with the links between them.
:func:`more_like_this_view`
    The "More like this" graph, or its neighbourhood around one film.

Looks
-----
Shape by kind (film: dot, person: diamond, genre: square), colour by kind or
by cluster, size by degree or rating, a legend in the page.  A film known
only by title (a *stub*) is drawn hollow with a dashed border.  Hovering a
node shows a tooltip with year, rating, votes, genres and the roles and
characters that link it to the other nodes of the view; nodes with an IMDb id
link to their IMDb page (``https://www.imdb.com/title/tt.../`` or
``/name/nm.../``), derived ids (``title:...``, ``name:...``) get no link.
Click pins a tooltip, double-click opens the IMDb page.

Safety and speed
----------------
The page embeds vis-network from the pyvis package (no CDN, no ``lib/``
folder), carries all data as escaped JSON and builds tooltips from text
nodes, so a title such as ``<img src=x onerror=alert(1)>`` shows as text.
Physics runs a bounded number of stabilisation iterations and then stops;
2,000 nodes are laid out and idle within a few seconds.
See :mod:`reelgraph.views._html` for the details.

Examples
--------
>>> import networkx as nx
>>> G = nx.Graph()
>>> G.add_node("tt1334260", kind="film", label="Never Let Me Go", year=2010, rating=7.1)
>>> G.add_node("nm1659547", kind="person", label="Carey Mulligan")
>>> G.add_edge("nm1659547", "tt1334260", roles=["actor"], characters=["Kathy"], billing=1)
>>> view = neighbourhood_view(G, "tt1334260")
>>> view.shown, view.omitted
(2, 0)
>>> page = view.html()
>>> "cdnjs" in page or "jsdelivr" in page or "<link" in page
False
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
from reelgraph.errors import NameNotFoundError
from reelgraph.views import _html as _views_html
from reelgraph.views import _layout as _views_layout

__all__ = [
    "View",
    "neighbourhood_view",
    "path_view",
    "cluster_view",
    "more_like_this_view",
    "write_html",
    "show_inline",
    "imdb_url",
    "KIND_STYLES",
    "EDGE_STYLES",
    "CLUSTER_COLOURS",
]

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

#: Colours of clusters, in order (cluster ``i`` of the legend gets colour ``i``; they repeat after 20).
CLUSTER_COLOURS = (
    "#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC",
    "#1F77B4", "#D62728", "#2CA02C", "#9467BD", "#8C564B", "#E377C2", "#17BECF", "#BCBD22", "#AEC7E8", "#FFBB78",
)
_NO_CLUSTER_COLOUR = "#C8C8C8"
_STUB_FILL = "#FFFFFF"

_HELP = "Hover a node for details \u00b7 click pins it \u00b7 double-click opens IMDb \u00b7 scroll to zoom"

_IMDB_TITLE = re.compile(r"tt\d{7,}")
_IMDB_NAME = re.compile(r"nm\d{7,}")


def imdb_url(node_id) -> str | None:
    """The IMDb page of a real IMDb id; ``None`` for a derived id.

    Examples
    --------
    >>> imdb_url("tt1334260")
    'https://www.imdb.com/title/tt1334260/'
    >>> imdb_url("nm1659547")
    'https://www.imdb.com/name/nm1659547/'
    >>> imdb_url("title:never-let-me-go:2010") is None, imdb_url("tt1334260/../x") is None
    (True, True)
    """
    if not isinstance(node_id, str):
        return None
    if _IMDB_TITLE.fullmatch(node_id):
        return f"https://www.imdb.com/title/{node_id}/"
    if _IMDB_NAME.fullmatch(node_id):
        return f"https://www.imdb.com/name/{node_id}/"
    return None


# -- the View ------------------------------------------------------------------


@dataclass
class View:
    """A view ready to write: the pyvis network plus what the page shows around it.

    Attributes
    ----------
    network : pyvis.network.Network
        Nodes, edges and vis-network options.  Node dicts carry plain text
        only (``label``, and ``rgTip``/``rgUrl`` for the tooltip); do not
        write it with pyvis's own ``write_html``, which links CDNs, writes
        ``lib/`` and shows tooltips through ``innerHTML``: use
        :func:`write_html`.
    title : str
        Plain text: the heading and the page title.
    legend : list of dict
        ``{"label", "shape", "colour"[, "border", "dashed"]}`` per entry.
    note : str or None
        Plain text shown above the graph when the view was cut.
    shown, omitted : int
        Nodes drawn, and nodes the limits left out.
    kind : str
        Which function made it (``"neighbourhood"``, ``"path"``, ...).
    """

    network: object
    title: str
    legend: list = field(default_factory=list)
    note: str | None = None
    shown: int = 0
    omitted: int = 0
    kind: str = "view"

    @property
    def nodes(self) -> list[dict]:
        return self.network.nodes

    @property
    def edges(self) -> list[dict]:
        return self.network.edges

    @property
    def options(self) -> dict:
        return self.network.options

    def html(self) -> str:
        """The self-contained HTML document of this view."""
        return _views_html.render_document(
            title=self.title,
            note=self.note,
            omitted=self.omitted,
            legend=self.legend,
            nodes=self.network.nodes,
            edges=self.network.edges,
            options=self.network.options,
            meta={"kind": self.kind, "shown": self.shown, "omitted": self.omitted, "title": self.title},
            help_text=_HELP,
        )

    def write(self, path) -> Path:
        """Same as :func:`write_html`."""
        return write_html(self, path)

    def _repr_html_(self) -> str:
        return _views_html.iframe_srcdoc(self.html(), title=self.title)

    def __repr__(self) -> str:
        cut = f", {self.omitted} left out" if self.omitted else ""
        return f"<View {self.kind} {self.title!r}: {self.shown} nodes, {len(self.network.edges)} edges{cut}>"


def write_html(view: View, path) -> Path:
    """Write ``view`` as one self-contained HTML file and return its path.

    Nothing else is written: no ``lib/`` folder, here or in the working
    directory.  The file is written next to itself as ``<path>.tmp`` and
    renamed, so a reader never sees half a page.
    """
    if not isinstance(view, View):
        raise TypeError(f"write_html takes a View, not {type(view).__name__}")
    path = Path(os.fspath(path))
    document = view.html()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as out:
            out.write(document)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def show_inline(view: View, height="650px"):
    """Show ``view`` in a notebook: an :class:`IPython.display.HTML` sandboxed ``<iframe srcdoc>``.

    The whole page is the iframe's ``srcdoc`` (escaped once for the
    attribute), so it renders wherever notebooks run HTML output, including
    VS Code and Colab, and its script cannot reach the notebook page.
    """
    from IPython.display import HTML

    if isinstance(height, (int, float)) and not isinstance(height, bool):
        height = f"{int(height)}px"
    height = str(height)
    if not re.fullmatch(r"\d+(\.\d+)?(px|em|rem|vh|%)", height):
        raise ValueError(f"height must be a CSS length such as '650px', not {height!r}")
    return HTML(_views_html.iframe_srcdoc(view.html(), title=view.title, height=height))


# -- reading the graph -----------------------------------------------------------


class _Source:
    """The mirror as the views read it: the main graph and the "More like this" links."""

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
    def _adjacent(graph, node):
        if node not in graph:
            return ()
        if graph.is_directed():
            return list(graph.successors(node)) + list(graph.predecessors(node))
        return graph.neighbors(node)

    def neighbours(self, node, similar=True):
        seen = set()
        for v in self._adjacent(self.G, node):
            if v not in seen:
                seen.add(v)
                yield v
        if similar and self.S is not None:
            for v in self._adjacent(self.S, node):
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
            return _merge_multi(data.values())
        return dict(data)


def _merge_multi(datas) -> dict:
    out: dict = {}
    for data in datas:
        for key, value in data.items():
            if key in ("roles", "characters"):
                merged = out.setdefault(key, [])
                for item in _texts(value):
                    if item not in merged:
                        merged.append(item)
            elif key == "billing":
                b = _number(value)
                if b is not None and (out.get("billing") is None or b < out["billing"]):
                    out["billing"] = b
            else:
                out.setdefault(key, value)
    return out


# -- values: whatever the attributes hold, plain text and numbers come out -------


def _missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        import pandas as pd

        return value is pd.NA or value is pd.NaT
    except ImportError:  # pragma: no cover
        return False


def _number(value):
    """A finite int or float, or None."""
    if _missing(value) or isinstance(value, bool):
        return None
    try:
        if hasattr(value, "item") and not isinstance(value, (list, tuple, dict, str)):
            value = value.item()
    except (TypeError, ValueError):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() else value


def _text(value) -> str | None:
    if _missing(value):
        return None
    text = value if isinstance(value, str) else str(value)
    return text if text.strip() else None


def _texts(value) -> list[str]:
    if _missing(value):
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, Mapping):
        return [t for t in (_text(v) for v in value.values()) if t]
    if isinstance(value, Iterable):
        out = []
        for item in value:
            t = _text(item)
            if t and t not in out:
                out.append(t)
        return out
    t = _text(value)
    return [t] if t else []


def _short(text: str, limit: int = 42) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _vis_id(node):
    """Node id as vis-network and pyvis take it: a str or an int."""
    if isinstance(node, bool):
        return str(node)
    if isinstance(node, (str, int)):
        return node
    item = getattr(node, "item", None)
    if callable(item):
        try:
            value = item()
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                return value
        except (TypeError, ValueError):
            pass
    return str(node)


def _label(node, attrs) -> str:
    for key in ("label", "title", "name"):
        text = _text(attrs.get(key))
        if text:
            return text
    return str(node)


def _film_label(node, attrs) -> str:
    label = _label(node, attrs)
    year = _number(attrs.get("year"))
    return f"{label} ({int(year)})" if year is not None else label


def _cluster_key(value):
    if _missing(value) or isinstance(value, bool):
        return None
    number = _number(value)
    if number is not None and not isinstance(value, str):
        return number
    return _text(value)


# -- building a view ---------------------------------------------------------------


class _Builder:
    """Collects nodes and edges for one view, then turns them into a pyvis network."""

    def __init__(self, source: _Source, *, colour_by="kind", size_by="degree"):
        if colour_by not in ("kind", "cluster"):
            raise ValueError(f"colour_by must be 'kind' or 'cluster', not {colour_by!r}")
        if size_by not in ("degree", "rating", None):
            raise ValueError(f"size_by must be 'degree', 'rating' or None, not {size_by!r}")
        self.src = source
        self.colour_by = colour_by
        self.size_by = size_by
        self.order: list = []  # node keys, in drawing order
        self.info: dict = {}  # node key -> {"kind", "attrs"}
        self.edges: dict = {}  # (a, b, kind) -> edge record
        self.emphasis: dict = {}  # node key -> "centre" | "end"
        self.positions: dict = {}
        self.cluster_of: dict = {}  # film key -> cluster key (explicit assignment)

    # nodes
    def add(self, node, kind=None, attrs=None):
        if node in self.info:
            return
        attrs = self.src.attrs(node) if attrs is None and node in self.src else (attrs or {})
        kind = kind or self.src.kind(node, attrs)
        self.order.append(node)
        self.info[node] = {"kind": kind, "attrs": attrs}

    # edges
    def link(self, u, v, kind, *, directed=False, attrs=None, label=None):
        if u == v or u not in self.info or v not in self.info:
            return
        if directed:
            key = (u, v, kind)
            reverse = (v, u, kind)
            if reverse in self.edges and self.edges[reverse]["directed"]:
                self.edges[reverse]["both"] = True
                return
        else:
            a, b = (u, v) if _sort_key(u) <= _sort_key(v) else (v, u)
            key = (a, b, kind)
            if (a, b, kind) in self.edges or (b, a, kind) in self.edges:
                return
        if key in self.edges:
            return
        self.edges[key] = {"u": key[0], "v": key[1], "kind": kind, "directed": directed, "attrs": attrs or {}, "label": label, "both": False}

    def link_all(self, *, similar=True, graph_edges=True):
        """Every edge of the source between two nodes of the view."""
        keep = set(self.info)
        G, S = self.src.G, self.src.S
        if graph_edges:
            sub = G.subgraph([n for n in keep if n in G])
            if G.is_multigraph():
                merged: dict = {}
                for u, v, data in sub.edges(data=True):
                    merged.setdefault((u, v), []).append(data)
                items = [(u, v, _merge_multi(ds)) for (u, v), ds in merged.items()]
            else:
                items = sub.edges(data=True)
            for u, v, data in self._in_view_order(items, G.is_directed()):
                kind = self.edge_kind(u, v, data)
                directed = G.is_directed() and kind in ("similar", "link")
                self.link(u, v, kind, directed=directed, attrs=dict(data))
        if similar and S is not None:
            sub = S.subgraph([n for n in keep if n in S])
            for u, v, data in self._in_view_order(sub.edges(data=True), S.is_directed()):
                self.link(u, v, "similar", directed=S.is_directed(), attrs=dict(data))

    def _in_view_order(self, edges, directed: bool) -> list:
        """Edges sorted by where their ends are in the view: the same page for the same view.

        A subgraph lists its edges in the order of a Python set of its nodes,
        which changes from one run to the next (string hashing is salted).
        """
        position = {node: i for i, node in enumerate(self.order)}

        def key(edge):
            a, b = position[edge[0]], position[edge[1]]
            return (a, b) if directed else (min(a, b), max(a, b))

        return sorted(edges, key=key)

    def edge_kind(self, u, v, data=None) -> str:
        data = data or {}
        kinds = {self.info[u]["kind"], self.info[v]["kind"]}
        if "roles" in data or "characters" in data or kinds == {"person", "film"}:
            return "credit"
        if kinds == {"film"}:
            return "similar"
        if kinds == {"film", "genre"}:
            return "genre"
        return "link"

    def add_genres(self):
        """A node per genre of the films in the view, linked to them."""
        films = [n for n in list(self.order) if self.info[n]["kind"] == "film"]
        for film in films:
            for genre in _texts(self.info[film]["attrs"].get("genres")):
                gid = f"genre:{genre}"
                if gid not in self.info:
                    self.add(gid, "genre", {"kind": "genre", "label": genre})
                self.link(film, gid, "genre")

    # output
    def cluster(self, node):
        if node in self.cluster_of:
            return self.cluster_of[node]
        if self.info[node]["kind"] != "film":
            return None
        return _cluster_key(self.info[node]["attrs"].get("cluster"))

    def build(self, *, title, kind, note=None, shown=None, omitted=0, physics=True, extra_legend=()) -> View:
        from pyvis.network import Network

        n = len(self.order)
        cluster_colours = self._cluster_colours() if self.colour_by == "cluster" else {}
        values = self._size_values()
        tips = self._tips()

        net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
        for node in self.order:
            info = self.info[node]
            k, attrs = info["kind"], info["attrs"]
            style = KIND_STYLES.get(k, KIND_STYLES["other"])
            fill, border = style["colour"], style["border"]
            if self.colour_by == "cluster" and k == "film":
                c = self.cluster(node)
                fill = cluster_colours.get(c, _NO_CLUSTER_COLOUR) if c is not None else _NO_CLUSTER_COLOUR
                border = _darker(fill)
            stub = k == "film" and bool(attrs.get("stub")) and not _missing(attrs.get("stub"))
            options = {
                "shape": style["shape"],
                "color": {
                    "background": _STUB_FILL if stub else fill,
                    "border": border if not stub else fill,
                    "highlight": {"background": _lighter(fill) if not stub else _STUB_FILL, "border": "#1F2328"},
                    "hover": {"background": _lighter(fill) if not stub else _STUB_FILL, "border": "#1F2328"},
                },
                "value": values[node],
                "rgKind": k,
                "rgTip": tips[node],
            }
            if stub:
                options["shapeProperties"] = {"borderDashes": [3, 3]}
                options["borderWidth"] = 2
            url = imdb_url(node) if k in ("film", "person") else None
            if url:
                options["rgUrl"] = url
            emphasis = self.emphasis.get(node)
            if emphasis:
                options["borderWidth"] = 4
                options["color"]["border"] = "#1F2328"
                options["font"] = {"size": 18, "color": "#1F2328", "strokeWidth": 4, "strokeColor": "#FFFFFF"}
            if node in self.positions:
                x, y = self.positions[node]
                options["x"], options["y"] = x, y
            label = _film_label(node, attrs) if k == "film" else _label(node, attrs)
            net.add_node(_vis_id(node), label=_short(label) or str(node), **options)

        for i, edge in enumerate(self.edges.values()):
            style = EDGE_STYLES[edge["kind"]]
            options = {
                "id": f"e{i}",
                "color": {"color": style["colour"], "highlight": "#1F2328", "hover": "#57606A", "inherit": False},
                "dashes": style["dashes"],
                "title": self._edge_title(edge),
                "rgKind": edge["kind"],
            }
            if edge["directed"]:
                options["arrows"] = "to, from" if edge["both"] else "to"
            else:
                options["arrows"] = ""
            if edge["label"]:
                options["label"] = _short(edge["label"], 38)
            if edge["kind"] == "credit":
                billing = _number(edge["attrs"].get("billing"))
                options["width"] = 2.0 if billing is not None and billing <= 3 else 1.0
            net.add_edge(_vis_id(edge["u"]), _vis_id(edge["v"]), **options)

        net.options = _options(n, physics=physics)
        legend = self._legend(cluster_colours) + list(extra_legend)
        return View(network=net, title=title, legend=legend, note=note, shown=n if shown is None else shown, omitted=omitted, kind=kind)

    def _cluster_colours(self) -> dict:
        counts: dict = {}
        for node in self.order:
            c = self.cluster(node)
            if c is not None:
                counts[c] = counts.get(c, 0) + 1
        ordered = sorted(counts, key=lambda c: (-counts[c], _sort_key(c)))
        self._cluster_counts = counts
        self._cluster_order = ordered
        return {c: CLUSTER_COLOURS[i % len(CLUSTER_COLOURS)] for i, c in enumerate(ordered)}

    def _size_values(self) -> dict:
        if self.size_by == "degree":
            return {n: round(math.sqrt(self.src.degree(n) if n in self.src else _view_degree(self, n)), 3) for n in self.order}
        if self.size_by == "rating":
            ratings = {n: _number(self.info[n]["attrs"].get("rating")) for n in self.order if self.info[n]["kind"] == "film"}
            known = sorted(r for r in ratings.values() if r is not None)
            low = known[0] if known else 1.0
            middle = known[len(known) // 2] if known else 5.0
            return {n: (ratings.get(n) if ratings.get(n) is not None else low) if n in ratings else middle for n in self.order}
        return {n: 1 for n in self.order}

    def _tips(self) -> dict:
        """Tooltip text of every node: title, lines, and a "+N more" line."""
        credits_of: dict = {n: [] for n in self.order}
        genre_films: dict = {}
        for edge in self.edges.values():
            u, v = edge["u"], edge["v"]
            if edge["kind"] == "credit":
                person, film = (u, v) if self.info[u]["kind"] == "person" else (v, u)
                roles = _texts(edge["attrs"].get("roles"))
                chars = _texts(edge["attrs"].get("characters"))
                billing = _number(edge["attrs"].get("billing"))
                what = ", ".join(roles) if roles else "credit"
                if chars:
                    what += " as " + " / ".join(chars)
                film_label = _film_label(film, self.info[film]["attrs"])
                person_label = _label(person, self.info[person]["attrs"])
                rank = billing if billing is not None else 10**9
                credits_of[person].append((rank, f"{film_label}: {what}"))
                credits_of[film].append((rank, f"{person_label}: {what}"))
            elif edge["kind"] == "genre":
                g = v if self.info[v]["kind"] == "genre" else u
                genre_films[g] = genre_films.get(g, 0) + 1
        tips = {}
        for node in self.order:
            kind, attrs = self.info[node]["kind"], self.info[node]["attrs"]
            lines = []
            if kind == "film":
                title = _label(node, attrs)
                year = _number(attrs.get("year"))
                if year is not None:
                    lines.append(f"Year: {int(year)}")
                rating = _number(attrs.get("rating"))
                votes = _number(attrs.get("votes"))
                if rating is not None:
                    lines.append(f"Rating: {rating:.1f}/10" + (f" ({int(votes):,} votes)" if votes is not None else ""))
                elif votes is not None:
                    lines.append(f"Votes: {int(votes):,}")
                genres = _texts(attrs.get("genres"))
                if genres:
                    lines.append("Genres: " + ", ".join(genres))
                title_type = _text(attrs.get("title_type"))
                if title_type:
                    lines.append(f"Type: {title_type}")
                cluster = self.cluster(node)
                if cluster is not None:
                    lines.append(f"Cluster: {cluster}")
                if attrs.get("stub") is True or (not _missing(attrs.get("stub")) and bool(attrs.get("stub"))):
                    lines.append("Known only by title (from a \u201cMore like this\u201d list)")
            elif kind == "person":
                title = _label(node, attrs)
                born = _number(attrs.get("birth_year"))
                if born is not None:
                    lines.append(f"Born: {int(born)}")
                professions = _texts(attrs.get("professions"))
                if professions:
                    lines.append("Professions: " + ", ".join(p.replace("_", " ") for p in professions))
            elif kind == "genre":
                title = "Genre: " + _label(node, attrs)
                lines.append(f"{genre_films.get(node, 0)} film(s) in this view")
            else:
                title = _label(node, attrs)
            lines.append(f"Id: {node}")
            credits = sorted(credits_of[node], key=lambda item: (item[0], item[1]))
            limit = 8
            lines.extend(text for _, text in credits[:limit])
            more = f"+{len(credits) - limit} more in this view" if len(credits) > limit else None
            tip = {"title": title, "lines": lines}
            if more:
                tip["more"] = more
            tips[node] = tip
        return tips

    def _edge_title(self, edge) -> str:
        u, v, attrs = edge["u"], edge["v"], edge["attrs"]
        lu = _label(u, self.info[u]["attrs"])
        lv = _label(v, self.info[v]["attrs"])
        if edge["kind"] == "credit":
            roles = _texts(attrs.get("roles"))
            chars = _texts(attrs.get("characters"))
            person, film = (lu, lv) if self.info[u]["kind"] == "person" else (lv, lu)
            text = f"{person} \u2013 {film}: " + (", ".join(roles) if roles else "credit")
            if chars:
                text += " as " + " / ".join(chars)
            billing = _number(attrs.get("billing"))
            if billing is not None:
                text += f" (billed #{int(billing)})"
            return text
        if edge["kind"] == "similar":
            arrow = " \u2194 " if edge["both"] else (" \u2192 " if edge["directed"] else " \u2013 ")
            rank = _number(attrs.get("rank"))
            return f"{lu}{arrow}{lv}: more like this" + (f" (rank {int(rank)})" if rank is not None else "")
        if edge["kind"] == "genre":
            return f"{lu} \u2013 {lv}"
        if edge["kind"] == "missing":
            return f"{lu} \u2013 {lv}: no direct link in the graph"
        return f"{lu} \u2013 {lv}"

    def _legend(self, cluster_colours) -> list:
        legend = []
        kinds_present = []
        for node in self.order:
            k = self.info[node]["kind"]
            if k not in kinds_present:
                kinds_present.append(k)
        order = [k for k in ("film", "person", "genre", "other") if k in kinds_present]
        for k in order:
            style = KIND_STYLES[k]
            colour, border = style["colour"], style["border"]
            label = style["label"]
            if k == "film" and self.colour_by == "cluster":
                colour, border, label = "#FFFFFF", "#57606A", "film (colour: cluster)"
            legend.append({"label": label, "shape": style["shape"], "colour": colour, "border": border})
        if any(self.info[n]["kind"] == "film" and bool(self.info[n]["attrs"].get("stub")) and not _missing(self.info[n]["attrs"].get("stub")) for n in self.order):
            legend.append({"label": "film known only by title", "shape": "dot", "colour": _STUB_FILL, "border": KIND_STYLES["film"]["colour"], "dashed": True})
        if self.colour_by == "cluster" and cluster_colours:
            shown = self._cluster_order[:20]
            for c in shown:
                count = self._cluster_counts[c]
                legend.append({"label": f"cluster {c} ({count:,} film{'s' if count != 1 else ''})", "shape": "dot", "colour": cluster_colours[c]})
            rest = len(self._cluster_order) - len(shown)
            if rest > 0:
                legend.append({"label": f"+{rest:,} more clusters (colours repeat)", "shape": "dot", "colour": "#FFFFFF", "border": "#8C959F"})
            if any(self.info[n]["kind"] == "film" and self.cluster(n) is None for n in self.order):
                legend.append({"label": "no cluster", "shape": "dot", "colour": _NO_CLUSTER_COLOUR})
        edge_kinds = []
        for edge in self.edges.values():
            key = (edge["kind"], edge["directed"])
            if key not in edge_kinds:
                edge_kinds.append(key)
        for kind in ("credit", "similar", "genre", "link", "missing"):
            for directed in (False, True):
                if (kind, directed) in edge_kinds:
                    style = EDGE_STYLES[kind]
                    shape = ("dashed-" if style["dashes"] else "") + ("arrow" if directed else "line")
                    legend.append({"label": style["label"], "shape": shape, "colour": style["colour"]})
        return legend


def _view_degree(builder: _Builder, node) -> int:
    return sum(1 for e in builder.edges.values() if node in (e["u"], e["v"]))


def _sort_key(value):
    return (0, value, "") if isinstance(value, (int, float)) and not isinstance(value, bool) else (1, 0, str(value))


def _mix(colour: str, other: tuple, amount: float) -> str:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    r, g, b = (round(c + (o - c) * amount) for c, o in zip((r, g, b), other))
    return f"#{r:02X}{g:02X}{b:02X}"


def _darker(colour: str) -> str:
    return _mix(colour, (0, 0, 0), 0.35)


def _lighter(colour: str) -> str:
    return _mix(colour, (255, 255, 255), 0.3)


def _options(n_nodes: int, *, physics: bool = True) -> dict:
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
            "scaling": {"min": 9 if not big else 6, "max": 34 if not big else 26, "label": {"enabled": False, "drawThreshold": 7}},
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


def _check_limits(max_nodes, depth=None):
    if not isinstance(max_nodes, int) or isinstance(max_nodes, bool) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive integer, not {max_nodes!r}")
    if depth is not None and (not isinstance(depth, int) or isinstance(depth, bool) or depth < 0):
        raise ValueError(f"depth must be a non-negative integer, not {depth!r}")


def _require(src: _Source, node):
    if node not in src:
        raise NameNotFoundError("film or person", str(node))


def _priority(src: _Source, node, parents=()) -> tuple:
    """Sort key within one ring: best-billed people, most-voted films, best-connected first."""
    attrs = src.attrs(node)
    kind = src.kind(node, attrs)
    degree = src.degree(node)
    label = _label(node, attrs)
    if kind == "person":
        billing = None
        for p in parents:
            data = src.edge_attrs(node, p)
            b = _number(data.get("billing")) if data else None
            if b is not None and (billing is None or b < billing):
                billing = b
        return (billing if billing is not None else 10**9, -degree, label)
    if kind == "film":
        votes = _number(attrs.get("votes"))
        return (-(votes or 0), -degree, label)
    return (-degree, label)


def _round_robin(groups: list[list], budget: int) -> list:
    """Take from each list in turn (each already best-first) until ``budget`` items."""
    out = []
    index = 0
    while len(out) < budget and any(index < len(g) for g in groups):
        for g in groups:
            if index < len(g) and len(out) < budget:
                out.append(g[index])
        index += 1
    return out


def _select_rings(src: _Source, centre, depth: int, max_nodes: int, similar: bool, neighbours=None):
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
                by_kind.setdefault(src.kind(v), []).append((_priority(src, v, linked), v))
        groups = []
        for kind in ("person", "film", "genre", "other"):
            if kind in by_kind:
                groups.append([v for _, v in sorted(by_kind[kind], key=lambda item: item[0])])
        chosen = _round_robin(groups, budget)
        if not chosen:
            break
        kept_rings.append(chosen)
        kept_set.update(chosen)
    return kept_rings, parents, total


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _radial_layout(src: _Source, rings, parents, n_nodes) -> dict:
    """Starting positions of a neighbourhood: ring 1 grouped by kind (people on the left)."""
    if len(rings) > 1:
        order = {"person": 0, "film": 1, "genre": 2, "other": 3}
        first = rings[1]
        rings = [rings[0], sorted(first, key=lambda v: (order.get(src.kind(v), 3), _priority(src, v, parents.get(v, ()))))] + rings[2:]
    return _views_layout.radial(rings, parents, _views_layout.spacing_for(n_nodes))


def _adjacency(b: _Builder) -> dict:
    adjacency: dict = {n: [] for n in b.order}
    for edge in b.edges.values():
        adjacency[edge["u"]].append(edge["v"])
        adjacency[edge["v"]].append(edge["u"])
    return adjacency


def _components(b: _Builder) -> list[list]:
    """Connected components of the view, biggest first."""
    adjacency = _adjacency(b)
    seen: set = set()
    components = []
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
        components.append(component)
    index = {n: i for i, n in enumerate(b.order)}
    return sorted(components, key=lambda c: (-len(c), min(index[n] for n in c)))


def _grouped_layout(b: _Builder, groups) -> dict:
    """Starting positions: a disc per group, its nodes in breadth-first order from the best-connected."""
    adjacency = _adjacency(b)
    ordered = [_views_layout.bfs_order(list(g), adjacency) for g in groups if g]
    return _views_layout.grouped(ordered, _views_layout.spacing_for(len(b.order)))


def _place_leftovers(b: _Builder):
    """Nodes without a starting position (genres): just outside the mean of their placed neighbours."""
    adjacency = _adjacency(b)
    for node in b.order:
        if node in b.positions:
            continue
        placed = [b.positions[v] for v in adjacency[node] if v in b.positions]
        if placed:
            x = sum(p[0] for p in placed) / len(placed)
            y = sum(p[1] for p in placed) / len(placed)
            b.positions[node] = (round(x * 1.25 + 40, 1), round(y * 1.25 + 40, 1))



# -- the views ----------------------------------------------------------------------


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

    Raises
    ------
    NameNotFoundError
        When the mirror has no node ``centre_id``.
    """
    _check_limits(max_nodes, depth)
    src = _Source(mirror)
    _require(src, centre_id)
    rings, parents, total = _select_rings(src, centre_id, depth, max_nodes, similar)
    kept = [n for ring in rings for n in ring]
    b = _Builder(src, colour_by=colour_by, size_by=size_by)
    for node in kept:
        b.add(node)
    b.emphasis[centre_id] = "centre"
    b.link_all(similar=similar)
    if genres:
        b.add_genres()
    b.positions.update(_radial_layout(src, rings, parents, len(b.order)))
    _place_leftovers(b)
    omitted = total - len(kept)
    centre_label = _label(centre_id, src.attrs(centre_id))
    steps = _plural(depth, "step")
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


def path_view(mirror, path_node_ids, *, colour_by: str = "kind", size_by: str | None = None, title: str | None = None) -> View:
    """A path through the graph, laid out in reading order (rows of five, snaking).

    Each step is labelled with what links the two nodes (role and character
    for a credit, "more like this" for a link); a step with no edge in the
    graph is drawn as a red dashed line.

    Raises
    ------
    ValueError
        When the path is empty.
    NameNotFoundError
        When a node of the path is not in the mirror.
    """
    src = _Source(mirror)
    path = list(path_node_ids)
    if not path:
        raise ValueError("path_view needs at least one node")
    for node in path:
        _require(src, node)
    b = _Builder(src, colour_by=colour_by, size_by=size_by)
    per_row, dx, dy = 5, 320, 220
    slot = 0
    for node in path:
        if node in b.info:
            continue
        b.add(node)
        row, col = divmod(slot, per_row)
        if row % 2:
            col = per_row - 1 - col
        b.positions[node] = (col * dx, row * dy)
        slot += 1
    b.emphasis[path[0]] = "end"
    b.emphasis[path[-1]] = "end"
    for u, v in zip(path, path[1:]):
        if u == v:
            continue
        data = src.edge_attrs(u, v)
        if data is not None:
            kind = b.edge_kind(u, v, data)
            b.link(u, v, kind, directed=src.G.is_directed() and kind != "credit", attrs=data, label=_step_label(b, u, v, kind, data))
            continue
        S = src.S
        if S is not None and (S.has_edge(u, v) or S.has_edge(v, u)):
            forward = S.has_edge(u, v)
            a, z = (u, v) if forward else (v, u)
            b.link(a, z, "similar", directed=S.is_directed(), attrs=dict(S.get_edge_data(a, z) or {}), label="more like this")
            continue
        b.link(u, v, "missing", label="no direct link")
    first = _label(path[0], src.attrs(path[0]))
    last = _label(path[-1], src.attrs(path[-1]))
    steps = len(path) - 1
    return b.build(
        title=title or (f"Path from {first} to {last} ({_plural(steps, 'step')})" if steps else f"Path: {first}"),
        kind="path",
        physics=False,
    )


def _step_label(b: _Builder, u, v, kind, data) -> str:
    if kind == "credit":
        roles = _texts(data.get("roles"))
        chars = _texts(data.get("characters"))
        text = ", ".join(roles) if roles else "credit"
        if chars:
            text += " as " + " / ".join(chars)
        return text
    if kind == "similar":
        return "more like this"
    return ""


def _cluster_assignment(src: _Source, clusters) -> dict:
    """``{film id: cluster}`` from any of the accepted shapes."""
    if clusters is None:
        out = {}
        for node, attrs in src.G.nodes(data=True):
            if src.kind(node, attrs) == "film":
                c = _cluster_key(attrs.get("cluster"))
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
                    out.setdefault(film, _cluster_key(c) if _cluster_key(c) is not None else str(c))
            return out
        return {film: _cluster_key(c) for film, c in clusters.items() if _cluster_key(c) is not None}
    if isinstance(clusters, Iterable) and not isinstance(clusters, (str, bytes)):
        out = {}
        for i, films in enumerate(clusters):
            if isinstance(films, (str, bytes)) or not isinstance(films, Iterable):
                raise TypeError("clusters as a sequence must hold collections of film ids, one per cluster")
            for film in films:
                out.setdefault(film, i)
        return out
    raise TypeError(f"clusters must be a mapping or a sequence of collections, not {type(clusters).__name__}")


def cluster_view(
    mirror,
    clusters=None,
    *,
    max_nodes: int = 2000,
    size_by: str | None = "degree",
    title: str | None = None,
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
    """
    _check_limits(max_nodes)
    src = _Source(mirror)
    assignment = _cluster_assignment(src, clusters)
    present = {f: c for f, c in assignment.items() if f in src}
    unknown = len(assignment) - len(present)
    by_cluster: dict = {}
    for film, c in present.items():
        by_cluster.setdefault(c, []).append(film)
    ordered = sorted(by_cluster, key=lambda c: (-len(by_cluster[c]), _sort_key(c)))
    groups = [sorted(by_cluster[c], key=lambda f: _priority(src, f)) for c in ordered]
    total = len(present)
    kept = _round_robin(groups, max_nodes) if total > max_nodes else [f for g in groups for f in g]
    b = _Builder(src, colour_by="cluster", size_by=size_by)
    for film in kept:
        b.add(film)
        b.cluster_of[film] = present[film]
    b.link_all(similar=True)
    kept_set = set(kept)
    b.positions.update(_grouped_layout(b, [[f for f in g if f in kept_set] for g in groups]))
    omitted = total - len(kept)
    notes = []
    if omitted:
        notes.append(f"Showing {len(kept):,} of {total:,} films in {_plural(len(ordered), 'cluster')}: {omitted:,} left out (max_nodes={max_nodes}).")
    if unknown:
        notes.append(f"{_plural(unknown, 'id')} of the assignment not in the graph.")
    return b.build(
        title=title or f"Clusters: {_plural(len(ordered), 'cluster')}, {_plural(total, 'film')}",
        kind="cluster",
        note=" ".join(notes) or None,
        omitted=omitted,
    )


def _similar_graph(src: _Source) -> nx.Graph:
    """The "More like this" links: ``G.graph["similar"]``, else the film–film edges of the graph."""
    if src.S is not None:
        return src.S
    G = src.G
    films = [n for n, a in G.nodes(data=True) if src.kind(n, a) == "film"]
    return G.subgraph(films)


def more_like_this_view(
    mirror_or_similar_graph,
    centre_id=None,
    *,
    depth: int = 2,
    max_nodes: int = 2000,
    colour_by: str | None = None,
    size_by: str | None = "degree",
    title: str | None = None,
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
    """
    _check_limits(max_nodes, depth)
    src = _Source(mirror_or_similar_graph)
    S = _similar_graph(src)
    if centre_id is not None:
        _require(src, centre_id)

        def neighbours(n):
            return _Source._adjacent(S, n)

        rings, parents, total = _select_rings(src, centre_id, depth, max_nodes, True, neighbours)
        kept = [n for ring in rings for n in ring]
    else:
        linked = [n for n in S.nodes if S.degree(n) > 0]
        total = len(linked)
        if total > max_nodes:
            ranked = sorted(linked, key=lambda n: (-S.degree(n),) + _priority(src, n)[:1] + (_sort_key(n),))
            kept = ranked[:max_nodes]
        else:
            kept = sorted(linked, key=_sort_key)
    if colour_by is None:
        colour_by = "cluster" if any(_cluster_key(src.attrs(n).get("cluster")) is not None for n in kept) else "kind"
    b = _Builder(src, colour_by=colour_by, size_by=size_by)
    for node in kept:
        b.add(node)
    if centre_id is not None:
        b.emphasis[centre_id] = "centre"
    keep = set(kept)
    for u, v, data in S.subgraph(keep).edges(data=True):
        b.link(u, v, "similar", directed=S.is_directed(), attrs=dict(data))
    if centre_id is not None:
        b.positions.update(_radial_layout(src, rings, parents, len(b.order)))
    else:
        b.positions.update(_grouped_layout(b, _components(b)))
    omitted = total - len(kept)
    note = None
    if omitted:
        where = f"within {_plural(depth, 'link')} of {_label(centre_id, src.attrs(centre_id))}" if centre_id is not None else "with links"
        note = f"Showing {len(kept):,} of {total:,} films {where}: {omitted:,} left out (max_nodes={max_nodes})."
    if title is None:
        if centre_id is not None:
            title = f"More like this around {_label(centre_id, src.attrs(centre_id))}"
        else:
            title = f"More like this: {_plural(len(kept), 'film')}, {_plural(len(b.edges), 'link')}"
    return b.build(title=title, kind="more_like_this", note=note, omitted=omitted)
