// Derived restrictions. Each (:Restriction) keeps its provenance: the rule, the
// entry it derives from (DERIVED_FROM), the subject it targets (TARGETS), the path
// and the catalogue version, so an objection, repair or revocation of the entry
// reaches exactly the restrictions it produced. sweep_restrictions removes those
// the graph no longer supports (a corrected role period), judged from the graph
// itself, so two loads running at once cannot remove each other's work.

// name: entry_ids_of_list
MATCH (e:Entry)
WHERE e.list = $list
RETURN e.id AS id

// name: propagate_entity
// The listed subject itself.
UNWIND $entry_ids AS eid
MATCH (s:Subject)-[:HAS_ENTRY]->(e:Entry {id: eid})
MERGE (r:Restriction {id: eid + '|' + s.id + '|entity'})
SET r.rule = $rule, r.role = 'entity', r.entry_id = eid, r.subject_id = s.id,
    r.path_ids = [s.id], r.path_roles = [], r.path_from = [], r.path_to = [],
    r.catalogue_version = $catalogue_version
MERGE (r)-[:TARGETS]->(s)
MERGE (r)-[:DERIVED_FROM]->(e)
RETURN count(r) AS n

// name: propagate_roles
// PR1: every person who held one of $roles in the listed enterprise (a market
// entity, 市场主体) on the determination date. Not enterprises or bodies that
// control it: the documents authorise no propagation along control chains.
UNWIND $entry_ids AS eid
MATCH (s:Enterprise)-[:HAS_ENTRY]->(e:Entry {id: eid})
MATCH (p:Person)-[k:LEGAL_REP_OF|PRINCIPAL_OF|ACTUAL_CONTROLLER_OF|MANAGES]->(s)
WHERE type(k) IN $roles AND k.valid_from <= e.determined AND e.determined <= k.valid_to
MERGE (r:Restriction {id: eid + '|' + p.id + '|' + type(k) + '|' + k.valid_from})
SET r.rule = $rule, r.role = type(k), r.entry_id = eid, r.subject_id = p.id,
    r.path_ids = [p.id, s.id], r.path_roles = [type(k)],
    r.path_from = [k.valid_from], r.path_to = [k.valid_to],
    r.catalogue_version = $catalogue_version
MERGE (r)-[:TARGETS]->(p)
MERGE (r)-[:DERIVED_FROM]->(e)
RETURN count(r) AS n

// name: sweep_restrictions
// Role restrictions of these entries whose role period no longer exists, no longer
// covers the determination date, or whose role the list no longer propagates.
UNWIND $entry_ids AS eid
MATCH (r:Restriction {entry_id: eid})-[:TARGETS]->(p:Subject)
WHERE r.role <> 'entity'
MATCH (s:Subject)-[:HAS_ENTRY]->(e:Entry {id: eid})
OPTIONAL MATCH (p)-[k]->(s)
WHERE type(k) = r.role AND type(k) IN $roles AND k.valid_from = r.path_from[0]
  AND k.valid_from <= e.determined AND e.determined <= k.valid_to
WITH r, count(k) AS supported
WHERE supported = 0
DETACH DELETE r
