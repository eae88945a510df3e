"""Views of a mirror by name: which view a request means, and which part of the mirror it draws from.

:func:`view` is the one call behind ``reelgraph show`` and ``reelgraph demo``.  The four view
functions take a NetworkX graph; a mirror of a large store would take
minutes and gigabytes to turn into one whole, so :func:`view` cuts out
(:meth:`reelgraph.mirror.Mirror.to_networkx` with ``nodes=``) only what the
view can reach: the ball of ``depth`` steps around a name, the nodes of a
path, or the films.  The view drawn from the cut-out is the very view the
whole graph gives (``tests/views/test_cutouts.py`` holds it to that).

Examples
--------
>>> from reelgraph.mirror import build_mirror
>>> from reelgraph.model import FilmGraph
>>> mirror = build_mirror(FilmGraph.from_records(
...     films=[{"id": "tt0000001", "title": "Atonement"}, {"id": "tt0000002", "title": "Brooklyn"}],
...     people=[{"id": "nm0000001", "name": "Saoirse Ronan"}, {"id": "nm0000002", "name": "Keira Knightley"},
...             {"id": "nm0000003", "name": "Emory Cohen"}],
...     credits=[{"person_id": p, "film_id": f, "role": "actor"}
...              for p, f in [("nm0000001", "tt0000001"), ("nm0000002", "tt0000001"),
...                           ("nm0000001", "tt0000002"), ("nm0000003", "tt0000002")]]))
>>> view(mirror, "Atonement").title
'Neighbourhood of Atonement (1 step)'
>>> drawn = view(mirror, path=("Keira Knightley", "Emory Cohen"))
>>> drawn.title, drawn.shown
('Path from Keira Knightley to Emory Cohen (2 co-star steps)', 5)
"""

from __future__ import annotations

from reelgraph.errors import NameNotFoundError, ReelgraphError
from reelgraph.views.clusters import cluster_view
from reelgraph.views.more_like_this import more_like_this_view
from reelgraph.views.neighbourhood import neighbourhood_view
from reelgraph.views.path import path_view
from reelgraph.views.view_object import View

__all__ = ["view"]


