"""``reelgraph cypher`` through click's CliRunner against the synced sample: params, formats, refusals, examples."""

import json

import pytest
from click.testing import CliRunner

import reelgraph.neo4j.sync
from reelgraph.cli import main
from reelgraph.neo4j.sync import neo4j_counts, run_cypher, sync_graph

pytestmark = pytest.mark.neo4j

QUERY = ("MATCH (p:Person {name: $name})-[a:ACTED_IN]->(f:Film) WHERE f.year >= $since "
         "RETURN f.title AS title, f.year AS year, a.billing AS billing, f.rating AS rating ORDER BY year, title")


@pytest.fixture
def cypher(neo4j_driver, neo4j_settings, sample_graph, tmp_path):
    """Run ``reelgraph cypher ARGS`` against the test server holding the sample; returns the click Result."""
    sync_graph(neo4j_driver, sample_graph, progress=False)
    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user,
           "NEO4J_PASSWORD": neo4j_settings.password, "REELGRAPH_STORE": str(tmp_path / "store")}
    runner = CliRunner()

    def invoke(*args, **extra_env):
        return runner.invoke(main, ["cypher", *map(str, args)], env={**env, **extra_env}, catch_exceptions=False)

    return invoke


def one_line_error(result, code: int) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("reelgraph: error: "), result.stderr
    return lines[0].removeprefix("reelgraph: error: ")


def test_table_format_with_text_and_json_parameters(cypher):
    # name=... is not JSON, so text; since=2011 parses as JSON, so the integer 2011.
    result = cypher(QUERY, "-p", "name=Carey Mulligan", "-p", "since=2011")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "                     title year billing rating\n"
        "                     Drive 2011       2   None\n"
        "                     Shame 2011       2    7.2\n"
        "          The Great Gatsby 2013       3   None\n"
        "Far from the Madding Crowd 2015       1    7.1\n"
        "               Suffragette 2015       1    6.9\n"
    )
    # The same value as a JSON string is text too; as text "2011" it compares with no integer year.
    assert cypher(QUERY, "-p", 'name="Carey Mulligan"', "-p", "since=2011").stdout == result.stdout
    assert cypher(QUERY, "-p", "name=Carey Mulligan", "-p", 'since="2011"').stdout == "(no rows)\n"


def test_csv_format(cypher):
    result = cypher(QUERY, "-p", "name=Carey Mulligan", "-p", "since=2013", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "title,year,billing,rating\n"
        "The Great Gatsby,2013,3,\n"
        "Far from the Madding Crowd,2015,1,7.1\n"
        "Suffragette,2015,1,6.9\n"
    )
    quoted = cypher("RETURN $t AS t, $n AS n", "-p", 't=He said "hi", then left', "-p", "n=1.5", "--format", "csv")
    assert quoted.stdout == 't,n\n"He said ""hi"", then left",1.5\n'


def test_json_format_keeps_types_lists_and_nulls(cypher):
    query = ("MATCH (p:Person {name: $name})-[a:ACTED_IN]->(f:Film) WHERE f.id IN $ids "
             "RETURN f.title AS title, f.year AS year, a.characters AS characters, a.billing AS billing, "
             "f.rating AS rating, a.star AS star ORDER BY title")
    result = cypher(query, "-p", "name=Carey Mulligan", "-p", 'ids=["tt1334260", "tt0780504"]', "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [
        {"title": "Drive", "year": 2011, "characters": ["Irene"], "billing": 2, "rating": None, "star": True},
        {"title": "Never Let Me Go", "year": 2010, "characters": ["Kathy"], "billing": 2, "rating": 7.1,
         "star": True},
    ]
    assert result.stdout.startswith('[\n  {\n    "title": "Drive",\n    "year": 2011,\n    "characters": [\n')
    assert cypher("MATCH (f:Film {id: 'none'}) RETURN f.id AS id", "--format", "json").stdout == "[]\n"


