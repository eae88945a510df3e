"""reelgraph as a NetworkX backend: users' NetworkX calls answered from the mirror's arrays.

NetworkX (3.3+) hands a call to a third-party backend when a graph argument
says it belongs to one (``G.__networkx_backend__``) or the caller asks
(``backend="reelgraph"``).  reelgraph registers this module through the
``networkx.backends`` entry point (``pyproject.toml``), so with

>>> import networkx as nx
>>> import reelgraph as rg
>>> mirror = rg.build_mirror(rg.read_sources(rg.SAMPLE_SOURCES))
>>> G = mirror.as_networkx_backend()          # a ReelgraphGraph over the mirror's CSR arrays
>>> nx.shortest_path(G, "name:carey-mulligan", "name:keira-knightley")   # on the arrays
['name:carey-mulligan', 'tt1334260', 'name:keira-knightley']

ordinary NetworkX code runs on the compact arrays, and
``nx.shortest_path(H, a, b, backend="reelgraph")`` converts a plain
``networkx.Graph`` ``H`` first.  The graph is the one :attr:`Mirror.nx
<reelgraph.mirror.Mirror.nx>` builds: a node per person and film (keyed by
id), an edge per (person, film) with a credit of any role; "More like this"
links are not edges.

Run on the arrays (:data:`ON_ARRAYS`), unweighted, with NetworkX's own
answers: the same path where several are shortest (each search visits
neighbours in the order NetworkX does, and grows the same fringe), the same
dict order, the same errors and messages.

Everything else falls back: called with a :class:`ReelgraphGraph`, NetworkX's
own function runs on the NetworkX graph of the mirror (:attr:`Mirror.nx`,
built once: minutes and gigabytes for a whole-IMDb store), after a
:class:`NetworkXFallbackWarning` that gives the reason.  Called with plain
NetworkX graphs, :func:`can_run` returns the reason and NetworkX runs its own
code (or, with ``backend="reelgraph"``, raises ``NotImplementedError``; the
reason is in NetworkX's debug log).  Functions that change their input graph
never fall back: they would change a copy.

Why not ``community.louvain_communities``: the mirror's clusters
(:mod:`reelgraph.analysis.clusters`) are Louvain communities of the *film
similarity* graph (igraph's implementation on large graphs), not of this
person–film graph with NetworkX's seeded visiting order, so they cannot stand
for its result; NetworkX's own function runs instead.
"""

from __future__ import annotations

import inspect
import os
import sys
import threading
import warnings
from collections.abc import Iterator

import networkx as nx
import numpy as np

__all__ = [
    "BACKEND_NAME",
    "ON_ARRAYS",
    "ReelgraphGraph",
    "NetworkXFallbackWarning",
    "backend_interface",
    "convert_from_nx",
    "convert_to_nx",
    "can_run",
    "should_run",
]

#: The name NetworkX knows the backend by (``backend="reelgraph"``).
BACKEND_NAME = "reelgraph"

#: Why a function NetworkX could hand over runs in NetworkX instead, where there is more to say than "not implemented".
_REASONS = {
    "louvain_communities": "the mirror's clusters are Louvain communities of the film similarity graph, not of this "
                           "graph with NetworkX's seeded order; NetworkX's own louvain_communities gives that result",
}

#: Single queries: converting a NetworkX graph costs far more than the query, so automatic conversion is declined.
_SINGLE_QUERIES = {"bidirectional_shortest_path", "has_path"}


#: Highest generation stamp the int32 marks hold.
_LAST_STAMP = int(np.iinfo(np.int32).max)


class NetworkXFallbackWarning(UserWarning):
    """A call on a :class:`ReelgraphGraph` ran in NetworkX (on the mirror's NetworkX graph); the message says why."""


