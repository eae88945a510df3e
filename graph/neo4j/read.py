"""The canonical tables read back out of Neo4j, so the NetworkX mirror can be built from Neo4j itself.

:func:`read_graph` inverts :func:`reelgraph.neo4j.sync.sync_graph`: ``:Film`` and
``:Person`` nodes become the ``films`` and ``people`` tables, the credit
relationships the ``credits`` table (relationship type back to role), and
``MORE_LIKE_THIS`` the ``similar`` table.  A graph synced from the local store
and read back gives the same mirror as the store itself.
"""

from __future__ import annotations

import pandas as pd
from reelgraph.model import FILM_COLUMNS, PEOPLE_COLUMNS, FilmGraph
from reelgraph.neo4j.sync import _session
from reelgraph.schema import FILM, MORE_LIKE_THIS, PERSON, role_of

__all__ = ["read_graph"]


def _frame(session, query: str, columns: list[str]) -> pd.DataFrame:
    rows = [record.values() for record in session.run(query)]
    return pd.DataFrame(rows, columns=columns, dtype=object)


def read_graph(driver) -> FilmGraph:
    """Read every film, person, credit and "More like this" link from Neo4j into a FilmGraph.

    Parameters
    ----------
    driver : neo4j.Driver
        From :func:`reelgraph.neo4j.sync.connect`.

    Returns
    -------
    FilmGraph
        Property names are the canonical column names; lists stay lists.

    Examples
    --------
    >>> from reelgraph.neo4j.sync import Neo4jSettings, connect
    >>> graph = read_graph(connect(Neo4jSettings.from_env()))  # doctest: +SKIP
    >>> graph.counts()  # doctest: +SKIP
    {'films': 30, 'people': 281, 'credits': 361, 'similar': 12}
    """
    film_props = [c for c in FILM_COLUMNS if c != "id"]
    person_props = [c for c in PEOPLE_COLUMNS if c != "id"]
    # _session: the database connect() was given (NEO4J_DATABASE), not the server's default.
    with _session(driver) as session:
        films = _frame(session, f"MATCH (f:{FILM}) RETURN f.id, " + ", ".join(f"f.`{c}`" for c in film_props),
                       ["id", *film_props])
        people = _frame(session, f"MATCH (p:{PERSON}) RETURN p.id, " + ", ".join(f"p.`{c}`" for c in person_props),
                        ["id", *person_props])
        credits = _frame(session, f"MATCH (p:{PERSON})-[r]->(f:{FILM}) WHERE type(r) <> '{MORE_LIKE_THIS}' "
                         "RETURN p.id, f.id, type(r), r.role, r.characters, r.job, r.billing, r.star",
                         ["person_id", "film_id", "type", "role", "characters", "job", "billing", "star"])
        similar = _frame(session, f"MATCH (a:{FILM})-[r:{MORE_LIKE_THIS}]->(b:{FILM}) "
                         "RETURN a.id, b.id, r.rank, r.source", ["film_id", "similar_id", "rank", "source"])
    credits["role"] = credits["type"].map(role_of).fillna(credits["role"])
    return FilmGraph(films, people, credits.drop(columns=["type"]), similar)
