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
full-text indexes ``film_titles`` and ``person_names`` for fuzzy search:
every sync ends by making whichever of them is missing
(:func:`reelgraph.neo4j.indexes.ensure_schema`).

Syncing
-------
:func:`sync_graph` makes Neo4j hold exactly the given canonical graph: every
node and relationship is merged in batches (``UNWIND`` over one parameter
list a column, under the constraints, one transaction a batch, retried on
transient errors; two transactions at a time on parts that share no node)
and stamped with the sync's ``load_id``; once every batch is in, whatever
carries an older stamp or none (stubs merged into full films, credits a newer
source removed) is deleted.  Into an empty database it creates instead of
merging, and stamps nothing: there is nothing to sweep.  Running it twice gives the same graph; a sync cut
short leaves the previous stamp on what it did not reach, and the next sync
finishes the job.  An empty list is stored as no property (as the bulk
import tool, :mod:`reelgraph.neo4j.bulk`, has to).

Values only ever reach Cypher as parameters.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from dataclasses import dataclass

import numpy as np
import pandas as pd
from reelgraph.errors import Neo4jUnavailableError, ReadOnlyQueryError, ReelgraphError
from reelgraph.model import FilmGraph
from reelgraph.neo4j.cypher_guard import is_refused_write, lost_write_lines, notification_lines, string_runners
from reelgraph.neo4j.indexes import ensure_schema
from reelgraph.schema import (
    CREDIT_PROPERTIES,
    FILM_PROPERTIES,
    NODE_LABELS,
    OTHER_ROLE,
    PERSON_PROPERTIES,
    ROLE_RELATIONSHIPS,
    SIMILAR_PROPERTIES,
)

