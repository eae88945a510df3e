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

__all__ = ["View", "write_html"]


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
        return page.render_document(
            title=self.title,
            note=self.note,
            omitted=self.omitted,
            legend=self.legend,
            nodes=self.network.nodes,
            edges=self.network.edges,
            options=self.network.options,
            meta={"kind": self.kind, "shown": self.shown, "omitted": self.omitted, "title": self.title},
        )

    def write(self, path) -> Path:
        """Same as :func:`write_html`."""
        return write_html(self, path)

    def _repr_html_(self) -> str:
        return notebook.iframe_srcdoc(self.html(), title=self.title)

    def __repr__(self) -> str:
        cut = f", {self.omitted} left out" if self.omitted else ""
        return f"<View {self.kind} {self.title!r}: {self.shown} nodes, {len(self.network.edges)} edges{cut}>"


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
