"""Co-star paths ("six degrees"), film-to-film chains, Bacon numbers, the best centres, the farthest pair.

Everything here walks the person–film graph of the mirror's CSR adjacency
(:meth:`reelgraph.mirror.Mirror.view`), never the "More like this" links.
Distances count *person-to-person hops*: two people in one film are 1 apart
(co-stars), whatever the film between them.  :func:`film_path` counts
film-to-film hops the same way.

Options every function here takes (``**filters``)
---------------------------------------------------
actors_only : bool, default True (False for :func:`film_path`)
    Link people only through acting credits (``actor``; ``actress`` too).
exclude_roles : iterable of str, default :data:`~reelgraph.mirror.DEFAULT_EXCLUDED_ROLES`
    Credit roles that never link (``self``, ``archive_footage``...).
year_range : (int or None, int or None), optional
    Only films whose year is within the bounds (inclusive); films of unknown
    year are left out when a bound is set.
min_votes : int, optional
    Only films with at least this many votes (unknown counts are left out).
avoid : str or iterable of str
    People and films a path must not go through, by id or exact name: each
    value is resolved once, as whichever kind has it
    (:func:`reelgraph.names.resolve_any`; a name both a person and a film
    have is ambiguous: pass the id).
exclude_people, exclude_films : iterable of str
    The same, when the kind is known: ids or exact names of people (films).

Who is reachable
----------------
A person *reaches* another when a chain of the kept credits links them;
"reachable" always counts the *other* people so reached, never the person
themselves: :attr:`BaconNumbers.reachable` and :attr:`Centre.reachable`
are the same number for the same person and filters.  People without a
credit of the kept roles (a director when only acting links) are in no
count, reachable or unreachable; an avoided person neither.

Which path
----------
A query is a bidirectional breadth-first search over the CSR arrays: each
step expands the whole frontier of the side whose frontier has fewer edges
to follow (the source's side on a tie), reading the frontier in the order
its nodes were reached and each node's neighbours in index order, until
the two searches meet.  Without ``all_paths`` the search stops at the
*first meeting node*: the first neighbour so read that the other side has
reached.  The path goes through it, and from it back to each end through
the node each one was first reached from.  It is always a shortest path,
and the same graph and query always give the same one, whatever the
process, the thread or the order of the calls (not the smallest in any
order of nodes: ``all_paths=True`` lists every shortest path).

How it is fast
--------------
One path is found by loops compiled with numba
(:mod:`reelgraph.analysis._path_kernels`) from a process's second query on:
importing numba and loading the cached kernels takes about half a second,
far longer than the one query of a ``reelgraph path``, which runs in numpy
(the two find the same path).  Listing all shortest paths keeps every layer
and runs the same search with a handful of numpy calls a step.  "Seen"
marks live in arrays reused from query to query, so a query never clears
or allocates anything of the graph's size: the numpy searches' with a
generation stamp, the compiled one's as two bits a node for both sides
(one read of a neighbour tells unseen, ours, theirs or excluded; 280 kB
for a 1.1M-node graph, which stays in the CPU's cache), cleared word by
word by the query that set them.  Stopping at the first meeting node
leaves most of the layer where the searches meet unread: that layer holds
about 70 % of a query's edges on a 500k-movie graph, and the search is
about 2.5x faster than when it read that layer to the end for the smallest
meeting node.  The options of a query without excluded names are resolved
once per mirror.  Film filters are checked only on the films a step
reaches (a gather, not a scan of every film), which keeps a filtered query
close to an unfiltered one.

:func:`best_centres` runs 64 breadth-first searches at once: each node holds
a 64-bit word whose bit *j* says "reached from source *j*", and a level is
one gather-and-OR over the edges.
"""

from __future__ import annotations

import itertools
import math
import threading
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property

import numpy as np
from reelgraph.errors import NoCreditError, ReelgraphError
from reelgraph.mirror import (
    DEFAULT_EXCLUDED_ROLES,
    MISSING_INT,
    CsrView,
    Mirror,
    build_mirror,
)
from reelgraph.names import resolve_any_node, resolve_node

__all__ = [
    "PathResult",
    "BaconNumbers",
    "Centre",
    "CentreRanking",
    "FarthestPeople",
    "NoCreditError",
    "costar_path",
    "film_path",
    "bacon_numbers",
    "best_centres",
    "farthest_people",
    "DEFAULT_MAX_PATHS",
    "EXACT_DIAMETER_PEOPLE",
]

#: How many paths ``all_paths=True`` lists at most (the total is still counted).
DEFAULT_MAX_PATHS = 100

#: :func:`best_centres` is exact when (batches of 64 candidates) x (edges) stays
#: under this; above, it samples (see its docstring).
EXACT_WORK_LIMIT = 500_000_000
#: Sources :func:`best_centres` samples when it cannot afford to be exact.
DEFAULT_SAMPLE = 1024
#: :func:`farthest_people` is exact (a BFS from every person) when the
#: largest component has at most this many people; above, it bounds.
EXACT_DIAMETER_PEOPLE = 4096
#: One-path searches a process runs in numpy before it loads the compiled
#: kernels (about 0.45 s for numba's import and its cache, against a few ms
#: for a query in numpy): ``reelgraph path`` never pays for numba, and a run
#: of queries compiles at its second (a benchmark's warm-up included).
NUMPY_SEARCHES = 1

_numpy_searches = 0
_kernels = None


def _compiled_kernels():
    """The compiled kernels, imported on first use (numba's import is about 0.2 s of a cold command)."""
    global _kernels
    if _kernels is None:
        from reelgraph.analysis import _path_kernels

        _kernels = _path_kernels
    return _kernels


# -- results ------------------------------------------------------------------


@dataclass
class PathResult:
    """Shortest chain(s) between two people (or two films).

    Attributes
    ----------
    source, target : str
        Ids of the two ends.
    distance : int or None
        Person-to-person hops (film-to-film for :func:`film_path`); ``None``
        when no path exists under the filters.
    paths : list of list of dict
        Each path as its steps from ``source`` to ``target``: ``{"id",
        "kind", "label"}`` plus ``"year"`` for films.  One path unless
        ``all_paths`` was asked.
    total_paths : int or None
        With ``all_paths``: how many shortest paths exist (two films shared
        by the same two people make two paths).  ``None`` otherwise.
    truncated : bool
        True when ``paths`` lists fewer than ``total_paths``.
    """

    source: str
    target: str
    distance: int | None
    paths: list = field(default_factory=list)
    total_paths: int | None = None
    truncated: bool = False

    @property
    def found(self) -> bool:
        return self.distance is not None

    @property
    def path(self) -> list:
        """The first (or only) path; empty when none was found."""
        return self.paths[0] if self.paths else []

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class BaconNumbers:
    """How many people are at each distance from a centre.

    Attributes
    ----------
    centre : str
    histogram : list of int
        ``histogram[d]`` people at ``d`` hops (``histogram[0] == 1``: the centre).
    unreachable : int
        People with a credit of the kept roles whom no path reaches.
    average : float or None
        Mean distance over the reachable people (the centre is not one).
    """

    centre: str
    histogram: list
    unreachable: int
    average: float | None
    _mirror: Mirror = field(repr=False, compare=False, default=None)
    _distance: np.ndarray = field(repr=False, compare=False, default=None)

    @property
    def reachable(self) -> int:
        """People other than the centre whom a chain reaches: ``sum(histogram) - 1``.

        The same count as :attr:`Centre.reachable` (see the module docstring);
        ``reachable + unreachable + 1`` is everyone with a credit of the kept roles.
        """
        return int(sum(self.histogram)) - 1

    def people_at(self, distance: int) -> list[str]:
        """Ids of the people exactly ``distance`` hops away, in node order."""
        return [str(self._mirror.ids[i]) for i in np.flatnonzero(self._distance == distance)]

    def unreachable_people(self) -> list[str]:
        """Ids of the people counted in :attr:`unreachable`."""
        return self.people_at(-1)

    def to_dict(self) -> dict:
        return {"centre": self.centre, "histogram": list(self.histogram), "unreachable": self.unreachable, "reachable": self.reachable, "average": self.average}