class ReelgraphGraph:
    """An undirected graph held as CSR arrays: the graph type of reelgraph's NetworkX backend.

    Get the mirror's with :meth:`Mirror.as_networkx_backend
    <reelgraph.mirror.Mirror.as_networkx_backend>`; NetworkX makes one from a
    ``networkx.Graph`` (:func:`convert_from_nx`) when called with
    ``backend="reelgraph"``.  ``len``, ``in``, iteration and
    :meth:`neighbors` read the arrays; any other ``networkx.Graph``
    attribute (``G.nodes[n]``, ``G.edges``, ...) is read from the NetworkX
    graph (:meth:`to_networkx`, built on first use for a mirror).

    Parameters
    ----------
    ids : numpy.ndarray of object
        Node keys, in NetworkX's node order.
    indptr, indices : numpy.ndarray
        Row ``i`` lists node ``i``'s neighbours, in NetworkX's ``G.adj`` order.
    index_of : callable
        Node key -> row; raises ``KeyError`` (or ``TypeError``) for a non-node.
    mirror : Mirror, optional
        The mirror the arrays come from (its ``nx`` is the NetworkX graph).
    source : networkx.Graph, optional
        The graph the arrays were converted from (returned as the NetworkX graph).

    Examples
    --------
    >>> import networkx as nx
    >>> G = ReelgraphGraph.from_networkx(nx.path_graph(4))
    >>> len(G), list(G.neighbors(1)), nx.shortest_path(G, 0, 3)
    (4, [0, 2], [0, 1, 2, 3])
    """

    __networkx_backend__ = BACKEND_NAME
    # No dispatcher cache: the NetworkX graph is the mirror's own (cached there) or the original graph.
    __networkx_cache__ = None

    def __init__(self, ids, indptr, indices, index_of, *, mirror=None, source=None):
        self.ids, self.indptr, self.indices = ids, indptr, indices
        self._index_of, self.mirror, self._source = index_of, mirror, source
        self._lock = threading.Lock()
        self._scratch = None
        self._gen = 0

    @classmethod
    def from_mirror(cls, mirror) -> "ReelgraphGraph":
        """The graph of :attr:`Mirror.nx <reelgraph.mirror.Mirror.nx>` over the mirror's arrays (nothing copied,
        unless a graph index patched for a small edit holds some rows apart: :meth:`~reelgraph.mirror.CsrView.materialize`)."""
        view = mirror.view(frozenset(mirror.role_names))  # every credit links, as in mirror.nx
        return cls(mirror.ids, *view.materialize(), mirror.index_of, mirror=mirror)

    @classmethod
    def from_networkx(cls, G) -> "ReelgraphGraph":
        """The arrays of an undirected ``networkx.Graph`` (structure only; node and edge attributes stay in ``G``)."""
        index = {node: i for i, node in enumerate(G)}
        ids = np.empty(len(index), dtype=object)
        for node, i in index.items():  # element by element: a tuple key must stay one key
            ids[i] = node
        adj = G._adj  # NetworkX's own neighbour order, the order its searches visit
        indptr = np.zeros(len(index) + 1, dtype=np.int64)
        np.cumsum([len(adj[node]) for node in index], out=indptr[1:])
        indices = np.fromiter((index[w] for node in index for w in adj[node]), dtype=np.int32, count=int(indptr[-1]))
        return cls(ids, indptr, indices, index.__getitem__, source=G)

    # -- what NetworkX code asks of a graph ---------------------------------

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator:
        return iter(self.ids.tolist())

    def __contains__(self, node) -> bool:
        return self.index(node) is not None

    def has_node(self, node) -> bool:
        return node in self

    def number_of_nodes(self) -> int:
        return len(self.ids)

    def number_of_edges(self) -> int:
        if self.mirror is not None:  # person-film edges: no self-loops
            return len(self.indices) // 2
        rows = np.repeat(np.arange(len(self.ids)), np.diff(self.indptr))
        loops = int(np.count_nonzero(rows == self.indices))  # a self-loop is listed once, in its own row
        return (len(self.indices) + loops) // 2

    def is_directed(self) -> bool:
        return False

    def is_multigraph(self) -> bool:
        return False

    def neighbors(self, node) -> Iterator:
        i = self._row(node, f"The node {node} is not in the graph.", nx.NetworkXError)
        return iter(self.ids[self.indices[self.indptr[i]:self.indptr[i + 1]]].tolist())

    def to_networkx(self):
        """The NetworkX graph: the mirror's :attr:`~reelgraph.mirror.Mirror.nx`, the converted graph, or one built from the arrays."""
        if self.mirror is not None:
            return self.mirror.nx
        if self._source is None:
            G = nx.Graph()
            G.add_nodes_from(self.ids.tolist())
            rows = np.repeat(np.arange(len(self.ids)), np.diff(self.indptr))
            G.add_edges_from(zip(self.ids[rows].tolist(), self.ids[self.indices].tolist()))
            self._source = G
        return self._source

    def __getattr__(self, name):
        if name.startswith("_"):  # never hand NetworkX's private or dunder lookups to the copy
            raise AttributeError(name)
        return getattr(self.to_networkx(), name)

    def __repr__(self) -> str:
        return f"<ReelgraphGraph {len(self.ids)} nodes, NetworkX backend {BACKEND_NAME!r}>"

    # -- for the searches -----------------------------------------------------

    def index(self, node) -> int | None:
        """Row of a node, ``None`` when it is not one (NetworkX: ``node not in G``)."""
        try:
            return int(self._index_of(node))
        except Exception:  # KeyError, or TypeError / pandas' InvalidIndexError for an unhashable key: not a node
            return None

    def _row(self, node, message: str, error=nx.NodeNotFound) -> int:
        i = self.index(node)
        if i is None:
            raise error(message)
        return i

    def _take_scratch(self, stamps: int = 1):
        """Work arrays of the graph's size and the first of ``stamps`` fresh generation stamps (call under ``self._lock``)."""
        n = len(self.ids)
        if self._scratch is None:
            self._scratch = {name: np.zeros(n, dtype=np.int32) for name in
                             ("mark_f", "mark_r", "pred_f", "pred_r", "queue_f", "queue_r", "dist", "out")}
        if self._gen + stamps >= _LAST_STAMP:  # stamps about to wrap: start over from clean marks
            self._scratch["mark_f"][:] = 0
            self._scratch["mark_r"][:] = 0
            self._gen = 0
        first = self._gen + 1
        self._gen += stamps
        return self._scratch, first

    def _path(self, s: int, t: int) -> np.ndarray | None:
        from reelgraph._nx_backend_kernels import bidirectional_path

        with self._lock:
            sc, gen = self._take_scratch()
            n = bidirectional_path(self.indptr, self.indices, s, t, sc["mark_f"], sc["mark_r"], sc["pred_f"],
                                   sc["pred_r"], sc["queue_f"], sc["queue_r"], gen, sc["out"])
            return sc["out"][:n].copy() if n else None

    def _bfs(self, source: int, cutoff=None):
        """Nodes in NetworkX's breadth-first order from ``source``, with their distances and first parents."""
        from reelgraph._nx_backend_kernels import bfs

        with self._lock:
            sc, gen = self._take_scratch()
            cut = np.inf if cutoff is None else float(cutoff)
            n = bfs(self.indptr, self.indices, source, cut, sc["mark_f"], gen, sc["queue_f"], sc["dist"], sc["pred_f"])
            order = sc["queue_f"][:n].copy()
            return order, sc["dist"][order], sc["pred_f"][order]


