// Bulk loading: every write is UNWIND $rows + MERGE, so a batch is atomic and
// loading it again changes nothing.

// name: subject_kinds
// Kinds of the given subject ids that already exist (for the loader's checks).
UNWIND $ids AS sid
MATCH (s:Subject {id: sid})
RETURN s.id AS id, s.kind AS kind

// name: subjects_by_keys
// vary: key SubjectKey
// Stored subjects with any of these ids, USCCs, ID-number hashes, organisation codes
// or names (all indexed): for the loader's clash checks and identity resolution.
UNWIND $ids AS k
MATCH (s:Subject)
WHERE s.{{key}} = k
RETURN k AS key, s.id AS id, s.kind AS kind, s.name AS name, s.uscc AS uscc, s.org_code AS org_code,
       s.stock_code AS stock_code

// name: persons_named_by
// Stored persons of a name who hold a role in a subject, per $pairs {key, org_id, name}:
// identity resolution's "the same enterprise names them by the same name" across loads,
// whatever id the person was stored under (a source's own id, a bundle id).
UNWIND $pairs AS pair
MATCH (p:Subject {name: pair.name})-[]->(o:Subject {id: pair.org_id})
WHERE p.kind = 'person'
RETURN DISTINCT pair.key AS key, p.id AS id, p.id_hash AS id_hash

// name: load_subjects
// vary: label SubjectLabel
// Creates or updates subjects of one kind; a null in props removes that property.
// ON CREATE / ON MATCH, not a SET after the MERGE: a map of unknown keys set after it
// might write the key it matched on, so Neo4j would hold the whole batch first (Eager).
UNWIND $rows AS row
MERGE (s:Subject:{{label}} {id: row.id})
ON CREATE SET s += row.props
ON MATCH SET s += row.props
RETURN count(s) AS n

// name: load_relations
// vary: rel RelType
// One role period per (from, to, type, valid_from).
UNWIND $rows AS row
MATCH (a:Subject {id: row.from_id})
MATCH (b:Subject {id: row.to_id})
MERGE (a)-[r:{{rel}} {valid_from: row.valid_from}]->(b)
SET r.valid_to = row.valid_to, r.share = row.share, r.title = coalesce(row.title, r.title)
RETURN count(r) AS n

// name: entry_subjects
// Subjects the given entry ids are already attached to.
UNWIND $ids AS eid
MATCH (s:Subject)-[:HAS_ENTRY]->(e:Entry {id: eid})
RETURN e.id AS id, s.id AS subject_id, e.source AS source

// name: entries_of_subjects
// Entries on the given subjects, for re-deriving them after their roles changed.
UNWIND $ids AS sid
MATCH (s:Subject {id: sid})-[:HAS_ENTRY]->(e:Entry)
RETURN e.id AS id, e.list AS list

// name: load_entries
// The loader has checked each row against the store already; the WHERE holds even if
// the API took over an entry (or another load attached it elsewhere) since then: such
// a row is not written, and the loader reports it from the ids that come back.
UNWIND $rows AS row
MATCH (s:Subject {id: row.subject_id})
MERGE (e:Entry {id: row.id})
WITH s, e, row
OPTIONAL MATCH (owner:Subject)-[:HAS_ENTRY]->(e)
WITH s, e, row, collect(owner.id) AS owners
WHERE coalesce(e.source, '') <> 'api' AND all(o IN owners WHERE o = s.id)
SET e += row.props
MERGE (s)-[:HAS_ENTRY]->(e)
RETURN e.id AS id

// name: load_sources
// Source records and the subjects they speak about, with why each was attached to that
// subject (identity resolution), and the entry each produced.
UNWIND $rows AS row
MATCH (s:Subject {id: row.subject_id})
MERGE (r:SourceRecord {id: row.key})
SET r.source = row.source, r.record_id = row.record_id, r.raw = coalesce(row.raw, r.raw)
MERGE (s)-[k:RECORDED_IN]->(r)
SET k.why = row.why
RETURN count(k) AS n

// name: link_source_entries
UNWIND $rows AS row
MATCH (r:SourceRecord {id: row.key})
MATCH (e:Entry {id: row.entry_id})
MERGE (e)-[:FROM_RECORD]->(r)
RETURN count(e) AS n

// name: sources_of_subject
// Every source record about a subject, with why it was attached; newest key first.
MATCH (s:Subject {id: $subject_id})-[k:RECORDED_IN]->(r:SourceRecord)
OPTIONAL MATCH (e:Entry)-[:FROM_RECORD]->(r)
RETURN r.source AS source, r.record_id AS record_id, k.why AS why, r.raw AS raw, collect(e.id) AS entries
ORDER BY source, record_id