@dataclass
class Centre:
    """One ranked person of :func:`best_centres`.

    ``stderr`` is ``None`` when ``average`` is exact; otherwise the standard
    error of the sampled mean (a 95 % interval is about ``average ± 2 stderr``).
    """

    id: str
    label: str
    average: float
    #: People other than this one whom a chain reaches (as :attr:`BaconNumbers.reachable`).
    reachable: int
    stderr: float | None = None


@dataclass
class CentreRanking:
    """What :func:`best_centres` returns.

    Attributes
    ----------
    centres : list of Centre
        Best first: most people reachable, then smallest average distance.
    exact : bool
    candidates : int
        People ranked (the best-connected ones, or those given).
    sample : int or None
        Sources sampled when not exact.
    universe : int
        People with a credit of the kept roles (everyone a centre could reach).
    error : float or None
        When sampled: the largest 95 % half-width (1.96 standard errors) of
        the averages listed.
    """

    centres: list
    exact: bool
    candidates: int
    sample: int | None
    universe: int
    error: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class FarthestPeople:
    """What :func:`farthest_people` returns: two people as far apart as the co-star graph goes.

    Attributes
    ----------
    source, target : str
        Ids of the two people.
    distance : int
        Co-star hops between them: the diameter of the largest component when
        ``exact``, else a lower bound of it (the two really are that far apart).
    upper_bound : int
        No two people of the component are farther apart than this
        (``== distance`` when ``exact``).
    exact : bool
        True when ``distance`` is the diameter (proven by a BFS from every
        person, or by the bounds meeting).
    component : int
        People in the largest component (the one searched).
    searches : int
        Breadth-first searches run.
    path : PathResult
        One shortest chain from ``source`` to ``target``.
    """

    source: str
    target: str
    distance: int
    upper_bound: int
    exact: bool
    component: int
    searches: int
    path: PathResult

    def to_dict(self) -> dict:
        return asdict(self)


# -- filters and scratch space --------------------------------------------------


@dataclass(frozen=True)
class _Query:
    view: CsrView
    year_lo: int | None
    year_hi: int | None
    min_votes: int | None
    excluded: np.ndarray
    #: Films the year and votes filters never keep out: the two ends of a film_path, which the user named.
    ends: tuple = ()

    @property
    def filters_films(self) -> bool:
        return self.year_lo is not None or self.min_votes is not None

    @cached_property
    def kernel_filters(self) -> tuple:
        """The filter arguments of the compiled search, from ``year_lo`` to ``use_votes``."""
        return (self.year_lo or 0, self.year_hi or 0, self.min_votes or 0, self.year_lo is not None, self.min_votes is not None)

    @cached_property
    def plain_csr(self) -> tuple:
        """``(indptr, indices)`` of the view as one CSR, for the whole-graph searches that read its rows a block
        per kind (:meth:`~reelgraph.mirror.CsrView.materialize`: a copy only when the view has a delta)."""
        return self.view.materialize()


def _values(values) -> tuple:
    """One value or an iterable of them, as a tuple (a lone string is one value, not its letters)."""
    if values is None:
        return ()
    return (values,) if isinstance(values, str) else tuple(values)


#: This module's state of a mirror (its filter sets, its search's scratch space) lives in the
#: mirror's own ``__dict__`` under these names: one lookup a query, where a WeakKeyDictionary
#: made a weak reference on every call (half a microsecond of a 20-microsecond query).
_QUERIES_ATTR, _SCRATCH_ATTR = "_path_queries", "_path_scratch"
_DEFAULT_ROLES = frozenset(DEFAULT_EXCLUDED_ROLES)
#: Filter sets kept per mirror by :func:`_prepare` (a run of queries uses one or two).
_QUERY_CACHE_SIZE = 64


def _prepare(mirror: Mirror, *, actors_only=True, exclude_roles=DEFAULT_EXCLUDED_ROLES, year_range=None, min_votes=None, exclude_people=(), exclude_films=(), avoid=()) -> _Query:
    """The filters of a query, resolved once per mirror and options when no person or film is excluded.

    Resolving them (role set, cached view, bounds) took about 5 us, a tenth
    of a typical path query; with people or films to exclude the names are
    resolved every time.
    """
    if exclude_people or exclude_films or avoid:
        return _resolve_query(mirror, actors_only=actors_only, exclude_roles=exclude_roles, year_range=year_range, min_votes=min_votes,
                              exclude_people=exclude_people, exclude_films=exclude_films, avoid=avoid)
    try:
        # exclude_roles as Mirror.role_set reads it: a string is a set of letters there, so it keys as itself.
        if exclude_roles is DEFAULT_EXCLUDED_ROLES:
            roles = _DEFAULT_ROLES
        else:
            roles = exclude_roles if isinstance(exclude_roles, str) else frozenset(exclude_roles or ())
        key = (bool(actors_only), roles, None if year_range is None else tuple(year_range), min_votes)
        cached = mirror.__dict__.get(_QUERIES_ATTR, {}).get(key)
    except TypeError:  # an unhashable option: resolved every time, its errors raised as usual
        key = cached = None
    if cached is None:
        cached = _resolve_query(mirror, actors_only=actors_only, exclude_roles=exclude_roles, year_range=year_range, min_votes=min_votes)
        if key is not None:
            known = mirror.__dict__.setdefault(_QUERIES_ATTR, {})
            if len(known) >= _QUERY_CACHE_SIZE:
                known.clear()
            known[key] = cached
    return cached


