"""Compiled loop of :func:`graph.stats.best_connected_people`, with numba.

Counting each person's distinct collaborators is a walk over the people of
each of their films, marking who was seen.  In pandas it was a self-join of
the credits on the film (tens of millions of pairs at IMDb's movie scale:
21 s and gigabytes); as a loop with one stamp array it is well under a
second.
"""

import numpy as np
from numba import njit

__all__ = ["collaborator_counts"]


@njit(cache=True, nogil=True)
def collaborator_counts(person_indptr, person_films, film_indptr, film_people):
    """Distinct other people each person shares at least one film with.

    ``person_films[person_indptr[p]:person_indptr[p + 1]]`` are person
    ``p``'s films and ``film_people[film_indptr[f]:film_indptr[f + 1]]`` film
    ``f``'s people, each pair once.
    """
    n_people = len(person_indptr) - 1
    seen_by = np.full(n_people, -1, np.int64)  # the person whose walk last saw each one
    counts = np.zeros(n_people, np.int64)
    for p in range(n_people):
        seen_by[p] = p  # not one's own collaborator
        found = 0
        for i in range(person_indptr[p], person_indptr[p + 1]):
            f = person_films[i]
            for j in range(film_indptr[f], film_indptr[f + 1]):
                q = film_people[j]
                if seen_by[q] != p:
                    seen_by[q] = p
                    found += 1
        counts[p] = found
    return counts
