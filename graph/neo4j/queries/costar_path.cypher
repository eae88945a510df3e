// A shortest co-star path between two people: person, film, person, ... through ACTED_IN.
// params: source, target
// Names are looked up in the full-text index person_names, so case does not matter;
// people whose whole name it is win over those whose name only contains it.
CALL db.index.fulltext.queryNodes('person_names', '"' + replace(replace(toString($source), '\\', '\\\\'), '"', '\\"') + '"')
  YIELD node, score
WITH collect({node: node, exact: toLower(node.name) = toLower(toString($source))}) AS found
UNWIND CASE WHEN any(x IN found WHERE x.exact) THEN [x IN found WHERE x.exact] ELSE found[0..1] END AS chosen
WITH chosen.node AS a
CALL db.index.fulltext.queryNodes('person_names', '"' + replace(replace(toString($target), '\\', '\\\\'), '"', '\\"') + '"')
  YIELD node, score
WITH a, collect({node: node, exact: toLower(node.name) = toLower(toString($target))}) AS found
UNWIND CASE WHEN any(x IN found WHERE x.exact) THEN [x IN found WHERE x.exact] ELSE found[0..1] END AS chosen
WITH a, chosen.node AS b
MATCH path = shortestPath((a)-[:ACTED_IN*]-(b))
RETURN [n IN nodes(path) | CASE WHEN n:Film THEN n.title + ' (' + coalesce(toString(n.year), '?') + ')' ELSE n.name END] AS chain,
       length(path) / 2 AS degrees
