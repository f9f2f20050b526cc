// The explorer's and the briefings' graph: a subject's role relationships, the
// states of the subjects drawn, name search. Role periods are compared as ISO
// strings; $on null means every period (a lead's history).

// name: graph_out
// Roles the subject holds in others (it is `from`), in force on $on; with $only, only
// those to these subjects. Typed: a subject's entries and restrictions are not walked.
// types: roles RelType
MATCH (s:Subject {id: $id})-[r:{{roles}}]->(o:Subject)
WHERE ($on IS NULL OR (r.valid_from <= $on AND $on <= r.valid_to))
  AND ($only IS NULL OR o.id IN $only)
RETURN s.id AS src, o.id AS dst, type(r) AS type, r.share AS share, r.title AS title,
       r.valid_from AS valid_from, r.valid_to AS valid_to, r.source AS source
ORDER BY dst, type, valid_from
LIMIT $limit

// name: graph_in
// Roles others hold in the subject (it is `to`), in force on $on; $only as above.
// `o` has no label: with one, FalkorDB plans a scan of every Subject before the index
// look-up of `s` (1 s at 100,000 enterprises, for a subject with 17 ties). Role types
// join subjects only, so the label selected nothing.
// types: roles RelType
MATCH (s:Subject {id: $id})<-[r:{{roles}}]-(o)
WHERE ($on IS NULL OR (r.valid_from <= $on AND $on <= r.valid_to))
  AND ($only IS NULL OR o.id IN $only)
RETURN o.id AS src, s.id AS dst, type(r) AS type, r.share AS share, r.title AS title,
       r.valid_from AS valid_from, r.valid_to AS valid_to, r.source AS source
ORDER BY src, type, valid_from
LIMIT $limit

// name: graph_degree
// How many subjects the subject is tied to on $on: what a capped answer leaves out.
// types: roles RelType
MATCH (s:Subject {id: $id})-[r:{{roles}}]-(o:Subject)
WHERE ($on IS NULL OR (r.valid_from <= $on AND $on <= r.valid_to))
RETURN count(DISTINCT o) AS n

// name: graph_among
// The role relationships from the subjects $from to the subjects $ids (a lead's
// members among themselves; a briefing's subjects to the subjects drawn).
// types: roles RelType
UNWIND $from AS sid
MATCH (a:Subject {id: sid})-[r:{{roles}}]->(b:Subject)
WHERE b.id IN $ids AND ($on IS NULL OR (r.valid_from <= $on AND $on <= r.valid_to))
RETURN a.id AS src, b.id AS dst, type(r) AS type, r.share AS share, r.title AS title,
       r.valid_from AS valid_from, r.valid_to AS valid_to, r.source AS source

// name: graph_nodes
// Subjects to draw, each with the entries that reach it (its own listings, role
// 'entity', and those propagated to it), histories included: the caller judges
// them for the date drawn. Never an ID number.
UNWIND $ids AS sid
MATCH (s:Subject {id: sid})
OPTIONAL MATCH (s)<-[:TARGETS]-(r:Restriction)-[:DERIVED_FROM]->(e:Entry)
RETURN s {.id, .kind, .name, .region, .uscc} AS subject,
       collect(CASE WHEN r IS NULL THEN NULL ELSE {
           role: r.role, rule: r.rule,
           entry: e {.id, .list, .deciding_dept, .basis, .basis_kind, .determined, .valid_to, .region, .history,
                     .state}} END) AS records

// name: restored_entries
// Entries revoked as wrong whose reputation restoration names one of the subjects:
// revocation removes the person-level records, not the record that it happened.
MATCH (rr:Restoration)
WHERE any(sid IN rr.subject_ids WHERE sid IN $ids)
RETURN rr.entry_id AS entry_id, rr.subject_ids AS subject_ids

// name: search_names
// Subjects whose name contains $q (a scan, stopped at $limit hits).
MATCH (s:Subject)
WHERE s.name CONTAINS $q
RETURN s.id AS id
LIMIT $limit
