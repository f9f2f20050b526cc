// Derived actual controllers: candidates from majority chains, which a registrar
// confirms or rejects. Only a confirmed candidate can become an ACTUAL_CONTROLLER_OF
// (source 'derived'), and only when the setting binds confirmed controllers (PR1).

// name: registered_controllers_on
// Every registered actual controllership in force on $on (not those a confirmed
// candidate made, so that candidate is found again and keeps its review).
MATCH (p:Subject)-[k:ACTUAL_CONTROLLER_OF]->(e:Subject)
WHERE k.valid_from <= $on AND $on <= k.valid_to AND coalesce(k.source, '') <> 'derived'
RETURN p.id AS controller, e.id AS enterprise, k.valid_from AS valid_from

// name: controller_candidates_save
// A candidate found again keeps its status and review; its chain is refreshed.
UNWIND $rows AS row
MATCH (p:Subject {id: row.controller})
MATCH (e:Subject {id: row.enterprise})
MERGE (p)-[c:CONTROL_CANDIDATE]->(e)
ON CREATE SET c.status = 'candidate', c.found_on = row.found_on
SET c.chain = row.chain, c.share = row.share, c.since = row.since, c.last_seen = row.found_on
RETURN count(c) AS n

// name: controller_candidates_of
// Candidates for one enterprise and candidates naming one controller.
MATCH (p:Subject)-[c:CONTROL_CANDIDATE]->(e:Subject {id: $id})
RETURN p.id AS controller, p.kind AS controller_kind, p.name AS controller_name, e.id AS enterprise,
       e.name AS enterprise_name, properties(c) AS candidate
UNION
MATCH (p:Subject {id: $id})-[c:CONTROL_CANDIDATE]->(e:Subject)
RETURN p.id AS controller, p.kind AS controller_kind, p.name AS controller_name, e.id AS enterprise,
       e.name AS enterprise_name, properties(c) AS candidate

// name: controller_candidates_list
MATCH (p:Subject)-[c:CONTROL_CANDIDATE]->(e:Subject)
WHERE $status IS NULL OR c.status = $status
RETURN p.id AS controller, p.kind AS controller_kind, p.name AS controller_name, e.id AS enterprise,
       e.name AS enterprise_name, properties(c) AS candidate
ORDER BY e.id, p.id
SKIP $offset
LIMIT $limit

// name: confirm_controller_candidate
// Confirm; with $bind, an ACTUAL_CONTROLLER_OF (source 'derived') from the day the
// chain's control began, unless a controllership of the two is already in force.
MATCH (p:Subject {id: $controller})-[c:CONTROL_CANDIDATE]->(e:Subject {id: $enterprise})
WITH p, c, e, [(p)-[k:ACTUAL_CONTROLLER_OF]->(e) WHERE k.valid_to >= $on | k] AS open
SET c.status = 'confirmed', c.reviewed_by = $reviewer, c.department = $department, c.reason = $reason,
    c.reviewed_on = $on
FOREACH (_ IN CASE WHEN $bind AND size(open) = 0 THEN [1] ELSE [] END |
  MERGE (p)-[k:ACTUAL_CONTROLLER_OF {valid_from: c.since}]->(e)
  SET k.valid_to = $open_end, k.source = 'derived', k.confirmed_on = $on)
RETURN properties(c) AS candidate

// name: reject_controller_candidate
// Reject: the confirmation was wrong, so the derived controllership it made is
// removed with its whole period (the candidate keeps the decisions).
MATCH (p:Subject {id: $controller})-[c:CONTROL_CANDIDATE]->(e:Subject {id: $enterprise})
WITH p, c, e, [(p)-[k:ACTUAL_CONTROLLER_OF]->(e) WHERE k.source = 'derived' | k] AS derived
SET c.status = 'rejected', c.reviewed_by = $reviewer, c.department = $department, c.reason = $reason,
    c.reviewed_on = $on
FOREACH (k IN derived | DELETE k)
RETURN properties(c) AS candidate
