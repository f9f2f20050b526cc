"""Hostile and bad input, over real HTTP on a real store. Every path and query
parameter and JSON body field of every endpoint (read from the served OpenAPI
document, so a new endpoint is covered without editing this file) gets quotes,
Cypher fragments, confusables of a real id, NUL, 1 MB, emoji, lone surrogates and
bytes that are not UTF-8; the loaders get the same in their files; a super node of
100,000 companies does not take the server down."""

from __future__ import annotations

import csv
import http.client
import json
import os
import re
import threading
import time
import unicodedata
from pathlib import Path
from urllib.parse import quote, quote_from_bytes

import httpx
import pytest
from hypothesis import find
from hypothesis import strategies as st

from graph_model.settings import Settings
from graph_model.store import open_store
from loaders.rows import COLUMNS
from tests.factories import Bundle
from tests.serving import api_key, client, free_port, run_cli, serve, stop

MIB = 2**20
# Split, or test_cypher's lint for query text outside cypher/ would take it for a query.
DELETE_ALL = "}) MATCH" + " (n) DETACH DELETE n //"
# The real subject is E1; these look like it (Cyrillic Е, fullwidth Ｅ, a zero-width
# joiner, an RTL override) and must never find it.
CONFUSABLES = ["\u04151", "\uff251", "E\u200d1", "\u202eE1"]
HOSTILE = ["'", '"', "\\", "' OR 1=1 //", DELETE_ALL, "$param", "{{key}}", "\x00", "a\x00b",
           *CONFUSABLES, "😀👨‍👩‍👧", "\ud800", "x\udfffy", "../../etc/passwd", "A" * 8000, "A" * MIB]
NOT_UTF8 = b"\xff\xfe\xc3("  # in a URL only: a JSON text cannot carry it (see _whole_bodies)
MISSING = "NOPE-404"  # an id nothing has: a POST aimed at it changes nothing
KNOWN = {"key": "E1", "subject": "E1", "entry_id": "J1"}  # what a read's path or required query names
PATTERNED = [MISSING, "230000", "procurement.bid", "PR3", "check"]  # valid values for the spec's patterns
QUOTED = 'He said "hi" & it\'s \\ fine `x` $param {{key}}'


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    env = {**os.environ, "SANCTIONNET_DATA_DIR": str(folder / "data"), "SANCTIONNET_ID_HASH_KEY": "k"}
    b = Bundle()
    b.enterprise("E1", "哈尔滨泰富电气有限公司")
    _, id_number = b.person("P1", "杨天夫")
    b.role("P1", "LEGAL_REP_OF", "E1", valid_from="2003-04-10")
    b.role("P1", "HOLDS_SHARES", "E1", valid_from="2003-04-10", share="60")
    b.entry("J1", "E1", determined="2018-04-08")
    assert run_cli(env, "load", "bundle", str(b.write(folder / "bundle"))).returncode == 0
    key = api_key(env)
    port = free_port()
    proc = serve(env, port)
    store, _, _ = open_store(Settings(data_dir=folder / "data"), start=False)
    try:
        yield {"env": env, "port": port, "key": key, "id_number": id_number, "store": store}
    finally:
        store.close()
        assert stop(proc) == 0
        run_cli(env, "db", "stop")


def _snapshot(store) -> tuple[list[str], list[str]]:
    nodes = sorted(repr((sorted(n["labels"]), sorted(n["props"].items()))) for n in store.read("snapshot_nodes"))
    rels = sorted(repr((r["from_id"], r["type"], r["to_id"], sorted(r["props"].items())))
                  for r in store.read("snapshot_relationships"))
    return nodes, rels


# --------------------------------------------------------------------------- requests from the spec


def _resolve(spec: dict, schema: dict | None) -> dict:
    """A schema with its $ref and its nullable anyOf taken away."""
    schema = schema or {}
    while "$ref" in schema or "anyOf" in schema:
        rest = {k: v for k, v in schema.items() if k not in ("$ref", "anyOf")}
        if "$ref" in schema:
            schema = {**spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]], **rest}
        else:
            schema = {**next(o for o in schema["anyOf"] if o.get("type") != "null"), **rest}
    return schema


