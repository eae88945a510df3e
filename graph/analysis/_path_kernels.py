"""Compiled loops of the co-star search (:mod:`reelgraph.analysis.paths`), with numba.

A bidirectional breadth-first search over CSR arrays is a loop over edges
with a test each; in numpy every layer costs about twenty array calls,
which is most of a query on IMDb-sized graphs (0.2 ms, against a few
microseconds of real work). These kernels run the same search as plain
loops compiled once (and cached on disk by numba); the one-path search
finds the same path as the numpy one (:func:`reelgraph.analysis.paths._one_path`).
"""

import numpy as np
from numba import njit, prange
from reelgraph._adjacency_kernels import entry, prefetch_row, row
from reelgraph._prefetch import PREFETCH_AHEAD

__all__ = ["bidirectional_search", "component_labels", "bfs_depths"]

_THREE = np.uint64(3)

@njit(cache=True, nogil=True)
def _ok(v, n_people, film_year, film_votes, year_lo, year_hi, min_votes, use_year, use_votes):
    j = v - n_people
    if use_year and (film_year[j] < year_lo or film_year[j] > year_hi):
        return False
    if use_votes and film_votes[j] < min_votes:
        return False
    return True

@njit(cache=True, nogil=True, inline="always")
def _code(bits, v):
    """The two bits of ``v`` in ``bits``: 0 unseen, 1 side 0's, 2 side 1's, 3 excluded."""
    return np.int64((bits[v >> 5] >> np.uint64((v & 31) << 1)) & _THREE)


@njit(cache=True, nogil=True, inline="always")
def _set(bits, v, code):
    bits[v >> 5] |= np.uint64(code) << np.uint64((v & 31) << 1)


