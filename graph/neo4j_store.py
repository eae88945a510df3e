"""Neo4j as a store of the canonical graph: schema, batched idempotent sync, Cypher access.

Schema
------
Nodes ``(:Film {id, title, year, ...})``, ``(:Person {id, name, ...})`` and
``(:Genre {name})``.  Relationships, one per canonical row:

* a credit with role ``actor`` -> ``ACTED_IN {characters, billing, star}``,
  ``director`` -> ``DIRECTED``, ``writer`` -> ``WROTE {job}``, ``producer`` ->
  ``PRODUCED``, ``composer`` -> ``COMPOSED``, any other role ->
  ``WORKED_ON {role, job}``;
* a film genre -> ``(:Film)-[:IN_GENRE]->(:Genre)``;
* a similar row -> ``(:Film)-[:MORE_LIKE_THIS {rank, source}]->(:Film)``.

Uniqueness constraints on ``Film.id``, ``Person.id`` and ``Genre.name``,
range indexes on ``Person.name``, ``Film.title`` and ``Film.year``, and the
full-text indexes ``film_titles`` and ``person_names`` for fuzzy search.

Syncing
-------
:func:`sync_graph` makes Neo4j hold exactly the given canonical graph: every
node and relationship is merged in batches (``UNWIND $rows`` under the
constraints, one transaction a batch, retried on transient errors) and stamped
with the sync's ``load_id``; once every batch is in, whatever carries an older
stamp (stubs merged into full films, credits a newer source removed) is
deleted.  Running it twice gives the same graph; a sync cut short leaves the
previous stamp on what it did not reach, and the next sync finishes the job.

Values only ever reach Cypher as parameters.
"""

from __future__ import annotations

import json
import math
import os
import uuid
from dataclasses import dataclass

import pandas as pd

from graph.errors import Neo4jUnavailableError, ReadOnlyQueryError, ReelgraphError
from graph.model import FilmGraph

__all__ = [
    "RELATIONSHIP_TYPES",
    "Neo4jSettings",
    "connect",
    "ensure_schema",
    "sync_graph",
    "neo4j_counts",
    "run_cypher",
    "write_clusters",
    "Neo4jSyncError",
    "parse_parameter",
]

#: Credit role -> relationship type; roles not listed become ``WORKED_ON {role}``.
RELATIONSHIP_TYPES = {
    "actor": "ACTED_IN",
    "director": "DIRECTED",
    "writer": "WROTE",
    "producer": "PRODUCED",
    "composer": "COMPOSED",
}
OTHER_ROLE = "WORKED_ON"

_SCHEMA = (
    "CREATE CONSTRAINT film_id IF NOT EXISTS FOR (f:Film) REQUIRE f.id IS UNIQUE",
    "CREATE CONSTRAINT person_id IF NOT EXISTS FOR (p:Person) REQUIRE p.id IS UNIQUE",
    "CREATE CONSTRAINT genre_name IF NOT EXISTS FOR (g:Genre) REQUIRE g.name IS UNIQUE",
    "CREATE INDEX person_name IF NOT EXISTS FOR (p:Person) ON (p.name)",
    "CREATE INDEX film_title IF NOT EXISTS FOR (f:Film) ON (f.title)",
    "CREATE INDEX film_year IF NOT EXISTS FOR (f:Film) ON (f.year)",
    "CREATE FULLTEXT INDEX film_titles IF NOT EXISTS FOR (f:Film) ON EACH [f.title, f.original_title]",
    "CREATE FULLTEXT INDEX person_names IF NOT EXISTS FOR (p:Person) ON EACH [p.name]",
)


class Neo4jSyncError(ReelgraphError):
    """A sync stopped part-way; the message says how far it got and what to do."""

    exit_code = 4


@dataclass(frozen=True)
class Neo4jSettings:
    """Where Neo4j is: from arguments, else ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``."""

    uri: str | None = None
    user: str | None = None
    password: str | None = None
    database: str | None = None

    @classmethod
    def from_env(cls, uri=None, user=None, password=None, database=None) -> "Neo4jSettings":
        return cls(
            uri=uri or os.environ.get("NEO4J_URI"),
            user=user or os.environ.get("NEO4J_USER", "neo4j"),
            password=password or os.environ.get("NEO4J_PASSWORD"),
            database=database or os.environ.get("NEO4J_DATABASE") or None,
        )

    @property
    def configured(self) -> bool:
        return bool(self.uri)


