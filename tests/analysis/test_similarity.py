"""Film similarity: the documented formula, worked out by hand, and the reasons each edge gives."""

import math

import networkx as nx
import pytest

from reelgraph.mirror import build_mirror
from reelgraph.model import MORE_LIKE_THIS, FilmGraph
from reelgraph.analysis.similarity import (
    DEFAULT_WEIGHTS, UNLISTED_WEIGHTS, billing_weight, mlt_weight, similar_films, similarity_graph,
)

FILMS = [
    # id, title, genres, keywords
    ("tt0000001", "Pride & Prejudice", ["Drama", "Romance"], ["jane austen", "marriage", "sisters"]),
    ("tt0000002", "Atonement", ["Drama", "Romance", "War"], ["jane austen", "war", "love"]),
    ("tt0000003", "Emma", ["Comedy", "Drama", "Romance"], ["jane austen", "matchmaking"]),
    ("tt0000004", "Xtreme", ["Action"], []),
    ("tt0000005", "Little Women", ["Drama"], ["sisters"]),
    ("tt0000006", "Generic Romance", ["Drama", "Romance"], []),
]
CREDITS = [
    ("nm0000001", "tt0000001", "actor", 1),  # Keira Knightley: 2 films
    ("nm0000001", "tt0000002", "actor", 1),
    ("nm0000002", "tt0000001", "director", None),  # Joe Wright: 2 films
    ("nm0000002", "tt0000002", "director", None),
    ("nm0000003", "tt0000001", "actor", 2),  # Rosamund Pike: 3 films
    ("nm0000003", "tt0000003", "actor", 1),
    ("nm0000003", "tt0000004", "actor", 1),
    ("nm0000004", "tt0000001", "actor", 3),  # Matthew Macfadyen: 1 film
    ("nm0000005", "tt0000001", "self", 4),  # self never links
    ("nm0000005", "tt0000006", "self", 1),
]
NAMES = {"nm0000001": "Keira Knightley", "nm0000002": "Joe Wright", "nm0000003": "Rosamund Pike", "nm0000004": "Matthew Macfadyen", "nm0000005": "Sam Self"}


def tables(similar=None):
    return FilmGraph.from_records(
        films=[{"id": i, "title": t, "genres": g, "keywords": k, "year": 2000 + n} for n, (i, t, g, k) in enumerate(FILMS)],
        people=[{"id": i, "name": n} for i, n in NAMES.items()],
        credits=[{"person_id": p, "film_id": f, "role": r, "billing": b} for p, f, r, b in CREDITS],
        similar=similar
        if similar is not None
        else [
            {"film_id": "tt0000001", "similar_id": "tt0000002", "rank": 1, "source": MORE_LIKE_THIS},
            {"film_id": "tt0000001", "similar_id": "tt0000003", "rank": 3, "source": MORE_LIKE_THIS},
            {"film_id": "tt0000002", "similar_id": "tt0000001", "rank": 2, "source": MORE_LIKE_THIS},
        ],
    )


@pytest.fixture
def mirror():
    return build_mirror(tables())


def people_part(aa):
    return 1 - math.exp(-aa)


# By hand, from the module docstring's formula (weights 0.40 / 0.30 / 0.15 / 0.15):
SCORE_A = 0.4 * 1.0 + 0.3 * people_part(2 / math.log(3)) + 0.15 * (2 / 3) + 0.15 * (1 / 5)
SCORE_E = 0.4 * 0.5 + 0.3 * people_part(1 / math.log(4)) + 0.15 * (2 / 3) + 0.15 * (1 / 4)
SCORE_X = 0.3 * people_part(1 / math.log(4))
SCORE_K = 0.15 * (1 / 2) + 0.15 * (1 / 3)


def test_mlt_weight():
    assert mlt_weight(1) == 1.0
    assert mlt_weight(3) == 0.5
    assert mlt_weight(12) == pytest.approx(1 / math.log2(13))
    assert mlt_weight(None) == 0.5
    assert sum(DEFAULT_WEIGHTS.values()) == pytest.approx(1.0)