@njit(cache=True, nogil=True)
def bidirectional_search(indptr, indices, dbits, drank, dptr, didx, bits, lists, excluded, s, t, n_people, film_year,
                         film_votes, year_lo, year_hi, min_votes, use_year, use_votes):
    """One query of :func:`reelgraph.analysis.paths._search` (one path, no layers kept), walk back included.

    Side 0 starts at ``s``, side 1 at ``t``; each step expands the whole
    frontier of the side with fewer edges to follow, reading it in the order
    its nodes were reached and each node's neighbours in index order.
    ``seen_k`` lists the nodes side k reached, in that order (its layers one
    after the other: a frontier is a slice of it, never copied), and
    ``parent_k[i]`` the position in ``seen_k`` of the node ``seen_k[i]`` was
    first reached from.  Both sides share ``bits``, two bits a node (1: side
    0's, 2: side 1's, 3: ``excluded``, never entered and never a meeting), so
    one read tells "unseen", "seen by this side" or "seen by the other side"
    (a meeting).  ``indptr, indices, dbits, drank, dptr, didx``: the
    adjacency (a :class:`reelgraph.mirror.CsrView`'s ``kernel_args``).  A quarter of a byte a node keeps them in the CPU's cache
    (280 kB for a 1.1M-node graph), where a search's reads are random and
    most of its time; the search clears the words it set before it returns
    (``bits`` is all zeros between queries).  Films reached from people pass
    the year and votes filters when they are on, except ``s`` and ``t``
    themselves (the two films a film path was asked between).

    The search stops at the first meeting node: the first neighbour, in
    that reading order, that the other side has reached.  The path goes
    through it, and on each side back to the end by the stored parents (on
    the expanding side, the frontier node being read).

    ``lists`` (int32, ``5 * n + 2`` for ``n`` nodes) holds ``seen0``,
    ``seen1``, ``parent0``, ``parent1`` (``n`` each) and ``chain``, one
    array instead of five: each array argument costs numba's dispatcher a
    look at it, about 0.1 us on a cold cache, on every query.

    Returns ``(length, depth0)``: the path is ``chain[:length]`` (``s``
    first, the meeting node at ``depth0``), ``length`` is 0 when the two
    cannot meet.
    """
    n = len(indptr) - 1
    seen0, seen1, parent0, parent1 = lists[:n], lists[n:2 * n], lists[2 * n:3 * n], lists[3 * n:4 * n]
    chain = lists[4 * n:]
    for v in excluded:
        _set(bits, v, 3)
    seen0[0] = s; seen1[0] = t
    parent0[0] = -1; parent1[0] = -1
    _set(bits, s, 1); _set(bits, t, 2)
    lo0 = 0; hi0 = 1; lo1 = 0; hi1 = 1  # side k's frontier: seen_k[lo_k:hi_k]
    _, e_lo, e_hi = row(indptr, indices, dbits, drank, dptr, didx, s)
    work0 = e_hi - e_lo
    _, e_lo, e_hi = row(indptr, indices, dbits, drank, dptr, didx, t)
    work1 = e_hi - e_lo
    person0 = s < n_people; person1 = t < n_people
    meet = -1; via = -1; x = 0
    while work0 > 0 and work1 > 0:
        x = 0 if work0 <= work1 else 1
        if x == 0:
            seen, parent, lo, hi, person = seen0, parent0, lo0, hi0, person0
        else:
            seen, parent, lo, hi, person = seen1, parent1, lo1, hi1, person1
        filt = person and (use_year or use_votes)
        mine = 1 + x
        theirs = 2 - x
        m = hi
        for i in range(lo, min(lo + PREFETCH_AHEAD, hi)):
            held, first, _ = row(indptr, indices, dbits, drank, dptr, didx, seen[i])
            prefetch_row(indices, didx, held, first)
        for i in range(lo, hi):
            u = seen[i]
            if i + PREFETCH_AHEAD < hi:
                held, first, _ = row(indptr, indices, dbits, drank, dptr, didx, seen[i + PREFETCH_AHEAD])
                prefetch_row(indices, didx, held, first)
            held, first, last = row(indptr, indices, dbits, drank, dptr, didx, u)
            for e in range(first, last):
                v = entry(indices, didx, held, e)
                code = _code(bits, v)
                if code == 0:
                    if filt and v != s and v != t and not _ok(
                            v, n_people, film_year, film_votes, year_lo, year_hi, min_votes, use_year, use_votes):
                        continue
                    _set(bits, v, mine)
                    seen[m] = v
                    parent[m] = i
                    m += 1
                elif code == theirs:
                    # the searches met, unless the filters keep this film out
                    if filt and v != s and v != t and not _ok(
                            v, n_people, film_year, film_votes, year_lo, year_hi, min_votes, use_year, use_votes):
                        continue
                    meet = v
                    via = i
                    break
                # else: excluded, or this side's already
            if meet >= 0:
                break
        if meet >= 0 or m == hi:
            if x == 0:  # the nodes this layer marked, for the clearing below
                hi0 = m
            else:
                hi1 = m
            break
        # The new layer's edges, summed once it is complete: the layer where the searches
        # meet is never expanded, and reading its nodes' rows there would be wasted.
        work = 0
        for i in range(hi, m):
            _, first, last = row(indptr, indices, dbits, drank, dptr, didx, seen[i])
            work += last - first
        if x == 0:
            lo0 = hi0; hi0 = m; work0 = work; person0 = not person0
        else:
            lo1 = hi1; hi1 = m; work1 = work; person1 = not person1
    # Back to all zeros: the words of every node marked.
    for i in range(hi0):
        bits[seen0[i] >> 5] = 0
    for i in range(hi1):
        bits[seen1[i] >> 5] = 0
    for v in excluded:
        bits[v >> 5] = 0
    if meet < 0:
        return 0, 0
    # The meeting node's parent on each side; from there the parents lead back to the end.
    # On the other side its position is found in that side's list (from the end: its last layer).
    if x == 0:
        k = hi1 - 1
        while seen1[k] != meet:
            k -= 1
        p0 = via; p1 = parent1[k]
    else:
        k = hi0 - 1
        while seen0[k] != meet:
            k -= 1
        p0 = parent0[k]; p1 = via
    # Depths are counted along the parents: the meeting node can sit below the other side's
    # last layer (film_path: an end film outside the year filter is entered by its own side only).
    depth0 = 0
    p = p0
    while p >= 0:
        depth0 += 1
        p = parent0[p]
    chain[depth0] = meet
    k = depth0 - 1
    p = p0
    while p >= 0:
        chain[k] = seen0[p]
        p = parent0[p]
        k -= 1
    k = depth0 + 1
    p = p1
    while p >= 0:
        chain[k] = seen1[p]
        p = parent1[p]
        k += 1
    return k, depth0

