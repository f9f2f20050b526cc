// The restriction check and subject lookups. Never returns an ID number: persons
// carry only id_hash (keyed hash) and id_masked.

// name: subject_by
// vary: key SubjectKey
// The subject with this bundle id, USCC, organisation code, registration-number or
// ID-number hash, or folded name (all indexed; graph_model.lookup says which to try).
MATCH (s:Subject)
WHERE s.{{key}} = $key
RETURN s {.id, .kind, .name, .uscc, .stock_code, .id_masked, .region, .ownership, .established, .status} AS subject

// name: subject_records
// vary: key SubjectKey
// The subject and every restriction record on it whose entry may have been in force
// on some day of [$from, $to], with the entry (history included), in one round trip;
// the caller judges them for a date from the entry's history and the catalogue, and
// looks up the names on the paths it needs. Entries decided after $to, expired before
// $from or closed (repaired, revoked) on or before $from are left out: a subject
// with a long history is not slower to check for today. Only the fields the check
// reads come back: moving and parsing the reply is most of a check's time. The WITH
// pins the plan to the indexed subject: without it FalkorDB scans every Entry. The
// graph's data version comes in the same reply, read with the records it dates (the
// audit entry records it; a separate read cost as much as the check's own).
MATCH (s:Subject)
WHERE s.{{key}} = $key
WITH s
OPTIONAL MATCH (s)<-[:TARGETS]-(r:Restriction)-[:DERIVED_FROM]->(e:Entry)
WHERE e.determined <= $to AND coalesce(e.valid_to, '9999-12-31') >= $from
  AND (e.closed_on IS NULL OR e.closed_on > $from)
WITH s, collect(CASE WHEN r IS NULL THEN NULL ELSE {
         restriction: r {.rule, .role, .path_ids, .path_roles, .path_from, .path_to},
         entry: e {.id, .list, .deciding_dept, .basis, .basis_kind, .determined, .valid_to, .region, .measures,
                   .history}} END) AS records
OPTIONAL MATCH (m:Meta {id: 'data'})
RETURN s {.id, .kind, .name, .uscc, .id_masked, .region, .ownership, .established, .status} AS subject,
       records, coalesce(m.version, 0) AS data_version

// name: subjects_by_ids
UNWIND $ids AS sid
MATCH (s:Subject {id: sid})
RETURN s {.id, .kind, .name} AS subject

// name: subject_records_many
// vary: key SubjectKey
// subject_records for many subjects in one round trip: one row per key of $keys
// (bundle ids, USCCs, hashes, names: one SubjectKey per read) and subject it names, with the key it
// answers; a key that names nobody gives no row. The same window [$from, $to] and
// fields as subject_records, the data version included. The first WITH pins each key's match to the index, as
// there; grouping by the node, not by its projected map, halves the aggregation.
UNWIND $keys AS k
MATCH (s:Subject)
WHERE s.{{key}} = k
WITH k, s
OPTIONAL MATCH (s)<-[:TARGETS]-(r:Restriction)-[:DERIVED_FROM]->(e:Entry)
WHERE e.determined <= $to AND coalesce(e.valid_to, '9999-12-31') >= $from
  AND (e.closed_on IS NULL OR e.closed_on > $from)
WITH k, s, collect(CASE WHEN r IS NULL THEN NULL ELSE {
         restriction: r {.rule, .role, .path_ids, .path_roles, .path_from, .path_to},
         entry: e {.id, .list, .deciding_dept, .basis, .basis_kind, .determined, .valid_to, .region, .measures,
                   .history}} END) AS records
OPTIONAL MATCH (m:Meta {id: 'data'})
RETURN k AS key, s {.id, .kind, .name, .uscc, .id_masked, .region, .ownership, .established, .status} AS subject,
       records, coalesce(m.version, 0) AS data_version
