// Films most like a film: IMDb's "More like this" list in its order, with the cast they share.
// params: title
// The title is looked up in the full-text index film_titles (titles and original titles), so case
// does not matter; films whose whole title it is win over those whose title only contains it.
CALL db.index.fulltext.queryNodes('film_titles', '"' + replace(replace(toString($title), '\\', '\\\\'), '"', '\\"') + '"')
  YIELD node, score
WITH collect({node: node, exact: toLower(node.title) = toLower(toString($title))
                                 OR toLower(node.original_title) = toLower(toString($title))}) AS found
UNWIND CASE WHEN any(x IN found WHERE x.exact) THEN [x IN found WHERE x.exact] ELSE found[0..1] END AS chosen
WITH chosen.node AS f
MATCH (f:Film)-[m:MORE_LIKE_THIS]->(g:Film)
OPTIONAL MATCH (f)<-[:ACTED_IN]-(p:Person)-[:ACTED_IN]->(g)
RETURN g.title AS film, g.year AS year, m.rank AS rank, g.rating AS rating, collect(p.name) AS shared_cast
ORDER BY rank
