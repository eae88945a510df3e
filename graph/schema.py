"""The graph schema, defined once: labels, relationship types, properties, indexes.

The NetworkX mirror, both Neo4j writers (batched sync and bulk import), the
Neo4j reader and the tests take these names from here:

* ``(:Person)-[:ACTED_IN {characters, billing, star}]->(:Film)``, ``DIRECTED``,
  ``WROTE {job}``, ``PRODUCED``, ``COMPOSED``; any other role
  ``WORKED_ON {role}``;
* ``(:Film)-[:IN_GENRE]->(:Genre)``;
* ``(:Film)-[:MORE_LIKE_THIS {rank, source}]->(:Film)``.

Examples
--------
>>> relationship_type("actor"), relationship_type("editor")
('ACTED_IN', 'WORKED_ON')
>>> role_of("DIRECTED")
'director'
"""

from __future__ import annotations

__all__ = [
    "FILM", "PERSON", "GENRE", "NODE_LABELS",
    "ROLE_RELATIONSHIPS", "OTHER_ROLE", "IN_GENRE", "MORE_LIKE_THIS", "RELATIONSHIP_TYPES",
    "FILM_PROPERTIES", "PERSON_PROPERTIES", "CREDIT_PROPERTIES", "SIMILAR_PROPERTIES",
    "SCHEMA_ITEMS", "SCHEMA_STATEMENTS", "FULLTEXT_ANALYZER", "FULLTEXT_INDEXES", "relationship_type", "role_of",
]

FILM, PERSON, GENRE = "Film", "Person", "Genre"
#: Every node label, in the order counts report them.
NODE_LABELS = (FILM, PERSON, GENRE)

#: Credit role -> relationship type; a role not listed is :data:`OTHER_ROLE` ``{role}``.
ROLE_RELATIONSHIPS = {
    "actor": "ACTED_IN",
    "director": "DIRECTED",
    "writer": "WROTE",
    "producer": "PRODUCED",
    "composer": "COMPOSED",
}
OTHER_ROLE = "WORKED_ON"
IN_GENRE = "IN_GENRE"
MORE_LIKE_THIS = "MORE_LIKE_THIS"
#: Every relationship type, in the order counts report them.
RELATIONSHIP_TYPES = (*ROLE_RELATIONSHIPS.values(), OTHER_ROLE, IN_GENRE, MORE_LIKE_THIS)

#: Properties written on each node and relationship (ids are the MERGE keys).
#: A film's ``complete_credits`` stays in the store: it only clears
#: ``incomplete_credits`` in the merge (:func:`reelgraph.model.merge_graphs`),
#: which is what Neo4j gets.
FILM_PROPERTIES = ("title", "year", "title_type", "rating", "votes", "runtime_minutes", "genres", "certificate",
                   "release_date", "countries", "languages", "plot", "keywords", "companies", "budget",
                   "gross_worldwide", "source", "stub", "original_title", "is_adult", "popularity", "metascore",
                   "tagline", "release_country", "also_known_as", "keywords_total", "keyword_relevant", "keyword_voters", "budget_currency",
                   "gross_currency", "cluster", "incomplete_credits")
PERSON_PROPERTIES = ("name", "birth_year", "death_year", "professions")
CREDIT_PROPERTIES = ("characters", "billing", "star", "job")
SIMILAR_PROPERTIES = ("rank",)  # and source, the MERGE key

#: The analyzer of the full-text indexes: it folds case and accents, so
#: queries match names as the CLI does.  An index made with another analyzer
#: (by an older reelgraph) is made again.
FULLTEXT_ANALYZER = "standard-folding"
_FULLTEXT_OPTIONS = f"OPTIONS {{indexConfig: {{`fulltext.analyzer`: '{FULLTEXT_ANALYZER}'}}}}"

#: Constraints and indexes, created idempotently: ``(kind, name, label, properties)``, kind being
#: ``constraint`` (unique), ``index`` or ``fulltext``.  :data:`SCHEMA_STATEMENTS` are made from them.
SCHEMA_ITEMS = (
    ("constraint", "film_id", FILM, ("id",)),
    ("constraint", "person_id", PERSON, ("id",)),
    ("constraint", "genre_name", GENRE, ("name",)),
    ("index", "person_name", PERSON, ("name",)),
    ("index", "film_title", FILM, ("title",)),
    ("index", "film_year", FILM, ("year",)),
    ("fulltext", "film_titles", FILM, ("title", "original_title")),
    ("fulltext", "person_names", PERSON, ("name",)),
)


def _schema_statement(kind: str, name: str, label: str, properties: tuple) -> str:
    """The ``CREATE ... IF NOT EXISTS`` statement of one of :data:`SCHEMA_ITEMS`."""
    v = label[0].lower()
    on = ", ".join(f"{v}.{p}" for p in properties)
    head = f"IF NOT EXISTS FOR ({v}:{label})"
    if kind == "constraint":
        return f"CREATE CONSTRAINT {name} {head} REQUIRE {on} IS UNIQUE"
    if kind == "index":
        return f"CREATE INDEX {name} {head} ON ({on})"
    return f"CREATE FULLTEXT INDEX {name} {head} ON EACH [{on}] {_FULLTEXT_OPTIONS}"


SCHEMA_STATEMENTS = tuple(_schema_statement(*item) for item in SCHEMA_ITEMS)
FULLTEXT_INDEXES = tuple(name for kind, name, _, _ in SCHEMA_ITEMS if kind == "fulltext")

_ROLE_OF = {rel: role for role, rel in ROLE_RELATIONSHIPS.items()}


def relationship_type(role) -> str:
    """The relationship type of a credit ``role`` (:data:`OTHER_ROLE` for any role not mapped)."""
    return ROLE_RELATIONSHIPS.get(role, OTHER_ROLE)


def role_of(rel_type: str) -> str | None:
    """The credit role of a relationship type; None for ``WORKED_ON`` (its ``role`` property says)."""
    return _ROLE_OF.get(rel_type)
