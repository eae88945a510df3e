// Co-stars of a person: everyone who acted in a film with them, most shared films first.
// params: name, limit=20
MATCH (p:Person {name: $name})-[:ACTED_IN]->(f:Film)<-[:ACTED_IN]-(co:Person)
WITH co, collect(DISTINCT f.title) AS titles
RETURN co.name AS costar, size(titles) AS films, titles
ORDER BY films DESC, costar
LIMIT $limit
