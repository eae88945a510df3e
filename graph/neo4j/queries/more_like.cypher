// Films most like a film: IMDb's "More like this" list in its order, with the cast they share.
// params: title
MATCH (f:Film {title: $title})-[m:MORE_LIKE_THIS]->(g:Film)
OPTIONAL MATCH (f)<-[:ACTED_IN]-(p:Person)-[:ACTED_IN]->(g)
RETURN g.title AS film, g.year AS year, m.rank AS rank, g.rating AS rating, collect(p.name) AS shared_cast
ORDER BY rank