# -- the functions run on the arrays ----------------------------------------------


def _shortest_path_indexes(G: ReelgraphGraph, source, target) -> np.ndarray:
    s = G._row(source, f"Source {source} is not in G")
    t = G._row(target, f"Target {target} is not in G")
    path = G._path(s, t)
    if path is None:
        raise nx.NetworkXNoPath(f"No path between {source} and {target}.")
    return path


def bidirectional_shortest_path(G, source, target):
    """``nx.bidirectional_shortest_path`` on the arrays: the same path NetworkX finds."""
    return G.ids[_shortest_path_indexes(G, source, target)].tolist()


def has_path(G, source, target):
    """``nx.has_path`` on the arrays."""
    try:
        _shortest_path_indexes(G, source, target)
    except nx.NetworkXNoPath:
        return False
    return True


def _check_method(method):
    if method not in ("dijkstra", "bellman-ford"):
        raise ValueError(f"method not supported: {method}")


def _paths_from(G: ReelgraphGraph, source, cutoff=None) -> dict:
    """``nx.single_source_shortest_path``: each path extends its first parent's, in breadth-first order."""
    s = G._row(source, f"Source {source} not in G")
    order, _dist, parent = G._bfs(s, cutoff)
    # Parents by their place in the breadth-first order, so the paths are one list, not a second dict by node.
    place = np.empty(len(G.ids), dtype=np.int64)
    place[order] = np.arange(len(order))
    keys = G.ids[order].tolist()
    paths = [[keys[0]]]
    for key, up in zip(keys[1:], place[parent[1:]].tolist()):
        paths.append(paths[up] + [key])
    return dict(zip(keys, paths))


def single_source_shortest_path(G, source, cutoff=None):
    """``nx.single_source_shortest_path`` on the arrays."""
    return _paths_from(G, source, cutoff)


def shortest_path(G, source=None, target=None, weight=None, method="dijkstra"):
    """``nx.shortest_path`` (unweighted) on the arrays: one pair, or from a source, or to a target."""
    _check_method(method)
    if source is not None and target is not None:
        return bidirectional_shortest_path(G, source, target)
    if source is not None:
        return _paths_from(G, source)
    paths = _paths_from(G, target)  # undirected: the paths from the target, turned round
    for key in paths:
        paths[key] = list(reversed(paths[key]))
    return paths


