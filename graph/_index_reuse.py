"""What a store write of few rows takes from the store's old graph index instead of building it again.

Adding a saved page to a store of the whole IMDb changes a few dozen of its
120M rows, yet building the index anew encodes every credit's ids again
(about 50 s there) and counts every person's collaborators again (about
30 s).  When the edit keeps the nodes' order, none of that is needed:

* rows replaced keep their places (:class:`reelgraph.store._TableEdit`),
  rows removed go, new ones come last, and every credit and link added or
  removed names nodes of rows: the new numbering is the old one closed up
  over the people and films removed, the new people after the old people
  and the new films after the old films (a saved page's stubs go when a
  later page names their IMDb ids; its new people and films come).  Ids,
  their sorted hashes (the old files, linked, or the old hashes less those
  removed with the new ones put in their places) and role codes follow;
* the credit arrays are the old ones less the rows removed, then the rows
  appended; with none removed and no node renumbered, the old files grow
  in place (:meth:`reelgraph.graph_index._IndexWriter.extend`) rather than
  being written again (950 MB at IMDb's size), and the new arrays are
  mapped from them rather than joined in memory (:meth:`Reused.extend_credits`);
* an adjacency view's rows change only for the people and films of the
  credits added or removed (and the new nodes): the others are the old
  view's rows, renumbered (:func:`_splice`), or, when no node is
  renumbered, the old view's files linked with the touched rows held apart
  (its delta), or copied file to file with them put in once the delta
  outgrows :data:`DELTA_SHARE` or a node comes (:meth:`Reused.write_view`;
  degrees and collaborator counts are copied likewise);
* collaborator counts change only for the people of films whose credits
  changed, and names are normalised again only where a label changed (in
  the ``nodes/`` chunks that are not linked: see
  :meth:`reelgraph.graph_index._IndexWriter.nodes`).

The tables, degrees and summary are made by the builder as
always (:func:`reelgraph._index_build.write_from_tables`).  Any other edit,
or an old index that cannot be trusted, is built anew (logged at DEBUG).
A patched index is the one built anew, file for file
(``tests/graph/test_store_incremental.py``).
"""

from __future__ import annotations

import logging
import mmap
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numba import njit

log = logging.getLogger(__name__)

__all__ = ["PreviousIndex", "Reused", "reusable"]


class PreviousIndex:
    """The store's index before a write, and the write's edits of its tables (:class:`reelgraph.store._TableEdit`)."""

    def __init__(self, store_folder: Path, version: str, edits: dict):
        self.store_folder, self.version, self.edits = Path(store_folder), version, edits


