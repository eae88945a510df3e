// Co-stars of a person: everyone who acted in a film with them, most shared films first.
// params: name, limit=20
// The name is looked up in the full-text index person_names, so case does not matter;
// people whose whole name it is win over those whose name only contains it.
CALL db.index.fulltext.queryNodes('person_names', '"' + replace(replace(toString($name), '\\', '\\\\'), '"', '\\"') + '"')
  YIELD node, score
WITH collect({node: node, exact: toLower(node.name) = toLower(toString($name))}) AS found
UNWIND CASE WHEN any(x IN found WHERE x.exact) THEN [x IN found WHERE x.exact] ELSE found[0..1] END AS chosen
WITH chosen.node AS p
MATCH (p:Person)-[:ACTED_IN]->(f:Film)<-[:ACTED_IN]-(co:Person)
WITH co, collect(DISTINCT f.title) AS titles
RETURN co.name AS costar, size(titles) AS films, titles
ORDER BY films DESC, costar
LIMIT $limit