__all__ = [
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

log = logging.getLogger(__name__)
# The driver logs what it meets (a connection lost, a server notification) as
# raw multi-line records; with no handler configured, Python's last-resort
# handler prints them on stderr beside reelgraph's own one-line error.  A
# NullHandler keeps them off stderr; an application that configures logging
# still receives them.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

class Neo4jSyncError(ReelgraphError):
    """A sync stopped part-way; the message says how far it got and what to do."""

    exit_code = 4


@dataclass(frozen=True)
class Neo4jSettings:
    """Where Neo4j is: from arguments, else ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``.

    Examples
    --------
    >>> Neo4jSettings(uri="neo4j://localhost:7687", user="neo4j", password="secret").configured
    True
    >>> settings = Neo4jSettings.from_env()  # NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD
    """

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
    reelgraph.errors.Neo4jUnavailableError: Neo4j is not configured
    """
    import neo4j
    from neo4j.exceptions import AuthError, ServiceUnavailable

    settings = settings or Neo4jSettings.from_env()
    if not settings.configured:
        raise Neo4jUnavailableError("Neo4j is not configured: set NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD "
                                    "(or start one with 'reelgraph neo4j start')")
    try:
        # Notifications OFF: the server sends none (unknown property keys,
        # deprecations, ...), so the driver does not log them as multi-line
        # blocks on stderr (it does since 5.21).  reelgraph's own queries
        # are known, and a user's query reports its errors as errors.
        driver = neo4j.GraphDatabase.driver(settings.uri, auth=(settings.user, settings.password or ""),
                                            notifications_min_severity="OFF")
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


# -- sync -----------------------------------------------------------------------

def _unique_last(df: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """One row a key, the last one: what ``MERGE`` then ``SET`` leaves of duplicates."""
    return df.drop_duplicates(key, keep="last") if len(df) and df.duplicated(key).any() else df


def _sync_tables(graph: FilmGraph):
    """The rows a sync creates, one a node or relationship (shared with :mod:`reelgraph.neo4j.bulk`).

    Returns ``films``, ``people``, ``genres`` (``id``, ``genres``: one row a
    film and genre), ``credits`` (with ``_type``, and ``_role`` for
    ``WORKED_ON``) and ``similar``.  Rows that cannot become part of the
    graph are left out: missing ids, credits and links whose person or film
    is not in the tables (a ``MATCH`` would find nothing), empty genre names,
    links without a source; of rows sharing a key the last one stays.
    """
    films = _unique_last(graph.films[graph.films["id"].notna()], ["id"])
    people = _unique_last(graph.people[graph.people["id"].notna()], ["id"])
    film_ids = films["id"]
    person_ids = people["id"]

    genres = films[["id", "genres"]].explode("genres").dropna()
    genres = genres.assign(genres=genres["genres"].astype(str))
    genres = genres[genres["genres"] != ""].drop_duplicates(["id", "genres"])

    credits = graph.credits
    credits = credits[credits["person_id"].isin(person_ids) & credits["film_id"].isin(film_ids) & credits["role"].notna()]
    rel_type = credits["role"].map(ROLE_RELATIONSHIPS).fillna(OTHER_ROLE)
    credits = credits.assign(_type=rel_type.to_numpy(dtype=object),
                             _role=credits["role"].where(rel_type == OTHER_ROLE, None).to_numpy(dtype=object))
    credits = _unique_last(credits, ["person_id", "film_id", "_type", "_role"])

    similar = graph.similar
    similar = similar[similar["film_id"].isin(film_ids) & similar["similar_id"].isin(film_ids) & similar["source"].notna()]
    similar = _unique_last(similar, ["film_id", "similar_id", "source"])
    return films, people, genres, credits, similar


def _values(series: pd.Series, table: str | None = None) -> list:
    """A column as plain Python values for Bolt, None for a missing value.

    A list column of ``table`` becomes lists of str (of int for
    :data:`~reelgraph.model.INT_LIST_COLUMNS`), and an empty list None:
    missing, as the bulk import tool (which cannot store an empty array)
    leaves it too.
    """
    from reelgraph.model import INT_LIST_COLUMNS, LIST_COLUMNS

    if table is not None and series.name in LIST_COLUMNS[table]:
        item = int if series.name in INT_LIST_COLUMNS[table] else str
        return [[item(v) for v in cell] or None if isinstance(cell, (list, tuple)) else None for cell in series]
    return series.to_numpy(dtype=object, na_value=None).tolist()


@dataclass
class _Step:
    """One sync step: ``columns`` holds a list a column (keys first), ``size`` rows."""

    description: str
    kind: str  # "node", "credit", "genre", "similar"
    name: str  # label or relationship type
    columns: dict
    properties: tuple
    size: int


def _sync_plan(graph: FilmGraph) -> list[_Step]:
    films, people, genres, credits, similar = _sync_tables(graph)

    def node_step(description, label, df, properties, table):
        properties = tuple(p for p in properties if p in df.columns)
        columns = {"k": _values(df["id"]), **{p: _values(df[p], table) for p in properties}}
        return _Step(description, "node", label, columns, properties, len(df))

    steps = [node_step("films", "Film", films, FILM_PROPERTIES, "films"),
             node_step("people", "Person", people, PERSON_PROPERTIES, "people")]
    names = sorted(set(genres["genres"]))
    steps.append(_Step("genres", "genre_nodes", "Genre", {"k": names}, (), len(names)))
    steps.append(_Step("genre links", "genre", "IN_GENRE", {"a": _values(genres["id"]), "b": _values(genres["genres"])},
                       (), len(genres)))
    for rel_type in list(ROLE_RELATIONSHIPS.values()) + [OTHER_ROLE]:
        part = credits[credits["_type"] == rel_type]
        if len(part):
            properties = tuple(p for p in CREDIT_PROPERTIES if p in part.columns)
            columns = {"a": _values(part["person_id"]), "b": _values(part["film_id"]),
                       **({"role": _values(part["_role"])} if rel_type == OTHER_ROLE else {}),
                       **{p: _values(part[p], "credits") for p in properties}}
            steps.append(_Step(f"{rel_type} credits", "credit", rel_type, columns, properties, len(part)))
    properties = tuple(p for p in SIMILAR_PROPERTIES if p in similar.columns)
    steps.append(_Step("more like this", "similar", "MORE_LIKE_THIS",
                       {"a": _values(similar["film_id"]), "b": _values(similar["similar_id"]),
                        "s": _values(similar["source"]), **{p: _values(similar[p]) for p in properties}},
                       properties, len(similar)))
    return steps


def _statement(step: _Step, present: tuple, create: bool) -> str:
    """The Cypher of one batch.

    Every value is a parameter: one list a column (``$k``, ``$a``, ``$b``,
    ``$p0`` ...), indexed by ``i``.  Labels, types and property names come
    from this module's constants, never from data.  ``present`` are the
    property columns with a value in this batch: the others are left out of
    the ``SET x = {...}`` map, which removes them just the same.  ``create``
    (an empty database) uses ``CREATE`` instead of ``MERGE``: no look-up of
    an existing relationship, rows being unique already.
    """
    verb = "CREATE" if create else "MERGE"
    # "=" replaces every property (a merged node or relationship loses those
    # no longer in the tables); on a new one "+=" does the same, minus
    # writing the key twice.
    assign = "+=" if create else "="
    props = [f"{p}: $p{i}[i]" for i, p in enumerate(step.properties) if p in present]
    # The stamp marks what this sync touched, for the stale sweep; a first
    # load has nothing to sweep, so it stamps nothing (about a sixth of the
    # server's work a relationship).
    stamp = [] if create else ["load_id: $load_id"]

    def set_map(var: str, entries: list) -> str:
        return f" SET {var} {assign} {{{', '.join(entries)}}}" if entries else ""

    if step.kind == "node":
        return (f"UNWIND range(0, size($k) - 1) AS i {verb} (n:{step.name} {{id: $k[i]}})"
                + set_map("n", props + ["id: $k[i]"] + stamp)
                + " RETURN collect(n.id) AS keys, collect(elementId(n)) AS ids")
    if step.kind == "genre_nodes":
        return (f"UNWIND $k AS name MERGE (g:Genre {{name: name}}) {'' if create else 'SET g.load_id = $load_id '}"
                "RETURN collect(g.name) AS keys, collect(elementId(g)) AS ids")
    # Relationships find their nodes by the element ids their node steps
    # returned: a direct look-up, about a quarter cheaper than the index seek.
    ends = "UNWIND range(0, size($a) - 1) AS i MATCH (x) WHERE elementId(x) = $a[i] MATCH (y) WHERE elementId(y) = $b[i] "
    if step.kind == "genre":
        return ends + f"{verb} (x)-[r:IN_GENRE]->(y)" + ("" if create else " SET r.load_id = $load_id")
    if step.kind == "credit":
        worked_on = step.name == OTHER_ROLE
        key = " {role: $role[i]}" if worked_on else ""
        return (ends + f"{verb} (x)-[r:{step.name}{key}]->(y)"
                + set_map("r", (["role: $role[i]"] if worked_on else []) + props + stamp))
    key = "" if create else " {source: $s[i]}"
    return ends + f"{verb} (x)-[r:MORE_LIKE_THIS{key}]->(y)" + set_map("r", props + ["source: $s[i]"] + stamp)


#: Labels of the start and end nodes of each kind of relationship step.
_ENDS = {"credit": ("Person", "Film"), "genre": ("Film", "Genre"), "similar": ("Film", "Film")}


def _resolve(step: _Step, element_ids: dict) -> _Step:
    """The step with its start and end keys replaced by the element ids of those nodes."""
    columns = dict(step.columns)
    for column, label in zip(("a", "b"), _ENDS[step.kind]):
        found = element_ids[label]
        try:
            columns[column] = [found[k] for k in columns[column]]
        except KeyError as missing:
            # Every end is in the node tables (_sync_tables drops the rest), so
            # the server left out a node it was sent: seen once, with a second
            # test run sharing the server.  Say so, rather than a traceback.
            raise Neo4jSyncError(
                f"Neo4j sync stopped at the {step.description}: the server returned no {label} node "
                f"{missing.args[0]!r} for the node sent; the local store is complete: "
                "run the same command again to finish the sync") from None
    return _Step(step.description, step.kind, step.name, columns, step.properties, step.size)


def _batches(step: _Step, size: int):
    """(present property columns, parameters) a batch; a property with no value in the batch is not sent."""
    keys = [c for c in step.columns if c not in step.properties]
    for start in range(0, step.size, size):
        params = {c: step.columns[c][start : start + size] for c in keys}
        present = []
        for i, p in enumerate(step.properties):
            values = step.columns[p][start : start + size]
            if values.count(None) < len(values):
                present.append(p)
                params[f"p{i}"] = values
        yield tuple(present), params


def _database_is_empty(session) -> bool:
    return (session.run("MATCH (n) RETURN count(n) AS n").single()["n"] == 0
            and session.run("MATCH ()-[r]->() RETURN count(r) AS n").single()["n"] == 0)


def _subset(step: _Step, rows) -> _Step:
    columns = {name: [values[i] for i in rows] for name, values in step.columns.items()}
    return _Step(step.description, step.kind, step.name, columns, step.properties, len(rows))


def _buckets(keys: list, n: int) -> np.ndarray:
    return (pd.util.hash_array(np.asarray(keys, dtype=object)) % n).astype(np.int64)


def _phases(group: list[_Step], workers: int) -> list[list[list[_Step]]]:
    """A group of steps as phases of lanes: the lanes of a phase run side by side, each its parts in turn.

    Transactions that create relationships on the same node at the same time
    deadlock (Neo4j locks both ends).  So ("mix and batch") the start nodes
    go into ``workers`` buckets by hash and so do the end nodes, and in phase
    ``k`` lane ``i`` takes the rows whose (start, end) buckets are
    ``(i, (i + k) % workers)``: no two lanes share a node.  The credit steps
    (one a relationship type) go as one group, so they share the phases.
    Nodes split into contiguous parts (their keys are distinct).  Film-to-Film
    links have Films at both ends: only phase 0 has lanes apart, the other
    phases run as one lane.  Genre nodes and small groups run as one lane.
    """
    kind = group[0].kind
    if workers < 2 or kind == "genre_nodes":
        return [[list(group)]]
    if kind == "node":
        (step,) = group
        bounds = np.linspace(0, step.size, workers + 1).astype(int)
        return [[[_subset(step, range(a, b))] for a, b in zip(bounds[:-1], bounds[1:]) if b > a]]
    buckets = [(_buckets(step.columns["a"], workers), _buckets(step.columns["b"], workers)) for step in group]
    phases = []
    for k in range(workers):
        lanes = []
        for i in range(workers):
            lane = []
            for step, (start, end) in zip(group, buckets):
                rows = np.flatnonzero((start == i) & (end == (i + k) % workers))
                if len(rows):
                    lane.append(_subset(step, rows.tolist()))
            if lane:
                lanes.append(lane)
        if kind == "similar" and k:
            # Film to Film: only in phase 0 are the lanes' films apart.
            lanes = [[part for lane in lanes for part in lane]] if lanes else []
        if lanes:
            phases.append(lanes)
    return phases


def _write(session, statement: str, params: dict, load_id: str, attempts: int = 30):
    """Run one batch in its own transaction and return its record (if any); retry a deadlock at once,
    other transient errors after a pause.

    Parts that share no node can still meet on a relationship next to both
    in a node's chain, so two workers occasionally deadlock.  The server
    picks a victim immediately; the driver's own retry would wait about a
    second, which at two deadlocks a second is most of the time.
    """
    import random

    from neo4j.exceptions import TransientError

    for attempt in range(attempts):
        try:
            with session.begin_transaction() as tx:
                record = tx.run(statement, params, load_id=load_id).single()
                tx.commit()
            return record
        except TransientError as exc:
            if attempt == attempts - 1:
                raise
            deadlock = "DeadlockDetected" in (exc.code or "")
            time.sleep(random.uniform(0.005, 0.05) if deadlock else min(0.5 * 2 ** attempt, 10))


def sync_graph(driver, graph: FilmGraph, *, batch_size: int = 10_000, progress: bool = True,
               workers: int = 2) -> dict:
    """Make Neo4j hold exactly ``graph``: merge everything in batches, then drop what is stale.

    How it is fast (about 4x the row-by-row-map version):

    * each batch sends one list a column, not a map a row (the Python Bolt
      packer costs per value), and leaves out columns with no value in it;
    * into an empty database (a first load) it uses ``CREATE`` instead of
      ``MERGE`` (no look-up of existing relationships: rows are made unique
      first, the way ``MERGE`` would fold them), finds the ends of
      relationships by element id rather than by key, so it builds the whole
      schema (constraints too) only at the end, in one pass, and skips the
      stale sweep (nothing can be stale);
    * ``workers`` transactions run at once, on parts that share no node (see
      :func:`_phases`), so they never deadlock and the server uses more than
      one core.

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
    workers : int
        Transactions at a time (1: one after the other).

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
    import threading

    from neo4j.exceptions import DriverError, Neo4jError
    from tqdm import tqdm

    load_id = uuid.uuid4().hex
    steps = _sync_plan(graph)
    element_ids = {"Film": {}, "Person": {}, "Genre": {}}
    total = sum(step.size for step in steps)
    done = 0
    lock = threading.Lock()
    bar = tqdm(total=total, unit="rows", desc="neo4j", disable=not progress, leave=False)

    def run_part(part: _Step, create: bool) -> None:
        nonlocal done
        with _session(driver) as session:
            for present, params in _batches(part, batch_size):
                statement = _statement(part, present, create)
                rows = len(next(iter(params.values())))
                record = _write(session, statement, params, load_id)
                if record is not None:
                    element_ids[part.name].update(zip(record["keys"], record["ids"]))
                with lock:
                    done += rows
                    bar.update(rows)

    def run_lane(lane: list[_Step], create: bool) -> None:
        for part in lane:
            run_part(part, create)

    def run_phase(lanes: list[list[_Step]], create: bool) -> None:
        if len(lanes) == 1:
            return run_lane(lanes[0], create)
        errors = []

        def guarded(lane):
            try:
                run_lane(lane, create)
            except BaseException as exc:  # re-raised below, in the caller's thread
                errors.append(exc)

        threads = [threading.Thread(target=guarded, args=(lane,), name=f"neo4j sync {i}") for i, lane in enumerate(lanes)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]

    try:
        with _session(driver) as session:
            create = _database_is_empty(session)
        if not create:
            ensure_schema(driver, indexes=False)
        groups = []  # consecutive credit steps form one group
        for step in steps:
            if groups and step.kind == "credit" and groups[-1][0].kind == "credit":
                groups[-1].append(step)
            else:
                groups.append([step])
        for group in groups:
            bar.set_description(f"neo4j {group[0].description if len(group) == 1 else 'credits'}")
            group = [_resolve(step, element_ids) if step.kind in _ENDS else step for step in group]
            size = sum(step.size for step in group)
            for phase in _phases(group, workers if size > batch_size else 1):
                run_phase(phase, create)
        if not create:
            with _session(driver) as session:
                _delete_stale(session, load_id)
        # Every sync ends with the whole schema, not only a first one: a
        # first load cut short left data but no indexes, and its rerun (a
        # sync into a database that holds data) must build them.
        ensure_schema(driver)
    except (DriverError, Neo4jError, OSError) as exc:  # DriverError: the client's side (ServiceUnavailable, SessionExpired, ...)
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
                 for label in NODE_LABELS}
        rels = {row["type"]: row["n"] for row in session.run(
            "MATCH ()-[r]->() RETURN type(r) AS type, count(r) AS n ORDER BY type")}
    return {"nodes": nodes, "relationships": rels}