def test_create_is_refused_with_exit_code_5_and_writes_nothing(cypher, neo4j_driver):
    before = neo4j_counts(neo4j_driver)
    message = one_line_error(cypher("CREATE (n:Film {id: 'evil'})"), 5)
    assert message == "this query writes to the graph; run it with --write (write=True) if you mean it"
    one_line_error(cypher("MATCH (f:Film) SET f.title = 'x'"), 5)
    one_line_error(cypher("MATCH (n) DETACH DELETE n", "--format", "json"), 5)
    assert neo4j_counts(neo4j_driver) == before
    assert run_cypher(neo4j_driver, "MATCH (f:Film {id: 'evil'}) RETURN f").empty


def test_write_when_asked(cypher, neo4j_driver):
    result = cypher("CREATE (f:Film {id: $id, title: $title}) RETURN f.id AS id", "--write",
                    "-p", "id=tt0000001", "-p", "title=New", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "id\ntt0000001\n"
    assert run_cypher(neo4j_driver, "MATCH (f:Film {id: 'tt0000001'}) RETURN f.title AS t").t.tolist() == ["New"]


def test_syntax_error_is_one_line(cypher):
    message = one_line_error(cypher("MATCH (n RETURN n"), 1)
    assert message.startswith("Cypher error: Invalid input 'RETURN'")
    message = one_line_error(cypher("RETURN $missing AS x"), 1)
    assert message.startswith("Cypher error: ") and "missing" in message


def test_bad_parameter_and_missing_query(cypher):
    assert one_line_error(cypher("RETURN $v AS v", "-p", "novalue"), 1) == "bad parameter 'novalue': expected name=value"
    result = cypher()
    assert result.exit_code == 2 and "give a QUERY, --example NAME or --list-examples" in result.stderr


def test_unconfigured_neo4j_is_one_line(cypher):
    message = one_line_error(cypher("RETURN 1 AS x", NEO4J_URI=""), 4)
    assert message.startswith("Neo4j is not configured: set NEO4J_URI")


def test_list_examples(cypher):
    result = cypher("--list-examples")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines[0::2]] == ["costar_path", "costars", "director_collaborators",
                                                        "more_like", "people_in_most_clusters"]
    assert lines[0] == ("costar_path                  A shortest co-star path between two people: person, film, "
                        "person, ... through ACTED_IN.")
    assert [line.strip() for line in lines[1::2]] == [
        "-p source=... -p target=...", "-p name=... -p limit=20", "-p name=... -p limit=10", "-p title=...",
        "-p limit=10"]


def test_example(cypher):
    result = cypher("--example", "costar_path", "-p", "source=Keira Knightley", "-p", "target=Sally Hawkins")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "                                                   chain degrees\n"
        "[Keira Knightley, Never Let Me Go (2010), Sally Hawkins]       1\n"
    )
    result = cypher("--example", "costars", "-p", "name=Carey Mulligan", "-p", "limit=3", "--format", "json")
    assert [(r["costar"], r["films"]) for r in json.loads(result.stdout)] == [
        ("Keira Knightley", 2), ("Rosamund Pike", 2), ("Sally Hawkins", 2)]
    result = cypher("--example", "more_like", "-p", "title=Never Let Me Go", "--format", "csv")
    assert [line.split(",")[:4] for line in result.stdout.splitlines()[:3]] == [
        ["film", "year", "rank", "rating"], ["An Education", "2009", "1", "7.3"], ["Shame", "2011", "2", "7.2"]]
    assert one_line_error(cypher("--example", "costar_path"), 1) == "example 'costar_path' needs -p source=... -p target=..."
    assert one_line_error(cypher("--example", "nope"), 1).startswith("no example query 'nope'; there are: costar_path,")


