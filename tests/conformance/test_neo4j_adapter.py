"""The Neo4j adapter itself: causal consistency through one bookmark manager, and how
the driver's errors read once its retries are spent.

The bookmark tests run on the real Neo4j only (the other stores have no bookmarks).
They watch the real driver and the real bookmark manager by wrapping their methods,
which still run: nothing of the store is replaced. The error tests build the driver's
own exceptions with Neo4j's status codes (5.26) and pass them through ``store_error``.
"""

from __future__ import annotations

from datetime import date

import neo4j
import pytest
from neo4j.exceptions import (
    IncompleteCommit,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from graph_model.errors import (
    ConstraintViolated,
    QueryFailed,
    QueryTimedOut,
    StoreBusy,
    StoreUnavailable,
    WriteUncertain,
)
from graph_model.lifecycle.acts import Act, NewEntry
from graph_model.lifecycle.transitions import create_entry, transition
from graph_model.store.neo4j import Neo4jStore, SchemaForbidden, bookmark_manager, store_error
from graph_model.vocabulary.kinds import SubjectLabel
from loaders.bundle import load_bundle
from tests.factories import Bundle


@pytest.fixture
def neo4j_store(store, request, neo4j_server):
    if request.node.callspec.params["store"] != "neo4j":
        pytest.skip("bookmarks are the real Neo4j's")
    return store


def _manager(server: dict):
    return bookmark_manager(server["uri"], server["user"], server["database"])


def _spy_sessions(monkeypatch, store: Neo4jStore) -> list[dict]:
    """Record the arguments of every session the store's (real) driver opens."""
    driver = store._driver
    opened: list[dict] = []
    real = driver.session

    def session(**config):
        opened.append(config)
        return real(**config)

    monkeypatch.setattr(driver, "session", session)
    return opened


def test_every_session_the_adapter_opens_carries_the_process_bookmark_manager(neo4j_store, neo4j_server, monkeypatch,
                                                                              catalogue, hasher, bundle_dir):
    opened = _spy_sessions(monkeypatch, neo4j_store)
    b = Bundle()
    b.enterprise("E1")
    b.person("P1")
    b.role("P1", "LEGAL_REP_OF", "E1", valid_from="2015-01-01")
    assert load_bundle(neo4j_store, catalogue, hasher, b.write(bundle_dir)).rejects == []
    # A write flow that reads between its writes: the entry, what is unsettled, the task facts.
    entry_id = create_entry(neo4j_store, catalogue, hasher, NewEntry(
        subject="E1", list="joint_punishment", deciding_dept="哈尔滨市南岗区人民法院", basis="（2024）黑0103执1号",
        basis_kind="judgment", determined=date(2024, 1, 2), region="230103", actor="李四",
        department="哈尔滨市南岗区人民法院", reason="拒不履行生效判决", on=date(2024, 1, 5)))
    transition(neo4j_store, catalogue, entry_id, "notify",
               Act(actor="王五", department="哈尔滨市发展和改革委员会", reason="告知书已送达", on=date(2024, 1, 10)))
    manager = _manager(neo4j_server)
    assert len(opened) > 10
    assert all(config.get("bookmark_manager") is manager for config in opened)
    assert {config["default_access_mode"] for config in opened} == {neo4j.READ_ACCESS, neo4j.WRITE_ACCESS}
    # Another store of this process on the same database shares it.
    other = Neo4jStore(neo4j_server["uri"], user=neo4j_server["user"], password=neo4j_server["password"],
                       database=neo4j_server["database"])
    try:
        opened_by_other = _spy_sessions(monkeypatch, other)
        assert other.read_one("entry_by_id", entry_id=entry_id)["entry"]["state"] == "notified"
        assert [config.get("bookmark_manager") for config in opened_by_other] == [manager]
    finally:
        other.close()


def test_a_read_after_a_write_starts_from_that_write(neo4j_store, neo4j_server, monkeypatch):
    manager = _manager(neo4j_server)
    updates: list[set[str]] = []
    handed: list[set[str]] = []
    real_update, real_get = manager.update_bookmarks, manager.get_bookmarks

    def update_bookmarks(previous, new):
        updates.append(set(new))
        return real_update(previous, new)

    def get_bookmarks():
        bookmarks = real_get()
        handed.append(set(bookmarks))
        return bookmarks

    monkeypatch.setattr(manager, "update_bookmarks", update_bookmarks)
    monkeypatch.setattr(manager, "get_bookmarks", get_bookmarks)
    before = set(real_get())
    neo4j_store.write_rows("load_subjects", [{"id": "S1", "props": {"kind": "enterprise", "name": "企业1"}}],
                           variant=SubjectLabel.Enterprise)
    [written] = updates
    assert written and not written & before
    assert set(real_get()) == written
    # A read in another store of the process (another request, another thread) begins
    # with the write's bookmark, so a follower would wait until it has applied it.
    other = Neo4jStore(neo4j_server["uri"], user=neo4j_server["user"], password=neo4j_server["password"],
                       database=neo4j_server["database"])
    try:
        handed.clear()
        assert other.read_one("subject_by", variant="id", key="S1")["subject"]["name"] == "企业1"
    finally:
        other.close()
    assert handed and all(written <= bookmarks for bookmarks in handed)


def _server_error(code: str, message: str = "from the server") -> Neo4jError:
    """The driver's exception for a failure message from the server, as its Bolt layer builds it."""
    return Neo4jError._hydrate_neo4j(code=code, message=message)


@pytest.mark.parametrize("code, retry_after, says", [
    ("Neo.TransientError.Transaction.DeadlockDetected", "1", "locks"),
    ("Neo.TransientError.Transaction.LockAcquisitionTimeout", "1", "locks"),
    ("Neo.TransientError.General.MemoryPoolOutOfMemoryError", "5", "no memory"),
    ("Neo.TransientError.General.TransactionMemoryLimit", "5", "no memory"),
    ("Neo.TransientError.General.OutOfMemoryError", "5", "no memory"),
    ("Neo.TransientError.Transaction.MaximumTransactionLimitReached", "5", "could not take"),
    ("Neo.TransientError.Transaction.BookmarkTimeout", "5", "could not take"),
    ("Neo.TransientError.Request.NoThreadsAvailable", "5", "could not take"),
])
def test_a_busy_store_is_busy_not_down(code, retry_after, says):
    error = store_error(_server_error(code), query="lead_review", where="bolt://db:7687", wrote=True)
    assert type(error) is StoreBusy and isinstance(error, StoreUnavailable)
    assert error.status == 503 and error.headers == {"Retry-After": retry_after}
    assert says in error.detail and code in error.detail and "lead_review" in error.detail
    assert error.type == "/problems/store-busy"


@pytest.mark.parametrize("code", [
    "Neo.TransientError.General.DatabaseUnavailable",
    "Neo.TransientError.Transaction.LeaderSwitch",
    "Neo.TransientError.Transaction.LeaseExpired",
    "Neo.TransientError.Cluster.ReplicationFailure",
    "Neo.ClientError.Cluster.NotALeader",
    "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
])
def test_no_member_to_serve_is_unavailable(code):
    error = store_error(_server_error(code), query="transition_entry", where="neo4j://db:7687", wrote=True)
    assert type(error) is StoreUnavailable and code in error.detail and not error.headers


def test_a_broken_commit_is_uncertain_for_a_write_and_unavailable_for_a_read():
    broken = IncompleteCommit("Connection lost while waiting for the commit")
    write = store_error(broken, query="revoke_entry", where="bolt://db:7687", wrote=True)
    assert type(write) is WriteUncertain and isinstance(write, StoreUnavailable)
    assert write.status == 503 and write.type == "/problems/write-uncertain"
    assert "may or may not have been written" in write.detail and "revoke_entry" in write.detail
    read = store_error(broken, query="entry_by_id", where="bolt://db:7687", wrote=False)
    assert type(read) is StoreUnavailable and "not answering" in read.detail


@pytest.mark.parametrize("exc", [ServiceUnavailable("Unable to retrieve routing information"),
                                 SessionExpired("Failed to read from defunct connection")])
def test_no_connection_is_unavailable(exc):
    error = store_error(exc, query="subject_by", where="neo4j://db:7687", wrote=False)
    assert type(error) is StoreUnavailable and "not answering" in error.detail


@pytest.mark.parametrize("code, expected, says", [
    ("Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration", QueryTimedOut, "ran past 250 ms"),
    ("Neo.ClientError.Schema.ConstraintValidationFailed", ConstraintViolated, "from the server"),
    ("Neo.ClientError.Security.Forbidden", SchemaForbidden, "from the server"),
    ("Neo.ClientError.Security.Unauthorized", StoreUnavailable, "refused the credentials"),
    ("Neo.ClientError.Statement.SyntaxError", QueryFailed, "Neo.ClientError.Statement.SyntaxError"),
    ("Neo.DatabaseError.General.UnknownError", QueryFailed, "failed"),
])
def test_client_and_database_errors(code, expected, says):
    error = store_error(_server_error(code), query="subject_by", where="bolt://db:7687", wrote=False, timeout_ms=250)
    assert type(error) is expected and says in error.detail


def test_a_server_time_limit_without_ours_says_so():
    error = store_error(_server_error("Neo.ClientError.Transaction.TransactionTimedOut"), query="tasks",
                        where="bolt://db:7687", wrote=False)
    assert type(error) is QueryTimedOut and "the server's transaction time limit" in error.detail