def test_scores_and_reasons_from_the_tables(mirror):
    top = similar_films(mirror, "Pride & Prejudice")
    assert [f["title"] for f in top] == ["Atonement", "Emma", "Xtreme", "Little Women"]  # no genre-only "Generic Romance"
    assert [f["score"] for f in top] == pytest.approx([SCORE_A, SCORE_E, SCORE_X, SCORE_K], abs=1e-6)
    assert round(top[0]["score"], 6) == 0.781416
    assert top[0]["reasons"] == [
        "More like this #1 (and #2 on its page)",
        "1 shared cast: Keira Knightley",
        "1 shared crew: Joe Wright (director)",
        "2 shared genres: Drama, Romance",
        "1 shared keyword: jane austen",
    ]
    assert top[1]["reasons"] == ["More like this #3", "1 shared cast: Rosamund Pike", "2 shared genres: Drama, Romance", "1 shared keyword: jane austen"]
    assert top[2]["reasons"] == ["1 shared cast: Rosamund Pike"]
    assert top[3]["reasons"] == ["1 shared genre: Drama", "1 shared keyword: sisters"]
    assert {k: top[1][k] for k in ("mlt", "genres", "keywords")} == {"mlt": 0.5, "genres": 0.666667, "keywords": 0.25}
    assert top[0]["id"] == "tt0000002" and top[0]["year"] == 2001


def test_reasons_from_the_other_side(mirror):
    emma = similar_films(mirror, "Emma", top=1)[0]
    assert emma["title"] == "Pride & Prejudice"
    assert emma["reasons"][0] == "More like this #3 on its page"


def test_graph_agrees_with_the_one_film_answer(mirror):
    sim = similarity_graph(mirror)
    for film in ("Pride & Prejudice", "Atonement"):  # films with a list of their own
        assert similar_films(sim, film) == similar_films(mirror, film)
    # A film without one is ranked with UNLISTED_WEIGHTS; with the graph's weights and no billing, the same answer.
    graph_like = {**DEFAULT_WEIGHTS, "years": 0.0, "votes": 0.0}
    for film in ("Emma", "Xtreme"):
        rows = similar_films(mirror, film, weights=graph_like, billing=False)
        assert [{k: v for k, v in row.items() if k not in ("years", "votes")} for row in rows] == similar_films(sim, film)
    assert sim.explain("tt0000001", "tt0000002") == similar_films(mirror, "Pride & Prejudice", top=1)[0]["reasons"]
    assert sim.neighbours("Pride & Prejudice", top=2) == [("tt0000002", pytest.approx(SCORE_A)), ("tt0000003", pytest.approx(SCORE_E))]
    edges = sim.edges
    assert set(edges.columns) >= {"film_id", "other_id", "score", "mlt", "people", "genres", "keywords", "shared_people"}
    assert "tt0000006" not in set(edges.film_id) | set(edges.other_id)


def test_top_k_keeps_each_films_best_edges(mirror):
    sim = similarity_graph(mirror, top_k=1)
    pairs = {tuple(sorted(p)) for p in zip(sim.edges.film_id, sim.edges.other_id)}
    # Everyone's best edge goes to Pride & Prejudice (Xtreme ties P and Emma: the lower pair wins).
    assert pairs == {("tt0000001", "tt0000002"), ("tt0000001", "tt0000003"), ("tt0000001", "tt0000004"), ("tt0000001", "tt0000005")}


def test_hub_cap_drops_prolific_people(mirror):
    top = similar_films(mirror, "Pride & Prejudice", max_person_films=2)
    assert [f["title"] for f in top] == ["Atonement", "Emma", "Little Women"]
    assert top[1]["score"] == pytest.approx(0.4 * 0.5 + 0.15 * (2 / 3) + 0.15 * 0.25, abs=1e-6)
    sim = similarity_graph(mirror, max_person_films=2)
    assert "tt0000004" not in set(sim.edges.film_id) | set(sim.edges.other_id)


