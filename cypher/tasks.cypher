// Notification and follow-up tasks (PR3, PR4, list tasks such as PR11 interviews).
// Tasks are derived from entries; their ids are stable, so deriving again is a no-op
// and a task's status, once changed, is kept.

// name: task_facts
// For each entry: its subject, the superior units it reported to and the public
// bodies or SOEs it worked for on the determination date.
UNWIND $entry_ids AS eid
MATCH (s:Subject)-[:HAS_ENTRY]->(e:Entry {id: eid})
OPTIONAL MATCH (s)-[k:SUPERVISED_BY]->(sup:Subject)
WHERE k.valid_from <= e.determined AND e.determined <= k.valid_to
OPTIONAL MATCH (s)-[w:STAFF_OF]->(emp:Subject)
WHERE w.valid_from <= e.determined AND e.determined <= w.valid_to
  AND (emp.kind = 'public_body' OR emp.ownership = 'soe')
RETURN e {.id, .list, .state, .deciding_dept, .hist_on, .hist_state} AS entry,
       s {.id, .kind, .ownership} AS subject,
       collect(DISTINCT sup.id) AS superiors, collect(DISTINCT emp.id) AS employers

// name: merge_tasks
UNWIND $rows AS row
MERGE (t:Task {id: row.id})
ON CREATE SET t += row.props, t.status = 'open'
ON MATCH SET t.due_on = row.props.due_on
RETURN count(t) AS n

// name: withdraw_tasks
// The entry was revoked: its open tasks are withdrawn (done ones stay done).
MATCH (t:Task {entry_id: $entry_id})
WHERE t.status = 'open'
SET t.status = 'withdrawn', t.closed_on = $on
RETURN count(t) AS n

// name: tasks
// Tasks, newest first, filtered by status and rule ('' = any).
MATCH (t:Task)
WHERE ($status = '' OR t.status = $status) AND ($rule = '' OR t.rule = $rule)
  AND ($recipient = '' OR t.recipient = $recipient OR t.recipient_id = $recipient)
  AND t.due_on <= $due_by
RETURN t {.*} AS task
ORDER BY t.due_on DESC, t.id
SKIP $offset LIMIT $limit
