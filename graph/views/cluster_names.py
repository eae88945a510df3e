"""The names of the clusters a store holds, as ``reelgraph clusters`` printed them.

The store keeps each film's cluster id only (``Film.cluster``), not the
names ``reelgraph clusters`` prints.  A name is worked out from the
partition and the similarity graph alone (the genres and keywords that
dominate a cluster, and its central film), so :func:`stored_cluster_names`
rebuilds the similarity graph and names the *stored* partition with the very
function :func:`reelgraph.analysis.clusters.cluster_films` names its clusters
with: whatever seed and resolution made the clusters, the names are the ones
the command printed (as long as no load has changed the films since).

It costs what the similarity graph costs (about half of ``reelgraph
clusters``: a fraction of a second on the sample, tens of seconds on the whole
of IMDb), which is why ``reelgraph show`` asks for names only for the views
that colour films by cluster.

Examples
--------
>>> import reelgraph as rg
>>> mirror = rg.build_mirror(rg.read_sources(rg.SAMPLE_SOURCES))
>>> stored_cluster_names(mirror)   # nothing clustered yet
{}
"""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc

__all__ = ["stored_cluster_names"]


def stored_cluster_names(mirror) -> dict:
    """``{cluster id: name}`` of the cluster ids stored on the mirror's films, named as ``reelgraph clusters`` names them.

    Parameters
    ----------
    mirror : reelgraph.mirror.Mirror
        The graph, with the ``cluster`` ids ``reelgraph clusters`` wrote.

    Returns
    -------
    dict
        Empty when no film has a cluster id.  A cluster none of whose films
        has a similarity link any more (the films changed since) gets no
        name; views then call it "cluster <id>".

    Examples
    --------
    >>> import tempfile, reelgraph as rg
    >>> store = tempfile.mkdtemp()
    >>> _ = rg.load(rg.SAMPLE_SOURCES, store=store)
    >>> printed = rg.cluster(store, seed=0).clusters.set_index("cluster")["name"].to_dict()
    >>> stored_cluster_names(rg.open_mirror(store)) == printed
    True
    """
    from reelgraph.analysis.clusters import _describe  # the naming reelgraph clusters prints with
    from reelgraph.analysis.similarity import similarity_graph

    stored = pc.fill_null(mirror.arrow_column("films", "cluster"), -1).to_numpy().astype(np.int64)  # no cluster: -1
    if not (stored >= 0).any():
        return {}
    sim = similarity_graph(mirror)
    # the films the command clustered: those with a similarity link (and, should the films have
    # changed since, a stored id); edges between two of them
    nodes = np.unique(np.concatenate([sim.a, sim.b]))
    nodes = nodes[stored[nodes] >= 0]
    if not len(nodes):
        return {}
    keep = np.isin(sim.a, nodes) & np.isin(sim.b, nodes)
    u = np.searchsorted(nodes, sim.a[keep])
    v = np.searchsorted(nodes, sim.b[keep])
    w = sim.score[keep].astype(np.float64)
    ids, labels = np.unique(stored[nodes], return_inverse=True)  # 0..k-1, as the naming expects
    table = _describe(sim, nodes, u, v, w, labels.astype(np.int64), top_films=0)
    return {int(ids[row.cluster]): row.name for row in table.itertuples()}
