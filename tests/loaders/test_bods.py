"""BODS 0.4 import and export on every store: records and interests to subjects and
role periods, what is skipped and why, and export -> import -> export round trips."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exports.bods import _bods_interest, export_bods
from loaders.bods import _interest, bods_to_bundle, load_bods
from loaders.convert import BundleWriter, Conversion
from loaders.ftm import ftm_to_bundle, load_ftm
from tests.loaders.test_ftm import FIXTURE as FTM_FIXTURE
from tests.loaders.test_ftm import graph
from tests.paths import FIXTURES, SHARED

BODS_FIXTURES = FIXTURES / "bods"
SAMPLES = SHARED / "data" / "bods-examples"
ZHANG_ID_NUMBER = "23010320910314255X"  # invented (born 2091), in cn-chain.json
PUBLISHED = date(2024, 6, 1)


def _relations(folder: Path) -> list[tuple]:
    with open(folder / "relations.csv", encoding="utf-8") as handle:
        return [(r["from_id"], r["type"], r["to_id"], r["share"], r["valid_from"], r["valid_to"], r["title"])
                for r in csv.DictReader(handle)]


def convert(path: Path, folder: Path) -> tuple[Conversion, BundleWriter]:
    """Convert one BODS file without loading, writing the bundle into ``folder``."""
    conversion, writer = bods_to_bundle([path])
    writer.write(folder)
    return conversion, writer


def _subjects(store) -> set:
    """Subjects as BODS carries them: id, kind, name, USCC, founding date."""
    keep = ("id", "kind", "name", "uscc", "org_code", "established")
    return {tuple((k, dict(s).get(k)) for k in keep) for s in graph(store)[0]}


def test_chinese_chain_maps_identifiers_interests_and_closed_records(tmp_path):
    conversion, writer = convert(BODS_FIXTURES / "cn-chain.json", tmp_path)
    with open(tmp_path / "subjects.csv", encoding="utf-8") as handle:
        subjects = {r["id"]: r for r in csv.DictReader(handle)}
    assert {k: v["kind"] for k, v in subjects.items()} == {
        "cn-mach": "enterprise", "cn-group": "enterprise", "cn-sasac": "public_body", "cn-bad-code": "enterprise",
        "cn-p-zhang": "person", "cn-p-li": "person"}
    assert subjects["cn-mach"]["uscc"] == "912301036309450847"  # scheme CN-USCI
    assert subjects["cn-group"]["uscc"] == "91230000243881711L"  # schemeName 统一社会信用代码
    assert subjects["cn-bad-code"]["uscc"] == ""  # wrong check character: not kept
    assert subjects["cn-p-zhang"]["id_number"] == ZHANG_ID_NUMBER  # CHN-IDCARD; the passport is not kept
    assert _relations(tmp_path) == [
        ("cn-sasac", "HOLDS_SHARES", "cn-group", "100", "2003-06-18", "", ""),
        # A public body's control of an enterprise by legal framework: its 上级主管单位.
        ("cn-group", "SUPERVISED_BY", "cn-sasac", "", "", "", "controlByLegalFramework"),
        # A range is stored as its lower bound, the range kept in the title.
        ("cn-group", "HOLDS_SHARES", "cn-mach", "50", "2011-09-01", "", "share [50,75)"),
        ("cn-p-zhang", "HOLDS_SHARES", "cn-mach", "20", "2011-09-01", "", ""),
        ("cn-p-zhang", "LEGAL_REP_OF", "cn-mach", "", "2011-09-01", "", ""),  # details 法定代表人
        ("cn-p-zhang", "ACTUAL_CONTROLLER_OF", "cn-mach", "", "2016-01-01", "", "indirect; otherInfluenceOrControl"),
        # The record was closed on 2023-07-01: its last day is the day before.
        ("cn-p-li", "KEY_PERSON_OF", "cn-mach", "", "2019-05-01", "2023-06-30", "董事长"),
        ("cn-not-in-this-file", "HOLDS_SHARES", "cn-mach", "10", "2020-01-01", "", ""),
    ]
    assert writer.dangling == 1
    assert conversion.skipped_by() == {
        "person:anonymousPerson: an anonymous person cannot be identified: not a subject": 1,
        "relationship: interested party is not a subject: an anonymous person cannot be identified: not a subject": 1,
        "relationship: interested party not specified (informationUnknownToPublisher)": 1,
        "interest:rightsToProfitOrIncome: no counterpart among our role types": 1,
    }
    assert conversion.notes["statements replaced by a later statement of the same record"] == 1


@pytest.mark.parametrize("name, relations, skipped", [
    # Finnish SOE: two companies, a ministry (stateBody) and the state, all direct
    # holdings plus the state's indirect 100 %, and the state's control of the ministry.
    ("bods-package-fi-soe", [
        ("0199c515a699", "HOLDS_SHARES", "19f1c5afe9d7", "76.5", "2020-01-01", "", ""),
        ("7ff95ba3682c", "HOLDS_SHARES", "0199c515a699", "100", "2020-01-01", "", ""),
        ("7ff95ba3682c", "HOLDS_SHARES", "19f1c5afe9d7", "23.5", "2020-01-01", "", ""),
        ("7ff95ba3682c", "SUPERVISED_BY", "05ce06ec97b1", "", "", "", "otherInfluenceOrControl"),
        ("05ce06ec97b1", "HOLDS_SHARES", "19f1c5afe9d7", "100", "2020-01-01", "", "indirect")], {}),
    # Later statements replace earlier ones; endDate 2021-04-03 is the first day without the interest.
    ("fermcat", [
        ("per-5faa4103dee78621", "HOLDS_SHARES", "ent-93c75c87ab28f889", "50", "2019-09-11", "2021-04-02", ""),
        ("per-5faa4103dee78621", "KEY_PERSON_OF", "ent-93c75c87ab28f889", "", "2019-09-11", "2021-04-02", "boardMember"),
        ("per-41c0bb0cef246f7c", "HOLDS_SHARES", "ent-93c75c87ab28f889", "100", "2019-09-11", "", ""),
        ("per-41c0bb0cef246f7c", "KEY_PERSON_OF", "ent-93c75c87ab28f889", "", "2019-09-11", "", "boardMember"),
        ("per-e334cc6258e56467", "HOLDS_SHARES", "ent-93c75c87ab28f889", "50", "2021-04-03", "2022-01-20", "")], {}),
    # Only the last statement of each record counts; votingRights merge into the shareholding.
    ("tecido", [
        ("018AF6B3EB", "KEY_PERSON_OF", "01B68D7633", "", "2022-09-21", "2023-03-02", "boardChair"),
        ("018AF6B3EB", "HOLDS_SHARES", "01B68D7633", "30", "2022-09-21", "2023-03-02", ""),
        ("033E84672B", "HOLDS_SHARES", "01B68D7633", "80", "2023-03-01", "", "")], {}),
    ("simple-pep-declaration", [
        ("c9ceb68d7241", "HOLDS_SHARES", "841083ba86e3", "25", "2016-07-07", "", "share [25,50)")], {}),
    # The interest of unknown type on each component is reported, the indirect total kept.
    ("indirect-ownership", [
        ("d4ab89ea169a", "HOLDS_SHARES", "ad3f6c2fcc9e", "60", "2017-11-01", "", ""),
        ("c25d4d612c2c", "HOLDS_SHARES", "ad3f6c2fcc9e", "30", "2017-11-01", "", "indirect")],
     {"interest:(none)": 1}),
    # Arrangements are not subjects, so neither are the holdings through them.
    ("joint-ownership", [], {"entity:arrangement": 1, "relationship": 3}),
    ("levent", [], {"entity:arrangement": 1, "person:anonymousPerson": 1, "relationship": 3}),
    ("nomination", [
        ("101AB1984F", "ACTUAL_CONTROLLER_OF", "104AB1984C", "", "2023-04-30", "", "indirect; otherInfluenceOrControl")],
     {"entity:arrangement": 1, "relationship": 3}),
    ("listed-company-exempt-from-disclosure", [], {"relationship": 1}),
])
def test_bods_examples_convert(tmp_path, name, relations, skipped):
    conversion, writer = convert(BODS_FIXTURES / f"{name}.json", tmp_path)
    assert _relations(tmp_path) == relations
    kinds: dict[str, int] = {}
    for skip in conversion.skipped:
        kinds[skip.kind] = kinds.get(skip.kind, 0) + 1
    assert kinds == skipped and writer.dangling == 0


def test_load_rejects_the_dangling_party_and_keeps_the_rest(store, catalogue, hasher, batch_size):
    report = load_bods(store, catalogue, hasher, [BODS_FIXTURES / "cn-chain.json"], batch_size=batch_size)
    assert report.loaded == {"subjects.csv": 6, "relations.csv": 7, "entries.csv": 0, "sources.csv": 6}
    # Named by source file and record (line 0: a JSON array has no line per record).
    assert [(r.file, r.line, r.field) for r in report.rejects] == [("cn-chain.json", 0, "from_id")]
    assert report.rejects[0].reason == ("no subject 'cn-not-in-this-file' in this bundle or the store "
                                        "(record rel-outside-mach, as a relations.csv row)")
    assert report.dangling == 1
    assert store.read_one("subject_by", variant="id_hash", key=hasher(ZHANG_ID_NUMBER))["subject"]["id"] == "cn-p-zhang"
    # Each subject's record is kept with why; only the identifier used, the ID number masked.
    [source] = store.read("sources_of_subject", subject_id="cn-p-zhang")
    assert (source["source"], source["record_id"], source["why"]) == (
        "cn-chain.json", "cn-p-zhang", "resident ID number (compared by keyed hash)")
    assert ZHANG_ID_NUMBER not in source["raw"] and "E12345678" not in source["raw"]
    assert [s["why"] for s in store.read("sources_of_subject", subject_id="cn-group")] == ["USCC 91230000243881711L"]


def _round_trip(store, catalogue, hasher, tmp_path, batch_size) -> tuple[str, set, set]:
    """Export, wipe, import the export, export again: both exports and graphs."""
    first, again = io.StringIO(), io.StringIO()
    count = export_bods(store, first, published=PUBLISHED)
    export_bods(store, again, published=PUBLISHED)
    assert first.getvalue() == again.getvalue() and count == len(json.loads(first.getvalue()))
    before = (_subjects(store), graph(store)[1])
    store.write("delete_all")
    store.ensure_schema()
    path = tmp_path / "export.bods.json"
    path.write_text(first.getvalue(), encoding="utf-8")
    report = load_bods(store, catalogue, hasher, [path], batch_size=batch_size)
    assert report.rejects == [] and report.skipped == {}
    second = io.StringIO()
    export_bods(store, second, published=PUBLISHED)
    assert second.getvalue() == first.getvalue()
    return first.getvalue(), before, (_subjects(store), graph(store)[1])


def test_bods_export_round_trips_ownership_and_control(store, catalogue, hasher, tmp_path, batch_size):
    # Not fermcat here: "O'Donohue" breaks the Bolt test server (a single quote in any
    # string parameter fails FalkorDB's Bolt port); test_all_bods_examples_load has it.
    for name in ("cn-chain", "bods-package-fi-soe", "simple-pep-declaration", "tecido", "nomination"):
        load_bods(store, catalogue, hasher, [BODS_FIXTURES / f"{name}.json"], batch_size=batch_size)
    text, before, after = _round_trip(store, catalogue, hasher, tmp_path, batch_size)
    assert after == before
    statements = json.loads(text)
    assert {s["publicationDetails"]["bodsVersion"] for s in statements} == {"0.4"}
    assert len({s["statementId"] for s in statements}) == len(statements)
    assert ZHANG_ID_NUMBER not in text and hasher(ZHANG_ID_NUMBER) not in text
    sasac = next(s for s in statements if s["recordId"] == "cn-sasac")
    assert sasac["recordDetails"]["identifiers"][0] == {
        "id": "1123000097745978XH", "scheme": "CN-USCI", "schemeName": "统一社会信用代码 (Unified Social Credit Identifier)"}


def test_an_ftm_graph_exported_as_bods_keeps_every_ownership_and_control_role(store, catalogue, hasher, tmp_path,
                                                                                batch_size):
    load_ftm(store, catalogue, hasher, [FTM_FIXTURE], batch_size=batch_size)
    text, before, after = _round_trip(store, catalogue, hasher, tmp_path, batch_size)
    assert after[0] == before[0]
    # Employment and family ties are neither ownership nor control: not in BODS.
    assert after[1] == {r for r in before[1] if r[1] not in ("STAFF_OF", "RELATIVE_OF")}
    assert {r[1] for r in after[1]} == {"HOLDS_SHARES", "ACTUAL_CONTROLLER_OF", "LEGAL_REP_OF", "KEY_PERSON_OF",
                                         "BRANCH_OF", "SUPERVISED_BY"}


_BOUND = st.floats(min_value=0.5, max_value=100, allow_nan=False).map(lambda x: round(x, 2))


@given(st.one_of(
    st.builds(lambda x: {"exact": x}, _BOUND),
    st.builds(lambda lo, hi, lo_key, hi_key: {lo_key: min(lo, hi), hi_key: max(lo, hi)}, _BOUND, _BOUND,
              st.sampled_from(["minimum", "exclusiveMinimum"]), st.sampled_from(["maximum", "exclusiveMaximum"])),
    st.builds(lambda lo: {"minimum": lo}, _BOUND)),
    st.sampled_from(["shareholding", "votingRights"]), st.sampled_from(["direct", "indirect"]))
def test_share_ranges_and_indirect_interests_survive_export_and_import(share, kind, direct):
    """Import, export and import again give the same type, share and title."""
    interest = {"type": kind, "directOrIndirect": direct, "share": share}
    rel, title, value, _ = _interest(interest, "enterprise", "person")
    row = {"type": rel.value, "title": title, "share": value, "valid_from": None, "valid_to": None}
    assert _interest(_bods_interest(row, "person"), "enterprise", "person")[:3] == (rel, title, value)


@given(st.lists(st.fixed_dictionaries(
    {"recordType": st.sampled_from(["entity", "person", "relationship", "other"]),
     "recordId": st.sampled_from(["a", "b", "c", ""]),
     "statementDate": st.sampled_from(["2020-01-01", "2021-01-01", "x"]),
     "recordDetails": st.fixed_dictionaries({}, optional={
         "entityType": st.fixed_dictionaries({"type": st.sampled_from(["registeredEntity", "stateBody", "trust"])}),
         "name": st.text(max_size=8), "subject": st.sampled_from(["a", "b", "zz"]),
         "interestedParty": st.one_of(st.sampled_from(["a", "b", "c"]), st.just({"reason": "unknown"})),
         "interests": st.lists(st.fixed_dictionaries({}, optional={
             "type": st.sampled_from(["shareholding", "boardMember", "otherInfluenceOrControl", "settlor"]),
             "share": st.dictionaries(st.sampled_from(["exact", "minimum", "maximum"]),
                                      st.one_of(st.floats(allow_nan=True), st.text(max_size=3))),
             "startDate": st.sampled_from(["2020-01-01", "2020", "bad"]),
             "beneficialOwnershipOrControl": st.booleans()}), max_size=3)})}), max_size=8))
def test_any_statements_convert_without_crashing(tmp_path_factory, statements):
    folder = tmp_path_factory.mktemp("prop")
    path = folder / "in.json"
    path.write_text(json.dumps(statements), encoding="utf-8")
    conversion, _ = convert(path, folder / "bundle")
    assert sum(conversion.read.values()) == len(statements)


_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5),
              st.sampled_from(["entity", "person", "relationship", "shareholding", "registeredEntity", "a", "b",
                               "2020-01-01", "closed", "Ownership", "Company"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(
        ["recordType", "recordId", "statementDate", "recordStatus", "recordDetails", "entityType", "type", "name",
         "names", "identifiers", "subject", "interestedParty", "interests", "share", "exact", "minimum", "id",
         "schema", "properties", "owner", "asset", "percentage"]), inner, max_size=5)), max_leaves=25)


@given(st.lists(_JSON, max_size=5), st.booleans())
def test_arbitrary_json_never_crashes_either_converter(tmp_path_factory, catalogue, records, lines):
    """Whatever JSON arrives, as an array or as lines, both converters report instead of failing."""
    folder = tmp_path_factory.mktemp("json")
    path = folder / "in.json"
    path.write_text("\n".join(map(json.dumps, records)) if lines else json.dumps(records), encoding="utf-8")
    convert(path, folder / "bods")
    ftm_to_bundle([path], catalogue=catalogue)[1].write(folder / "ftm")


# --------------------------------------------------------------- real samples (optional)

def test_all_bods_examples_load(falkor_store, catalogue, hasher):
    """The 19 published examples: 119 statements (35 entity, 28 person, 56 relationship).
    On the embedded store only: fermcat's "O'Donohue" breaks FalkorDB's Bolt port, the
    stand-in for Neo4j (a single quote in any string parameter fails there)."""
    store = falkor_store
    files = sorted(SAMPLES.glob("*.json"))
    if not files:
        pytest.skip(f"{SAMPLES} not present (shared real-data samples)")
    read: dict[str, int] = {}
    subjects = relations = 0
    expected_subjects = 0
    for path in files:
        statements = json.loads(path.read_text(encoding="utf-8"))
        latest = {s["recordId"]: s for s in sorted(statements, key=lambda s: s["statementDate"])}
        # Counted independently: entity records of a registered/legal/state kind and known persons.
        expected_subjects += sum(1 for s in latest.values()
                                 if s["recordDetails"].get("entityType", {}).get("type") in
                                 ("registeredEntity", "legalEntity", "stateBody", "state")
                                 or s["recordDetails"].get("personType") == "knownPerson")
        report = load_bods(store, catalogue, hasher, [path])
        for kind, n in report.read.items():
            if not kind.startswith("bundle "):
                read[kind] = read.get(kind, 0) + n
        assert report.rejects == [] and report.dangling == 0
        subjects += report.loaded["subjects.csv"]
        relations += report.loaded["relations.csv"]
    assert read == {"entity": 35, "person": 28, "relationship": 56}
    assert subjects == expected_subjects == 49
    # Per file, as listed in test_bods_examples_convert and docs/formats.md: 1 (entity
    # owning entity) + 5 (fi-soe) + 1 + 1 (linking annotations, package) + 5 (fermcat)
    # + 1 (full PEP) + 2 (indirect) + 3 (mixed) + 3 + 3 (multiple indirect, both)
    # + 1 (tax residencies) + 1 (nomination) + 1 (simple PEP) + 3 (tecido).
    assert relations == 31
