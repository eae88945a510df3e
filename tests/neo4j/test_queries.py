"""Every shipped example query (graph/queries/*.cypher) against the synced sample: exact results.

Where it is simple, the expected rows are also worked out from the canonical
tables with pandas, so a wrong query and a wrong literal cannot agree by
accident.
"""

import pandas as pd
import pytest

from reelgraph.errors import ReelgraphError
from reelgraph.neo4j.sync import run_cypher, sync_graph, write_clusters
from reelgraph.neo4j.queries import example_queries, example_query

pytestmark = pytest.mark.neo4j

#: Every example and the test(s) below that pin its results.
COVERED = {"costars", "costar_path", "more_like", "director_collaborators", "people_in_most_clusters"}


@pytest.fixture
def synced(neo4j_driver, sample_graph):
    sync_graph(neo4j_driver, sample_graph, progress=False)
    return neo4j_driver


def run_example(driver, example: str, /, **params) -> pd.DataFrame:
    query = example_query(example)
    return run_cypher(driver, query.text, query.bind(params))


def rows(frame: pd.DataFrame) -> list:
    """Rows as plain lists, missing values as None (pandas shows them as NaN)."""
    return [[None if not isinstance(v, list) and pd.isna(v) else v for v in row] for row in frame.values.tolist()]


def acted(graph) -> pd.DataFrame:
    """(name, film id, title) of every ACTED_IN credit."""
    credits = graph.credits[graph.credits.role == "actor"]
    credits = credits.merge(graph.people[["id", "name"]], left_on="person_id", right_on="id")
    return credits.merge(graph.films[["id", "title"]], left_on="film_id", right_on="id")[["name", "film_id", "title"]]


def test_every_shipped_example_is_covered_and_parses():
    queries = example_queries()
    assert set(queries) == COVERED
    for query in queries.values():
        assert query.description and query.text.startswith(("MATCH", "//"))
    assert example_query("costars").parameters == ("name", "limit")
    assert example_query("costars").defaults == {"limit": 20}
    with pytest.raises(ReelgraphError, match=r"example 'costar_path' needs -p source=... -p target=..."):
        example_query("costar_path").bind({})


def test_costars_of_carey_mulligan(synced, sample_graph):
    frame = run_example(synced, "costars", name="Carey Mulligan")
    assert list(frame.columns) == ["costar", "films", "titles"]
    assert len(frame) == 20  # the default limit
    # collect() keeps no order: titles are compared sorted.
    assert [[c, n, sorted(t)] for c, n, t in rows(frame)][:6] == [
        ["Keira Knightley", 2, ["Never Let Me Go", "Pride & Prejudice"]],
        ["Rosamund Pike", 2, ["An Education", "Pride & Prejudice"]],
        ["Sally Hawkins", 2, ["An Education", "Never Let Me Go"]],
        ["Adelaide Clemens", 1, ["The Great Gatsby"]],
        ["Albert Brooks", 1, ["Drive"]],
        ["Alex Manette", 1, ["Shame"]],
    ]
    assert frame.costar.tolist()[-3:] == ["Charlie Rowe", "Charlie Sheen", "Charlotte Rampling"]
    # The same from the tables: people sharing an acted film, most shared first, then by name.
    a = acted(sample_graph)
    mine = a[a.name == "Carey Mulligan"][["film_id"]]
    shared = a.merge(mine, on="film_id")
    shared = shared[shared.name != "Carey Mulligan"].groupby("name").film_id.nunique()
    expected = sorted(shared.items(), key=lambda item: (-item[1], item[0]))[:20]
    assert list(zip(frame.costar, frame.films)) == expected


def test_costars_limit_and_unknown_name(synced):
    assert run_example(synced, "costars", name="Carey Mulligan", limit=2).costar.tolist() == ["Keira Knightley",
                                                                                               "Rosamund Pike"]
    assert run_example(synced, "costars", name="Nobody Of That Name").empty


def test_costar_path_keira_knightley_to_sally_hawkins(synced):
    frame = run_example(synced, "costar_path", source="Keira Knightley", target="Sally Hawkins")
    assert rows(frame) == [[["Keira Knightley", "Never Let Me Go (2010)", "Sally Hawkins"], 1]]


def test_costar_path_two_degrees(synced, sample_graph):
    frame = run_example(synced, "costar_path", source="Keira Knightley", target="Ryan Gosling")
    assert frame.degrees.tolist() == [2]
    chain = frame.chain[0]
    assert len(chain) == 5 and chain[0] == "Keira Knightley" and chain[-1] == "Ryan Gosling"
    # Every hop is a real ACTED_IN credit: Keira -> film 1 <- middle -> film 2 <- Ryan.
    a = acted(sample_graph)
    a = a.merge(sample_graph.films[["id", "year"]], left_on="film_id", right_on="id")
    a["label"] = a.title + " (" + a.year.astype(str) + ")"
    credited = set(zip(a.name, a.label))
    assert {(chain[0], chain[1]), (chain[2], chain[1]), (chain[2], chain[3]), (chain[4], chain[3])} <= credited
    assert chain[3] == "Drive (2011)"  # Ryan Gosling's only film in the sample


