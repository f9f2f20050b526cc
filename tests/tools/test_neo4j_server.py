"""The real Neo4j + GDS test server (tools/neo4j_server.py) starts, answers and stops.

Skipped only where ``java`` or ``mvn`` is missing; a failing Maven build fails the test.
"""

from __future__ import annotations

import os

import pytest
from neo4j import GraphDatabase

from tools.neo4j_server import Neo4jServer, missing_tools

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(missing_tools()), reason=f"needs {' and '.join(missing_tools())} on PATH "
                       "to build and run Neo4j (tools/neo4j)"),
]


def _alive(pid: int) -> bool:
    # stop() reaps the JVM, so a stopped one has no /proc entry (not even a zombie).
    return os.path.exists(f"/proc/{pid}")


def test_server_runs_cypher_and_gds_then_stops(tmp_path):
    server = Neo4jServer(tmp_path / "neo4j")
    server.start()
    pid = server.pid
    try:
        assert server.uri.startswith("bolt://127.0.0.1:")
        with GraphDatabase.driver(server.uri, auth=server.auth) as driver:
            assert driver.execute_query("RETURN 1 AS one").records[0]["one"] == 1
            version = driver.execute_query("CALL gds.version() YIELD gdsVersion").records[0]["gdsVersion"]
            assert version.startswith("2.13.")
            driver.execute_query("CREATE (:N {id: 1})-[:R]->(:N {id: 2}), (:N {id: 3})-[:R]->(:N {id: 4})")
            driver.execute_query("CALL gds.graph.project('g', 'N', 'R')")
            rows = driver.execute_query(
                "CALL gds.wcc.stream('g') YIELD nodeId, componentId "
                "RETURN gds.util.asNode(nodeId).id AS id, componentId ORDER BY id").records
            component = {row["id"]: row["componentId"] for row in rows}
            assert component[1] == component[2] != component[3] == component[4]
    finally:
        server.stop()
    assert not _alive(pid)
    assert not server.running
