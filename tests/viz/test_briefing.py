"""Case briefings as a reader gets them: over HTTP and from the CLI, opened in real
headless Chromium with the network cut off, and the PDF read back."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from graph_model.reports.timeline import ROLE_ZH
from graph_model.vocabulary.kinds import RelType
from tests.factories import Bundle
from tests.serving import api_key, client, free_port, require_chromium, run_cli, serve, stop
from viz.briefing import palette
from viz.render import offline_page

GD = "440300"


def _case() -> Bundle:
    b = Bundle()
    b.enterprise("E1", "哈尔滨泰富电气有限公司")
    b.person("P1", "杨天夫")
    b.role("P1", "LEGAL_REP_OF", "E1", valid_from="2003-04-10")
    b.enterprise("H1", "泰富控股有限公司")
    b.role("H1", "HOLDS_SHARES", "E1", share="35", valid_from="2010-01-01")
    b.entry("J1", "E1", determined="2022-03-01")
    # 易地出现: P1 turns up as legal rep of a new firm in Guangdong after the listing.
    b.subjects.append({"id": "N1", "kind": "enterprise", "name": "深圳新泰富有限公司", "region": GD,
                       "established": "2023-02-01", "status": "active"})
    b.role("P1", "LEGAL_REP_OF", "N1", valid_from="2023-02-01")
    # An honour list is not a restriction; an objection suspends; a revoked listing.
    b.enterprise("R1", "守信示范有限公司")
    b.entry("JR", "R1", list_="red_list", determined="2021-01-01")
    b.enterprise("E4", "异议中有限公司")
    b.entry("J4", "E4", determined="2022-03-01", state="objection_pending", state_since="2024-01-10")
    b.enterprise("E3", "错列有限公司")
    b.person("P3", "钱错列")
    b.role("P3", "LEGAL_REP_OF", "E3", valid_from="2010-01-01")
    return b


def _revoke_j3(api) -> None:
    """A registrar lists E3, the objection finds the listing wrong: revoked, restored."""
    who = {"actor": "王五", "department": "哈尔滨市市场监督管理局"}
    created = api.post("/v1/entries", json={
        "subject": "E3", "list": "joint_punishment", "deciding_dept": "哈尔滨市市场监督管理局",
        "basis": "哈市监处〔2024〕12号", "basis_kind": "penalty", "determined": "2024-01-02", "region": "230103",
        "reason": "违背信用承诺", "on": "2024-01-05", **who})
    assert created.status_code == 201, created.text
    entry = created.json()["id"]
    for path, on, extra in (("notify", "2024-01-10", {}), ("objection", "2024-03-01", {}),
                            ("objection/resolve", "2024-04-01", {"outcome": "wrong"})):
        done = api.post(f"/v1/entries/{entry}/{path}", json={"reason": f"{path} 理由", "on": on, **who, **extra})
        assert done.status_code == 200, done.text


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("briefing")
    env = {**os.environ, "SANCTIONNET_DATA_DIR": str(folder / "data"), "SANCTIONNET_ID_HASH_KEY": "k"}
    assert run_cli(env, "load", "bundle", str(_case().write(folder / "bundle"))).returncode == 0
    found = run_cli(env, "leads", "find", "--kind", "phoenix", "--date", "2024-06-01")
    assert found.returncode == 0 and "phoenix: 1 lead(s)" in found.stdout, found.stdout + found.stderr
    port = free_port()
    proc = serve(env, port)
    try:
        with client(port, api_key(env, "admin"), timeout=120) as api:
            _revoke_j3(api)
            yield env, api, folder
    finally:
        assert stop(proc) == 0
        run_cli(env, "db", "stop")


def _audit(env) -> list[dict]:
    return [json.loads(line) for line in (Path(env["SANCTIONNET_DATA_DIR"]) / "audit.log").read_text().splitlines()]


def test_the_html_briefing_opens_offline_and_highlights_the_reasons_path(served, tmp_path):
    require_chromium()
    env, api, _ = served
    answer = api.get("/v1/briefings/P1", params={"date": "2024-06-01"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    html = answer.text
    assert "杨天夫" in html and "（2022）黑0103执J1号" in html and "Measures in force" in html
    file = tmp_path / "briefing.html"
    file.write_text(html, encoding="utf-8")  # as if e-mailed and opened from disk
    with offline_page(file.as_uri()) as (page, net):
        page.goto(file.as_uri())
        page.wait_for_function("window.briefingReady === true", timeout=30_000)
        drawn = page.evaluate("""(lit) => {
            const body = window.briefingNetwork.body;
            return {nodes: body.data.nodes.getIds().sort(),
                    path: body.data.edges.get().filter(e => e.color === lit).map(e => [e.from, e.to]),
                    lit: body.data.nodes.get().filter(n => n.color.border === lit).map(n => n.id).sort()};
        }""", palette()["highlight"])
        legend = page.inner_text("#legend")
        rows = page.locator("#measures tbody tr").count()
        assert net.outside == [] and net.allowed == [file.as_uri()]
    # P1's ties on the day: E1 (legal rep, listed) and N1 (new firm); the path P1 -> E1 highlighted.
    assert drawn == {"nodes": ["E1", "N1", "P1"], "path": [["P1", "E1"]], "lit": ["E1", "P1"]}
    assert "理由路径 reason path" in legend and "法定代表人 LEGAL_REP_OF" in legend
    measures = api.get("/v1/check", params={"subject": "P1", "date": "2024-06-01"}).json()["measures"]
    assert rows == len(measures) > 0


def test_the_pdf_has_the_measures_table_and_the_graph(served):
    require_chromium()
    env, api, _ = served
    answer = api.get("/v1/briefings/E1", params={"format": "pdf", "date": "2024-06-01"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.content))
    # Table cells wrap; the font maps some characters to radicals (⼈ for 人, ⺠ for 民),
    # which NFKC undoes only in part: the test reads codes and numbers.
    text = "".join(unicodedata.normalize("NFKC", "".join(page.extract_text() for page in reader.pages)).split())
    check = api.get("/v1/check", params={"subject": "E1", "date": "2024-06-01"}).json()
    assert "Measuresinforce" in text and check["reasons"][0]["entry_id"] in text
    assert unicodedata.normalize("NFKC", check["reasons"][0]["basis"]) in text
    for action in check["measures"]:
        assert action in text
    images = [image for page in reader.pages[:1] for image in page.images]
    assert images, "the graph is printed as an image on the first page"
    picture = images[0].image.convert("RGB")
    colours = picture.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50  # drawn, not blank
    # The reason's path is drawn in the highlight colour.
    lit = tuple(int(palette()["highlight"][i:i + 2], 16) for i in (1, 3, 5))
    assert sum(n for n, rgb in colours if all(abs(a - b) < 40 for a, b in zip(rgb, lit))) > 100


def test_png_and_cli_files_are_rendered_by_chromium(served, tmp_path):
    require_chromium()
    env, api, _ = served
    png = api.get("/v1/briefings/E1", params={"format": "png"})
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    for suffix, magic in ((".pdf", b"%PDF"), (".png", b"\x89PNG"), (".html", b"<!doctype html>")):
        out = tmp_path / f"b{suffix}"
        done = run_cli(env, "briefing", "E1", "-o", str(out), "--date", "2024-06-01")
        assert done.returncode == 0, done.stderr
        assert out.read_bytes().startswith(magic)
    bad = run_cli(env, "briefing", "E1", "-o", str(tmp_path / "b.docx"))
    assert bad.returncode == 1 and "must end in .html, .pdf, .png" in bad.stderr


def test_a_lead_briefing_names_its_members_and_says_it_is_not_a_finding(served):
    env, api, _ = served
    lead = api.get("/v1/leads", params={"kind": "phoenix"}).json()[0]
    assert lead["names"] == {"E1": "哈尔滨泰富电气有限公司", "N1": "深圳新泰富有限公司", "P1": "杨天夫"}
    html = api.get(f"/v1/briefings/{lead['id']}").text
    assert "线索简报 Lead briefing" in html and "杨天夫（P1）" in html and "it restricts nobody" in html
    graph = api.get(f"/v1/leads/{lead['id']}/graph").json()
    assert {(e["from"], e["to"]) for e in graph["edges"]} == {("P1", "E1"), ("P1", "N1")}


def test_the_public_view_leaves_persons_out_and_every_briefing_is_audited(served):
    env, api, _ = served
    public = api.get("/v1/briefings/E1", params={"view": "public", "date": "2024-06-01"})
    assert public.status_code == 200
    assert "杨天夫" not in public.text and "泰富控股有限公司" in public.text
    assert api.get("/v1/briefings/P1", params={"view": "public"}).status_code == 404
    assert api.get("/v1/briefings/NOBODY").status_code == 404
    api.get("/v1/briefings/E1", params={"date": "2024-06-01"})
    briefings = [a for a in _audit(env) if a["event"] == "briefing"]
    assert {"key": "E1", "view": "public", "persons": []}.items() <= briefings[-2].items()
    assert briefings[-1]["persons"] == ["P1"]


def _drawn(html: str) -> tuple[list[dict], list[dict]]:
    """The nodes and edges a briefing hands to vis-network."""
    parts = html.split("new vis.DataSet(")
    return tuple(json.JSONDecoder().raw_decode(part)[0] for part in parts[1:3])


def _timeline(html: str) -> list[str]:
    rows = html.split('id="timeline"', 1)[1].split("</table>", 1)[0].split("<tr>")[2:]
    return [" ".join(cell.split("</td>")[0] for cell in row.split("<td")[1:]) for row in rows]


def test_the_timeline_tells_listing_objection_revocation_and_roles_up_to_its_date(served):
    env, api, _ = served
    p3 = _timeline(api.get("/v1/briefings/P3", params={"date": "2024-06-01"}).text)
    events = [(row.split(" >")[0].split(">")[-1], row.split(" >")[1].split(" ")[0]) for row in p3]
    # A person's records of a revoked listing are removed; the timeline still tells it all.
    assert events == [("2010-01-01", "任职/持股开始"), ("2024-01-05", "拟列入"), ("2024-01-10", "公示"),
                      ("2024-01-20", "列入，措施生效"), ("2024-03-01", "提出异议，措施中止"),
                      ("2024-04-01", "认定有误，撤销并恢复名誉"), ("2024-04-01", "恢复名誉")], p3
    e4 = api.get("/v1/briefings/E4", params={"date": "2024-06-01"}).text
    assert "中止 SUSPENDED" in e4 and any("提出异议" in row for row in _timeline(e4))
    # As of 2021: J1 (2022) is not told, not even in a tooltip; P1's Guangdong firm (2023) not drawn.
    early = api.get("/v1/briefings/P1", params={"date": "2021-06-01"}).text
    assert "执J1号" not in early and "深圳新泰富有限公司" not in early
    lead = api.get("/v1/leads", params={"kind": "phoenix"}).json()[0]
    before = api.get(f"/v1/briefings/{lead['id']}", params={"date": "2022-06-01"}).text
    assert {(e["from"], e["to"]) for e in _drawn(before)[1]} == {("P1", "E1")}


def test_an_honour_list_is_not_drawn_as_a_restriction(served):
    env, api, _ = served
    for view in ("investigator", "public"):
        html = api.get("/v1/briefings/R1", params={"view": view}).text
        assert "不受限 not restricted" in html and "列入激励名单" in html if view == "investigator" else True
        node = _drawn(html)[0][0]
        assert node["borderWidth"] == 2, (view, node)  # no "listed itself" border


def test_the_public_sees_no_person_no_suspended_reason_and_no_lead(served):
    env, api, _ = served
    lead = api.get("/v1/leads", params={"kind": "phoenix"}).json()[0]
    refused = api.get(f"/v1/briefings/{lead['id']}", params={"view": "public"})
    assert refused.status_code == 404
    e4 = api.get("/v1/briefings/E4", params={"view": "public", "date": "2024-06-01"}).text
    assert "执J4号" not in e4 and "不受限 not restricted" in e4
    e1 = api.get("/v1/briefings/E1", params={"view": "public", "date": "2024-06-01"}).text
    assert '"P1"' not in e1 and "杨天夫" not in e1 and "执J1号" in e1
    id_number = "11010119750517001X"
    body = api.get(f"/v1/briefings/{id_number}", params={"view": "public"}).json()
    assert body["status"] == 404 and "19750517" not in json.dumps(body)


def test_without_chromium_a_pdf_is_refused_with_a_clear_message(served, tmp_path):
    env, _, _ = served
    done = run_cli({**env, "SANCTIONNET_CHROMIUM": str(tmp_path / "no-chromium")}, "briefing", "E1",
                   "-o", str(tmp_path / "b.pdf"))
    assert done.returncode == 1 and "PDF and PNG need Chromium" in done.stderr
    assert not (tmp_path / "b.pdf").exists()


def test_a_large_graph_renders_to_pdf(tmp_path):
    """150 subjects: longer to lay out than the page takes to load (a race once lost to
    the CSP, which forbids the eval a string predicate needs)."""
    require_chromium()
    from graph_model.privacy.masking import Role
    from graph_model.reports.briefing import Briefing
    from graph_model.views.subgraph import Edge, Node, Subgraph
    from viz.briefing import to_html
    from viz.render import render

    people = [Node(id=f"P{i}", kind="person", name=f"人{i}") for i in range(149)]
    graph = Subgraph(center="E", nodes=[Node(id="E", kind="enterprise", name="大公司"), *people],
                     edges=[Edge(id=f"e{i}", from_=f"P{i}", to="E", type="HOLDS_SHARES", share=0.5)
                            for i in range(149)])
    briefing = Briefing(key="E", title="t", subtitle="s", on=dt.date(2024, 1, 1), reader=Role.investigator,
                        graph=graph, highlighted_nodes=set(), highlighted_edges=set(), summary=[], events=[],
                        measures=[], sources=[])
    pdf = PdfReader(io.BytesIO(render(to_html(briefing), "pdf")))
    assert any(page.images for page in pdf.pages)


def test_the_timeline_names_each_tie_as_the_graph_does():
    """The timeline's words for a tie (the domain's) are the palette's, which the graph
    and the explorer draw with."""
    assert ROLE_ZH == {t: palette()["types"][t]["zh"] for t in RelType}
