"""Similarity measured against IMDb's "More like this": hand-made graphs with answers worked out by hand, and the sample."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from reelgraph.analysis.evaluation import BASELINES, NoListsError, evaluate_similarity, ranking_metrics
from reelgraph.model import MORE_LIKE_THIS, FilmGraph


def link(film, other, rank):
    return {"film_id": film, "similar_id": other, "rank": rank, "source": MORE_LIKE_THIS}


def graph(films, credits, similar, genres=None):
    genres = genres or {}
    return FilmGraph.from_records(
        films=[{"id": f, "title": t, "genres": genres.get(f, [])} for f, t in films],
        credits=[{"person_id": p, "film_id": f, "role": "actor", "billing": b} for p, f, b in credits],
        similar=similar,
    )


# -- the metrics ---------------------------------------------------------------------------------------------------


def test_ranking_metrics_count_ties_as_their_expected_value():
    hit = np.array([True, False, True, False])
    assert ranking_metrics(np.array([4.0, 3.0, 2.0, 1.0]), hit, k=2) == (0.5, 1.0)
    assert ranking_metrics(np.array([1.0, 4.0, 2.0, 3.0]), hit, k=2) == (0.0, round(1 / 3, 12))
    # All tied: 2 of 4 places inside k=2 hold on average one hit; the first hit at 1, 2, 3 with odds 1/2, 1/3, 1/6.
    assert ranking_metrics(np.zeros(4), hit, k=2) == (0.5, round(1 / 2 + 1 / 6 + 1 / 18, 12))
    # k counts listed films that are no candidate: one of two found.
    assert ranking_metrics(np.array([2.0, 1.0]), np.array([True, False]), k=2) == (0.5, 1.0)
    assert ranking_metrics(np.array([2.0, 1.0]), np.array([False, False]), k=2) == (0.0, 0.0)


# -- hand-made graphs ------------------------------------------------------------------------------------------------


def test_a_list_predictable_from_shared_people_is_found_whole():
    # A's lead also leads B and C; D shares only A's tenth name; E and F nothing.
    films = [(f"tt000000{i}", t) for i, t in enumerate("ABCDEF", 1)]
    credits = [("nm0000001", "tt0000001", 1), ("nm0000001", "tt0000002", 1), ("nm0000001", "tt0000003", 2),
               ("nm0000002", "tt0000001", 10), ("nm0000002", "tt0000004", 10)]
    result = evaluate_similarity(graph(films, credits, [link("tt0000001", "tt0000002", 1), link("tt0000001", "tt0000003", 2)]))
    assert result.to_dict() == {
        "reelgraph": {"recall_at_k": 1.0, "mrr": 1.0, "films": 1},
        "baselines": {
            # no genres: five candidates tied, two listed; the first at 1..4 with odds .4, .3, .2, .1
            "same_genres": {"recall_at_k": 0.4, "mrr": round(0.4 + 0.3 / 2 + 0.2 / 3 + 0.1 / 4, 6)},
            # B, C and D share a person (no votes: tied), then E and F
            "most_votes_sharing_person": {"recall_at_k": round(2 * 2 / 3 / 2, 6), "mrr": round(2 / 3 + 1 / 3 / 2, 6)},
            "random": {"recall_at_k": 0.5, "mrr": 1.0},
        },
    }
    row = result.films.iloc[0]
    assert (row["film_id"], row["title"], row["k"], row["reachable"]) == ("tt0000001", "A", 2, 2)


def test_hiding_is_real():
    # A lists B (shares A's lead) and X (nothing in common: only A's list links them) and S, a stub
    # no other source names; Y lists A, which counts for Y as a candidate of A.
    films = [("tt0000001", "A"), ("tt0000002", "B"), ("tt0000003", "X"), ("tt0000004", "Y"), ("tt0000005", "Z")]
    credits = [("nm0000001", "tt0000001", 1), ("nm0000001", "tt0000002", 1)]
    similar = [link("tt0000001", "tt0000002", 1), link("tt0000001", "tt0000003", 2), link("tt0000001", "title:s", 3),
               link("tt0000004", "tt0000001", 1)]
    result = evaluate_similarity(graph(films, credits, similar))
    a = result.films.set_index("film_id").loc["tt0000001"]
    assert (a["k"], a["reachable"]) == (3, 2)  # S is no candidate: a miss for every ranking
    # Ranked: Y (its list names A: 0.40), B (the shared lead: 0.35 * 0.598), then X and Z tied at 0,
    # X inside k=3 half the time.  (Were A's list not hidden, its own ranks would put B first and X third.)
    assert (a["recall_at_k"], a["rr"]) == (0.5, 0.5)
    y = result.films.set_index("film_id").loc["tt0000004"]
    # Y's list (A) is hidden: nothing links Y to anything, so A ties with B, X, Z and S (known from A's list).
    tied = sum(1 / r for r in range(1, 6)) / 5
    assert (y["k"], y["reachable"], y["recall_at_k"], y["rr"]) == (1, 1, 0.2, round(tied, 12))
    assert result.reelgraph == {"recall_at_k": 0.35, "mrr": round((0.5 + tied) / 2, 6), "films": 2}


def test_the_random_baseline_is_seeded():
    films = [(f"tt00000{i:02d}", f"F{i}") for i in range(1, 21)]
    similar = [link("tt0000001", f"tt00000{i:02d}", i) for i in range(2, 6)]
    g = graph(films, [], similar)
    first, again, other = (evaluate_similarity(g, seed=s).baselines["random"] for s in (0, 0, 1))
    assert first == again and first != other


def test_no_lists_is_one_line():
    with pytest.raises(NoListsError, match=r'^no film has a "More like this" list to measure against: load a saved IMDb main page$'):
        evaluate_similarity(graph([("tt0000001", "A")], [], []))


# -- the sample ------------------------------------------------------------------------------------------------------


SAMPLE_FIGURES = {
    "reelgraph": {"recall_at_k": 0.666667, "mrr": 0.5, "films": 1},
    "baselines": {
        "same_genres": {"recall_at_k": 0.479167, "mrr": 0.5},
        "most_votes_sharing_person": {"recall_at_k": 0.458333, "mrr": 0.665492},
        "random": {"recall_at_k": 0.333333, "mrr": 0.333333},
    },
}


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    from reelgraph.cli import main
    from reelgraph.loaders.sample import SAMPLE_SOURCES

    path = tmp_path_factory.mktemp("store")
    result = CliRunner().invoke(main, ["load", "--quiet", *map(str, SAMPLE_SOURCES), "--store", str(path)], env={"NEO4J_URI": ""})
    assert result.exit_code == 0, result.output
    return path


def run(store, *args):
    from reelgraph.cli import main

    return CliRunner().invoke(main, [*map(str, args), "--store", str(store)], env={"NEO4J_URI": ""})


def test_sample_beats_every_baseline_on_recall():
    import reelgraph as rg

    result = evaluate_similarity(rg.read_sources(rg.SAMPLE_SOURCES))
    assert result.to_dict() == SAMPLE_FIGURES
    assert list(result.baselines) == list(BASELINES)
    assert all(result.reelgraph["recall_at_k"] > b["recall_at_k"] for b in result.baselines.values())
    seed = result.films.iloc[0]
    # 12 listed; the stub "Never Let Me Go" is known only from the seed's list: 11 rankable, 8 found.
    assert (seed["title"], seed["k"], seed["reachable"], seed["recall_at_k"] * 12) == ("Never Let Me Go", 12, 11, pytest.approx(8))


def test_billing_is_what_lifts_the_sample_past_the_baselines():
    import reelgraph as rg

    graph = rg.read_sources(rg.SAMPLE_SOURCES)
    # Every shared person counted alike: 6 of 12, barely past same genres (0.479).
    assert evaluate_similarity(graph, billing=False).reelgraph == {"recall_at_k": 0.5, "mrr": 0.25, "films": 1}
    # Without years and votes, billing alone: 7 of 12.
    assert evaluate_similarity(graph, weights={"years": 0, "votes": 0}).reelgraph == {
        "recall_at_k": 0.583333, "mrr": 0.5, "films": 1}


def test_cli_evaluate_json_and_text(sample_store):
    result = run(sample_store, "similar", "--evaluate", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == SAMPLE_FIGURES
    text = run(sample_store, "similar", "--evaluate").output.splitlines()
    assert text == [
        '1 film with a "More like this" list, each hidden in turn (k=12; 11 of 12 listed films rankable without it):',
        "  ranking                      recall@k     MRR",
        "  reelgraph                       0.667   0.500",
        "  same genres                     0.479   0.500",
        "  most votes sharing person       0.458   0.665",
        "  random (seed 0)                 0.333   0.333",
    ]


def test_cli_similar_needs_a_film_or_evaluate(sample_store):
    for args in ((), ("Shame", "--evaluate")):
        result = run(sample_store, "similar", *args)
        assert result.exit_code == 2
        assert "Error: give a FILM, or --evaluate (not both)" in result.output