def single_source_shortest_path_length(G, source, cutoff=None):
    """``nx.single_source_shortest_path_length`` on the arrays (same keys, values and order)."""
    s = G._row(source, f"Source {source} is not in G")
    order, dist, _parent = G._bfs(s, cutoff)
    return dict(zip(G.ids[order].tolist(), dist.tolist()))


def shortest_path_length(G, source=None, target=None, weight=None, method="dijkstra"):
    """``nx.shortest_path_length`` (unweighted) on the arrays: one pair, or from a source, or to a target."""
    _check_method(method)
    if source is not None and target is not None:
        return len(_shortest_path_indexes(G, source, target)) - 1
    return single_source_shortest_path_length(G, source if source is not None else target)


def all_shortest_paths(G, source, target, weight=None, method="dijkstra"):
    """``nx.all_shortest_paths`` (unweighted) on the arrays: the same paths in the same order.

    As in NetworkX, an unknown source raises at once and an unreachable (or
    unknown) target when the generator is first advanced.
    """
    from reelgraph._nx_backend_kernels import predecessor_dag

    s = G._row(source, f"Source {source} not in G")
    t = G.index(target)
    pred = {}
    if t is not None:
        with G._lock:
            sc, gen = G._take_scratch()
            nodes, ptr, preds = predecessor_dag(G.indptr, G.indices, s, t, sc["mark_f"], gen, sc["queue_f"],
                                                sc["dist"], sc["pred_f"])
        keys, pred_keys = G.ids[nodes].tolist(), G.ids[preds].tolist()
        pred = {key: pred_keys[ptr[i]:ptr[i + 1]] for i, key in enumerate(keys)}
    return _paths_back(source, target, pred)


def _paths_back(source, target, pred: dict):
    """The paths of a predecessor map from ``source`` to ``target``, in the order NetworkX lists them."""
    if target not in pred:
        raise nx.NetworkXNoPath(f"Target {target} cannot be reached from given sources")
    # A depth-first walk from the target over the predecessor lists, in list order,
    # as networkx's _build_paths_from_predecessors makes it.
    stack = [[target, 0]]
    while stack:
        node, i = stack[-1]
        if node == source:
            yield [n for n, _ in reversed(stack)]
        if len(pred[node]) > i:
            stack[-1][1] = i + 1
            stack.append([pred[node][i], 0])
        else:
            stack.pop()


def connected_components(G):
    """``nx.connected_components`` on the arrays: the same sets, in the same order (a generator)."""
    from reelgraph._nx_backend_kernels import component_labels

    with G._lock:
        sc, _gen = G._take_scratch()
        labels, count = component_labels(G.indptr, G.indices, sc["queue_f"])
    return _components(G.ids, labels, count)


def _components(ids: np.ndarray, labels: np.ndarray, count: int):
    order = np.argsort(labels, kind="stable")
    ends = np.cumsum(np.bincount(labels, minlength=count))
    start = 0
    for end in ends.tolist():
        yield set(ids[order[start:end]].tolist())
        start = end


def number_connected_components(G):
    """``nx.number_connected_components`` on the arrays."""
    from reelgraph._nx_backend_kernels import component_labels

    with G._lock:
        sc, _gen = G._take_scratch()
        return int(component_labels(G.indptr, G.indices, sc["queue_f"])[1])


def node_connected_component(G, n):
    """``nx.node_connected_component`` on the arrays (``KeyError`` for a non-node, as NetworkX)."""
    i = G.index(n)
    if i is None:
        raise KeyError(n)
    order, _dist, _parent = G._bfs(i)
    return set(G.ids[order].tolist())


def closeness_centrality(G, u=None, distance=None, wf_improved=True):
    """``nx.closeness_centrality`` (unweighted) on the arrays: one node's value, or a dict of all, bit for bit NetworkX's."""
    from reelgraph._nx_backend_kernels import closeness_sums

    if u is None:
        rows = np.arange(len(G.ids))
    else:
        rows = np.array([G._row(u, f"Source {u} is not in G")])
    with G._lock:
        sc, first = G._take_scratch(len(rows))
        reached, total = closeness_sums(G.indptr, G.indices, rows, sc["mark_f"], first, sc["queue_f"], sc["dist"],
                                       sc["pred_f"])
    n_nodes = len(G.ids)
    # NetworkX's float operations, in its order, so the values are identical.
    found = reached - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        value = found / total
        if wf_improved:
            value = value * (found / (n_nodes - 1))
    value = np.where((total > 0) & (n_nodes > 1), value, 0.0)
    if u is not None:
        return float(value[0])
    return dict(zip(G.ids.tolist(), value.tolist()))


