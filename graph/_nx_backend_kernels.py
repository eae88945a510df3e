"""Compiled breadth-first searches for the NetworkX backend, in NetworkX's own visiting order.

Each kernel walks a CSR adjacency (``indptr``/``indices``, rows in the
order NetworkX iterates ``G.adj[v]``) exactly as the NetworkX function it
stands for walks the dict of dicts, so ties are broken the same way and the
results are the same, not just equally short.  Membership ("seen") lives in
``mark`` arrays stamped with a generation number (``gen``), reused from
query to query, so a query never clears or allocates anything of the
graph's size.

Examples
--------
>>> import numpy as np
>>> indptr, indices = np.array([0, 1, 3, 4]), np.array([1, 0, 2, 1], np.int32)   # the path 0 - 1 - 2
>>> scratch = [np.zeros(3, np.int32) for _ in range(6)]
>>> out = np.empty(3, np.int32)
>>> n = bidirectional_path(indptr, indices, 0, 2, *scratch, 1, out)
>>> out[:n].tolist()
[0, 1, 2]
"""

from __future__ import annotations

import numpy as np
from numba import njit
from reelgraph._prefetch import PREFETCH_AHEAD, prefetch

__all__ = ["bidirectional_path", "bfs", "component_labels", "closeness_sums", "predecessor_dag"]


@njit(cache=True, nogil=True)
def bidirectional_path(indptr, indices, s, t, mark_f, mark_r, pred_f, pred_r, queue_f, queue_r, gen, out):
    """``nx.bidirectional_shortest_path``: the path written to ``out``, its length returned (0: no path).

    The fringe with fewer *nodes* grows (the forward one on a tie), and the
    meeting test runs for every edge looked at, seen or not, as
    ``networkx.algorithms.shortest_paths.unweighted._bidirectional_pred_succ`` does.
    """
    if s == t:
        out[0] = s
        return 1
    mark_f[s], pred_f[s], mark_r[t], pred_r[t] = gen, -1, gen, -1
    queue_f[0], queue_r[0] = s, t
    lo_f, hi_f, lo_r, hi_r = 0, 1, 0, 1  # this fringe: queue[lo:hi]
    meet = -1
    while hi_f > lo_f and hi_r > lo_r and meet < 0:
        if hi_f - lo_f <= hi_r - lo_r:
            end = hi_f
            hi_f, meet = _grow_fringe(indptr, indices, queue_f, lo_f, hi_f, mark_f, pred_f, mark_r, gen)
            lo_f = end
        else:
            end = hi_r
            hi_r, meet = _grow_fringe(indptr, indices, queue_r, lo_r, hi_r, mark_r, pred_r, mark_f, gen)
            lo_r = end
    if meet < 0:
        return 0
    n = 0
    w = meet
    while w >= 0:  # meet back to the source, then reversed
        out[n] = w
        n += 1
        w = pred_f[w]
    out[:n] = out[:n][::-1].copy()
    w = pred_r[meet]
    while w >= 0:
        out[n] = w
        n += 1
        w = pred_r[w]
    return n


@njit(cache=True, nogil=True)
def _grow_fringe(indptr, indices, queue, lo, hi, mark, pred, mark_other, gen):
    """Grow one side of :func:`bidirectional_path` by its fringe ``queue[lo:hi]``: ``(new hi, meeting node or -1)``.

    Stops at the first edge reaching a node the other side has seen.  Asks
    for the neighbour lists :data:`~reelgraph._prefetch.PREFETCH_AHEAD`
    fringe nodes ahead, as the co-star search does.
    """
    end = hi
    for k in range(lo, min(lo + PREFETCH_AHEAD, end)):
        prefetch(indices, indptr[queue[k]])
    for k in range(lo, end):
        if k + PREFETCH_AHEAD < end:
            prefetch(indices, indptr[queue[k + PREFETCH_AHEAD]])
        v = queue[k]
        for e in range(indptr[v], indptr[v + 1]):
            w = indices[e]
            if mark[w] != gen:
                mark[w], pred[w] = gen, v
                queue[hi] = w
                hi += 1
            if mark_other[w] == gen:
                return hi, w
    return hi, -1


