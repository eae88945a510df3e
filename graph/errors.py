"""Exceptions reelgraph raises on purpose.

Every error a user can cause (bad files, unknown names, an unreachable
server) is a :class:`ReelgraphError`; the CLI prints its message on one line
and exits non-zero, without a traceback.  Anything else is a bug.
"""

__all__ = [
    "ReelgraphError",
    "InputError",
    "StoreError",
    "NameNotFoundError",
    "AmbiguousNameError",
    "Neo4jUnavailableError",
    "ReadOnlyQueryError",
    "NoCreditError",
    "TooBigError",
]


class ReelgraphError(Exception):
    """Base class of every error that is the user's to fix."""

    exit_code = 1


class InputError(ReelgraphError):
    """A source file is missing, empty, binary, truncated or malformed.

    Parameters
    ----------
    path : str or os.PathLike
        The file (or folder) at fault; it starts the message.
    problem : str
        What is wrong with it, in a few words.
    line : int, optional
        The 1-based line number, for line-oriented formats.
    """

    exit_code = 2

    def __init__(self, path, problem, line=None):
        self.path = str(path)
        self.problem = problem
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")


class StoreError(ReelgraphError):
    """The local store is missing or unreadable."""


class NameNotFoundError(ReelgraphError):
    """No person or film has this name; ``suggestions`` holds close names."""

    exit_code = 3

    def __init__(self, kind, name, suggestions=()):
        self.kind = kind
        self.name = name
        self.suggestions = list(suggestions)
        hint = f"; did you mean {', '.join(repr(s) for s in self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"no {kind} named {name!r}{hint}")


class AmbiguousNameError(ReelgraphError):
    """Several people or films share this name; ``candidates`` lists them."""

    exit_code = 3

    def __init__(self, kind, name, candidates, count: int | None = None):
        self.kind = kind
        self.name = name
        self.candidates = list(candidates)
        #: How many share the name; ``candidates`` may list only the best known (then a "... and N more" line).
        self.count = len(self.candidates) if count is None else count
        listed = "; ".join(self.candidates)
        plural = {"person": "people"}.get(kind, f"{kind}s")
        super().__init__(f"{self.count} {plural} are named {name!r}, pass an id instead: {listed}")


class Neo4jUnavailableError(ReelgraphError):
    """Neo4j is not configured, not running, or refused the credentials."""

    exit_code = 4


class ReadOnlyQueryError(ReelgraphError):
    """A query tried to write while the session was read-only."""

    exit_code = 5


class NoCreditError(ReelgraphError):
    """A person at the end of a chain has no credit that links people (a director when only acting links).

    Attributes
    ----------
    person : str
        Their id.
    roles : list of str
        The roles they are credited in (empty: no credit at all).
    actors_only : bool
        Whether only acting credits linked.
    fix : {"actors_only", "exclude_roles"} or None
        What would link them: any credit (``actors_only=False``; a director),
        or keeping their roles out of ``exclude_roles`` (someone credited only
        as ``self``); None when they have no credit at all.
    """

    HINTS = {"actors_only": "link people through any credit with actors_only=False",
             "exclude_roles": "their roles are in exclude_roles"}

    def __init__(self, person: str, label: str, roles, actors_only: bool, fix: str | None, hint: str | None = None):
        self.person, self.label, self.roles, self.actors_only, self.fix = person, label, list(roles), actors_only, fix
        if not self.roles:
            text = f"{label} ({person}) has no credit, so no chain reaches them"
        else:
            what = "acting credit" if actors_only else "credit of the roles that link people"
            text = f"{label} ({person}) has no {what} (credited as {', '.join(self.roles)}), so no co-star chain reaches them"
        hint = hint if hint is not None else self.HINTS.get(fix)
        super().__init__(text + (f"; {hint}" if hint else ""))


class TooBigError(ReelgraphError):
    """A run would need more memory than the machine has free: stopped before it starts.

    The message says how much it would need, how much is free, and the
    option that narrows the run.  Stopping early is the point: the kernel
    would otherwise kill the process halfway, with no message.  Also raised
    when DuckDB's out-of-core work outgrows its own memory limit, naming
    the setting that raises it.
    """
