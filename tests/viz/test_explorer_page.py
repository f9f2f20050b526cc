"""The explorer page as an investigator uses it: a real API on the embedded store, a
planted bundle loaded by the CLI, and the page in headless Chromium with every request
outside sanctionnet aborted (``net.outside``)."""

from __future__ import annotations

import datetime as dt
import os
import re

import httpx
import pytest

from tests.factories import Bundle
from tests.serving import api_key, free_port, require_chromium, run_cli, serve, stop
from viz.render import offline_page

HLJ, GD = "230103", "440304"
TODAY = dt.date.today().isoformat()


def _bundle() -> Bundle:
    """E1 was listed on 2018-04-08 while P1 was its legal rep; P1 left in January 2019 and
    became legal rep of N1 in Guangdong: a phoenix lead. P2 is E1's rep since then."""
    b = Bundle()
    b.enterprise("E1", "哈尔滨泰富电气有限公司", region=HLJ)
    b.entry("J1", "E1", determined="2018-04-08")
    b.person("P1", "杨天夫")
    b.role("P1", "LEGAL_REP_OF", "E1", valid_from="2003-04-10", valid_to="2019-01-15")
    b.enterprise("N1", "深圳泰富新能源有限公司", region=GD)
    b.subjects[-1]["established"] = "2019-02-20"
    b.role("P1", "LEGAL_REP_OF", "N1", valid_from="2019-03-01")
    b.person("P2", "王建国")
    b.role("P2", "LEGAL_REP_OF", "E1", valid_from="2019-01-16")
    b.person("P3", "李秀英")
    b.role("P3", "HOLDS_SHARES", "E1", share="35", valid_from="2016-05-01")
    b.enterprise("E2", "哈尔滨泰富投资有限公司", region=HLJ, ownership="soe")
    b.role("E2", "HOLDS_SHARES", "E1", share="65", valid_from="2010-06-01")
    b.subjects.append({"id": "G1", "kind": "public_body", "name": "哈尔滨市人民政府国有资产监督管理委员会",
                       "region": "230100"})
    b.role("E2", "SUPERVISED_BY", "G1", valid_from="2009-01-01")
    b.person("P4", "赵磊")
    b.role("P4", "KEY_PERSON_OF", "E1", valid_from="2015-01-01", title="财务总监")
    b.enterprise("E3", "哈尔滨泰富电气有限公司道里分公司", region=HLJ)
    b.role("E3", "BRANCH_OF", "E1", valid_from="2012-03-01")
    b.enterprise("E4", "哈尔滨鑫源物流有限公司", region=HLJ)
    b.role("P2", "HOLDS_SHARES", "E4", share="60", valid_from="2014-01-01")
    b.entry("J4", "E4", determined="2021-06-01", state="repaired")
    b.enterprise("E5", "哈尔滨宏达建设有限公司", region=HLJ)
    b.role("P3", "LEGAL_REP_OF", "E5", valid_from="2017-01-01")
    b.entry("J5", "E5", determined="2023-05-01", state="objection_pending")
    b.person("P6", "孙丽")
    b.entry("J6", "E5", list_="market_ban", determined="2022-09-01", named="P6")
    b.person("P7", "周秀兰")
    b.role("P7", "RELATIVE_OF", "P2", valid_from="2001-10-01", title="配偶")
    # A super node: more holdings than the page asks for (50).
    b.enterprise("AG", "黑龙江汇通创业投资有限公司", region=HLJ)
    for i in range(55):
        b.enterprise(f"F{i:02}", region=HLJ)
        b.role("AG", "HOLDS_SHARES", f"F{i:02}", share="10", valid_from="2020-01-01")
    return b


def _in_force(rel: dict, day: str) -> bool:
    return (rel["valid_from"] or "0000") <= day <= (rel["valid_to"] or "9999")


