"""The graph schema's constraints and indexes in Neo4j: create what is missing, report what is missing.

The items are :data:`reelgraph.schema.SCHEMA_ITEMS` (kind, name, label,
properties), defined there once with the statements made from them;
:func:`missing_schema` compares them with what the server lists.

Every load ends with :func:`ensure_schema`, whatever happened before (a first
load cut short by a stopped server, a bulk import whose index build was
killed): the rerun of a load always leaves the whole schema in place.
``reelgraph mirror --check`` reports what :func:`missing_schema` finds.

Examples
--------
>>> [(item.kind, item.name, item.label, item.properties) for item in schema_items()][::3]
[('constraint', 'film_id', 'Film', ('id',)), ('index', 'person_name', 'Person', ('name',)), \
('fulltext', 'film_titles', 'Film', ('title', 'original_title'))]
>>> schema_items()[0].describe()
'constraint film_id (Film.id unique)'
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from reelgraph.schema import FULLTEXT_ANALYZER, FULLTEXT_INDEXES, SCHEMA_ITEMS, SCHEMA_STATEMENTS

__all__ = ["SchemaItem", "schema_items", "ensure_schema", "missing_schema"]

log = logging.getLogger(__name__)

#: The ``type`` SHOW INDEXES gives each kind (a constraint's own index is a RANGE index).
_INDEX_TYPES = {"constraint": "RANGE", "index": "RANGE", "fulltext": "FULLTEXT"}
_WORDS = {"constraint": "constraint", "index": "index", "fulltext": "full-text index"}


@dataclass(frozen=True)
class SchemaItem:
    """One constraint or index of the schema: ``kind`` is ``constraint``, ``index`` or ``fulltext``."""

    kind: str
    name: str
    label: str
    properties: tuple
    statement: str

    def describe(self) -> str:
        """The item in a few words, e.g. ``index person_name (Person.name)``."""
        on = ", ".join(f"{self.label}.{p}" for p in self.properties)
        return f"{_WORDS[self.kind]} {self.name} ({on}{' unique' if self.kind == 'constraint' else ''})"


def schema_items() -> list[SchemaItem]:
    """The constraints and indexes of :data:`reelgraph.schema.SCHEMA_ITEMS`, in their order, with their statements."""
    return [SchemaItem(*item, statement) for item, statement in zip(SCHEMA_ITEMS, SCHEMA_STATEMENTS)]


def _session(driver):
    from reelgraph.neo4j.sync import _session

    return _session(driver)


def _show_indexes(session) -> list[dict]:
    return [dict(record) for record in session.run(
        "SHOW INDEXES YIELD name, type, labelsOrTypes, properties, state, owningConstraint, options")]


def _same_schema(item: SchemaItem, index: dict) -> bool:
    return (index["type"] == _INDEX_TYPES[item.kind] and (index["labelsOrTypes"] or []) == [item.label]
            and tuple(index["properties"] or ()) == item.properties
            and (index["owningConstraint"] is not None) == (item.kind == "constraint"))


def _find(item: SchemaItem, indexes: list[dict]) -> dict | None:
    """The server's index that is ``item``: of its name, else of its schema (what ``IF NOT EXISTS`` accepts)."""
    named = [i for i in indexes if item.name in (i["name"], i["owningConstraint"])]
    return (named or [i for i in indexes if _same_schema(item, i)] or [None])[0]


def missing_schema(driver) -> list[str]:
    """What the database lacks of the schema: one line an item missing, not online, or made otherwise.

    An item counts as there when an index or constraint of its name, or of
    the same kind on the same label and properties, exists (what ``CREATE
    ... IF NOT EXISTS`` takes for it), is ``ONLINE`` and, for a full-text
    index, folds accents (:data:`reelgraph.schema.FULLTEXT_ANALYZER`).

    Returns
    -------
    list of str
        Empty when the whole schema is in place, else e.g.
        ``["index person_name (Person.name) is missing"]``.
    """
    with _session(driver) as session:
        indexes = _show_indexes(session)
    problems = []
    for item in schema_items():
        index = _find(item, indexes)
        if index is None:
            problems.append(f"{item.describe()} is missing")
        elif index["state"] != "ONLINE":
            problems.append(f"{item.describe()} is {index['state']}, not ONLINE")
        elif item.kind == "fulltext" and _analyzer(index) != FULLTEXT_ANALYZER:
            problems.append(f"{item.describe()} uses the analyzer {_analyzer(index)!r}, not {FULLTEXT_ANALYZER!r}")
    return problems


def _analyzer(index: dict):
    return ((index.get("options") or {}).get("indexConfig") or {}).get("fulltext.analyzer")


def ensure_schema(driver, *, indexes: bool = True) -> None:
    """Create the constraints and indexes (each only if missing), and wait until they are online.

    ``indexes=False`` creates the uniqueness constraints only (what a sync
    into a database that holds data needs to find nodes by key).  Every
    load ends with the full call, which also remakes a full-text index an
    older reelgraph made with another analyzer and an index of the schema
    whose build failed (a server killed while building it), so that
    afterwards :func:`missing_schema` finds nothing.
    """
    items = [item for item in schema_items() if indexes or item.kind == "constraint"]
    with _session(driver) as session:
        if indexes:
            for index in _show_indexes(session):
                ours = index["name"] in {item.name for item in items if item.kind != "constraint"}
                stale = index["name"] in FULLTEXT_INDEXES and _analyzer(index) != FULLTEXT_ANALYZER
                if ours and (stale or index["state"] == "FAILED"):
                    if stale:
                        log.warning("Neo4j: remaking the full-text index %s to fold accents (once)", index["name"])
                    else:
                        log.warning("Neo4j: remaking the index %s: its build had failed", index["name"])
                    session.run(f"DROP INDEX `{index['name']}` IF EXISTS").consume()
        for item in items:
            _run_schema_statement(session, item.statement)
        session.run("CALL db.awaitIndexes(300)").consume()


def _run_schema_statement(session, statement: str, attempts: int = 5) -> None:
    """Run one ``... IF NOT EXISTS`` schema statement, waiting out another session creating the same item.

    Two loads starting at once both find a constraint missing and both
    create it; the server fails the second (``ConstraintCreationFailed``,
    ``EquivalentSchemaRuleAlreadyExists``) instead of treating it as there.
    Run again once the first has finished, ``IF NOT EXISTS`` sees it.
    """
    import neo4j

    for attempt in range(attempts):
        try:
            session.run(statement).consume()
            return
        except (neo4j.exceptions.DatabaseError, neo4j.exceptions.ClientError) as exc:
            if ".Schema." not in (exc.code or "") or attempt == attempts - 1:
                raise
            log.info("Neo4j: %s while another session changed the schema; trying again", exc.code)
            time.sleep(0.5 * (attempt + 1))
