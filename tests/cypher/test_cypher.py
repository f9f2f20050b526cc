"""The query library: one place for Cypher, overrides only, and Neo4j's parser accepts it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

import cypher
from cypher import DIALECTS, Queries, get_queries
from graph_model.vocabulary import kinds
from tests.paths import ROOT

LINT = ROOT / "tools" / "cypher-lint"
PACKAGES = ["graph_model", "loaders", "exports", "demo", "analysis", "api", "viz", "cypher", "bench", "tests"]
# Tests that talk to a server directly, not through the store: this file, and the smoke
# test of the Neo4j the suite starts (tools/neo4j_server.py).
NOT_THROUGH_THE_STORE = {"tests/cypher/test_cypher.py", "tests/tools/test_neo4j_server.py"}


def test_no_cypher_outside_the_library():
    pattern = re.compile(r"\b(MATCH|MERGE|CREATE)\s*\(|\bUNWIND\s+\$")
    offenders = [str(p.relative_to(ROOT)) for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")
                 if str(p.relative_to(ROOT)) not in NOT_THROUGH_THE_STORE
                 if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_dialects_have_the_same_queries():
    names = {dialect: get_queries(dialect, kinds).names() for dialect in DIALECTS}
    assert names["falkordb"] == names["neo4j"]
    assert "propagate_roles" in names["neo4j"]


def test_an_override_cannot_add_a_query(tmp_path, monkeypatch):
    root = tmp_path / "cypher"
    (root / "neo4j").mkdir(parents=True)
    (root / "base.cypher").write_text("// name: a\nRETURN 1\n")
    (root / "neo4j" / "x.cypher").write_text("// name: b\nRETURN 2\n")
    monkeypatch.setattr(cypher, "files", lambda _: root)
    with pytest.raises(ValueError, match=r"overrides unknown queries \['b'\]"):
        Queries("neo4j", kinds)


def test_variants_expand_from_enums_only():
    queries = get_queries("falkordb", kinds)
    assert "MERGE (s:Subject:Person {id: row.id})" in queries.get("load_subjects", "Person").text
    assert ":HOLDS_SHARES {valid_from" in queries.get("load_relations", "HOLDS_SHARES").text
    with pytest.raises(KeyError):
        queries.get("load_subjects", "Person) DETACH DELETE (x")
    assert all("{{" not in q.text for q in queries.all())


def test_params_are_extracted_outside_string_literals():
    query = get_queries("neo4j", kinds).get("propagate_entity")
    assert query.params == {"entry_ids", "rule", "catalogue_version"}


def _sample(param: str):
    return [] if param in {"rows", "ids", "entry_ids", "roles"} else "x"


def test_neo4j_parser_accepts_every_query():
    node = shutil.which("node")
    installed = (LINT / "node_modules" / "@neo4j-cypher" / "language-support").is_dir()
    if not (node and installed):
        if os.environ.get("CI"):
            pytest.fail("CI must run the Neo4j Cypher linter: `make lint-deps` installs it")
        pytest.skip("node or tools/cypher-lint/node_modules missing (make lint-deps)")
    queries = get_queries("neo4j", kinds).all()
    payload = [{"name": f"{q.name}[{q.variant}]" if q.variant else q.name, "text": q.text,
                "parameters": {p: _sample(p) for p in sorted(q.params)}} for q in queries]
    done = subprocess.run([node, str(LINT / "lint.mjs")], input=json.dumps(payload), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    results = json.loads(done.stdout)
    assert len(results) == len(queries)
    errors = [(r["name"], d["message"]) for r in results for d in r["diagnostics"] if d["severity"] == "error"]
    assert errors == []
    # Deprecations would break on the next Neo4j major version: none allowed.
    deprecated = [(r["name"], d["message"]) for r in results for d in r["diagnostics"]
                  if "deprecat" in d["message"].lower()]
    assert deprecated == []
