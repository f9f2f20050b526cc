// Derived actual controllers: candidates from majority chains, which a registrar
// confirms or rejects. Only a confirmed candidate can become an ACTUAL_CONTROLLER_OF
// (source 'derived'), and only when the setting binds confirmed controllers (PR1).
// FalkorDB 4.16: a list of relationships made by a pattern comprehension came out
// empty in the lapse statement when its MATCH had a WHERE and a SET followed
// (probed): relationships are gathered with OPTIONAL MATCH and collect() instead,
// and each FOREACH comes before the SET.
// Every statement that decides from a candidate's properties, or from the derived
// controllership a review made, locks the candidate first (`SET c._lock = true
// REMOVE c._lock`): under Neo4j's read-committed isolation a confirmation and a
// rejection at once would otherwise each miss the other's controllership, leaving a
// rejected candidate with one (see cypher/lifecycle.cypher).

// name: registered_controllers_on
// Every registered actual controllership in force on $on (not those a confirmed
// candidate made, so that candidate is found again and keeps its review).
MATCH (p:Subject)-[k:ACTUAL_CONTROLLER_OF]->(e:Subject)
WHERE k.valid_from <= $on AND $on <= k.valid_to AND coalesce(k.source, '') <> 'derived'
RETURN p.id AS controller, p.kind AS kind, e.id AS enterprise, k.valid_from AS valid_from

// name: controller_candidates_save
// A candidate found again keeps its status and review; its chain is refreshed.
UNWIND $rows AS row
MATCH (p:Subject {id: row.controller})
MATCH (e:Subject {id: row.enterprise})
MERGE (p)-[c:CONTROL_CANDIDATE]->(e)
ON CREATE SET c.status = 'candidate', c.found_on = row.found_on
SET c._lock = true
REMOVE c._lock
// A candidate that had lapsed and is found again needs a new decision.
SET c.status = CASE WHEN c.lapsed_on IS NULL THEN c.status ELSE 'candidate' END
SET c.chain = row.chain, c.share = row.share, c.since = row.since, c.last_seen = row.found_on, c.run = row.run,
    c.lapsed_on = null
RETURN count(c) AS n

// name: controller_candidates_lapse
// Candidates this derivation ($run) did not find again: the control is gone. A
// controllership a confirmation made ends the day before $on; the enterprises whose
// controllership ended come back, for their entries to be derived again. Filtered,
// locked and filtered again: locking every candidate first would write them all.
MATCH (p:Subject)-[c:CONTROL_CANDIDATE]->(e:Subject)
WHERE c.run <> $run AND c.lapsed_on IS NULL
SET c._lock = true
REMOVE c._lock
WITH p, c, e
WHERE c.run <> $run AND c.lapsed_on IS NULL
OPTIONAL MATCH (p)-[k:ACTUAL_CONTROLLER_OF]->(e)
WHERE k.source = 'derived' AND k.valid_to >= $on
WITH p, c, e, collect(k) AS open
FOREACH (x IN open | SET x.valid_to = $until)
SET c.lapsed_on = $on
RETURN e.id AS enterprise, size(open) > 0 AS ended

// name: controller_candidates_of
// Candidates for one enterprise and candidates naming one controller; $region (a
// code prefix, or null for every region) keeps the enterprises of a registrar's region.
MATCH (p:Subject)-[c:CONTROL_CANDIDATE]->(e:Subject {id: $id})
WHERE $region IS NULL OR e.region STARTS WITH $region
RETURN p.id AS controller, p.kind AS controller_kind, p.name AS controller_name, e.id AS enterprise,
       e.name AS enterprise_name, properties(c) AS candidate
UNION
MATCH (p:Subject {id: $id})-[c:CONTROL_CANDIDATE]->(e:Subject)
WHERE $region IS NULL OR e.region STARTS WITH $region
RETURN p.id AS controller, p.kind AS controller_kind, p.name AS controller_name, e.id AS enterprise,
       e.name AS enterprise_name, properties(c) AS candidate

// name: controller_candidates_list
MATCH (p:Subject)-[c:CONTROL_CANDIDATE]->(e:Subject)
WHERE ($status IS NULL OR c.status = $status) AND ($region IS NULL OR e.region STARTS WITH $region)
RETURN p.id AS controller, p.kind AS controller_kind, p.name AS controller_name, e.id AS enterprise,
       e.name AS enterprise_name, properties(c) AS candidate
ORDER BY e.id, p.id
SKIP $offset
LIMIT $limit

// name: confirm_controller_candidate
// Confirm; with $bind, an ACTUAL_CONTROLLER_OF (source 'derived') from the day the
// chain's control began, unless a controllership of the two is already in force.
MATCH (p:Subject {id: $controller})-[c:CONTROL_CANDIDATE]->(e:Subject {id: $enterprise})
SET c._lock = true
REMOVE c._lock
WITH p, c, e
OPTIONAL MATCH (p)-[k:ACTUAL_CONTROLLER_OF]->(e)
WHERE k.valid_to >= $on
WITH p, c, e, count(k) AS open
FOREACH (_ IN CASE WHEN $bind AND open = 0 THEN [1] ELSE [] END |
  MERGE (p)-[k:ACTUAL_CONTROLLER_OF {valid_from: c.since, source: 'derived'}]->(e)
  SET k.valid_to = $open_end, k.confirmed_on = $on)
SET c.status = 'confirmed', c.reviewed_by = $reviewer, c.department = $department, c.reason = $reason,
    c.reviewed_on = $on
RETURN properties(c) AS candidate

// name: reject_controller_candidate
// Reject: the confirmation was wrong, so the derived controllership it made is
// removed with its whole period (the candidate keeps the decisions).
MATCH (p:Subject {id: $controller})-[c:CONTROL_CANDIDATE]->(e:Subject {id: $enterprise})
SET c._lock = true
REMOVE c._lock
WITH p, c, e
OPTIONAL MATCH (p)-[k:ACTUAL_CONTROLLER_OF]->(e)
WHERE k.source = 'derived'
WITH p, c, e, collect(k) AS derived
FOREACH (x IN derived | DELETE x)
SET c.status = 'rejected', c.reviewed_by = $reviewer, c.department = $department, c.reason = $reason,
    c.reviewed_on = $on
RETURN properties(c) AS candidate
