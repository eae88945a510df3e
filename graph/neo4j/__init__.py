"""Neo4j: the local server (:mod:`.server`), the batched sync and Cypher access
(:mod:`.sync`, with the read-only guard of :mod:`.cypher_guard`), the
constraints and indexes every load ends with and ``mirror --check`` checks
(:mod:`.indexes`), the bulk import (:mod:`.bulk`), reading the graph back
(:mod:`.read`) and the shipped example queries (:mod:`.queries`).

The graph's labels, relationship types and indexes are defined once, in
:mod:`reelgraph.schema`.
"""