def test_weights_are_parameters(mirror):
    top = similar_films(mirror, "Pride & Prejudice", weights={"mlt": 1.0, "people": 0.0, "genres": 0.0, "keywords": 0.0})
    assert [(f["title"], f["score"]) for f in top[:2]] == [("Atonement", 1.0), ("Emma", 0.5)]
    with pytest.raises(ValueError, match="unknown weight"):
        similarity_graph(mirror, weights={"cast": 1})


def test_min_score(mirror):
    sim = similarity_graph(mirror, min_score=0.3, top_k=None)
    assert sorted(sim.score.round(6).tolist()) == sorted([round(SCORE_E, 6), round(SCORE_A, 6)])


def test_unranked_link():
    g = FilmGraph.from_records(
        films=[{"id": "tt0000001", "title": "A"}, {"id": "tt0000002", "title": "B"}],
        similar=[{"film_id": "tt0000001", "similar_id": "tt0000002", "source": MORE_LIKE_THIS}],
    )
    top = similar_films(g, "A")
    assert top == [{"id": "tt0000002", "title": "B", "year": None, "score": 0.2, "mlt": 0.5, "people": 0.0, "genres": 0.0, "keywords": 0.0, "reasons": ["More like this"]}]


def test_networkx_export_explains_every_edge(mirror):
    G = similarity_graph(mirror).to_networkx()
    assert isinstance(G, nx.Graph)
    assert G.edges["tt0000001", "tt0000002"]["weight"] == pytest.approx(SCORE_A)
    assert all(data["reasons"] for _, _, data in G.edges(data=True))


def test_sample_similarity():
    from reelgraph.loaders.sample import SAMPLE_DIR
    from reelgraph.loaders.tables import read_tables

    folder = SAMPLE_DIR / "tables"
    if not (folder / "similar.csv").exists():
        pytest.skip("sample tables not written yet")
    g = read_tables(folder)
    seed = g.similar["film_id"].iloc[0]
    top = similar_films(g, seed, top=3)
    assert top and all(f["reasons"] for f in top)
    assert [f["score"] for f in top] == sorted((f["score"] for f in top), reverse=True)


def test_a_person_given_as_the_film_says_it_is_a_person(costars):
    from reelgraph.errors import NameNotFoundError

    with pytest.raises(NameNotFoundError, match=r"^no film named 'Kevin Bacon': it is a person, nm0000001 Kevin Bacon \(b\. 1958, First\)$"):
        similar_films(costars, "Kevin Bacon")
    with pytest.raises(NameNotFoundError, match=r"^no film named 'nm0000002': it is a person, nm0000002 Bea Arthur"):
        similar_films(costars, "nm0000002")


# -- films with no list of their own: billing, years, votes ----------------------------------------------------------


def billed_tables(similar=()):
    """U has no list: its lead L leads A too, its ninth name M is B's ninth name, its director D directs C."""
    films = [("tt0000011", "U", 2000, None), ("tt0000012", "A", 2000, None), ("tt0000013", "B", 2010, None),
             ("tt0000014", "C", 2030, 50_000)]
    credits = [("nm0000011", "tt0000011", "actor", 1), ("nm0000011", "tt0000012", "actor", 1),
               ("nm0000012", "tt0000011", "actor", 9), ("nm0000012", "tt0000013", "actor", 9),
               ("nm0000013", "tt0000011", "director", None), ("nm0000013", "tt0000014", "director", None)]
    return FilmGraph.from_records(
        films=[{"id": i, "title": t, "year": y, "votes": v} for i, t, y, v in films],
        people=[{"id": "nm0000011", "name": "Lead"}, {"id": "nm0000012", "name": "Minor"}, {"id": "nm0000013", "name": "Dir"}],
        credits=[{"person_id": p, "film_id": f, "role": r, "billing": b} for p, f, r, b in credits],
        similar=list(similar),
    )