def _resolve_query(mirror: Mirror, *, actors_only=True, exclude_roles=DEFAULT_EXCLUDED_ROLES, year_range=None, min_votes=None, exclude_people=(), exclude_films=(), avoid=()) -> _Query:
    view = mirror.view(mirror.role_set(actors_only=actors_only, exclude_roles=exclude_roles))
    year_lo = year_hi = None
    if year_range is not None:
        lo, hi = year_range
        if lo is not None or hi is not None:
            # MISSING_INT (unknown year) is below any lower bound we set here.
            year_lo = int(lo) if lo is not None else MISSING_INT + 1
            year_hi = int(hi) if hi is not None else np.iinfo(np.int32).max
    excluded = [resolve_node(mirror, p, "person") for p in _values(exclude_people)]
    excluded += [resolve_node(mirror, f, "film") for f in _values(exclude_films)]
    excluded += [resolve_any_node(mirror, a) for a in _values(avoid)]
    return _Query(view, year_lo, year_hi, None if min_votes is None else int(min_votes), np.asarray(sorted(set(excluded)), dtype=np.int64))


def _film_ok(mirror: Mirror, q: _Query, films: np.ndarray) -> np.ndarray:
    j = films - mirror.n_people
    ok = None
    if q.year_lo is not None:
        year = mirror.film_year[j]
        ok = (year >= q.year_lo) & (year <= q.year_hi)
    if q.min_votes is not None:
        enough = mirror.film_votes[j] >= q.min_votes
        ok = enough if ok is None else ok & enough
    if q.ends and ok is not None:
        ok |= np.isin(films, q.ends)
    return ok


def _film_mask(mirror: Mirror, q: _Query) -> np.ndarray | None:
    """Allowed films (by film offset) for whole-graph searches; None = all."""
    if not q.filters_films:
        return None
    return _film_ok(mirror, q, np.arange(mirror.n_people, mirror.n_nodes))


