"""The store contract both adapters keep."""

from __future__ import annotations

import pytest

from graph_model.errors import QueryFailed
from graph_model.vocabulary.kinds import SubjectLabel

# The adapter over a Bolt server that is not Neo4j (FalkorDB's port, falkordb dialect):
# what a user pointing the neo4j store at FalkorDB's Bolt port gets.
ALSO_ON_FALKORDB_BOLT = True


def _subjects(n: int) -> list[dict]:
    return [{"id": f"S{i}", "props": {"kind": "enterprise", "name": f"企业{i}", "uscc": None}} for i in range(n)]


def test_parameters_must_match_the_query(store):
    with pytest.raises(TypeError, match="missing parameters \\['key'\\]"):
        store.read("subject_by", variant="id")
    with pytest.raises(TypeError, match="unexpected \\['extra'\\]"):
        store.read("subject_by", variant="id", key="x", extra=1)
    with pytest.raises(KeyError, match="no Cypher query"):
        store.read("no_such_query")


def test_write_rows_batches_and_returns_plain_dicts(store):
    summary = store.write_rows("load_subjects", _subjects(5), variant=SubjectLabel.Enterprise, batch_size=2)
    assert summary.nodes_created == 5
    assert [row["n"] for row in summary.rows] == [2, 2, 1]
    row = store.read_one("subject_by", variant="id", key="S3")
    assert type(row) is dict and type(row["subject"]) is dict
    assert row["subject"]["name"] == "企业3" and row["subject"]["kind"] == "enterprise"
    # A null in props is "not set", not a stored null.
    assert row["subject"]["uscc"] is None


def test_merge_is_idempotent(store):
    store.write_rows("load_subjects", _subjects(3), variant=SubjectLabel.Enterprise)
    again = store.write_rows("load_subjects", _subjects(3), variant=SubjectLabel.Enterprise)
    assert again.nodes_created == 0
    assert store.read("count_subjects") == [{"kind": "enterprise", "n": 3}]


def test_read_one_is_strict(store):
    assert store.read_one("subject_by", variant="id", key="absent") is None
    store.write_rows("load_subjects", _subjects(2), variant=SubjectLabel.Enterprise)
    with pytest.raises(QueryFailed, match="expected at most one"):
        store.read_one("snapshot_nodes")


def test_schema_is_idempotent(store):
    store.ensure_schema()
    store.ensure_schema()


def test_unicode_and_quotes_are_data_not_query_text(store, request):
    if request.node.callspec.params["store"] == "neo4j-bolt":
        # FalkorDB 4.16's Bolt port pastes parameters into query text unescaped: a
        # quote breaks the query, a backslash is altered (docs/neo4j.md). Real Neo4j
        # and the falkordb client pass parameters safely; strict, so a fix shows up.
        request.applymarker(pytest.mark.xfail(strict=True, reason="FalkorDB Bolt parameter escaping"))
    name = "'}) DETACH DELETE n //\"\u202e测试"
    store.write_rows("load_subjects", [{"id": "Q1", "props": {"kind": "person", "name": name}}],
                     variant=SubjectLabel.Person)
    assert store.read_one("subject_by", variant="id", key="Q1")["subject"]["name"] == name
    assert store.read_one("subject_by", variant="id", key="'}) RETURN 1 //") is None
