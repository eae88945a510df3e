"""Compiled loops of the co-star search (:mod:`reelgraph.analysis.paths`), with numba.

A bidirectional breadth-first search over CSR arrays is a loop over edges
with a test each; in numpy every layer costs about twenty array calls,
which is most of a query on IMDb-sized graphs (0.2 ms, against a few
microseconds of real work). These kernels run the same search, with the
same stamps and tick ranges, as plain loops compiled once (and cached on
disk by numba).
"""

import numpy as np
from numba import njit, prange

__all__ = ["bidirectional_search", "component_labels", "bfs_depths"]

@njit(cache=True, nogil=True)
def _ok(v, n_people, film_year, film_votes, year_lo, year_hi, min_votes, use_year, use_votes):
    j = v - n_people
    if use_year and (film_year[j] < year_lo or film_year[j] > year_hi):
        return False
    if use_votes and film_votes[j] < min_votes:
        return False
    return True

@njit(cache=True, nogil=True)
def bidirectional_search(indptr, indices, stamp, first, tick, s, t, n_people, film_year, film_votes,
                         year_lo, year_hi, min_votes, use_year, use_votes, front0, front1, next_buf, spans0, spans1, chain):
    """One query of :func:`reelgraph.analysis.paths._search` (one path, no layers kept), walk back included.

    Side 0 starts at ``s``, side 1 at ``t``; each step expands the whole
    frontier of the side with fewer edges to follow, reading it in the order
    its nodes were reached and each node's neighbours in index order.  Both
    sides share one ``stamp`` array: side 0 takes even ticks, side 1 odd
    ones, so one read tells "unseen", "seen by this side" or "seen by the
    other side" (a meeting).  ``spans_k[d]`` is the tick range of side k's
    layer d; ticks in ``[first, tick)`` mark excluded nodes (never entered,
    never a meeting).  Films reached from people pass the year and votes
    filters when they are on.

    The layer where the searches meet is read to its end to find the
    smallest meeting node, but from the first meeting on it writes nothing
    and reads the stamp of a neighbour only when its index is below the
    best meeting node so far.  From that node, each side walks back to the
    smallest-index neighbour in the layer below.

    Returns ``(length, depth0, tick)``: the path is ``chain[:length]``
    (``s`` first, the meeting node at ``depth0``), ``length`` is 0 when
    the two cannot meet; ``tick`` is the next free tick.
    """
    tick += tick & 1
    real = tick  # stamps in [first, real): excluded nodes
    front0[0] = s; front1[0] = t
    n0 = 1; n1 = 1
    stamp[s] = tick; spans0[0, 0] = tick; spans0[0, 1] = tick + 2
    stamp[t] = tick + 1; spans1[0, 0] = tick + 1; spans1[0, 1] = tick + 3
    tick += 2
    d0 = 0; d1 = 0
    work0 = indptr[s + 1] - indptr[s]; work1 = indptr[t + 1] - indptr[t]
    person0 = s < n_people; person1 = t < n_people
    meet = -1
    while work0 > 0 and work1 > 0 and meet < 0:
        x = 0 if work0 <= work1 else 1
        if x == 0:
            front, n, person = front0, n0, person0
        else:
            front, n, person = front1, n1, person1
        filt = person and (use_year or use_votes)
        start = tk = tick + x  # this side's parity
        m = 0
        work = 0
        for i in range(n):
            u = front[i]
            for e in range(indptr[u], indptr[u + 1]):
                v = indices[e]
                if meet >= 0:
                    # the last layer: only a smaller meeting node matters now
                    if v < meet:
                        st = stamp[v]
                        if st >= real and (st & 1) != x and not (filt and not _ok(
                                v, n_people, film_year, film_votes, year_lo, year_hi, min_votes, use_year, use_votes)):
                            meet = v
                    continue
                st = stamp[v]
                if st >= first and (st < real or (st & 1) == x):
                    continue  # excluded, or this side's already
                if filt and not _ok(v, n_people, film_year, film_votes, year_lo, year_hi, min_votes, use_year, use_votes):
                    continue
                if st >= first:
                    meet = v  # the other side's: the searches met
                    continue
                stamp[v] = tk
                tk += 2
                next_buf[m] = v
                m += 1
                work += indptr[v + 1] - indptr[v]
        tick = tk - x
        if x == 0:
            d0 += 1
        else:
            d1 += 1
        if meet >= 0:
            break
        if m == 0:
            return 0, d0, tick
        if x == 0:
            spans0[d0, 0] = start; spans0[d0, 1] = tk
            front0[:m] = next_buf[:m]; n0 = m; work0 = work; person0 = not person0
        else:
            spans1[d1, 0] = start; spans1[d1, 1] = tk
            front1[:m] = next_buf[:m]; n1 = m; work1 = work; person1 = not person1
    if meet < 0:
        return 0, d0, tick
    chain[d0] = meet
    for side in range(2):
        spans = spans0 if side == 0 else spans1
        depth = d0 if side == 0 else d1
        v = meet
        for d in range(depth, 0, -1):
            lo = spans[d - 1, 0]; hi = spans[d - 1, 1]
            best = -1
            for e in range(indptr[v], indptr[v + 1]):
                w = indices[e]
                st = stamp[w]
                if st >= lo and st < hi and (st & 1) == side and (best < 0 or w < best):
                    best = w
            v = best
            chain[d - 1 if side == 0 else d0 + depth - d + 1] = v
    return d0 + d1 + 1, d0, tick

