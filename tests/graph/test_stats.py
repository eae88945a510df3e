"""What a graph holds: counts, and the best-connected people."""

import numpy as np
import pandas as pd
import pytest

from reelgraph.model import FilmGraph
from reelgraph.analysis.stats import best_connected_people, graph_stats


def _self_join_reference(graph, top):
    """The definition, written the slow way: a self-join of the credits on the film."""
    credits = graph.credits[["person_id", "film_id"]].drop_duplicates()
    pairs = credits.merge(credits, on="film_id")
    pairs = pairs[pairs.person_id_x != pairs.person_id_y]
    table = pd.concat([pairs.groupby("person_id_x")["person_id_y"].nunique().rename("collaborators"),
                       credits.groupby("person_id")["film_id"].nunique().rename("films")], axis=1)
    table = table.fillna(0).astype(int).rename_axis("id").reset_index()
    table["name"] = table["id"].map(graph.people.set_index("id")["name"])
    table = table.sort_values(["collaborators", "films", "name", "id"], ascending=[False, False, True, True])
    return table[["id", "name", "collaborators", "films"]].head(top).reset_index(drop=True)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_best_connected_people_match_the_self_join_definition(seed):
    rng = np.random.default_rng(seed)
    people = [{"id": f"nm{i}", "name": f"P{i % 7}"} for i in range(60)]  # repeated names: ties go by name
    # Heavy-tailed: a few people in many films; repeated credits of one pair count once.
    credits = [{"person_id": f"nm{min(int(rng.zipf(1.6)) - 1, 59)}", "film_id": f"tt{rng.integers(40)}",
                "role": str(rng.choice(["actor", "director", "writer"]))} for _ in range(400)]
    credits.append({"person_id": "nm999", "film_id": "tt999", "role": "actor"})  # alone in a film, no name
    graph = FilmGraph.from_records(people=people, credits=credits)
    for top in (1, 5, 80):
        pd.testing.assert_frame_equal(best_connected_people(graph, top), _self_join_reference(graph, top),
                                      check_dtype=False)


def test_best_connected_people_exact_values():
    graph = FilmGraph.from_records(
        people=[{"id": i, "name": n} for i, n in [("a", "Ann"), ("b", "Bo"), ("c", "Cy"), ("d", "Di")]],
        credits=[{"person_id": p, "film_id": f, "role": r} for p, f, r in [
            ("a", "f1", "actor"), ("a", "f1", "director"), ("b", "f1", "actor"),
            ("a", "f2", "actor"), ("c", "f2", "actor"), ("b", "f2", "writer"), ("d", "f3", "actor")]])
    assert best_connected_people(graph, top=4).values.tolist() == [
        ["a", "Ann", 2, 2], ["b", "Bo", 2, 2], ["c", "Cy", 2, 1], ["d", "Di", 0, 1]]
    assert best_connected_people(graph, top=0).empty
    assert best_connected_people(FilmGraph.empty()).empty


def test_graph_stats_counts(sample_graph):
    stats = graph_stats(sample_graph, top=3)
    assert stats["films"] + stats["stub_films"] == len(sample_graph.films)
    assert stats["credits"] == sum(stats["credits_by_role"].values()) == len(sample_graph.credits)
    assert [p["id"] for p in stats["best_connected"]] == best_connected_people(sample_graph, 3)["id"].tolist()
    assert stats["best_connected"] == _self_join_reference(sample_graph, 3).to_dict("records")


def test_value_counts_of_coded_values_equal_those_of_the_text():
    """Roles given as a dictionary (as a graph index holds them) count as the text would: most frequent
    first, ties in order of first appearance, values that never occur left out, missing ones skipped."""
    import pyarrow as pa

    from reelgraph.analysis.stats import _value_counts

    text = ["self", "actor", None, "writer", "actor", "self", "writer", "director"]
    dictionary = pa.array(["director", "producer", "writer", "actor", "self"])  # not in order of appearance; "producer" unused
    codes = pa.array([4, 3, None, 2, 3, 4, 2, 0], type=pa.int16())
    coded = pa.DictionaryArray.from_arrays(codes, dictionary)
    expected = {"self": 2, "actor": 2, "writer": 2, "director": 1}
    assert _value_counts(pa.array(text)) == expected
    assert _value_counts(coded) == expected
    assert list(_value_counts(coded)) == list(expected)
