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
ON CREATE SET r.role = 'entity', r.entry_id = eid, r.subject_id = s.id,
    r.path_ids = [s.id], r.path_roles = [], r.path_from = [], r.path_to = []
SET r.rule = $rule, r.catalogue_version = $catalogue_version
MERGE (r)-[:TARGETS]->(s)
MERGE (r)-[:DERIVED_FROM]->(e)
RETURN count(r) AS n

// name: propagate_roles
// PR1/PR2/PR6: every person who held one of $roles in the listed enterprise (a
// market entity, 市场主体) on the determination date; $ownership, if not empty,
// narrows the rule to enterprises of that ownership (PR2: SOEs). Not enterprises or
// bodies that control it: the documents authorise no propagation along control
// chains. A revoked entry binds no person (its person-level records are removed).
// The WITH keeps FalkorDB's plan starting from the indexed entry: with the filter
// next to the first MATCH it scanned role edges instead (30x slower on the demo).
// What the record's id names (entry, person, role, period start) is set when it is
// created; what a rerun may change (the rule, the period's end, the catalogue
// version) on every run: a rerun over unchanged records writes 3 properties, not 9.
UNWIND $entry_ids AS eid
MATCH (s:Enterprise)-[:HAS_ENTRY]->(e:Entry {id: eid})
WITH eid, s, e
WHERE e.state <> 'revoked' AND (size($ownership) = 0 OR s.ownership IN $ownership)
MATCH (p:Person)-[k:LEGAL_REP_OF|PRINCIPAL_OF|ACTUAL_CONTROLLER_OF|MANAGES]->(s)
WHERE type(k) IN $roles AND k.valid_from <= e.determined AND e.determined <= k.valid_to
MERGE (r:Restriction {id: eid + '|' + p.id + '|' + type(k) + '|' + k.valid_from})
ON CREATE SET r.role = type(k), r.entry_id = eid, r.subject_id = p.id,
    r.path_ids = [p.id, s.id], r.path_roles = [type(k)], r.path_from = [k.valid_from]
SET r.rule = $rule, r.path_to = [k.valid_to], r.catalogue_version = $catalogue_version
MERGE (r)-[:TARGETS]->(p)
MERGE (r)-[:DERIVED_FROM]->(e)
RETURN count(r) AS n

// name: propagate_named
// PR5/PR8: the persons the deciding department names in its decision (相关责任人,
// 当事人), kept on the entry as `named`; the path's period is the entry's. `Subject`
// on p: the id index is Subject's (with Person alone, Neo4j scanned every person).
UNWIND $entry_ids AS eid
MATCH (s:Subject)-[:HAS_ENTRY]->(e:Entry {id: eid})
WHERE e.state <> 'revoked'
UNWIND coalesce(e.named, []) AS pid
MATCH (p:Subject:Person {id: pid})
MERGE (r:Restriction {id: eid + '|' + p.id + '|NAMED'})
SET r.rule = $rule, r.role = 'NAMED', r.entry_id = eid, r.subject_id = p.id,
    r.path_ids = [p.id, s.id], r.path_roles = ['NAMED'],
    r.path_from = [e.determined], r.path_to = [e.valid_to],
    r.catalogue_version = $catalogue_version
MERGE (r)-[:TARGETS]->(p)
MERGE (r)-[:DERIVED_FROM]->(e)
RETURN count(r) AS n

// name: sweep_restrictions
// Person-level restrictions of these entries the graph or the catalogue no longer
// supports: the entry was revoked; the list no longer has that rule for that role
// ($rule_roles, "rule:role"); a rule narrowed by ownership ($narrowed) no longer
// matches the enterprise ($rule_ownerships, "rule:ownership"); a named person is no
// longer named; or the role period is gone or no longer covers the determination date.
// The entry first, then its records: the other order made FalkorDB walk both edges
// one record at a time inside a cartesian product (3x slower).
UNWIND $entry_ids AS eid
MATCH (s:Subject)-[:HAS_ENTRY]->(e:Entry {id: eid})
WITH eid, s, e
MATCH (r:Restriction {entry_id: eid})-[:TARGETS]->(p:Subject)
WHERE r.role <> 'entity'
OPTIONAL MATCH (p)-[k]->(s)
WHERE type(k) = r.role AND k.valid_from = r.path_from[0]
  AND k.valid_from <= e.determined AND e.determined <= k.valid_to
WITH r, e, s, p, count(k) AS held
WHERE e.state = 'revoked'
   OR NOT (r.rule + ':' + r.role) IN $rule_roles
   OR (r.rule IN $narrowed AND NOT (r.rule + ':' + coalesce(s.ownership, '')) IN $rule_ownerships)
   OR (r.role = 'NAMED' AND NOT p.id IN coalesce(e.named, []))
   OR (r.role <> 'NAMED' AND held = 0)
DETACH DELETE r

// Settling. An entry's act through the API (create, transition) and the propagation
// that follows it are separate statements. `last_tx` names the entry's last act;
// `propagated_tx` is set to it once a propagation that began after the act is done.
// An entry whose two differ had its act written but its propagation perhaps not (the
// process died in between): the next propagation of it (the next act on it,
// `complete_interrupted` for start-up, `db propagate`, a load) finishes it.

// name: unsettled_of
// Which of $entry_ids have an act not yet followed by a complete propagation; read
// before propagating them, so that an act landing meanwhile stays unsettled.
UNWIND $entry_ids AS eid
MATCH (e:Entry {id: eid})
WHERE e.last_tx IS NOT NULL AND e.last_tx <> coalesce(e.propagated_tx, '')
RETURN e.id AS id, e.last_tx AS tx

// name: unsettled_entries
// Every entry with an act not yet followed by a complete propagation, with its list.
MATCH (e:Entry)
WHERE e.last_tx IS NOT NULL AND e.last_tx <> coalesce(e.propagated_tx, '')
RETURN e.id AS id, e.list AS list

// name: settle_entries
// The propagation that began after act $rows[].tx is done; a later act stays unsettled.
UNWIND $rows AS row
MATCH (e:Entry {id: row.id})
WHERE e.last_tx = row.tx
SET e.propagated_tx = row.tx
RETURN count(e) AS n