@njit(cache=True, nogil=True)
def bfs(indptr, indices, source, cutoff, mark, gen, queue, dist, parent):
    """Breadth-first order from ``source`` (levels up to ``cutoff``): how many nodes ``queue`` holds.

    ``queue`` lists the nodes in the order NetworkX's
    ``_single_shortest_path_length`` yields them; ``dist`` and ``parent``
    (the node that reached each first, -1 for the source) are set for them.
    """
    mark[source], dist[source], parent[source] = gen, 0, -1
    queue[0] = source
    lo, hi, level = 0, 1, 0
    while hi > lo and cutoff > level:
        level += 1
        end = hi
        for k in range(lo, end):
            v = queue[k]
            for e in range(indptr[v], indptr[v + 1]):
                w = indices[e]
                if mark[w] != gen:
                    mark[w], dist[w], parent[w] = gen, level, v
                    queue[hi] = w
                    hi += 1
        lo = end
    return hi


@njit(cache=True, nogil=True)
def closeness_sums(indptr, indices, sources, mark, first_gen, queue, dist, parent):
    """For each source: how many nodes it reaches (itself included) and the sum of their distances.

    Source ``i`` is one :func:`bfs`, stamping ``mark`` with generation ``first_gen + i``.
    """
    reached = np.zeros(len(sources), np.int64)
    total = np.zeros(len(sources), np.int64)
    no_cutoff = len(indptr)
    for i in range(len(sources)):
        hi = bfs(indptr, indices, sources[i], no_cutoff, mark, first_gen + i, queue, dist, parent)
        reached[i] = hi
        for k in range(hi):
            total[i] += dist[queue[k]]
    return reached, total


@njit(cache=True, nogil=True)
def component_labels(indptr, indices, queue):
    """Connected part of every node, numbered in order of each part's first node (as ``connected_components`` yields them)."""
    n = len(indptr) - 1
    label = np.full(n, -1, np.int32)
    count = 0
    for start in range(n):
        if label[start] >= 0:
            continue
        label[start] = count
        queue[0] = start
        lo, hi = 0, 1
        while hi > lo:
            v = queue[lo]
            lo += 1
            for e in range(indptr[v], indptr[v + 1]):
                w = indices[e]
                if label[w] < 0:
                    label[w] = count
                    queue[hi] = w
                    hi += 1
        count += 1
    return label, count


@njit(cache=True, nogil=True)
def predecessor_dag(indptr, indices, source, target, mark, gen, queue, dist, order):
    """``nx.predecessor(G, source)`` cut down to what ``all_shortest_paths`` reads: the lists of the target's ancestors.

    Returns ``(nodes, ptr, preds)``: the predecessors of ``nodes[i]`` are
    ``preds[ptr[i]:ptr[i + 1]]``, in the order NetworkX appends them (the
    order the search dequeued them).  Empty when the target is not reached.
    The search stops once the target's level is complete: no list of a node
    at that level or nearer changes after it.
    """
    mark[source], dist[source], order[source] = gen, 0, 0
    queue[0] = source
    lo, hi, level = 0, 1, 0
    found = source == target
    while hi > lo and not found:
        level += 1
        end = hi
        for k in range(lo, end):
            v = queue[k]
            for e in range(indptr[v], indptr[v + 1]):
                w = indices[e]
                if mark[w] != gen:
                    mark[w], dist[w], order[w] = gen, level, hi
                    queue[hi] = w
                    hi += 1
                    if w == target:
                        found = True
        lo = end
    empty = np.empty(0, np.int64)
    if not found:
        return empty, np.zeros(1, np.int64), empty
    # Ancestors of the target, level by level towards the source; a node's
    # predecessors are its neighbours one level nearer, in dequeue order.
    nodes = [np.int64(target)]
    ptr = [np.int64(0)]
    preds = [np.int64(0)][:0]
    in_dag = {np.int64(target): 0}
    i = 0
    while i < len(nodes):
        w = nodes[i]
        mine = [np.int64(0)][:0]
        for e in range(indptr[w], indptr[w + 1]):
            v = np.int64(indices[e])
            if mark[v] == gen and dist[v] == dist[w] - 1:
                mine.append(v)
        keys = np.empty(len(mine), np.int64)
        for j in range(len(mine)):
            keys[j] = order[mine[j]]
        for j in np.argsort(keys):
            v = mine[j]
            preds.append(v)
            if v not in in_dag:
                in_dag[v] = len(nodes)
                nodes.append(v)
        ptr.append(np.int64(len(preds)))
        i += 1
    return np.array(nodes, np.int64), np.array(ptr, np.int64), np.array(preds, np.int64)
