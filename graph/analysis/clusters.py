"""Clusters of similar films: Louvain communities of the similarity graph, named.

:func:`cluster_films` runs Louvain modularity optimisation on the weighted
film similarity graph (:mod:`reelgraph.analysis.similarity`) and describes each cluster
by what dominates it.

Backends: NetworkX's ``louvain_communities`` (pure Python, the reference) on
graphs up to :data:`NETWORKX_MAX_EDGES` edges; above that, igraph's
``community_multilevel`` (the same Louvain algorithm in C, tens of times
faster: NetworkX needs minutes for a million edges) when igraph is installed.
Both are deterministic for a seed; they may split a graph differently, so the
backend used is part of the result.

Beside modularity, each clustering reports two checks from outside the
similarity scores: ``mlt_inside``, the share of IMDb's "More like this"
links whose two films fall in the same cluster, and ``genre_purity``, the
share of clustered films (with genres) that carry their cluster's most
common genre.  ``min_shared`` (see :func:`~reelgraph.analysis.similarity.similarity_graph`)
asks films for more shared people before people link them.

Cluster ids are numbered by size, 0 the largest (ties: the cluster holding
the smallest film id first), so the same graph and seed give the same ids.
Films without any similarity edge are in no cluster (``<NA>``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import pandas as pd
from reelgraph.analysis.similarity import SimilarityGraph, similarity_graph
from reelgraph.mirror import MISSING_INT, Mirror

__all__ = ["ClusterResult", "cluster_films", "modularity", "mlt_inside", "genre_purity", "NETWORKX_MAX_EDGES"]

#: Largest graph (in edges) clustered with NetworkX when ``method="auto"``.
NETWORKX_MAX_EDGES = 200_000


@dataclass
class ClusterResult:
    """What :func:`cluster_films` returns.

    Attributes
    ----------
    membership : pandas.Series
        Film id -> cluster id (``Int64``; ``<NA>`` for films with no edge),
        over every film of the mirror: what the stores write back.
    modularity : float
        Weighted modularity of the partition at ``resolution``: the figure
        Louvain maximised.  It compares only between runs at the same
        resolution (at 0.5 a single cluster scores 0.5).
    clusters : pandas.DataFrame
        One row per cluster, by id: ``cluster``, ``size``, ``name``,
        ``top_genres``, ``top_keywords``, ``central_film`` (id of the film
        with the most similarity inside the cluster), ``central_title``,
        ``top_films`` (ids, most voted first), ``top_titles`` (their titles).
    method : str
        ``"networkx"`` or ``"igraph"``.
    seed : int
    resolution : float
    standard_modularity : float
        Modularity of the same partition at the standard resolution 1 (one
        cluster scores 0): comparable between runs at any resolution.
    mlt_inside : float or None
        Share of the "More like this" links (pairs of films) that stay inside
        a cluster; None when the graph has none.
    genre_purity : float or None
        Share of the clustered films with genres that carry their cluster's
        most common genre; None when no clustered film has genres.
    min_shared : int
        Shared people two films needed for people to link them.
    """

    membership: pd.Series
    modularity: float
    clusters: pd.DataFrame
    method: str
    seed: int
    resolution: float
    standard_modularity: float | None = None
    mlt_inside: float | None = None
    genre_purity: float | None = None
    min_shared: int = 1

    def to_dict(self) -> dict:
        return {
            "modularity": self.modularity,
            "standard_modularity": self.standard_modularity,
            "mlt_inside": self.mlt_inside,
            "genre_purity": self.genre_purity,
            "min_shared": self.min_shared,
            "method": self.method,
            "seed": self.seed,
            "resolution": self.resolution,
            "clusters": self.clusters.to_dict("records"),
        }


def modularity(n_nodes: int, u: np.ndarray, v: np.ndarray, weight: np.ndarray, labels: np.ndarray, resolution: float = 1.0) -> float:
    """Weighted modularity of ``labels`` on the undirected graph of edges (u, v, weight).

    The same definition as :func:`networkx.community.modularity`:
    ``sum over clusters c of L_c / m - resolution * (D_c / 2m) ** 2`` with
    ``m`` the total weight, ``L_c`` the weight inside ``c`` and ``D_c`` the
    summed strength of its nodes; rounded to 12 decimals, so that a
    modularity of 0 (one cluster at resolution 1) is 0, not -2e-16.

    Examples
    --------
    >>> round(modularity(4, np.array([0, 2]), np.array([1, 3]), np.ones(2), np.array([0, 0, 1, 1])), 3)
    0.5
    """
    m = float(weight.sum())
    if m == 0:
        return 0.0
    k = int(labels.max()) + 1
    inside = labels[u] == labels[v]
    L = np.bincount(labels[u][inside], weights=weight[inside], minlength=k)
    strength = np.bincount(u, weights=weight, minlength=n_nodes) + np.bincount(v, weights=weight, minlength=n_nodes)
    D = np.bincount(labels, weights=strength, minlength=k)
    return round(float((L / m - resolution * (D / (2 * m)) ** 2).sum()), 12) + 0.0  # + 0.0: never -0.0


def mlt_inside(mirror: Mirror, membership: np.ndarray) -> float | None:
    """Share of the "More like this" links (distinct pairs of films) whose films share a cluster.

    ``membership``: cluster id per film offset, -1 for none (a link to an
    unclustered film is not inside).  None when there is no link.

    Examples
    --------
    >>> from reelgraph.mirror import build_mirror
    >>> from reelgraph.model import FilmGraph
    >>> g = FilmGraph.from_records(films=[{"id": f"tt000000{i}", "title": t} for i, t in enumerate("ABC", 1)],
    ...     similar=[{"film_id": "tt0000001", "similar_id": s, "rank": 1, "source": "imdb-more-like-this"} for s in ("tt0000002", "tt0000003")])
    >>> mlt_inside(build_mirror(g), np.array([0, 0, 1]))
    0.5
    """
    p = mirror.n_people
    a = mirror.similar_src.astype(np.int64) - p
    b = mirror.similar_dst.astype(np.int64) - p
    ok = (a >= 0) & (b >= 0) & (a != b)
    pairs = np.unique(np.minimum(a[ok], b[ok]) * mirror.n_films + np.maximum(a[ok], b[ok]))
    if not len(pairs):
        return None
    ca, cb = membership[pairs // mirror.n_films], membership[pairs % mirror.n_films]
    return round(float(((ca == cb) & (ca >= 0)).mean()), 6)


def genre_purity(genre_sets, membership: np.ndarray) -> float | None:
    """Share of the clustered films with genres that carry their cluster's most common genre.

    ``genre_sets``: ``(indptr, codes, vocabulary)`` over film offsets (see
    the similarity module); ``membership`` as for :func:`mlt_inside`.

    Examples
    --------
    Two dramas in cluster 0; a drama and a war film in cluster 1:

    >>> sets = (np.array([0, 1, 2, 3, 4]), np.array([0, 0, 0, 1]), np.array(["Drama", "War"]))
    >>> genre_purity(sets, np.array([0, 0, 1, 1]))
    0.75
    """
    indptr, codes, vocab = genre_sets
    n_genres = np.diff(indptr)
    films = np.flatnonzero((membership >= 0) & (n_genres > 0))
    if not len(films):
        return None
    V = max(len(vocab), 1)
    owner = np.repeat(np.arange(len(n_genres)), n_genres)
    keep = membership[owner] >= 0
    keys, counts = np.unique(membership[owner[keep]] * V + codes[keep], return_counts=True)
    best = pd.Series(counts).groupby(keys // V).max()  # films carrying each cluster's most common genre
    return round(float(best.sum() / len(films)), 6)


def _louvain_networkx(n: int, u, v, w, seed: int, resolution: float) -> np.ndarray:
    import networkx as nx

    G = nx.Graph()
    G.add_nodes_from(range(n))  # insertion order = node order, for determinism
    G.add_weighted_edges_from(zip(u.tolist(), v.tolist(), w.tolist()))
    communities = nx.community.louvain_communities(G, weight="weight", resolution=resolution, seed=seed)
    labels = np.empty(n, dtype=np.int64)
    for c, members in enumerate(communities):
        labels[list(members)] = c
    return labels


def _louvain_igraph(n: int, u, v, w, seed: int, resolution: float) -> np.ndarray:
    import igraph as ig

    g = ig.Graph(n=n, edges=np.column_stack([u, v]), edge_attrs={"weight": w})
    # igraph draws from a Python Random; a private seeded one keeps the global
    # random module untouched and the result reproducible.
    ig.set_random_number_generator(random.Random(seed))
    try:
        parts = g.community_multilevel(weights="weight", resolution=resolution)
    finally:
        ig.set_random_number_generator(random)
    return np.asarray(parts.membership, dtype=np.int64)


def _has_igraph() -> bool:
    try:
        import igraph  # noqa: F401
    except ImportError:
        return False
    return True


def cluster_films(sim_graph, seed: int = 0, resolution: float = 1.0, *, method: str = "auto", top_films: int = 5,
                  min_shared: int = 1) -> ClusterResult:
    """Cluster films by Louvain on the similarity graph, and name the clusters.

    Parameters
    ----------
    sim_graph : SimilarityGraph, Mirror or FilmGraph
        A mirror or tables get :func:`~reelgraph.analysis.similarity.similarity_graph`
        with its defaults first.
    seed : int
        Louvain's random seed: same graph, same seed, same clusters.
    resolution : float
        Above 1 gives more, smaller clusters; below 1 fewer, larger ones.
    method : {"auto", "networkx", "igraph"}
        See the module docstring.
    top_films : int
        Films listed per cluster in ``top_films``.
    min_shared : int
        For a mirror or tables: people link two films only when they share
        at least this many (a built graph keeps its own).

    Returns
    -------
    ClusterResult

    Examples
    --------
    >>> from reelgraph.model import FilmGraph
    >>> links = [("tt0000001", "tt0000002"), ("tt0000003", "tt0000004")]
    >>> g = FilmGraph.from_records(
    ...     films=[{"id": f"tt000000{i}", "title": t} for i, t in enumerate("ABCD", 1)],
    ...     similar=[{"film_id": a, "similar_id": b, "rank": 1, "source": "imdb-more-like-this"} for a, b in links])
    >>> r = cluster_films(g)
    >>> r.membership.tolist(), r.modularity
    ([0, 0, 1, 1], 0.5)

    Modularity compares only at one resolution: on a chain A-B-C-D, one
    cluster at resolution 0.5 scores 0.5, but 0 at the standard resolution 1.

    >>> chain = [("tt0000001", "tt0000002"), ("tt0000002", "tt0000003"), ("tt0000003", "tt0000004")]
    >>> g = FilmGraph.from_records(
    ...     films=[{"id": f"tt000000{i}", "title": t} for i, t in enumerate("ABCD", 1)],
    ...     similar=[{"film_id": a, "similar_id": b, "rank": 1, "source": "imdb-more-like-this"} for a, b in chain])
    >>> one = cluster_films(g, resolution=0.5)
    >>> one.clusters["size"].tolist(), round(one.modularity, 3), round(one.standard_modularity, 3)
    ([4], 0.5, 0.0)
    """
    sim = sim_graph if isinstance(sim_graph, SimilarityGraph) else similarity_graph(sim_graph, min_shared=min_shared)
    m: Mirror = sim.mirror
    nodes = np.unique(np.concatenate([sim.a, sim.b]))  # film offsets with an edge
    u = np.searchsorted(nodes, sim.a)
    v = np.searchsorted(nodes, sim.b)
    w = sim.score.astype(np.float64)
    n = len(nodes)
    if method == "auto":
        method = "networkx" if len(u) <= NETWORKX_MAX_EDGES or not _has_igraph() else "igraph"
    if n == 0:
        raw = np.empty(0, dtype=np.int64)
    elif method == "networkx":
        raw = _louvain_networkx(n, u, v, w, seed, resolution)
    elif method == "igraph":
        raw = _louvain_igraph(n, u, v, w, seed, resolution)
    else:
        raise ValueError(f"unknown method {method!r}: use 'auto', 'networkx' or 'igraph'")
    labels = _renumber(raw, m.ids[m.n_people + nodes])
    q = modularity(n, u, v, w, labels, resolution) if n else 0.0
    q1 = q if resolution == 1 else (modularity(n, u, v, w, labels, 1.0) if n else 0.0)
    values = np.full(m.n_films, -1, dtype=np.int64)
    values[nodes] = labels
    column = pd.array(values, dtype="Int64")
    column[values < 0] = pd.NA
    membership = pd.Series(column, index=pd.Index(m.ids[m.n_people :], name="film_id"), name="cluster")
    table = _describe(sim, nodes, u, v, w, labels, top_films)
    return ClusterResult(membership, q, table, method, seed, resolution, q1, mlt_inside(m, values),
                         genre_purity(sim._ctx.genres, values), sim.min_shared)


def _renumber(raw: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Cluster ids by size (largest 0), ties by the smallest film id in the cluster."""
    if not len(raw):
        return raw
    frame = pd.DataFrame({"raw": raw, "id": ids.astype(str)})
    stats = frame.groupby("raw").agg(size=("id", "size"), first=("id", "min"))
    stats = stats.sort_values(["size", "first"], ascending=[False, True])
    new = pd.Series(np.arange(len(stats)), index=stats.index)
    return new.loc[raw].to_numpy()


