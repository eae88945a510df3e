// Top collaborators of a director: the people on most of their films, in any role.
// params: name, limit=10
// The name is looked up in the full-text index person_names, so case does not matter;
// people whose whole name it is win over those whose name only contains it.
CALL db.index.fulltext.queryNodes('person_names', '"' + replace(replace(toString($name), '\\', '\\\\'), '"', '\\"') + '"')
  YIELD node, score
WITH collect({node: node, exact: toLower(node.name) = toLower(toString($name))}) AS found
UNWIND CASE WHEN any(x IN found WHERE x.exact) THEN [x IN found WHERE x.exact] ELSE found[0..1] END AS chosen
WITH chosen.node AS d
MATCH (d:Person)-[:DIRECTED]->(f:Film)<-[r]-(p:Person)
WHERE p <> d
WITH p, count(DISTINCT f) AS films, collect(DISTINCT type(r)) AS credits
RETURN p.name AS collaborator, films, credits
ORDER BY films DESC, collaborator
LIMIT $limit
