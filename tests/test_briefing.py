"""Case briefings as a reader gets them: over HTTP and from the CLI, opened in real
headless Chromium with the network cut off, and the PDF read back."""

from __future__ import annotations

import io
import json
import os
import unicodedata
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from tests.factories import Bundle
from tests.serving import free_port, require_chromium, run_cli, serve, stop
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
    return b


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
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as api:
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
    assert "杨天夫" in html and "J1" in html and "Measures in force" in html
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