class _Numbering:
    """The old index's node numbering with an edit's people and films removed and added (see the module's text).

    Nodes keep their order: the old people less those removed, then the new
    people; the old films less those removed, then the new films.
    """

    def __init__(self, mirror, removed: dict, new_people: list[str], new_films: list[str]):
        self.mirror, self.new_people, self.new_films = mirror, new_people, new_films
        self.old_people, self.old_films = mirror.n_people, mirror.n_films
        own = mirror._own_rows
        # (rows are nodes when any comes or goes: _reuse checks it)
        gone_people, gone_films = (np.flatnonzero(removed[table]) for table in ("people", "films"))
        self.kept_people, self.kept_films = self.old_people - len(gone_people), self.old_films - len(gone_films)
        self.n_people, self.n_films = self.kept_people + len(new_people), self.kept_films + len(new_films)
        self.own_rows = {"people": own["people"] - len(gone_people) + len(new_people),
                         "films": own["films"] - len(gone_films) + len(new_films)}
        self.changed = bool(len(gone_people) or len(gone_films) or new_people or new_films)
        self.removes = bool(len(gone_people) or len(gone_films))
        # each old node's new number (-1: removed); numbers keep their order
        gone = np.zeros(self.old_people + self.old_films, np.bool_)
        gone[gone_people] = gone[self.old_people + gone_films] = True
        remap = np.cumsum(~gone, dtype=np.int64) - 1
        remap[self.old_people:] += len(new_people)
        remap[gone] = -1
        self.remap = remap.astype(np.int32)
        self._own_kept = {"people": own["people"] - len(gone_people), "films": own["films"] - len(gone_films)}
        self._new = pd.Index(new_people + new_films)

    def codes(self, ids) -> np.ndarray:
        """Each id's node in the new numbering; -1: none."""
        ids = np.asarray(ids, dtype=object)
        old = self.mirror._index.get_indexer(ids) if len(ids) else np.zeros(0, np.int64)
        out = np.where(old >= 0, self.remap[np.maximum(old, 0)] if len(self.remap) else -1, -1)
        missing = np.flatnonzero(old < 0)
        if len(missing) and len(self._new):
            new = self._new.get_indexer(ids[missing])
            people = len(self.new_people)
            out[missing] = np.where(new < 0, -1, np.where(new < people, self.kept_people + new,
                                                          self.n_people + self.kept_films + new - people))
        return out

    def is_person(self, codes: np.ndarray) -> np.ndarray:
        """Whether each node is a person of a row (old or new): one named by credits alone may be numbered anew."""
        return (codes >= 0) & ((codes < self._own_kept["people"]) | (codes >= self.kept_people)) & (codes < self.n_people)

    def is_film(self, codes: np.ndarray) -> np.ndarray:
        """Whether each node is a film of a row (old or new)."""
        old_end, own_end = self.n_people + self.kept_films, self.n_people + self._own_kept["films"]
        return (codes >= self.n_people) & ((codes < own_end) | (codes >= old_end)) & (codes < self.n_people + self.n_films)

    def new_nodes(self) -> np.ndarray:
        return np.concatenate([np.arange(self.kept_people, self.n_people),
                               np.arange(self.n_people + self.kept_films, self.n_people + self.n_films)]).astype(np.int64)

    @property
    def keeps_numbers(self) -> bool:
        """Whether every old node keeps its number: none removed, no person added (who would come before the films)."""
        return not self.removes and not self.new_people

    @cached_property
    def old_of_new(self) -> np.ndarray:
        """Each new node's old number (-1: a new node)."""
        return self.old_number(np.arange(self.n_people + self.n_films, dtype=np.int64)) if not self.removes else \
            self._old_of_new_scattered()

    def old_number(self, nodes) -> np.ndarray:
        """:attr:`old_of_new` of some ``nodes`` (int32): worked out, without it, when nothing is removed."""
        nodes = np.asarray(nodes, dtype=np.int64)
        if self.removes:
            return self.old_of_new[nodes]
        # old people keep their numbers, new people follow them; old films come after all people, new films last
        film = nodes - self.n_people
        old = np.where(nodes < self.old_people, nodes,
                       np.where((film >= 0) & (film < self.old_films), self.old_people + film, -1))
        return old.astype(np.int32)

    def _old_of_new_scattered(self) -> np.ndarray:
        old = np.full(self.n_people + self.n_films, -1, np.int32)
        kept = np.flatnonzero(self.remap >= 0)
        old[self.remap[kept]] = kept
        return old

    def kept_ids(self, ids, start: int, stop: int):
        """The ids of old nodes ``start:stop`` less those removed (Arrow, one array or chunked as ``ids``)."""
        from reelgraph.graph_index import take_strings

        if not self.removes:
            return ids.slice(start, stop - start)
        return take_strings(ids, np.flatnonzero(self.remap[start:stop] >= 0) + start)


