"""The path view: a chain of films and people laid out in reading order.

Its title says how long the chain is as ``reelgraph path`` does: in co-star
steps (person, film, person is 1), or film-to-film steps for a chain
between two films.

Examples
--------
>>> import networkx as nx
>>> G = nx.Graph()
>>> G.add_node("tt0000001", kind="film", label="A Film")
>>> G.add_node("nm0000001", kind="person", label="Ann")
>>> G.add_node("nm0000002", kind="person", label="Bo")
>>> G.add_edge("nm0000001", "tt0000001", roles=["actor"])
>>> G.add_edge("nm0000002", "tt0000001", roles=["actress"], characters=["Kathy"])
>>> view = path_view(G, ["nm0000001", "tt0000001", "nm0000002"])
>>> view.title, [e["label"] for e in view.edges]
('Path from Ann to Bo (1 co-star step)', ['actor', 'actress as Kathy'])
"""

from __future__ import annotations

from reelgraph.views._builder import Builder
from reelgraph.views._select import require
from reelgraph.views._source import Source
from reelgraph.views._values import as_texts, label_of, plural
from reelgraph.views.view_object import View

__all__ = ["path_view"]


def path_view(mirror, path_node_ids, *, colour_by: str = "kind", size_by: str | None = None, title: str | None = None,
              cluster_names=None) -> View:
    """A path through the graph, laid out in reading order (rows of four, snaking).

    Each step is labelled with what links the two nodes (role and character
    for a credit, "more like this" for a link); a step with no edge in the
    graph is drawn as a red dashed line.  The title says how long the path
    is as ``reelgraph path`` does: a chain person, film, person, ... in
    co-star steps (its ``distance``), film, person, film, ... in
    film-to-film steps, any other path in links.

    Raises
    ------
    ValueError
        When the path is empty.
    NameNotFoundError
        When a node of the path is not in the mirror.

    Examples
    --------
    >>> import reelgraph as rg
    >>> mirror = rg.build_mirror(rg.read_sources(rg.SAMPLE_SOURCES))
    >>> chain = rg.costar_path(mirror, "Keira Knightley", "Sally Hawkins").path
    >>> v = path_view(mirror, [step["id"] for step in chain])
    >>> v.shown, v.title
    (3, 'Path from Keira Knightley to Sally Hawkins (1 co-star step)')
    """
    src = Source(mirror)
    path = list(path_node_ids)
    if not path:
        raise ValueError("path_view needs at least one node")
    for node in path:
        require(src, node)
    b = Builder(src, colour_by=colour_by, size_by=size_by, cluster_names=cluster_names)
    # rows of four: a long chain fills a notebook's frame (wide, not tall) with its labels readable
    per_row, dx, dy = 4, 320, 200
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
    b.add_chain(path, step_label=_step_label)
    first = label_of(path[0], src.attrs(path[0]))
    last = label_of(path[-1], src.attrs(path[-1]))
    view = b.build(
        title=title or (f"Path from {first} to {last} ({_path_length(b, path)})" if len(path) > 1 else f"Path: {first}"),
        kind="path",
        physics=False,
    )
    # a path has few nodes, all labelled (the page's script leaves its labels alone), and is
    # fitted to a frame that may be narrow: larger labels stay readable there
    view.options["nodes"]["font"]["size"] = 20
    view.options["edges"]["font"]["size"] = 15
    for node in view.nodes:
        if "font" in node:  # the two ends
            node["font"]["size"] = 24
    return view


def _path_length(b: Builder, path) -> str:
    """The length of a path as ``reelgraph path`` counts it.

    A chain person, film, person, ... (every step a credit) is as long as
    its co-star steps, film, person, film, ... as its film-to-film steps:
    half its links, the ``distance`` of :func:`reelgraph.analysis.paths.costar_path`
    and :func:`~reelgraph.analysis.paths.film_path`.  Any other path (a
    "More like this" link, a missing link, ends of two kinds) counts its links.
    """
    links = len(path) - 1
    kinds = [b.info[node]["kind"] for node in path]
    alternating = all({a, z} == {"person", "film"} for a, z in zip(kinds, kinds[1:]))
    credits = all(edge["kind"] == "credit" for edge in b.edges.values())
    if alternating and credits and len(b.edges) == links and kinds[0] == kinds[-1]:
        return plural(links // 2, "co-star step" if kinds[0] == "person" else "film-to-film step")
    return plural(links, "link")


def _step_label(kind, data) -> str:
    if kind == "credit":
        roles = as_texts(data.get("roles"))
        chars = as_texts(data.get("characters"))
        text = ", ".join(roles) if roles else "credit"
        if chars:
            text += " as " + " / ".join(chars)
        return text
    if kind == "similar":
        return "more like this"
    return ""
