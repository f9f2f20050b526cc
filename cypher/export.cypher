// Reading the graph for export (`sanctionnet export ftm|bods FILE`, loaders/ftm.py and
// loaders/bods.py): every subject, role period and list entry, one page or batch at a
// time so that a large store streams. The paged queries return at most 10000 rows
// (loaders.ftm.PAGE): a shorter page is the last one.

// name: export_subjects
// Subjects whose id sorts after $after, in id order. Never an ID number: the store has
// none, and an export carries neither its hash nor its masked form.
MATCH (s:Subject)
WHERE s.id > $after
RETURN s.id AS id, s.kind AS kind, s.name AS name, s.uscc AS uscc, s.established AS established,
       s.status AS status, s.ownership AS ownership
ORDER BY id
LIMIT 10000

// name: export_relations
// Role periods held by the subjects $ids, of the relationship types $roles.
UNWIND $ids AS sid
MATCH (a:Subject {id: sid})-[r]->(b:Subject)
WHERE type(r) IN $roles
RETURN a.id AS from_id, b.id AS to_id, type(r) AS type, r.share AS share, r.valid_from AS valid_from,
       r.valid_to AS valid_to, r.title AS title

// name: export_entries
// List entries whose id sorts after $after, in id order, with the subject each is on
// (null for an entry without one, which the export skips).
MATCH (e:Entry)
WHERE e.id > $after
OPTIONAL MATCH (s:Subject)-[:HAS_ENTRY]->(e)
RETURN e.id AS entry_id, s.id AS subject_id, e.list AS list, e.deciding_dept AS deciding_dept,
       e.basis AS basis, e.basis_kind AS basis_kind, e.determined AS determined, e.state AS state,
       e.valid_to AS valid_to, e.region AS region, e.history AS history, e.named AS named,
       e.measures AS measures, e.permanent AS permanent
ORDER BY entry_id
LIMIT 10000
