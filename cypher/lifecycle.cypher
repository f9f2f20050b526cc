// The entry lifecycle: creation and state transitions, each one statement, so a
// transition happens whole or not at all. A transition is applied only if the entry
// is still at the version the caller read ($version), or if this very transition
// ($tx_id) was already applied (a retried write): concurrent registrars cannot
// overwrite each other, and a retry is idempotent.
// Lock, then check: each transition first writes the entry (`SET e._lock = true
// REMOVE e._lock`, which changes nothing), because under Neo4j's read-committed
// isolation only a write takes the entry's lock, held until the commit. A version
// checked before it would let two registrars both pass and the second overwrite the
// first (two Transitions with one seq); checked after it, the second waits and then
// reads the first one's version. FalkorDB runs writes one at a time: there the lock
// costs nothing (docs/neo4j.md, "Concurrent acts").

// name: entry_by_id
MATCH (s:Subject)-[:HAS_ENTRY]->(e:Entry {id: $entry_id})
RETURN e {.*} AS entry, s {.id, .kind, .name, .ownership} AS subject

// name: create_entry
// $props.last_tx = $tx_id, unique to the call: if the id is taken (by an earlier entry
// or a concurrent create), the WHERE stops here and no row comes back.
MATCH (s:Subject {id: $subject_id})
MERGE (e:Entry {id: $entry_id})
ON CREATE SET e += $props
WITH s, e
WHERE e.last_tx = $tx_id
MERGE (s)-[:HAS_ENTRY]->(e)
MERGE (t:Transition {id: $tx_id})
SET t += $tx
MERGE (e)-[:HAD]->(t)
RETURN e.id AS id

// name: transition_entry
MATCH (e:Entry {id: $entry_id})
SET e._lock = true
REMOVE e._lock
WITH e
WHERE coalesce(e.version, 0) = $version OR e.last_tx = $tx_id
SET e.state = $state, e.history = $history, e.closed_on = $closed_on,
    e.version = $version + 1, e.last_tx = $tx_id, e.source = 'api'
MERGE (t:Transition {id: $tx_id})
SET t += $tx
MERGE (e)-[:HAD]->(t)
RETURN e.id AS id

// name: revoke_entry
// Revocation of a wrong listing (GZ (十七) "恢复其信誉、消除不良影响"): the state
// change, a reputation-restoration record naming every subject whose records are
// removed, the removal of the person-level restriction records and the withdrawal of
// the entry's open tasks, in one statement. The entry is locked before its version is
// checked, and its tasks before their status is (a recipient may be closing one).
MATCH (listed:Subject)-[:HAS_ENTRY]->(e:Entry {id: $entry_id})
SET e._lock = true
REMOVE e._lock
WITH listed, e
WHERE coalesce(e.version, 0) = $version OR e.last_tx = $tx_id
SET e.state = $state, e.history = $history, e.closed_on = $closed_on,
    e.version = $version + 1, e.last_tx = $tx_id, e.source = 'api'
MERGE (t:Transition {id: $tx_id})
SET t += $tx
MERGE (e)-[:HAD]->(t)
WITH listed, e
OPTIONAL MATCH (r:Restriction {entry_id: $entry_id})-[:TARGETS]->(p:Subject)
WHERE r.role <> 'entity'
WITH listed, e, collect(r) AS derived, collect(DISTINCT p.id) AS persons
MERGE (rr:Restoration {id: $entry_id})
// Who was restored is known only the first time: a retried revocation finds the
// person-level records already removed, and keeps the list.
SET rr += $restoration, rr.subject_ids = coalesce(rr.subject_ids, [listed.id] + persons)
MERGE (e)-[:RESTORED_BY]->(rr)
FOREACH (r IN derived | DETACH DELETE r)
WITH e, size(derived) AS removed
OPTIONAL MATCH (t:Task {entry_id: $entry_id})
WITH e, removed, collect(t) AS tasks
FOREACH (t IN tasks | SET t._lock = true REMOVE t._lock)
WITH e, removed, [t IN tasks WHERE t.status = 'open'] AS open_tasks
FOREACH (t IN open_tasks | SET t.status = 'withdrawn', t.closed_on = $restoration.on,
                              t.closed_reason = 'entry revoked')
RETURN e.id AS id, removed, size(open_tasks) AS withdrawn

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
