"""The Neo4j store against the real test server: counts, idempotence, injection, read-only, failure."""

import pytest

from reelgraph.errors import ReadOnlyQueryError
from reelgraph.model import FilmGraph, merge_graphs
from reelgraph.neo4j.sync import neo4j_counts, run_cypher, sync_graph

pytestmark = pytest.mark.neo4j


def test_sample_counts_equal_the_tables(neo4j_driver, sample_graph, expected_counts):
    counts = sync_graph(neo4j_driver, sample_graph, progress=False)
    assert counts == expected_counts(sample_graph)
    assert counts["nodes"]["Film"] == 30 and counts["relationships"]["ACTED_IN"] == 275


def test_loading_twice_gives_the_same_counts(neo4j_driver, sample_graph):
    first = sync_graph(neo4j_driver, sample_graph, progress=False)
    assert sync_graph(neo4j_driver, sample_graph, progress=False) == first


def test_values_round_trip(neo4j_driver, sample_graph):
    sync_graph(neo4j_driver, sample_graph, progress=False)
    film = run_cypher(neo4j_driver, "MATCH (f:Film {id: $id}) RETURN f.title AS title, f.rating AS rating, "
                      "f.votes AS votes, f.genres AS genres", {"id": "tt1334260"}).iloc[0].to_dict()
    assert film == {"title": "Never Let Me Go", "rating": 7.1, "votes": 141000,
                    "genres": ["Drama", "Romance", "Sci-Fi", "Thriller"]}
    ruth = run_cypher(neo4j_driver, "MATCH (p:Person {name: $name})-[r:ACTED_IN]->(:Film {id: $id}) "
                      "RETURN r.characters AS characters, r.billing AS billing, r.star AS star",
                      {"name": "Keira Knightley", "id": "tt1334260"}).iloc[0].to_dict()
    assert ruth == {"characters": ["Ruth"], "billing": 1, "star": True}
    writers = run_cypher(neo4j_driver, "MATCH (p:Person)-[w:WROTE]->(:Film {id: $id}) RETURN p.name AS name, "
                         "w.job AS job ORDER BY w.billing", {"id": "tt1334260"})
    assert writers.values.tolist() == [["Kazuo Ishiguro", "novel"], ["Alex Garland", "screenplay"]]
    links = run_cypher(neo4j_driver, "MATCH (:Film {id: $id})-[m:MORE_LIKE_THIS]->(g) RETURN m.rank AS rank, "
                       "g.title AS title ORDER BY rank", {"id": "tt1334260"})
    assert links.title.tolist()[:3] == ["An Education", "Shame", "Atonement"]
    assert links["rank"].tolist() == list(range(1, 13))


def test_stub_becomes_the_full_film_and_removed_credits_go(neo4j_driver):
    page = FilmGraph.from_records(
        films=[{"id": "tt1334260", "title": "Never Let Me Go", "year": 2010},
               {"id": "title:jane-eyre", "title": "Jane Eyre", "stub": True}],
        people=[{"id": "name:a", "name": "A"}, {"id": "name:b", "name": "B"}],
        credits=[{"person_id": "name:a", "film_id": "tt1334260", "role": "actor"},
                 {"person_id": "name:b", "film_id": "tt1334260", "role": "actor"}],
        similar=[{"film_id": "tt1334260", "similar_id": "title:jane-eyre", "rank": 1, "source": "imdb-more-like-this"}])
    sync_graph(neo4j_driver, page, progress=False)
    table = FilmGraph.from_records(films=[{"id": "tt1229822", "title": "Jane Eyre", "year": 2011}])
    merged = merge_graphs(page, table)
    merged.credits = merged.credits[merged.credits.person_id != "name:b"]
    sync_graph(neo4j_driver, merged, progress=False)
    films = run_cypher(neo4j_driver, "MATCH (f:Film) RETURN f.id AS id, f.stub AS stub ORDER BY id")
    assert films.values.tolist() == [["tt1229822", False], ["tt1334260", False]]
    assert run_cypher(neo4j_driver, "MATCH ()-[r:ACTED_IN]->() RETURN count(r) AS n").n[0] == 1
    assert run_cypher(neo4j_driver, "MATCH (:Film)-[r:MORE_LIKE_THIS]->(f) RETURN f.id AS id").id.tolist() == ["tt1229822"]