@njit(cache=True, nogil=True)
def component_labels(indptr, indices, dbits, drank, dptr, didx, allowed, queue):
    """Connected component of every node (-1: not allowed, or no edge), numbered in node order.

    ``indptr, indices, dbits, drank, dptr, didx``: the adjacency (a
    :class:`reelgraph.mirror.CsrView`'s ``kernel_args``); ``allowed[v]`` False leaves ``v`` out (an avoided person, a filtered film);
    ``queue`` is scratch space of one int64 a node.
    """
    n = len(indptr) - 1
    label = np.full(n, -1, dtype=np.int64)
    c = 0
    for r in range(n):
        if label[r] >= 0 or not allowed[r]:
            continue
        _, first, last = row(indptr, indices, dbits, drank, dptr, didx, r)
        if first == last:
            continue
        label[r] = c
        queue[0] = r
        head = 0
        tail = 1
        while head < tail:
            u = queue[head]
            head += 1
            held, first, last = row(indptr, indices, dbits, drank, dptr, didx, u)
            for e in range(first, last):
                v = entry(indices, didx, held, e)
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
def bfs_depths(indptr, indices, dbits, drank, dptr, didx, n_entries, dist, centre, n_people, film_allowed, filter_films):
    """Breadth-first depth of every node from ``centre``, in place in ``dist``.

    ``dist`` holds -1 for nodes not reached yet (and anything else, e.g. -2
    for excluded nodes, for nodes never to enter); ``dist[centre]`` must be 0.
    ``indptr, indices, dbits, drank, dptr, didx``: the adjacency (a
    :class:`reelgraph.mirror.CsrView`'s ``kernel_args``), of ``n_entries``
    entries in all.
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
    _, e_lo, e_hi = row(indptr, indices, dbits, drank, dptr, didx, centre)
    frontier_edges = e_hi - e_lo
    edges_left = n_entries - frontier_edges
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
                    held, e_lo, e_hi = row(indptr, indices, dbits, drank, dptr, didx, u)
                    for e in range(e_lo, e_hi):
                        v = entry(indices, didx, held, e)
                        if _has(reached, v):
                            continue
                        reached[v >> 6] |= _ONE << np.uint64(v & 63)
                        nxt[v >> 6] |= _ONE << np.uint64(v & 63)
                        dist[v] = depth + 1
                        found += 1
                        _, vfirst, vlast = row(indptr, indices, dbits, drank, dptr, didx, v)
                        new_edges += vlast - vfirst
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
                    held, e_lo, e_hi = row(indptr, indices, dbits, drank, dptr, didx, v)
                    for e in range(e_lo, e_hi):
                        if _has(front, entry(indices, didx, held, e)):
                            bits |= _ONE << np.uint64(b)
                            dist[v] = depth + 1
                            found += 1
                            new_edges += e_hi - e_lo
                            break
                nxt[w] = bits
            for w in prange(first >> 6, (last + 63) >> 6):
                reached[w] |= nxt[w]
        front = nxt
        frontier_edges = new_edges
        edges_left -= new_edges
        from_people = not from_people
        depth += 1