@njit(cache=True, nogil=True)
def component_labels(indptr, indices, allowed, queue):
    """Connected component of every node (-1: not allowed, or no edge), numbered in node order.

    ``allowed[v]`` False leaves ``v`` out (an avoided person, a filtered film);
    ``queue`` is scratch space of one int64 a node.
    """
    n = len(indptr) - 1
    label = np.full(n, -1, dtype=np.int64)
    c = 0
    for r in range(n):
        if label[r] >= 0 or not allowed[r] or indptr[r + 1] == indptr[r]:
            continue
        label[r] = c
        queue[0] = r
        head = 0
        tail = 1
        while head < tail:
            u = queue[head]
            head += 1
            for e in range(indptr[u], indptr[u + 1]):
                v = indices[e]
                if label[v] < 0 and allowed[v]:
                    label[v] = c
                    queue[tail] = v
                    tail += 1
        c += 1
    return label


_ONE = np.uint64(1)
_SIX = np.uint64(6)
_LOW6 = np.uint64(63)


@njit(cache=True, nogil=True, inline="always")
def _has(bits, v):
    return (bits[v >> 6] >> np.uint64(v & 63)) & _ONE


@njit(cache=True, nogil=True, parallel=True)
def bfs_depths(indptr, indices, dist, centre, n_people, film_allowed, filter_films):
    """Breadth-first depth of every node from ``centre``, in place in ``dist``.

    ``dist`` holds -1 for nodes not reached yet (and anything else, e.g. -2
    for excluded nodes, for nodes never to enter); ``dist[centre]`` must be 0.
    With ``filter_films``, a film enters only where
    ``film_allowed[film - n_people]`` (films are reached only from people).
    The same depths as the layer-by-layer numpy search.

    Direction-optimising (Beamer, Asanovic and Patterson, SC 2012): while
    a layer's edges are a small share of those left, each frontier node
    marks its unreached neighbours (top-down); once they are many, each
    unreached node of the next layer's kind looks for one neighbour in the
    frontier and stops there (bottom-up, on every core: each thread owns
    whole 64-node words, so no write races).  On a co-star graph the middle
    layers hold most people, and bottom-up reads a fraction of their edges.
    The frontier and the reached nodes are bitmaps (3.6 MB at IMDb's whole
    size, 29M nodes), so the test of a neighbour stays in the CPU's cache
    where ``dist`` (116 MB) would not.
    """
    n = len(indptr) - 1
    words = (n + 63) >> 6
    reached = np.zeros(words, dtype=np.uint64)  # reached, or never to enter
    front = np.zeros(words, dtype=np.uint64)
    for w in prange(words):
        bits = np.uint64(0)
        for b in range(64):
            v = w * 64 + b
            if v >= n:
                break
            if dist[v] != -1 or (filter_films and v >= n_people and not film_allowed[v - n_people]):
                bits |= _ONE << np.uint64(b)
        reached[w] = bits
    front[centre >> 6] = _ONE << np.uint64(centre & 63)
    depth = dist[centre]
    frontier_edges = indptr[centre + 1] - indptr[centre]
    edges_left = indptr[n] - frontier_edges
    from_people = centre < n_people  # layers alternate people and films
    found = 1
    while found:
        first, last = (n_people, n) if from_people else (0, n_people)
        nxt = np.zeros(words, dtype=np.uint64)
        found = 0
        new_edges = 0
        if frontier_edges * 14 < edges_left:
            ufirst, ulast = (0, n_people) if from_people else (n_people, n)
            for w in range(ufirst >> 6, (ulast + 63) >> 6):
                bits = front[w]
                if bits == 0:
                    continue
                for b in range(64):
                    if not (bits >> np.uint64(b)) & _ONE:
                        continue
                    u = w * 64 + b
                    for e in range(indptr[u], indptr[u + 1]):
                        v = indices[e]
                        if _has(reached, v):
                            continue
                        reached[v >> 6] |= _ONE << np.uint64(v & 63)
                        nxt[v >> 6] |= _ONE << np.uint64(v & 63)
                        dist[v] = depth + 1
                        found += 1
                        new_edges += indptr[v + 1] - indptr[v]
        else:
            for w in prange(first >> 6, (last + 63) >> 6):
                open_ = ~reached[w]
                if open_ == 0:
                    continue
                bits = np.uint64(0)
                for b in range(64):
                    v = w * 64 + b
                    if v < first or v >= last or not (open_ >> np.uint64(b)) & _ONE:
                        continue
                    for e in range(indptr[v], indptr[v + 1]):
                        if _has(front, indices[e]):
                            bits |= _ONE << np.uint64(b)
                            dist[v] = depth + 1
                            found += 1
                            new_edges += indptr[v + 1] - indptr[v]
                            break
                nxt[w] = bits
            for w in prange(first >> 6, (last + 63) >> 6):
                reached[w] |= nxt[w]
        front = nxt
        frontier_edges = new_edges
        edges_left -= new_edges
        from_people = not from_people
        depth += 1
