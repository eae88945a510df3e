"""Compiled loops of :mod:`reelgraph.analysis.stats`, with numba.

Counting each person's distinct collaborators is a walk over the people of
each of their films, marking who was seen.  In pandas it was a self-join of
the credits on the film (tens of millions of pairs at IMDb's movie scale:
21 s and gigabytes); as a loop with one stamp array it is well under a
second.
"""

import numpy as np
from numba import njit
from reelgraph._adjacency_kernels import entry, row

__all__ = ["code_counts", "collaborator_counts", "collaborator_counts_of"]


@njit(cache=True, nogil=True)
def code_counts(codes, n_codes):
    """How many times each code ``0..n_codes-1`` occurs in ``codes`` (-1: missing), and where it first does.

    One pass, in the codes' own integer type: counting the roles of IMDb's
    95M credits through numpy took a copy of them as int64 and ~5 s.
    """
    counts = np.zeros(n_codes, np.int64)
    first = np.full(n_codes, len(codes), np.int64)
    for i in range(len(codes)):
        code = codes[i]
        if code >= 0:
            if counts[code] == 0:
                first[code] = i
            counts[code] += 1
    return counts, first


@njit(cache=True, nogil=True)
def collaborator_counts(indptr, indices, dbits, drank, dptr, didx, n_people):
    """Distinct other people each of the first ``n_people`` nodes shares at least one film with.

    ``indptr, indices, dbits, drank, dptr, didx``: the person-film adjacency
    of a :class:`reelgraph.mirror.CsrView` (its ``kernel_args``: a person's
    row lists their films, a film's row its people, each pair once).
    """
    return collaborator_counts_of(indptr, indices, dbits, drank, dptr, didx, np.arange(n_people), n_people)


@njit(cache=True, nogil=True)
def collaborator_counts_of(indptr, indices, dbits, drank, dptr, didx, people, n_people):
    """:func:`collaborator_counts` of some ``people`` only (node indexes, int64), in their order.

    What a graph index patched for a few changed films counts again
    (:mod:`reelgraph._index_reuse`).
    """
    seen_by = np.full(n_people, -1, np.int64)  # the person whose walk last saw each one
    counts = np.zeros(len(people), np.int64)
    for k in range(len(people)):
        p = people[k]
        seen_by[p] = p  # not one's own collaborator
        found = 0
        held, lo, hi = row(indptr, indices, dbits, drank, dptr, didx, p)
        for i in range(lo, hi):
            in_delta, first, last = row(indptr, indices, dbits, drank, dptr, didx, entry(indices, didx, held, i))
            for j in range(first, last):
                q = entry(indices, didx, in_delta, j)
                if seen_by[q] != p:
                    seen_by[q] = p
                    found += 1
        counts[k] = found
    return counts
