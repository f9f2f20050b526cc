// Neo4j 5 / 2025.x: uniqueness constraints (they bring their index), named and
// idempotent, so MERGE on id is safe under concurrent loads.

// name: schema_subject_id
CREATE CONSTRAINT subject_id IF NOT EXISTS FOR (n:Subject) REQUIRE n.id IS UNIQUE

// name: schema_subject_uscc
CREATE INDEX subject_uscc IF NOT EXISTS FOR (n:Subject) ON (n.uscc)

// name: schema_subject_id_hash
CREATE INDEX subject_id_hash IF NOT EXISTS FOR (n:Subject) ON (n.id_hash)

// name: schema_entry_id
CREATE CONSTRAINT entry_id IF NOT EXISTS FOR (n:Entry) REQUIRE n.id IS UNIQUE

// name: schema_restriction_id
CREATE CONSTRAINT restriction_id IF NOT EXISTS FOR (n:Restriction) REQUIRE n.id IS UNIQUE

// name: schema_restriction_entry
CREATE INDEX restriction_entry IF NOT EXISTS FOR (n:Restriction) ON (n.entry_id)