def view(
    mirror,
    name: str | None = None,
    *,
    path=None,
    clusters: bool = False,
    more_like_this: bool = False,
    depth: int | None = None,
    max_nodes: int | None = None,
    colour_by: str | None = None,
    size_by: str | None = "degree",
    cluster_names=None,
    chain=None,
) -> View:
    """The view a name (or a path, the clusters, the "More like this" graph) asks for, drawn from the mirror.

    Give exactly one of ``name`` (a neighbourhood), ``path``, ``clusters``
    or ``more_like_this`` (which may also take a ``name``: the film to centre
    on).

    Parameters
    ----------
    mirror : reelgraph.mirror.Mirror or reelgraph.model.FilmGraph
        The graph (a FilmGraph is mirrored first).
    name : str, optional
        Name or id of the film or person in the middle (see
        :mod:`reelgraph.names`); with ``more_like_this``, a film's.
    path : sequence of str, optional
        Two people (names or ids): the shortest co-star chain between them,
        as :func:`reelgraph.analysis.paths.costar_path` finds it.  Three or
        more ids: that chain itself (for instance a ``PathResult.path``'s
        ``"id"`` values, or a chain of films and people of your own).
    clusters : bool
        The films coloured by their ``cluster`` (``reelgraph clusters``
        writes it).
    more_like_this : bool
        The "More like this" graph, or its part around ``name``.
    depth : int, optional
        Steps out from ``name`` [default: 1; 2 "More like this" links].
    max_nodes : int, optional
        Cut the view at this many nodes, saying so in a note [default: 300;
        2,000 for the clusters and "More like this"].  A path is never cut.
    colour_by : {"kind", "cluster"}, optional
        [default: by kind; the "More like this" graph by cluster when its
        films have one].  The cluster view is always coloured by cluster.
    size_by : {"degree", "rating", None}
        What node sizes show; a path's nodes are all one size.
    cluster_names : optional
        The names ``reelgraph clusters`` printed (``{cluster id: name}``, or
        the :class:`~reelgraph.analysis.clusters.ClusterResult` that
        :func:`reelgraph.cluster` returns): the legend, tooltips and cluster
        filter use them instead of "cluster <id>".
    chain : sequence of str, optional
        With ``name`` (a neighbourhood, or "More like this" around a film):
        a chain to add to the view and let the page highlight, given as
        ``path`` is (two people, or three or more ids).

    Returns
    -------
    View
        Ready for :func:`~reelgraph.views.write_html`.

    Raises
    ------
    ValueError
        When none or several of the four kinds of view are asked for, a
        ``path`` or ``chain`` of fewer than two nodes, or a ``chain`` without
        a ``name``.
    NameNotFoundError, AmbiguousNameError
        When a name (or an id of a chain) names no node, or a name several.
    ReelgraphError
        When the two people of ``path`` are not connected.

    Examples
    --------
    >>> import reelgraph as rg
    >>> mirror = rg.build_mirror(rg.read_sources(rg.SAMPLE_SOURCES))
    >>> view(mirror, "Never Let Me Go").title
    'Neighbourhood of Never Let Me Go (1 step)'
    >>> view(mirror, path=["Keira Knightley", "Sally Hawkins"]).title
    'Path from Keira Knightley to Sally Hawkins (1 co-star step)'
    >>> view(mirror, "Never Let Me Go", chain=["Keira Knightley", "Sally Hawkins"]).chain
    ['name:keira-knightley', 'tt1334260', 'name:sally-hawkins']
    """
    from reelgraph.mirror import Mirror, build_mirror
    from reelgraph.names import resolve_any, resolve_film

    asked = [kind for kind, given in (("path", path is not None), ("clusters", clusters), ("more_like_this", more_like_this)) if given]
    if len(asked) > 1 or (asked and asked[0] != "more_like_this" and name is not None):
        raise ValueError("give one view: a name, a path, the clusters or 'more like this' (which may take a name), not "
                         + " and ".join((["a name"] if name is not None else []) + [kind.replace("_", " ") for kind in asked]))
    if not asked and name is None:
        raise ValueError("nothing to show: give a name, a path, the clusters or 'more like this'")
    if not isinstance(mirror, Mirror):
        mirror = build_mirror(mirror)

    if chain is not None and (name is None or asked not in ([], ["more_like_this"])):
        raise ValueError("a chain is drawn in the view around a name (a neighbourhood or 'more like this'): give a name")
    chain_ids = _chain_ids(mirror, chain) if chain is not None else []
    if path is not None:
        ids = _chain_ids(mirror, path)
        return path_view(mirror.to_networkx(nodes=ids), ids, colour_by=colour_by or "kind", cluster_names=cluster_names)
    if clusters:
        return cluster_view(mirror.to_networkx(nodes=mirror.film_ids), max_nodes=2000 if max_nodes is None else max_nodes, size_by=size_by,
                            cluster_names=cluster_names)
    if more_like_this:
        centre = resolve_film(mirror, name) if name is not None else None  # "More like this" links films only
        nodes = list(mirror.film_ids) + [node for node in chain_ids if not mirror.is_film(mirror.index_of(node))]
        return more_like_this_view(mirror.to_networkx(nodes=nodes), centre, depth=2 if depth is None else depth,
                                   max_nodes=2000 if max_nodes is None else max_nodes, colour_by=colour_by, size_by=size_by,
                                   cluster_names=cluster_names, chain=chain_ids or None)
    centre = resolve_any(mirror, name)
    depth = 1 if depth is None else depth
    return neighbourhood_view(mirror.to_networkx(nodes=list(mirror.neighbourhood([centre], depth)) + chain_ids), centre,
                              depth=depth, max_nodes=300 if max_nodes is None else max_nodes,
                              colour_by=colour_by or "kind", size_by=size_by, cluster_names=cluster_names,
                              chain=chain_ids or None)


def _chain_ids(mirror, path) -> list:
    """The node ids of a chain given as two people (their shortest co-star path) or as three or more ids."""
    from reelgraph.analysis.paths import costar_path

    path = [path] if isinstance(path, str) else list(path)
    if len(path) == 2:
        result = costar_path(mirror, *path)
        if not result.found:
            raise ReelgraphError(f"no co-star path between {path[0]!r} and {path[1]!r}")
        return [step["id"] for step in result.path]
    if len(path) > 2:
        ids = [str(node) for node in path]
        for node in ids:
            if node not in mirror:
                raise NameNotFoundError("film or person", node)
        return ids
    raise ValueError(f"a path or chain takes two people or three or more ids, not {path!r}")
