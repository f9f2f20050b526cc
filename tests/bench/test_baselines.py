"""The benchmark's baselines (bench/baselines/) give sanctionnet's answers.

A demo bundle, with entries on the other lists and role periods the generator never
makes added (PR2's ownership narrowing, NAMED persons, decided measures, notice
periods, public bodies, enterprise controllers, periods ending on the determination
date), is loaded into a real embedded store the normal way; every check, the
restriction records and the owners of the networkx and SQLite baselines must be
exactly sanctionnet's."""

from __future__ import annotations

import csv
import os
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from analysis.owners import owners as sanctionnet_owners
from bench.baselines import NetworkxBaseline, SqliteBaseline, Verdict
from demo.generate import ENTRY_HEADER, generate_bundle
from graph_model.check.rules import check
from graph_model.identity.lookup import resolve_subject
from graph_model.lifecycle.history import History
from graph_model.store.falkordb import FalkorStore
from graph_model.vocabulary.kinds import IN_FORCE_STATES
from loaders.bundle import load_bundle

DAY = timedelta(days=1)
FIXED_DAYS = (date.today(), date(2026, 6, 30), date(2025, 1, 1), date(2022, 6, 30), date(2019, 1, 1))
ENTRY_COLUMNS = (*ENTRY_HEADER, "named", "measures", "permanent")