class _Scratch:
    """Per-mirror scratch arrays of the search, reused across queries.

    ``stamp[k][v]`` is a tick of a counter that only grows: side k reached
    v in the current query when the stamp is at least the query's first
    tick, so nothing is ever cleared between queries.  In the search of all
    paths each new layer takes a fresh range of ticks, one per node, which
    also dedupes the layer without sorting it and gives each node's depth
    (the range it falls in); the numpy search of one path stores parents
    and needs one tick a query.

    Stamps are 32-bit when a query's ticks (at most one a node reached per
    edge followed) leave room for many queries.  When the counter nears the
    end of its range, :meth:`first_tick` clears the arrays and starts again
    at 1.

    The compiled search of one path needs no depth from its marks (it
    stores each node's parent): it keeps both sides in ``bits``, two bits a
    node (side 0, side 1, excluded: one read a neighbour), and clears the
    words it set before it returns.  The search is bound by random reads of
    these marks, and a quarter of a byte a node (280 kB for a 1.1M-node
    graph) stays in the CPU's cache where four bytes did not.
    """

    def __init__(self, n: int, edges: int):
        per_query = 2 * n + 2 * edges + 8
        dtype = np.int32 if per_query < np.iinfo(np.int32).max // 4 else np.int64
        self.limit = int(np.iinfo(dtype).max) - per_query
        # np.full writes every page now; np.zeros would map them lazily and
        # make the first queries pay thousands of page faults.
        self.stamp = (np.full(n, 0, dtype=dtype), np.full(n, 0, dtype=dtype))
        self.tick = 1
        self.lock = threading.Lock()
        self._arange = np.arange(max(n, 1024), dtype=dtype)
        # For the compiled search: both sides' marks, two bits a node (all zeros
        # between queries); the nodes each side reached, in order, and the
        # position of each one's parent (a side reaches at most n nodes), and the
        # path found: the kernel's ``lists``, one array for the five.
        self.bits = np.full((n + 31) // 32, 0, dtype=np.uint64)
        self.n = n
        self.lists = np.empty(5 * n + 2, dtype=np.int32)

    def found_path(self, length: int) -> np.ndarray:
        """A copy of the path the compiled search left in ``lists`` (its chain, after the four lists of ``n``)."""
        start = 4 * self.n
        return self.lists[start : start + length].astype(np.int64)

    def first_tick(self) -> int:
        """The tick a query starts at (call with the lock held)."""
        if self.tick > self.limit:
            for stamp in self.stamp:
                stamp.fill(0)
            self.tick = 1
        return self.tick

    def arange(self, n: int) -> np.ndarray:
        """``np.arange(n)`` as a view of a cached array (no allocation per step)."""
        if n > len(self._arange):
            self._arange = np.arange(2 * n, dtype=self._arange.dtype)
        return self._arange[:n]


_scratch_lock = threading.Lock()


def _scratch_for(mirror: Mirror) -> _Scratch:
    sc = mirror.__dict__.get(_SCRATCH_ATTR)
    if sc is None:
        with _scratch_lock:
            sc = mirror.__dict__.get(_SCRATCH_ATTR)
            if sc is None:
                # Every view's edges are a subset of the credits (twice: both directions).
                sc = mirror.__dict__[_SCRATCH_ATTR] = _Scratch(mirror.n_nodes, len(mirror.credit_person))
    return sc


def _member(values: np.ndarray, sorted_values: np.ndarray) -> np.ndarray:
    pos = np.searchsorted(sorted_values, values)
    pos[pos == len(sorted_values)] = 0
    return sorted_values[pos] == values


# -- the search -------------------------------------------------------------------


def _search(mirror: Mirror, q: _Query, s: int, t: int, keep_layers: bool = False):
    """Bidirectional BFS from ``s`` and ``t``.

    Returns ``None`` (no path) or ``(meet, depths, rest)``: ``meet`` the
    nodes where the searches met, ``depths`` the two sides' depths there,
    and ``rest``:

    - without ``keep_layers``: one shortest path, through the first meeting
      node (``meet`` holds that node only; see :func:`_one_path`), found by
      the compiled kernel or by numpy (the same path);
    - with ``keep_layers``: the two sides' layers (lists of node arrays) for
      :func:`_shortest_dag`, and ``meet`` every meeting node (every shortest
      path passes through exactly one), found with numpy.
    """
    global _numpy_searches
    if len(q.excluded) and (np.isin([s, t], q.excluded).any()):
        end = s if np.isin(s, q.excluded) else t
        raise ReelgraphError(f"a path cannot exclude its own ends: {mirror.label(end)} ({mirror.ids[end]}) is avoided")
    sc = _scratch_for(mirror)
    with sc.lock:
        if not keep_layers and (_kernels is not None or _numpy_searches >= NUMPY_SEARCHES):
            return _compiled_search(mirror, q, s, t, sc)
        view = q.view
        degree = view.degree
        arange = sc.arange
        stamp = sc.stamp
        first = tick = sc.first_tick()
        if len(q.excluded):
            # Excluded nodes look already reached by both sides, at no depth:
            # never expanded, never a meeting point, never on a path.
            for k in (0, 1):
                stamp[k][q.excluded] = tick
            tick += 1
        if not keep_layers:
            _numpy_searches += 1
            try:
                found, tick = _one_path(mirror, q, s, t, stamp, first, tick, arange)
            finally:
                sc.tick = tick
            return found
        # spans[k][d]: the tick range of side k's layer d.
        spans = ([(tick, tick + 1)], [(tick + 1, tick + 2)])
        stamp[0][s] = tick
        stamp[1][t] = tick + 1
        tick += 2
        layers = ([np.array([s], dtype=np.int64)], [np.array([t], dtype=np.int64)])
        fronts = [np.array([s], dtype=np.int64), np.array([t], dtype=np.int64)]
        lens = [degree[s : s + 1], degree[t : t + 1]]
        work = [int(degree[s]), int(degree[t])]
        person_front = [s < mirror.n_people, t < mirror.n_people]
        film_filter = q.filters_films
        try:
            while work[0] and work[1]:
                # Expand the side with fewer edges to follow: with heavy-tailed
                # degrees this keeps both searches small.
                x = 0 if work[0] <= work[1] else 1
                mine, other = stamp[x], stamp[1 - x]
                nb = view.neighbours(fronts[x], lens[x], arange)
                nb = nb[mine.take(nb) < first]
                if film_filter and person_front[x]:
                    nb = nb[_film_ok(mirror, q, nb)]
                n = len(nb)
                if not n:
                    return None
                # Stamp the new nodes with fresh ticks; with duplicates the last
                # write wins, and an occurrence is kept when it owns its tick.
                ticks = arange(n) + tick
                mine[nb] = ticks
                nb = nb[mine.take(nb) == ticks]
                spans[x].append((tick, tick + n))
                tick += n
                layers[x].append(np.sort(nb).astype(np.int64))
                hit = other.take(nb) >= first
                if hit.any():
                    return np.sort(nb[hit]).astype(np.int64), (len(spans[0]) - 1, len(spans[1]) - 1), layers
                fronts[x] = nb
                lens[x] = degree.take(nb)
                work[x] = int(lens[x].sum())
                person_front[x] = not person_front[x]
            return None
        finally:
            sc.tick = tick


def _one_path(mirror: Mirror, q: _Query, s: int, t: int, stamp: tuple, first: int, tick: int, arange):
    """:func:`_search` for one path in numpy (the lock held); returns ``(found, next free tick)``.

    The tie-break of one path, the same in numpy and compiled
    (:func:`reelgraph.analysis._path_kernels.bidirectional_search`): each side
    lists the nodes it reaches in the order it reaches them, reading its
    frontier in that order and each node's neighbours in index order, and
    remembers for each the node it was first reached from.  The path goes
    through the first meeting node (the first neighbour, in that reading
    order, that the other side has reached), and from it back to each end
    through those first parents.
    """
    view = q.view
    degree = view.degree
    stamp[0][s] = stamp[1][t] = tick
    # layers[k][d]: side k's layer d in the order reached; parents[k][d][i]: the position in
    # layer d - 1 of the node layers[k][d][i] was first reached from.
    layers = ([np.array([s], dtype=np.int64)], [np.array([t], dtype=np.int64)])
    parents = ([np.array([-1], dtype=np.int64)], [np.array([-1], dtype=np.int64)])
    work = [int(degree[s]), int(degree[t])]
    person_front = [s < mirror.n_people, t < mirror.n_people]
    while work[0] and work[1]:
        x = 0 if work[0] <= work[1] else 1  # the side with fewer edges to follow (side 0 on a tie)
        mine, other = stamp[x], stamp[1 - x]
        front = layers[x][-1]
        lens = degree.take(front)
        nb = view.neighbours(front, lens, arange).astype(np.int64)
        owner = np.repeat(arange(len(front)), lens)
        keep = mine.take(nb) < first  # neither this side's nor excluded
        nb, owner = nb[keep], owner[keep]
        if q.filters_films and person_front[x]:
            ok = _film_ok(mirror, q, nb)
            nb, owner = nb[ok], owner[ok]
        if not len(nb):
            break
        hit = other.take(nb) >= first
        if hit.any():
            h = int(hit.argmax())
            meet = int(nb[h])
            # Each side's chain from the meeting node's parent back to its end.
            back = []
            for k in (0, 1):
                d = len(layers[k]) - 1
                if k == x:
                    pos = int(owner[h])
                else:
                    # Usually in the other side's last layer, not always (see the kernel).
                    while not (layers[k][d] == meet).any():
                        d -= 1
                    pos = int(parents[k][d][int(np.flatnonzero(layers[k][d] == meet)[0])])
                    d -= 1
                chain = []
                while d >= 0:
                    chain.append(int(layers[k][d][pos]))
                    pos = int(parents[k][d][pos])
                    d -= 1
                back.append(chain)
            chain = back[0][::-1] + [meet] + back[1]
            depths = (len(back[0]), len(back[1]))
            return (np.array([meet], dtype=np.int64), depths, chain), tick + 1
        # The first occurrence of each new node, in reading order, with its parent.
        firsts = np.sort(np.unique(nb, return_index=True)[1])
        nb, owner = nb[firsts], owner[firsts]
        mine[nb] = tick
        layers[x].append(nb)
        parents[x].append(owner)
        work[x] = int(degree.take(nb).sum())
        person_front[x] = not person_front[x]
    return None, tick + 1


def _compiled_search(mirror: Mirror, q: _Query, s: int, t: int, sc: _Scratch):
    """:func:`_search` for one path, with :func:`reelgraph.analysis._path_kernels.bidirectional_search` (the lock held).

    The same path as :func:`_one_path`.
    """
    view = q.view
    try:
        length, d0 = _compiled_kernels().bidirectional_search(
            *view.kernel_args, sc.bits, sc.lists, q.excluded, s, t, mirror.n_people, mirror.film_year,
            mirror.film_votes, *q.kernel_filters)
    except BaseException:
        sc.bits.fill(0)  # all zeros between queries, whatever happened
        raise
    if not length:
        return None
    chain = sc.found_path(length)  # a copy: the scratch array is the next query's
    return chain[d0 : d0 + 1], (d0, length - 1 - d0), chain


def _shortest_dag(view: CsrView, layers: list, meet: np.ndarray):
    """Predecessor lists and path counts of the shortest-path DAG from ``meet`` back to layer 0.

    Returns ``(pred, nodes, sigma)``: ``pred[v]`` the sorted predecessors of
    v (one layer closer to the start), and ``sigma[i]`` the number of
    shortest paths from the start to ``nodes[i]`` (``nodes`` is ``meet``).
    """
    pred: dict[int, list] = {}
    levels = []
    frontier = meet
    for d in range(len(layers) - 1, 0, -1):
        lens = np.asarray(view.degree[frontier], dtype=np.int64)
        u = view.neighbours(frontier, lens).astype(np.int64)
        v = np.repeat(frontier, lens)
        keep = _member(u, layers[d - 1])
        u, v = u[keep], v[keep]
        levels.append((u, v))
        for a, b in zip(u.tolist(), v.tolist()):
            pred.setdefault(b, []).append(a)
        frontier = np.unique(u)
    # Path counts from the start forward: sigma(v) = sum of sigma(u) over predecessors u.
    nodes, sigma = layers[0][:1], np.ones(1, dtype=np.int64)
    for u, v in reversed(levels):
        nxt = np.unique(v)
        counts = np.zeros(len(nxt), dtype=np.int64)
        np.add.at(counts, np.searchsorted(nxt, v), sigma[np.searchsorted(nodes, u)])
        nodes, sigma = nxt, counts
    for lst in pred.values():
        lst.sort()
    return pred, nodes, sigma


def _back_paths(pred: dict, node: int, start: int):
    """Every path from ``node`` back to ``start`` through ``pred`` (lazily)."""
    if node == start:
        yield [node]
        return
    for u in pred[node]:
        for rest in _back_paths(pred, u, start):
            yield [node] + rest


def _steps(mirror: Mirror, chain) -> list[dict]:
    """The steps of a path given as node indexes (a list or an int64 array)."""
    # The ids and labels by gathers, not a lookup a node: on a graph out of the CPU's cache
    # each one is a wait for memory, and a gather waits for them all at once (about 5 us for a
    # path of seven, against 9-11 us one at a time). The few years are read one by one:
    # selecting the films first would cost more array calls than it saves.
    chain = np.asarray(chain, dtype=np.int64)
    nodes = chain.tolist()
    ids, labels = mirror.ids[chain].tolist(), mirror.labels[chain].tolist()
    film_year, p = mirror.film_year, mirror.n_people
    out = []
    for i, node_id, label in zip(nodes, ids, labels):
        if i < p:
            out.append({"id": node_id, "kind": "person", "label": label})
        else:
            year = int(film_year[i - p])
            out.append({"id": node_id, "kind": "film", "label": label, "year": None if year == MISSING_INT else year})
    return out


def _path_query(mirror: Mirror, s: int, t: int, q: _Query, all_paths: bool, max_paths: int) -> PathResult:
    if s == t:
        steps = _steps(mirror, [s])
        return PathResult(steps[0]["id"], steps[0]["id"], 0, [steps], 1 if all_paths else None, False)
    found = _search(mirror, q, s, t, keep_layers=all_paths)
    if found is None:
        return PathResult(str(mirror.ids[s]), str(mirror.ids[t]), None, [], 0 if all_paths else None, False)
    meet, (a, b), rest = found
    hops = (a + b) // 2  # bipartite hops: two per person-to-person (or film-to-film) hop
    if not all_paths:
        steps = _steps(mirror, rest)  # its ends are the source and the target
        return PathResult(steps[0]["id"], steps[-1]["id"], hops, [steps])
    source, target = str(mirror.ids[s]), str(mirror.ids[t])
    layers = rest
    (pred_s, _, sigma_s), (pred_t, _, sigma_t) = (_shortest_dag(q.view, layers[k], meet) for k in (0, 1))
    total = sum(int(x) * int(y) for x, y in zip(sigma_s.tolist(), sigma_t.tolist()))
    chains = []
    for m in meet.tolist():
        if len(chains) >= max_paths:
            break
        suffixes = list(itertools.islice(_back_paths(pred_t, m, t), max_paths))
        for prefix in _back_paths(pred_s, m, s):
            head = prefix[::-1]
            for suffix in suffixes:
                chains.append(head + suffix[1:])
                if len(chains) >= max_paths:
                    break
            if len(chains) >= max_paths:
                break
    return PathResult(source, target, hops, [_steps(mirror, c) for c in chains], total, total > len(chains))


# -- public API ----------------------------------------------------------------------


def costar_path(
    mirror,
    source: str,
    target: str,
    *,
    all_paths: bool = False,
    max_paths: int = DEFAULT_MAX_PATHS,
    year_range=None,
    min_votes: int | None = None,
    exclude_roles=DEFAULT_EXCLUDED_ROLES,
    exclude_people=(),
    exclude_films=(),
    avoid=(),
    actors_only: bool = True,
) -> PathResult:
    """The shortest co-star chain between two people ("six degrees").

    Parameters
    ----------
    mirror : Mirror or FilmGraph
    source, target : str
        Person ids or exact names (see :mod:`reelgraph.names`).
    all_paths : bool
        List every shortest path (up to ``max_paths``) and count them all.
    max_paths : int
        Most paths listed with ``all_paths``.
    year_range, min_votes, exclude_roles, avoid, exclude_people, exclude_films, actors_only
        Filters; see the module docstring.  ``avoid`` takes people and films
        alike: ``avoid=["Bea Arthur", "tt0000006"]``.

    Returns
    -------
    PathResult
        ``distance`` in co-star hops and the chain person, film, person, ...;
        ``distance is None`` when the two are not connected.  Without
        ``all_paths``, the path through the first node where the two
        searches meet (see "Which path" in the module docstring): a shortest
        path, the same one for the same graph and query.

    Raises
    ------
    NameNotFoundError, AmbiguousNameError
        An end or an avoided value names nobody, or several.  A film given as
        an end says it is a film (``other_kind == "film"``).
    NoCreditError
        An end has no credit that links people (a director, with
        ``actors_only``): no chain could reach them.
    ReelgraphError
        An end is avoided.

    Examples
    --------
    >>> from reelgraph.model import FilmGraph
    >>> g = FilmGraph.from_records(
    ...     films=[{"id": "tt0000001", "title": "A", "year": 2001}, {"id": "tt0000002", "title": "B", "year": 2002}],
    ...     people=[{"id": f"nm000000{i}", "name": n} for i, n in enumerate("XYZ", 1)],
    ...     credits=[{"person_id": p, "film_id": f, "role": "actor"} for p, f in
    ...              [("nm0000001", "tt0000001"), ("nm0000002", "tt0000001"), ("nm0000002", "tt0000002"), ("nm0000003", "tt0000002")]])
    >>> r = costar_path(g, "X", "Z")
    >>> r.distance, [step["label"] for step in r.path]
    (2, ['X', 'A', 'Y', 'B', 'Z'])
    """
    m = build_mirror(mirror)
    s = resolve_node(m, source, "person")
    t = resolve_node(m, target, "person")
    q = _prepare(m, actors_only=actors_only, exclude_roles=exclude_roles, year_range=year_range, min_votes=min_votes, exclude_people=exclude_people, exclude_films=exclude_films, avoid=avoid)
    if s == t:
        return _path_query(m, s, t, q, all_paths, max_paths)
    if all_paths or len(q.excluded):
        _check_linked(m, q, s, actors_only, exclude_roles)
        _check_linked(m, q, t, actors_only, exclude_roles)
        return _path_query(m, s, t, q, all_paths, max_paths)
    # One path, nothing excluded: an end without a linking credit finds no path, so the ends
    # are checked only then (two reads of a cold array saved on every path found).
    result = _path_query(m, s, t, q, False, max_paths)
    if not result.found:
        _check_linked(m, q, s, actors_only, exclude_roles)
        _check_linked(m, q, t, actors_only, exclude_roles)
    return result


def film_path(
    mirror,
    film_a: str,
    film_b: str,
    *,
    all_paths: bool = False,
    max_paths: int = DEFAULT_MAX_PATHS,
    year_range=None,
    min_votes: int | None = None,
    exclude_roles=DEFAULT_EXCLUDED_ROLES,
    exclude_people=(),
    exclude_films=(),
    avoid=(),
    actors_only: bool = False,
) -> PathResult:
    """The shortest chain film, person, film, ... between two films.

    Like :func:`costar_path` with films at the ends; ``distance`` counts
    film-to-film hops (two films sharing someone are 1 apart).  Anyone who
    worked on both links them (``actors_only=False`` by default); the year and
    votes filters apply to the films in between, not to the two ends.

    Examples
    --------
    >>> from reelgraph.model import FilmGraph
    >>> g = FilmGraph.from_records(
    ...     films=[{"id": "tt0000001", "title": "A"}, {"id": "tt0000002", "title": "B"}],
    ...     people=[{"id": "nm0000001", "name": "D"}],
    ...     credits=[{"person_id": "nm0000001", "film_id": f, "role": "director"} for f in ("tt0000001", "tt0000002")])
    >>> [step["label"] for step in film_path(g, "A", "B").path]
    ['A', 'D', 'B']
    """
    m = build_mirror(mirror)
    s = resolve_node(m, film_a, "film")
    t = resolve_node(m, film_b, "film")
    q = _prepare(m, actors_only=actors_only, exclude_roles=exclude_roles, year_range=year_range, min_votes=min_votes, exclude_people=exclude_people, exclude_films=exclude_films, avoid=avoid)
    if q.filters_films:  # the two films named are ends, whatever their year and votes
        q = replace(q, ends=(s, t))
    return _path_query(m, s, t, q, all_paths, max_paths)


def _check_linked(mirror: Mirror, q: _Query, person: int, actors_only: bool, exclude_roles) -> None:
    """Raise :class:`NoCreditError` when ``person`` has no credit of the roles ``q`` links through."""
    if q.view.degree[person] > 0:
        return
    rows = np.flatnonzero(mirror.credit_person == person)  # the error path only: one scan of the credits
    roles = sorted({mirror.role_names[r] for r in np.unique(mirror.credit_role[rows]).tolist()})
    excluded = set(_values(exclude_roles))
    fix = None
    if roles:
        fix = "actors_only" if actors_only and any(r not in excluded for r in roles) else "exclude_roles"
    raise NoCreditError(str(mirror.ids[person]), mirror.label(person), roles, actors_only, fix)


#: Graphs with more nodes than this are searched whole (Bacon numbers) by the compiled
#: kernel: at IMDb's whole size the numpy layers take seconds, numba's import 0.2 s.
COMPILED_BFS_NODES = 2_000_000


def _bfs_distances(mirror: Mirror, q: _Query, centre: int) -> np.ndarray:
    """Bipartite BFS depth of every node from ``centre`` (-1 unreached, -2 excluded)."""
    view = q.view
    big = mirror.n_nodes > COMPILED_BFS_NODES
    dist = np.full(mirror.n_nodes, -1, dtype=np.int32 if big else np.int16)
    if len(q.excluded):
        dist[q.excluded] = -2
    dist[centre] = 0
    if big:
        films = _film_mask(mirror, q)
        _compiled_kernels().bfs_depths(*view.kernel_args, view.n_entries, dist, centre, mirror.n_people,
                                       films if films is not None else np.ones(1, dtype=np.bool_),
                                       films is not None)
        return dist
    front = np.array([centre], dtype=np.int64)
    depth = 0
    person_front = centre < mirror.n_people
    while len(front):
        nb = view.neighbours(front)
        nb = nb[dist[nb] == -1]
        if q.filters_films and person_front:
            nb = nb[_film_ok(mirror, q, nb)]
        depth += 1
        if len(nb) > len(dist) // 16:
            # The same sorted distinct nodes as np.unique, by one pass over the marks:
            # a Bacon search's big layers hold millions of repeats, which hashing took 0.4 s over.
            dist[nb] = depth
            front = np.flatnonzero(dist == depth)
        else:
            front = np.unique(nb)
            dist[front] = depth
        person_front = not person_front
    return dist


def _universe(mirror: Mirror, q: _Query) -> np.ndarray:
    """People a centre could reach: a credit of the kept roles, not excluded."""
    ok = q.view.degree[: mirror.n_people] > 0
    if len(q.excluded):
        ok[q.excluded[q.excluded < mirror.n_people]] = False
    return ok


def bacon_numbers(mirror, centre: str, **filters) -> BaconNumbers:
    """How many people are 0, 1, 2, ... co-star hops from ``centre``.

    Parameters
    ----------
    mirror : Mirror or FilmGraph
    centre : str
        A person id or exact name.
    **filters
        As for :func:`costar_path` (``actors_only``, ``year_range``, ...).

    Returns
    -------
    BaconNumbers
        The histogram, ``reachable`` (the other people a chain reaches), the
        unreachable count (people with a credit of the kept roles that no
        chain reaches), the average distance, and
        :meth:`BaconNumbers.people_at` / :meth:`BaconNumbers.unreachable_people`
        to list them.

    Examples
    --------
    >>> from reelgraph.model import FilmGraph
    >>> g = FilmGraph.from_records(credits=[
    ...     {"person_id": "nm0000001", "film_id": "tt0000001", "role": "actor"},
    ...     {"person_id": "nm0000002", "film_id": "tt0000001", "role": "actor"},
    ...     {"person_id": "nm0000003", "film_id": "tt0000002", "role": "actor"}])
    >>> b = bacon_numbers(g, "nm0000001")
    >>> b.histogram, b.reachable, b.unreachable, b.unreachable_people()
    ([1, 1], 1, 1, ['nm0000003'])
    """
    m = build_mirror(mirror)
    c = resolve_node(m, centre, "person")
    q = _prepare(m, **filters)
    if len(q.excluded) and c in set(q.excluded.tolist()):
        raise ReelgraphError(f"the centre cannot be excluded: {m.label(c)} ({m.ids[c]}) is avoided")
    _check_linked(m, q, c, filters.get("actors_only", True), filters.get("exclude_roles", DEFAULT_EXCLUDED_ROLES))
    # One pass each over the people (17M at IMDb's size): the shift halves a depth and
    # leaves -1 (unreached) and -2 (excluded, then marked below) at -1.
    hops = np.right_shift(_bfs_distances(m, q, c)[: m.n_people], 1, dtype=np.int32)
    universe = _universe(m, q)
    universe[c] = True
    hops[~universe] = -2  # not counted either way
    counts = np.bincount(hops + 2)  # [not counted, unreachable, distance 0, 1, ...]
    histogram = counts[2:].tolist() or [0]
    others = int(counts[3:].sum())
    average = float((np.arange(1, len(counts) - 2) * counts[3:]).sum() / others) if others else None
    return BaconNumbers(str(m.ids[c]), histogram, int(counts[1]) if len(counts) > 1 else 0, average, m, hops)


# -- best centres: 64 searches at a time --------------------------------------------


def _bit_bfs(mirror: Mirror, q: _Query, sources: np.ndarray, film_allowed, person_allowed, targets=None):
    """BFS from up to 64 people at once.

    Returns ``(levels, hits)``: ``levels[d - 1]`` is an array with, per
    source, the people first reached at ``d`` hops; ``hits`` (when
    ``targets`` is given) the hop distance from each source to each target
    (-1 unreached), shape ``(len(sources), len(targets))``.
    """
    n, p = mirror.n_nodes, mirror.n_people
    indptr, indices = q.plain_csr  # (its rows a block per kind, pulled whole)
    k = len(sources)
    visited = np.zeros(n, dtype=np.uint64)
    front = np.zeros(n, dtype=np.uint64)
    bits = np.left_shift(np.uint64(1), np.arange(k, dtype=np.uint64))
    front[sources] = bits
    visited[sources] = bits
    deg = np.diff(indptr)
    halves = {}
    for name, lo, hi, allowed in (("film", p, n, film_allowed), ("person", 0, p, person_allowed)):
        rows = np.flatnonzero(deg[lo:hi] > 0)
        mask = None if allowed is None else np.where(allowed, np.uint64(0xFFFFFFFFFFFFFFFF), np.uint64(0))
        halves[name] = (lo, hi, rows, indptr[lo + rows] - indptr[lo], mask)
    levels = []
    hits = np.full((k, len(targets)), -1, dtype=np.int16) if targets is not None else None
    to_films = True
    depth = 0
    while True:
        lo, hi, rows, seg, mask = halves["film" if to_films else "person"]
        reach = np.zeros(hi - lo, dtype=np.uint64)
        if len(rows):
            # Pull: each row ORs the frontier words of its neighbours.
            words = front[indices[indptr[lo] : indptr[hi]]]
            reach[rows] = np.bitwise_or.reduceat(words, seg)
        new = reach & ~visited[lo:hi]
        if mask is not None:
            new &= mask
        front[:] = 0
        if not new.any():
            break
        visited[lo:hi] |= new
        front[lo:hi] = new
        depth += 1
        if not to_films:
            hop = depth // 2
            reached = new[new != 0]
            per_source = np.unpackbits(reached.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little").sum(axis=0, dtype=np.int64)
            levels.append(per_source[:k])
            if hits is not None:
                tw = new[targets]
                cols = np.flatnonzero(tw)
                if len(cols):
                    b = np.unpackbits(tw[cols].view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")[:, :k].astype(bool)
                    hits[:, cols] = np.where(b.T, hop, hits[:, cols])
        to_films = not to_films
    return levels, hits


def _connectivity(mirror: Mirror, q: _Query, film_allowed) -> np.ndarray:
    """Per person: co-star credits, sum over their films of (cast size - 1)."""
    p = mirror.n_people
    indptr, indices = q.plain_csr  # (the people's rows, as one block)
    deg = np.diff(indptr).astype(np.float64)
    films = indices[: indptr[p]]
    weight = deg[films] - 1
    if film_allowed is not None:
        weight = np.where(film_allowed[films - p], weight, 0)
    owner = np.repeat(np.arange(p), np.diff(indptr[: p + 1]))
    return np.bincount(owner, weights=weight, minlength=p)


def _allowed(mirror: Mirror, q: _Query):
    """``(film_allowed, person_allowed, universe)`` for the whole-graph searches (None: all allowed)."""
    film_allowed = _film_mask(mirror, q)
    excluded_films = q.excluded[q.excluded >= mirror.n_people] - mirror.n_people
    if len(excluded_films):
        film_allowed = np.ones(mirror.n_films, dtype=bool) if film_allowed is None else film_allowed.copy()
        film_allowed[excluded_films] = False
    universe = _universe(mirror, q)
    person_allowed = universe if len(q.excluded) else None
    return film_allowed, person_allowed, universe


def best_centres(mirror, top: int = 10, candidates=1000, sample: int | None = None, seed: int = 0, **filters) -> CentreRanking:
    """People ranked as centres of the graph: who is closest to everyone.

    A person's score is their average distance (co-star hops) to everyone
    they reach (``reachable`` counts those others, as
    :attr:`BaconNumbers.reachable` does).  People who reach more come first (a centre of a small
    island is no centre), then the smaller average, then the id.

    Parameters
    ----------
    mirror : Mirror or FilmGraph
    top : int
        How many centres to return.
    candidates : int or iterable of str
        Whom to rank: that many best-connected people (most co-star credits:
        the sum over their films of the cast size minus one), or the ids or
        names given.
    sample : int or None
        ``None``: exact when affordable (every candidate's own BFS, 64 at a
        time; see :data:`EXACT_WORK_LIMIT`), else as with
        :data:`DEFAULT_SAMPLE`.  ``0``: always exact.  ``k > 0``: estimate
        each candidate's average from ``k`` random people (BFS from them;
        distances are symmetric), reporting each estimate's standard error
        and the largest 95 % half-width as ``error``.
    seed : int
        Seed of the sample.
    **filters
        As for :func:`costar_path`.

    Returns
    -------
    CentreRanking

    Examples
    --------
    >>> from reelgraph.model import FilmGraph
    >>> chain = [("nm0000001", "tt0000001"), ("nm0000002", "tt0000001"), ("nm0000002", "tt0000002"), ("nm0000003", "tt0000002")]
    >>> g = FilmGraph.from_records(credits=[{"person_id": p, "film_id": f, "role": "actor"} for p, f in chain])
    >>> [(c.id, c.average) for c in best_centres(g, top=2).centres]
    [('nm0000002', 1.0), ('nm0000001', 1.5)]
    """
    m = build_mirror(mirror)
    q = _prepare(m, **filters)
    film_allowed, person_allowed, universe = _allowed(m, q)
    if isinstance(candidates, (int, np.integer)):
        score = _connectivity(m, q, film_allowed)
        pool = np.flatnonzero(universe)
        # Most connected first; ties by node order (stable sort).
        order = np.argsort(-score[pool], kind="stable")
        chosen = pool[order[: int(candidates)]]
    else:
        chosen = np.asarray(sorted({resolve_node(m, c, "person") for c in candidates}), dtype=np.int64)
    n_edges = q.view.n_entries
    if sample is None:
        exact = math.ceil(len(chosen) / 64) * n_edges <= EXACT_WORK_LIMIT
        sample = 0 if exact else DEFAULT_SAMPLE
    pool = np.flatnonzero(universe)
    exact = sample == 0 or sample >= len(pool)
    rows = []
    if exact:
        for start in range(0, len(chosen), 64):
            batch = chosen[start : start + 64]
            levels, _ = _bit_bfs(m, q, batch, film_allowed, person_allowed)
            reach = np.zeros(len(batch), dtype=np.int64)
            total = np.zeros(len(batch), dtype=np.int64)
            for hop, counts in enumerate(levels, start=1):
                reach += counts
                total += hop * counts
            for i, node in enumerate(batch.tolist()):
                avg = total[i] / reach[i] if reach[i] else math.inf
                rows.append((node, float(avg), int(reach[i]), None))
        error = None
        used_sample = None
    else:
        rng = np.random.default_rng(seed)
        sources = np.sort(rng.choice(pool, size=int(sample), replace=False))
        hits = np.concatenate([_bit_bfs(m, q, sources[i : i + 64], film_allowed, person_allowed, targets=chosen)[1] for i in range(0, len(sources), 64)])
        is_source = np.isin(chosen, sources)
        for j, node in enumerate(chosen.tolist()):
            d = hits[:, j].astype(np.float64)
            d = d[d > 0]  # the candidate itself (0) and unreachable (-1) are out
            tried = len(sources) - int(is_source[j])
            reach = int(round(len(d) / tried * (len(pool) - 1))) if tried else 0
            if len(d):
                sd = float(d.std(ddof=1)) if len(d) > 1 else 0.0
                fpc = math.sqrt(max(0.0, 1 - len(d) / max(reach, 1)))
                rows.append((node, float(d.mean()), reach, sd / math.sqrt(len(d)) * fpc))
            else:
                rows.append((node, math.inf, 0, None))
        used_sample = int(sample)
    rows.sort(key=lambda r: (-r[2], r[1], str(m.ids[r[0]])))
    centres = [Centre(str(m.ids[n]), m.label(n), avg, reach, se) for n, avg, reach, se in rows[:top]]
    if not exact:
        errors = [1.96 * c.stderr for c in centres if c.stderr is not None]
        error = max(errors) if errors else None
    return CentreRanking(centres, exact, len(chosen), used_sample, int(universe.sum()), error)


# -- the farthest pair: the diameter of the co-star graph ------------------------------------


def _largest_component(mirror: Mirror, q: _Query, film_allowed, person_allowed) -> np.ndarray:
    """Node indexes of the people of the largest component (most people; ties: the one found first in node order)."""
    p = mirror.n_people
    allowed = np.ones(mirror.n_nodes, dtype=bool)
    if person_allowed is not None:
        allowed[:p] = person_allowed
    if film_allowed is not None:
        allowed[p:] = film_allowed
    view = q.view
    labels = _compiled_kernels().component_labels(*view.kernel_args, allowed, np.empty(mirror.n_nodes, dtype=np.int64))
    people = labels[:p]
    if not (people >= 0).any():
        return np.empty(0, dtype=np.int64)
    sizes = np.bincount(people[people >= 0])
    return np.flatnonzero(people == int(np.argmax(sizes))).astype(np.int64)


def _farthest_from(mirror: Mirror, q: _Query, source: int) -> tuple[int, int]:
    """``(eccentricity in hops, the first person in node order that far)`` of ``source``."""
    depth = _bfs_distances(mirror, q, source)[: mirror.n_people]
    far = int(depth.max())
    return far // 2, int(np.flatnonzero(depth == far)[0])


def farthest_people(mirror, *, exact: bool | None = None, sweeps: int = 4, **filters) -> FarthestPeople:
    """The two people farthest apart in the co-star graph, and one shortest chain between them.

    Only the largest connected component counts (the most people; people in
    separate islands are not "far apart", they are not linked at all).

    Exact (``exact=True``, or ``None`` with at most
    :data:`EXACT_DIAMETER_PEOPLE` people in the component): a BFS from every
    person of the component, 64 at a time, gives each one's eccentricity
    (the distance to the person farthest from them); the diameter is the
    largest.  The pair is the first person in node order of that
    eccentricity and the first person in node order that far from them.
    Work: (people / 64) searches of the whole graph.

    Bounded (``exact=False``, or ``None`` on larger components): ``sweeps``
    breadth-first searches, each from the person farthest from the previous
    one, starting at the best-connected person of the component (the
    "double sweep" heuristic, repeated).  ``distance`` is the largest
    eccentricity found (a lower bound of the diameter: the pair really is
    that far apart) and ``upper_bound`` twice the smallest one found (no two
    people can be farther apart than that through one person).  On graphs
    like IMDb's the lower bound is usually the diameter; ``exact`` becomes
    True when the bounds meet.

    Parameters
    ----------
    mirror : Mirror or FilmGraph
    exact : bool or None
        See above.
    sweeps : int
        Searches of the bounded mode (at least 2).
    **filters
        As for :func:`costar_path` (``actors_only``, ``year_range``, ``avoid``...).

    Returns
    -------
    FarthestPeople

    Raises
    ------
    ReelgraphError
        No two people share a film under the filters.

    Examples
    --------
    >>> from reelgraph.model import FilmGraph
    >>> chain = [("nm0000001", "tt0000001"), ("nm0000002", "tt0000001"), ("nm0000002", "tt0000002"),
    ...          ("nm0000003", "tt0000002"), ("nm0000003", "tt0000003"), ("nm0000004", "tt0000003")]
    >>> g = FilmGraph.from_records(credits=[{"person_id": p, "film_id": f, "role": "actor"} for p, f in chain])
    >>> far = farthest_people(g)
    >>> far.source, far.target, far.distance, far.exact
    ('nm0000001', 'nm0000004', 3, True)
    >>> len(far.path.path)  # person, film, person, ... : 3 hops
    7
    """
    m = build_mirror(mirror)
    q = _prepare(m, **filters)
    film_allowed, person_allowed, _ = _allowed(m, q)
    people = _largest_component(m, q, film_allowed, person_allowed)
    if len(people) < 2:
        raise ReelgraphError("no two people share a film under these filters: nobody is apart from anyone")
    if exact is None:
        exact = len(people) <= EXACT_DIAMETER_PEOPLE
    if exact:
        ecc = np.zeros(len(people), dtype=np.int64)
        for start in range(0, len(people), 64):
            batch = people[start : start + 64]
            levels, _ = _bit_bfs(m, q, batch, film_allowed, person_allowed)
            for hop, counts in enumerate(levels, start=1):
                ecc[start : start + len(batch)][counts[: len(batch)] > 0] = hop
        diameter = int(ecc.max())
        source = int(people[int(np.argmax(ecc))])  # argmax: the first in node order
        far, target = _farthest_from(m, q, source)
        assert far == diameter
        lower, upper, searches = diameter, diameter, -(-len(people) // 64) + 1
    else:
        if sweeps < 2:
            raise ValueError("sweeps must be at least 2")
        score = _connectivity(m, q, film_allowed)[people]
        current = int(people[int(np.argmax(score))])
        lower, upper, source, target = -1, np.iinfo(np.int64).max, -1, -1
        searches = 0
        for _ in range(sweeps):
            far, farthest = _farthest_from(m, q, current)
            searches += 1
            upper = min(upper, 2 * far)
            if far > lower:
                lower, source, target = far, current, farthest
            if lower == upper or farthest == current:
                break
            current = farthest
        diameter = lower
    path = _path_query(m, source, target, q, False, 1)
    return FarthestPeople(str(m.ids[source]), str(m.ids[target]), int(diameter), int(upper), lower == upper,
                          len(people), int(searches), path)
