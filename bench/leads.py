"""Precision, recall and time of the lead detectors on rings planted in a large demo bundle.

    python -m bench.leads [--enterprises 200000] [--per-kind 50] [--seed 1] [--fsync everysec]

Generates a demo bundle (``demo.generate``), plants ``per_kind`` rings of each kind in it
(``demo.rings``, with ``--seed``), loads it into a fresh embedded store and prints the
load time. Then, kind by kind, runs ``analysis.leads.find_leads(store, catalogue, kinds=[kind])``
and prints: rings planted, findings, findings that match a planted ring, precision and recall
against the planted rings, and seconds. A finding matches a ring when its key equals the ring's
key; a collusion group matches when the Jaccard similarity of the enterprise ids is at least 0.5.

Precision against planted rings alone understates a detector: the generator makes these
patterns on its own. Its persons are reused as role holders (10 % from another province, and
5 % of persons are placed in 2-5 provinces), and it moves legal reps around listings, so many
hold the legal-rep or controller role in listed enterprises of several provinces
(``shared_controller``) or turn up in another province after a listing (``phoenix``); an
enterprise with one corporate holder that holds one other enterprise forms a ``shell_chain``.
Holdings between enterprises run from an older to a newer one, so it makes no ownership cycles.
So the bench also finds the four exactly defined kinds directly in the CSV files
(:func:`reference_findings`, written again from the definitions in docs/analysis.md, without
the store or analysis.leads) and prints as "background" how many instances the generator made
itself, and as "prec+bg" the share of findings that are a planted ring or such an instance.
"p@k" is the precision of the k highest-scored leads, k the rings planted: how well the score
puts the planted rings first. Collusion groups have no exact definition (background "-").

Last, tenders for the same bundle (``demo.tenders``: a regional market with planted
bidding rings) are loaded and searched for ``co_bidding`` groups.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

import networkx as nx

from analysis.leads import find_leads
from demo.generate import generate_bundle
from demo.rings import KINDS, matches, plant_rings, read_truth
from demo.tenders import write_tenders
from graph_model.catalogue.model import load_catalogue
from graph_model.identity.pii import IdHasher
from graph_model.leads import LeadKind
from graph_model.settings import Settings
from graph_model.store import open_store
from loaders.bundle import load_bundle
from loaders.tenders import load_tenders

__all__ = ["main", "reference_findings"]

_TIES = {"LEGAL_REP_OF", "ACTUAL_CONTROLLER_OF", "PRINCIPAL_OF", "HOLDS_SHARES"}  # ties that answer for a listing
_CONTROL = {"LEGAL_REP_OF", "ACTUAL_CONTROLLER_OF", "PRINCIPAL_OF"}
_WORKING = {"STAFF_OF", "MANAGES", "KEY_PERSON_OF", "PRINCIPAL_OF"}  # people working there: not a shell
_TIED_SHARE, _WINDOW = 20.0, 730
_OPEN = (dt.date.min.toordinal(), dt.date.max.toordinal())


class _Rel(NamedTuple):
    src: str
    dst: str
    type: str
    share: float
    start: int  # ordinal day; an empty valid_from is the earliest day
    end: int  # ordinal day; an empty valid_to is the last day


def _day(text: str, default: int) -> int:
    return dt.date.fromisoformat(text).toordinal() if text else default


def reference_findings(folder: Path, today: dt.date | None = None) -> dict[str, set[tuple[str, ...]]]:
    """Keys of every instance of the exactly defined kinds in the bundle's CSV files, by
    the definitions of docs/analysis.md, written again from the rows (no store, no code of
    analysis.leads): what a correct detector must find, planted or not."""
    now = (today or dt.date.today()).toordinal()
    kind, prov = {}, {}
    with open(folder / "subjects.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            kind[row["id"]], prov[row["id"]] = row["kind"], row["region"][:2] or None
    rels = []
    with open(folder / "relations.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            rels.append(_Rel(row["from_id"], row["to_id"], row["type"], float(row["share"] or 0),
                             _day(row["valid_from"], _OPEN[0]), _day(row["valid_to"], _OPEN[1])))  # fmt: skip
    listed: dict[str, list[int]] = defaultdict(list)  # enterprise -> days of its entries not revoked
    with open(folder / "entries.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["state"] != "revoked" and kind.get(row["subject_id"]) == "enterprise":
                listed[row["subject_id"]].append(_day(row["determined"], 0))
    into, out = defaultdict(list), defaultdict(list)
    for r in rels:
        into[r.dst].append(r)
        out[r.src].append(r)

    def tie(r: _Rel) -> bool:
        return r.type in _TIES and (r.type != "HOLDS_SHARES" or r.share >= _TIED_SHARE)

    found: dict[str, set[tuple[str, ...]]] = {k: set() for k in KINDS if k != "collusion_group"}
    controls: dict[str, set[str]] = defaultdict(set)
    for lid, days in listed.items():
        if not prov[lid]:
            continue
        for held in filter(tie, into[lid]):
            for d in days:
                if not held.start <= d <= held.end:
                    continue
                if held.type in _CONTROL and kind[held.src] == "person":
                    controls[held.src].add(lid)
                found["phoenix"].update(
                    (held.src, r.dst) for r in out[held.src]
                    if tie(r) and r.dst != lid and kind[r.dst] == "enterprise" and prov[r.dst]
                    and prov[r.dst] != prov[lid] and d < r.start <= d + _WINDOW)  # fmt: skip
    found["shared_controller"] = {(pid,) for pid, firms in controls.items()
                                  if len(firms) >= 2 and len({prov[e] for e in firms}) >= 2}

    owns = nx.DiGraph((r.src, r.dst) for r in rels
                      if r.type == "HOLDS_SHARES" and r.start <= now <= r.end and r.src != r.dst)
    cyclic = set()
    for part in nx.strongly_connected_components(owns):
        if len(part) > 1:
            found["circular_ownership"].add(tuple(sorted(part)))
            cyclic |= part
    working = {r.dst for r in rels if r.type in _WORKING and r.start <= now <= r.end}
    layer = {e for e in owns if owns.in_degree(e) == 1 and owns.out_degree(e) == 1
             and e not in working and e not in cyclic}  # fmt: skip
    for first in layer:
        if next(owns.predecessors(first)) in layer:
            continue
        chain = [first]
        while (nxt := next(owns.successors(chain[-1]))) in layer:
            chain.append(nxt)
        if len(chain) >= 2:
            found["shell_chain"].add(tuple(chain))
    return found


def _score(kind: str, found: list[list[str]], rings: list[list[str]], background: set[tuple[str, ...]] | None,
           ) -> tuple[int, int, int | None]:  # fmt: skip
    """Findings that match a planted ring, planted rings some finding matches, and findings
    that match a planted ring or a background instance (None: no background is known)."""
    hit = [any(matches(kind, key, ring) for ring in rings) for key in found]
    recalled = sum(any(matches(kind, key, ring) for key in found) for ring in rings)
    known = None if background is None else sum(h or tuple(key) in background for h, key in zip(hit, found))
    return sum(hit), recalled, known


def _row(kind: str, leads, rings: list[list[str]], background, planted: set, seconds: float) -> None:
    """One line of the table. p@k: precision of the k highest-scored leads, k = rings
    planted (how well the score ranks what an investigator reads first)."""
    hit, recalled, known = _score(kind, [lead.key for lead in leads], rings, background)
    top = sorted(leads, key=lambda lead: -lead.score)[:len(rings)]
    top_hit = _score(kind, [lead.key for lead in top], rings, None)[0]
    n = max(len(leads), 1)
    bg = "-" if background is None else f"{len(background - planted):,}"
    both = "-" if known is None else f"{known / n:.2f}"
    print(f"{kind:<20} {len(rings):>7} {len(leads):>7} {hit:>7} {hit / n:>9.2f} "
          f"{recalled / max(len(rings), 1):>6.2f} {top_hit / max(len(top), 1):>5.2f} {seconds:>7.1f} "
          f"{bg:>10} {both:>7}")  # fmt: skip


def _co_bidding(folder: Path, store, catalogue, per_kind: int) -> None:
    """Tenders for the same bundle (demo.tenders: a regional market and planted
    rings that bid together and win in turn), loaded and searched for co-bidding groups."""
    t0 = time.perf_counter()
    rings = write_tenders(folder, tenders=100_000, rings=per_kind)
    report = load_tenders(store, catalogue, None, [folder / "tenders.csv"])
    t1 = time.perf_counter()
    leads = find_leads(store, catalogue, kinds=[LeadKind.co_bidding])
    seconds = time.perf_counter() - t1
    _row("co_bidding", leads, rings, None, {tuple(r) for r in rings}, seconds)
    print(f"  ({report.loaded['tenders']:,} tenders, {report.loaded['bids']:,} bids written and loaded in "
          f"{t1 - t0:.1f} s, {len(report.rejects)} rejects)")


def _load(folder: Path, tmp: Path, fsync: str):
    settings = Settings(data_dir=tmp / "data", id_hash_key="bench", fsync=fsync, store="embedded")
    store, server, _ = open_store(settings)
    catalogue = load_catalogue()
    t0 = time.perf_counter()
    report = load_bundle(store, catalogue, IdHasher.from_settings(settings), folder)
    seconds = time.perf_counter() - t0
    print(f"load: {report.loaded.get('subjects.csv', 0):,} subjects, {report.loaded.get('relations.csv', 0):,} "
          f"relations, {report.loaded.get('entries.csv', 0):,} entries, {len(report.rejects)} rejects "
          f"in {seconds:.1f} s")  # fmt: skip
    return store, server, catalogue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=200_000)
    parser.add_argument("--per-kind", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1, help="seed of the planted rings (the demo uses its own)")
    # everysec: the bench measures detectors, not durable writes.
    parser.add_argument("--fsync", choices=["always", "everysec"], default="everysec")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "demo"
        t0 = time.perf_counter()
        generate_bundle(folder, enterprises=args.enterprises)
        t1 = time.perf_counter()
        plant_rings(folder, seed=args.seed, per_kind=args.per_kind)
        t2 = time.perf_counter()
        print(f"demo {args.enterprises:,} enterprises generated in {t1 - t0:.1f} s, "
              f"{args.per_kind} rings per kind planted in {t2 - t1:.1f} s")  # fmt: skip
        truth, reference = read_truth(folder / "truth.json"), reference_findings(folder)
        planted = {kind: {tuple(r.key) for r in rings} for kind, rings in truth.kinds.items()}
        print(f"reference definitions over the CSV files in {time.perf_counter() - t2:.1f} s")
        store, server, catalogue = _load(folder, Path(tmp), args.fsync)
        try:
            print(f"{'kind':<20} {'planted':>7} {'found':>7} {'matched':>7} {'precision':>9} {'recall':>6} "
                  f"{'p@k':>5} {'seconds':>7} {'background':>10} {'prec+bg':>7}")  # fmt: skip
            for kind in KINDS:
                t0 = time.perf_counter()
                leads = find_leads(store, catalogue, kinds=[kind])
                seconds = time.perf_counter() - t0
                rings, background = [r.key for r in truth.kinds[kind]], reference.get(kind)
                _row(kind, leads, rings, background, planted[kind], seconds)
            _co_bidding(folder, store, catalogue, args.per_kind)
        finally:
            store.close()
            if server is not None:
                server.stop()


if __name__ == "__main__":
    main()