def _view(bundle: Bundle, subject: str, day: str = TODAY) -> tuple[set[str], set[tuple[str, str, str]]]:
    """What the graph of ``subject`` on ``day`` must draw: its ties in force, and their ends."""
    ties = {(r["from_id"], r["type"], r["to_id"]) for r in bundle.relations
            if subject in (r["from_id"], r["to_id"]) and _in_force(r, day)}
    return {subject} | {t[0] for t in ties} | {t[2] for t in ties}, ties


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The planted bundle loaded, leads found, and the API serving it, once per module."""
    require_chromium()
    tmp = tmp_path_factory.mktemp("explorer")
    env = {**os.environ, "SANCTIONNET_DATA_DIR": str(tmp / "data"), "SANCTIONNET_ID_HASH_KEY": "k"}
    bundle = _bundle()
    try:
        done = run_cli(env, "load", "bundle", str(bundle.write(tmp / "bundle")))
        assert done.returncode == 0 and "propagated 4 entries" in done.stdout, done.stdout + done.stderr
        assert not list((tmp / "data").glob("rejects/*")), "every planted row must load"
        found = run_cli(env, "leads", "find")
        assert found.returncode == 0 and "phoenix: 1 lead(s)" in found.stdout, found.stdout + found.stderr
        port = free_port()
        proc = serve(env, port)
        try:
            yield {"base": f"http://127.0.0.1:{port}", "bundle": bundle, "key": api_key(env, "investigator")}
        finally:
            assert stop(proc) == 0
    finally:
        run_cli(env, "db", "stop")


@pytest.fixture
def page(site):
    with offline_page(site["base"] + "/") as (page, net):
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        assert net.outside == [], net.outside  # every script, style and font came from sanctionnet
        assert errors == []


def _idle(page) -> None:
    page.wait_for_function("window.explorer && !window.explorer.busy", timeout=30_000)


def _open(page, site, path: str = "/") -> None:
    page.goto(site["base"] + path + "#key=" + site["key"])
    _idle(page)
    assert page.locator("#error").is_hidden(), page.locator("#error").text_content()


def _nodes(page) -> dict[str, dict]:
    return {n["id"]: n for n in page.evaluate("() => window.explorer.nodes.get()")}


def _edges(page) -> list[dict]:
    return page.evaluate("() => window.explorer.edges.get()")


def _ties(page) -> set[tuple[str, str, str]]:
    return {(e["from"], e["type"], e["to"]) for e in _edges(page)}


def _screen_point(page, node_id: str) -> tuple[float, float]:
    at = page.evaluate("""(id) => {
        const net = window.explorer.network;
        const dom = net.canvasToDOM(net.getPosition(id));
        const box = document.querySelector("#graph canvas").getBoundingClientRect();
        return [box.left + dom.x, box.top + dom.y]; }""", node_id)
    return at[0], at[1]


def test_the_page_is_served_with_its_own_files(site):
    with httpx.Client(base_url=site["base"], timeout=10) as http:
        html = http.get("/").text
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert url.startswith("/"), url  # no CDN: nothing but sanctionnet's own paths
            assert http.get(url).status_code == 200, url
        css = http.get("/static/explorer.css").text
        assert "@font-face" not in css and "@import" not in css and "Noto Sans CJK SC" in css
        assert 'href="/check"' in html and 'href="/docs"' in html


def test_search_by_name_then_load_draws_the_subject_and_its_ties(page, site):
    _open(page, site)
    page.fill("#q", "泰富电气")
    page.click("#search-form button")
    _idle(page)
    results = page.locator("#results li.item")
    assert {results.nth(i).get_attribute("data-id") for i in range(results.count())} == {"E1", "E3"}
    assert "哈尔滨泰富电气有限公司" in page.locator("#results").inner_text()
    page.click('#results li[data-id="E1"]')
    _idle(page)
    want_nodes, want_ties = _view(site["bundle"], "E1")
    nodes = _nodes(page)
    assert set(nodes) == want_nodes and len(nodes) == 6
    assert _ties(page) == want_ties
    assert nodes["E1"]["state"] == "restricted" and nodes["E1"]["listed"] is True
    assert nodes["E1"]["label"] == "哈尔滨泰富电气有限公司"
    shares = {e["from"]: e["label"] for e in _edges(page) if e["type"] == "HOLDS_SHARES"}
    assert shares == {"P3": "35%", "E2": "65%"}
    assert "哈尔滨泰富电气有限公司 (E1)" in page.locator("#title").inner_text()
    assert page.locator("#briefing").get_attribute("href") == "/v1/briefings/E1?format=html"


def test_search_by_uscc_and_by_id_number_loads_the_one_subject(page, site):
    _open(page, site)
    subjects = {s["id"]: s for s in site["bundle"].subjects}
    for query, subject in ((subjects["E1"]["uscc"], "E1"), (subjects["P1"]["id_number"], "P1")):
        page.fill("#q", query)
        page.press("#q", "Enter")
        _idle(page)
        assert page.locator("#results li.item").count() == 1
        assert page.evaluate("() => window.explorer.state.center") == subject
        assert set(_nodes(page)) == _view(site["bundle"], subject)[0]
    assert subjects["P1"]["id_number"] not in page.locator("main").inner_text()


def test_double_click_on_a_neighbour_adds_its_neighbours(page, site):
    _open(page, site, "/?subject=E1")
    before = set(_nodes(page))
    x, y = _screen_point(page, "P2")
    page.mouse.dblclick(x, y)
    page.wait_for_function("() => window.explorer.nodes.get('E4') !== null", timeout=30_000)
    _idle(page)
    nodes = _nodes(page)
    assert set(nodes) == before | _view(site["bundle"], "P2")[0] and {"E4", "P7"} <= set(nodes)
    assert nodes["E4"]["state"] == "repaired"
    assert ("P7", "RELATIVE_OF", "P2") in _ties(page)
    edge_ids = [e["id"] for e in _edges(page)]
    assert len(edge_ids) == len(set(edge_ids)) == len(_view(site["bundle"], "E1")[1] | _view(site["bundle"], "P2")[1])


def test_why_restricted_highlights_the_legal_representatives_path(page, site):
    # On 2018-06-01 P1 is E1's legal rep: the reason's edge is the one drawn.
    _open(page, site, "/?subject=P1&date=2018-06-01")
    assert set(_nodes(page)) == {"P1", "E1"}
    page.click("#why")
    _idle(page)
    nodes, edges = _nodes(page), _edges(page)
    assert {i for i, n in nodes.items() if n["highlighted"]} == {"P1", "E1"}
    lit = [e for e in edges if e["highlighted"]]
    assert [(e["from"], e["type"], e["to"], e["extra"]) for e in lit] == [("P1", "LEGAL_REP_OF", "E1", False)]
    panel = page.locator("#reasons").inner_text()
    for shown in ("PR1", "J1 · joint_punishment", "哈尔滨市南岗区人民法院", "杨天夫 —法定代表人→ 哈尔滨泰富电气有限公司"):
        assert shown in panel
    # Today P1 has left E1, but stays restricted: the path is added, dashed as ended.
    page.click("#today")
    _idle(page)
    nodes, edges = _nodes(page), _edges(page)
    assert set(nodes) == {"P1", "N1", "E1"} and nodes["E1"]["extra"] and nodes["E1"]["highlighted"]
    assert not nodes["N1"]["highlighted"]
    lit = [e for e in edges if e["highlighted"]]
    assert [(e["from"], e["type"], e["to"], e["extra"], e["ended"]) for e in lit] == [
        ("P1", "LEGAL_REP_OF", "E1", True, True)]
    assert lit[0]["dashes"]
    # A person named in a decision: no graph edge, a dashed NAMED one for the reason.
    page.evaluate("() => window.explorer.load('P6')")
    page.evaluate("() => window.explorer.whyRestricted()")
    _idle(page)
    named = [e for e in _edges(page) if e["highlighted"]]
    assert [(e["from"], e["type"], e["to"], e["label"]) for e in named] == [("P6", "NAMED", "E5", "命名 / NAMED")]
    assert named[0]["dashes"]
    page.click("#why")  # off again
    _idle(page)
    assert not any(n["highlighted"] for n in _nodes(page).values()) and set(_nodes(page)) == {"P6"}


def test_date_slider_before_a_role_began_removes_its_edge(page, site):
    _open(page, site, "/?subject=E1")
    assert ("P3", "HOLDS_SHARES", "E1") in _ties(page)
    day = dt.date(2016, 1, 1)
    page.locator("#date-range").fill(str((day - dt.date(2000, 1, 1)).days))
    _idle(page)
    assert page.input_value("#date") == "2016-01-01"
    want_nodes, want_ties = _view(site["bundle"], "E1", "2016-01-01")
    assert _ties(page) == want_ties and ("P3", "HOLDS_SHARES", "E1") not in want_ties
    assert ("P1", "LEGAL_REP_OF", "E1") in want_ties
    nodes = _nodes(page)
    assert set(nodes) == want_nodes
    assert nodes["E1"]["state"] is None  # listed only in 2018
    assert "date=2016-01-01" in page.url


def test_a_super_node_says_how_many_neighbours_are_not_shown(page, site):
    _open(page, site, "/?subject=AG")
    assert len(_nodes(page)) == 51 and len(_edges(page)) == 50
    assert "5 more not shown" in page.locator("#status").inner_text()
    assert page.evaluate("() => window.explorer.nodes.get('AG').label").endswith("(+5)")


def test_a_lead_opens_its_subgraph_with_names(page, site):
    _open(page, site)
    item = page.locator("#leads li.item", has_text="易地出现")
    assert item.count() == 1
    text = item.inner_text()
    assert "杨天夫" in text and "深圳泰富新能源有限公司" in text and "哈尔滨泰富电气有限公司" in text
    item.click()
    _idle(page)
    nodes, edges = _nodes(page), _edges(page)
    assert set(nodes) == {"P1", "E1", "N1"}
    ties = {(e["from"], e["type"], e["to"]): e for e in edges}
    assert set(ties) == {("P1", "LEGAL_REP_OF", "E1"), ("P1", "LEGAL_REP_OF", "N1")}
    assert ties[("P1", "LEGAL_REP_OF", "E1")]["ended"] and ties[("P1", "LEGAL_REP_OF", "E1")]["dashes"]
    assert not ties[("P1", "LEGAL_REP_OF", "N1")]["ended"]
    lead_id = item.get_attribute("data-id")
    assert page.locator("#briefing").get_attribute("href") == f"/v1/briefings/{lead_id}?format=html"
    assert "杨天夫" in page.locator("#title").inner_text()
