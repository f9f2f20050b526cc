// Indexes, run by Store.ensure_schema() (every query named schema_*). The base
// form is FalkorDB's unnamed CREATE INDEX; the falkordb adapter treats "already
// indexed" as success. cypher/neo4j/schema.cypher overrides with named,
// idempotent constraints. Every MERGE key and every equality look-up has one here
// (tests/cypher/test_schema_coverage.py). FalkorDB gets no uniqueness constraints:
// it runs the write queries of a graph one at a time, so two MERGEs cannot both
// create (probed: 4 clients x 3,000 MERGEs, no duplicate), and the index is what
// keeps a MERGE from scanning the label.

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

// name: schema_subject_name_text
// Neo4j's TEXT index for search_names (CONTAINS). FalkorDB has no index that serves
// CONTAINS (its full-text index answers db.idx.fulltext.queryNodes only), so here
// this is schema_subject_name again, which FalkorDB reports as already indexed.
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

// name: schema_entry_list
// entry_ids_of_list: propagating one list must not read every entry.
CREATE INDEX FOR (n:Entry) ON (n.list)

// name: schema_entry_last_tx
// unsettled_entries (API start-up) and the version check of a transition; only
// entries changed through the API have one.
CREATE INDEX FOR (n:Entry) ON (n.last_tx)

// name: schema_restriction_id
CREATE INDEX FOR (n:Restriction) ON (n.id)

// name: schema_restriction_entry
CREATE INDEX FOR (n:Restriction) ON (n.entry_id)

// name: schema_task_id
CREATE INDEX FOR (n:Task) ON (n.id)

// name: schema_task_entry
CREATE INDEX FOR (n:Task) ON (n.entry_id)

// name: schema_task_status
CREATE INDEX FOR (n:Task) ON (n.status)

// name: schema_task_due_on
// The task list: due on or before a day, newest first.
CREATE INDEX FOR (n:Task) ON (n.due_on)

// name: schema_transition_id
CREATE INDEX FOR (n:Transition) ON (n.id)

// name: schema_feedback_id
CREATE INDEX FOR (n:Feedback) ON (n.id)

// name: schema_lead_id
CREATE INDEX FOR (n:Lead) ON (n.id)

// name: schema_tender_id
CREATE INDEX FOR (n:Tender) ON (n.id)

// name: schema_meta_id
// The data-version node (bump_data_version MERGEs it).
CREATE INDEX FOR (n:Meta) ON (n.id)

// name: schema_restoration_id
// A revoked entry's reputation-restoration record (revoke_entry MERGEs it).
CREATE INDEX FOR (n:Restoration) ON (n.id)

// The indexes that exist, one row per index and property: its name, type (RANGE,
// TEXT...), labels, properties, whether a uniqueness constraint owns it, and its state.
// Not a schema_* name: ensure_schema reads it rather than running it. FalkorDB lists
// a label's indexed properties together, and a constraint (GRAPH.CONSTRAINT, which
// sanctionnet does not create there) apart, hence `unique` false.

// name: existing_indexes
CALL db.indexes() YIELD label, properties, types, entitytype, status
WHERE entitytype = 'NODE'
UNWIND properties AS property
UNWIND types[property] AS type
RETURN label + '.' + property AS name, type, [label] AS labels, [property] AS properties, false AS unique,
       status AS state
