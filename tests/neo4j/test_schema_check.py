"""What :func:`reelgraph.neo4j.indexes.missing_schema` reports, and :func:`ensure_schema` puts right."""

import pytest

from reelgraph.neo4j.indexes import ensure_schema, missing_schema, schema_items
from reelgraph.neo4j.sync import run_cypher, sync_graph
from reelgraph.schema import SCHEMA_STATEMENTS

pytestmark = pytest.mark.neo4j


def test_every_statement_is_read_as_an_item():
    items = schema_items()
    assert [item.statement for item in items] == list(SCHEMA_STATEMENTS)
    assert [item.describe() for item in items] == [
        "constraint film_id (Film.id unique)", "constraint person_id (Person.id unique)",
        "constraint genre_name (Genre.name unique)", "index person_name (Person.name)", "index film_title (Film.title)",
        "index film_year (Film.year)", "full-text index film_titles (Film.title, Film.original_title)",
        "full-text index person_names (Person.name)"]


def test_an_empty_database_lacks_every_item(neo4j_driver):
    for item in schema_items():
        run_cypher(neo4j_driver, f"DROP {'CONSTRAINT' if item.kind == 'constraint' else 'INDEX'} {item.name} IF EXISTS",
                   write=True)
    assert missing_schema(neo4j_driver) == [f"{item.describe()} is missing" for item in schema_items()]
    ensure_schema(neo4j_driver)
    assert missing_schema(neo4j_driver) == []


def test_a_dropped_item_is_reported_and_the_next_load_makes_it_again(neo4j_driver, sample_graph):
    sync_graph(neo4j_driver, sample_graph, progress=False)
    assert missing_schema(neo4j_driver) == []
    run_cypher(neo4j_driver, "DROP INDEX film_year", write=True)
    run_cypher(neo4j_driver, "DROP CONSTRAINT genre_name", write=True)
    assert missing_schema(neo4j_driver) == ["constraint genre_name (Genre.name unique) is missing",
                                            "index film_year (Film.year) is missing"]
    # A load into a database that holds data (not a first load) ends with the whole schema too.
    sync_graph(neo4j_driver, sample_graph, progress=False)
    assert missing_schema(neo4j_driver) == []


def test_an_equivalent_index_of_another_name_counts(neo4j_driver):
    ensure_schema(neo4j_driver)
    run_cypher(neo4j_driver, "DROP INDEX person_name", write=True)
    run_cypher(neo4j_driver, "CREATE INDEX my_people FOR (p:Person) ON (p.name)", write=True)
    run_cypher(neo4j_driver, "CALL db.awaitIndexes(60)", write=True)
    try:
        # IF NOT EXISTS takes it for person_name, so the check does as well.
        assert missing_schema(neo4j_driver) == []
        ensure_schema(neo4j_driver)
        names = run_cypher(neo4j_driver, "SHOW RANGE INDEXES YIELD name, labelsOrTypes, properties "
                           "WHERE labelsOrTypes = ['Person'] AND properties = ['name'] RETURN name").name.tolist()
        assert names == ["my_people"]
    finally:
        run_cypher(neo4j_driver, "DROP INDEX my_people IF EXISTS", write=True)
        ensure_schema(neo4j_driver)
