"""Building a view: collect its nodes and edges, then turn them into a pyvis network.

Private helper of :mod:`reelgraph.views`.  Each view function (one module
each: :mod:`~reelgraph.views.neighbourhood`, :mod:`~reelgraph.views.path`,
:mod:`~reelgraph.views.clusters`, :mod:`~reelgraph.views.more_like_this`)
chooses nodes, adds them to a :class:`Builder` with the edges between them
and their starting positions, and calls :meth:`Builder.build`, which styles
them (:mod:`reelgraph.views.style`), writes each node's tooltip as plain
text and returns the :class:`~reelgraph.views.view_object.View`.

Examples
--------
>>> import networkx as nx
>>> from reelgraph.views._source import Source
>>> G = nx.Graph()
>>> G.add_edge("nm0000001", "tt0000001", roles=["actor"], characters=["Kathy"])
>>> b = Builder(Source(G))
>>> b.add("nm0000001"); b.add("tt0000001"); b.link_all()
>>> view = b.build(title="Two nodes", kind="example")
>>> view.shown, [e["rgKind"] for e in view.edges], view.nodes[1]["rgTip"]["lines"][-1]
(2, ['credit'], 'nm0000001: actor as Kathy')
"""

from __future__ import annotations

from reelgraph.views._layout import FORCE_LAYOUT_FROM, FORCE_LAYOUT_UPTO, force_layout
from reelgraph.views._select import require
from reelgraph.views._source import Source, merge_multi
from reelgraph.views._values import (
    as_number,
    as_text,
    as_texts,
    cluster_key,
    cluster_names_of,
    film_label_of,
    imdb_url,
    label_of,
    shorten,
    sort_key,
    vis_id,
)
from reelgraph.views.style import (
    EDGE_STYLES,
    KIND_STYLES,
    NO_CLUSTER_COLOUR,
    cluster_colour,
    cluster_palette,
    darker,
    is_stub,
    legend,
    network_options,
    node_colours,
    node_sizes,
    plain_edges,
)
from reelgraph.views.view_object import NetworkData, View

__all__ = ["Builder", "HIDDEN_LABEL_SIZE"]

#: The font size every node's label starts with: too small for vis-network to draw at any zoom.  The
#: page's script (static/explore.js) gives a readable size to the labels that fit without overlapping,
#: so a 3,000-node view updates a few hundred nodes, not all of them; a bigger view's page draws its
#: labels itself (static/page.js) and updates none.  The path view draws all its labels.
HIDDEN_LABEL_SIZE = 0.01


