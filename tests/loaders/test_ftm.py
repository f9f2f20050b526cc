"""FollowTheMoney import and export on every store: the mapping, what is skipped and
why, dangling references, and export -> import -> export round trips."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exports.ftm import export_ftm
from graph_model.vocabulary.kinds import RelType
from loaders.bundle import load_bundle
from loaders.convert import BundleWriter, Conversion
from loaders.ftm import ftm_to_bundle, load_ftm
from loaders.interchange import PAGE
from tests.paths import FIXTURES, SHARED

FIXTURE = FIXTURES / "ftm" / "harbin.ftm.json"
# The shared real-data samples (yente test fixtures; CC BY-NC content, read in place).
SAMPLES = SHARED / "data" / "ftm-opensanctions-fixtures"
# The person whose FtM id is a resident ID number (birth year 2092: no living person's).
ID_AS_FTM_ID = "110101209201029841"
ZHANG_ID_NUMBER = "23010320910314255X"


def _rows(folder: Path, name: str) -> list[dict]:
    with open(folder / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def convert(path: Path, folder: Path | None = None, **options) -> tuple[Conversion, BundleWriter]:
    """Convert one FtM file without loading; write the bundle into ``folder`` if given."""
    conversion, writer = ftm_to_bundle([path], **options)
    if folder is not None:
        writer.write(folder)
    return conversion, writer


def written(writer: BundleWriter) -> tuple[dict[str, int], dict[str, int], int]:
    """Bundle rows written: subjects per kind, relations per type, entries."""
    return (dict(Counter(r["kind"] for r in writer.rows["subjects.csv"])),
            dict(Counter(r["type"] for r in writer.rows["relations.csv"])), len(writer.rows["entries.csv"]))


def accounted(conversion: Conversion, writer: BundleWriter) -> bool:
    """Every record read is one bundle row or one skip (a subject's source row is the
    subject's record again, not another one)."""
    rows = sum(len(rows) for name, rows in writer.rows.items() if name != "sources.csv")
    return sum(conversion.read.values()) == rows + len(conversion.skipped)


def graph(store) -> tuple[set, set, set]:
    """Subjects, role periods and entries as comparable sets, read with the admin
    snapshot queries (not the export's). Persons' ID-number hash and mask are left out:
    an export never carries them, so a re-import cannot have them."""
    subjects, entries = set(), set()
    for row in store.read("snapshot_nodes"):
        props = {k: v for k, v in row["props"].items() if k not in ("id_hash", "id_masked")}
        if "Subject" in row["labels"]:
            subjects.add(tuple(sorted(props.items())))
        elif "Entry" in row["labels"]:
            keep = ("id", "list", "deciding_dept", "basis", "basis_kind", "determined", "state", "valid_to", "region",
                    "history")
            entries.add(tuple((k, props.get(k)) for k in keep))
    relations = {(r["from_id"], r["type"], r["to_id"], tuple(sorted(r["props"].items())))
                 for r in store.read("snapshot_relationships") if r["type"] in set(RelType)}
    return subjects, relations, entries


def test_conversion_maps_schemata_and_says_what_it_skipped(tmp_path):
    conversion, writer = convert(FIXTURE, tmp_path)
    subject_kinds, relation_types, entries = written(writer)
    assert subject_kinds == {"public_body": 2, "enterprise": 4, "person": 3}
    assert relation_types == {"HOLDS_SHARES": 4, "ACTUAL_CONTROLLER_OF": 1, "LEGAL_REP_OF": 1, "KEY_PERSON_OF": 2,
                              "STAFF_OF": 1, "RELATIVE_OF": 1, "BRANCH_OF": 1, "SUPERVISED_BY": 1}
    assert entries == 1 and writer.dangling == 1
    assert conversion.skipped_by() == {
        "Person: id is empty or may be an ID number: ids are shown in clear": 1,
        "Family: names an entity whose id may be an ID number": 1,
        "Ownership: no percentage: a shareholding needs a share": 1,
        "Ownership: percentage is not a number in (0, 100]": 1,
        "UnknownLink: the nature of an UnknownLink is not known": 1,
        "Sanction: a foreign sanction is not an entry on one of our catalogue lists": 1,
        "Address: addresses are not kept: a subject carries a region code only": 1,
        "Payment: payments are not role relations": 1,
    }
    # Every record is accounted for: one row or one skip each.
    assert accounted(conversion, writer)
    # Each subject record is kept as its source record, under its FtM id; identifiers that
    # are never stored (a passport number, a foreign registration number) are not in it.
    sources = {r["record_id"]: r for r in writer.rows["sources.csv"]}
    assert set(sources) == {r["id"] for r in writer.rows["subjects.csv"]}
    assert {r["source"] for r in sources.values()} == {"harbin.ftm.json"}
    assert "E12345678" not in sources["cn-p-li-na"]["raw"] and "HRB 123456" not in sources["de-handel-gmbh"]["raw"]
    assert ZHANG_ID_NUMBER not in sources["cn-p-zhang-wei"]["raw"] and "230103" in sources["cn-p-zhang-wei"]["raw"]
    assert conversion.notes["names beyond the first (aliases) not kept"] == 2
    assert conversion.notes["dates given as a year or month only, widened"] == 2
    # The ID-number-like id is neither a subject nor shown in the conversion: its line is.
    assert ID_AS_FTM_ID not in repr((conversion, writer.rows, writer.origins))
    assert "harbin.ftm.json:10" in {s.where for s in conversion.skipped}

    subjects = {row["id"]: row for row in _rows(tmp_path, "subjects.csv")}
    assert subjects["cn-amr-harbin"]["kind"] == "public_body"  # an Organization named like a government bureau
    assert subjects["cn-beifang-group"]["ownership"] == "soe"  # topic gov.soe
    assert subjects["cn-beifang-group"]["uscc"] == "91230000243881711L"  # from registrationNumber
    assert subjects["de-handel-gmbh"]["uscc"] == ""  # a foreign registration number is not kept
    assert subjects["cn-p-zhang-wei"]["id_number"] == ZHANG_ID_NUMBER
    assert subjects["cn-p-li-na"]["id_number"] == ""  # a passport number is never kept
    relations = {(r["from_id"], r["type"], r["to_id"]): r for r in _rows(tmp_path, "relations.csv")}
    assert relations[("cn-p-zhang-wei", "LEGAL_REP_OF", "cn-longjiang-mach")]["title"] == ""  # bare 法定代表人
    assert relations[("cn-p-li-na", "KEY_PERSON_OF", "cn-longjiang-mach")]["valid_from"] == "2019-05-01"
    assert relations[("cn-beifang-group", "HOLDS_SHARES", "cn-longjiang-mach")]["share"] == "51.5"
    assert relations[("cn-p-li-na", "RELATIVE_OF", "cn-p-zhang-wei")]["title"] == "配偶"
    line = 2 + list(relations).index(("cn-missing-holder", "HOLDS_SHARES", "cn-longjiang-mach"))
    assert writer.origin("relations.csv", line).record == "own-dangling"


def test_a_json_array_converts_like_json_lines(tmp_path):
    entities = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    array = tmp_path / "array.json"
    array.write_text(json.dumps(entities, ensure_ascii=False, indent=1), encoding="utf-8")
    convert(FIXTURE, tmp_path / "a")
    convert(array, tmp_path / "b")
    for name in ("subjects.csv", "relations.csv", "entries.csv"):
        assert (tmp_path / "a" / name).read_text("utf-8") == (tmp_path / "b" / name).read_text("utf-8")


def test_load_rejects_the_dangling_reference_and_keeps_the_rest(store, catalogue, hasher, batch_size):
    report = load_ftm(store, catalogue, hasher, [FIXTURE], batch_size=batch_size)
    assert report.loaded == {"subjects.csv": 9, "relations.csv": 11, "entries.csv": 1, "sources.csv": 9}
    # The conversion's account comes with the load: records read, skips, notes, dangling.
    conversion, _ = convert(FIXTURE, catalogue=catalogue)
    assert report.dangling == 1 and report.skipped == conversion.skipped_by() and report.notes == conversion.notes
    assert {k: v for k, v in report.read.items() if not k.startswith("bundle ")} == conversion.read
    # The reject names the source file, line and record, not the bundle's temporary file.
    dangling_line = 1 + next(i for i, line in enumerate(FIXTURE.read_text("utf-8").splitlines()) if "own-dangling" in line)
    assert [(r.file, r.line, r.field) for r in report.rejects] == [("harbin.ftm.json", dangling_line, "from_id")]
    assert report.rejects[0].reason == ("no subject 'cn-missing-holder' in this bundle or the store "
                                        "(record own-dangling, as a relations.csv row)")
    # The ID number became a keyed hash; the entry restricts the legal representative
    # and the actual controller (PR1), who are the same person here.
    assert store.read_one("subject_by", variant="id_hash", key=hasher(ZHANG_ID_NUMBER))["subject"]["id"] \
        == "cn-p-zhang-wei"
    assert report.propagation.restrictions >= 2


def test_export_then_import_into_an_empty_store_round_trips(store, catalogue, hasher, tmp_path, batch_size):
    load_ftm(store, catalogue, hasher, [FIXTURE], batch_size=batch_size)
    first, again = io.StringIO(), io.StringIO()
    written = export_ftm(store, first)
    export_ftm(store, again)
    assert first.getvalue() == again.getvalue()  # deterministic
    before = graph(store)
    exported = [json.loads(line) for line in first.getvalue().splitlines()]
    assert written == len(exported) == 9 + 11 + 1
    assert Counter(e["schema"] for e in exported) == {
        "Company": 4, "PublicBody": 2, "Person": 3, "Ownership": 4, "Directorship": 3, "Employment": 1, "Family": 1,
        "UnknownLink": 2, "Sanction": 1}
    text = first.getvalue()
    assert ZHANG_ID_NUMBER not in text and hasher(ZHANG_ID_NUMBER) not in text and "********" not in text

    store.write("delete_all")
    store.ensure_schema()
    path = tmp_path / "export.ftm.json"
    path.write_text(text, encoding="utf-8")
    report = load_ftm(store, catalogue, hasher, [path], batch_size=batch_size)
    assert report.rejects == [] and report.skipped == {}
    assert graph(store) == before
    second = io.StringIO()
    export_ftm(store, second)
    assert second.getvalue() == text


_SCHEMATA = st.sampled_from(["Company", "Person", "Organization", "PublicBody", "Ownership", "Directorship",
                             "Family", "Employment", "UnknownLink", "Sanction", "Address", "Vessel", 7])
_VALUES = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(["50", "法定代表人", "2020", "2020-02-30",
                                                                    "joint_punishment", "e1", "e2"])), max_size=3)