def test_quoted_values_are_parameters_never_query_text(cypher, neo4j_driver, monkeypatch):
    hostile = "x'}) DETACH DELETE n //\" ; MATCH (m) DETACH DELETE m"
    seen = []
    real = reelgraph.neo4j.sync.run_cypher

    def spy(driver, query, parameters=None, **kwargs):
        seen.append((query, dict(parameters or {})))
        return real(driver, query, parameters, **kwargs)

    monkeypatch.setattr(reelgraph.neo4j.sync, "run_cypher", spy)
    before = neo4j_counts(neo4j_driver)
    query = "MATCH (p:Person {name: $name}) RETURN p.name AS name"
    result = cypher(query, "-p", f"name={hostile}")
    assert result.exit_code == 0 and result.stdout == "(no rows)\n"
    assert seen == [(query, {"name": hostile})]
    # Echoed back verbatim, quotes and all.
    echoed = cypher("RETURN $v AS v", "-p", f"v={hostile}", "--format", "json")
    assert json.loads(echoed.stdout) == [{"v": hostile}]
    # Even with --write the value is only ever data.
    written = cypher("CREATE (p:Person {id: 'name:hostile', name: $name}) RETURN p.name AS name", "--write",
                     "-p", f"name={hostile}", "--format", "json")
    assert json.loads(written.stdout) == [{"name": hostile}]
    after = neo4j_counts(neo4j_driver)
    assert after["relationships"] == before["relationships"]
    assert after["nodes"] == {**before["nodes"], "Person": before["nodes"]["Person"] + 1}
    found = cypher("MATCH (p:Person {name: $name}) RETURN p.id AS id", "-p", f"name={hostile}", "--format", "csv")
    assert found.stdout == "id\nname:hostile\n"


