// People who act across the most similarity clusters (run 'reelgraph clusters' first).
// params: limit=10
MATCH (p:Person)-[:ACTED_IN]->(f:Film)
WHERE f.cluster IS NOT NULL
WITH p, collect(DISTINCT f.cluster) AS clusters
RETURN p.name AS person, size(clusters) AS cluster_count, clusters
ORDER BY cluster_count DESC, person
LIMIT $limit