@given(st.lists(st.fixed_dictionaries({"id": st.one_of(st.sampled_from(["e1", "e2", ""]), st.text(max_size=20)),
                                       "schema": _SCHEMATA},
                                      optional={"properties": st.dictionaries(st.sampled_from(
                                          ["name", "owner", "asset", "percentage", "role", "startDate", "endDate",
                                           "director", "organization", "entity", "programId", "idNumber"]), _VALUES)}),
                max_size=12))
def test_any_entities_convert_without_crashing_and_are_all_accounted_for(tmp_path_factory, entities):
    folder = tmp_path_factory.mktemp("prop")
    path = folder / "in.json"
    path.write_text("\n".join(json.dumps(e) for e in entities) + "\nnot json\n", encoding="utf-8")
    conversion, writer = convert(path, folder / "bundle")
    assert sum(conversion.read.values()) == len(entities) + 1
    assert accounted(conversion, writer)


# --------------------------------------------------------------- real samples (optional)

def _sample(name: str) -> Path:
    path = SAMPLES / f"{name}.entities.ftm.json"
    if not path.is_file():
        pytest.skip(f"{path} not present (shared real-data samples)")
    return path


def test_zala_sample_counts(falkor_store, catalogue, hasher):
    """On the embedded store only: zala's records (kept as source records) quote names
    with ' and \\, which FalkorDB's Bolt port, the stand-in for Neo4j, cannot take in a
    string parameter (see the xfail in tests/conformance/test_store.py)."""
    store = falkor_store
    path = _sample("zala")
    entities = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    schemata = Counter(e["schema"] for e in entities)
    ownerships = [e["properties"] for e in entities if e["schema"] == "Ownership"]
    with_percentage = [p for p in ownerships if p.get("percentage")]
    # Periods the bundle loader refuses as repeats: same owner, asset and start date
    # (the 48 %, 50 % and 51 % holdings of one owner in one asset all start 2015-11-25).
    repeats = len(with_percentage) - len({(p["owner"][0], p["asset"][0], p["startDate"][0]) for p in with_percentage})
    ids = {e["id"] for e in entities}
    ends = [v for e in entities if e["schema"] in ("Ownership", "Directorship", "Family")
            for k in ("owner", "asset", "director", "organization", "person", "relative")
            for v in e["properties"].get(k, [])]
    assert (schemata["Company"], schemata["Person"], len(ownerships), len(with_percentage)) == (11, 6, 14, 10)
    assert (schemata["Directorship"], schemata["Family"], repeats) == (3, 4, 2)

    _, writer = convert(path, catalogue=catalogue)
    assert written(writer)[:2] == ({"enterprise": 11, "person": 6}, {"HOLDS_SHARES": 10, "KEY_PERSON_OF": 3,
                                                                       "RELATIVE_OF": 4})
    report = load_ftm(store, catalogue, hasher, [path])
    skipped = report.skipped
    assert skipped["Ownership: no percentage: a shareholding needs a share"] == 14 - 10
    assert skipped["Sanction: a foreign sanction is not an entry on one of our catalogue lists"] == 41
    assert skipped["Address: addresses are not kept: a subject carries a region code only"] == 11
    # The 16 references pointing outside the file are all addressEntity (not mapped);
    # every end of a mapped link is in the file.
    assert report.dangling == sum(1 for v in ends if v not in ids) == 0
    assert report.loaded == {"subjects.csv": 17, "relations.csv": 17 - repeats, "entries.csv": 0, "sources.csv": 17}
    # Each reject names the record whose period it repeats: the first in the file.
    first: dict[tuple, str] = {}
    expected = []
    for e in entities:
        p = e["properties"]
        if e["schema"] == "Ownership" and p.get("percentage"):
            key = (p["owner"][0], p["asset"][0], p["startDate"][0])
            if key in first:
                expected.append(f"same HOLDS_SHARES period as record {first[key]} (record {e['id']}, "
                                "as a relations.csv row)")
            first.setdefault(key, e["id"])
    assert sorted(r.reason for r in report.rejects) == sorted(expected) and len(expected) == repeats
    assert {r.file for r in report.rejects} == {"zala.entities.ftm.json"}


