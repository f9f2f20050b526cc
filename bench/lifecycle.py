"""Check latency for a subject with a long history, against one without.

    python -m bench.lifecycle [--enterprises 20000] [--checks 2000]

Loads the demo network on a fresh embedded store, then records 20 entries on
one enterprise, E_LONG (with a legal representative, P_LONG), through the
lifecycle API, each notified, objected to, upheld and repaired: 100 acts. And
20 entries on E_OPEN (legal representative P_OPEN), notified, objected to and
upheld but never repaired: the worst case, every record bears on today. Prints
check latency p50/p99 in process for these subjects, at dates spread over the
history and today, next to the demo subjects' figures, and the time one
transition takes.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.spine import _report, _subjects
from demo.generate import generate_bundle
from graph_model.catalogue.model import load_catalogue
from graph_model.check.rules import check
from graph_model.identity.pii import IdHasher
from graph_model.lifecycle.acts import Act, NewEntry, Resolution
from graph_model.lifecycle.transitions import create_entry, transition
from graph_model.settings import Settings
from graph_model.store import open_store
from loaders.bundle import load_bundle
from loaders.rows import COLUMNS

__all__ = ["main"]

LISTS = ("joint_punishment", "commitment_breach", "labour_arrears", "abnormal_operation", "seriously_illegal")


def _history(store, catalogue, hasher, n: int, subject: str = "E_LONG", repair: bool = True) -> list[float]:
    """Record ``n`` entries with five acts each (four without the repair) on ``subject``;
    return each transition's seconds."""
    who = {"actor": "bench", "department": "bench"}
    took = []
    for i in range(n):
        start = date(2016, 1, 1) + timedelta(days=140 * i)
        new = NewEntry(subject=subject, list=LISTS[i % len(LISTS)], deciding_dept="哈尔滨市南岗区人民法院",
                       basis=f"（{start.year}）黑0103执{i}号", basis_kind="judgment", determined=start,
                       region="230103", reason="bench", on=start, valid_to=start + timedelta(days=3000), **who)
        entry_id = create_entry(store, catalogue, hasher, new)
        for kind, days in (("notify", 5), ("objection", 30), ("resolve", 45), ("repair", 120))[:4 if repair else 3]:
            act = Act(reason=kind, on=start + timedelta(days=days), **who)
            if kind == "resolve":
                act = Resolution(**act.model_dump(), outcome="upheld")
            t0 = time.perf_counter()
            transition(store, catalogue, entry_id, kind, act)
            took.append(time.perf_counter() - t0)
    return took


def _long_subject(folder: Path) -> Path:
    """A bundle with E_LONG and E_OPEN and their legal representatives P_LONG, P_OPEN."""
    rows = {"subjects.csv": [], "relations.csv": [], "entries.csv": []}
    for name in ("LONG", "OPEN"):
        rows["subjects.csv"] += [{"id": f"E_{name}", "kind": "enterprise", "name": f"{name}测试有限公司",
                                  "region": "230103", "ownership": "private", "established": "2010-01-01"},
                                 {"id": f"P_{name}", "kind": "person", "name": f"{name}法人", "region": "230103"}]
        rows["relations.csv"].append({"from_id": f"P_{name}", "to_id": f"E_{name}", "type": "LEGAL_REP_OF",
                                      "valid_from": "2010-01-01"})
    folder.mkdir(parents=True)
    for name, data in rows.items():
        with open(folder / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS[name])
            writer.writeheader()
            writer.writerows({c: row.get(c, "") for c in COLUMNS[name]} for row in data)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=20_000)
    parser.add_argument("--checks", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "demo"
        generate_bundle(folder, enterprises=args.enterprises)
        settings = Settings(data_dir=Path(tmp) / "data", id_hash_key="bench")
        store, server, _ = open_store(settings)
        try:
            catalogue, hasher = load_catalogue(), IdHasher.from_settings(settings)
            load_bundle(store, catalogue, hasher, folder)
            load_bundle(store, catalogue, hasher, _long_subject(Path(tmp) / "long"))
            took = _history(store, catalogue, hasher, args.entries)
            _history(store, catalogue, hasher, args.entries, subject="E_OPEN", repair=False)
            print(f"lifecycle bench: demo {args.enterprises:,} enterprises; E_LONG and E_OPEN have {args.entries} "
                  f"entries each, E_LONG {len(took)} transitions after creation")
            _report("transition (write + derive)", took)
            rng = random.Random(1)
            days = [date(2016, 1, 1) + timedelta(days=rng.randrange(0, 140 * args.entries + 400))
                    for _ in range(args.checks)]
            today = [date.today()] * args.checks
            for key, when, label in (("E_LONG", days, "dated"), ("P_LONG", days, "dated"),
                                     ("E_LONG", today, "today"), ("E_OPEN", today, "today, never repaired"),
                                     ("P_OPEN", today, "today, never repaired")):
                samples = []
                for day in when:
                    t0 = time.perf_counter()
                    answer = check(store, catalogue, hasher, key, on=day)
                    samples.append(time.perf_counter() - t0)
                assert len(answer.reasons) <= args.entries
                _report(f"check {key} ({label})", samples)
            samples = []
            for _ in range(args.checks):
                t0 = time.perf_counter()
                check(store, catalogue, hasher, "E_OPEN", action="admin.green_channel")
                samples.append(time.perf_counter() - t0)
            _report("check E_OPEN (green channel)", samples)
            demo = _subjects(folder, args.checks, seed=2)
            samples = []
            for key in demo:
                t0 = time.perf_counter()
                check(store, catalogue, hasher, key, on=date(2026, 6, 30))
                samples.append(time.perf_counter() - t0)
            _report("check demo subjects", samples)
        finally:
            store.close()
            if server is not None:
                server.stop()


if __name__ == "__main__":
    main()
