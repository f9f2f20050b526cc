// Leads (线索) for investigators: the graph reads each analysis starts from, and the
// leads themselves with their review. A lead never creates an entry or a restriction.

// name: leads_listed
// Entries that were not revoked (a revoked listing was wrong and leads nowhere), with
// their subject: where every lead starts.
MATCH (s:Subject)-[:HAS_ENTRY]->(e:Entry)
WHERE e.state <> 'revoked'
RETURN s.id AS id, s.kind AS kind, s.name AS name, s.region AS region, e.id AS entry_id, e.list AS list,
       e.determined AS determined, e.state AS state

// name: leads_ties
// Who is or was tied to the given subjects as legal rep, principal, controller or
// shareholder, with the period.
UNWIND $ids AS sid
MATCH (p:Subject)-[r:LEGAL_REP_OF|PRINCIPAL_OF|ACTUAL_CONTROLLER_OF|HOLDS_SHARES]->(s:Subject {id: sid})
RETURN p.id AS tied, p.kind AS tied_kind, s.id AS listed, type(r) AS role, r.share AS share,
       r.valid_from AS valid_from, r.valid_to AS valid_to

// name: leads_roles_taken
// Roles the given subjects took in enterprises on or after $since.
UNWIND $ids AS pid
MATCH (p:Subject {id: pid})-[r:LEGAL_REP_OF|PRINCIPAL_OF|ACTUAL_CONTROLLER_OF|HOLDS_SHARES]->(n:Enterprise)
WHERE r.valid_from >= $since
RETURN p.id AS tied, n.id AS taken, n.name AS name, n.region AS region, n.established AS established,
       type(r) AS role, r.share AS share, r.valid_from AS valid_from

// name: holdings_on
// Every shareholding in force on $on: the ownership network (leads, control candidates).
MATCH (a:Subject)-[h:HOLDS_SHARES]->(b:Enterprise)
WHERE h.valid_from <= $on AND $on <= h.valid_to
RETURN a.id AS owner, a.kind AS owner_kind, b.id AS owned, h.share AS share, h.valid_from AS valid_from

// name: leads_operating
// Enterprises with people working in them (staff, managers, key persons, a principal):
// an enterprise without any is a candidate shell.
MATCH (p:Subject)-[r:STAFF_OF|MANAGES|KEY_PERSON_OF|PRINCIPAL_OF]->(e:Enterprise)
WHERE r.valid_from <= $on AND $on <= r.valid_to
RETURN DISTINCT e.id AS id

// name: leads_regions
// Regions of the given subjects.
UNWIND $ids AS sid
MATCH (s:Subject {id: sid})
RETURN s.id AS id, s.kind AS kind, s.region AS region

// name: leads_role_edges
// Person-enterprise roles in force on $on that touch the given subjects: one ring of
// the neighbourhood a community search runs on.
UNWIND $ids AS sid
MATCH (s:Subject {id: sid})-[r:LEGAL_REP_OF|PRINCIPAL_OF|ACTUAL_CONTROLLER_OF|HOLDS_SHARES|MANAGES|KEY_PERSON_OF]-(o:Subject)
WHERE r.valid_from <= $on AND $on <= r.valid_to
RETURN s.id AS a, o.id AS b, o.kind AS b_kind

// name: leads_degrees
// How many subjects each given subject shares a role in force with: the true degree,
// for the conductance of a community found in a neighbourhood cut out of the graph.
UNWIND $ids AS sid
MATCH (s:Subject {id: sid})-[r:LEGAL_REP_OF|PRINCIPAL_OF|ACTUAL_CONTROLLER_OF|HOLDS_SHARES|MANAGES|KEY_PERSON_OF]-(o:Subject)
WHERE r.valid_from <= $on AND $on <= r.valid_to
RETURN s.id AS id, count(DISTINCT o) AS degree

// name: leads_save
// Store found leads: a lead found again keeps its status and review; what it says is
// refreshed. CONCERNS links it to each member, for the subject's own view.
UNWIND $rows AS row
MERGE (l:Lead {id: row.id})
ON CREATE SET l.status = 'open', l.found_on = row.found_on
SET l.kind = row.kind, l.key = row.key, l.members = row.members, l.score = row.score, l.summary = row.summary,
    l.evidence = row.evidence, l.provinces = row.provinces, l.last_seen = row.found_on
WITH l, row
UNWIND row.members AS mid
MATCH (s:Subject {id: mid})
MERGE (l)-[:CONCERNS]->(s)
RETURN count(DISTINCT l) AS n

// name: leads_list
MATCH (l:Lead)
WHERE ($kind IS NULL OR l.kind = $kind) AND ($status IS NULL OR l.status = $status)
  AND ($subject IS NULL OR $subject IN l.members)
RETURN properties(l) AS lead
ORDER BY l.score DESC, l.id
SKIP $offset
LIMIT $limit

// name: lead_review
// A person's decision on a lead, kept with the earlier ones. The review's own line
// (time, status, reviewer, reason) is its key: a retried write finds it recorded and
// changes nothing, neither appending it again nor undoing a later review. The lead is
// locked first by a write that changes nothing (under Neo4j's read-committed isolation
// only a write takes the lock), so of two reviews at once the second reads the list
// after the first has committed, and neither is lost.
MATCH (l:Lead {id: $id})
SET l._lock = true
REMOVE l._lock
WITH l, $at + ' ' + $status + ' ' + $reviewer + ': ' + $reason AS review
WITH l, review, review IN coalesce(l.reviews, []) AS recorded
FOREACH (_ IN CASE WHEN recorded THEN [] ELSE [1] END |
  SET l.status = $status, l.reviewed_by = $reviewer, l.reason = $reason, l.reviewed_at = $at,
      l.reviews = coalesce(l.reviews, []) + [review])
RETURN properties(l) AS lead

// name: lead_by_id
MATCH (l:Lead {id: $id})
RETURN properties(l) AS lead
