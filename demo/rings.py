"""Known rings planted into a generated demo bundle, and the truth a lead detector is scored by.

Why: a detector of suspicious patterns (leads) needs instances whose answer is known, inside a
background as large and as noisy as the demo. :func:`plant_rings` appends the rows of
``per_kind`` instances of each kind in :data:`KINDS` to the bundle's three files and writes
``truth.json``, which says for each instance the ``key`` a finding must have to match it and
its ``members`` (the subjects that make the pattern; helpers such as a founder who only passes
shares on are not members).

Contract: same bundle and arguments → byte-identical appended rows and truth (one seeded
``random.Random``, no clock). Every planted id starts with ``R`` and a kind tag
(``RPHX0001E1``), so it never meets a generator id; USCCs and ID numbers are check-valid and
distinct from the bundle's. Planted roles are dated so that an instance of one kind never forms
an instance of another (a listed enterprise's members hold their roles in the other enterprises
from before its listing), and every date is before the generator's "today", 2026-06-30. Entries are active ``joint_punishment``
judgments without an end.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from graph_model.identity import regions
from graph_model.identity.identifiers import make_resident_id, make_uscc

# The generator's provinces and vocabulary too, so that planted rows look like the background.
from demo.generate import (
    _FORMS,
    _GIVEN,
    _INDUSTRIES,
    _PROVINCES,
    _SURNAMES,
    _SYLLABLES,
    ENTRY_HEADER,
    RELATION_HEADER,
    SUBJECT_HEADER,
    _between,
)  # fmt: skip

__all__ = ["KINDS", "TRUTH_FORMAT", "Ring", "Truth", "matches", "plant_rings", "read_truth"]

KINDS = ("phoenix", "shared_controller", "circular_ownership", "shell_chain", "collusion_group")
# Bump when the shape of truth.json changes.
TRUTH_FORMAT = 1
_TAGS = dict(zip(KINDS, ("PHX", "SHC", "CIR", "SHL", "COL"), strict=True))
_DAY = dt.timedelta(days=1)
_LAST = dt.date(2026, 6, 29)  # the day before the generator's "today"
_LEGAL, _CONTROL, _PRINCIPAL, _SHARES, _MANAGES = (
    "LEGAL_REP_OF", "ACTUAL_CONTROLLER_OF", "PRINCIPAL_OF", "HOLDS_SHARES", "MANAGES")  # fmt: skip


@dataclass(frozen=True)
class Ring:
    """One planted instance: the key a finding must carry, and every subject of the pattern."""

    key: list[str]
    members: list[str]


@dataclass
class Truth:
    """What :func:`plant_rings` planted, per kind in :data:`KINDS` order."""

    seed: int
    per_kind: int
    kinds: dict[str, list[Ring]] = field(default_factory=dict)

    def to_json(self) -> dict:
        kinds = {k: [{"key": r.key, "members": r.members} for r in rings] for k, rings in self.kinds.items()}
        return {"format": TRUTH_FORMAT, "seed": self.seed, "per_kind": self.per_kind, "kinds": kinds}


def read_truth(path: Path) -> Truth:
    """Read a truth.json that :func:`plant_rings` wrote."""
    data = json.loads(Path(path).read_text("utf-8"))
    if data.get("format") != TRUTH_FORMAT:
        raise ValueError(f"{path}: truth format {data.get('format')!r}, expected {TRUTH_FORMAT}")
    kinds = {k: [Ring(r["key"], r["members"]) for r in rings] for k, rings in data["kinds"].items()}
    return Truth(data["seed"], data["per_kind"], kinds)


def matches(kind: str, found: list[str], planted: list[str]) -> bool:
    """Whether a finding's key matches a planted key: equal lists, except that a collusion
    group matches when the Jaccard similarity of the enterprise id sets is at least 0.5
    (community detection rarely draws a group's border exactly)."""
    if kind != "collusion_group":
        return list(found) == list(planted)
    a, b = set(found), set(planted)
    return bool(a | b) and len(a & b) / len(a | b) >= 0.5


def _d(y: int, m: int = 1, d: int = 1) -> dt.date:
    return dt.date(y, m, d)


class _Planter:
    """One planting run: the RNG, the identifiers already taken, and the rows to append."""

    def __init__(self, rng: random.Random, folder: Path) -> None:
        self.rng, self.provs = rng, sorted(_PROVINCES)
        self.places = {p: [pn for c in regions.counties(p) if (pn := regions.place_names(c.code))] for p in self.provs}
        self.id_places = {p: [x for x in self.places[p] if x.code[4] != "7"] for p in self.provs}  # GB/T 2260 only
        self.ids, self.usccs, self.numbers, self.names = set[str](), set[str](), set[str](), set[str]()
        self.adults: list[tuple[str, int]] = []  # background persons: id, birth year
        with open(folder / "subjects.csv", encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                self.ids.add(row["id"])
                self.usccs.add(row["uscc"])
                self.numbers.add(row["id_number"])
                self.names.add(row["name"])
                if row["kind"] == "person" and len(row["id_number"]) == 18:
                    self.adults.append((row["id"], int(row["id_number"][6:10])))
        self.rows: dict[str, list[dict[str, str]]] = {"subjects.csv": [], "relations.csv": [], "entries.csv": []}
        self.region: dict[str, str] = {}  # planted id -> region code

    def person(self, pid: str, prov: str) -> str:
        """Write a person born 1955-1985 (an adult at every planted date) living in ``prov``."""
        rng, place = self.rng, self.rng.choice(self.id_places[prov])
        born, male = _between(rng, _d(1955), _d(1985, 12, 31)), rng.random() < 0.6
        while (number := make_resident_id(rng, place.code, born, male)) in self.numbers:
            pass  # same place, birth date and sequence as someone else: draw the sequence again
        self.numbers.add(number)
        name = rng.choice(_SURNAMES) + "".join(rng.sample(_GIVEN, rng.choice((1, 2, 2))))
        self._subject(pid, "person", name, "", number, place.code, "", "", "")
        return pid

    def outsider(self, on: dt.date) -> str:
        """Return a background person who is an adult on ``on``."""
        while (pick := self.rng.choice(self.adults))[1] + 18 > on.year:
            pass
        return pick[0]

    def enterprise(self, eid: str, prov: str, est: dt.date) -> str:
        """Write a private enterprise established on ``est`` in a county of ``prov``."""
        rng, place = self.rng, self.rng.choice(self.places[prov])
        trade = "".join(rng.sample(_SYLLABLES, 2))
        name = place.short_name + trade + rng.choice(_INDUSTRIES) + rng.choice(_FORMS)
        while name in self.names:
            name = name.replace(trade, trade + rng.choice(_SYLLABLES), 1)
        self.names.add(name)
        while (uscc := make_uscc(rng, place.code, "9", "1")) in self.usccs:
            pass
        self.usccs.add(uscc)
        self._subject(eid, "enterprise", name, uscc, "", place.code, "private", est.isoformat(), "active")
        return eid

    def _subject(self, *row: str) -> None:
        self.region[row[0]] = row[5]
        self.rows["subjects.csv"].append(dict(zip(SUBJECT_HEADER, row, strict=True)))

    def rel(self, a: str, b: str, kind: str, start: dt.date, end: dt.date | None = None, tenths: int = 0) -> None:
        """Write a role period; ``tenths`` is the share in tenths of a percent (HOLDS_SHARES)."""
        share = f"{tenths // 10}.{tenths % 10}" if kind == _SHARES else ""
        row = (a, b, kind, share, start.isoformat(), end.isoformat() if end else "")
        self.rows["relations.csv"].append(dict(zip(RELATION_HEADER, row, strict=True)))

    def sale(self, founder: str, eid: str, est: dt.date, buyer: str, on: dt.date, tenths: int) -> None:
        """``founder`` holds all of ``eid`` from ``est`` and sells ``tenths`` of it to ``buyer`` on ``on``."""
        if est < on:
            self.rel(founder, eid, _SHARES, est, on - _DAY, 1000)
        if tenths < 1000:
            self.rel(founder, eid, _SHARES, on, None, 1000 - tenths)
        self.rel(buyer, eid, _SHARES, on, None, tenths)

    def entry(self, entry_id: str, subject: str, day: dt.date) -> None:
        """Write an active, open-ended judgment entry decided by the subject's county court."""
        place = regions.place_names(self.region[subject])
        year = max(2015, day.year - self.rng.choice((0, 0, 1)))
        abbr, number = regions.province_abbreviation(place.code), self.rng.randint(1, 3999)
        basis = f"（{year}）{abbr}{place.code[2:]}执{number}号"
        row = (entry_id, subject, "joint_punishment", place.full_name + "人民法院", basis, "judgment",
               day.isoformat(), "active", "", place.code, "")  # fmt: skip
        self.rows["entries.csv"].append(dict(zip(ENTRY_HEADER, row, strict=True)))

    # ------------------------------------------------------------------ the kinds

    def phoenix(self, i: int, tag: str) -> Ring:
        """P answers for listed L in province A, then turns up in a new N in province B."""
        rng = self.rng
        a, b = rng.sample(self.provs, 2)
        day = _between(rng, _d(2018), _d(2025, 6, 30))
        est_l = _between(rng, _d(2006), day - 730 * _DAY)
        on = _between(rng, day + 30 * _DAY, min(day + 700 * _DAY, _LAST))
        est_n = on if rng.random() < 0.5 else _between(rng, day + _DAY, on)
        p, l_ = self.person(tag + "P1", a), self.enterprise(tag + "E1", a, est_l)
        n = self.enterprise(tag + "E2", b, est_n)
        role_l = rng.choice((_LEGAL, _LEGAL, _CONTROL, _PRINCIPAL))
        left = _between(rng, day + _DAY, on - _DAY) if rng.random() < 0.5 else None  # P left L after the listing
        if role_l == _LEGAL:
            self.rel(p, l_, _LEGAL, est_l, left)
            if left:
                self.rel(self.person(tag + "P3", a), l_, _LEGAL, left + _DAY)
        else:
            self.rel(self.person(tag + "P3", a), l_, _LEGAL, est_l)
            self.rel(p, l_, role_l, _between(rng, est_l, day - 30 * _DAY), left)
        self.rel(p if role_l != _PRINCIPAL else tag + "P3", l_, _SHARES, est_l, None, 1000)
        self.entry(tag + "J1", l_, day)
        role_n = (_LEGAL, _CONTROL, _SHARES)[i % 3]
        if role_n == _LEGAL and est_n == on:  # P founds N
            self.rel(p, n, _LEGAL, on)
            self.rel(p, n, _SHARES, on, None, 1000)
            return Ring([p, n], [p, l_, n])
        founder = self.person(tag + "P2", b)
        self.rel(founder, n, _LEGAL, est_n, on - _DAY if role_n == _LEGAL else None)
        if role_n == _SHARES:
            self.sale(founder, n, est_n, p, on, rng.randint(300, 1000))
        else:
            self.rel(founder, n, _SHARES, est_n, None, 1000)
            self.rel(p, n, role_n, on)
        return Ring([p, n], [p, l_, n])

    def shared_controller(self, i: int, tag: str) -> Ring:
        """C represents or controls 2-3 listed enterprises in two or three provinces; every role
        of C starts before 2016-07, every listing after 2017 (no phoenix in it)."""
        rng = self.rng
        provs = rng.sample(self.provs, 2) + ([rng.choice(self.provs)] if rng.random() < 0.4 else [])
        c, members = self.person(tag + "P1", provs[0]), [tag + "P1"]
        for j, prov in enumerate(provs, 1):
            est = _between(rng, _d(2006), _d(2015, 12, 31))
            eid = self.enterprise(f"{tag}E{j}", prov, est)
            if (i + j) % 2:
                self.rel(c, eid, _LEGAL, est)
            else:
                self.rel(self.person(f"{tag}P{j + 1}", prov), eid, _LEGAL, est)
                self.rel(c, eid, _CONTROL, _between(rng, est, _d(2016, 6, 30)))
            self.rel(c, eid, _SHARES, est, None, rng.randint(510, 1000) // 10 * 10)
            self.entry(f"{tag}J{j}", eid, _between(rng, _d(2017), _LAST - 30 * _DAY))
            members.append(eid)
        return Ring([c], members)

    def circular_ownership(self, i: int, tag: str) -> Ring:
        """E1 → E2 → ... → Ek → E1 by 10-60 % stakes bought from each one's founder."""
        rng = self.rng
        k = rng.choice((2, 3, 3, 4))
        ests = [_between(rng, _d(2006), _d(2020, 12, 31)) for _ in range(k)]
        ids = [self.enterprise(f"{tag}E{j + 1}", rng.choice(self.provs), est) for j, est in enumerate(ests)]
        start = max(ests) + rng.randint(30, 700) * _DAY
        for j, eid in enumerate(ids):
            founder = self.person(f"{tag}P{j + 1}", self.region[eid][:2])
            self.rel(founder, eid, _LEGAL, ests[j])
            self.sale(founder, eid, ests[j], ids[j - 1], start + j * _DAY, rng.randint(100, 600))
        if rng.random() < 0.3:
            self.entry(tag + "J1", rng.choice(ids), _between(rng, start + 90 * _DAY, _LAST - 30 * _DAY))
        return Ring(sorted(ids), sorted(ids))

    def shell_chain(self, i: int, tag: str) -> Ring:
        """Q owns S1 outright, each S owns the next, and the last S holds a majority of T."""
        rng = self.rng
        m = 2 + i % 2
        q = self.person(tag + "P1", rng.choice(self.provs))
        nominee = q if rng.random() < 0.5 else self.person(tag + "P2", self.region[q][:2])
        est, shells, holder = _between(rng, _d(2008), _d(2018, 12, 31)), [], q
        for j in range(1, m + 1):
            sid = self.enterprise(f"{tag}S{j}", rng.choice(self.provs), est)
            self.rel(nominee, sid, _LEGAL, est)
            self.rel(holder, sid, _SHARES, est, None, 1000)
            shells.append(holder := sid)
            est += rng.randint(10, 400) * _DAY
        if rng.random() < 0.5:  # the chain founds T
            est_t = on = est
        else:  # the chain buys into an older T
            est_t, on = _between(rng, _d(2006), est - 400 * _DAY), _between(rng, est, _d(2025, 6, 30))
        t = self.enterprise(tag + "T1", rng.choice(self.provs), est_t)
        founder = self.person(tag + "P3", self.region[t][:2])
        self.rel(founder, t, _LEGAL, est_t)
        self.sale(founder, t, est_t, holder, on, rng.randint(510, 1000))
        if rng.random() < 0.5:
            self.entry(tag + "J1", t, _between(rng, max(on, est_t) + 90 * _DAY, _LAST - 30 * _DAY))
        return Ring(shells, [q, *shells, t])

    def collusion_group(self, i: int, tag: str) -> Ring:
        """5-8 enterprises over 2-3 provinces run by 3-5 persons with 2-4 roles each; all roles
        start at establishment, before any listing, and listed members have distinct legal reps."""
        rng = self.rng
        n_e, n_p = rng.randint(5, 8), rng.randint(3, 5)
        provs = rng.sample(self.provs, rng.choice((2, 2, 3)))
        homes = provs[:2] + [rng.choice(provs) for _ in range(n_e - 2)]
        ests = [_between(rng, _d(2008), _d(2021, 12, 31)) for _ in range(n_e)]
        eids = [self.enterprise(f"{tag}E{j + 1}", homes[j], ests[j]) for j in range(n_e)]
        pids = [self.person(f"{tag}P{p + 1}", provs[p % len(provs)]) for p in range(n_p)]
        ties: dict[int, set[int]] = {p: {j for j in range(n_e) if j % n_p == p} for p in range(n_p)}
        holders: dict[int, list[str]] = {j: [pids[j % n_p]] for j in range(n_e)}
        for p in range(n_p):
            extra = [(p + 1) % n_p] + rng.sample(range(n_e), n_e)  # the next person's first enterprise links them
            target = max(len(ties[p]) + 1, rng.randint(2, 4))
            for j in (j for j in extra if j not in ties[p]):
                if len(ties[p]) >= min(target, 4):
                    break
                ties[p].add(j)
                if rng.random() < 0.3:
                    self.rel(pids[p], eids[j], _MANAGES, ests[j])
                else:
                    holders[j].append(pids[p])
        outsider = rng.randrange(n_e) if rng.random() < 0.5 else -1  # the one tie to the rest of the graph
        for j, eid in enumerate(eids):
            self.rel(pids[j % n_p], eid, _LEGAL, ests[j])
            total = 1000
            if j == outsider:  # a background person's stake, under 30 % so that it is no phoenix role
                self.rel(self.outsider(ests[j]), eid, _SHARES, ests[j], None, (stake := rng.randint(50, 200)))
                total -= stake
            cuts = sorted(rng.sample(range(1, total), len(holders[j]) - 1))
            for who, part in zip(holders[j], (b - a for a, b in zip([0, *cuts], [*cuts, total])), strict=True):
                self.rel(who, eid, _SHARES, ests[j], None, part)
        listed = rng.sample(range(n_e), 1) if rng.random() < 0.6 else rng.sample(range(n_p), 2)  # distinct reps
        for j in listed:
            self.entry(f"{tag}J{j + 1}", eids[j], _between(rng, max(ests) + 90 * _DAY, _LAST - 30 * _DAY))
        return Ring(sorted(eids), sorted(eids) + pids)


def plant_rings(folder: Path, *, seed: int = 1, per_kind: int = 50) -> Truth:
    """Append ``per_kind`` rings of each kind to the bundle in ``folder``; write and return the truth.

    Raises ``ValueError`` if the folder already holds planted rings (ids would collide) or if
    ``per_kind`` is outside 1-9999 (ids have four digits).
    """
    folder = Path(folder)
    if not 1 <= per_kind <= 9999:
        raise ValueError(f"per_kind must be 1-9999, got {per_kind}")
    planter, truth = _Planter(random.Random(seed), folder), Truth(seed, per_kind)
    for kind in KINDS:
        make = getattr(planter, kind)
        truth.kinds[kind] = [make(i, f"R{_TAGS[kind]}{i + 1:04d}") for i in range(per_kind)]
    planted = {row["id"] for row in planter.rows["subjects.csv"]}
    if clash := sorted(planted & planter.ids)[:3]:
        raise ValueError(f"{folder}: ids {', '.join(clash)} exist already; were rings planted before?")
    for name, rows in planter.rows.items():
        with open(folder / name, encoding="utf-8", newline="") as f:
            header = next(csv.reader(f))
        with open(folder / name, "a", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=header, restval="", extrasaction="ignore", lineterminator="\n")
            writer.writerows(rows)
    (folder / "truth.json").write_text(_dumps(truth), encoding="utf-8")
    return truth


def _dumps(truth: Truth) -> str:
    """truth.json with one instance per line: a reader can grep and diff it."""
    data = truth.to_json()
    kinds = data.pop("kinds")
    head = json.dumps(data, ensure_ascii=False)[:-1]
    body = ",\n".join(f' "{kind}": [\n' + ",\n".join(f"  {json.dumps(r, ensure_ascii=False)}" for r in rings) + "\n ]"
                      for kind, rings in kinds.items())  # fmt: skip
    return f'{head}, "kinds": {{\n{body}\n}}}}\n'
