// The entry lifecycle: creation and state transitions, each one statement, so a
// transition happens whole or not at all. A transition is applied only if the entry
// is still at the version the caller read ($version), or if this very transition
// ($tx_id) was already applied (a retried write): concurrent registrars cannot
// overwrite each other, and a retry is idempotent.

// name: entry_by_id
MATCH (s:Subject)-[:HAS_ENTRY]->(e:Entry {id: $entry_id})
RETURN e {.*} AS entry, s {.id, .kind, .name, .ownership} AS subject

// name: create_entry
MATCH (s:Subject {id: $subject_id})
MERGE (e:Entry {id: $entry_id})
ON CREATE SET e += $props
MERGE (s)-[:HAS_ENTRY]->(e)
MERGE (t:Transition {id: $tx_id})
SET t += $tx
MERGE (e)-[:HAD]->(t)
RETURN e.id AS id

// name: transition_entry
MATCH (e:Entry {id: $entry_id})
WHERE coalesce(e.version, 0) = $version OR e.last_tx = $tx_id
SET e.state = $state, e.hist_on = $hist_on, e.hist_state = $hist_state,
    e.version = $version + 1, e.last_tx = $tx_id, e.source = 'api'
MERGE (t:Transition {id: $tx_id})
SET t += $tx
MERGE (e)-[:HAD]->(t)
RETURN e.id AS id

// name: revoke_entry
// Revocation of a wrong listing (GZ (十七) "恢复其信誉、消除不良影响"): the state
// change, a reputation-restoration record naming every subject whose records are
// removed, and the removal of the person-level restriction records, in one statement.
MATCH (listed:Subject)-[:HAS_ENTRY]->(e:Entry {id: $entry_id})
WHERE coalesce(e.version, 0) = $version OR e.last_tx = $tx_id
SET e.state = $state, e.hist_on = $hist_on, e.hist_state = $hist_state,
    e.version = $version + 1, e.last_tx = $tx_id, e.source = 'api'
MERGE (t:Transition {id: $tx_id})
SET t += $tx
MERGE (e)-[:HAD]->(t)
WITH listed, e
OPTIONAL MATCH (r:Restriction {entry_id: $entry_id})-[:TARGETS]->(p:Subject)
WHERE r.role <> 'entity'
WITH listed, e, collect(r) AS derived, collect(DISTINCT p.id) AS persons
MERGE (rr:Restoration {id: $entry_id})
SET rr += $restoration, rr.subject_ids = [listed.id] + persons
MERGE (e)-[:RESTORED_BY]->(rr)
FOREACH (r IN derived | DETACH DELETE r)
RETURN e.id AS id, size(derived) AS removed

// name: entry_detail
MATCH (s:Subject)-[:HAS_ENTRY]->(e:Entry {id: $entry_id})
OPTIONAL MATCH (e)-[:HAD]->(t:Transition)
WITH s, e, collect(t {.*}) AS transitions
OPTIONAL MATCH (e)-[:RESTORED_BY]->(rr:Restoration)
RETURN e {.*} AS entry, s {.id, .kind, .name, .ownership} AS subject, transitions, rr {.*} AS restoration

// name: entry_bound
// Who the entry binds: one row per restriction record.
MATCH (r:Restriction {entry_id: $entry_id})-[:TARGETS]->(p:Subject)
RETURN p.id AS id, p.kind AS kind, p.name AS name, r.role AS role, r.rule AS rule
ORDER BY r.role, p.id
