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
    "SCHEMA_STATEMENTS", "FULLTEXT_ANALYZER", "FULLTEXT_INDEXES", "relationship_type", "role_of",
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
                   "tagline", "release_country", "also_known_as", "keywords_total", "budget_currency",
                   "gross_currency", "cluster", "incomplete_credits")
PERSON_PROPERTIES = ("name", "birth_year", "death_year", "professions")
CREDIT_PROPERTIES = ("characters", "billing", "star", "job")
SIMILAR_PROPERTIES = ("rank",)  # and source, the MERGE key

#: The analyzer of the full-text indexes: it folds case and accents, so
#: queries match names as the CLI does.  An index made with another analyzer
#: (by an older reelgraph) is made again.
FULLTEXT_ANALYZER = "standard-folding"
FULLTEXT_INDEXES = ("film_titles", "person_names")
_FULLTEXT_OPTIONS = f"OPTIONS {{indexConfig: {{`fulltext.analyzer`: '{FULLTEXT_ANALYZER}'}}}}"

#: Constraints and indexes, created idempotently.
SCHEMA_STATEMENTS = (
    "CREATE CONSTRAINT film_id IF NOT EXISTS FOR (f:Film) REQUIRE f.id IS UNIQUE",
    "CREATE CONSTRAINT person_id IF NOT EXISTS FOR (p:Person) REQUIRE p.id IS UNIQUE",
    "CREATE CONSTRAINT genre_name IF NOT EXISTS FOR (g:Genre) REQUIRE g.name IS UNIQUE",
    "CREATE INDEX person_name IF NOT EXISTS FOR (p:Person) ON (p.name)",
    "CREATE INDEX film_title IF NOT EXISTS FOR (f:Film) ON (f.title)",
    "CREATE INDEX film_year IF NOT EXISTS FOR (f:Film) ON (f.year)",
    f"CREATE FULLTEXT INDEX film_titles IF NOT EXISTS FOR (f:Film) ON EACH [f.title, f.original_title] {_FULLTEXT_OPTIONS}",
    f"CREATE FULLTEXT INDEX person_names IF NOT EXISTS FOR (p:Person) ON EACH [p.name] {_FULLTEXT_OPTIONS}",
)

_ROLE_OF = {rel: role for role, rel in ROLE_RELATIONSHIPS.items()}


def relationship_type(role) -> str:
    """The relationship type of a credit ``role`` (:data:`OTHER_ROLE` for any role not mapped)."""
    return ROLE_RELATIONSHIPS.get(role, OTHER_ROLE)


def role_of(rel_type: str) -> str | None:
    """The credit role of a relationship type; None for ``WORKED_ON`` (its ``role`` property says)."""
    return _ROLE_OF.get(rel_type)
