"""Shared fixtures: the test Neo4j server and the bundled sample."""

import contextlib
import os
import socket

import pytest

from reelgraph.model import merge_graphs


@pytest.fixture(scope="session")
def free_ports():
    """A function giving ``n`` distinct free local ports, for servers of the tests' own."""

    def pick(n: int = 2) -> list[int]:
        # All sockets held open together while picking, so the ports differ.
        with contextlib.ExitStack() as stack:
            socks = [stack.enter_context(socket.socket()) for _ in range(n)]
            for sock in socks:
                sock.bind(("127.0.0.1", 0))
            return [sock.getsockname()[1] for sock in socks]

    return pick


@pytest.fixture(scope="session")
def sample_graph():
    """The bundled sample, merged as ``reelgraph demo`` merges it."""
    from reelgraph.loaders import read_sources
    from reelgraph.loaders.sample import SAMPLE_SOURCES

    return merge_graphs(read_sources(SAMPLE_SOURCES))


@pytest.fixture(scope="session")
def neo4j_settings():
    """The test server's settings; the tests wipe its database, so it must be a test server.

    ``scripts/test`` starts one and sets ``REELGRAPH_TEST_NEO4J=1`` with the
    NEO4J_* variables. Run directly, pytest skips these tests unless they are set.
    """
    from reelgraph.neo4j.sync import Neo4jSettings

    if not os.environ.get("REELGRAPH_TEST_NEO4J"):
        pytest.skip("needs the test Neo4j server: run ./scripts/test (or set REELGRAPH_TEST_NEO4J=1 and NEO4J_*)")
    return Neo4jSettings.from_env()


@pytest.fixture
def neo4j_driver(neo4j_settings):
    """A driver on an empty test database (everything is deleted first)."""
    from reelgraph.neo4j.sync import connect

    driver = connect(neo4j_settings)
    with driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    yield driver
    driver.close()


def _expected_neo4j_counts(graph) -> dict:
    """What Neo4j must hold for ``graph``, computed from the canonical tables alone."""
    from reelgraph.schema import OTHER_ROLE, ROLE_RELATIONSHIPS

    rel = graph.credits["role"].map(ROLE_RELATIONSHIPS).fillna(OTHER_ROLE).value_counts().to_dict()
    genres = sorted({g for gs in graph.films["genres"] for g in gs})
    in_genre = sum(len(set(gs)) for gs in graph.films["genres"])
    if len(graph.similar):
        rel["MORE_LIKE_THIS"] = len(graph.similar)
    if in_genre:
        rel["IN_GENRE"] = in_genre
    return {"nodes": {"Film": len(graph.films), "Person": len(graph.people), "Genre": len(genres)},
            "relationships": dict(sorted(rel.items()))}


@pytest.fixture(scope="session")
def expected_counts():
    """The oracle for Neo4j counts: ``expected_counts(graph) -> {"nodes": ..., "relationships": ...}``."""
    return _expected_neo4j_counts