def _rows(folder: Path, name: str) -> list[dict]:
    with open(folder / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _augment(folder: Path) -> dict[str, str]:
    """Add rows exercising every rule the baselines mirror (the demo has PR1 only);
    return the subjects the spelled-out test looks at."""
    subjects, relations = _rows(folder, "subjects.csv"), _rows(folder, "relations.csv")
    listed = {e["subject_id"] for e in _rows(folder, "entries.csv")}
    holders: dict[str, dict[str, list[str]]] = {}
    for r in relations:
        holders.setdefault(r["to_id"], {}).setdefault(r["type"], []).append(r["from_id"])
    # Unlisted enterprises with one legal representative since before 2020 (still in office).
    ents = [s for s in subjects if s["kind"] == "enterprise" and s["id"] not in listed and s["established"] < "2020"
            and len(holders.get(s["id"], {}).get("LEGAL_REP_OF", ())) == 1]
    soes = [s["id"] for s in ents if s["ownership"] == "soe" and "MANAGES" in holders[s["id"]]]
    private = [s["id"] for s in ents if s["ownership"] == "private"]
    yangtze = [s["id"] for s in ents if s["region"][:2] in ("31", "32", "33", "34")]
    persons = [s["id"] for s in subjects if s["kind"] == "person"]
    bodies = [s["id"] for s in subjects if s["kind"] == "public_body"]
    rng = random.Random(11)
    e = rng.sample(private, 14)
    p = rng.sample(persons, 12)
    rep = {i: holders[i]["LEGAL_REP_OF"][0] for s in ents for i in [s["id"]]}
    new_relations = [
        (p[0], bodies[3], "LEGAL_REP_OF", "", "2015-01-01", ""),  # roles in a public body bind nobody
        (e[9], e[8], "ACTUAL_CONTROLLER_OF", "", "2018-01-01", ""),  # an enterprise controller is not bound
        (p[1], e[8], "PRINCIPAL_OF", "", "2018-01-01", "2024-05-01"),  # ends on the determination date
        (p[2], e[8], "PRINCIPAL_OF", "", "2024-05-02", ""),  # starts the day after
        (p[3], e[8], "ACTUAL_CONTROLLER_OF", "", "2024-05-01", ""),  # starts on it
        (rep[e[8]], e[8], "LEGAL_REP_OF", "", "2024-01-01", "2024-12-31"),  # a second, overlapping period
        # Owners: control through a holding company's registered controller; a state holder.
        (p[4], e[12], "ACTUAL_CONTROLLER_OF", "", "2015-01-01", ""),
        (e[12], e[13], "HOLDS_SHARES", "60", "2015-01-01", ""),
        (bodies[5], e[13], "HOLDS_SHARES", "30", "2016-01-01", ""),
    ]
    entries = [  # id, subject, list, determined, state, valid_to, state_since, named, measures, permanent
        ("X01", soes[0], "labour_arrears", "2024-03-01", "active", "", "", "", "finance.credit", ""),
        ("X02", soes[1], "labour_arrears", "2023-01-10", "objection_pending", "2028-01-09", "2025-05-01", "", "", ""),
        ("X03", e[0], "labour_arrears", "2024-03-01", "active", "", "", "", "finance.credit", ""),
        ("X04", bodies[3], "labour_arrears", "2024-03-01", "active", "", "", "", "", ""),
        ("X05", bodies[3], "joint_punishment", "2023-03-01", "repaired", "", "2025-03-01", "", "", ""),
        ("X06", e[1], "market_ban", "2024-06-01", "active", "", "", f"{p[4]};{rep[e[1]]}", "", "true"),
        ("X07", e[2], "market_ban", "2023-05-01", "revoked", "", "2025-01-15", p[5], "", ""),
        ("X08", p[6], "market_ban", "2026-01-05", "notified", "", "2026-01-10", p[7], "", ""),
        ("X09", e[3], "intermediary_violation", "2024-02-01", "active", "2027-01-31", "", p[8],
         "profession.qualification", ""),
        ("X10", e[4], "intermediary_violation", "2022-02-01", "expired", "2024-01-31", "", p[9], "", ""),
        ("X11", e[5], "seriously_illegal", "2021-07-01", "active", "", "", "", "office.legal_rep", ""),
        ("X12", e[6], "abnormal_operation", "2021-07-01", "objection_pending", "", "2024-08-08", "", "", ""),
        ("X13", p[10], "key_attention", "2024-01-01", "active", "", "", "", "", ""),
        ("X14", e[7], "red_list", "2024-01-01", "active", "", "", "", "", ""),
        ("X15", yangtze[0], "yangtze_delta_env", "2024-09-09", "active", "", "", "", "", ""),
        ("X16", p[11], "dishonest_debtor", "2020-04-04", "expired", "", "2023-04-04", "", "", ""),
        ("X17", p[10], "welfare_blacklist", "2025-02-02", "proposed", "", "", "", "welfare.assistance", ""),
        ("X18", e[8], "joint_punishment", "2024-05-01", "active", "2027-04-30", "", "", "", ""),
        ("X19", bodies[4], "commitment_breach", "2024-10-10", "active", "", "", "", "", ""),
        ("X20", p[6], "finance_blacklist", "2024-10-10", "objection_pending", "", "2025-10-10", "",
         "finance.credit", ""),
        ("X21", e[10], "joint_punishment", "2026-01-05", "notified", "", "2026-01-10", "", "", ""),
        ("X22", e[11], "seriously_illegal", "2022-02-02", "repaired", "", "2024-02-02", "", "office.legal_rep", ""),
    ]
    with open(folder / "relations.csv", "a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(new_relations)
    old = _rows(folder, "entries.csv")
    with open(folder / "entries.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(ENTRY_COLUMNS)
        writer.writerows([row.get(c, "") for c in ENTRY_COLUMNS] for row in old)
        for eid, sid, list_id, determined, state, valid_to, since, named, measures, permanent in entries:
            writer.writerow((eid, sid, list_id, "某市市场监督管理局", f"测试〔2024〕{eid}号", "penalty", determined, state,
                             valid_to, "", since, named, measures, permanent))
    return {"soe_rep": rep[soes[0]], "soe_manager": holders[soes[0]]["MANAGES"][0], "private_rep": rep[e[0]],
            "body_rep": p[0], "ends_on_it": p[1], "starts_after": p[2], "controls_from_it": p[3],
            "enterprise_controller": e[9], "decided_rep": rep[e[5]], "repaired_rep": rep[e[11]],
            "held_by_a_controlled_company": e[13]}


@dataclass
class World:
    folder: Path
    store: FalkorStore
    nx: NetworkxBaseline
    sql: SqliteBaseline
    who: dict[str, str]


@pytest.fixture(scope="module")
def world(falkordb_server, catalogue, hasher, tmp_path_factory) -> World:
    folder = tmp_path_factory.mktemp("baselines") / "bundle"
    generate_bundle(folder, enterprises=2_500, seed=7)
    who = _augment(folder)
    store = FalkorStore(unix_socket_path=str(falkordb_server.socket), graph=f"baselines-{os.getpid()}-{time.time_ns()}")
    store.ensure_schema()
    report = load_bundle(store, catalogue, hasher, folder)
    # The baselines trust the bundle: it must be one the loader takes whole.
    assert report.rejects == []
    sql = SqliteBaseline.from_bundle(folder, catalogue, folder.parent / "baseline.sqlite")
    yield World(folder, store, NetworkxBaseline.from_bundle(folder, catalogue), sql, who)
    sql.db.close()
    store.drop_graph()
    store.close()


def _bound_by(world: World) -> dict[str, set[str]]:
    """Per entry, the subjects it may bind: its own, every holder of any role in it, the named."""
    into: dict[str, set[str]] = {}
    for r in _rows(world.folder, "relations.csv"):
        into.setdefault(r["to_id"], set()).add(r["from_id"])
    return {e["entry_id"]: {e["subject_id"], *into.get(e["subject_id"], ()), *filter(None, e["named"].split(";"))}
            for e in _rows(world.folder, "entries.csv")}


def _key_days(entry: dict) -> set[date]:
    """Days around each change of an entry: determination, notice end, state change, expiry."""
    days = {date.fromisoformat(entry[c]) for c in ("determined", "state_since", "valid_to") if entry[c]}
    if entry["state"] == "notified":  # every notified entry here is on a list with 10 notice days
        days.add(date.fromisoformat(entry["state_since"]) + 10 * DAY)
    return {d + k * DAY for d in days for k in (-1, 0, 1)}


def _assert_same(world: World, catalogue, hasher, subjects: list[str], on: date) -> int:
    expected = {sid: Verdict.of(check(world.store, catalogue, hasher, sid, on=on)) for sid in subjects}
    assert {sid: world.nx.check(sid, on) for sid in subjects} == expected, on
    assert {sid: world.sql.check(sid, on) for sid in subjects} == expected, on
    return sum(v.restricted or v.suspended for v in expected.values())


def test_every_check_is_sanctionnets_on_every_day(world, catalogue, hasher):
    bound = _bound_by(world)
    everyone = [s["id"] for s in _rows(world.folder, "subjects.csv")]
    rng = random.Random(5)
    concerned = sorted(set().union(*bound.values()))
    entries = _rows(world.folder, "entries.csv")
    sampled = rng.sample(sorted(set().union(*map(_key_days, entries))), 6)
    hits = 0
    for on in (*FIXED_DAYS, *sampled):
        hits += _assert_same(world, catalogue, hasher, concerned + rng.sample(everyone, 250), on)
    # Around each change of each entry, everyone it may bind.
    for entry in entries:
        for on in sorted(_key_days(entry)):
            hits += _assert_same(world, catalogue, hasher, sorted(bound[entry["entry_id"]]), on)
    assert hits > 1_000  # the comparison is not between empty answers


def test_the_added_rules_give_the_answers_the_catalogue_says(world):
    """A few answers spelled out, so agreement cannot come from a rule both sides lost."""
    on, who = date(2025, 12, 1), world.who
    added = {e["entry_id"]: e for e in _rows(world.folder, "entries.csv") if e["entry_id"].startswith("X")}
    for baseline in (world.nx, world.sql):
        def reasons(sid: str, day: date = on, entry: str | None = None) -> set[tuple[str, str]]:
            return {r for r in baseline.check(sid, day).reasons if entry is None or r[0] == entry}

        soe_rep = baseline.check(who["soe_rep"], on)
        assert ("X01", "LEGAL_REP_OF") in soe_rep.reasons  # PR2: an SOE's legal representative
        assert soe_rep.measures >= {"disclosure.publish", "finance.credit"}  # finance.credit: decided
        assert not reasons(who["soe_manager"], entry="X01")  # MANAGES is not among PR2's roles
        assert not reasons(who["private_rep"], entry="X03")  # PR2 binds SOE persons only
        assert not reasons(who["body_rep"], entry="X04") and not reasons(who["body_rep"], entry="X05")
        assert reasons(who["ends_on_it"], entry="X18") == {("X18", "PRINCIPAL_OF")}
        assert not reasons(who["starts_after"], entry="X18")
        assert reasons(who["controls_from_it"], entry="X18") == {("X18", "ACTUAL_CONTROLLER_OF")}
        assert not reasons(who["enterprise_controller"], entry="X18")
        assert reasons(who["decided_rep"], entry="X11") == {("X11", "LEGAL_REP_OF")}
        assert reasons(who["repaired_rep"], date(2024, 2, 1), "X22") == {("X22", "LEGAL_REP_OF")}
        assert not reasons(who["repaired_rep"], date(2024, 2, 2), "X22")
        assert reasons(added["X06"]["named"].split(";")[0], entry="X06") == {("X06", "NAMED")}
        assert not reasons(added["X07"]["named"], date(2024, 6, 1), "X07")  # revoked: binds no person
        assert reasons(added["X09"]["named"], entry="X09") == {("X09", "NAMED")}
        assert not reasons(added["X10"]["named"], entry="X10")  # expired
        assert not reasons(added["X13"]["subject_id"], entry="X13")  # supervise: restricts nothing
        assert not reasons(added["X17"]["subject_id"], entry="X17")  # proposed
        assert not reasons(added["X08"]["subject_id"], date(2026, 1, 19), "X08")  # notice period
        assert reasons(added["X08"]["subject_id"], date(2026, 1, 20), "X08") == {("X08", "entity")}
        assert reasons(added["X08"]["named"], date(2026, 1, 20), "X08") == {("X08", "NAMED")}
        assert reasons(added["X20"]["subject_id"], entry="X20") == {("X20", "entity")}  # suspended


def test_check_many_is_check_in_a_loop(world):
    ids = [s["id"] for s in _rows(world.folder, "subjects.csv")][::7]
    on = date(2025, 6, 1)
    for baseline in (world.nx, world.sql):
        assert baseline.check_many(ids, on) == {sid: baseline.check(sid, on) for sid in ids}
    with pytest.raises(KeyError):
        world.sql.check_many([ids[0], "nobody"], on)
    with pytest.raises(KeyError):
        world.nx.check("nobody", on)


def _records(world: World) -> tuple[list[tuple[str, str, str]], dict[str, dict]]:
    nodes = world.store.read("snapshot_nodes")
    records = [(n["props"]["entry_id"], n["props"]["subject_id"], n["props"]["role"])
               for n in nodes if "Restriction" in n["labels"]]
    entries = {n["props"]["id"]: n["props"] for n in nodes if "Entry" in n["labels"]}
    return records, entries


def test_propagate_all_gives_sanctionnets_restriction_records(world):
    records, entries = _records(world)
    assert {role for _, _, role in records} >= {"entity", "LEGAL_REP_OF", "PRINCIPAL_OF", "ACTUAL_CONTROLLER_OF",
                                                 "NAMED"}
    assert world.nx.propagate_all() == set(records)
    assert world.sql.propagate_all() == set(records)
    # One row per role period, as sanctionnet keeps one record per period (X18 binds its
    # legal representative through two).
    assert world.sql.propagate_all(collect=False) == len(records) > len(set(records))
    for on in FIXED_DAYS:
        in_force = {r for r in records if History.of(entries[r[0]]).state_on(on) in IN_FORCE_STATES}
        assert world.nx.propagate_all(on) == in_force == world.sql.propagate_all(on)


def test_owners_are_sanctionnets(world, hasher):
    relations = _rows(world.folder, "relations.csv")
    chained = sorted({r["to_id"] for r in relations if r["type"] == "HOLDS_SHARES" and r["from_id"][0] == "E"})
    controlled = sorted({r["to_id"] for r in relations if r["type"] == "ACTUAL_CONTROLLER_OF"})
    enterprises = [s["id"] for s in _rows(world.folder, "subjects.csv") if s["kind"] == "enterprise"]
    rng = random.Random(3)
    sample = sorted({world.who["held_by_a_controlled_company"], *rng.sample(chained, 120), *rng.sample(controlled, 60),
                     *rng.sample(enterprises, 60)})
    bases = set()
    for on in (date.today(), date(2021, 1, 1)):
        for eid in sample:
            answer = sanctionnet_owners(world.store, resolve_subject(world.store, hasher, eid), on)
            shares = {h.subject.id: h.share for h in answer.holders}
            ultimate = frozenset((o.subject.id, o.basis.value) for o in answer.ultimate_owners)
            bases |= {b for _, b in ultimate}
            for baseline in (world.nx, world.sql):
                found = baseline.owners(eid, on)
                assert found.ultimate == ultimate, (eid, on)
                assert found.holders.keys() == shares.keys(), (eid, on)
                assert all(abs(found.holders[i] - shares[i]) < 2e-6 for i in shares), (eid, on)
    assert bases == {"equity", "state", "majority_control", "registered_control", "senior_manager"}
