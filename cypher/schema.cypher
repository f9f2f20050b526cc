// Indexes, run by Store.ensure_schema() (every query named schema_*). The base
// form is FalkorDB's unnamed CREATE INDEX; the falkordb adapter treats "already
// indexed" as success. cypher/neo4j/schema.cypher overrides with named,
// idempotent constraints.

// name: schema_subject_id
CREATE INDEX FOR (n:Subject) ON (n.id)

// name: schema_subject_uscc
CREATE INDEX FOR (n:Subject) ON (n.uscc)

// name: schema_subject_id_hash
CREATE INDEX FOR (n:Subject) ON (n.id_hash)

// name: schema_subject_org_code
CREATE INDEX FOR (n:Subject) ON (n.org_code)

// name: schema_subject_stock_code
CREATE INDEX FOR (n:Subject) ON (n.stock_code)

// name: schema_subject_name
CREATE INDEX FOR (n:Subject) ON (n.name)

// name: schema_subject_name_key
// Enterprises and public bodies by their name as graph_model.names.name_key folds it.
CREATE INDEX FOR (n:Subject) ON (n.name_key)

// name: schema_subject_reg_no
CREATE INDEX FOR (n:Subject) ON (n.reg_no)

// name: schema_subject_reg_no_hash
// Look-ups by registration number use its keyed hash (15 digits may be an old ID number).
CREATE INDEX FOR (n:Subject) ON (n.reg_no_hash)

// name: schema_source_record_id
CREATE INDEX FOR (n:SourceRecord) ON (n.id)

// name: schema_region_code
CREATE INDEX FOR (n:Region) ON (n.code)

// name: schema_entry_id
CREATE INDEX FOR (n:Entry) ON (n.id)

// name: schema_restriction_id
CREATE INDEX FOR (n:Restriction) ON (n.id)

// name: schema_restriction_entry
CREATE INDEX FOR (n:Restriction) ON (n.entry_id)

// name: schema_task_id
CREATE INDEX FOR (n:Task) ON (n.id)

// name: schema_task_entry
CREATE INDEX FOR (n:Task) ON (n.entry_id)

// name: schema_transition_id
CREATE INDEX FOR (n:Transition) ON (n.id)

// name: schema_feedback_id
CREATE INDEX FOR (n:Feedback) ON (n.id)

// name: schema_lead_id
CREATE INDEX FOR (n:Lead) ON (n.id)

// name: schema_tender_id
CREATE INDEX FOR (n:Tender) ON (n.id)