def _top_terms(cluster_of: np.ndarray, sets, films: np.ndarray, k: int, sizes: np.ndarray, limit: int, min_count: int):
    """Per cluster, the terms (genres, keywords) that dominate it: share in the cluster times lift."""
    indptr, codes, vocab = sets
    out = [[] for _ in range(k)]
    if not len(codes):
        return out
    n_terms = np.diff(indptr)[films]
    total = int(n_terms.sum())
    if not total:
        return out
    offsets = np.repeat(indptr[films] - (np.cumsum(n_terms) - n_terms), n_terms) + np.arange(total)
    term = codes[offsets]
    clus = np.repeat(cluster_of, n_terms)
    V = max(len(vocab), 1)
    keys, counts = np.unique(clus.astype(np.int64) * V + term, return_counts=True)
    c, t = keys // V, keys % V
    overall = np.bincount(term, minlength=V) / len(films)
    share = counts / sizes[c]
    dominance = share * share / overall[t]
    ok = (counts >= min_count) & (share >= 0.2)
    order = np.lexsort((t, -dominance, c))
    for i in order[ok[order]]:
        if len(out[c[i]]) < limit:
            out[c[i]].append(str(vocab[t[i]]))
    return out


def _describe(sim: SimilarityGraph, nodes, u, v, w, labels, top_films: int) -> pd.DataFrame:
    m = sim.mirror
    ctx = sim._ctx
    k = int(labels.max()) + 1 if len(labels) else 0
    sizes = np.bincount(labels, minlength=k)
    inside = labels[u] == labels[v]
    strength = np.bincount(u[inside], weights=w[inside], minlength=len(nodes)) + np.bincount(v[inside], weights=w[inside], minlength=len(nodes))
    genres = _top_terms(labels, ctx.genres, nodes, k, sizes, limit=2, min_count=1)
    keywords = _top_terms(labels, ctx.keywords, nodes, k, sizes, limit=3, min_count=2)
    votes = m.film_votes[nodes]
    ids = m.ids[m.n_people + nodes].astype(str)
    # Central film: most similarity inside the cluster (ties: more votes, then id).
    central_order = np.lexsort((ids, -votes, -strength, labels))
    first = np.ones(len(central_order), dtype=bool)
    first[1:] = labels[central_order][1:] != labels[central_order][:-1]
    central = nodes[central_order[first]]
    popular = np.lexsort((ids, -strength, -votes, labels))
    starts = np.searchsorted(labels[popular], np.arange(k))
    rows = []
    for c in range(k):
        film = int(central[c]) + m.n_people
        title = m.label(film)
        year = m.film_year[central[c]]
        around = f"{title}, {int(year)}" if year != MISSING_INT else title
        name = " / ".join(genres[c]) or "Mixed"
        if keywords[c]:
            name += ": " + ", ".join(keywords[c])
        name += f" (around {around})"
        members = popular[starts[c] : starts[c] + min(top_films, sizes[c])]
        rows.append(
            {
                "cluster": c,
                "size": int(sizes[c]),
                "name": name,
                "top_genres": genres[c],
                "top_keywords": keywords[c],
                "central_film": str(m.ids[film]),
                "central_title": title,
                "top_films": [str(x) for x in m.ids[m.n_people + nodes[members]]],
                "top_titles": [m.label(int(x) + m.n_people) for x in nodes[members]],
            }
        )
    return pd.DataFrame(rows, columns=["cluster", "size", "name", "top_genres", "top_keywords", "central_film", "central_title", "top_films", "top_titles"])
