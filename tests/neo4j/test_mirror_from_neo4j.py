"""The mirror built from Neo4j equals the one built from the store; paths agree with Neo4j's shortestPath."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reelgraph.cli import main
from reelgraph.mirror import build_mirror, mirror_counts
from reelgraph.neo4j.read import read_graph
from reelgraph.neo4j.sync import run_cypher, sync_graph
from reelgraph.analysis.paths import costar_path

pytestmark = pytest.mark.neo4j

REPO = Path(__file__).resolve().parents[2]


def test_mirror_from_neo4j_equals_mirror_from_store(neo4j_driver, sample_graph):
    sync_graph(neo4j_driver, sample_graph, progress=False)
    from_neo4j = build_mirror(read_graph(neo4j_driver))
    from_store = build_mirror(sample_graph)
    assert mirror_counts(from_neo4j) == mirror_counts(from_store)
    assert set(from_neo4j.nx.edges) == set(from_store.nx.edges)


PAIRS = [
    ("Keira Knightley", "Sally Hawkins"),
    ("Keira Knightley", "Brian Milligan"),
    ("Andrew Garfield", "Saoirse Ronan"),
    ("Charles Cork", "Saoirse Ronan"),
    ("Huggy Leaver", "Ben Whishaw"),
]


@pytest.mark.parametrize("source, target", PAIRS)
def test_path_lengths_equal_neo4j_shortest_path(neo4j_driver, sample_graph, source, target):
    sync_graph(neo4j_driver, sample_graph, progress=False)
    mirror = build_mirror(sample_graph)
    ours = costar_path(mirror, source, target)
    theirs = run_cypher(neo4j_driver, "MATCH (a:Person {name: $a}), (b:Person {name: $b}) "
                        "MATCH p = shortestPath((a)-[:ACTED_IN*]-(b)) RETURN length(p) / 2 AS hops",
                        {"a": source, "b": target})
    assert ours.distance == theirs.hops[0]


def test_mirror_check_agrees_after_demo(neo4j_driver, neo4j_settings, tmp_path):
    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user, "NEO4J_PASSWORD": neo4j_settings.password}
    store = str(tmp_path / "store")
    demo = CliRunner().invoke(main, ["demo", "--quiet", "--store", store, "--views", str(tmp_path / "v")], env=env)
    assert demo.exit_code == 0, demo.output
    assert demo.output.rstrip().endswith("and in Neo4j")
    check = CliRunner().invoke(main, ["mirror", "--check", "--store", store], env=env)
    assert check.exit_code == 0, check.output
    assert check.output.startswith("mirror and Neo4j agree: 30 Film, 281 Person, 16 Genre")
    with neo4j_driver.session() as session:
        session.run("MATCH (f:Film {id: 'tt1334260'}) DETACH DELETE f").consume()
    check = CliRunner().invoke(main, ["mirror", "--check", "--store", store], env=env)
    assert check.exit_code == 1
    assert "differs: nodes Film: mirror 30, neo4j 29" in check.output


def test_mirror_check_reports_a_missing_schema_item(neo4j_driver, neo4j_settings, tmp_path):
    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user, "NEO4J_PASSWORD": neo4j_settings.password}
    store = str(tmp_path / "store")
    demo = CliRunner().invoke(main, ["demo", "--quiet", "--store", store, "--views", str(tmp_path / "v")], env=env)
    assert demo.exit_code == 0, demo.output
    run_cypher(neo4j_driver, "DROP INDEX film_titles", write=True)
    check = CliRunner().invoke(main, ["mirror", "--check", "--store", store], env=env)
    assert (check.exit_code, check.output) == (1, "neo4j schema: full-text index film_titles "
                                                  "(Film.title, Film.original_title) is missing (the next load makes it)\n")
    as_json = CliRunner().invoke(main, ["mirror", "--check", "--store", store, "--json"], env=env)
    assert json.loads(as_json.stdout)["schema_missing"] == [
        "full-text index film_titles (Film.title, Film.original_title) is missing"]
    load = CliRunner().invoke(main, ["load", "--quiet", "--store", store, str(REPO / "loaders" / "sample" / "pages")],
                              env=env)
    assert load.exit_code == 0, load.output
    check = CliRunner().invoke(main, ["mirror", "--check", "--store", store], env=env)
    assert check.exit_code == 0 and check.output.startswith("mirror and Neo4j agree: 30 Film"), check.output
