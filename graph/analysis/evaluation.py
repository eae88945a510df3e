"""How right is "similar"?  reelgraph's similarity measured against IMDb's own "More like this" lists.

Every film whose saved page gave a "More like this" list is a test case:
its list is hidden, every other film is ranked by how similar it is to the
film from everything else (the ranking :func:`~reelgraph.analysis.similarity.similar_films`
gives a film with no list of its own: the films that people, other pages'
lists or rare keywords link to it, by score, then the rest, tied), and the
ranking is scored against the hidden list:

``recall_at_k``
    The share of the list found in the first ``k`` films, ``k`` being the
    list's length (usually 12); the mean over the films.
``mrr``
    Mean reciprocal rank: ``1 / rank`` of the first listed film (0 when
    none can be ranked), averaged over the films.

Hiding is real: the film's own list is left out of its scores (other pages'
lists that name the film still count), and a film known only through that
list (a stub no other source names) is no candidate at all: it counts as a
miss for every ranking.  A ranking gets no credit for the order of films it
scores equal: each figure is its expected value with ties in random order.

The same films, the same way, are ranked by simple baselines
(:data:`BASELINES`): ``same_genres`` (Jaccard index of the genre sets),
``most_votes_sharing_person`` (films sharing a person with it, most voted
first, then the rest) and ``random`` (a seeded shuffle).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow.compute as pc
from reelgraph.analysis.similarity import UNLISTED_WEIGHTS, _context, _film_scores, _jaccard, _weights
from reelgraph.errors import ReelgraphError
from reelgraph.mirror import MISSING_INT, build_mirror

__all__ = ["BASELINES", "EvaluationResult", "NoListsError", "evaluate_similarity", "ranking_metrics"]

#: The baselines measured beside reelgraph, in the order they are reported.
BASELINES = ("same_genres", "most_votes_sharing_person", "random")


class NoListsError(ReelgraphError):
    """No film of the graph has a "More like this" list to measure against."""


@dataclass
class EvaluationResult:
    """What :func:`evaluate_similarity` measured.

    Attributes
    ----------
    reelgraph : dict
        ``recall_at_k``, ``mrr`` and ``films`` (how many lists were hidden).
    baselines : dict
        Baseline name -> ``{"recall_at_k", "mrr"}``, in :data:`BASELINES` order.
    films : pandas.DataFrame
        One row per film measured: ``film_id``, ``title``, ``k``,
        ``reachable`` (listed films that are candidates at all), then
        ``recall_at_k`` and ``rr`` of reelgraph and of each baseline
        (``same_genres_recall_at_k``, ...).
    seed : int
        The random baseline's seed.

    Examples
    --------
    >>> EvaluationResult({"recall_at_k": 0.5, "mrr": 1.0, "films": 1}, {}, pd.DataFrame(), seed=0).to_dict()
    {'reelgraph': {'recall_at_k': 0.5, 'mrr': 1.0, 'films': 1}, 'baselines': {}}
    """

    reelgraph: dict
    baselines: dict
    films: pd.DataFrame
    seed: int

    def to_dict(self) -> dict:
        """``{"reelgraph": {...}, "baselines": {NAME: {...}}}``: what ``reelgraph similar --evaluate --json`` prints."""
        return {"reelgraph": dict(self.reelgraph), "baselines": {k: dict(v) for k, v in self.baselines.items()}}


def ranking_metrics(scores: np.ndarray, relevant: np.ndarray, k: int) -> tuple[float, float]:
    """Expected recall@k and reciprocal rank of a ranking by ``scores`` (higher first), ties in random order.

    ``relevant`` marks the listed candidates; listed films that are not
    candidates are simply absent (``k`` still counts them).

    Examples
    --------
    >>> ranking_metrics(np.array([3.0, 2.0, 1.0]), np.array([False, True, False]), k=1)
    (0.0, 0.5)

    Two films tied first, one of them listed: half a hit at k=1 and, on
    average, rank 1.5.

    >>> ranking_metrics(np.array([1.0, 1.0, 0.0]), np.array([True, False, False]), k=1)
    (0.5, 0.75)
    """
    if k <= 0:
        return 0.0, 0.0
    order = np.argsort(-scores, kind="stable")
    s, hit = scores[order], relevant[order]
    n = len(s)
    if not n or not hit.any():
        return 0.0, 0.0
    new = np.ones(n, dtype=bool)
    new[1:] = s[1:] != s[:-1]
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, n))
    hits = np.add.reduceat(hit.astype(np.int64), starts)
    # Recall: a tied group straddling k contributes its hits in proportion to the places inside k.
    inside = np.clip(k - starts, 0, sizes)
    recall = float((hits * inside / sizes).sum()) / k
    # Reciprocal rank: the first group holding a hit; its first hit's place X among g places
    # with h hits has P(X = i) = C(g-1-i, h-1) / C(g, h), by the ratio of successive terms.
    first = int(np.flatnonzero(hits)[0])
    g, h, start = int(sizes[first]), int(hits[first]), int(starts[first])
    i = np.arange(g - h + 1, dtype=np.float64)
    ratio = np.ones(len(i))
    ratio[1:] = (g - i[:-1] - h) / (g - i[:-1] - 1)
    p = (h / g) * np.cumprod(ratio)
    rr = float((p / (start + 1 + i)).sum())
    return round(recall, 12), round(rr, 12)


def _stubs(m) -> np.ndarray:
    """Per film offset: a stub, known only by title from a list (or with no row of its own at all)."""
    stub = pc.fill_null(m.arrow_column("films", "stub"), False).to_numpy(zero_copy_only=False).astype(bool)
    return stub | m.arrow_column("films", "title").is_null().to_numpy(zero_copy_only=False)


def _known_only_from(m, stubs: np.ndarray, j: int) -> np.ndarray:
    """Film offsets known only through film ``j``'s list: stubs that no other film's list names."""
    P = m.n_people
    src = m.similar_src.astype(np.int64) - P
    dst = m.similar_dst.astype(np.int64) - P
    mine = np.unique(dst[src == j])
    named_elsewhere = np.unique(np.concatenate([dst[src != j], src]))
    return mine[stubs[mine] & ~np.isin(mine, named_elsewhere)]


def evaluate_similarity(graph, *, seed: int = 0, weights: dict | None = None, billing: bool = True,
                        max_person_films: int = 100, max_keyword_films: int = 200) -> EvaluationResult:
    """Hide each film's "More like this" list, rank every other film, and score the ranking against the list.

    Parameters
    ----------
    graph : Mirror or FilmGraph
    seed : int
        Seed of the ``random`` baseline.
    weights : dict, optional
        Override some of :data:`~reelgraph.analysis.similarity.UNLISTED_WEIGHTS`.
    billing : bool
        Weigh shared people by billing (see :mod:`~reelgraph.analysis.similarity`).
    max_person_films, max_keyword_films : int
        As for :func:`~reelgraph.analysis.similarity.similarity_graph`.

    Returns
    -------
    EvaluationResult

    Raises
    ------
    NoListsError
        When no film has a "More like this" list.

    Examples
    --------
    Film A lists B and C, both sharing its lead; D shares only a minor
    actor and E nothing:

    >>> from reelgraph.model import FilmGraph
    >>> films = [{"id": f"tt000000{i}", "title": t} for i, t in enumerate("ABCDE", 1)]
    >>> credits = [{"person_id": "nm0000001", "film_id": f, "role": "actor", "billing": 1} for f in ("tt0000001", "tt0000002", "tt0000003")]
    >>> credits += [{"person_id": "nm0000002", "film_id": f, "role": "actor", "billing": 9} for f in ("tt0000001", "tt0000004")]
    >>> similar = [{"film_id": "tt0000001", "similar_id": s, "rank": r, "source": "imdb-more-like-this"}
    ...            for r, s in enumerate(("tt0000002", "tt0000003"), 1)]
    >>> result = evaluate_similarity(FilmGraph.from_records(films=films, credits=credits, similar=similar))
    >>> result.reelgraph
    {'recall_at_k': 1.0, 'mrr': 1.0, 'films': 1}

    No film has genres, so ``same_genres`` ties all four candidates: half
    the list expected in the first two, the first listed film at rank 1
    with odds 1/2, 2 with 1/3, 3 with 1/6.

    >>> result.baselines["same_genres"]
    {'recall_at_k': 0.5, 'mrr': 0.722222}
    """
    m = build_mirror(graph)
    ctx = _context(m, max_person_films, max_keyword_films)
    w = _weights(weights, UNLISTED_WEIGHTS)
    F, P = m.n_films, m.n_people
    src = m.similar_src.astype(np.int64) - P
    dst = m.similar_dst.astype(np.int64) - P
    tested = [int(j) for j in ctx.listing]
    if not tested:
        raise NoListsError('no film has a "More like this" list to measure against: load a saved IMDb main page')
    rng = np.random.default_rng(seed)
    stubs = _stubs(m)
    popularity = np.where(m.film_votes != MISSING_INT, m.film_votes, -1).astype(np.float64)
    rows = []
    for j in tested:
        listed = np.unique(dst[(src == j) & (dst != j)])
        k = len(listed)
        candidate = np.ones(F, dtype=bool)
        candidate[j] = False
        candidate[_known_only_from(m, stubs, j)] = False
        others = np.flatnonzero(candidate)
        relevant = np.isin(others, listed)
        # reelgraph scores its candidates (films linked to j by people, other lists, rare keywords); the rest tie at 0.
        linked, parts, _ = _film_scores(ctx, j, w, billing=billing, hide_list=True)
        score, shares_person = np.zeros(F), np.zeros(F, dtype=bool)
        score[linked], shares_person[linked] = parts["score"], parts["people"] > 0
        sharing = shares_person[others]
        rankings = {
            "reelgraph": score[others],
            "same_genres": _jaccard(np.full(len(others), j), others, ctx.genres),
            # Films sharing a person first (most voted first, unknown votes last), then the rest, all tied.
            "most_votes_sharing_person": np.where(sharing, 1.0 + popularity[others] - popularity.min(), 0.0),
            "random": rng.permutation(len(others)).astype(np.float64),
        }
        row = {"film_id": str(m.ids[j + P]), "title": m.label(j + P), "k": k, "reachable": int(relevant.sum())}
        for name, ranking in rankings.items():
            recall, rr = ranking_metrics(ranking, relevant, k)
            prefix = "" if name == "reelgraph" else f"{name}_"
            row[f"{prefix}recall_at_k"], row[f"{prefix}rr"] = recall, rr
        rows.append(row)
    films = pd.DataFrame(rows)

    def summary(prefix: str) -> dict:
        return {"recall_at_k": round(float(films[f"{prefix}recall_at_k"].mean()), 6),
                "mrr": round(float(films[f"{prefix}rr"].mean()), 6)}

    return EvaluationResult({**summary(""), "films": len(films)}, {name: summary(f"{name}_") for name in BASELINES},
                            films, seed)
