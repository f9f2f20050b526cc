// FalkorDB: indexes are listed by its own procedure; `status` reads
// "[Indexing] 101283/200000: UNDER CONSTRUCTION" while an index is being built.

// name: index_states
CALL db.indexes() YIELD label, status
RETURN label, status AS state