def _valid(spec: dict, schema: dict, name: str, reading: bool):
    """A value the schema accepts; an id names E1 or J1 in a read and nothing in a write."""
    schema = _resolve(spec, schema)
    if schema.get("examples"):
        return schema["examples"][0]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if schema.get("format") == "date":
        return "2024-01-02"
    if "pattern" in schema:
        fits = [v for v in PATTERNED if re.fullmatch(schema["pattern"], v)]
        return fits[0] if fits else find(st.from_regex(schema["pattern"], fullmatch=True), lambda _: True)
    return KNOWN.get(name, MISSING) if reading else MISSING


def _operations(spec: dict):
    """(method, path, parameters, body schema, baseline path values, query, body) of every operation."""
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            reading = method == "get"
            params = op.get("parameters", [])
            values = {p["name"]: _valid(spec, p["schema"], p["name"], reading) for p in params if p["in"] == "path"}
            query = {p["name"]: _valid(spec, p["schema"], p["name"], reading) for p in params
                     if p["in"] == "query" and p.get("required")}
            body_schema = _resolve(spec, op.get("requestBody", {}).get("content", {})
                                   .get("application/json", {}).get("schema"))
            body = {name: _valid(spec, field, name, False) for name, field in body_schema.get("properties", {}).items()
                    if name in body_schema.get("required", ())} if body_schema else None
            yield method.upper(), path, params, body_schema, values, query, body


def _encode(value: str | bytes) -> str:
    if isinstance(value, bytes):
        return quote_from_bytes(value, safe="")
    return quote(value, safe="", errors="surrogatepass")


def _url(path: str, values: dict, query: dict) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", _encode(value))
    return path + ("?" + "&".join(f"{k}={_encode(v)}" for k, v in query.items()) if query else "")


def _cases(spec: dict, hostile: list):
    """(what, method, url, body, the hostile value, the value it replaced), one input at a time."""
    for method, path, params, body_schema, values, query, body in _operations(spec):
        yield f"{method} {path}", method, _url(path, values, query), body, None, None
        for param in (p for p in params if p["in"] in ("path", "query")):
            name, in_path = param["name"], param["in"] == "path"
            for value in hostile:
                url = _url(path, {**values, name: value}, query) if in_path else _url(path, values, {**query, name: value})
                yield f"{method} {path} {name}", method, url, body, value, (values if in_path else query).get(name)
        for name, field in (body_schema or {}).get("properties", {}).items():
            listed = _resolve(spec, field).get("type") == "array"
            for value in (v for v in hostile if isinstance(v, str)):
                yield (f"{method} {path} body.{name}", method, _url(path, values, query),
                       {**body, name: [value] if listed else value}, value, body.get(name))


def _send(api: httpx.Client, method: str, url: str, body) -> httpx.Response:
    if body is None:
        return api.request(method, url)
    # ensure_ascii: a lone surrogate goes as the JSON escape \ud800, as JSON allows.
    return api.request(method, url, content=json.dumps(body, ensure_ascii=True).encode(),
                       headers={"content-type": "application/json"})


def _problem_failure(answer: httpx.Response) -> str | None:
    """Why an answer is not a 2xx or a well-formed 4xx problem, or None."""
    if answer.status_code >= 500:
        return f"{answer.status_code}: {answer.text[:200]}"
    if answer.is_success:
        return None
    if not answer.headers.get("content-type", "").startswith("application/problem+json"):
        return f"{answer.status_code} as {answer.headers.get('content-type')}"
    problem = answer.json()
    if problem.get("status") != answer.status_code or not {"type", "title", "detail"} <= problem.keys():
        return f"not a problem: {answer.text[:200]}"
    if len(answer.content) > 16_000:
        return f"a {len(answer.content)}-byte problem: it echoes the input"
    return None


