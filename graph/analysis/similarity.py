"""Film-to-film similarity: "More like this" links, shared people, genres and keywords.

Every pair of films gets four components in ``[0, 1]`` and a score that
weighs them (weights are parameters; these are the defaults)::

    score = 0.40 * mlt + 0.30 * people + 0.15 * genres + 0.15 * keywords

``mlt``
    IMDb's "More like this": a film listing another at rank r counts
    ``1 / log2(r + 1)`` (rank 1 counts 1, rank 3 0.5, rank 12 0.27; a link
    of unknown rank 0.5).  When both list each other the two combine as
    independent evidence, ``1 - (1 - x) * (1 - y)``.
``people``
    Adamic–Adar over shared people: a person credited on ``d`` films (any
    role but ``self``/archive footage) adds ``1 / ln(d + 1)`` -- someone
    with two films says more about them than someone with two hundred --
    and the sum ``AA`` becomes ``1 - exp(-AA)``.  People with more than
    ``max_person_films`` films are left out: their weight would be below
    ``1 / ln(101)`` = 0.22 while the pairs they make grow with ``d**2``.
``genres``, ``keywords``
    Jaccard index of the two films' genre (keyword) sets.

``years``, ``votes`` (weight 0 by default; used for films with no list)
    ``exp(-|year a - year b| / 10)`` (0 when a year is unknown), and the two
    films' mean popularity, ``min(1, log10(votes + 1) / 6)`` each (a million
    votes counts fully; unknown votes 0): IMDb's lists lean to well-known films.

**Films with no list of their own** (from IMDb's datasets only, or whose
saved page gave none) are ranked by :func:`similar_films` with
:data:`UNLISTED_WEIGHTS` (over the same candidates): shared people weighted by
billing as well (a shared person adds ``AA * lead(a) * lead(b)``, with
``lead = 1 / log2(billing + 1)`` for a cast credit -- the lead 1, the fifth
name 0.39, the twentieth 0.23, an unbilled actor as the twentieth -- and 1
for crew), genres, keywords, years and votes, plus any other film's list
that names it.  :func:`reelgraph.analysis.evaluation.evaluate_similarity`
measures that ranking against the films that do have lists.

Which pairs are edges: those with a "More like this" link, a shared person
(within the cap) or a shared keyword used by at most ``max_keyword_films``
films.  Genres, and common keywords, only refine the score of such pairs:
on their own they would link every drama with every other drama.  With
``min_shared=N``, people link two films only when they share at least N
people (the film-side form of asking co-stars for N shared films before they
count as linked).  Each film
then keeps its ``top_k`` best edges (an edge stays when it is in the top of
either end), so the graph stays sparse enough to cluster.

Every edge explains itself: :meth:`SimilarityGraph.explain` (and the
``reasons`` of :func:`similar_films` and of the NetworkX export) says e.g.
``["More like this #3", "3 shared cast: A, B, C", "2 shared genres:
Drama, Romance"]``.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from reelgraph.mirror import ACTING_ROLES, DEFAULT_EXCLUDED_ROLES, MISSING_INT, Mirror, build_mirror
from reelgraph.names import resolve_node

__all__ = [
    "DEFAULT_WEIGHTS",
    "UNLISTED_WEIGHTS",
    "COMPONENTS",
    "SimilarityGraph",
    "similarity_graph",
    "similar_films",
    "mlt_weight",
    "billing_weight",
]

#: Default weight of each component in the score (they sum to 1).
DEFAULT_WEIGHTS = {"mlt": 0.40, "people": 0.30, "genres": 0.15, "keywords": 0.15}
#: Weights :func:`similar_films` ranks a film with no "More like this" list of its own with
#: (a film from the datasets only); measured by :mod:`reelgraph.analysis.evaluation`.
UNLISTED_WEIGHTS = {"mlt": 0.40, "people": 0.35, "genres": 0.15, "keywords": 0.05, "years": 0.03, "votes": 0.02}
#: Every part a score can weigh, in the order results list them.
COMPONENTS = ("mlt", "people", "genres", "keywords", "years", "votes")
#: Years apart at which the ``years`` part falls to 1/e.
YEAR_SCALE = 10.0
#: log10 of the votes at which a film counts as fully well known (a million).
VOTES_SCALE = 6.0
#: Billing position an actor credited without one counts as (beyond the names a page lists).
UNBILLED_POSITION = 20
#: Weight of a "More like this" link whose rank is unknown.
UNKNOWN_RANK_WEIGHT = 0.5
#: Names a reason lists before "+N more".
MAX_NAMES = 5
#: Films whose credit rows reasons look up one scan at a time before grouping all credits by film.
CREDIT_ROW_SCANS = 32


def mlt_weight(rank) -> float:
    """Weight of a "More like this" link at ``rank`` (1 = first): ``1 / log2(rank + 1)``.

    Examples
    --------
    >>> mlt_weight(1), mlt_weight(3), mlt_weight(None)
    (1.0, 0.5, 0.5)
    """
    if rank is None or (isinstance(rank, float) and math.isnan(rank)) or rank <= 0:
        return UNKNOWN_RANK_WEIGHT
    return 1.0 / math.log2(rank + 1)


def billing_weight(billing) -> float:
    """Weight of a cast credit at billing position ``billing`` (1 = the lead): ``1 / log2(billing + 1)``.

    An actor credited without a position counts as the :data:`UNBILLED_POSITION`-th name.

    Examples
    --------
    >>> billing_weight(1), billing_weight(3), round(billing_weight(None), 3)
    (1.0, 0.5, 0.228)
    """
    return float(_billing_weights(np.array([np.nan if billing is None else billing], dtype=np.float64))[0])


def _billing_weights(billing: np.ndarray) -> np.ndarray:
    """Vectorised :func:`billing_weight`: NaN = no position."""
    position = np.where(np.isnan(billing) | (billing < 1), UNBILLED_POSITION, billing)
    return 1.0 / np.log2(position + 1.0)


def _mlt_weights(ranks: np.ndarray) -> np.ndarray:
    """Vectorised :func:`mlt_weight`: 0 = no link, -1 = link of unknown rank."""
    out = np.zeros(len(ranks), dtype=np.float64)
    known = ranks > 0
    out[known] = 1.0 / np.log2(ranks[known] + 1.0)
    out[ranks < 0] = UNKNOWN_RANK_WEIGHT
    return out


# -- per-mirror indexes ------------------------------------------------------------


class _Context:
    """Indexes of one mirror that similarity needs, built once and cached."""

    def __init__(self, mirror: Mirror, max_person_films: int, max_keyword_films: int):
        self.m = mirror
        self.max_person_films = max_person_films
        self.max_keyword_films = max_keyword_films
        self.view = mirror.view(mirror.role_set(actors_only=False, exclude_roles=DEFAULT_EXCLUDED_ROLES))
        self._scanned_rows: dict[int, np.ndarray] = {}

    @cached_property
    def person_weight(self) -> np.ndarray:
        """Adamic–Adar weight of each person (0 outside 2..max_person_films films)."""
        return self.weights_of(np.arange(self.m.n_people))

    def weights_of(self, people: np.ndarray) -> np.ndarray:
        """:attr:`person_weight` of ``people`` only: one film's query at IMDb's size needs a few hundred of 17M."""
        if "person_weight" in self.__dict__:
            return self.person_weight[people]
        d = np.asarray(self.view.degree[people], dtype=np.float64)
        w = np.zeros(len(d))
        ok = (d >= 2) & (d <= self.max_person_films)
        w[ok] = 1.0 / np.log(d[ok] + 1.0)
        return w

    def sets_of(self, column: str, films: np.ndarray | None = None):
        """Film offset -> sorted codes of its ``column`` list (CSR over every film), and the vocabulary.

        With ``films`` (sorted offsets), only their cells are read and coded
        and every other film's set is empty: what one film's query needs,
        where coding the whole column took seconds at IMDb's size.  Codes
        compare only within one call's result.
        """
        # In Arrow, not cell by cell: a mirror from the store's graph index reads the one column, mapped.
        cells = self.m.arrow_column("films", column)
        n = len(cells)
        rows = np.arange(n)
        if films is not None:
            rows = np.asarray(films, dtype=np.int64)
            cells = self.m.arrow_column("films", column, rows)
        lengths = pc.fill_null(pc.list_value_length(cells), 0).to_numpy().astype(np.int64)
        flat = pc.list_flatten(cells)
        encoded = pc.dictionary_encode(flat.cast(pa.string()) if pa.types.is_null(flat.type) else flat).combine_chunks()
        codes = encoded.indices.to_numpy().astype(np.int64)
        vocab = encoded.dictionary.to_numpy(zero_copy_only=False)
        owner = np.repeat(rows, lengths)
        # Sort within each film and drop repeats so set sizes are right.
        key = _sorted_unique(owner.astype(np.int64) * max(len(vocab), 1) + codes)
        owner, codes = key // max(len(vocab), 1), key % max(len(vocab), 1)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(owner, minlength=n), out=indptr[1:])
        return indptr, codes.astype(np.int64), np.asarray(vocab, dtype=object)

    def has_cells(self, column: str, j: int) -> bool:
        """Whether film ``j`` (offset) has anything in its ``column`` list."""
        cell = self.m.arrow_column("films", column)[int(j)]
        return cell.is_valid and len(cell) > 0

    @cached_property
    def genres(self):
        return self.sets_of("genres")

    @cached_property
    def keywords(self):
        return self.sets_of("keywords")

    @cached_property
    def mlt(self):
        """"More like this" links as sorted pair keys with both directions' ranks."""
        m = self.m
        p = m.n_people
        F = m.n_films
        src = m.similar_src.astype(np.int64) - p
        dst = m.similar_dst.astype(np.int64) - p
        ok = (src >= 0) & (dst >= 0) & (src != dst)
        rank = m.table_rows("similar", np.flatnonzero(ok), ["rank"])["rank"].to_numpy(dtype="float64", na_value=np.nan)
        rank = np.where(np.isnan(rank), -1, rank).astype(np.int64)
        src, dst = src[ok], dst[ok]
        a, b = np.minimum(src, dst), np.maximum(src, dst)
        key = a * F + b
        forward = src < dst  # a lists b
        # Best (smallest known) rank per key and direction; unknown (-1) only when no rank is known.
        order_rank = np.where(rank > 0, rank, np.iinfo(np.int64).max)
        keys = np.unique(key)
        out = []
        for direction in (forward, ~forward):
            k, r, o = key[direction], rank[direction], order_rank[direction]
            idx = np.lexsort((o, k))
            k, r = k[idx], r[idx]
            first = np.ones(len(k), dtype=bool)
            first[1:] = k[1:] != k[:-1]
            col = np.zeros(len(keys), dtype=np.int64)
            col[np.searchsorted(keys, k[first])] = r[first]
            out.append(col)
        return keys, out[0], out[1]

    @cached_property
    def listing(self) -> np.ndarray:
        """Sorted offsets of the films with a "More like this" list of their own."""
        src = self.m.similar_src.astype(np.int64) - self.m.n_people
        return np.unique(src[src >= 0])

    def has_list(self, j: int) -> bool:
        pos = np.searchsorted(self.listing, j)
        return bool(pos < len(self.listing) and self.listing[pos] == j)

    def leads(self, films: np.ndarray, people: np.ndarray) -> np.ndarray:
        """Lead weight of each ``people[i]`` on ``films[i]`` (offsets); 0 without a linking credit.

        A cast credit weighs :func:`billing_weight` of its billing, any other
        role 1; a person with several credits on a film keeps the largest.
        Only the credit rows of these films are read (a query touches a few
        thousand films, not IMDb's hundred million credits).
        """
        m = self.m
        touched = np.unique(films)
        scans = self.__dict__.setdefault("_lead_scans", [0])
        scans[0] += 1
        if "credit_rows" in self.__dict__ or scans[0] > CREDIT_ROW_SCANS:  # many queries: group once
            indptr, order = self.credit_rows
            counts = indptr[touched + 1] - indptr[touched]
            rows = order[np.repeat(indptr[touched] - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))]
        else:
            # One pass over the credits' film column, marking the touched films: grouping every credit by
            # film (credit_rows) held 2.3 GB and took a second for the whole IMDb's 95M credits.
            marked = np.zeros(m.n_people + m.n_films, dtype=bool)
            marked[touched + m.n_people] = True
            rows = np.flatnonzero(marked[m.credit_film])
        keep = np.zeros(len(m.role_names) + 1, dtype=bool)
        keep[[i for i, name in enumerate(m.role_names) if name in self.view.roles]] = True
        rows = np.sort(rows[keep[m.credit_role[rows]]])
        billing = m.table_rows("credits", rows, ["billing"])["billing"].to_numpy(dtype="float64", na_value=np.nan)
        acting = np.isin(np.asarray(m.role_names, dtype=object)[m.credit_role[rows]], ACTING_ROLES)
        weight = np.where(acting, _billing_weights(billing), 1.0)
        key = (m.credit_film[rows].astype(np.int64) - m.n_people) * m.n_people + m.credit_person[rows]
        order = np.lexsort((-weight, key))
        key, weight = key[order], weight[order]
        first = np.ones(len(key), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        return _lookup(films.astype(np.int64) * m.n_people + people, key[first], weight[first])[0]

    def film_credit_rows(self, j: int) -> np.ndarray:
        """Credit row numbers of film ``j`` (offset), in row order, for reasons.

        The first films are found by a scan of the credits each (a few ms);
        past :data:`CREDIT_ROW_SCANS` films, :attr:`credit_rows` groups them
        all at once.  One query's reasons need ten or so films, and grouping
        four million credits took 0.12 s of a 0.7 s ``reelgraph similar``.
        """
        if "credit_rows" not in self.__dict__:
            rows = self._scanned_rows.get(j)
            if rows is None and len(self._scanned_rows) < CREDIT_ROW_SCANS:
                rows = self._scanned_rows[j] = np.flatnonzero(self.m.credit_film == j + self.m.n_people)
            if rows is not None:
                return rows
        indptr, order = self.credit_rows
        return order[indptr[j] : indptr[j + 1]]

    @cached_property
    def credit_rows(self):
        """Credit row numbers grouped by film offset (CSR), for reasons."""
        m = self.m
        film = m.credit_film.astype(np.int64) - m.n_people
        order = np.argsort(film, kind="stable")
        indptr = np.zeros(m.n_films + 1, dtype=np.int64)
        np.cumsum(np.bincount(film, minlength=m.n_films), out=indptr[1:])
        return indptr, order

    def film_people(self, j: int) -> np.ndarray:
        return self.view.row(j + self.m.n_people).astype(np.int64)

    def person_films(self, person: int) -> np.ndarray:
        return self.view.row(person).astype(np.int64) - self.m.n_people


_contexts: "weakref.WeakKeyDictionary[Mirror, dict]" = weakref.WeakKeyDictionary()


def _context(mirror: Mirror, max_person_films: int, max_keyword_films: int) -> _Context:
    per = _contexts.setdefault(mirror, {})
    key = (max_person_films, max_keyword_films)
    if key not in per:
        per[key] = _Context(mirror, max_person_films, max_keyword_films)
    return per[key]


# -- pair generation and scoring ------------------------------------------------------


def _pairs_from_groups(indptr: np.ndarray, members: np.ndarray, groups: np.ndarray, weight: np.ndarray, F: int):
    """All (a < b) pairs of films sharing a group (a person, a keyword), with summed weights.

    ``members[indptr[g]:indptr[g + 1]]`` are the sorted films of group ``g``.
    Groups of the same size are expanded together (one ``triu`` index per size).
    Returns sorted unique keys ``a * F + b``, the weight sums and the counts.
    """
    sizes = indptr[groups + 1] - indptr[groups]
    keys, weights = [], []
    for d in np.unique(sizes):
        if d < 2:
            continue
        g = groups[sizes == d]
        films = members[indptr[g][:, None] + np.arange(d)]
        iu, ju = np.triu_indices(int(d), 1)
        keys.append((films[:, iu] * F + films[:, ju]).ravel())
        weights.append(np.repeat(weight[g], len(iu)))
    if not keys:
        empty = np.empty(0, dtype=np.int64)
        return empty, np.empty(0), empty
    keys = np.concatenate(keys)
    weights = np.concatenate(weights)
    order = np.argsort(keys)
    keys, weights = keys[order], weights[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    starts = np.flatnonzero(first)
    return keys[starts], np.add.reduceat(weights, starts), np.diff(np.append(starts, len(keys)))


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a sort and a compare: much faster than np.unique's hashing here)."""
    # Stable (timsort) for its runs: the callers' values come in sorted runs (per film, per
    # source of pairs), which it merges in a pass; a genres column took 4 ms instead of 55.
    values = np.sort(values, kind="stable")
    if len(values):
        keep = np.ones(len(values), dtype=bool)
        keep[1:] = values[1:] != values[:-1]
        values = values[keep]
    return values


def _lookup(keys: np.ndarray, table_keys: np.ndarray, *columns):
    """Values of ``columns`` (aligned with sorted ``table_keys``) at ``keys``; 0 where absent."""
    pos = np.searchsorted(table_keys, keys)
    pos_ok = np.minimum(pos, max(len(table_keys) - 1, 0))
    hit = (pos < len(table_keys)) & (table_keys[pos_ok] == keys) if len(table_keys) else np.zeros(len(keys), dtype=bool)
    out = []
    for col in columns:
        vals = np.zeros(len(keys), dtype=col.dtype)
        vals[hit] = col[pos_ok[hit]]
        out.append(vals)
    return out


def _jaccard(a: np.ndarray, b: np.ndarray, sets, chunk: int = 1 << 20) -> np.ndarray:
    """Jaccard index of the code sets of films ``a[i]`` and ``b[i]`` (0 when either is empty)."""
    indptr, codes, vocab = sets
    out = np.zeros(len(a), dtype=np.float64)
    if not len(codes):
        return out
    size = np.diff(indptr)
    if len(vocab) <= 64:
        # Small vocabularies (genres: IMDb has 28) fit a 64-bit mask per film.
        bits = np.left_shift(np.uint64(1), codes.astype(np.uint64))
        masks = np.zeros(len(size), dtype=np.uint64)
        nonempty = np.flatnonzero(size)
        masks[nonempty] = np.bitwise_or.reduceat(bits, indptr[nonempty])
        for start in range(0, len(a), chunk):
            ma, mb = masks[a[start : start + chunk]], masks[b[start : start + chunk]]
            union = np.bitwise_count(ma | mb).astype(np.float64)
            inter = np.bitwise_count(ma & mb)
            out[start : start + chunk] = np.divide(inter, union, out=np.zeros(len(ma)), where=union > 0)
        return out
    V = max(len(vocab), 1)
    film_keys = np.repeat(np.arange(len(size)), size) * V + codes  # sorted
    both = np.flatnonzero((size[a] > 0) & (size[b] > 0))
    for start in range(0, len(both), chunk):
        rows = both[start : start + chunk]
        aa, bb = a[rows], b[rows]
        n = size[aa]
        # Every code of a, looked up in b's set.
        offsets = np.repeat(indptr[aa] - (np.cumsum(n) - n), n) + np.arange(int(n.sum()))
        probe = np.repeat(bb, n) * V + codes[offsets]
        pos = np.minimum(np.searchsorted(film_keys, probe), len(film_keys) - 1)
        inter = np.bincount(np.repeat(np.arange(len(rows)), n), weights=film_keys[pos] == probe, minlength=len(rows))
        out[rows] = inter / (size[aa] + size[bb] - inter)
    return out


def _components(ctx: _Context, a: np.ndarray, b: np.ndarray, aa: np.ndarray, weights: dict, sets=None, *,
                hide_list: bool = False):
    """Component arrays and score for pairs (a, b) given their Adamic–Adar sums.

    ``sets``: ``(genres, keywords)`` as :meth:`_Context.sets_of` gives them
    for films including every a and b; default the whole columns'.
    ``hide_list``: a's own "More like this" list does not count.
    """
    F = ctx.m.n_films
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keys = lo * F + hi
    mkeys, rank_lo_hi, rank_hi_lo = ctx.mlt
    r_fwd, r_back = _lookup(keys, mkeys, rank_lo_hi, rank_hi_lo)
    # Ranks from a's point of view: "a lists b at r_ab".
    a_is_lo = a <= b
    r_ab = np.zeros(len(a), dtype=np.int64) if hide_list else np.where(a_is_lo, r_fwd, r_back)
    r_ba = np.where(a_is_lo, r_back, r_fwd)
    x, y = _mlt_weights(r_ab), _mlt_weights(r_ba)
    mlt = 1.0 - (1.0 - x) * (1.0 - y)
    people = 1.0 - np.exp(-aa)
    genre_sets, keyword_sets = sets or (ctx.genres, ctx.keywords)
    genres = _jaccard(a, b, genre_sets)
    keywords = _jaccard(a, b, keyword_sets)
    parts = {"mlt": mlt, "people": people, "genres": genres, "keywords": keywords, **_years_votes(ctx.m, a, b, weights)}
    return {"rank_ab": r_ab, "rank_ba": r_ba, **parts, "score": _score(parts, weights)}


def _score(parts: dict, weights: dict) -> np.ndarray:
    """The weighted sum of the parts ``weights`` names."""
    return sum(weights[k] * parts[k] for k in COMPONENTS if k in weights)


def _popularity(votes: np.ndarray) -> np.ndarray:
    """``min(1, log10(votes + 1) / VOTES_SCALE)``; 0 for unknown votes."""
    known = votes != MISSING_INT
    return np.where(known, np.minimum(1.0, np.log10(np.where(known, votes, 0) + 1.0) / VOTES_SCALE), 0.0)


def _years_votes(m: Mirror, a: np.ndarray, b: np.ndarray, weights: dict) -> dict:
    """The ``years`` and ``votes`` parts of pairs (a, b), when ``weights`` weighs them."""
    out = {}
    if "years" in weights:
        ya, yb = m.film_year[a].astype(np.float64), m.film_year[b].astype(np.float64)
        known = (m.film_year[a] != MISSING_INT) & (m.film_year[b] != MISSING_INT)
        out["years"] = np.where(known, np.exp(-np.abs(ya - yb) / YEAR_SCALE), 0.0)
    if "votes" in weights:
        out["votes"] = (_popularity(m.film_votes[a]) + _popularity(m.film_votes[b])) / 2
    return out


def _weights(weights, base: dict = DEFAULT_WEIGHTS) -> dict:
    """``base`` with ``weights`` over it; a part :data:`COMPONENTS` lacks is a ValueError naming it."""
    w = dict(base)
    if weights:
        unknown = set(weights) - set(COMPONENTS)
        if unknown:
            raise ValueError(f"unknown weight(s): {', '.join(sorted(unknown))}; the parts are {', '.join(COMPONENTS)}")
        w.update(weights)
    return w


# -- the graph -------------------------------------------------------------------------


@dataclass
class SimilarityGraph:
    """Scored, explained film-to-film edges; build it with :func:`similarity_graph`.

    Edges are stored as arrays over film offsets (film node index minus
    ``mirror.n_people``), ``a < b``; :attr:`edges` is the same as a table
    with ids.

    Attributes
    ----------
    mirror : Mirror
    a, b : numpy.ndarray of int64
    score, mlt, people, genres, keywords : numpy.ndarray of float64
    rank_ab, rank_ba : numpy.ndarray of int64
        "More like this" rank of b on a's page and of a on b's (0 none, -1 unknown).
    shared : numpy.ndarray of int64
        People counted in ``people``.
    weights : dict
    min_shared : int
        People shared that a pair needed for its people to count (see :func:`similarity_graph`).
    """

    mirror: Mirror
    a: np.ndarray
    b: np.ndarray
    score: np.ndarray
    mlt: np.ndarray
    people: np.ndarray
    genres: np.ndarray
    keywords: np.ndarray
    rank_ab: np.ndarray
    rank_ba: np.ndarray
    shared: np.ndarray
    weights: dict
    _ctx: _Context = field(repr=False, default=None)
    min_shared: int = 1

    def __len__(self) -> int:
        return len(self.a)

    @property
    def film_ids(self) -> np.ndarray:
        return self.mirror.ids[self.mirror.n_people :]

    @cached_property
    def _adjacency(self):
        F = self.mirror.n_films
        src = np.concatenate([self.a, self.b])
        dst = np.concatenate([self.b, self.a])
        edge = np.concatenate([np.arange(len(self.a)), np.arange(len(self.a))])
        order = np.lexsort((-self.score[edge], src))
        indptr = np.zeros(F + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=F), out=indptr[1:])
        return indptr, dst[order], edge[order]

    def neighbours(self, film: str, top: int | None = None) -> list[tuple[str, float]]:
        """``(film id, score)`` of a film's edges, best first."""
        j = resolve_node(self.mirror, film, "film") - self.mirror.n_people
        indptr, dst, edge = self._adjacency
        sl = slice(indptr[j], indptr[j + 1] if top is None else min(indptr[j + 1], indptr[j] + top))
        return [(str(self.film_ids[d]), float(self.score[e])) for d, e in zip(dst[sl], edge[sl])]

    def explain(self, film_a: str, film_b: str) -> list[str]:
        """Why the two films are similar, from ``film_a``'s point of view."""
        m = self.mirror
        a = resolve_node(m, film_a, "film") - m.n_people
        b = resolve_node(m, film_b, "film") - m.n_people
        return _reasons(self._ctx, a, b)

    @property
    def edges(self) -> pd.DataFrame:
        """One row per edge: ``film_id``, ``other_id``, the components and ``score``."""
        ids = self.film_ids
        return pd.DataFrame(
            {
                "film_id": ids[self.a],
                "other_id": ids[self.b],
                "score": self.score,
                "mlt": self.mlt,
                "people": self.people,
                "genres": self.genres,
                "keywords": self.keywords,
                "shared_people": self.shared,
                "rank_ab": self.rank_ab,
                "rank_ba": self.rank_ba,
            }
        )

    def to_networkx(self):
        """A :class:`networkx.Graph` of the edges (``weight`` = score, ``reasons``); for small graphs."""
        import networkx as nx

        G = nx.Graph()
        m = self.mirror
        for j in np.unique(np.concatenate([self.a, self.b])).tolist():
            G.add_node(str(self.film_ids[j]), label=m.label(j + m.n_people), year=m.year(j + m.n_people))
        for i, (a, b) in enumerate(zip(self.a.tolist(), self.b.tolist())):
            G.add_edge(
                str(self.film_ids[a]),
                str(self.film_ids[b]),
                weight=float(self.score[i]),
                mlt=float(self.mlt[i]),
                people=float(self.people[i]),
                genres=float(self.genres[i]),
                keywords=float(self.keywords[i]),
                reasons=_reasons(self._ctx, a, b),
            )
        return G


def similarity_graph(
    mirror,
    *,
    weights: dict | None = None,
    top_k: int = 10,
    min_score: float = 0.0,
    max_person_films: int = 100,
    max_keyword_films: int = 200,
    min_shared: int = 1,
) -> SimilarityGraph:
    """Build the film similarity graph; see the module docstring for the formula.

    Parameters
    ----------
    mirror : Mirror or FilmGraph
    weights : dict, optional
        Override some of :data:`DEFAULT_WEIGHTS` (keys ``mlt``, ``people``,
        ``genres``, ``keywords``).
    top_k : int or None
        Each film keeps its ``top_k`` best edges (an edge stays when it is in
        the top of either end), so :func:`similar_films` on the graph is exact
        for ``top <= top_k``; ``None`` keeps every edge.
    min_score : float
        Drop edges scoring below this.
    max_person_films : int
        People credited on more films do not link films.
    max_keyword_films : int
        Keywords on more films do not make edges (they still count in the
        keyword Jaccard of pairs linked otherwise).
    min_shared : int
        Two films' shared people count (and link them) only when they share
        at least this many; 1: any shared person.  Co-star graphs show
        clusters only when links need repeated collaborations (Gallos et al.
        2013); this is the same rule seen from the films.

    Returns
    -------
    SimilarityGraph

    Examples
    --------
    >>> from reelgraph.model import FilmGraph
    >>> g = FilmGraph.from_records(
    ...     films=[{"id": "tt0000001", "title": "A", "genres": ["Drama"]}, {"id": "tt0000002", "title": "B", "genres": ["Drama"]}],
    ...     similar=[{"film_id": "tt0000001", "similar_id": "tt0000002", "rank": 1, "source": "imdb-more-like-this"}])
    >>> sim = similarity_graph(g)
    >>> round(float(sim.score[0]), 2), sim.explain("A", "B")
    (0.55, ['More like this #1', '1 shared genre: Drama'])
    """
    if min_shared < 1:
        raise ValueError(f"min_shared must be at least 1, not {min_shared}")
    m = build_mirror(mirror)
    w = _weights(weights)
    ctx = _context(m, max_person_films, max_keyword_films)
    F = m.n_films
    # Pairs through people: group = person, members = their films (sorted offsets).
    indptr, indices = ctx.view.materialize()  # (the people's rows, as one block)
    p = m.n_people
    people = np.flatnonzero(ctx.person_weight > 0)
    person_members = indices[: indptr[p]].astype(np.int64) - p
    pk, paa, pn = _pairs_from_groups(indptr[: p + 1], person_members, people, ctx.person_weight, F)
    if min_shared > 1:
        enough = pn >= min_shared
        pk, paa, pn = pk[enough], paa[enough], pn[enough]
    # Pairs through rare keywords: group = keyword.
    kindptr, kcodes, kvocab = ctx.keywords
    if len(kcodes):
        film_of = np.repeat(np.arange(F), np.diff(kindptr))
        order = np.lexsort((film_of, kcodes))
        kw_members = film_of[order]
        kw_indptr = np.zeros(len(kvocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(kcodes, minlength=len(kvocab)), out=kw_indptr[1:])
        df = np.diff(kw_indptr)
        rare = np.flatnonzero((df >= 2) & (df <= max_keyword_films))
        kk, _, _ = _pairs_from_groups(kw_indptr, kw_members, rare, np.ones(len(kvocab)), F)
    else:
        kk = np.empty(0, dtype=np.int64)
    mkeys = ctx.mlt[0]
    keys = _sorted_unique(np.concatenate([pk, mkeys, kk]))
    del kk
    aa, shared = _lookup(keys, pk, paa, pn)
    del pk, paa, pn
    # Score in chunks (the components of twenty million candidate pairs
    # would be gigabytes), keep the best, then recompute the kept ones' parts.
    score = np.empty(len(keys), dtype=np.float64)
    chunk = 1 << 22
    for start in range(0, len(keys), chunk):
        k = keys[start : start + chunk]
        score[start : start + chunk] = _components(ctx, k // F, k % F, aa[start : start + chunk], w)["score"]
    keep = score >= min_score
    if top_k is not None and len(keys):
        keep &= _in_top_k(keys // F, keys % F, score, int(top_k), F)
    sel = np.flatnonzero(keep)
    keys, aa, shared = keys[sel], aa[sel], shared[sel]
    a, b = keys // F, keys % F
    comp = _components(ctx, a, b, aa, w)
    return SimilarityGraph(
        m, a, b, comp["score"], comp["mlt"], comp["people"], comp["genres"], comp["keywords"],
        comp["rank_ab"], comp["rank_ba"], shared.astype(np.int64), w, ctx, int(min_shared),
    )


def _in_top_k(a: np.ndarray, b: np.ndarray, score: np.ndarray, k: int, F: int) -> np.ndarray:
    """Edges among the ``k`` best of either end.

    One sort of a composite integer key (end, then score descending,
    quantised to 2**-32 of the best score); the stable sort settles ties by
    edge order (then the ``a`` side before the ``b`` side).
    """
    n = len(a)
    top = float(score.max()) if n else 0.0
    q = (score * (0xFFFFFFFF / top)).astype(np.int64) if top > 0 else np.zeros(n, dtype=np.int64)
    desc = 0xFFFFFFFF - q
    composite = np.concatenate([a.astype(np.int64) << 32 | desc, b.astype(np.int64) << 32 | desc])
    order = np.argsort(composite, kind="stable")
    ends_sorted = composite[order] >> 32
    del composite
    # Rank within each end's run of the sorted array.
    new_run = np.ones(2 * n, dtype=bool)
    new_run[1:] = ends_sorted[1:] != ends_sorted[:-1]
    run_starts = np.flatnonzero(new_run)
    rank = np.arange(2 * n) - np.repeat(run_starts, np.diff(np.append(run_starts, 2 * n)))
    keep = np.zeros(n, dtype=bool)
    keep[order[rank < k] % n] = True
    return keep


# -- reasons ------------------------------------------------------------------------------


def _names(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_NAMES])
    return shown + (f" +{len(items) - MAX_NAMES} more" if len(items) > MAX_NAMES else "")


def _plural(n: int, word: str) -> str:
    return f"{n} shared {word}" + ("" if n == 1 or word in ("cast", "crew") else "s")


def _reasons(ctx: _Context, a: int, b: int, sets=None, *, years: bool = False, votes: bool = False) -> list[str]:
    """Reason strings for films a and b (offsets), from a's point of view (``sets`` as for :func:`_components`).

    ``years``, ``votes``: also say how many years apart they are (within
    :data:`YEAR_SCALE`) and how many votes b has (a thousand or more), when
    the score weighs those.
    """
    m = ctx.m
    F = m.n_films
    out = []
    keys, r_lo_hi, r_hi_lo = ctx.mlt
    lo, hi = min(a, b), max(a, b)
    r_fwd, r_back = (int(x[0]) for x in _lookup(np.array([lo * F + hi]), keys, r_lo_hi, r_hi_lo))
    r_ab, r_ba = (r_fwd, r_back) if a <= b else (r_back, r_fwd)

    def rank_text(r):
        return f"#{r}" if r > 0 else "(unranked)"

    if r_ab and r_ba:
        out.append(f"More like this {rank_text(r_ab)} (and {rank_text(r_ba)} on its page)")
    elif r_ab:
        out.append(f"More like this {rank_text(r_ab)}" if r_ab > 0 else "More like this")
    elif r_ba:
        out.append(f"More like this {rank_text(r_ba)} on its page")
    # Shared people, counted ones only, strongest (fewest films) first.
    shared = np.intersect1d(ctx.film_people(a), ctx.film_people(b), assume_unique=True)
    weight = ctx.weights_of(shared)
    shared, weight = shared[weight > 0], weight[weight > 0]
    if len(shared):
        roles_a, roles_b, billing_a = _roles(ctx, a), _roles(ctx, b), _billing(ctx, a)
        cast, crew = [], []
        weight_of = dict(zip(shared.tolist(), weight.tolist()))
        order = sorted(shared.tolist(), key=lambda p: (-weight_of[p], billing_a.get(p, 1 << 30), m.label(p)))
        for person in order:
            ra, rb = roles_a.get(person, set()), roles_b.get(person, set())
            if ra & set(ACTING_ROLES) and rb & set(ACTING_ROLES):
                cast.append(m.label(person))
            else:
                roles = sorted((ra | rb) - set(ACTING_ROLES)) or sorted(ra | rb)
                crew.append(f"{m.label(person)} ({'/'.join(roles)})")
        if cast:
            out.append(f"{_plural(len(cast), 'cast')}: {_names(cast)}")
        if crew:
            out.append(f"{_plural(len(crew), 'crew')}: {_names(crew)}")
    for name, of_films in zip(("genre", "keyword"), sets or (ctx.genres, ctx.keywords)):
        indptr, codes, vocab = of_films
        ca, cb = codes[indptr[a] : indptr[a + 1]], codes[indptr[b] : indptr[b + 1]]
        common = set(ca.tolist()) & set(cb.tolist())
        if common:
            # In film a's own order of the list.
            cell = m.table_rows("films", [a], [name + "s"])[name + "s"].iat[0]
            labels = [x for x in cell if x in {vocab[c] for c in common}]
            labels = list(dict.fromkeys(labels))
            out.append(f"{_plural(len(labels), name)}: {_names(labels)}")
    # Years and votes are reasons only where they add much: within YEAR_SCALE years, half the popularity scale.
    ya, yb = int(m.film_year[a]), int(m.film_year[b])
    if years and MISSING_INT not in (ya, yb) and abs(ya - yb) <= YEAR_SCALE:
        apart = abs(ya - yb)
        out.append(f"same year ({yb})" if apart == 0 else f"{apart} year{'s' if apart > 1 else ''} apart ({yb})")
    if votes and _popularity(m.film_votes[b : b + 1])[0] >= 0.5:
        out.append(f"{int(m.film_votes[b]):,} votes")
    return out


def _roles(ctx: _Context, j: int) -> dict:
    r = ctx.film_credit_rows(j)
    m = ctx.m
    out: dict[int, set] = {}
    for person, role in zip(m.credit_person[r].tolist(), m.credit_role[r].tolist()):
        out.setdefault(person, set()).add(m.role_names[role])
    return out


def _billing(ctx: _Context, j: int) -> dict:
    r = ctx.film_credit_rows(j)
    billing = ctx.m.table_rows("credits", r, ["billing"])["billing"].to_numpy(dtype="float64", na_value=np.inf)
    out: dict[int, float] = {}
    for person, bill in zip(ctx.m.credit_person[r].tolist(), list(billing)):
        out[person] = min(out.get(person, math.inf), bill)
    return out


# -- top-k for one film ---------------------------------------------------------------------


def similar_films(sim_graph_or_mirror, film: str, top: int = 10, **options) -> list[dict]:
    """The ``top`` films most similar to ``film``, with scores and reasons.

    Parameters
    ----------
    sim_graph_or_mirror : SimilarityGraph, Mirror or FilmGraph
        A built graph answers from its (top-k pruned) edges; a mirror or the
        tables are scored for this one film only, every candidate kept.
    film : str
        Film id or exact title (``"Title (year)"`` to pick one of several).
    top : int
    **options
        For a mirror: ``weights``, ``max_person_films``, ``max_keyword_films``
        as for :func:`similarity_graph`, and ``billing`` (weigh shared
        people by billing).  A film with a "More like this" list of its own
        is scored as the graph scores it (:data:`DEFAULT_WEIGHTS`, no
        billing); one without, with :data:`UNLISTED_WEIGHTS` and billing
        (``weights`` override some of either).

    Returns
    -------
    list of dict
        Best first: ``id``, ``title``, ``year``, ``score``, the components
        ``mlt``, ``people``, ``genres``, ``keywords`` (and ``years``,
        ``votes`` when weighed), and ``reasons`` (list of str).  Ties are
        broken by id.

    Examples
    --------
    >>> from reelgraph.model import FilmGraph
    >>> g = FilmGraph.from_records(
    ...     films=[{"id": "tt0000001", "title": "A"}, {"id": "tt0000002", "title": "B"}],
    ...     similar=[{"film_id": "tt0000001", "similar_id": "tt0000002", "rank": 3, "source": "imdb-more-like-this"}])
    >>> [(f["id"], f["score"], f["reasons"]) for f in similar_films(g, "A")]
    [('tt0000002', 0.2, ['More like this #3'])]
    """
    sets = None
    if isinstance(sim_graph_or_mirror, SimilarityGraph):
        sim = sim_graph_or_mirror
        m, ctx, w = sim.mirror, sim._ctx, sim.weights
        j = resolve_node(m, film, "film") - m.n_people
        indptr, dst, edge = sim._adjacency
        e = edge[indptr[j] : indptr[j + 1]]
        others = dst[indptr[j] : indptr[j + 1]]
        comp = {k: getattr(sim, k)[e] for k in ("score", "mlt", "people", "genres", "keywords")}
    else:
        m = build_mirror(sim_graph_or_mirror)
        ctx = _context(m, options.get("max_person_films", 100), options.get("max_keyword_films", 200))
        j = resolve_node(m, film, "film") - m.n_people
        if ctx.has_list(j):
            w = _weights(options.get("weights"))
            others, comp, sets = _film_scores(ctx, j, w, billing=options.get("billing", False))
        else:  # no list of its own: ranked as reelgraph.analysis.evaluation measures
            w = _weights(options.get("weights"), UNLISTED_WEIGHTS)
            others, comp, sets = _film_scores(ctx, j, w, billing=options.get("billing", True))
    order = sorted(range(len(others)), key=lambda i: (-round(float(comp["score"][i]), 12), str(m.ids[others[i] + m.n_people])))[:top]
    out = []
    for i in order:
        o = int(others[i])
        node = o + m.n_people
        out.append(
            {
                "id": str(m.ids[node]),
                "title": m.label(node),
                "year": m.year(node),
                "score": round(float(comp["score"][i]), 6),
                **{k: round(float(comp[k][i]), 6) for k in COMPONENTS if k in w},
                "reasons": _reasons(ctx, j, o, sets, years=w.get("years", 0) > 0, votes=w.get("votes", 0) > 0),
            }
        )
    return out


def _film_scores(ctx: _Context, j: int, weights: dict, *, billing: bool = True, hide_list: bool = False):
    """The candidates of film ``j`` (offset) and their parts and score, as :func:`_components` gives them.

    Candidates are the films :func:`_local_candidates` links to ``j``.
    ``billing``: weigh each shared person by their billing on both films
    (see the module docstring).  ``hide_list``: leave out ``j``'s own "More
    like this" list (other films' lists naming ``j`` still count), as if its
    page had never been saved.
    """
    others, aa = _local_candidates(ctx, j, hide_list=hide_list)
    if billing and len(others):
        aa = _billed_aa(ctx, j, others)
    films = np.union1d(others, [j])
    # Only these films' genres and keywords are read (unless keywords linked them: then all were).
    sets = (ctx.sets_of("genres", films), ctx.keywords if "keywords" in ctx.__dict__ else ctx.sets_of("keywords", films))
    comp = _components(ctx, np.full(len(others), j, dtype=np.int64), others, aa, weights, sets, hide_list=hide_list)
    return others, comp, sets


def _billed_aa(ctx: _Context, j: int, others: np.ndarray) -> np.ndarray:
    """Adamic–Adar sums of film ``j`` with each of ``others``, each shared person times their lead weights on both."""
    m = ctx.m
    people = ctx.film_people(j)
    weight = ctx.weights_of(people)
    people, weight = people[weight > 0], weight[weight > 0]
    counts = np.asarray(ctx.view.degree[people], dtype=np.int64)
    films = ctx.view.neighbours(people, counts).astype(np.int64) - m.n_people
    person = np.repeat(people, counts)
    contribution = np.repeat(weight, counts)
    near = np.isin(films, others)
    films, person, contribution = films[near], person[near], contribution[near]
    # One read of the credits for both ends: j's people on j, then on the others.
    lead = ctx.leads(np.concatenate([np.full(len(people), j), films]), np.concatenate([people, person]))
    lead_on_j = lead[: len(people)][np.searchsorted(people, person)]  # a CSR row is sorted: people are
    contribution = contribution * lead_on_j * lead[len(people) :]
    pos = np.searchsorted(others, films)
    return np.bincount(pos, weights=contribution, minlength=len(others))


def _local_candidates(ctx: _Context, j: int, *, hide_list: bool = False):
    """Films linked to film ``j`` (offset) the way :func:`similarity_graph` links them, and their AA sums.

    ``hide_list``: links from ``j``'s own list do not make candidates.
    """
    m = ctx.m
    F = m.n_films
    aa: dict[int, float] = {}
    people = ctx.film_people(j)
    for person, w in zip(people.tolist(), ctx.weights_of(people).tolist()):
        if w > 0:
            for other in ctx.person_films(person).tolist():
                if other != j:
                    aa[other] = aa.get(other, 0.0) + w
    keys, rank_lo_hi, rank_hi_lo = ctx.mlt
    lo, hi = keys // F, keys % F
    if hide_list:  # only other films' lists naming j
        linked = set(hi[(lo == j) & (rank_hi_lo != 0)].tolist()) | set(lo[(hi == j) & (rank_lo_hi != 0)].tolist())
    else:
        linked = set(hi[lo == j].tolist()) | set(lo[hi == j].tolist())
    if ctx.has_cells("keywords", j):  # films sharing its rare keywords: the whole column's sets, once
        kindptr, kcodes, kvocab = ctx.keywords
        mine = kcodes[kindptr[j] : kindptr[j + 1]]
        df = np.bincount(kcodes, minlength=len(kvocab))
        rare = mine[(df[mine] >= 2) & (df[mine] <= ctx.max_keyword_films)]
        if len(rare):
            film_of = np.repeat(np.arange(F), np.diff(kindptr))
            linked |= set(film_of[np.isin(kcodes, rare)].tolist())
    linked |= set(aa)
    linked.discard(j)
    others = np.array(sorted(linked), dtype=np.int64)
    return others, np.array([aa.get(o, 0.0) for o in others.tolist()], dtype=np.float64)