def test_billing_weight():
    assert billing_weight(1) == 1.0
    assert billing_weight(3) == 0.5
    assert billing_weight(9) == pytest.approx(1 / math.log2(10))
    assert billing_weight(None) == billing_weight(20) == pytest.approx(1 / math.log2(21))
    assert sum(UNLISTED_WEIGHTS.values()) == pytest.approx(1.0)


def test_a_film_without_a_list_is_ranked_by_billed_people_and_years():
    rows = similar_films(billed_tables(), "U")
    aa = 1 / math.log(3)  # each person has two films
    minor = (1 / math.log2(10)) ** 2  # ninth name on both films
    popular = math.log10(50_001) / 6 / 2  # C's votes, U's unknown
    expected = {
        "A": 0.35 * people_part(aa) + 0.03 * 1.0,
        "C": 0.35 * people_part(aa) + 0.03 * math.exp(-3) + 0.02 * popular,
        "B": 0.35 * people_part(aa * minor) + 0.03 * math.exp(-1),
    }
    assert [row["title"] for row in rows] == ["A", "C", "B"]
    assert [row["score"] for row in rows] == pytest.approx([expected[r["title"]] for r in rows], abs=1e-6)
    assert rows[0]["reasons"] == ["1 shared cast: Lead", "same year (2000)"]
    assert rows[1]["reasons"] == ["1 shared crew: Dir (director)", "50,000 votes"]  # 30 years apart is no reason
    assert rows[2]["reasons"] == ["1 shared cast: Minor", "10 years apart (2010)"]
    assert set(rows[0]) == {"id", "title", "year", "score", "mlt", "people", "genres", "keywords", "years", "votes", "reasons"}
    # Without billing the ninth names count as much as the leads: B (ten years off) passes C (thirty).
    assert [row["title"] for row in similar_films(billed_tables(), "U", billing=False)] == ["A", "B", "C"]


def test_a_film_with_a_list_keeps_the_listed_formula():
    link = {"film_id": "tt0000011", "similar_id": "tt0000013", "rank": 1, "source": MORE_LIKE_THIS}
    rows = similar_films(billed_tables([link]), "U")
    assert [row["title"] for row in rows] == ["B", "A", "C"]
    assert rows[0]["score"] == pytest.approx(0.4 + 0.3 * people_part(1 / math.log(3)), abs=1e-6)
    assert "years" not in rows[0]


def test_min_shared_asks_for_more_shared_people(mirror):
    def pairs(sim):
        return sorted(zip(sim.edges.film_id, sim.edges.other_id))

    everyone = similarity_graph(mirror, top_k=None)
    assert pairs(everyone) == [("tt0000001", "tt0000002"), ("tt0000001", "tt0000003"), ("tt0000001", "tt0000004"),
                               ("tt0000001", "tt0000005"), ("tt0000002", "tt0000003"), ("tt0000003", "tt0000004")]
    two = similarity_graph(mirror, top_k=None, min_shared=2)
    # Xtreme shared only Rosamund Pike (with both); Emma keeps its "More like this" link, without people.
    assert pairs(two) == [("tt0000001", "tt0000002"), ("tt0000001", "tt0000003"), ("tt0000001", "tt0000005"),
                          ("tt0000002", "tt0000003")]
    assert two.min_shared == 2 and everyone.min_shared == 1
    emma = two.edges.set_index("other_id").loc["tt0000003"]
    assert emma.query("film_id == 'tt0000001'")["people"].item() == 0.0
    with pytest.raises(ValueError, match="min_shared must be at least 1, not 0"):
        similarity_graph(mirror, min_shared=0)


def test_unknown_weight_names_the_parts(mirror):
    with pytest.raises(ValueError, match=r"^unknown weight\(s\): cast; the parts are mlt, people, genres, keywords, years, votes$"):
        similar_films(mirror, "Emma", weights={"cast": 1})
