"""What a store write of few rows takes from the store's old graph index instead of building it again.

Adding a saved page to a store of the whole IMDb changes a few dozen of its
120M rows, yet building the index anew encodes every credit's ids again
(about 50 s there) and counts every person's collaborators again (about
30 s).  When the edit keeps the nodes, none of that is needed:

* no row of ``people`` or ``films`` comes or goes (rows replaced keep their
  places: :class:`reelgraph.store._TableEdit`), and every credit and link
  added or removed names nodes of those rows, so the numbering is the old
  one: ids, their sorted hashes (the old files, linked) and role codes;
* the credit arrays are the old ones less the rows removed, then the rows
  appended;
* collaborator counts change only for the people of films whose credits
  changed.

The tables, the adjacency, degrees and summary are made by the builder as
always (:func:`reelgraph._index_build.write_from_tables`).  Any other edit,
or an old index that cannot be trusted, is built anew.  A patched index is
the one built anew, file for file (``tests/graph/test_store_incremental.py``).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pyarrow as pa

log = logging.getLogger(__name__)

__all__ = ["PreviousIndex", "Reused", "reusable"]


class PreviousIndex:
    """The store's index before a write, and the write's edits of its tables (:class:`reelgraph.store._TableEdit`)."""

    def __init__(self, store_folder: Path, version: str, edits: dict):
        self.store_folder, self.version, self.edits = Path(store_folder), version, edits


class Reused:
    """The parts of the old index a patched one keeps (see the module's text)."""

    def __init__(self, *, mirror, folder: Path, arrays: dict, touched_films: np.ndarray):
        self.n_people, self.n_films, self.role_names = mirror.n_people, mirror.n_films, list(mirror.role_names)
        self.own_rows = dict(mirror._own_rows)
        ids = mirror.ids.arrow
        self.person_ids, self.film_ids = ids.slice(0, self.n_people), ids.slice(self.n_people)
        self.files = {name: folder / f"{name}.npy" for name in ("id_hash", "id_order")}
        self.arrays = arrays  # credit_person, credit_film, credit_role, similar_src, similar_dst
        self._mirror, self._touched_films = mirror, touched_films

    def rows(self, kind: str):
        """What :func:`reelgraph._index_build._nodes` says of a table's rows: None when they are the nodes."""
        n, own = (self.n_people, self.own_rows["people"]) if kind == "people" else (self.n_films, self.own_rows["films"])
        return None if n == own else (np.arange(own), own)

    def roles(self) -> pa.DictionaryArray:
        """``credits.role`` as the builder reads it: the role codes over the role names."""
        return pa.DictionaryArray.from_arrays(self.arrays["credit_role"].astype(np.int32), pa.array(self.role_names, pa.string()))

    def collaborators(self, indptr, indices) -> np.ndarray:
        """Collaborator counts over the new every-credit adjacency: the old ones, counted again where films changed."""
        from reelgraph.analysis._stats_kernels import collaborator_counts_of

        old = self._mirror.view(frozenset(self._mirror.role_names))
        counts = np.array(self._mirror._collaborators)
        people = np.unique(np.concatenate([_neighbours(old.indptr, old.indices, self._touched_films),
                                           _neighbours(indptr, indices, self._touched_films)]))
        counts[people] = collaborator_counts_of(indptr, indices, people.astype(np.int64), self.n_people)
        return counts


def _neighbours(indptr, indices, nodes: np.ndarray) -> np.ndarray:
    if not len(nodes):
        return np.zeros(0, np.int64)
    return np.concatenate([np.asarray(indices[indptr[v]:indptr[v + 1]], dtype=np.int64) for v in nodes.tolist()])


def reusable(previous: PreviousIndex | None, tables_folder: Path) -> Reused | None:
    """What the index of the tables in ``tables_folder`` can take from ``previous``; None: build it anew."""
    from reelgraph._index_build import _first_seen, _read
    from reelgraph.graph_index import INDEX_FOLDER, open_index

    if previous is None:
        return None
    edits = previous.edits
    if any(edits[table].removed.any() or len(edits[table].appended) for table in ("people", "films")):
        return None  # a node comes or goes: the numbering changes
    mirror, why = open_index(previous.store_folder, previous.version)
    if mirror is None:
        log.debug("graph index: not patched, the old one is %s", why)
        return None
    own_people, own_films = mirror._own_rows["people"], mirror._own_rows["films"]
    first_unowned_film = mirror.n_people + own_films
    role_codes = {name: code for code, name in enumerate(mirror.role_names)}
    credits = edits["credits"]
    if "" in role_codes or len(credits.removed) != len(mirror.credit_person):
        return None

    gone = np.flatnonzero(credits.removed)
    appended = credits.appended
    person = mirror._index.get_indexer(appended["person_id"].astype(str)) if len(appended) else np.zeros(0, np.int64)
    film = mirror._index.get_indexer(appended["film_id"].astype(str)) if len(appended) else np.zeros(0, np.int64)
    role = np.array([role_codes.get(value, -1) for value in appended["role"].tolist()], dtype=np.int64)
    old_person, old_film = np.asarray(mirror.credit_person[gone]), np.asarray(mirror.credit_film[gone])
    # Only nodes of own rows: one named by credits alone is numbered where it is first named, which may move.
    if ((person < 0) | (person >= own_people)).any() or ((film < mirror.n_people) | (film >= first_unowned_film)).any() \
            or (role < 0).any() or (old_person >= own_people).any() or (old_film >= first_unowned_film).any():
        return None
    links = _read(tables_folder, "similar", ["film_id", "similar_id"])
    similar = [mirror._index.get_indexer(links.column(name).to_pylist()) for name in ("film_id", "similar_id")]
    if any(((codes < mirror.n_people) | (codes >= first_unowned_film)).any() for codes in similar) \
            or (np.asarray(mirror.similar_src) >= first_unowned_film).any() \
            or (np.asarray(mirror.similar_dst) >= first_unowned_film).any():
        return None

    keep = ~credits.removed
    arrays = {"credit_person": np.concatenate([np.asarray(mirror.credit_person)[keep], person.astype(np.int32)]),
              "credit_film": np.concatenate([np.asarray(mirror.credit_film)[keep], film.astype(np.int32)]),
              "credit_role": np.concatenate([np.asarray(mirror.credit_role)[keep], role.astype(np.int16)]),
              "similar_src": similar[0].astype(np.int32), "similar_dst": similar[1].astype(np.int32)}
    # Role names are numbered in order of first appearance: a credit removed may have been a role's first.
    rank, seen = _first_seen(arrays["credit_role"], len(mirror.role_names))
    if seen != len(mirror.role_names) or (rank != np.arange(seen)).any():
        return None
    touched_films = np.unique(np.concatenate([old_film, film])).astype(np.int64)
    return Reused(mirror=mirror, folder=previous.store_folder / INDEX_FOLDER, arrays=arrays, touched_films=touched_films)
