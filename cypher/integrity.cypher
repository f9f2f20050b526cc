// Integrity checks and counts: what a crash must never leave behind (tests/graph_model/store/test_crash.py
// runs each check after killing the store or the API; each returns the offending records,
// none when the store is whole), and the counts a backup records and a restore compares.

// name: integrity_acts
// Entries recorded through the API whose acts do not add up: the last act (last_tx) is
// not one Transition of the entry, its state or sequence number is not the entry's, or
// the entry's version is not the number of its acts (1 .. version, each once).
MATCH (e:Entry)
WHERE e.last_tx IS NOT NULL
OPTIONAL MATCH (e)-[:HAD]->(t:Transition)
WITH e, collect(t) AS acts, collect(DISTINCT t.seq) AS seqs
WITH e, acts, seqs, [t IN acts WHERE t.id = e.last_tx] AS last
WHERE size(last) <> 1 OR last[0].to_state <> e.state OR last[0].seq <> e.version
   OR size(acts) <> e.version OR size(seqs) <> size(acts)
   OR size([t IN acts WHERE t.entry_id <> e.id]) > 0
RETURN e.id AS id, e.state AS state, e.version AS version, size(acts) AS acts

// name: integrity_orphan_acts
// Transitions that do not belong to exactly one entry.
MATCH (t:Transition)
OPTIONAL MATCH (e:Entry)-[:HAD]->(t)
WITH t, count(e) AS entries
WHERE entries <> 1
RETURN t.id AS id, entries

// name: integrity_restrictions
// Restriction records that do not target exactly their subject or do not derive from
// exactly their entry.
MATCH (r:Restriction)
OPTIONAL MATCH (r)-[:DERIVED_FROM]->(e:Entry)
OPTIONAL MATCH (r)-[:TARGETS]->(p:Subject)
WITH r, collect(DISTINCT e.id) AS entries, collect(DISTINCT p.id) AS targets
WHERE entries <> [r.entry_id] OR targets <> [r.subject_id]
RETURN r.id AS id, entries, targets

// name: integrity_unbound_entries
// Settled entries (no act waiting for its propagation) without exactly one record for
// the listed subject itself.
MATCH (s:Subject)-[:HAS_ENTRY]->(e:Entry)
WHERE e.last_tx IS NULL OR e.last_tx = e.propagated_tx
OPTIONAL MATCH (r:Restriction {entry_id: e.id})
WHERE r.role = 'entity'
WITH e, s, collect(r.subject_id) AS targets
WHERE targets <> [s.id]
RETURN e.id AS id, targets

// name: integrity_revoked
// Revoked entries that still bind a person or have an open task, or, revoked through
// the API, lack their reputation-restoration record.
MATCH (e:Entry)
WHERE e.state = 'revoked'
OPTIONAL MATCH (r:Restriction {entry_id: e.id})
WHERE r.role <> 'entity'
WITH e, count(r) AS persons
OPTIONAL MATCH (t:Task {entry_id: e.id})
WHERE t.status = 'open'
WITH e, persons, count(t) AS open_tasks
OPTIONAL MATCH (e)-[:RESTORED_BY]->(rr:Restoration)
WITH e, persons, open_tasks, count(rr) AS restorations
WHERE persons > 0 OR open_tasks > 0 OR (e.source = 'api' AND restorations <> 1)
RETURN e.id AS id, persons, open_tasks, restorations

// name: count_labels
// Nodes per label set.
MATCH (n)
RETURN labels(n) AS labels, count(n) AS n

// name: count_relationships
MATCH ()-[r]->()
RETURN count(r) AS n
