// Notification and follow-up tasks (PR3, PR4, list tasks such as PR11 interviews).
// Tasks are derived from entries; their ids are stable, so deriving again is a no-op
// and a task's status, once changed, is kept. A statement that changes a task because
// it is open locks the task first (`SET t._lock = true REMOVE t._lock`) and reads the
// status after: under Neo4j's read-committed isolation two closers would otherwise
// both find it open (see cypher/lifecycle.cypher).

// name: task_facts
// For each entry: its subject, the superior units it reported to (a public body or
// SOE: PR3) and the public bodies or SOEs it worked for (a person: PR4) on the
// determination date. The conditions on s come first so FalkorDB tests them before
// it walks each subject's edges (9x less time in the walks at 1M enterprises), and
// grouping by the nodes, not by their projected maps, halves the aggregation.
UNWIND $entry_ids AS eid
MATCH (s:Subject)-[:HAS_ENTRY]->(e:Entry {id: eid})
OPTIONAL MATCH (s)-[k:SUPERVISED_BY]->(sup:Subject)
WHERE (s.kind = 'public_body' OR s.ownership = 'soe')
  AND k.valid_from <= e.determined AND e.determined <= k.valid_to
OPTIONAL MATCH (s)-[w:STAFF_OF]->(emp:Subject)
WHERE s.kind = 'person' AND w.valid_from <= e.determined AND e.determined <= w.valid_to
  AND (emp.kind = 'public_body' OR emp.ownership = 'soe')
WITH e, s, collect(DISTINCT sup.id) AS superiors, collect(DISTINCT emp.id) AS employers
RETURN e {.id, .list, .state, .deciding_dept, .history} AS entry,
       s {.id, .kind, .ownership} AS subject, superiors, employers

// name: merge_tasks
UNWIND $rows AS row
MERGE (t:Task {id: row.id})
ON CREATE SET t += row.props, t.status = 'open'
ON MATCH SET t.due_on = row.props.due_on
RETURN count(t) AS n

// name: withdraw_tasks
// These entries are revoked (by a bundle row; a revocation through the API does it in
// its own statement): their open tasks are withdrawn, done ones stay done.
UNWIND $entry_ids AS eid
MATCH (t:Task {entry_id: eid})
SET t._lock = true
REMOVE t._lock
WITH t
WHERE t.status = 'open'
SET t.status = 'withdrawn', t.closed_on = $on, t.closed_reason = 'entry revoked'
RETURN count(t) AS n

// name: supersede_tasks
// A "find the superior unit" task (recipient_id '') is superseded once the unit is on
// record and has its own task.
UNWIND $ids AS tid
MATCH (t:Task {id: tid})
SET t._lock = true
REMOVE t._lock
WITH t
WHERE t.status = 'open'
SET t.status = 'superseded', t.closed_on = $on, t.closed_reason = 'recipient now on record'
RETURN count(t) AS n

// name: close_task
// A recipient reports the task done. Only an open task can be closed; a retry of
// the same report finds it done and changes nothing.
MATCH (t:Task {id: $task_id})
SET t._lock = true
REMOVE t._lock
WITH t
WHERE t.status = 'open'
SET t.status = 'done', t.closed_on = $on, t.closed_reason = $reason, t.closed_by = $actor,
    t.closed_department = $department
RETURN t {.*} AS task

// name: task_by_id
MATCH (t:Task {id: $task_id})
RETURN t {.*} AS task

// name: tasks
// Tasks, newest first, filtered by status and rule ('' = any).
MATCH (t:Task)
WHERE ($status = '' OR t.status = $status) AND ($rule = '' OR t.rule = $rule)
  AND ($recipient = '' OR t.recipient = $recipient OR t.recipient_id = $recipient)
  AND t.due_on <= $due_by
RETURN t {.*} AS task
ORDER BY t.due_on DESC, t.id
SKIP $offset LIMIT $limit

// name: task_parties
// A task with what decides who may close it: the region of its entry and, when the
// recipient is a unit on record (a superior unit, an employer), that unit's name.
MATCH (t:Task {id: $task_id})
OPTIONAL MATCH (:Subject)-[:HAS_ENTRY]->(e:Entry {id: t.entry_id})
OPTIONAL MATCH (u:Subject {id: t.recipient_id})
RETURN t {.*} AS task, e.region AS region, e.deciding_dept AS deciding_dept, u.name AS unit_name
