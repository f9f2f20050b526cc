// Maintenance and inspection.

// name: delete_all
MATCH (n)
DETACH DELETE n

// name: count_subjects
MATCH (s:Subject)
RETURN s.kind AS kind, count(s) AS n

// name: any_subject
// One subject, or no row when the graph holds none: whether there is anything to
// answer from (a reading command refuses an empty store), without counting them all.
MATCH (s:Subject)
RETURN s.id AS id
LIMIT 1

// name: count_entries
MATCH (e:Entry)
RETURN e.state AS state, count(e) AS n

// name: count_restrictions
MATCH (r:Restriction)
RETURN r.role AS role, count(r) AS n

// name: snapshot_nodes
// Every node with its properties: for comparing a store before and after a load.
// The data-version counter is bookkeeping, not data: it is left out.
MATCH (n)
WHERE NOT n:Meta
RETURN labels(n) AS labels, properties(n) AS props

// name: snapshot_relationships
MATCH (a)-[r]->(b)
RETURN a.id AS from_id, type(r) AS type, b.id AS to_id, properties(r) AS props

// name: count_nodes
MATCH (n)
RETURN count(n) AS n

// name: index_states
// Each index's label and state (an index created over existing nodes is built in
// the background; FalkorDB's override below reads its own procedure).
SHOW INDEXES YIELD labelsOrTypes, state
RETURN labelsOrTypes[0] AS label, state

// name: data_version
// The graph's data version: bumped by every bundle load and every entry transition,
// recorded in each audit entry (0 before the first change).
OPTIONAL MATCH (m:Meta {id: 'data'})
RETURN coalesce(m.version, 0) AS version, m.changed_at AS changed_at

// name: bump_data_version
// One more change to the data, made at $at (ISO 8601, UTC).
MERGE (m:Meta {id: 'data'})
SET m.version = coalesce(m.version, 0) + 1, m.changed_at = $at
RETURN m.version AS version
