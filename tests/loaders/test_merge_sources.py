"""One enterprise from two sources: BODS and FtM records of the same USCC load as one
subject that carries both records (with why) and the roles of both, once each, in
either order, with no reject, and reload without change (docs/formats.md, Identity
resolution). The two fixtures describe the same invented companies and persons."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import httpx
import pytest

from graph_model.vocabulary.kinds import OPEN_START, RelType, SubjectKey
from loaders.bods import bods_to_bundle, load_bods
from loaders.ftm import ftm_to_bundle, load_ftm
from loaders.interchange import read_relations, read_subjects
from tests.api.test_api_cli import _free_port, _run, _serve, _stop, env  # noqa: F401  (fixture)
from tests.loaders.test_ftm import graph
from tests.paths import FIXTURES
from tests.serving import api_key

MACH_USCC = "912301036309450847"  # 哈尔滨龙江机械制造有限公司: cn-mach in BODS, cn-longjiang-mach in FtM
ZHANG_ID_NUMBER = "23010320910314255X"  # invented (born 2091)
LOADERS = {"bods": load_bods, "ftm": load_ftm}
FIRST_ID = {"bods": "cn-mach", "ftm": "cn-longjiang-mach"}
# Records of the two sources that are one subject: three USCCs, one ID number, and 李娜,
# whom both name as the board chair of the same company.
SAME = [["cn-beifang-group", "cn-group"], ["cn-longjiang-mach", "cn-mach"], ["cn-p-li", "cn-p-li-na"],
        ["cn-p-zhang", "cn-p-zhang-wei"], ["cn-sasac", "cn-sasac-hlj"]]


@pytest.fixture
def sources(tmp_path) -> dict[str, Path]:
    """The two fixtures without the one record each names a holder outside itself with
    (kept there for the dangling-reference tests): the pair then has nothing to reject."""
    statements = [s for s in json.loads((FIXTURES / "bods" / "cn-chain.json").read_text("utf-8"))
                  if s["recordId"] != "rel-outside-mach"]
    entities = [line for line in (FIXTURES / "ftm" / "harbin.ftm.json").read_text("utf-8").splitlines()
                if json.loads(line)["id"] != "own-dangling"]
    paths = {"bods": tmp_path / "cn-chain.json", "ftm": tmp_path / "harbin.ftm.json"}
    paths["bods"].write_text(json.dumps(statements, ensure_ascii=False, indent=1), encoding="utf-8")
    paths["ftm"].write_text("\n".join(entities) + "\n", encoding="utf-8")
    return paths


def _records(store) -> dict[tuple[str, str], tuple[str, str]]:
    """Every source record, as ``GET /v1/subjects/{id}/sources`` reads them: (file,
    record id) -> (subject id, why)."""
    return {(r["source"], r["record_id"]): (s["id"], r["why"]) for s in read_subjects(store)
            for r in store.read("sources_of_subject", subject_id=s["id"])}


def _periods(store) -> list[tuple]:
    ids = [s["id"] for s in read_subjects(store)]
    return [(r["from_id"], r["type"], r["to_id"], r["valid_from"]) for r in read_relations(store, ids, RelType)]


def _expected_periods(sources: dict[str, Path], records: dict) -> set[tuple]:
    """The role periods of both files (converted on their own, under the sources' ids),
    each end named by the subject its record joined."""
    subject = {rid: sid for (_, rid), (sid, _) in records.items()}
    rows = bods_to_bundle([sources["bods"]])[1].rows["relations.csv"] + \
        ftm_to_bundle([sources["ftm"]])[1].rows["relations.csv"]
    assert len(rows) == 7 + 11
    return {(subject[r["from_id"]], r["type"], subject[r["to_id"]], r["valid_from"] or OPEN_START) for r in rows}


@pytest.mark.parametrize("order", [("bods", "ftm"), ("ftm", "bods")], ids=["bods-then-ftm", "ftm-then-bods"])
def test_one_uscc_from_bods_and_ftm_is_one_subject_with_both_records(store, catalogue, hasher, batch_size, sources,
                                                                     order):
    first, second = order
    reports = [LOADERS[fmt](store, catalogue, hasher, [sources[fmt]], batch_size=batch_size) for fmt in order]
    assert [r.rejects for r in reports] == [[], []] and reports[1].dangling == 0

    # One subject for the USCC, under the id the first source gave it, with both records.
    [mach] = store.read("subjects_by_keys", variant=SubjectKey.uscc, ids=[MACH_USCC])
    assert mach["id"] == FIRST_ID[first]
    records = _records(store)
    assert {k: v for k, v in records.items() if v[0] == mach["id"]} == {
        ("cn-chain.json", "cn-mach"): (mach["id"], f"USCC {MACH_USCC}"),
        ("harbin.ftm.json", "cn-longjiang-mach"): (mach["id"], f"USCC {MACH_USCC}")}
    # 6 + 9 records, 5 pairs of them one subject each; the second load says so.
    assert len(records) == 15 and len({s["id"] for s in read_subjects(store)}) == 10
    by_subject: dict[str, set[str]] = defaultdict(set)
    for (_, rid), (sid, _) in records.items():
        by_subject[sid].add(rid)
    assert sorted(sorted(rids) for rids in by_subject.values() if len(rids) > 1) == SAME
    assert reports[1].merged == 5
    zhang = store.read_one("subject_by", variant="id_hash", key=hasher(ZHANG_ID_NUMBER))["subject"]["id"]
    assert {records[("cn-chain.json", "cn-p-zhang")], records[("harbin.ftm.json", "cn-p-zhang-wei")]} == {
        (zhang, "resident ID number (compared by keyed hash)")}
    li = records[("cn-chain.json", "cn-p-li")][0]
    assert records[("cn-chain.json", "cn-p-li")] == records[("harbin.ftm.json", "cn-p-li-na")] == (
        li, f"named 李娜 by {mach['id']} (as KEY_PERSON_OF); a name alone never merges two persons")

    # The roles of both sources, each period once: 7 + 11 rows, 11 periods.
    periods = _periods(store)
    assert len(periods) == len(set(periods)) == 11 and set(periods) == _expected_periods(sources, records)
    assert [p for p in periods if p[1] == "LEGAL_REP_OF"] == [(zhang, "LEGAL_REP_OF", mach["id"], "2011-09-01")]
    assert [p for p in periods if p[1] == "KEY_PERSON_OF" and p[2] == mach["id"]] == [
        (li, "KEY_PERSON_OF", mach["id"], "2019-05-01")]
    # Where the two state one period with other figures, the later load's stand, and it says so:
    # FtM second changes two shares (and an end); BODS second those and two titles FtM lacks.
    share = next(r["share"] for r in read_relations(store, [zhang], [RelType.HOLDS_SHARES]))
    assert share == {"bods": 20, "ftm": 48.5}[second]
    assert reports[1].notes["figures (share, end, title) of role periods another load stored, replaced by "
                            "this load's"] == {"ftm": 2, "bods": 4}[second]
    # The FtM Sanction lies on the one subject.
    assert store.read("entry_subjects", ids=["HRB-2023-0001"])[0]["subject_id"] == mach["id"]

    # Loading both again changes nothing and rejects nothing.
    before = (graph(store), records)
    again = [LOADERS[fmt](store, catalogue, hasher, [sources[fmt]], batch_size=batch_size) for fmt in order]
    assert [r.rejects for r in again] == [[], []]
    assert [r.merged for r in again] == [r.merged for r in reports]
    assert (graph(store), _records(store)) == before


def test_a_source_loaded_twice_is_unchanged(store, catalogue, hasher, batch_size, sources):
    for fmt, loader in LOADERS.items():
        first = loader(store, catalogue, hasher, [sources[fmt]], batch_size=batch_size)
        before = (graph(store), _records(store))
        again = loader(store, catalogue, hasher, [sources[fmt]], batch_size=batch_size)
        assert first.rejects == again.rejects == [] and (graph(store), _records(store)) == before
        assert again.merged == first.merged and again.loaded == first.loaded


def test_two_records_of_one_subject_in_one_load_are_one_subject(store, catalogue, hasher, batch_size, tmp_path):
    """Within one file too: a second Company with the same USCC joins the first, and a
    role period both state is kept once."""
    legal_rep = {"director": ["p"], "role": ["法定代表人"], "startDate": ["2011-09-01"]}
    entities = [
        {"id": "a", "schema": "Company", "properties": {"name": ["哈尔滨龙江机械制造有限公司"], "uscCode": [MACH_USCC]}},
        {"id": "b", "schema": "Company", "properties": {"name": ["龙江机械"], "registrationNumber": [MACH_USCC],
                                                        "incorporationDate": ["2011-09-01"]}},
        {"id": "p", "schema": "Person", "properties": {"name": ["张伟"], "idNumber": [ZHANG_ID_NUMBER]}},
        {"id": "d1", "schema": "Directorship", "properties": {**legal_rep, "organization": ["a"]}},
        {"id": "d2", "schema": "Directorship", "properties": {**legal_rep, "organization": ["b"]}},
    ]
    path = tmp_path / "two.ftm.json"
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in entities), encoding="utf-8")
    report = load_ftm(store, catalogue, hasher, [path], batch_size=batch_size)
    assert report.rejects == [] and report.merged == 1
    assert report.notes["repeats of a role period that two merged records both state (kept once)"] == 1
    [mach] = store.read("subjects_by_keys", variant=SubjectKey.uscc, ids=[MACH_USCC])
    assert mach["id"] == "a" and mach["name"] == "哈尔滨龙江机械制造有限公司"
    assert [s["established"] for s in read_subjects(store) if s["id"] == "a"] == ["2011-09-01"]  # filled in from b
    assert sorted(rid for (_, rid), (sid, _) in _records(store).items() if sid == "a") == ["a", "b"]
    assert _periods(store) == [(_records(store)[("two.ftm.json", "p")][0], "LEGAL_REP_OF", "a", "2011-09-01")]


def test_another_company_under_a_stored_id_does_not_take_it_over(store, catalogue, hasher, batch_size, tmp_path):
    """A source id is the subject's only while nothing says otherwise: a record under a
    stored subject's id with another USCC is another subject, not an update of that one."""
    load_bods(store, catalogue, hasher, [FIXTURES / "bods" / "cn-chain.json"], batch_size=batch_size)
    other = "9123010343464097XW"  # make_uscc(random.Random(7), "230103")
    path = tmp_path / "other.ftm.json"
    path.write_text(json.dumps({"id": "cn-mach", "schema": "Company",
                                "properties": {"name": ["另一家公司"], "uscCode": [other]}}, ensure_ascii=False),
                    encoding="utf-8")
    report = load_ftm(store, catalogue, hasher, [path], batch_size=batch_size)
    assert report.rejects == [] and report.merged == 0
    subjects = {s["id"]: (s["name"], s["uscc"]) for s in read_subjects(store)}
    assert subjects["cn-mach"] == ("哈尔滨龙江机械制造有限公司", MACH_USCC)
    assert subjects[f"E-{other}"] == ("另一家公司", other)


def test_cli_loads_bods_then_ftm_and_the_api_lists_both_records(env, sources):  # noqa: F811  (fixture)
    """As the issue reported it: `load bods FILE` then `load ftm FILE` of one company."""
    try:
        for fmt, merged in (("bods", 0), ("ftm", 5)):
            done = _run(env, "load", fmt, str(sources[fmt]))
            assert done.returncode == 0, done.stderr
            summary = " ".join(done.stdout.split())
            assert f"merged into a subject another record named │ {merged} │" in summary, done.stdout
            assert "│ rejected │ 0 │" in summary, done.stdout
        port = _free_port()
        proc = _serve(env, port)
        try:
            answer = httpx.get(f"http://127.0.0.1:{port}/v1/subjects/{MACH_USCC}/sources", timeout=10,
                               headers={"Authorization": f"Bearer {api_key(env)}"})
            assert answer.status_code == 200, answer.text
            assert [(s["source"], s["record_id"], s["why"]) for s in answer.json()] == [
                ("cn-chain.json", "cn-mach", f"USCC {MACH_USCC}"),
                ("harbin.ftm.json", "cn-longjiang-mach", f"USCC {MACH_USCC}")]
        finally:
            assert _stop(proc) == 0
    finally:
        _run(env, "db", "stop")