class Reused:
    """The parts of the old index a patched one keeps (see the module's text)."""

    def __init__(self, *, numbering: _Numbering, folder: Path, arrays: dict, touched_films: tuple[np.ndarray, np.ndarray],
                 touched_people: np.ndarray, extended: dict | None = None):
        mirror = numbering.mirror
        self._folder = folder  # the old index's
        self.n_people, self.n_films, self.role_names = numbering.n_people, numbering.n_films, list(mirror.role_names)
        self.own_rows = numbering.own_rows
        from reelgraph._index_build import _arrays

        ids, people = mirror.ids.arrow, numbering.old_people
        # (chunked, not concatenated: a copy of 29M ids at IMDb's size, where few are read)
        self._ids = {"people": pa.chunked_array([*_arrays(numbering.kept_ids(ids, 0, people)),
                                                 pa.array(numbering.new_people, ids.type)], ids.type),
                     "films": pa.chunked_array([*_arrays(numbering.kept_ids(ids, people, len(ids))),
                                                pa.array(numbering.new_films, ids.type)], ids.type)}
        self.arrays = arrays  # credit_person, credit_film, credit_role, similar_src, similar_dst
        self._numbering, self._touched_films = numbering, touched_films
        touched = np.zeros(numbering.n_people + numbering.n_films, np.bool_)
        touched[touched_people] = touched[touched_films[1]] = touched[numbering.new_nodes()] = True
        self._touched = touched  # the nodes whose rows an adjacency view makes anew
        self._near = None  # the new credits of touched nodes (indexes), once a view asked
        #: ``{array: old file}``: credit arrays that are the old index's and then some; until
        #: :meth:`extend_credits`, ``arrays`` holds only the rows appended of those
        self.extended = extended or {}

    def extend_credits(self, writer) -> None:
        """Write the :attr:`extended` credit arrays first, as the old files grown in place
        (:meth:`reelgraph.graph_index._IndexWriter.extend`), and take the whole arrays mapped from them."""
        old = self._numbering.mirror
        for name, path in self.extended.items():
            self.arrays[name] = writer.extend(name, path, getattr(old, name), self.arrays[name])

    def pop_ids(self, kind: str) -> pa.ChunkedArray:
        """The new ``people`` or ``films`` node ids, handed over: held here, they stayed through the adjacency (0.4 GB at IMDb's size)."""
        return self._ids.pop(kind)

    def view(self, mirror, roles) -> "CsrView":
        """``mirror.view(roles)`` (``mirror``: the new arrays) spliced from the old index's view of ``roles``."""
        from reelgraph._index_build import person_film_csr
        from reelgraph.mirror import csr_view

        numbering = self._numbering
        old = numbering.mirror.view(roles)
        person, film, role, near = self._touched_credits(mirror)
        rows, counts = person_film_csr(person[near], film[near], role[near], mirror.role_mask(roles), len(self._touched))
        # (nothing removed: an old node's new number is its own, or its own plus the new people for a film)
        boundary, shift = (-1, 0) if numbering.removes else (numbering.old_people, len(numbering.new_people))
        indices, counts = _splice(*old.materialize(), rows, counts.astype(np.int64), self._touched,
                                  numbering.old_of_new, numbering.remap, boundary, shift)
        _forget_pages(numbering.mirror)
        return csr_view(frozenset(roles), indices, counts)

    def write_view(self, writer, name: str, mirror, roles):
        """Write the view of ``roles`` (``name``: its files' prefix) as the old one with the touched nodes' rows
        put in, without making it in memory; returns it, mapped from the files written.  None (and nothing
        written) when the nodes are renumbered (a node removed, a person added), or the view outgrows
        32-bit offsets: :meth:`view` splices it in memory then.

        When no node comes either, and the rows held apart stay under
        :data:`DELTA_SHARE` of the view, the old view's base files are
        linked and only those rows are written (its delta: the old delta's
        rows and the touched ones; see :class:`reelgraph.mirror.CsrView`):
        a saved page writes kilobytes where the view is a gigabyte.  Else
        the view is written whole (compacted): the untouched nodes' rows
        are byte ranges of the old base files (:class:`reelgraph.graph_index._NpyStream`),
        the offsets between them the old ones shifted by the rows put in before.
        Either way its degrees are the old file's with the touched nodes' put in.
        """
        from reelgraph.mirror import CsrView

        numbering = self._numbering
        old = numbering.mirror.view(roles)
        if not numbering.keeps_numbers or not all(isinstance(array, np.memmap) for array in
                                                  (old.indptr, old.indices, old.degree)):
            return None
        touched = np.flatnonzero(self._touched)  # old nodes keep their numbers; new films come after them
        owners, neighbours = self._rows_of_touched(mirror, roles)
        counts = np.diff(np.searchsorted(owners, touched, side="right"), prepend=0)  # each touched node's row length
        n_old, n = numbering.old_people + numbering.old_films, len(self._touched)
        degree = _write_patched(writer, f"{name}_degree", old.degree, n, touched, counts)
        # the rows the base does not hold: the old delta's (those not touched again) and the touched ones
        held, counts, neighbours = _merged_rows(old, touched, counts, neighbours)
        delta_indptr = np.zeros(len(held) + 1, dtype=np.int64)
        np.cumsum(counts, out=delta_indptr[1:])
        if n == n_old and len(neighbours) <= DELTA_SHARE * len(old.indices):
            for part, array in (("indptr", old.indptr), ("indices", old.indices)):
                writer.link(f"{name}_{part}", Path(array.filename))
            for part, array in (("nodes", held), ("indptr", delta_indptr), ("indices", neighbours.astype(np.int32))):
                writer.array(f"{name}_delta_{part}", array)
            base = (np.load(writer.staging / f"{name}_{part}.npy", mmap_mode="r") for part in ("indptr", "indices"))
            return CsrView(frozenset(roles), *base, degree).with_delta(held, delta_indptr, neighbours, degree)
        ends = delta_indptr[1:]
        was = held[held < n_old]
        total = int(old.indptr[n_old]) - int((old.indptr[was + 1] - old.indptr[was]).sum()) + len(neighbours)
        if total >= np.iinfo(old.indptr.dtype).max:
            return None
        # the other old nodes' runs: before the first node held apart, between two, after the last
        runs = list(zip(np.minimum(np.concatenate([[0], held + 1]), n_old).tolist(),
                        np.minimum(np.concatenate([held, [n_old]]), n_old).tolist()))
        with writer.stream(f"{name}_indices", np.int32, total) as out:
            for k, (a, b) in enumerate(runs):
                out.copy(old.indices, int(old.indptr[a]), int(old.indptr[b]))
                if k < len(held):
                    out.write(neighbours[ends[k] - counts[k]: ends[k]])
        with writer.stream(f"{name}_indptr", old.indptr.dtype, n + 1) as out:
            at, block = 0, np.empty(min(_INDPTR_BLOCK, n_old + 1), old.indptr.dtype)
            for k, (a, b) in enumerate(runs):
                shift = at - int(old.indptr[a])
                for first in range(a, b, len(block)):  # (in blocks: a run may be every node)
                    last = min(first + len(block), b)
                    out.write(np.add(old.indptr[first:last], shift, out=block[:last - first], casting="unsafe"))
                at += int(old.indptr[b]) - int(old.indptr[a])
                if k < len(held):
                    out.write(np.array([at]))
                    at += int(counts[k])
            out.write(np.array([at]))
        _forget_pages(numbering.mirror)
        folder = writer.staging
        return CsrView(frozenset(roles), *(np.load(folder / f"{name}_{part}.npy", mmap_mode="r")
                                           for part in ("indptr", "indices")), degree)

    def _rows_of_touched(self, mirror, roles) -> tuple[np.ndarray, np.ndarray]:
        """The touched nodes' rows in the view of ``roles``: ``(owner, neighbour)`` of every edge, sorted, distinct.

        As :func:`reelgraph._index_build.person_film_csr` gives them, from the
        touched nodes' credits alone (every credit of a touched node is one).
        When credits were only appended, a touched node's old credits are
        its row of the old view: only the credits appended are read, not
        every credit for the touched nodes' (95M at IMDb's size).
        """
        n, touched = len(self._touched), self._touched
        parts = []
        if self.extended:
            old_rows = self._numbering.mirror.credit_person.shape[0]
            person, film, role = (np.asarray(getattr(mirror, name))[old_rows:] for name in
                                  ("credit_person", "credit_film", "credit_role"))
            old = self._numbering.mirror.view(roles)
            was = np.flatnonzero(touched[:len(old.degree)])
            parts.append(np.repeat(was, np.asarray(old.degree[was], np.int64)) * n + old.neighbours(was))
        else:
            person, film, role, near = self._touched_credits(mirror)
            person, film, role = person[near], film[near], role[near]
        kept = mirror.role_mask(roles)[role]
        person, film = person[kept].astype(np.int64), film[kept].astype(np.int64)
        edges = np.unique(np.concatenate([*parts, person[touched[person]] * n + film[touched[person]],
                                          film[touched[film]] * n + person[touched[film]]]))
        return edges // n, (edges % n).astype(np.int32)

    def _touched_credits(self, mirror) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``mirror``'s credit arrays, and the credits (indexes) of touched nodes: found once for every view."""
        person, film, role = (np.asarray(getattr(mirror, name)) for name in ("credit_person", "credit_film", "credit_role"))
        if self._near is None:
            self._near = _credits_of(person, film, _bitset(self._touched))
        return person, film, role, self._near

    def rows(self, kind: str):
        """What :func:`reelgraph._index_build._nodes` says of a table's rows: None when they are the nodes."""
        n, own = (self.n_people, self.own_rows["people"]) if kind == "people" else (self.n_films, self.own_rows["films"])
        return None if n == own else (np.arange(own), own)

    def roles(self) -> pa.DictionaryArray:
        """``credits.role`` as the builder reads it: the role codes over the role names."""
        return pa.DictionaryArray.from_arrays(pa.array(self.arrays["credit_role"]), pa.array(self.role_names, pa.string()))

    def normalized(self, labels: pa.Array, start: int = 0) -> pa.Array:
        """:func:`reelgraph.names.normalize_labels` of the labels of new nodes ``start, start + 1, ...``: the old index's where a label stays.

        Normalising 29M labels takes ~20 s at IMDb's size; comparing them with the old ones ~1 s.
        """
        from reelgraph.graph_index import take_strings
        from reelgraph.names import normalize_labels

        mirror = self._numbering.mirror
        old_of_new = self._numbering.old_number(np.arange(start, start + len(labels)))
        old_at = np.maximum(old_of_new, 0)
        same = pc.fill_null(pc.equal(take_strings(mirror.labels.arrow, old_at), labels), False).to_numpy(zero_copy_only=False)
        changed = ~same | (old_of_new < 0)
        normalized = take_strings(mirror.normalized_labels, old_at).cast(pa.string())
        if changed.any():
            fresh = normalize_labels(labels.filter(pa.array(changed))).cast(pa.string())
            normalized = pc.replace_with_mask(normalized, pa.array(changed), fresh)
        _forget_pages(mirror)
        return normalized

    def write_ids(self, writer) -> None:
        """``id_hash`` and ``id_order``: the old files (linked) when no node comes, else the new hashes put in place."""
        from reelgraph._index_build import id_hashes

        numbering = self._numbering
        lookup = numbering.mirror._index
        if not numbering.changed:
            for name in ("id_hash", "id_order"):
                writer.link(name, self._folder / f"{name}.npy")
            return
        old_hash = np.asarray(lookup._hashes)
        order = numbering.remap[np.asarray(lookup._order)].astype(np.int64)
        if numbering.removes:
            kept = order >= 0
            old_hash, order = old_hash[kept], order[kept]
        nodes = numbering.new_nodes()
        hashes = id_hashes(pa.array(numbering.new_people + numbering.new_films, pa.string()))
        by_hash = np.lexsort((nodes, hashes))  # the order a stable sort of every hash gives: equal hashes by node
        nodes, hashes = nodes[by_hash], hashes[by_hash]
        at = np.searchsorted(old_hash, hashes, side="left")
        for k in range(len(at)):  # past the old nodes of an equal hash and a smaller number (two ids rarely share one)
            while at[k] < len(old_hash) and old_hash[at[k]] == hashes[k] and order[at[k]] < nodes[k]:
                at[k] += 1
        writer.array("id_hash", np.insert(old_hash, at, hashes))
        writer.array("id_order", np.insert(order, at, nodes))
        _forget_pages(numbering.mirror)

    def collaborators(self, everyone) -> np.ndarray:
        """Collaborator counts over the new every-credit view: the old ones, counted again where films changed."""
        mirror, numbering = self._numbering.mirror, self._numbering
        counts = np.zeros(self.n_people, np.int64)
        if numbering.removes:
            kept = np.flatnonzero(numbering.remap[:numbering.old_people] >= 0)
            counts[numbering.remap[kept]] = np.asarray(mirror._collaborators)[kept]
        else:  # people keep their numbers (new ones come after them)
            counts[:numbering.old_people] = mirror._collaborators
        people, recounted = self._recounted(everyone)
        counts[people] = recounted
        return counts

    def write_collaborators(self, writer, everyone) -> bool:
        """Write ``collaborators.npy`` as the old file with the counts that change put in; False (nothing
        written) where people are renumbered or added: :meth:`collaborators` then."""
        numbering = self._numbering
        old = numbering.mirror._collaborators
        if not numbering.keeps_numbers or not isinstance(old, np.memmap):
            return False
        _write_patched(writer, "collaborators", old, self.n_people, *self._recounted(everyone))
        return True

    def _recounted(self, everyone) -> tuple[np.ndarray, np.ndarray]:
        """The people whose collaborator counts may change (sorted), and their counts over ``everyone``, the new
        every-credit view: the people of films whose credits changed, and the new people."""
        from reelgraph.analysis._stats_kernels import collaborator_counts_of

        mirror, numbering = self._numbering.mirror, self._numbering
        old = mirror.view(frozenset(mirror.role_names))
        touched_old, touched_new = self._touched_films
        were = numbering.remap[old.neighbours(touched_old)]
        people = np.unique(np.concatenate([were[were >= 0], everyone.neighbours(touched_new),
                                           np.arange(numbering.kept_people, self.n_people)])).astype(np.int64)
        counts = collaborator_counts_of(*everyone.kernel_args, people, self.n_people)
        _forget_pages(mirror)
        return people, counts

    def write_overlaid(self, writer, name: str, array: np.ndarray) -> bool:
        """Write the per-film array ``name`` (``film_year``, ``film_votes``; ``array``: its new values) as the old
        file with the rows that differ put in (:func:`_write_patched`); False (nothing written) where films are
        renumbered or come."""
        old = getattr(self._numbering.mirror, name)
        if not self._numbering.keeps_numbers or not isinstance(old, np.memmap) or len(old) != len(array):
            return False
        changed = np.flatnonzero(np.asarray(old) != array)
        _write_patched(writer, name, old, len(array), changed, array[changed])
        return True

    def write_degrees(self, writer, mirror, everyone) -> bool:
        """Write ``degrees.npy`` (:meth:`reelgraph.mirror.Mirror.degrees`) as the old file with the degrees
        that change put in: the touched nodes' and those of films with links before or now.  False
        (nothing written) where nodes are renumbered: the degrees are worked out whole then."""
        numbering = self._numbering
        old = numbering.mirror.degrees()
        if not numbering.keeps_numbers or not isinstance(old, np.memmap):
            return False
        from reelgraph.mirror import link_ends

        n = len(self._touched)
        nodes = np.unique(np.concatenate([np.flatnonzero(self._touched), mirror.similar_src, mirror.similar_dst,
                                          numbering.mirror.similar_src, numbering.mirror.similar_dst]).astype(np.int64))
        ends, times = np.unique(link_ends(mirror.similar_src, mirror.similar_dst, n), return_counts=True)
        degrees = np.asarray(everyone.degree[nodes], np.int64)
        linked = np.isin(nodes, ends)
        degrees[linked] += times[np.searchsorted(ends, nodes[linked])]
        _write_patched(writer, "degrees", old, n, nodes, degrees)
        return True


