"""The analysis of the mirror: co-star paths and Bacon numbers (:mod:`.paths`), film similarity
(:mod:`.similarity`), similarity clusters (:mod:`.clusters`) and the counts of a graph (:mod:`.stats`).

A regular package (not a namespace one) so that tools walking ``reelgraph``
(the doctest run among them) find these modules.
"""
