"""What keeps a user's Cypher read-only, and turns what the server says about it into one line.

:func:`reelgraph.neo4j.sync.run_cypher` runs a query read-only unless asked
to write: the query's plan must say it only reads, and its transaction is
opened in read mode, so the server refuses a write the plan hid.  Two gaps
remain, which this module closes:

* procedures and functions that run Cypher given as a string
  (``apoc.cypher.*``, ``apoc.periodic.*``): the plan of the outer query
  says "read" whatever the string does, and several run it in a transaction
  of their own, which is not read-only (``apoc.cypher.runTimeboxed`` wrote
  nothing only because its error was swallowed, and returned no rows with
  exit 0).  :func:`string_runners` finds them, in the query's text and in
  its plan, so that they are refused without ``--write``; with it,
  :func:`lost_write_lines` warns where a write would still do nothing;
* the server's refusals come in several forms (an access-mode error, an
  ``AuthorizationViolationException`` wrapped in a procedure's failure);
  :func:`is_refused_write` recognises them all, so every refused write
  exits the same way.

:func:`notification_lines` makes the server's notifications (an unknown
label, a deprecated form, ...) one readable line each.

Examples
--------
>>> string_runners("CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'SET n.x = 1', {})")
['apoc.periodic.iterate']
>>> string_runners("RETURN 'apoc.cypher.run' AS text // apoc.cypher.run")
[]
>>> string_runners("RETURN `apoc` . `cypher`.runFirstColumnSingle('RETURN 1', {}) AS x")
['apoc.cypher.runFirstColumnSingle']
"""

from __future__ import annotations

import re

__all__ = ["CYPHER_STRING_RUNNERS", "string_runners", "lost_write_lines", "is_refused_write", "notification_lines"]

#: Namespaces of APOC core's procedures and functions that run a Cypher
#: string, some of them in a transaction of their own, which a read-only
#: session does not reach.  Those that only ever run it in the caller's
#: transaction (apoc.when, apoc.case, ...) are checked by the server.
CYPHER_STRING_RUNNERS = ("apoc.cypher", "apoc.periodic")

#: Comments, string literals and backticked names, leftmost first: a ``//``
#: inside a string is no comment, a quote inside backticks opens no string.
_LEXEMES = re.compile(r"//[^\n]*|/\*.*?\*/|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`(?:[^`]|``)*`", re.S)
_RUNNER = re.compile(r"\b(" + "|".join(r"\s*\.\s*".join(map(re.escape, ns.split("."))) for ns in CYPHER_STRING_RUNNERS)
                     + r")\s*\.\s*(\w+)", re.I)


def _code(query: str) -> str:
    """The query without comments and string literals, backticked names unquoted."""

    def keep(match: re.Match) -> str:
        text = match.group()
        return text[1:-1].replace("``", "`") if text.startswith("`") else " "

    return _LEXEMES.sub(keep, query)


def _plan_details(plan) -> list[str]:
    """The ``Details`` of every operator of an EXPLAIN plan (the server's own reading of the query)."""
    if not plan:
        return []
    details = [str((plan.get("args") or plan.get("arguments") or {}).get("Details", ""))]
    for child in plan.get("children") or ():
        details += _plan_details(child)
    return details


def string_runners(query: str, plan: dict | None = None) -> list[str]:
    """Names of the Cypher-string runners ``query`` calls, sorted, each once.

    Parameters
    ----------
    query : str
        The Cypher text, read with its comments and string literals left out.
    plan : dict, optional
        Its EXPLAIN plan (``ResultSummary.plan``), whose operators name the
        procedures and functions the server resolved (its details can be
        cut short on long expressions, hence the text as well).
    """
    texts = [_code(query), *_plan_details(plan)]
    found = {re.sub(r"\s+", "", f"{m.group(1)}.{m.group(2)}") for text in texts for m in _RUNNER.finditer(text)}
    return sorted(found)


#: Runners that run their string with read access whatever the session's:
#: a write in it fails inside APOC, which drops the error and returns no
#: rows, so even ``--write`` writes nothing through them (seen on APOC 5.26).
_READ_ACCESS_RUNNERS = {"apoc.cypher.runtimeboxed": "apoc.cypher.doIt, or CALL { ... } IN TRANSACTIONS"}


def lost_write_lines(query: str) -> list[str]:
    """One warning line per runner in ``query`` through which even ``--write`` writes nothing.

    Examples
    --------
    >>> lost_write_lines("CALL apoc.cypher.runTimeboxed('CREATE (:Probe)', {}, 1000)")  # doctest: +NORMALIZE_WHITESPACE
    ['apoc.cypher.runTimeboxed runs its statement with read access and drops its errors: a write in it does
      nothing, even with --write; to write, use apoc.cypher.doIt, or CALL { ... } IN TRANSACTIONS']
    """
    return [f"{name} runs its statement with read access and drops its errors: a write in it does nothing, "
            f"even with --write; to write, use {_READ_ACCESS_RUNNERS[name.lower()]}"
            for name in string_runners(query) if name.lower() in _READ_ACCESS_RUNNERS]


def is_refused_write(exc) -> bool:
    """Whether a server error is its refusal of a write (read access mode, or no privilege to write).

    In a read-only transaction the server says so as an access-mode error, as
    ``Forbidden`` "... overridden by READ", or, inside a procedure, as a
    failed call caused by an ``AuthorizationViolationException``; a database
    that is read-only says ``WriteOnReadOnlyAccessDatabase``.
    """
    code, text = exc.code or "", str(exc)
    return ("AccessMode" in code or "ReadOnly" in code or "Security.Forbidden" in code
            or "AuthorizationViolation" in text or "overridden by READ" in text
            or "read access mode" in text.lower())


def notification_lines(summary) -> list[str]:
    """The server's notifications on a query, one line each, in order, each once.

    E.g. ``"label does not exist: the label `Flim` does not exist. Verify that
    the spelling is correct. (line 1, column 10)"``.
    """
    lines = []
    for status in getattr(summary, "gql_status_objects", ()):
        if not status.is_notification:
            continue
        text = " ".join(str(status.status_description).split())
        head, dot, rest = re.sub(r"^(?:warn|info|note): ", "", text).partition(". ")
        text = f"{head}: {rest[:1].lower()}{rest[1:]}" if dot and rest else text
        position = status.position
        where = f" (line {position.line}, column {position.column})" if position is not None else ""
        if text + where not in lines:
            lines.append(text + where)
    return lines
