// A shortest co-star path between two people: person, film, person, ... through ACTED_IN.
// params: source, target
MATCH (a:Person {name: $source}), (b:Person {name: $target})
MATCH path = shortestPath((a)-[:ACTED_IN*]-(b))
RETURN [n IN nodes(path) | CASE WHEN n:Film THEN n.title + ' (' + coalesce(toString(n.year), '?') + ')' ELSE n.name END] AS chain,
       length(path) / 2 AS degrees