def test_hostile_name_is_stored_verbatim_and_deletes_nothing(neo4j_driver, sample_graph, expected_counts):
    hostile = "x'}) DETACH DELETE n //"
    extra = FilmGraph.from_records(
        people=[{"id": "name:hostile", "name": hostile}],
        credits=[{"person_id": "name:hostile", "film_id": "tt1334260", "role": "actor", "characters": ['"; MATCH (n) DELETE n']}])
    graph = merge_graphs(sample_graph, extra)
    counts = sync_graph(neo4j_driver, graph, progress=False)
    assert counts == expected_counts(graph)
    found = run_cypher(neo4j_driver, "MATCH (p:Person {id: 'name:hostile'})-[r:ACTED_IN]->() "
                       "RETURN p.name AS name, r.characters AS characters")
    assert found.values.tolist() == [[hostile, ['"; MATCH (n) DELETE n']]]


@pytest.mark.parametrize("query", [
    "CREATE (n:Film {id: 'evil'})",
    "MATCH (n:Film) DETACH DELETE n",
    "MATCH (n:Film) SET n.title = 'x'",
    "CALL apoc.create.node(['Film'], {id: 'evil'}) YIELD node RETURN node",
])
def test_read_only_by_default(neo4j_driver, sample_graph, query):
    before = sync_graph(neo4j_driver, sample_graph, progress=False)
    with pytest.raises(ReadOnlyQueryError, match="writes to the graph; run it with --write"):
        run_cypher(neo4j_driver, query)
    assert neo4j_counts(neo4j_driver) == before
    assert run_cypher(neo4j_driver, "MATCH (f:Film {id: 'tt1334260'}) RETURN f.title AS t").t[0] == "Never Let Me Go"


def test_write_when_asked(neo4j_driver):
    run_cypher(neo4j_driver, "CREATE (:Film {id: $id})", {"id": "tt0000001"}, write=True)
    assert run_cypher(neo4j_driver, "MATCH (f:Film) RETURN f.id AS id").id.tolist() == ["tt0000001"]


def test_a_node_the_server_left_out_stops_the_sync_in_one_line(sample_graph):
    # No server: the ends of relationships are looked up in what the node
    # steps returned, and a key missing there is the server's fault.
    from reelgraph.neo4j.sync import Neo4jSyncError, _resolve, _sync_plan

    credits = next(step for step in _sync_plan(merge_graphs(sample_graph)) if step.kind == "credit")
    people = {key: f"4:p:{i}" for i, key in enumerate(credits.columns["a"])}
    films = {key: f"4:f:{i}" for i, key in enumerate(credits.columns["b"])}
    resolved = _resolve(credits, {"Person": people, "Film": films, "Genre": {}})
    assert resolved.columns["a"][0] == people[credits.columns["a"][0]]
    assert resolved.columns["b"][-1] == films[credits.columns["b"][-1]]
    left_out = credits.columns["b"][0]
    del films[left_out]
    with pytest.raises(Neo4jSyncError, match=rf"credits: the server returned no Film node '{left_out}' .* run the same command again"):
        _resolve(credits, {"Person": people, "Film": films, "Genre": {}})


def test_a_sync_that_fails_midway_says_what_to_do_and_the_rerun_is_clean(neo4j_driver, sample_graph, expected_counts):
    from reelgraph.neo4j.sync import Neo4jSyncError

    broken = merge_graphs(sample_graph)
    # A map is no valid property value: the server rejects the batch holding it,
    # after the films and some people are in.
    names = broken.people["name"].tolist()
    names[-1] = {"not": "a string"}
    broken.people["name"] = names
    with pytest.raises(Neo4jSyncError, match=r"stopped after \d+ of \d+ rows .* run the same command again"):
        sync_graph(neo4j_driver, broken, batch_size=100, progress=False)
    assert sync_graph(neo4j_driver, sample_graph, progress=False) == expected_counts(sample_graph)
