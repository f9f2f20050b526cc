// The restriction check and subject lookups. Never returns an ID number: persons
// carry only id_hash (keyed hash) and id_masked.

// name: subject_by_id
MATCH (s:Subject {id: $key})
RETURN s {.id, .kind, .name, .uscc, .id_masked, .region, .ownership, .established, .status} AS subject

// name: subject_by_uscc
MATCH (s:Subject {uscc: $key})
RETURN s {.id, .kind, .name, .uscc, .id_masked, .region, .ownership, .established, .status} AS subject

// name: subject_by_id_hash
MATCH (s:Subject {id_hash: $key})
RETURN s {.id, .kind, .name, .uscc, .id_masked, .region, .ownership, .established, .status} AS subject

// name: restrictions_of_subject
// Every restriction record on a subject with its entry (history included); the
// caller judges them for a date from the entry's history and the catalogue, and
// looks up the names on the paths it needs. Only the fields the check reads come
// back: parsing the reply is most of a check's time. The WITH pins the plan to the
// indexed subject: without it FalkorDB starts from a scan of every Entry.
MATCH (s:Subject {id: $subject_id})
WITH s
MATCH (s)<-[:TARGETS]-(r:Restriction)-[:DERIVED_FROM]->(e:Entry)
RETURN r {.rule, .role, .path_ids, .path_roles, .path_from, .path_to} AS restriction,
       e {.id, .list, .deciding_dept, .basis, .basis_kind, .determined, .valid_to, .region, .measures,
          .hist_on, .hist_state} AS entry

// name: subjects_by_ids
UNWIND $ids AS sid
MATCH (s:Subject {id: sid})
RETURN s {.id, .kind, .name} AS subject