def test_more_like_never_let_me_go(synced):
    frame = run_example(synced, "more_like", title="Never Let Me Go")
    assert list(frame.columns) == ["film", "year", "rank", "rating", "shared_cast"]
    assert frame["rank"].tolist() == list(range(1, 13))
    got = rows(frame)
    for row in got:
        row[4] = sorted(row[4])
    assert got == [
        ["An Education", 2009, 1, 7.3, ["Carey Mulligan", "Sally Hawkins"]],
        ["Shame", 2011, 2, 7.2, ["Carey Mulligan"]],
        ["Atonement", 2007, 3, 7.8, ["Keira Knightley"]],
        ["Brooklyn", 2015, 4, 7.5, ["Domhnall Gleeson"]],
        ["Suffragette", 2015, 5, 6.9, ["Carey Mulligan"]],
        ["I'm Here", 2010, 6, 7.8, ["Andrew Garfield"]],
        ["Far from the Madding Crowd", 2015, 7, 7.1, ["Carey Mulligan"]],
        ["Begin Again", 2013, 8, 7.4, ["Keira Knightley"]],
        ["The Tesseract", 2003, 9, 5.3, []],
        # Another film of the same title, known only from this list: no year, no rating, no cast.
        ["Never Let Me Go", None, 10, None, []],
        ["Pride & Prejudice", 2005, 11, 7.8, ["Carey Mulligan", "Keira Knightley"]],
        ["Jane Eyre", 2011, 12, 7.3, ["Sally Hawkins"]],
    ]


def test_director_collaborators_of_mark_romanek(synced, sample_graph):
    frame = run_example(synced, "director_collaborators", name="Mark Romanek")
    assert list(frame.columns) == ["collaborator", "films", "credits"]
    assert rows(frame) == [
        ["Alex Garland", 1, ["WROTE"]],
        ["Andrea Riseborough", 1, ["ACTED_IN"]],
        ["Andrew Garfield", 1, ["ACTED_IN"]],
        ["Carey Mulligan", 1, ["ACTED_IN"]],
        ["Charles Cork", 1, ["ACTED_IN"]],
        ["Charlie Rowe", 1, ["ACTED_IN"]],
        ["Charlotte Rampling", 1, ["ACTED_IN"]],
        ["Christina Carrafiell", 1, ["ACTED_IN"]],
        ["Damien Thomas", 1, ["ACTED_IN"]],
        ["Domhnall Gleeson", 1, ["ACTED_IN"]],
    ]
    # From the tables: everyone else credited on Never Let Me Go, his one film here, by name.
    credits = sample_graph.credits.merge(sample_graph.people[["id", "name"]], left_on="person_id", right_on="id")
    others = sorted(set(credits[(credits.film_id == "tt1334260") & (credits.name != "Mark Romanek")].name))
    assert frame.collaborator.tolist() == others[:10]
    assert len(run_example(synced, "director_collaborators", name="Mark Romanek", limit=100)) == len(others) == 22


def test_director_collaborators_of_joe_wright(synced):
    frame = run_example(synced, "director_collaborators", name="Joe Wright", limit=3)
    assert rows(frame) == [
        ["Keira Knightley", 3, ["ACTED_IN"]],
        ["Brenda Blethyn", 2, ["ACTED_IN"]],
        ["Matthew Macfadyen", 2, ["ACTED_IN"]],
    ]


def test_people_in_most_clusters(synced, sample_graph):
    assert run_example(synced, "people_in_most_clusters").empty  # no clusters written yet
    clusters = pd.Series({"tt1334260": 1, "tt1174732": 1, "tt0414387": 2, "tt0783233": 3, "tt1781769": 3,
                          "tt2024544": 4, "tt1723811": 4})
    write_clusters(synced, clusters)
    frame = run_example(synced, "people_in_most_clusters", limit=6)
    assert list(frame.columns) == ["person", "cluster_count", "clusters"]
    got = [[person, count, sorted(c)] for person, count, c in rows(frame)]
    assert got == [
        ["Carey Mulligan", 3, [1, 2, 4]],
        ["Keira Knightley", 3, [1, 2, 3]],
        ["Benedict Cumberbatch", 2, [3, 4]],
        ["Brenda Blethyn", 2, [2, 3]],
        ["Domhnall Gleeson", 2, [1, 3]],
        ["Matthew Macfadyen", 2, [2, 3]],
    ]
    # From the tables.
    a = acted(sample_graph)
    a = a[a.film_id.isin(clusters.index)].assign(cluster=lambda d: d.film_id.map(clusters))
    per_person = a.groupby("name").cluster.nunique()
    expected = sorted(per_person.items(), key=lambda item: (-item[1], item[0]))[:6]
    assert [(p, n) for p, n, _ in got] == expected
    # Writing clusters again replaces them: films not listed lose theirs.
    write_clusters(synced, pd.Series({"tt1334260": 7}))
    assert rows(run_example(synced, "people_in_most_clusters", limit=2)) == [
        ["Andrea Riseborough", 1, [7]], ["Andrew Garfield", 1, [7]]]


