"""Example Cypher queries shipped with reelgraph, one ``.cypher`` file each.

Each file starts with two comment lines: what the query answers, and its
parameters (``name`` or ``name=default``).  ``reelgraph cypher --example NAME``
runs one; :func:`example_queries` lists them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from reelgraph.errors import ReelgraphError

__all__ = ["ExampleQuery", "example_queries", "example_query"]

_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class ExampleQuery:
    name: str
    description: str
    text: str
    parameters: tuple[str, ...] = ()
    defaults: dict = field(default_factory=dict)

    def bind(self, given: dict) -> dict:
        """The parameters to run with: defaults, then ``given``; refuse a missing one."""
        bound = {**self.defaults, **given}
        missing = [p for p in self.parameters if p not in bound]
        if missing:
            raise ReelgraphError(f"example {self.name!r} needs -p {'=... -p '.join(missing)}=...")
        return bound


def _parse(path: Path) -> ExampleQuery:
    lines = path.read_text().splitlines()
    description = lines[0].removeprefix("//").strip()
    params_line = lines[1].removeprefix("//").strip().removeprefix("params:").strip()
    names, defaults = [], {}
    for item in filter(None, (p.strip() for p in params_line.split(","))):
        name, _, default = item.partition("=")
        names.append(name)
        if default:
            defaults[name] = json.loads(default)
    return ExampleQuery(path.stem, description, "\n".join(lines[2:]).strip(), tuple(names), defaults)


def example_queries() -> dict[str, ExampleQuery]:
    """Every shipped example, by name.

    Examples
    --------
    >>> sorted(example_queries())[:2]
    ['costar_path', 'costars']
    """
    return {path.stem: _parse(path) for path in sorted(_HERE.glob("*.cypher"))}


def example_query(name: str) -> ExampleQuery:
    queries = example_queries()
    if name not in queries:
        raise ReelgraphError(f"no example query {name!r}; there are: {', '.join(queries)}")
    return queries[name]
