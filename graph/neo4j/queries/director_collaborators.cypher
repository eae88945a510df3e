// Top collaborators of a director: the people on most of their films, in any role.
// params: name, limit=10
MATCH (d:Person {name: $name})-[:DIRECTED]->(f:Film)<-[r]-(p:Person)
WHERE p <> d
WITH p, count(DISTINCT f) AS films, collect(DISTINCT type(r)) AS credits
RETURN p.name AS collaborator, films, credits
ORDER BY films DESC, collaborator
LIMIT $limit
