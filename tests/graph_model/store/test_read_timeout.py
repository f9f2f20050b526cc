"""A read the API makes stops at its time limit with a 503 problem; without a limit
(batch work, and the reads inside writes) a read runs to the end."""

from __future__ import annotations

import os

import pytest

from graph_model.errors import QueryTimedOut
from graph_model.settings import Settings
from graph_model.store import open_store
from graph_model.store.base import TimeLimited
from tests.serving import api_key, client, free_port, run_cli, serve, stop

SUBJECTS = 400_000  # a name search scans them all: ~40 ms, far past a 1 ms limit


def _big_store(data_dir):
    store, server, _ = open_store(Settings(data_dir=data_dir, id_hash_key="k", fsync="everysec"))
    rows = [{"id": f"E{i}", "props": {"id": f"E{i}", "kind": "enterprise", "name": f"公司{i}"}}
            for i in range(SUBJECTS)]
    assert store.create_graph(nodes={("Subject", "Enterprise"): rows}, relationships={})
    return store, server


def test_a_read_stops_at_the_limit_and_only_when_one_is_set(tmp_path):
    store, server = _big_store(tmp_path / "data")
    try:
        assert store.read("search_names", q="无此名", limit=10) == []  # no limit: runs to the end
        with pytest.raises(QueryTimedOut, match="ran past 1 ms"):
            store.read("search_names", q="无此名", limit=10, timeout_ms=1)
        limited = TimeLimited(store, 1)
        with pytest.raises(QueryTimedOut, match="ran past 1 ms"):
            limited.read("search_names", q="无此名", limit=10)
        with pytest.raises(QueryTimedOut, match="ran past 1 ms"):
            limited.read_one("search_names", q="无此名", limit=1)
        assert limited.read_one("data_version") is not None  # the same store underneath
    finally:
        store.close()
        server.stop()


def test_the_api_answers_a_read_past_its_limit_with_a_503_problem(tmp_path):
    store, _ = _big_store(tmp_path / "data")  # the API reuses the running server; `db stop` ends it
    store.close()
    env = {**os.environ, "SANCTIONNET_DATA_DIR": str(tmp_path / "data"), "SANCTIONNET_ID_HASH_KEY": "k",
           "SANCTIONNET_API_READ_TIMEOUT_MS": "1"}
    port = free_port()
    proc = serve(env, port)
    try:
        with client(port, api_key(env, "investigator")) as api:
            slow = api.get("/v1/search", params={"q": "无此名"})
            assert slow.status_code == 503 and slow.headers["content-type"] == "application/problem+json"
            assert slow.json()["type"] == "/problems/query-timed-out"
    finally:
        assert stop(proc) == 0
        run_cli(env, "db", "stop")