def connect(settings: Neo4jSettings | None = None):
    """An open, verified ``neo4j.Driver``; :class:`Neo4jUnavailableError` if that fails.

    Examples
    --------
    >>> connect(Neo4jSettings())  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    graph.errors.Neo4jUnavailableError: Neo4j is not configured
    """
    import neo4j
    from neo4j.exceptions import AuthError, ServiceUnavailable

    settings = settings or Neo4jSettings.from_env()
    if not settings.configured:
        raise Neo4jUnavailableError("Neo4j is not configured: set NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD "
                                    "(or start one with 'reelgraph neo4j start')")
    try:
        driver = neo4j.GraphDatabase.driver(settings.uri, auth=(settings.user, settings.password or ""))
    except (ValueError, neo4j.exceptions.ConfigurationError) as exc:
        raise Neo4jUnavailableError(f"bad NEO4J_URI {settings.uri!r}: {exc}") from None
    try:
        driver.verify_connectivity()
    except AuthError:
        driver.close()
        raise Neo4jUnavailableError(f"Neo4j at {settings.uri} refused user {settings.user!r}: check NEO4J_PASSWORD") from None
    except (ServiceUnavailable, OSError) as exc:
        driver.close()
        raise Neo4jUnavailableError(f"Neo4j at {settings.uri} does not answer ({type(exc).__name__}); "
                                    "is it running? ('reelgraph neo4j status')") from None
    driver._reelgraph_database = settings.database
    return driver


def _session(driver, **kwargs):
    database = getattr(driver, "_reelgraph_database", None)
    return driver.session(database=database, **kwargs) if database else driver.session(**kwargs)


def ensure_schema(driver) -> None:
    """Create the constraints and indexes (each only if missing)."""
    with _session(driver) as session:
        for statement in _SCHEMA:
            session.run(statement).consume()
        session.run("CALL db.awaitIndexes(300)").consume()


# -- sync -----------------------------------------------------------------------