def _raw(port: int, method: str, url: str, key: str, body) -> str:
    """A request line too long for any client library: the HTTP server refuses it (a
    4xx or a closed connection), quickly, before the app."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, url, body=json.dumps(body).encode() if body is not None else None,
                     headers={"Authorization": f"Bearer {key}", "content-type": "application/json"})
        return str(conn.getresponse().status)
    except (ConnectionError, http.client.RemoteDisconnected):
        return "closed"
    finally:
        conn.close()


# --------------------------------------------------------------------------- the tests


def test_every_input_takes_hostile_strings_and_the_graph_is_unchanged(site):
    before = _snapshot(site["store"])
    failures, sent = [], 0
    with client(site["port"], site["key"], timeout=10) as api:
        # A value ending in "/" (%2F, decoded by the server) is redirected to the path
        # without it (Starlette's redirect_slashes): what counts is where that ends.
        api.follow_redirects = True
        spec = api.get("/openapi.json").json()
        for what, method, url, body, value, baseline in _cases(spec, [*HOSTILE, NOT_UTF8]):
            if len(url) > 60_000:
                outcome = _raw(site["port"], method, url, site["key"], body)
                if outcome != "closed" and not outcome.startswith("4"):
                    failures.append(f"{what} 1 MB in the URL: {outcome}")
                continue
            try:
                answer = _send(api, method, url, body)
            except httpx.TimeoutException:
                failures.append(f"{what} {value!r:.40}: no answer in 10 s")
                continue
            sent += 1
            if problem := _problem_failure(answer):
                failures.append(f"{what} {value!r:.40}: {problem}")
            if value in CONFUSABLES and baseline == "E1" and answer.status_code != 404:
                failures.append(f"{what} {value!r}: {answer.status_code}, not 404: a confusable found E1")
            elif value in CONFUSABLES and answer.is_success and '"E1"' in answer.text and "E1" not in url:
                failures.append(f"{what} {value!r}: a confusable's answer names E1")
        assert api.get("/healthz").status_code == 200
    assert not failures, f"{len(failures)} of {sent}:\n" + "\n".join(failures[:60])
    assert sent > 1000
    assert _snapshot(site["store"]) == before


def test_whole_bodies_that_are_not_a_record_are_refused_with_a_problem(site):
    before = _snapshot(site["store"])
    bodies = [b"{", b'{"actor": "\xff\xfe"}', b"[]", b"null", b'"x"', b"[" * 100_000, b"", b"\x00",
              b'{"actor": "a\\u0000"}', b'{"actor": "' + b"A" * (2 * MIB) + b'"}']
    failures = []
    with client(site["port"], site["key"], timeout=10) as api:
        spec = api.get("/openapi.json").json()
        for method, path, _, body_schema, values, query, _ in _operations(spec):
            if not body_schema:
                continue
            url = _url(path, values, query)
            for content in bodies:
                answer = api.request(method, url, content=content, headers={"content-type": "application/json"})
                if answer.is_success or _problem_failure(answer):
                    failures.append(f"{method} {path} {content[:20]!r}: {answer.status_code} {answer.text[:100]}")
            # Over the limit without a Content-Length: refused while it is read.
            chunked = api.request(method, url, content=iter([b'{"actor": "'] + [b"A" * 65536] * 20 + [b'"}']),
                                  headers={"content-type": "application/json"})
            if chunked.status_code != 413 or _problem_failure(chunked):
                failures.append(f"{method} {path} chunked 1.3 MB: {chunked.status_code}")
    assert not failures, "\n".join(failures)
    assert _snapshot(site["store"]) == before


def test_a_1_mb_name_gets_a_clear_problem(site):
    entry = {"actor": "张三", "department": "哈尔滨市市场监督管理局", "reason": "r", "subject": "E1",
             "list": "joint_punishment", "deciding_dept": "哈尔滨市市场监督管理局", "basis": "x",
             "basis_kind": "penalty", "determined": "2024-01-02"}
    with client(site["port"], site["key"], timeout=10) as api:
        for name, status in (("A" * MIB, 413), ("A" * (MIB - 4096), 422), ("名" * 400_000, 413)):
            answer = api.post("/v1/entries", json={**entry, "basis": name})
            assert answer.status_code == status and not _problem_failure(answer)
            assert answer.headers["content-type"] == "application/problem+json"
        assert "1048576 bytes" in api.post("/v1/entries", json={**entry, "basis": "A" * MIB}).json()["detail"]
        assert "basis" in api.post("/v1/entries", json={**entry, "basis": "A" * 5000}).json()["detail"]


def test_no_problem_body_carries_an_id_number(site):
    number = site["id_number"]
    fullwidth = number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})
    variants = [number, number + "'", "\u202e" + number, number[:9] + "\u200d" + number[9:], fullwidth,
                number + " OR 1=1", number.lower(), "1" + number, number + "\x00", f"{DELETE_ALL} '{number}'"]
    pieces = {number[i:i + 8] for i in range(len(number) - 7)}
    leaks, problems = [], 0
    with client(site["port"], site["key"], timeout=10) as api:
        api.follow_redirects = True
        spec = api.get("/openapi.json").json()
        for what, method, url, body, value, _ in _cases(spec, variants):
            answer = _send(api, method, url, body)
            if answer.is_success:
                continue
            problems += 1
            text = unicodedata.normalize("NFKC", json.dumps(answer.json(), ensure_ascii=False))
            text = text.replace("\u200d", "")
            if any(piece in text for piece in pieces):
                leaks.append(f"{what} {value!r}: {text[:200]}")
    assert not leaks, "\n".join(leaks)
    assert problems > 200


# --------------------------------------------------------------------------- loaders


def _write_csv(path: Path, header: list[str], rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _names(env: dict) -> dict[str, str]:
    store, _, _ = open_store(Settings(data_dir=Path(env["SANCTIONNET_DATA_DIR"])), start=False)
    try:
        nodes = store.read("snapshot_nodes")
        return {n["props"]["id"]: n["props"]["name"] for n in nodes if "Subject" in n["labels"]}
    finally:
        store.close()


def _rejects(path: Path) -> list[tuple[str, str, str]]:
    return [(r["file"], r["line"], r["field"]) for r in csv.DictReader(open(path, encoding="utf-8"))]


def test_the_bundle_loader_rejects_bad_rows_and_stores_names_verbatim(tmp_path):
    env = {**os.environ, "SANCTIONNET_DATA_DIR": str(tmp_path / "data"), "SANCTIONNET_ID_HASH_KEY": "k"}
    good = {"H1": QUOTED, "H2": DELETE_ALL, "H3": "' OR 1=1 //", "H4": "\u202e😀 Ｅ1", "H5": "名" * 2000}
    bad = {"B1": "A" * MIB, "B2": "bad\x00nul", "B3": "NOT-UTF8"}
    b = Bundle()
    for sid, name in {**good, **bad}.items():
        b.enterprise(sid, name)
    b.entry("J1", "H1")
    b.entries[0]["basis"] = QUOTED
    folder = b.write(tmp_path / "bundle")
    subjects = folder / "subjects.csv"
    subjects.write_bytes(subjects.read_bytes().replace(b"NOT-UTF8", b"bad\xff\xfe\xc3("))
    try:
        done = run_cli(env, "load", "bundle", str(folder), "--rejects", str(tmp_path / "rejects.csv"))
        assert done.returncode == 0, done.stderr
        assert _rejects(tmp_path / "rejects.csv") == [("subjects.csv", str(line), "name") for line in (7, 8, 9)]
        names = _names(env)
        assert {sid: names.get(sid) for sid in good} == good and not set(bad) & set(names)
        answer = json.loads(run_cli(env, "check", "H1", "--json").stdout)
        assert answer["subject"]["name"] == QUOTED and answer["reasons"][0]["basis"] == QUOTED
    finally:
        run_cli(env, "db", "stop")


def test_the_court_loader_rejects_bad_records_and_stores_names_verbatim(tmp_path):
    env = {**os.environ, "SANCTIONNET_DATA_DIR": str(tmp_path / "data"), "SANCTIONNET_ID_HASH_KEY": "k"}
    header = ["被执行人姓名/名称", "法定代表人或负责人姓名", "执行法院", "省份", "案号", "发布时间"]
    names = [QUOTED + "有限公司", DELETE_ALL + "有限公司", "NUL\x00有限公司", "B" * MIB, "NOT-UTF8有限公司",
             "' OR 1=1 //有限公司"]
    court = _write_csv(tmp_path / "shixin.csv", header, [
        [name, "王大明", "哈尔滨市南岗区人民法院", "黑龙江", f"（2018）黑0103执{i}号", "2018年04月08日"]
        for i, name in enumerate(names, start=1)])
    court.write_bytes(court.read_bytes().replace(b"NOT-UTF8", b"bad\xff\xfe\xc3("))
    try:
        done = run_cli(env, "load", "court", str(court), "--rejects", str(tmp_path / "rejects.csv"))
        assert done.returncode == 0, done.stderr
        rejects = set(_rejects(tmp_path / "rejects.csv"))  # NUL, 1 MB (as a subject's name), bad bytes
        assert {("shixin.csv", "4", "iname"), ("shixin.csv", "5", "name"), ("shixin.csv", "6", "iname")} <= rejects
        assert {line for _, line, _ in rejects} == {"4", "5", "6"}
        stored = set(_names(env).values())
        assert {names[0], names[1], names[5]} <= stored and not {n for n in stored if "NUL" in n or "bad" in n}
    finally:
        run_cli(env, "db", "stop")


# --------------------------------------------------------------------------- a super node


SUPER = 100_000


def _super_bundle(folder: Path) -> Path:
    """AGENT holds 60 % of 100,000 firms; AGENT and one firm are listed."""
    folder.mkdir()
    _write_csv(folder / "subjects.csv", list(COLUMNS["subjects.csv"]), [
        ["AGENT", "enterprise", "哈尔滨代办登记代理有限公司", "", "", "230103", "private", "2005-01-01", "active"],
        ["P1", "person", "代理人", "", "", "230103", "", "", ""],
        *([f"F{i:06d}", "enterprise", f"哈尔滨{i:06d}商贸有限公司", "", "", "230103", "private", "2015-01-01", "active"]
          for i in range(SUPER))])
    _write_csv(folder / "relations.csv", list(COLUMNS["relations.csv"]), [
        ["P1", "AGENT", "LEGAL_REP_OF", "", "2005-01-01", ""],
        *(["AGENT", f"F{i:06d}", "HOLDS_SHARES", "60", "2015-01-01", ""] for i in range(SUPER))])
    _write_csv(folder / "entries.csv", list(COLUMNS["entries.csv"]), [
        [f"J{i}", sid, "joint_punishment", "哈尔滨市南岗区人民法院", f"（2022）黑0103执{i}号", "judgment",
         "2022-03-01", "active", "", "230000"] for i, sid in enumerate(("AGENT", "F000007"))])
    return folder


@pytest.mark.slow
def test_a_super_node_of_100000_companies_answers_in_seconds_and_the_server_stays_up(tmp_path):
    env = {**os.environ, "SANCTIONNET_DATA_DIR": str(tmp_path / "data"), "SANCTIONNET_ID_HASH_KEY": "k",
           "SANCTIONNET_FSYNC": "everysec"}
    done = run_cli(env, "load", "bundle", str(_super_bundle(tmp_path / "bundle")), timeout=300)
    assert done.returncode == 0, done.stderr
    key = api_key(env)
    port = free_port()
    proc = serve(env, port)
    reads = ["/v1/graph/AGENT", "/v1/graph/AGENT?limit=500", "/v1/search?q=AGENT", "/v1/search?q=商贸",
             "/v1/subjects/AGENT/controlled", "/v1/subjects/F000007/owners", "/v1/check?subject=AGENT",
             "/v1/briefings/AGENT", "/v1/subjects/AGENT/grade"]
    answers: dict[str, tuple[httpx.Response, float]] = {}

    def read_all() -> None:
        with client(port, key, timeout=30) as api:
            for path in reads:
                started = time.monotonic()
                answers[path] = (api.get(path), time.monotonic() - started)

    try:
        worker = threading.Thread(target=read_all)
        worker.start()
        health = []
        with client(port, None, timeout=5) as api:
            while worker.is_alive():
                started = time.monotonic()
                health.append((api.get("/healthz").status_code, time.monotonic() - started))
                time.sleep(0.1)
        worker.join()
    finally:
        assert stop(proc) == 0
        run_cli(env, "db", "stop")
    slow = {path: round(took, 2) for path, (_, took) in answers.items() if took > 5}
    assert not slow and len(answers) == len(reads)
    assert all(status == 200 and took < 3 for status, took in health) and len(health) >= 3
    assert all(not _problem_failure(answer) for answer, _ in answers.values())
    graph = answers["/v1/graph/AGENT"][0].json()
    assert len(graph["nodes"]) == 51 and graph["truncated"] and graph["hidden"] == SUPER + 1 - 50
    assert len(answers["/v1/graph/AGENT?limit=500"][0].json()["nodes"]) == 501
    assert len(answers["/v1/search?q=商贸"][0].json()) == 20
    # What AGENT controls is the whole graph: refused as such, not computed for minutes.
    controlled = answers["/v1/subjects/AGENT/controlled"][0]
    assert controlled.status_code == 422 and "50,000" in controlled.json()["detail"]
    owners = answers["/v1/subjects/F000007/owners"][0].json()
    assert [(h["subject"]["id"], h["share"]) for h in owners["holders"]] == [("AGENT", 60.0)]
    assert answers["/v1/check?subject=AGENT"][0].json()["restricted"]
    assert answers["/v1/briefings/AGENT"][0].headers["content-type"].startswith("text/html")