#: Functions answered from the arrays, by NetworkX name.
ON_ARRAYS = {
    f.__name__: f
    for f in (shortest_path, bidirectional_shortest_path, all_shortest_paths, single_source_shortest_path,
              single_source_shortest_path_length, shortest_path_length, has_path, connected_components,
              number_connected_components, node_connected_component, closeness_centrality)
}
#: Parameter -> position, per function of ON_ARRAYS (their signatures are NetworkX's).
_POSITIONS = {name: {p: i for i, p in enumerate(inspect.signature(f).parameters)} for name, f in ON_ARRAYS.items()}


# -- when the arrays can answer ----------------------------------------------------


def _graphs_in(args, kwargs):
    for value in (*args, *kwargs.values()):
        if isinstance(value, (list, tuple)):
            yield from (v for v in value if hasattr(v, "__networkx_backend__"))
        elif hasattr(value, "__networkx_backend__"):
            yield value


def _why_not_arrays(name: str, args, kwargs) -> str | None:
    """Why the arrays cannot answer this call (``None``: they can)."""
    if name not in ON_ARRAYS:
        return _REASONS.get(name, f"reelgraph's arrays do not implement {name}")
    # Arguments picked by position or keyword, not Signature.bind: this runs twice a call (can_run, then the
    # call), and bind would be a third of a path query's time.  A malformed call raises in the function itself.
    given = _Arguments(name, args, kwargs)
    G = given.get("G")
    if not isinstance(G, ReelgraphGraph):
        if not isinstance(G, nx.Graph):
            return f"{type(G).__name__} is not a NetworkX graph"
        if G.is_directed():
            return "the graph is directed; reelgraph's arrays hold undirected graphs"
        if G.is_multigraph():
            return "the graph is a multigraph; reelgraph's arrays hold simple graphs"
    if given.get("weight") is not None:
        return f"weighted paths (weight={given.get('weight')!r}); reelgraph's arrays are unweighted"
    if given.get("distance") is not None:
        return f"weighted distances (distance={given.get('distance')!r}); reelgraph's arrays are unweighted"
    if name in ("shortest_path", "shortest_path_length") and given.get("source") is None and given.get("target") is None:
        return "all pairs at once: NetworkX's iterator runs instead"
    return None


class _Arguments:
    """The value a call gives a parameter (``None`` when it gives none), read the way Python would bind it."""

    __slots__ = ("name", "args", "kwargs")

    def __init__(self, name, args, kwargs):
        self.name, self.args, self.kwargs = name, args, kwargs

    def get(self, parameter):
        position = _POSITIONS[self.name].get(parameter)
        if position is None:
            return None
        if position < len(self.args):
            return self.args[position]
        return self.kwargs.get(parameter)


def _mutates_input(name: str, args, kwargs) -> bool:
    """Whether this call changes an input graph (``relabel_nodes(G, m, copy=False)``, ``set_node_attributes``...)."""
    mutates = getattr(nx.utils.backends._registered_algorithms.get(name), "mutates_input", False)
    if isinstance(mutates, bool):
        return mutates
    # {argument: position}: "not copy" mutates when copy is false (default true), others when the argument is given.
    n = len(args)
    return any(
        (args[pos] if n > pos else kwargs.get(arg)) is not None if not arg.startswith("not ")
        else not (args[pos] if n > pos else kwargs.get(arg[4:], True))
        for arg, pos in mutates.items()
    )


def can_run(name, args, kwargs):
    """NetworkX asks: can the backend run this call?  ``True``, or the reason it cannot.

    On a :class:`ReelgraphGraph` the answer is yes for anything that does not
    change its input: what the arrays cannot answer runs in NetworkX on the
    NetworkX graph (see the module docstring).

    Examples
    --------
    >>> import networkx as nx
    >>> can_run("shortest_path", (nx.path_graph(3), 0, 2), {})
    True
    >>> can_run("shortest_path", (nx.path_graph(3), 0, 2), {"weight": "w"})
    "weighted paths (weight='w'); reelgraph's arrays are unweighted"
    """
    reason = _why_not_arrays(name, args, kwargs)
    if reason is None:
        return True
    if any(isinstance(g, ReelgraphGraph) for g in _graphs_in(args, kwargs)):
        if _mutates_input(name, args, kwargs):
            return f"{name} changes its input graph; run it on the NetworkX graph (G.to_networkx())"
        return True  # the fallback runs, warning with the reason
    return reason