def test_names_match_whatever_their_case(synced):
    """As the CLI matches names: "carey mulligan" is Carey Mulligan (through the full-text indexes)."""
    assert run_example(synced, "costars", name="carey mulligan", limit=3).costar.tolist() == [
        "Keira Knightley", "Rosamund Pike", "Sally Hawkins"]
    assert rows(run_example(synced, "costar_path", source="KEIRA KNIGHTLEY", target="sally hawkins")) == [
        [["Keira Knightley", "Never Let Me Go (2010)", "Sally Hawkins"], 1]]
    assert rows(run_example(synced, "director_collaborators", name="joe wright", limit=2)) == [
        ["Keira Knightley", 3, ["ACTED_IN"]], ["Brenda Blethyn", 2, ["ACTED_IN"]]]
    frame = run_example(synced, "more_like", title="never let me go")
    assert frame.film.tolist()[:3] == ["An Education", "Shame", "Atonement"] and len(frame) == 12


def test_a_whole_name_wins_over_a_namesake_containing_it(synced):
    """A person whose name contains "Carey Mulligan" is found only when nobody has exactly that name."""
    run_cypher(synced, "CREATE (p:Person {id: 'nm-namesake', name: 'Carey Mulligan Jr.'})"
               "-[:ACTED_IN]->(:Film {id: 'tt-namesake', title: 'Namesake'})<-[:ACTED_IN]-"
               "(:Person {id: 'nm-other', name: 'Other Actor'})", write=True)
    assert run_example(synced, "costars", name="carey mulligan", limit=2).costar.tolist() == [
        "Keira Knightley", "Rosamund Pike"]
    assert run_example(synced, "costars", name="Carey Mulligan Jr.").costar.tolist() == ["Other Actor"]
    # Only part of a name, and nobody has exactly that name: the best match.
    assert run_example(synced, "costars", name="mulligan jr").costar.tolist() == ["Other Actor"]
    # Lucene syntax in a name is only text.
    assert run_example(synced, "costars", name='carey" OR "keira').empty
    assert run_example(synced, "costars", name="\\ (*").empty


def test_names_match_whatever_their_accents(synced):
    """The full-text indexes fold accents: "Saoirse Rónan" and "keira knïghtley" are the sample's people."""
    assert rows(run_example(synced, "costar_path", source="kéira knïghtley", target="Saoirse Rónan")) == [
        [["Keira Knightley", "Atonement (2007)", "Saoirse Ronan"], 1]]


def test_a_full_text_index_made_by_an_older_reelgraph_is_made_again(synced, caplog):
    """An index from before accent folding (the standard analyzer) is dropped and remade with folding."""
    from reelgraph.neo4j.indexes import ensure_schema, missing_schema

    run_cypher(synced, "DROP INDEX person_names IF EXISTS", write=True)
    run_cypher(synced, "CREATE FULLTEXT INDEX person_names FOR (p:Person) ON EACH [p.name] "
               "OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words'}}", write=True)
    run_cypher(synced, "CALL db.awaitIndexes(60)", write=True)  # online, so only its analyzer is wrong
    assert missing_schema(synced) == ["full-text index person_names (Person.name) uses the analyzer "
                                      "'standard-no-stop-words', not 'standard-folding'"]
    with caplog.at_level("WARNING", logger="reelgraph.neo4j.indexes"):
        ensure_schema(synced)
    assert missing_schema(synced) == []
    assert "remaking the full-text index person_names to fold accents (once)" in caplog.text
    assert "film_titles" not in caplog.text
    analyzers = run_cypher(synced, "SHOW FULLTEXT INDEXES YIELD name, options "
                           "RETURN name, options.indexConfig['fulltext.analyzer'] AS analyzer ORDER BY name")
    assert rows(analyzers) == [["film_titles", "standard-folding"], ["person_names", "standard-folding"]]
