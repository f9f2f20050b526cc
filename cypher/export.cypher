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
// Role periods held by the subjects $ids, of the relationship types $roles (a role
// type each; the expansion is typed, so entries and restrictions are not walked).
// types: all_roles RelType
UNWIND $ids AS sid
MATCH (a:Subject {id: sid})-[r:{{all_roles}}]->(b:Subject)
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


// Reading the whole graph for `sanctionnet export neo4j-admin DIR` (loaders/neo4j_admin.py):
// every node with all its labels and properties, and every relationship with its type and
// properties, one ID space at a time. Each space is keyed by a property (`code` for
// Region, `id` for the others) and paged in key order, $after being the last key of the
// page before ('' for the first); a page holds at most 50000 nodes
// (loaders.neo4j_admin.PAGE), each with the relationships leaving it and the labels and
// keys of their end nodes. Labels cannot be parameters, hence one query per space.

// name: neo4j_admin_subject
// One page of subjects, of every kind (Subject:Enterprise, Subject:Person, ...).
MATCH (n:Subject)
WHERE n.id > $after
WITH n ORDER BY n.id LIMIT 50000
RETURN n.id AS key, labels(n) AS labels, properties(n) AS props,
       [(n)-[r]->(b) | {type: type(r), props: properties(r), labels: labels(b), id: b.id, code: b.code}] AS out
ORDER BY key

// name: neo4j_admin_entry
// One page of Entry nodes.
MATCH (n:Entry)
WHERE n.id > $after
WITH n ORDER BY n.id LIMIT 50000
RETURN n.id AS key, labels(n) AS labels, properties(n) AS props,
       [(n)-[r]->(b) | {type: type(r), props: properties(r), labels: labels(b), id: b.id, code: b.code}] AS out
ORDER BY key

// name: neo4j_admin_restriction
// One page of Restriction nodes.
MATCH (n:Restriction)
WHERE n.id > $after
WITH n ORDER BY n.id LIMIT 50000
RETURN n.id AS key, labels(n) AS labels, properties(n) AS props,
       [(n)-[r]->(b) | {type: type(r), props: properties(r), labels: labels(b), id: b.id, code: b.code}] AS out
ORDER BY key

// name: neo4j_admin_transition
// One page of Transition nodes.
MATCH (n:Transition)
WHERE n.id > $after
WITH n ORDER BY n.id LIMIT 50000
RETURN n.id AS key, labels(n) AS labels, properties(n) AS props,
       [(n)-[r]->(b) | {type: type(r), props: properties(r), labels: labels(b), id: b.id, code: b.code}] AS out
ORDER BY key

// name: neo4j_admin_restoration
// One page of Restoration nodes.
MATCH (n:Restoration)
WHERE n.id > $after
WITH n ORDER BY n.id LIMIT 50000
RETURN n.id AS key, labels(n) AS labels, properties(n) AS props,
       [(n)-[r]->(b) | {type: type(r), props: properties(r), labels: labels(b), id: b.id, code: b.code}] AS out
ORDER BY key

// name: neo4j_admin_task
// One page of Task nodes.
MATCH (n:Task)
WHERE n.id > $after
WITH n ORDER BY n.id LIMIT 50000
RETURN n.id AS key, labels(n) AS labels, properties(n) AS props,
       [(n)-[r]->(b) | {type: type(r), props: properties(r), labels: labels(b), id: b.id, code: b.code}] AS out
ORDER BY key

// name: neo4j_admin_lead
// One page of Lead nodes.
MATCH (n:Lead)
WHERE n.id > $after
WITH n ORDER BY n.id LIMIT 50000
RETURN n.id AS key, labels(n) AS labels, properties(n) AS props,
       [(n)-[r]->(b) | {type: type(r), props: properties(r), labels: labels(b), id: b.id, code: b.code}] AS out
ORDER BY key

// name: neo4j_admin_feedback
// One page of Feedback nodes.
MATCH (n:Feedback)
WHERE n.id > $after
WITH n ORDER BY n.id LIMIT 50000
RETURN n.id AS key, labels(n) AS labels, properties(n) AS props,
       [(n)-[r]->(b) | {type: type(r), props: properties(r), labels: labels(b), id: b.id, code: b.code}] AS out
ORDER BY key

// name: neo4j_admin_tender
// One page of Tender nodes.
MATCH (n:Tender)
WHERE n.id > $after
WITH n ORDER BY n.id LIMIT 50000
RETURN n.id AS key, labels(n) AS labels, properties(n) AS props,
       [(n)-[r]->(b) | {type: type(r), props: properties(r), labels: labels(b), id: b.id, code: b.code}] AS out
ORDER BY key

// name: neo4j_admin_source_record
// One page of SourceRecord nodes.
MATCH (n:SourceRecord)
WHERE n.id > $after
WITH n ORDER BY n.id LIMIT 50000
RETURN n.id AS key, labels(n) AS labels, properties(n) AS props,
       [(n)-[r]->(b) | {type: type(r), props: properties(r), labels: labels(b), id: b.id, code: b.code}] AS out
ORDER BY key

// name: neo4j_admin_region
// One page of administrative divisions, keyed by their code (they have no id).
MATCH (n:Region)
WHERE n.code > $after
WITH n ORDER BY n.code LIMIT 50000
RETURN n.code AS key, labels(n) AS labels, properties(n) AS props,
       [(n)-[r]->(b) | {type: type(r), props: properties(r), labels: labels(b), id: b.id, code: b.code}] AS out
ORDER BY key

// name: neo4j_admin_meta
// The data-version node: bookkeeping, but part of the graph, so it is exported too.
MATCH (n:Meta)
WHERE n.id > $after
WITH n ORDER BY n.id LIMIT 50000
RETURN n.id AS key, labels(n) AS labels, properties(n) AS props,
       [(n)-[r]->(b) | {type: type(r), props: properties(r), labels: labels(b), id: b.id, code: b.code}] AS out
ORDER BY key

// name: neo4j_admin_inventory
// Every label set with its number of nodes and how many of them have an `id` and a
// `code` (the ID-space keys): checked before an export writes anything.
MATCH (n)
RETURN labels(n) AS labels, count(n) AS n, count(n.id) AS with_id, count(n.code) AS with_code

// name: neo4j_admin_relationship_count
MATCH ()-[r]->()
RETURN count(r) AS n

// name: neo4j_admin_empty_lists
// After a neo4j-admin import: neo4j-admin cannot write an empty list, so the export
// marks each node that had some with the label SanctionnetEmptyLists and the sorted
// names in `sanctionnet_empty_lists`. This sets them ($fill maps each of $keys to [])
// on up to 10000 nodes (loaders.neo4j_admin.FILL) marked with exactly $keys and removes
// the marks; run it until it returns fewer than 10000.
MATCH (n:SanctionnetEmptyLists)
WHERE n.sanctionnet_empty_lists = $keys
WITH n LIMIT 10000
SET n += $fill
REMOVE n:SanctionnetEmptyLists, n.sanctionnet_empty_lists
RETURN count(n) AS n

// name: neo4j_admin_marked
// Nodes still marked as having empty lists (none once an import is finished).
MATCH (n:SanctionnetEmptyLists)
RETURN count(n) AS n
