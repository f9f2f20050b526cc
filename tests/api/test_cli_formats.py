"""The format commands as a user runs them: `load auto` detects each file, prints one
summary, writes rejects where it says; `export` writes FtM and BODS that load back;
`GET /v1/subjects/{id}/sources` shows why each record was merged."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import httpx

from tests.api.test_api_cli import _free_port, _run, _serve, _stop, env  # noqa: F401  (fixture)
from tests.paths import FIXTURES
from tests.serving import api_key

COURT_HEADER = ["被执行人姓名/名称", "身份证号码/组织机构代码", "法定代表人或负责人姓名", "执行法院", "省份", "案号", "发布时间"]


def _court_file(path: Path) -> Path:
    rows = [["哈尔滨星河电气有限公司", "74419092-7", "王大明", "哈尔滨市南岗区人民法院", "黑龙江", "（2018）黑0103执1号", "2018年04月08日"],
            ["哈尔滨星河电气有限公司", "744190927", "王大明", "深圳市罗湖区人民法院", "广东", "（2017）粤0303执2号", "20170831"],
            ["哈尔滨星河电气有限公司", "744190927", "王大明", "深圳市罗湖区人民法院", "广东", "", "20170831"]]
    with open(path, "w", newline="", encoding="gb18030") as handle:
        writer = csv.writer(handle)
        writer.writerow(COURT_HEADER)
        writer.writerows(rows)
    return path


def test_load_auto_detects_each_format_and_reports(env, tmp_path):
    court = _court_file(tmp_path / "shixin.csv")
    listed = FIXTURES / "listed"
    rejects = tmp_path / "rejects.csv"
    done = _run(env, "load", "auto", str(court), str(listed / "stock.csv"), str(listed / "executive.csv"),
                str(listed / "executive_stock.csv"), str(FIXTURES / "ftm" / "harbin.ftm.json"),
                "--rejects", str(rejects))
    try:
        assert done.returncode == 0, done.stderr
        for fmt in ("court", "listed", "ftm"):
            assert f"{fmt}:" in done.stdout
        assert "merged into a subject another record named" in done.stdout
        # The court record without a case number is rejected by file, line and field.
        assert ["shixin.csv", "4", "caseCode", "no case number"] in list(csv.reader(open(rejects, encoding="utf-8")))
        answer = json.loads(_run(env, "check", "E-org-744190927", "--json", "--date", "2018-05-01").stdout)
        assert answer["subject"]["name"] == "哈尔滨星河电气有限公司" and len(answer["reasons"]) == 2
        unknown = _run(env, "load", "auto", str(FIXTURES / "listed" / "SOURCE.md"))
        assert unknown.returncode == 1 and "not a format sanctionnet knows" in " ".join(unknown.stderr.split())
    finally:
        _run(env, "db", "stop")


def test_exports_load_back_and_sources_explain_merges(env, tmp_path):
    ftm = FIXTURES / "ftm" / "harbin.ftm.json"
    assert _run(env, "load", "ftm", str(ftm)).returncode == 0
    assert _run(env, "load", "court", str(_court_file(tmp_path / "shixin.csv"))).returncode == 0
    out_ftm, out_bods = tmp_path / "out.ftm.json", tmp_path / "out.bods.json"
    for fmt, out in (("ftm", out_ftm), ("bods", out_bods)):
        done = _run(env, "export", fmt, str(out), *(["--published", "2026-11-01"] if fmt == "bods" else []))
        assert done.returncode == 0, done.stderr
        assert "wrote" in done.stderr
    entities = [json.loads(line) for line in out_ftm.read_text("utf-8").splitlines()]
    assert any(e["schema"] == "Company" and e["properties"]["name"] == ["哈尔滨星河电气有限公司"] for e in entities)
    statements = json.loads(out_bods.read_text("utf-8"))
    assert {s["recordType"] for s in statements} >= {"entity", "relationship"}
    port = _free_port()
    proc = _serve(env, port)
    try:
        sources = httpx.get(f"http://127.0.0.1:{port}/v1/subjects/E-org-744190927/sources", timeout=10,
                            headers={"Authorization": f"Bearer {api_key(env)}"}).json()
        assert [(s["record_id"], s["entries"]) for s in sources] == [
            ("(2017)粤0303执2号", ["court:(2017)粤0303执2号"]), ("(2018)黑0103执1号", ["court:(2018)黑0103执1号"])]
        assert all("organisation code 744190927" in s["why"] for s in sources)
    finally:
        assert _stop(proc) == 0
        _run(env, "db", "stop")
    # A fresh store loads the export back.
    fresh = {**env, "SANCTIONNET_DATA_DIR": str(tmp_path / "fresh")}
    try:
        done = _run(fresh, "load", "auto", str(out_ftm))
        assert done.returncode == 0 and "rejected" in done.stdout
        assert json.loads(_run(fresh, "check", "E-org-744190927", "--json").stdout)["subject"]["id"] == "E-org-744190927"
    finally:
        _run(fresh, "db", "stop")
