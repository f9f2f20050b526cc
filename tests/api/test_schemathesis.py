"""Property-based tests of the served API against its own OpenAPI document
(schemathesis): valid and invalid requests to every operation, with an admin key, on
a small loaded bundle. No answer is a server error, and every answer's status, media
type and body are those the document declares."""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from tests.factories import Bundle
from tests.serving import api_key, client, free_port, run_cli, serve, stop

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("schemathesis")
    env = {**os.environ, "SANCTIONNET_DATA_DIR": str(folder / "data"), "SANCTIONNET_ID_HASH_KEY": "k"}
    b = Bundle()
    b.enterprise("E1", "哈尔滨泰富电气有限公司")
    b.enterprise("E2", "哈尔滨星河电气有限公司")
    _, _ = b.person("P1", "杨天夫")
    b.role("P1", "LEGAL_REP_OF", "E1", valid_from="2003-04-10")
    b.role("P1", "HOLDS_SHARES", "E1", valid_from="2003-04-10", share="60")
    b.role("E1", "HOLDS_SHARES", "E2", valid_from="2010-01-01", share="51")
    b.entry("J1", "E1", determined="2018-04-08")
    b.entry("J2", "E2", state="objection_pending")
    assert run_cli(env, "load", "bundle", str(b.write(folder / "bundle"))).returncode == 0
    key = api_key(env)
    port = free_port()
    proc = serve(env, port)
    try:
        yield {"port": port, "url": f"http://127.0.0.1:{port}", "headers": {"Authorization": f"Bearer {key}"}}
    finally:
        assert stop(proc) == 0
        run_cli(env, "db", "stop")


# The app's own document, built without a server: the tests are collected before the
# server starts. (schemathesis' fixture-loaded schema needs pytest < 9.2: it sets
# `Function._nodeid`, which 9.2 removed.) The first test proves it is the one served.
DOCUMENT = create_app().openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT)
# Ids of the bundle below: without them, almost every request names nothing (404)
# and the answers' schemas would never be checked.
KNOWN = {"key": ["E1", "E2", "P1", "J1"], "entry_id": ["J1", "J2"], "subject": ["E1", "P1"], "q": ["泰富", "E1"]}


def _with_known(strategy, names):
    known = {name: st.sampled_from(KNOWN[name]) for name in names if name in KNOWN}
    if not known:
        return strategy
    return st.one_of(strategy, st.tuples(strategy, st.fixed_dictionaries(known)).map(
        lambda pair: {**pair[0], **pair[1]} if isinstance(pair[0], dict) else pair[0]))


@schema.hook("before_generate_path_parameters")
def _known_path(context, strategy):
    return _with_known(strategy, [p.name for p in context.operation.path_parameters])


@schema.hook("before_generate_query")
def _known_query(context, strategy):
    return _with_known(strategy, [p.name for p in context.operation.query])


@schema.hook("filter_query")
def _no_rendering(context, query):
    # A PDF or PNG briefing starts Chromium (about 2 s each): test_briefing.py renders them.
    return not (isinstance(query, dict) and query.get("format") in ("pdf", "png"))


def test_the_served_document_is_the_one_tested(served):
    with client(served["port"], None) as api:
        assert api.get("/openapi.json").json() == json.loads(json.dumps(DOCUMENT))


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_openapi_document(case, served):
    case.call_and_validate(base_url=served["url"], headers=served["headers"], checks=CHECKS, timeout=20)