class Builder:
    """Collects nodes and edges for one view, then turns them into a pyvis network."""

    def __init__(self, source: Source, *, colour_by="kind", size_by="degree", cluster_names=None):
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
        self.cluster_names = cluster_names_of(cluster_names)  # cluster key -> name, as `reelgraph clusters` prints it
        self.chain: list = []  # node keys of a chain the page can highlight (a path, or a view given chain=)

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
            a, b = (u, v) if sort_key(u) <= sort_key(v) else (v, u)
            key = (a, b, kind)
            if (a, b, kind) in self.edges or (b, a, kind) in self.edges:
                return
        if key in self.edges:
            return
        self.edges[key] = {"u": key[0], "v": key[1], "kind": kind, "directed": directed, "attrs": attrs or {}, "label": label, "both": False}

    def link_step(self, u, v, *, step_label=None):
        """Link two consecutive nodes of a chain as the graph links them, or by a "missing" edge when it does not.

        ``step_label(kind, attrs)``, if given, labels a credit (or other
        graph) edge; a "More like this" step is then labelled "more like
        this" and a missing one "no direct link" (the path view's labels).
        """
        if u == v:
            return
        data = self.src.edge_attrs(u, v)
        if data is not None:
            kind = self.edge_kind(u, v, data)
            self.link(u, v, kind, directed=self.src.G.is_directed() and kind != "credit", attrs=data,
                      label=step_label(kind, data) if step_label else None)
            return
        S = self.src.S
        if S is not None and (S.has_edge(u, v) or S.has_edge(v, u)):
            a, z = (u, v) if S.has_edge(u, v) else (v, u)
            self.link(a, z, "similar", directed=S.is_directed(), attrs=dict(S.get_edge_data(a, z) or {}),
                      label="more like this" if step_label else None)
            return
        self.link(u, v, "missing", label="no direct link" if step_label else None)

    def add_chain(self, chain, *, step_label=None):
        """Add a chain of nodes (a co-star path, say) with its steps; the page offers to highlight it.

        Raises NameNotFoundError when a node of the chain is not in the graph.
        """
        chain = list(chain)
        for node in chain:
            require(self.src, node)
        for node in chain:
            self.add(node)
        for u, v in zip(chain, chain[1:]):
            self.link_step(u, v, step_label=step_label)
        self.chain = chain

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
                items = [(u, v, merge_multi(ds)) for (u, v), ds in merged.items()]
            else:
                items = sub.edges(data=True)
            for u, v, data in self.in_view_order(items, G.is_directed()):
                kind = self.edge_kind(u, v, data)
                directed = G.is_directed() and kind in ("similar", "link")
                self.link(u, v, kind, directed=directed, attrs=dict(data))
        if similar and S is not None:
            sub = S.subgraph([n for n in keep if n in S])
            for u, v, data in self.in_view_order(sub.edges(data=True), S.is_directed()):
                self.link(u, v, "similar", directed=S.is_directed(), attrs=dict(data))

    def in_view_order(self, edges, directed: bool) -> list:
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
            for genre in as_texts(self.info[film]["attrs"].get("genres")):
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
        return cluster_key(self.info[node]["attrs"].get("cluster"))

    def cluster_name(self, cluster) -> str:
        """The name ``reelgraph clusters`` gives ``cluster``, or ``"cluster <id>"`` when the view was not told it."""
        return self.cluster_names.get(cluster) or f"cluster {cluster}"

    def roles(self) -> dict:
        """``{person: [roles]}``: what each person of the view did on the films of the view (for the role filter)."""
        found: dict = {}
        for edge in self.edges.values():
            if edge["kind"] != "credit":
                continue
            person = edge["u"] if self.info[edge["u"]]["kind"] == "person" else edge["v"]
            mine = found.setdefault(person, [])
            for role in as_texts(edge["attrs"].get("roles")):
                if role not in mine:
                    mine.append(role)
        return found

    def build(self, *, title, kind, note=None, shown=None, omitted=0, physics=True, extra_legend=()) -> View:
        n = len(self.order)
        if physics and n > FORCE_LAYOUT_FROM:
            # a big view is laid out here, whole: the browser draws it still, at once
            if n <= FORCE_LAYOUT_UPTO:
                self.positions.update(force_layout(self))
            physics = False
        palette = cluster_palette(self.cluster(node) for node in self.order) if self.colour_by == "cluster" else None
        cluster_colours = palette[0] if palette else {}
        values = node_sizes(self)
        tips = self._tips()
        roles = self.roles()

        net = NetworkData()  # pyvis's nodes and edges; pyvis itself is imported only if view.network is read
        for node in self.order:
            info = self.info[node]
            k, attrs = info["kind"], info["attrs"]
            style = KIND_STYLES.get(k, KIND_STYLES["other"])
            fill, border = style["colour"], style["border"]
            if self.colour_by == "cluster" and k == "film":
                c = self.cluster(node)
                fill = cluster_colours.get(c, NO_CLUSTER_COLOUR) if c is not None else NO_CLUSTER_COLOUR
                border = darker(fill)
            stub = is_stub(k, attrs)
            options = {
                "shape": style["shape"],
                "color": node_colours(fill, border, stub),
                "value": values[node],
                "rgKind": k,
                "rgTip": tips[node],
            }
            # what the page's filters read (page.js): year, roles in this view, cluster, stub
            year = as_number(attrs.get("year")) if k == "film" else None
            if year is not None:
                options["rgYear"] = int(year)
            if roles.get(node):
                options["rgRoles"] = roles[node]
            cluster = self.cluster(node)
            if cluster is not None:
                options["rgCluster"] = str(cluster)
            if stub:
                options["rgStub"] = True
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
            label = film_label_of(node, attrs) if k == "film" else label_of(node, attrs)
            net.add_node(vis_id(node), label=shorten(label) or str(node), **options)

        plain = plain_edges(n)  # a very big view: plain lines draw several times faster
        for i, edge in enumerate(self.edges.values()):
            style = EDGE_STYLES[edge["kind"]]
            options = {"id": f"e{i}", "dashes": False if plain else style["dashes"], "rgKind": edge["kind"]}
            if plain:
                # The page strokes these edges itself (static/page.js): no tooltip, no hover or
                # highlight colours, a quarter less HTML at 10,000 nodes.
                options["color"] = style["colour"]
            else:
                options["color"] = {"color": style["colour"], "highlight": "#1F2328", "hover": "#57606A", "inherit": False}
                options["title"] = self._edge_title(edge)
            if edge["directed"] and not plain:
                options["arrows"] = "to, from" if edge["both"] else "to"
            else:
                options["arrows"] = ""
            if edge["label"]:
                options["label"] = shorten(edge["label"], 38)
            if edge["kind"] == "credit":
                billing = as_number(edge["attrs"].get("billing"))
                options["width"] = 2.0 if billing is not None and billing <= 3 else 1.0
            net.add_edge(vis_id(edge["u"]), vis_id(edge["v"]), **options)

        net.options = network_options(n, physics=physics)
        net.options["nodes"]["font"]["size"] = HIDDEN_LABEL_SIZE
        entries = legend(self, palette) + list(extra_legend)
        return View(network=net, title=title, legend=entries, note=note, shown=n if shown is None else shown, omitted=omitted, kind=kind,
                    clusters=self._clusters_shown(), chain=[vis_id(node) for node in self.chain])

    def _clusters_shown(self) -> list:
        """``{"id", "name", "colour", "films"}`` of each cluster of the view's films, biggest first (the page's cluster filter)."""
        _, order, counts = cluster_palette(self.cluster(node) for node in self.order)
        return [{"id": str(c), "name": self.cluster_name(c), "colour": cluster_colour(c), "films": counts[c]} for c in order]

    def _tips(self) -> dict:
        """Tooltip text of every node: title, lines, and a "+N more" line."""
        credits_of: dict = {n: [] for n in self.order}
        genre_films: dict = {}
        for edge in self.edges.values():
            u, v = edge["u"], edge["v"]
            if edge["kind"] == "credit":
                person, film = (u, v) if self.info[u]["kind"] == "person" else (v, u)
                roles = as_texts(edge["attrs"].get("roles"))
                chars = as_texts(edge["attrs"].get("characters"))
                billing = as_number(edge["attrs"].get("billing"))
                what = ", ".join(roles) if roles else "credit"
                if chars:
                    what += " as " + " / ".join(chars)
                film_label = film_label_of(film, self.info[film]["attrs"])
                person_label = label_of(person, self.info[person]["attrs"])
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
                title = label_of(node, attrs)
                year = as_number(attrs.get("year"))
                if year is not None:
                    lines.append(f"Year: {int(year)}")
                rating = as_number(attrs.get("rating"))
                votes = as_number(attrs.get("votes"))
                if rating is not None:
                    lines.append(f"Rating: {rating:.1f}/10" + (f" ({int(votes):,} votes)" if votes is not None else ""))
                elif votes is not None:
                    lines.append(f"Votes: {int(votes):,}")
                genres = as_texts(attrs.get("genres"))
                if genres:
                    lines.append("Genres: " + ", ".join(genres))
                title_type = as_text(attrs.get("title_type"))
                if title_type:
                    lines.append(f"Type: {title_type}")
                cluster = self.cluster(node)
                if cluster is not None:
                    named = self.cluster_names.get(cluster)
                    lines.append(f"Cluster {cluster}: {named}" if named else f"Cluster: {cluster}")
                if is_stub(kind, attrs):
                    lines.append(self._stub_line(node))
            elif kind == "person":
                title = label_of(node, attrs)
                born = as_number(attrs.get("birth_year"))
                if born is not None:
                    lines.append(f"Born: {int(born)}")
                professions = as_texts(attrs.get("professions"))
                if professions:
                    lines.append("Professions: " + ", ".join(p.replace("_", " ") for p in professions))
            elif kind == "genre":
                title = "Genre: " + label_of(node, attrs)
                lines.append(f"{genre_films.get(node, 0)} film(s) in this view")
            else:
                title = label_of(node, attrs)
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

    def _stub_line(self, stub) -> str:
        """What a stub film is: the films whose "More like this" list gave only its title.

        For instance ``Listed by title only on Never Let Me Go (2010)'s page
        ("More like this")``: the view knows no cast for it.
        """
        S = self.src.S
        if S is not None and stub in S:
            listers = list(S.predecessors(stub)) if S.is_directed() else list(S.neighbors(stub))
        else:
            listers = [v for v in Source.adjacent(self.src.G, stub) if self.src.kind(v) == "film"]
        names = sorted(film_label_of(f, self.src.attrs(f)) for f in listers if f != stub)
        if not names:
            where = "on a \u201cMore like this\u201d list"
        elif len(names) == 1:
            where = f"on {names[0]}\u2019s page (\u201cMore like this\u201d)"
        else:
            more = f" and {len(names) - 3:,} more" if len(names) > 3 else ""
            where = "on the pages of " + ", ".join(names[:3]) + more + " (\u201cMore like this\u201d)"
        return f"Listed by title only {where}"

    def _edge_title(self, edge) -> str:
        u, v, attrs = edge["u"], edge["v"], edge["attrs"]
        lu = label_of(u, self.info[u]["attrs"])
        lv = label_of(v, self.info[v]["attrs"])
        if edge["kind"] == "credit":
            roles = as_texts(attrs.get("roles"))
            chars = as_texts(attrs.get("characters"))
            person, film = (lu, lv) if self.info[u]["kind"] == "person" else (lv, lu)
            text = f"{person} \u2013 {film}: " + (", ".join(roles) if roles else "credit")
            if chars:
                text += " as " + " / ".join(chars)
            billing = as_number(attrs.get("billing"))
            if billing is not None:
                text += f" (billed #{int(billing)})"
            return text
        if edge["kind"] == "similar":
            arrow = " \u2194 " if edge["both"] else (" \u2192 " if edge["directed"] else " \u2013 ")
            rank = as_number(attrs.get("rank"))
            return f"{lu}{arrow}{lv}: more like this" + (f" (rank {int(rank)})" if rank is not None else "")
        if edge["kind"] == "genre":
            return f"{lu} \u2013 {lv}"
        if edge["kind"] == "missing":
            return f"{lu} \u2013 {lv}: no direct link in the graph"
        return f"{lu} \u2013 {lv}"