@pytest.mark.parametrize("name, subjects, skipped", [
    # t1: 4 Person + 2 Organization; its Address is skipped.
    ("t1", {"person": 4, "enterprise": 2}, {"Address": 1}),
    # parteispenden: 56 Company + 18 Organization (none a government body by name or
    # topic) + 22 Person; Payments and Addresses are skipped.
    ("parteispenden", {"enterprise": 74, "person": 22}, {"Payment": 290, "Address": 89}),
])
def test_other_samples_convert(tmp_path, name, subjects, skipped):
    conversion, writer = convert(_sample(name), tmp_path)
    assert written(writer)[:2] == (subjects, {}) and writer.dangling == 0
    assert dict(Counter(s.kind for s in conversion.skipped)) == skipped


def test_export_pages_through_more_than_one_page(falkor_store, catalogue, hasher, tmp_path):
    """More subjects and periods than one page of the export queries: none lost or repeated."""
    n = PAGE + 25
    folder = tmp_path / "big"
    folder.mkdir()
    ids = [f"E{i:05d}" for i in range(n)]
    for name, header, rows in (
            ("subjects.csv", "id,kind,name,uscc,id_number,region,ownership,established,status",
             [f"{sid},enterprise,企业{sid},,,,,," for sid in ids]),
            ("relations.csv", "from_id,to_id,type,share,valid_from,valid_to",
             [f"{a},{b},HOLDS_SHARES,60,," for a, b in zip(ids, ids[1:])]),
            ("entries.csv", "entry_id,subject_id,list,deciding_dept,basis,basis_kind,determined,state,valid_to,region",
             [])):
        (folder / name).write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    assert load_bundle(falkor_store, catalogue, hasher, folder).rejects == []
    out = io.StringIO()
    written = export_ftm(falkor_store, out)
    entities = [json.loads(line) for line in out.getvalue().splitlines()]
    assert written == len(entities) == 2 * n - 1
    assert [e["id"] for e in entities[:n]] == ids
    assert len({e["id"] for e in entities[n:]}) == n - 1
