// Neo4j 5 / 2025.x: uniqueness constraints (they bring their index), named and
// idempotent, so MERGE on id is safe under concurrent loads: without one, two
// transactions MERGEing the same key at once both create (probed: 4 clients, 200 keys,
// 231 nodes). Neo4jStore.ensure_schema waits until all are ONLINE, and checks they
// exist when the user may not create them (docs/neo4j.md, "Schema").

// name: schema_subject_id
CREATE CONSTRAINT subject_id IF NOT EXISTS FOR (n:Subject) REQUIRE n.id IS UNIQUE

// name: schema_subject_uscc
CREATE INDEX subject_uscc IF NOT EXISTS FOR (n:Subject) ON (n.uscc)

// name: schema_subject_id_hash
CREATE INDEX subject_id_hash IF NOT EXISTS FOR (n:Subject) ON (n.id_hash)

// name: schema_subject_org_code
CREATE INDEX subject_org_code IF NOT EXISTS FOR (n:Subject) ON (n.org_code)

// name: schema_subject_stock_code
CREATE INDEX subject_stock_code IF NOT EXISTS FOR (n:Subject) ON (n.stock_code)

// name: schema_subject_name
CREATE INDEX subject_name IF NOT EXISTS FOR (n:Subject) ON (n.name)

// name: schema_subject_name_text
// search_names (CONTAINS): a range index can only be scanned whole for that.
CREATE TEXT INDEX subject_name_text IF NOT EXISTS FOR (n:Subject) ON (n.name)

// name: schema_subject_name_key
CREATE INDEX subject_name_key IF NOT EXISTS FOR (n:Subject) ON (n.name_key)

// name: schema_subject_reg_no
CREATE INDEX subject_reg_no IF NOT EXISTS FOR (n:Subject) ON (n.reg_no)

// name: schema_subject_reg_no_hash
CREATE INDEX subject_reg_no_hash IF NOT EXISTS FOR (n:Subject) ON (n.reg_no_hash)

// name: schema_source_record_id
CREATE CONSTRAINT source_record_id IF NOT EXISTS FOR (n:SourceRecord) REQUIRE n.id IS UNIQUE

// name: schema_region_code
CREATE CONSTRAINT region_code IF NOT EXISTS FOR (n:Region) REQUIRE n.code IS UNIQUE

// name: schema_entry_id
CREATE CONSTRAINT entry_id IF NOT EXISTS FOR (n:Entry) REQUIRE n.id IS UNIQUE

// name: schema_entry_list
CREATE INDEX entry_list IF NOT EXISTS FOR (n:Entry) ON (n.list)

// name: schema_entry_last_tx
CREATE INDEX entry_last_tx IF NOT EXISTS FOR (n:Entry) ON (n.last_tx)

// name: schema_restriction_id
CREATE CONSTRAINT restriction_id IF NOT EXISTS FOR (n:Restriction) REQUIRE n.id IS UNIQUE

// name: schema_restriction_entry
CREATE INDEX restriction_entry IF NOT EXISTS FOR (n:Restriction) ON (n.entry_id)

// name: schema_task_id
CREATE CONSTRAINT task_id IF NOT EXISTS FOR (n:Task) REQUIRE n.id IS UNIQUE

// name: schema_task_entry
CREATE INDEX task_entry IF NOT EXISTS FOR (n:Task) ON (n.entry_id)

// name: schema_task_status
CREATE INDEX task_status IF NOT EXISTS FOR (n:Task) ON (n.status)

// name: schema_task_due_on
CREATE INDEX task_due_on IF NOT EXISTS FOR (n:Task) ON (n.due_on)

// name: schema_transition_id
CREATE CONSTRAINT transition_id IF NOT EXISTS FOR (n:Transition) REQUIRE n.id IS UNIQUE

// name: schema_feedback_id
CREATE CONSTRAINT feedback_id IF NOT EXISTS FOR (n:Feedback) REQUIRE n.id IS UNIQUE

// name: schema_lead_id
CREATE CONSTRAINT lead_id IF NOT EXISTS FOR (n:Lead) REQUIRE n.id IS UNIQUE

// name: schema_tender_id
CREATE CONSTRAINT tender_id IF NOT EXISTS FOR (n:Tender) REQUIRE n.id IS UNIQUE

// name: schema_meta_id
CREATE CONSTRAINT meta_id IF NOT EXISTS FOR (n:Meta) REQUIRE n.id IS UNIQUE

// name: schema_restoration_id
CREATE CONSTRAINT restoration_id IF NOT EXISTS FOR (n:Restoration) REQUIRE n.id IS UNIQUE

// name: existing_indexes
// state: ONLINE, POPULATING or FAILED. A uniqueness constraint's index is RANGE, owned by it.
SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, state, owningConstraint
WHERE entityType = 'NODE' AND type <> 'LOOKUP'
RETURN name, type, labelsOrTypes AS labels, properties, owningConstraint IS NOT NULL AS unique, state