def _write_patched(writer, name: str, old: np.memmap, length: int, at: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``name.npy``: ``length`` rows, the old array's but at the rows ``at`` (sorted, distinct: every row past
    the old array's among them), which take ``values``; returns it, mapped from the files written.

    ``old`` is mapped from its file, and from an overlay when it has one
    (:func:`reelgraph.graph_index.overlaid`).  While the rows that differ
    from the file stay under :data:`OVERLAY_SHARE` and no row comes, the
    file is linked and those rows written as its overlay
    (:meth:`reelgraph.graph_index._IndexWriter.overlay`); else the array
    is written whole, the file's rows copied file to file.
    """
    from reelgraph.graph_index import read_overlay

    base = Path(old.filename)
    overlay = read_overlay(base)
    if overlay is not None:  # the old overlay's rows, but those that change again
        held, held_values = overlay
        kept = ~np.isin(held, at)
        at, values = np.concatenate([at, held[kept]]), np.concatenate([values, held_values[kept]])
        order = np.argsort(at, kind="stable")
        at, values = at[order], values[order]
    if length == len(old) and not len(at):  # the file's rows, every one
        writer.link(name, base)
        return np.load(writer.staging / f"{name}.npy", mmap_mode="r")
    if length == len(old) and len(at) <= OVERLAY_SHARE * length:
        return writer.overlay(name, base, at, values)
    with writer.stream(name, old.dtype, length) as out:
        done = 0
        for row, value in zip(at.tolist(), values.tolist()):
            out.copy(old, min(done, len(old)), min(row, len(old)))
            out.write(np.array([value]))
            done = row + 1
        out.copy(old, min(done, len(old)), len(old))
    return np.load(writer.staging / f"{name}.npy", mmap_mode="r")


#: The rows of a degree or count array an overlay may hold (:func:`_write_patched`), as a share of its rows;
#: past it, the array is written whole.  1%: ~4.6 MB of overlay for IMDb's 29M nodes.
OVERLAY_SHARE = 0.01


#: Offsets a block of :meth:`Reused.write_view` shifts at a time (16 MB of int32).
_INDPTR_BLOCK = 1 << 22

#: A view's rows held apart from its base (its delta) may add up to this share of the base's entries;
#: past it, the view is written whole again (compacted).  Each write rewrites the delta, so a bigger
#: share saves rarer compactions at the cost of every page; 2%: ~15 MB at IMDb's size.
DELTA_SHARE = 0.02


def _merged_rows(old, touched: np.ndarray, counts: np.ndarray, neighbours: np.ndarray):
    """``(nodes, counts, neighbours)``: the rows of ``touched`` (sorted; ``counts`` and ``neighbours`` theirs),
    with those of ``old``'s delta that are not among them, in node order."""
    from reelgraph.mirror import _gather

    if not old.has_delta:
        return touched, counts, neighbours
    kept = ~np.isin(old.delta_nodes, touched)
    old_counts = np.diff(old.delta_indptr)[kept]
    rows = np.concatenate([neighbours, _gather(old.delta_indices, old.delta_indptr[:-1][kept], old_counts)])
    nodes, counts = np.concatenate([touched, old.delta_nodes[kept]]), np.concatenate([counts, old_counts])
    starts = np.cumsum(counts) - counts
    order = np.argsort(nodes, kind="stable")
    return nodes[order], counts[order], _gather(rows, starts[order], counts[order])


@njit(cache=True, nogil=True)
def _splice(old_indptr, old_indices, rows, row_counts, touched, old_of_new, remap, boundary, shift):
    """A view's ``(indices, counts)``: a touched node's row from ``rows`` (concatenated, ``row_counts`` each;
    the other nodes' rows there are empty or partial), the others' from the old view, renumbered.

    ``remap``: each old node's new number; it keeps their order, so each row
    stays sorted.  ``boundary`` >= 0 says it is ``u + shift`` for ``u >=
    boundary`` and ``u`` below (nothing removed), worked out rather than
    looked up: a lookup a neighbour misses the cache, and made the splice of
    IMDb's 190M neighbours take 5.3 s rather than 1.8 s.  The untouched
    nodes with consecutive old numbers are copied as one block.
    """
    n = len(touched)
    counts = np.empty(n, np.int32)
    starts = np.zeros(n + 1, np.int64)  # of each node's row in ``rows``
    for v in range(n):
        starts[v + 1] = starts[v] + row_counts[v]
        if touched[v]:
            counts[v] = row_counts[v]
        else:
            u = old_of_new[v]
            counts[v] = old_indptr[u + 1] - old_indptr[u]
    indices = np.empty(counts.astype(np.int64).sum(), np.int32)
    at = 0
    v = 0
    while v < n:
        if touched[v]:
            for i in range(starts[v], starts[v + 1]):
                indices[at] = rows[i]
                at += 1
            v += 1
            continue
        w = v + 1
        while w < n and not touched[w] and old_of_new[w] == old_of_new[w - 1] + 1:
            w += 1
        a, b = old_indptr[old_of_new[v]], old_indptr[old_of_new[w - 1] + 1]
        if boundary >= 0:
            for i in range(a, b):
                x = old_indices[i]
                indices[at + i - a] = x + shift * (x >= boundary)  # (no branch: the loop vectorises)
        else:
            for i in range(a, b):
                indices[at + i - a] = remap[old_indices[i]]
        at += b - a
        v = w
    return indices, counts


def _bitset(mask: np.ndarray) -> np.ndarray:
    """``mask`` as bits, eight a byte: 29M nodes' flags fit the cache as 3.6 MB where they missed it as 29 MB."""
    return np.packbits(mask, bitorder="little").view(np.uint8)


@njit(cache=True, nogil=True)
def _credits_of(person, film, bits):
    """The credits (indexes) whose person or film has its bit set in ``bits`` (:func:`_bitset`)."""
    out = np.empty(1024, np.int64)
    n = 0
    for i in range(len(person)):
        p, f = person[i], film[i]
        if ((bits[p >> 3] >> (p & 7)) | (bits[f >> 3] >> (f & 7))) & 1:
            if n == len(out):
                grown = np.empty(2 * n, np.int64)
                grown[:n] = out
                out = grown
            out[n] = i
            n += 1
    return out[:n].copy()


def _forget_pages(mirror) -> None:
    """Let the process's memory go of the pages read of the old index's files (the page cache keeps them).

    They would count in the process's resident memory while its index is
    mapped: about 3 GB of the old index's files, read once, at IMDb's size.
    A page read again later comes back from the page cache.
    """
    if hasattr(mmap, "MADV_DONTNEED"):  # (Linux; elsewhere they stay)
        for mapped in mirror.mapped_files:
            if len(mapped):
                mapped.madvise(mmap.MADV_DONTNEED)


def reusable(previous: PreviousIndex | None, tables_folder: Path) -> Reused | None:
    """What the index of the tables in ``tables_folder`` can take from ``previous``; None: build it anew."""
    if previous is None:
        return None
    reused, why = _reuse(previous, tables_folder)
    if reused is None:
        log.debug("graph index: built anew, not patched: %s", why)
    return reused


def _reuse(previous: PreviousIndex, tables_folder: Path) -> tuple[Reused | None, str]:
    from reelgraph._index_build import _first_seen, _read
    from reelgraph.graph_index import INDEX_FOLDER, open_index

    edits = previous.edits
    mirror, why = open_index(previous.store_folder, previous.version)
    if mirror is None:
        return None, f"the old index is {why}"
    removed = {table: edits[table].removed for table in ("people", "films")}
    new_ids = [edits[table].appended["id"].astype(str).tolist() for table in ("people", "films")]
    if any(len(removed[table]) != mirror._own_rows[table] for table in removed):
        return None, "its people or films are not the stored ones"
    if (removed["people"].any() or removed["films"].any() or new_ids[0] or new_ids[1]) \
            and (mirror._own_rows["people"] != mirror.n_people or mirror._own_rows["films"] != mirror.n_films):
        return None, "nodes come or go, and nodes named by credits alone would move"
    numbering = _Numbering(mirror, removed, *new_ids)
    if numbering.changed and ((mirror._index.get_indexer(new_ids[0] + new_ids[1]) >= 0).any()
                              or not numbering._new.is_unique):
        return None, "a new person or film has the id of another node"
    role_codes = {name: code for code, name in enumerate(mirror.role_names)}
    credits = edits["credits"]
    if "" in role_codes or len(credits.removed) != len(mirror.credit_person):
        return None, "its roles or credits are not the stored ones"

    gone = np.flatnonzero(credits.removed)
    appended = credits.appended
    person, film = (numbering.codes(appended[column].astype(str)) for column in ("person_id", "film_id"))
    role = np.array([role_codes.get(value, -1) for value in appended["role"].tolist()], dtype=np.int64)
    old_person = np.asarray(mirror.credit_person[gone], dtype=np.int64)
    old_film = np.asarray(mirror.credit_film[gone], dtype=np.int64)
    # Only nodes of rows: one named by credits alone is numbered where it is first named, which may move.
    own_people, own_film_end = mirror._own_rows["people"], mirror.n_people + mirror._own_rows["films"]
    if not (numbering.is_person(person).all() and numbering.is_film(film).all()) \
            or (old_person >= own_people).any() or (old_film >= own_film_end).any():
        return None, "a credit names a node without a row"
    if (role < 0).any():
        return None, "a credit has a role the store had none of"
    links = _read(tables_folder, "similar", ["film_id", "similar_id"])
    similar = [numbering.codes(links.column(name).to_pylist()) for name in ("film_id", "similar_id")]
    if not all(numbering.is_film(codes).all() for codes in similar) \
            or (np.asarray(mirror.similar_src) >= own_film_end).any() or (np.asarray(mirror.similar_dst) >= own_film_end).any():
        return None, "a link names a film without a row"

    removes_credits = bool(credits.removed.any())
    folder = previous.store_folder / INDEX_FOLDER
    appended = {"credit_person": person.astype(np.int32), "credit_film": film.astype(np.int32),
                "credit_role": role.astype(np.int16)}
    similar = {"similar_src": similar[0].astype(np.int32), "similar_dst": similar[1].astype(np.int32)}
    were = numbering.old_number(film)
    now_film, now_person = numbering.remap[old_film], numbering.remap[old_person]
    touched = {"touched_films": (np.unique(np.concatenate([old_film, were[were >= 0]])),
                                 np.unique(np.concatenate([now_film[now_film >= 0], film]))),
               "touched_people": np.unique(np.concatenate([now_person[now_person >= 0], person]))}
    if not removes_credits and numbering.keeps_numbers:
        # Credits only appended, and no node renumbered: the credit arrays are the old ones and then some,
        # the appended rows only until the writer grows the old files (Reused.extend_credits).
        return Reused(numbering=numbering, folder=folder, arrays=appended | similar, **touched,
                      extended={name: folder / f"{name}.npy" for name in appended}), ""
    kept_person, kept_film, kept_role = (np.asarray(getattr(mirror, name)) for name in ("credit_person", "credit_film", "credit_role"))
    if removes_credits:  # (else the mapped arrays as they are: the concatenation below copies them once)
        keep = ~credits.removed
        kept_person, kept_film, kept_role = kept_person[keep], kept_film[keep], kept_role[keep]
    if numbering.removes:  # numbers close up over the nodes removed
        kept_person, kept_film = numbering.remap[kept_person], numbering.remap[kept_film]
        if (kept_person < 0).any() or (kept_film < 0).any():
            return None, "a credit kept names a person or film removed"
    elif numbering.new_people:
        kept_film = kept_film + np.int32(len(numbering.new_people))
    arrays = {name: np.concatenate([kept, appended[name]])
              for name, kept in zip(appended, (kept_person, kept_film, kept_role))} | similar
    del kept_person, kept_film, kept_role
    _forget_pages(mirror)
    # Role names are numbered in order of first appearance: a credit removed may have been a role's first.
    # (Credits only appended keep the order: a role with no credit yet was refused above.)
    if removes_credits:
        rank, seen = _first_seen(arrays["credit_role"], len(mirror.role_names))
        if seen != len(mirror.role_names) or (rank != np.arange(seen)).any():
            return None, "the roles' order of first appearance changes"
    return Reused(numbering=numbering, folder=folder, arrays=arrays, **touched), ""