def _clean(value):
    """A cell as Neo4j takes it: no NaN/NA, lists as lists, numpy scalars as Python."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _records(df: pd.DataFrame, columns) -> list[dict]:
    columns = [c for c in columns if c in df.columns]
    return [{c: _clean(v) for c, v in zip(columns, row)} for row in df[columns].itertuples(index=False, name=None)]


_FILM_PROPERTIES = ("title", "year", "title_type", "rating", "votes", "runtime_minutes", "genres", "certificate",
                    "release_date", "countries", "languages", "plot", "keywords", "companies", "budget",
                    "gross_worldwide", "source", "stub", "original_title", "is_adult", "popularity", "metascore",
                    "tagline", "release_country", "also_known_as", "keywords_total", "budget_currency",
                    "gross_currency", "cluster")
_PERSON_PROPERTIES = ("name", "birth_year", "death_year", "professions")

_NODE_STATEMENTS = {
    "Film": "UNWIND $rows AS row MERGE (n:Film {id: row.id}) SET n = row.props, n.id = row.id, n.load_id = $load_id",
    "Person": "UNWIND $rows AS row MERGE (n:Person {id: row.id}) SET n = row.props, n.id = row.id, n.load_id = $load_id",
}
_GENRE_STATEMENT = (
    "UNWIND $rows AS row MATCH (f:Film {id: row.id}) UNWIND row.genres AS genre "
    "MERGE (g:Genre {name: genre}) SET g.load_id = $load_id "
    "MERGE (f)-[r:IN_GENRE]->(g) SET r.load_id = $load_id"
)
_SIMILAR_STATEMENT = (
    "UNWIND $rows AS row MATCH (a:Film {id: row.film_id}) MATCH (b:Film {id: row.similar_id}) "
    "MERGE (a)-[r:MORE_LIKE_THIS {source: row.source}]->(b) SET r.rank = row.rank, r.load_id = $load_id"
)


def _credit_statement(rel_type: str) -> str:
    # The relationship type cannot be a parameter; it comes from RELATIONSHIP_TYPES, never from data.
    key = "{role: row.role}" if rel_type == OTHER_ROLE else ""
    return (
        "UNWIND $rows AS row MATCH (p:Person {id: row.person_id}) MATCH (f:Film {id: row.film_id}) "
        f"MERGE (p)-[r:{rel_type} {key}]->(f) "
        "SET r.characters = row.characters, r.billing = row.billing, r.star = row.star, r.job = row.job, "
        "r.load_id = $load_id"
    )


def _batches(rows: list, size: int):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _sync_steps(graph: FilmGraph):
    """(description, statement, rows) for every step of a sync, nodes first."""
    films = graph.films
    film_rows = [{"id": r["id"], "props": {k: v for k, v in r.items() if k != "id" and v is not None}}
                 for r in _records(films, ("id",) + _FILM_PROPERTIES)]
    people_rows = [{"id": r["id"], "props": {k: v for k, v in r.items() if k != "id" and v is not None}}
                   for r in _records(graph.people, ("id",) + _PERSON_PROPERTIES)]
    yield "films", _NODE_STATEMENTS["Film"], film_rows
    yield "people", _NODE_STATEMENTS["Person"], people_rows
    genre_rows = [r for r in _records(films, ("id", "genres")) if r["genres"]]
    yield "genres", _GENRE_STATEMENT, genre_rows
    credits = graph.credits
    rel_types = credits["role"].map(RELATIONSHIP_TYPES).fillna(OTHER_ROLE)
    for rel_type in list(RELATIONSHIP_TYPES.values()) + [OTHER_ROLE]:
        part = credits[rel_types == rel_type]
        if len(part):
            yield f"{rel_type} credits", _credit_statement(rel_type), _records(
                part, ("person_id", "film_id", "role", "characters", "billing", "star", "job"))
    yield "more like this", _SIMILAR_STATEMENT, _records(graph.similar, ("film_id", "similar_id", "rank", "source"))


def sync_graph(driver, graph: FilmGraph, *, batch_size: int = 10_000, progress: bool = True) -> dict:
    """Make Neo4j hold exactly ``graph``: merge everything in batches, then drop what is stale.

    Parameters
    ----------
    driver : neo4j.Driver
        From :func:`connect`.
    graph : FilmGraph
        The canonical graph (usually the whole local store).
    batch_size : int
        Rows per ``UNWIND`` transaction.
    progress : bool
        Show a progress bar (rows/s, ETA).

    Returns
    -------
    dict
        :func:`neo4j_counts` after the sync.

    Raises
    ------
    Neo4jSyncError
        When the server fails part-way; nothing stale is deleted then, and
        running the sync again completes it.
    """
    from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired
    from tqdm import tqdm

    ensure_schema(driver)
    load_id = uuid.uuid4().hex
    steps = list(_sync_steps(graph))
    total = sum(len(rows) for _, _, rows in steps)
    done = 0
    bar = tqdm(total=total, unit="rows", desc="neo4j", disable=not progress, leave=False)
    try:
        with _session(driver) as session:
            for description, statement, rows in steps:
                bar.set_description(f"neo4j {description}")
                for batch in _batches(rows, batch_size):
                    # execute_write retries transient errors (deadlocks, leader switches) itself.
                    session.execute_write(lambda tx, b=batch: tx.run(statement, rows=b, load_id=load_id).consume())
                    done += len(batch)
                    bar.update(len(batch))
            _delete_stale(session, load_id)
    except (ServiceUnavailable, SessionExpired, Neo4jError, OSError) as exc:
        raise Neo4jSyncError(
            f"Neo4j sync stopped after {done} of {total} rows ({type(exc).__name__}: {str(exc).splitlines()[0][:200]}); "
            "the local store is complete: once Neo4j answers again, run the same command again to finish the sync"
        ) from None
    finally:
        bar.close()
    return neo4j_counts(driver)


def _delete_stale(session, load_id: str) -> None:
    # Auto-commit transactions: CALL { } IN TRANSACTIONS keeps memory flat on big graphs.
    session.run(
        "MATCH ()-[r]->() WHERE r.load_id IS NULL OR r.load_id <> $load_id "
        "CALL (r) { DELETE r } IN TRANSACTIONS OF 50000 ROWS", load_id=load_id).consume()
    session.run(
        "MATCH (n) WHERE (n:Film OR n:Person OR n:Genre) AND (n.load_id IS NULL OR n.load_id <> $load_id) "
        "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 50000 ROWS", load_id=load_id).consume()


def neo4j_counts(driver) -> dict:
    """Node counts per label and relationship counts per type.

    Returns ``{"nodes": {"Film": n, ...}, "relationships": {"ACTED_IN": n, ...}}``.
    """
    with _session(driver) as session:
        nodes = {label: session.run(f"MATCH (n:{label}) RETURN count(n) AS n").single()["n"]
                 for label in ("Film", "Person", "Genre")}
        rels = {row["type"]: row["n"] for row in session.run(
            "MATCH ()-[r]->() RETURN type(r) AS type, count(r) AS n ORDER BY type")}
    return {"nodes": nodes, "relationships": rels}


def write_clusters(driver, clusters: pd.Series, batch_size: int = 20_000) -> None:
    """Store cluster ids (film id -> cluster) as ``Film.cluster``; films not listed lose theirs."""
    rows = [{"id": str(k), "cluster": int(v)} for k, v in clusters.dropna().items()]
    with _session(driver) as session:
        session.run("MATCH (f:Film) WHERE f.cluster IS NOT NULL "
                    "CALL (f) { REMOVE f.cluster } IN TRANSACTIONS OF 50000 ROWS").consume()
        for batch in _batches(rows, batch_size):
            session.execute_write(lambda tx, b=batch: tx.run(
                "UNWIND $rows AS row MATCH (f:Film {id: row.id}) SET f.cluster = row.cluster", rows=b).consume())


# -- Cypher access ----------------------------------------------------------------


def _plain(value):
    """Neo4j values as plain Python: nodes and relationships become dicts, paths lists."""
    import neo4j.graph

    if isinstance(value, neo4j.graph.Node):
        return {"labels": sorted(value.labels), **dict(value)}
    if isinstance(value, neo4j.graph.Relationship):
        return {"type": value.type, **dict(value)}
    if isinstance(value, neo4j.graph.Path):
        return [_plain(n) for n in value.nodes]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


def run_cypher(driver, query: str, parameters: dict | None = None, *, write: bool = False) -> pd.DataFrame:
    """Run a Cypher query and return its rows as a DataFrame.

    Parameters
    ----------
    driver : neo4j.Driver
        From :func:`connect`.
    query : str
        The Cypher text.  Values belong in ``parameters``, never in the text.
    parameters : dict, optional
        Query parameters (``$name`` in the query).
    write : bool
        Allow the query to write.  By default a query that would write is
        refused before it runs (its plan says so) and the transaction is
        opened read-only, so the server refuses any write the plan hid.

    Raises
    ------
    ReadOnlyQueryError
        For a write without ``write=True``.
    ReelgraphError
        For a syntax error or another error the server reports.
    """
    import neo4j
    from neo4j.exceptions import ClientError, Neo4jError

    parameters = parameters or {}
    try:
        with _session(driver, default_access_mode=neo4j.READ_ACCESS if not write else neo4j.WRITE_ACCESS) as session:
            if not write:
                plan = session.run("EXPLAIN " + query, parameters).consume()
                if plan.query_type not in ("r", None):
                    raise ReadOnlyQueryError("this query writes to the graph; run it with --write (write=True) if you mean it")

                def work(tx):
                    result = tx.run(query, parameters)
                    return list(result.keys()), [[_plain(v) for v in record.values()] for record in result]

                keys, rows = session.execute_read(work)
            else:
                result = session.run(query, parameters)
                keys = list(result.keys())
                rows = [[_plain(v) for v in record.values()] for record in result]
    except ClientError as exc:
        if "AccessMode" in (exc.code or "") or "read access mode" in str(exc).lower():
            raise ReadOnlyQueryError("this query writes to the graph; run it with --write (write=True) if you mean it") from None
        raise ReelgraphError(f"Cypher error: {(exc.message or str(exc)).splitlines()[0]}") from None
    except Neo4jError as exc:
        raise ReelgraphError(f"Neo4j error: {(exc.message or str(exc)).splitlines()[0]}") from None
    return pd.DataFrame(rows, columns=keys)


def parse_parameter(text: str) -> tuple[str, object]:
    """``name=value`` from the command line; the value is JSON if it parses, else a string.

    Examples
    --------
    >>> parse_parameter("name=Keira Knightley")
    ('name', 'Keira Knightley')
    >>> parse_parameter("limit=5")
    ('limit', 5)
    """
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise ReelgraphError(f"bad parameter {text!r}: expected name=value")
    try:
        return name.strip(), json.loads(value)
    except ValueError:
        return name.strip(), value