def test_json_flag_is_format_json(cypher):
    args = (QUERY, "-p", "name=Carey Mulligan", "-p", "since=2015")
    result = cypher(*args, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [
        {"title": "Far from the Madding Crowd", "year": 2015, "billing": 1, "rating": 7.1},
        {"title": "Suffragette", "year": 2015, "billing": 1, "rating": 6.9},
    ]
    assert cypher(*args, "--format", "json").stdout == result.stdout
    assert cypher(*args, "--json", "--format", "json").stdout == result.stdout
    clash = cypher(*args, "--json", "--format", "csv")
    assert clash.exit_code == 2 and "--json and --format csv contradict each other" in clash.stderr


@pytest.mark.parametrize("inner", [
    "CREATE (n:Film {id: 'evil'}) RETURN n",
    "CREATE (n:NewLabel {id: 'evil'}) RETURN n",
    # These two exited 1 ("Cypher error: Failed to invoke procedure ...") before.
    "CALL apoc.create.node(['Film'], {id: 'evil'}) YIELD node RETURN node",
    "CALL db.createLabel('Evil')",
])
def test_write_refused_by_the_server_exits_like_a_write_refused_by_reelgraph(cypher, neo4j_driver, inner):
    # apoc.when runs its string in the caller's read-only transaction: the plan says "read", the server refuses.
    before = neo4j_counts(neo4j_driver)
    hidden = "CALL apoc.when(true, $inner, '', {}) YIELD value RETURN value"
    message = one_line_error(cypher(hidden, "-p", f"inner={inner}"), 5)
    assert message == "this query writes to the graph; run it with --write (write=True) if you mean it"
    assert neo4j_counts(neo4j_driver) == before
    assert run_cypher(neo4j_driver, "CALL db.labels() YIELD label WHERE label IN ['NewLabel', 'Evil'] "
                      "RETURN label").empty


@pytest.mark.parametrize("query", [
    # Returned no rows with exit 0 before: its own transaction failed out of sight.
    "CALL apoc.cypher.runTimeboxed('CREATE (n:Film {id: \"evil\"}) RETURN n', {}, 1000) YIELD value RETURN value",
    "CALL apoc.periodic.iterate('RETURN 1 AS x', 'CREATE (:Film {id: \"evil\"})', {}) YIELD batches RETURN batches",
    "CALL apoc.periodic.commit('CREATE (n:Film {id: \"evil\"}) WITH n LIMIT $limit RETURN count(*)', {limit: 1})",
    "RETURN apoc.cypher.runFirstColumnSingle('MATCH (n) RETURN count(n)', {}) AS n",
    "CALL apoc.cypher.run('MATCH (n) RETURN count(n) AS n', {}) YIELD value RETURN value",
    "CALL `apoc`.`cypher`.`runTimeboxed`('RETURN 1', {}, 1000) YIELD value RETURN value",
    "CALL apoc /* hidden */ . cypher . runTimeboxed('RETURN 1', {}, 1000) YIELD value RETURN value",
])
def test_cypher_string_runners_are_refused_without_write(cypher, neo4j_driver, query):
    before = neo4j_counts(neo4j_driver)
    message = one_line_error(cypher(query), 5)
    assert message.startswith("this query runs Cypher from a string (apoc.")
    assert message.endswith("which reelgraph cannot keep read-only; run it with --write (write=True) if you mean it")
    assert neo4j_counts(neo4j_driver) == before


def test_cypher_string_runners_run_with_write_and_their_names_in_text_are_no_call(cypher, neo4j_driver):
    named = cypher("RETURN 'apoc.cypher.run' AS name // apoc.periodic.iterate", "--format", "csv")
    assert (named.exit_code, named.stdout) == (0, "name\napoc.cypher.run\n")
    written = cypher("CALL apoc.cypher.doIt('CREATE (f:Film {id: $id}) RETURN f.id AS id', {id: $id}) "
                     "YIELD value RETURN value.id AS id", "--write", "-p", "id=tt0000002", "--format", "csv")
    assert (written.exit_code, written.stdout) == (0, "id\ntt0000002\n"), written.stderr
    assert run_cypher(neo4j_driver, "MATCH (f:Film {id: 'tt0000002'}) RETURN count(f) AS n").n.tolist() == [1]
    timed = cypher("CALL apoc.cypher.runTimeboxed('RETURN $v AS v', {v: 7}, 5000) YIELD value RETURN value.v AS v",
                   "--write", "--format", "csv")
    assert (timed.exit_code, timed.stdout) == (0, "v\n7\n")


def test_a_write_inside_run_timeboxed_does_nothing_even_with_write_and_says_so(cypher, neo4j_driver):
    # APOC runs runTimeboxed's statement with read access and drops its error: no rows, exit 0, nothing written.
    result = cypher("CALL apoc.cypher.runTimeboxed('CREATE (f:Film {id: \"tt0000003\"}) RETURN f.id AS id', {}, 5000)"
                    " YIELD value RETURN value.id AS id", "--write", "--format", "csv")
    assert (result.exit_code, result.stdout) == (0, "id\n")
    assert result.stderr.splitlines() == [
        "reelgraph: warning: apoc.cypher.runTimeboxed runs its statement with read access and drops its errors: "
        "a write in it does nothing, even with --write; to write, use apoc.cypher.doIt, "
        "or CALL { ... } IN TRANSACTIONS"]
    assert run_cypher(neo4j_driver, "MATCH (f:Film {id: 'tt0000003'}) RETURN count(f) AS n").n.tolist() == [0]


def test_server_warnings_are_one_line_each_on_stderr(cypher):
    result = cypher("MATCH (f:Flim) WHERE f.nope = $v RETURN f.title AS title", "-p", "v=1", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout == "title\n"
    assert result.stderr.splitlines() == [
        "reelgraph: warning: label does not exist: the label `Flim` does not exist. "
        "Verify that the spelling is correct. (line 1, column 10)",
        "reelgraph: warning: property key does not exist: the property `nope` does not exist. "
        "Verify that the spelling is correct. (line 1, column 24)",
    ]
    assert cypher("MATCH (f:Film) RETURN count(f) AS n").stderr == ""