def write_clusters(driver, clusters: pd.Series, batch_size: int = 20_000) -> None:
    """Store cluster ids (film id -> cluster) as ``Film.cluster``; films not listed lose theirs."""
    rows = [{"id": str(k), "cluster": int(v)} for k, v in clusters.dropna().items()]
    with _session(driver) as session:
        session.run("MATCH (f:Film) WHERE f.cluster IS NOT NULL "
                    "CALL (f) { REMOVE f.cluster } IN TRANSACTIONS OF 50000 ROWS").consume()
        for start in range(0, len(rows), batch_size):
            session.execute_write(lambda tx, b=rows[start : start + batch_size]: tx.run(
                "UNWIND $rows AS row MATCH (f:Film {id: row.id}) SET f.cluster = row.cluster", rows=b).consume())


# -- Cypher access ----------------------------------------------------------------

_WRITES = "this query writes to the graph; run it with --write (write=True) if you mean it"


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
        refused before it runs (its plan says so), and so is one that calls
        a procedure or function running Cypher from a string
        (``apoc.cypher.*``, ``apoc.periodic.*``:
        :mod:`reelgraph.neo4j.cypher_guard`); the transaction is opened
        read-only, so the server refuses any write the plan hid.

    Returns
    -------
    pandas.DataFrame
        The rows; ``frame.attrs["notifications"]`` holds the server's
        warnings on the query (an unknown label, a deprecated form, ...),
        one line each.

    Raises
    ------
    ReadOnlyQueryError
        For a write without ``write=True``, whether reelgraph or the server
        refuses it, and for a write the server refuses even with it.
    ReelgraphError
        For a syntax error or another error the server reports.

    Examples
    --------
    >>> driver = connect(Neo4jSettings.from_env())  # doctest: +SKIP
    >>> run_cypher(driver, "MATCH (p:Person) WHERE toLower(p.name) = toLower($name) RETURN p.id AS id",
    ...            {"name": "carey mulligan"})  # doctest: +SKIP
                   id
    0  name:carey-mulligan
    """
    import neo4j
    from neo4j.exceptions import ClientError, Neo4jError

    parameters = parameters or {}

    def work(tx):
        result = tx.run(query, parameters)
        keys, rows = list(result.keys()), [[_plain(v) for v in record.values()] for record in result]
        return keys, rows, notification_lines(result.consume())

    try:
        # The user's query, unlike reelgraph's own, hears the server's warnings (made one line each).
        with _session(driver, default_access_mode=neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS,
                      notifications_min_severity="WARNING") as session:
            if write:
                # Auto-commit, not a managed transaction: CALL { ... } IN TRANSACTIONS needs it.
                keys, rows, notes = work(session)
                notes = lost_write_lines(query) + notes
            else:
                plan = session.run("EXPLAIN " + query, parameters).consume()
                runners = string_runners(query, plan.plan)
                if runners:  # named first: whatever its plan says, this is why the query is refused
                    raise ReadOnlyQueryError(
                        f"this query runs Cypher from a string ({', '.join(runners)}), which reelgraph cannot keep "
                        "read-only; run it with --write (write=True) if you mean it")
                if plan.query_type not in ("r", None):
                    raise ReadOnlyQueryError(_WRITES)
                keys, rows, notes = session.execute_read(work)
    except ClientError as exc:
        first_line = (exc.message or str(exc)).splitlines()[0]
        if is_refused_write(exc):
            # The server's refusal (of a write the plan hid, or of a write it
            # does not allow): the same error, and exit code, as reelgraph's own.
            raise ReadOnlyQueryError(f"Neo4j refused the write: {first_line}" if write else _WRITES) from None
        raise ReelgraphError(f"Cypher error: {first_line}") from None
    except Neo4jError as exc:
        raise ReelgraphError(f"Neo4j error: {(exc.message or str(exc)).splitlines()[0]}") from None
    # dtype=object: values stay as Neo4j gave them (null stays None, integers stay
    # integers); numeric inference would turn a null into NaN and ints into floats.
    frame = pd.DataFrame(rows, columns=keys, dtype=object)
    frame.attrs["notifications"] = notes
    return frame


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