def should_run(name, args, kwargs):
    """NetworkX asks, before converting a NetworkX graph automatically: is it worth it?

    A single path query costs less in NetworkX than converting the graph;
    whole-graph work (components, closeness of every node) is worth it.

    Examples
    --------
    >>> import networkx as nx
    >>> should_run("connected_components", (nx.path_graph(3),), {})
    True
    >>> should_run("shortest_path", (nx.path_graph(3), 0, 2), {}).startswith("one query costs less")
    True
    """
    if name in _SINGLE_QUERIES or (name in ("shortest_path", "shortest_path_length") and _both_ends(name, args, kwargs)):
        return "one query costs less in NetworkX than converting the graph (pass the mirror's graph instead)"
    return True


def _both_ends(name, args, kwargs) -> bool:
    given = _Arguments(name, args, kwargs)
    return given.get("source") is not None and given.get("target") is not None


# -- conversion and the backend object NetworkX loads --------------------------------


def convert_from_nx(G, edge_attrs=None, node_attrs=None, preserve_edge_attrs=False, preserve_node_attrs=False,
                    preserve_graph_attrs=False, name=None, graph_name=None):
    """A NetworkX graph as a :class:`ReelgraphGraph` (structure only: :func:`can_run` refuses calls needing attributes).

    Examples
    --------
    >>> import networkx as nx
    >>> G = convert_from_nx(nx.Graph([("a", "b")]))
    >>> G.__networkx_backend__, list(G), convert_to_nx(G).number_of_edges()
    ('reelgraph', ['a', 'b'], 1)
    """
    if isinstance(G, ReelgraphGraph):
        return G
    return ReelgraphGraph.from_networkx(G)


def convert_to_nx(obj, *, name=None):
    """A :class:`ReelgraphGraph` as NetworkX (:meth:`ReelgraphGraph.to_networkx`); anything else as it is."""
    if isinstance(obj, ReelgraphGraph):
        return obj.to_networkx()
    return obj


def _user_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the user's line, past NetworkX's dispatch frames and this module's."""
    nx_folder = os.path.dirname(nx.__file__)
    frame, level = sys._getframe(2), 2  # level 1 is the function that warns
    while frame is not None and (frame.f_code.co_filename.startswith((nx_folder, "<class 'networkx"))
                                 or frame.f_code.co_filename == __file__):
        frame, level = frame.f_back, level + 1
    return level


def _fallback(name: str, reason: str):
    """NetworkX's own ``name``, run on the NetworkX graphs of the arguments, after a warning with the reason."""

    def run(*args, **kwargs):
        warnings.warn(f"reelgraph backend: {name} runs in NetworkX on the NetworkX copy of the graph, because {reason}",
                      NetworkXFallbackWarning, stacklevel=_user_stacklevel())
        # backend="networkx" makes NetworkX convert the arguments with convert_to_nx and run its own code.
        return nx.utils.backends._registered_algorithms[name](*args, backend="networkx", **kwargs)

    run.__name__ = name
    return run


def _on_arrays(name: str):
    impl = ON_ARRAYS[name]

    def run(*args, **kwargs):
        reason = _why_not_arrays(name, args, kwargs)
        if reason is not None:
            return _fallback(name, reason)(*args, **kwargs)
        return impl(*args, **kwargs)

    run.__name__, run.__doc__ = name, impl.__doc__
    return run


class _Backend:
    """The object the ``networkx.backends`` entry point names: NetworkX reads functions off it by name."""

    convert_from_nx = staticmethod(convert_from_nx)
    convert_to_nx = staticmethod(convert_to_nx)
    can_run = staticmethod(can_run)
    should_run = staticmethod(should_run)

    def __init__(self):
        for name in ON_ARRAYS:
            setattr(self, name, _on_arrays(name))

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        # NetworkX's registry of dispatchable functions (private, but the only list of them it keeps).
        if name in nx.utils.backends._registered_algorithms:
            # Every dispatchable function "exists" so NetworkX hands it over; can_run says when it may.
            return _fallback(name, _REASONS.get(name, f"reelgraph's arrays do not implement {name}"))
        raise AttributeError(name)


#: What ``networkx.backends`` loads (``pyproject.toml``: ``reelgraph = "reelgraph.nx_backend:backend_interface"``).
backend_interface = _Backend()
