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

:func:`view` takes a :class:`reelgraph.mirror.Mirror` and a name
instead, and draws from just the part of the mirror the view needs
(:meth:`~reelgraph.mirror.Mirror.to_networkx` with ``nodes=``), so a view of a
few nodes never builds the NetworkX graph of a whole large store; ``reelgraph
show`` is this function on the command line.

Views
-----
:func:`neighbourhood_view` (:mod:`.neighbourhood`)
    Everything within ``depth`` steps of one film or person (cast, films,
    "More like this" links), at most ``max_nodes`` nodes.
:func:`path_view` (:mod:`.path`)
    A path (for instance from :func:`networkx.shortest_path`) laid out in
    reading order, each step labelled with the role and character.
:func:`cluster_view` (:mod:`.clusters`)
    Films coloured by cluster, with the links between them.
:func:`more_like_this_view` (:mod:`.more_like_this`)
    The "More like this" graph, or its neighbourhood around one film.
:func:`view` (:mod:`.from_mirror`)
    One of the four for a name, a pair of names, the clusters or the "More
    like this" graph of a mirror.

Where the rest lives
--------------------
:mod:`.view_object`
    :class:`View` and :func:`write_html`.
:mod:`.notebook`
    :func:`show_inline`.
:mod:`.cluster_names`
    :func:`stored_cluster_names`: the names ``reelgraph clusters`` printed for
    the cluster ids a store keeps.
:mod:`.style`
    Shapes, colours, sizes, the legend and vis-network's physics options.
:mod:`.page`
    The HTML page: the template ``templates/page.html``, the script and
    style ``static/page.js``, ``static/explore.js`` and ``static/page.css``, escaping and the
    Content-Security-Policy (see it for the safety guarantees).
``_builder``, ``_select``, ``_layout``, ``_source``, ``_values``
    Private helpers: building a view, choosing its nodes, their starting
    positions, reading the graph, reading attribute values.

Hovering a node shows a tooltip with year, rating, votes, genres, cluster
(named as ``reelgraph clusters`` names it when the view is given
``cluster_names``) and the roles and characters that link it to the other
nodes of the view; a film known only from a "More like this" list says
whose page listed it.  Nodes with an IMDb id link to their IMDb page,
derived ids (``title:...``, ``name:...``) get no link.  A title such as
``<img src=x onerror=alert(1)>`` shows as text.

Exploring (``static/explore.js``): a click focuses a node (it and its
neighbours stay, the rest fades; a side panel holds its details; Escape
or a click on the background clears it), a search box finds films and
people by name as you type (accents and case ignored) and centres on the
choice, filters (years, role, cluster, films known only by title) hide
nodes in the page with counts of what is shown, a cluster's legend entry
shows that cluster alone, labels are drawn only where they do not
overlap (more as you zoom), and "Export PNG" saves the picture.  A
cluster's colour comes from its id alone (:func:`~.style.cluster_colour`),
the same in every view.  Views of more than 300 nodes are laid out in
Python (igraph) and drawn without physics; smaller ones run a bounded
number of stabilisation iterations and stop.

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

from reelgraph.views._values import imdb_url
from reelgraph.views.cluster_names import stored_cluster_names
from reelgraph.views.clusters import cluster_view
from reelgraph.views.from_mirror import view
from reelgraph.views.more_like_this import more_like_this_view
from reelgraph.views.neighbourhood import neighbourhood_view
from reelgraph.views.notebook import show_inline
from reelgraph.views.path import path_view
from reelgraph.views.style import CLUSTER_COLOURS, EDGE_STYLES, KIND_STYLES
from reelgraph.views.view_object import View, write_html

__all__ = [
    "View",
    "view",
    "neighbourhood_view",
    "path_view",
    "cluster_view",
    "more_like_this_view",
    "stored_cluster_names",
    "write_html",
    "show_inline",
    "imdb_url",
    "KIND_STYLES",
    "EDGE_STYLES",
    "CLUSTER_COLOURS",
]
