"""The View object: a drawn view and its page, and writing that page to a file.

Examples
--------
>>> import networkx as nx, tempfile, pathlib
>>> from reelgraph.views import neighbourhood_view
>>> G = nx.Graph()
>>> G.add_edge("nm0000001", "tt0000001", roles=["actor"])
>>> view = neighbourhood_view(G, "tt0000001")
>>> view
<View neighbourhood 'Neighbourhood of tt0000001 (1 step)': 2 nodes, 1 edges>
>>> with tempfile.TemporaryDirectory() as folder:
...     written = write_html(view, pathlib.Path(folder) / "view.html")
...     sorted(p.name for p in written.parent.iterdir())
['view.html']
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from reelgraph.views import notebook, page

__all__ = ["View", "NetworkData", "write_html"]


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
        :func:`write_html`.  The views hand over a :class:`NetworkData`
        (the same nodes, edges and options, built without importing pyvis),
        which becomes the pyvis network on first access of this attribute;
        :attr:`nodes`, :attr:`edges`, :meth:`html` and :func:`write_html`
        never need pyvis itself.
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
    clusters : list of dict
        ``{"id", "name", "colour", "films"}`` of each cluster among the
        view's films, biggest first: what the page's cluster filter offers.
    chain : list
        Node ids of a chain in the view, in order (a path view's path, or
        the ``chain`` a view was given): the page offers a button that
        highlights it.  Empty when the view holds none.
    """

    network: object
    title: str
    legend: list = field(default_factory=list)
    note: str | None = None
    shown: int = 0
    omitted: int = 0
    kind: str = "view"
    clusters: list = field(default_factory=list)
    chain: list = field(default_factory=list)

    def _held(self):
        """The network as held: a pyvis network, or the :class:`NetworkData` not yet turned into one."""
        return self.__dict__["network"]

    @property
    def nodes(self) -> list[dict]:
        return self._held().nodes

    @property
    def edges(self) -> list[dict]:
        return self._held().edges

    @property
    def options(self) -> dict:
        return self._held().options

    def html(self) -> str:
        """The self-contained HTML document of this view."""
        network = self._held()
        return page.render_document(
            title=self.title,
            note=self.note,
            omitted=self.omitted,
            legend=self.legend,
            nodes=network.nodes,
            edges=network.edges,
            options=network.options,
            meta={"kind": self.kind, "shown": self.shown, "omitted": self.omitted, "title": self.title, "clusters": self.clusters,
                  "chain": self.chain},
        )

    def write(self, path) -> Path:
        """Same as :func:`write_html`."""
        return write_html(self, path)

    def _repr_html_(self) -> str:
        return notebook.iframe_srcdoc(self.html(), title=self.title)

    def __repr__(self) -> str:
        cut = f", {self.omitted} left out" if self.omitted else ""
        return f"<View {self.kind} {self.title!r}: {self.shown} nodes, {len(self.edges)} edges{cut}>"


class NetworkData:
    """A view's nodes, edges and options exactly as pyvis 0.3.2's ``Network`` holds them, without importing pyvis.

    Importing pyvis imports IPython, about 0.2 s of a ``reelgraph show``
    that only writes a page.  :meth:`add_node` and :meth:`add_edge` build the
    same dicts as ``Network.add_node`` and ``Network.add_edge`` of a
    directed network without ``font_color``, the only kind the views make;
    :meth:`to_pyvis` hands the very same lists to a real network.

    Examples
    --------
    >>> from pyvis.network import Network
    >>> data, net = NetworkData(), Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    >>> for target in (data, net):
    ...     target.add_node("nm1", label="A", shape="dot", color={"background": "#fff"}, value=3, rgKind="person")
    ...     target.add_node("tt1", label="", shape="box", color="#000", x=1, y=2)
    ...     target.add_node("nm1", label="again")
    ...     target.add_edge("nm1", "tt1", id="e0", arrows="", width=2.0)
    ...     target.add_edge("tt1", "nm1", id="e1")
    >>> data.nodes == net.nodes and [list(n) for n in data.nodes] == [list(n) for n in net.nodes]
    True
    >>> data.edges == net.edges and [list(e) for e in data.edges] == [list(e) for e in net.edges]
    True
    >>> data.to_pyvis().node_map == net.node_map
    True
    """

    def __init__(self):
        self.nodes: list[dict] = []
        self.edges: list[dict] = []
        self.options: dict = {}
        self._ids: set = set()

    def add_node(self, n_id, label=None, shape="dot", color="#97c2fc", **options):
        assert isinstance(n_id, (str, int))
        if n_id in self._ids:  # pyvis keeps the first node of an id
            return
        node = {} if "group" in options else {"color": color}
        node.update(options)
        node["id"], node["label"], node["shape"] = n_id, label if label else n_id, shape
        self.nodes.append(node)
        self._ids.add(n_id)

    def add_edge(self, source, to, **options):
        assert source in self._ids, f"non existent node '{source}'"
        assert to in self._ids, f"non existent node '{to}'"
        edge = dict(options)
        edge["from"], edge["to"] = source, to
        if "arrows" not in edge:
            edge["arrows"] = "to"
        self.edges.append(edge)

    def to_pyvis(self):
        """A pyvis ``Network`` holding these nodes, edges and options (the same objects, not copies)."""
        from pyvis.network import Network

        network = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
        network.nodes, network.edges, network.options = self.nodes, self.edges, self.options
        network.node_ids = [node["id"] for node in self.nodes]
        network.node_map = {node["id"]: node for node in self.nodes}
        return network


class _NetworkOnFirstUse:
    """``View.network``: a :class:`NetworkData` becomes the pyvis network when first read."""

    def __get__(self, view, owner=None):
        if view is None:
            return self
        network = view.__dict__["network"]
        if isinstance(network, NetworkData):
            network = view.__dict__["network"] = network.to_pyvis()
        return network

    def __set__(self, view, value):
        view.__dict__["network"] = value


# Set after @dataclass, which would otherwise take the descriptor for the field's default.
View.network = _NetworkOnFirstUse()


def write_html(view: View, path) -> Path:
    """Write ``view`` as one self-contained HTML file and return its path.

    Nothing else is written: no ``lib/`` folder, here or in the working
    directory.  The file is written next to itself as ``<path>.tmp`` and
    renamed, so a reader never sees half a page.

    Examples
    --------
    >>> import reelgraph as rg
    >>> mirror = rg.build_mirror(rg.read_sources(rg.SAMPLE_SOURCES))
    >>> import tempfile
    >>> page = write_html(rg.view(mirror, "Never Let Me Go"), tempfile.mkdtemp() + "/nlmg.html")
    >>> page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    True
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
