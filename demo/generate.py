"""Deterministic generator of a realistic demo bundle: subjects.csv, relations.csv, entries.csv.

Why: the graph, rules and API need data shaped like the real thing (legal-rep changes around a
listing, holding chains, cross-province role holders, SOEs under a SASAC) without personal data.
Contract: same arguments → byte-identical files (one seeded ``random.Random``, no clock: ``_REF``
2025-06-30 plays "today"). Dates are ISO; ``valid_from``/``valid_to`` are inclusive days, empty =
open. UTF-8 without BOM, ``\\n`` line ends, written row by row; every identifier is check-valid.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import itertools
import random
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from graph_model.identity import regions
from graph_model.identity.identifiers import make_resident_id, make_uscc

__all__ = ["ENTRY_HEADER", "RELATION_HEADER", "SUBJECT_HEADER", "DemoStats", "generate_bundle"]

SUBJECT_HEADER = ("id", "kind", "name", "uscc", "id_number", "region", "ownership", "established", "status")
RELATION_HEADER = ("from_id", "to_id", "type", "share", "valid_from", "valid_to")
ENTRY_HEADER = ("entry_id", "subject_id", "list", "deciding_dept", "basis", "basis_kind", "determined", "state",
                "valid_to", "region", "state_since")  # fmt: skip

# The generator's fixed "today": data is reproducible and entries drawn as active
# are still in force when the demo runs in 2026.
_REF, _DAY, _YEAR = dt.date(2026, 6, 30), dt.timedelta(days=1), dt.timedelta(days=365)
_PROVINCES = {"11": 12, "12": 6, "31": 12, "32": 18, "33": 16, "44": 20, "23": 8, "52": 8}  # code: weight
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华文辉玲建国红志飞宇鹏浩然俊晨欣怡婷雪梅林波斌凯丹鑫佳琳海峰亮东云庆春永德"
_SYLLABLES = "华信达通恒瑞鑫博远宏泰中诚汇丰盛安德利源锦隆昌兴嘉永康新宇天成富立创联合金鼎宝祥润万凯威海晟耀弘辰"
_INDUSTRIES = "科技 贸易 建设工程 房地产开发 物流 食品 医药 电子 机械制造 化工 服装 餐饮管理 信息技术 新能源 环保科技 投资管理 农业开发 汽车销售 建材 文化传媒 物业管理 商贸 网络科技".split()
_SOE_INDUSTRIES = "城市建设投资 交通投资 国有资本运营 水务 能源 文化旅游 产业投资 农业发展 港务 燃气".split()
_FORMS = ("有限公司",) * 6 + ("有限责任公司",) * 2 + ("股份有限公司", "集团有限公司")
_OWNERSHIP = ("private",) * 80 + ("soe",) * 8 + ("foreign",) * 6 + ("collective",) * 3 + ("other",) * 3
_STATUS = ("active",) * 88 + ("revoked",) * 7 + ("cancelled",) * 5
_BODY_KINDS = ("市场监督管理局", "交通运输局", "人民政府", "税务局", "人力资源和社会保障局", "生态环境局", "应急管理局")
_STATES = ("active", "objection_pending", "repaired", "revoked", "expired")
_STATE_MIX = ("active",) * 65 + ("objection_pending",) * 5 + ("repaired",) * 12 + ("revoked",) * 4 + ("expired",) * 14
_BASIS_KINDS = ("judgment",) * 10 + ("penalty",) * 7 + ("coercive",) * 3
_ADMIN_DEPTS = {"penalty": (("市场监督管理局", "市监罚"), ("税务局", "税稽罚"), ("生态环境局", "环罚"), ("应急管理局", "应急罚")),
                "coercive": (("人力资源和社会保障局", "人社监强"), ("住房和城乡建设局", "建强"))}  # fmt: skip
_POOL_CAP = 5000  # bounded candidate pools keep memory flat at 200k+ enterprises


@dataclass
class DemoStats:
    """Counts of what :func:`generate_bundle` wrote, per file and per category."""

    subjects: int = 0
    relations: int = 0
    entries: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_relation_type: Counter[str] = field(default_factory=Counter)
    by_state: Counter[str] = field(default_factory=Counter)


def _between(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    """Return a uniform random date in [lo, hi], or lo if the range is empty."""
    return lo if hi <= lo else dt.date.fromordinal(rng.randint(lo.toordinal(), hi.toordinal()))


class _Generator:
    """One generation run: the seeded RNG, the open CSV writers and the candidate pools."""

    def __init__(self, rng: random.Random, files: tuple[TextIO, ...], stats: DemoStats) -> None:
        self.rng, self.stats = rng, stats
        self.subj, self.rels, self.ents = (csv.writer(f, lineterminator="\n") for f in files)
        for writer, header in zip((self.subj, self.rels, self.ents), (SUBJECT_HEADER, RELATION_HEADER, ENTRY_HEADER)):
            writer.writerow(header)
        self.provs, self.cum = list(_PROVINCES), list(itertools.accumulate(_PROVINCES.values()))
        self.places = {p: [pn for c in regions.counties(p) if (pn := regions.place_names(c.code))] for p in self.provs}
        self.prov_name = {r.code[:2]: r.name for r in regions.provinces()}
        self.pool: dict[str, list[int]] = {p: [] for p in self.provs}  # person indexes by home province
        self.slots: dict[str, list[int]] = {p: [] for p in self.provs}  # cross-region role holders to place
        self.cursor, self.birth_year = dict.fromkeys(self.provs, 0), list[int]()
        self.usccs, self.names, self.sasac = set[str](), set[str](), dict[str, str]()  # sasac: province → id
        self.parents: deque[tuple[str, str, dt.date, str]] = deque(maxlen=_POOL_CAP)  # id, name, est, ownership
        self.corps: dict[tuple[bool, int], deque[tuple[str, dt.date, str]]] = {}  # (soe, depth): id, est, controller
        self.n_listed_changed = 0

    def province(self) -> str:
        return self.rng.choices(self.provs, cum_weights=self.cum)[0]

    def subject(self, *row: str) -> None:
        self.subj.writerow(row)
        self.stats.by_kind[row[1]] += 1

    def rel(self, a: str, b: str, kind: str, start: dt.date | None = None, end: dt.date | None = None,
            share: str = "") -> None:  # fmt: skip
        self.rels.writerow((a, b, kind, share, start.isoformat() if start else "", end.isoformat() if end else ""))
        self.stats.by_relation_type[kind] += 1

    def uscc(self, region: str, prefix: str) -> str:
        while (code := make_uscc(self.rng, region, prefix[0], prefix[1])) in self.usccs:
            pass  # two random organisation codes clashed: draw again
        self.usccs.add(code)
        return code

    def persons(self, count: int) -> None:
        rng, seen = self.rng, set()
        id_places = {p: [x for x in self.places[p] if x.code[4] != "7"] for p in self.provs}  # GB/T 2260 codes only
        for idx in range(count):
            prov, multi = self.province(), rng.random() < 0.05  # multi: role holder in 2-5 provinces
            place = rng.choice(id_places[prov])
            birth = _between(rng, dt.date(1950 if multi else 1955, 1, 1), dt.date(1975 if multi else 2000, 12, 31))
            id_number = make_resident_id(rng, place.code, birth, rng.random() < 0.6)
            while id_number in seen:  # same region, birth date and sequence: rare, redraw the sequence
                id_number = make_resident_id(rng, place.code, birth, id_number[16] in "13579")
            seen.add(id_number)
            name = rng.choice(_SURNAMES) + "".join(rng.sample(_GIVEN, rng.choice((1, 2, 2))))
            self.subject(f"P{idx + 1:06d}", "person", name, "", id_number, place.code, "", "", "")
            self.birth_year.append(birth.year)
            self.pool[prov].append(idx)
            for other in rng.sample(self.provs, rng.randint(2, 5)) if multi else ():
                self.slots[other].append(idx)

    def person(self, prov: str, on: dt.date, avoid: int = -1) -> str:
        """Return the id of a person aged 18+ on ``on``: unused ones first, 90% from ``prov``."""
        home = prov if self.rng.random() < 0.9 else self.province()
        home = home if self.pool[home] else next(p for p in self.provs if self.pool[p])
        pool, c = self.pool[home], self.cursor[home]
        if c < len(pool) and self.birth_year[pool[c]] + 18 <= on.year and pool[c] != avoid:
            self.cursor[home] = c + 1  # unused persons first (pool order is random), so nearly all get a role
            return f"P{pool[c] + 1:06d}"
        tries = itertools.chain((self.rng.choice(pool) for _ in range(6)), pool)  # the scan is rarely reached
        return f"P{next((i for i in tries if self.birth_year[i] + 18 <= on.year and i != avoid), pool[0]) + 1:06d}"

    def bodies(self, extra: int) -> None:
        rng, specs = self.rng, dict[str, tuple[str, str | None]]()  # name: (region, name of the superior body)
        for p in self.provs:  # each province: its people's government and the government's SASAC
            gov = self.prov_name[p] + "人民政府"
            specs[gov], specs[gov + "国有资产监督管理委员会"] = (p + "0000", None), (p + "0000", gov)
        for _ in range(extra * 20):  # bounded: a small province runs out of distinct names
            p, kind, city = self.province(), rng.choice(_BODY_KINDS), rng.random() < 0.4
            place = rng.choice(self.places[p])
            name = ("国家税务总局" if kind == "税务局" else "") + (place.city_name if city else place.full_name) + kind
            specs.setdefault(name, (place.city_code if city else place.code, self.prov_name[p] + "人民政府"))
            if len(specs) >= extra + 2 * len(self.provs):
                break
        ids = {name: f"G{i + 1:06d}" for i, name in enumerate(specs)}
        for name, (region, superior) in specs.items():
            self.subject(ids[name], "public_body", name, self.uscc(region, "11"), "", region, "", "", "")
            if superior:
                self.rel(ids[name], ids[superior], "SUPERVISED_BY")
            if name.endswith("国有资产监督管理委员会"):
                self.sasac[region[:2]] = ids[name]
            for _ in range(rng.randint(2, 4)):
                start = _between(rng, dt.date(2000, 1, 1), _REF - _YEAR)
                end = _between(rng, start + _YEAR, _REF - _DAY) if rng.random() < 0.2 else None
                self.rel(self.person(region[:2], start), ids[name], "STAFF_OF", start, end)

    def enterprise(self, idx: int) -> None:
        rng, eid, prov = self.rng, f"E{idx + 1:06d}", self.province()
        place = rng.choice(self.places[prov])
        if self.parents and rng.random() < 0.05 and self.branch(eid, prov, place):
            return
        soe = (own := rng.choice(_OWNERSHIP)) == "soe"
        est = dt.date(1995, 1, 1) + int(10956 * rng.random() ** 0.6) * _DAY  # 1995-2024, skewed to recent years
        form = rng.choice(("集团有限公司", "有限责任公司") if soe else _FORMS)
        trade = "".join(rng.sample(_SYLLABLES, 2))
        name = place.short_name + trade + rng.choice(_SOE_INDUSTRIES if soe else _INDUSTRIES) + form
        while name in self.names:
            name = name.replace(trade, trade + rng.choice(_SYLLABLES), 1)
        self.names.add(name)
        self.subject(eid, "enterprise", name, self.uscc(place.code, "91"), "", place.code, own, est.isoformat(),
                     rng.choice(_STATUS))  # fmt: skip
        ctrl, holders, depth = self.holdings(eid, prov, est, soe, form)
        listed = est <= dt.date(2023, 6, 30) and rng.random() < 0.035
        first = self.entries(eid, prov, est, rng.choice((1,) * 8 + (2, 3))) if listed else None
        rep = holders[0] if holders and not soe and rng.random() < 0.6 else self.person(prov, est)
        slots = self.slots[prov]  # cross-region role holders still to place in this province
        if slots and not soe and rng.random() < 0.35 and self.birth_year[slots[-1]] + 18 <= est.year:
            rep = f"P{slots.pop() + 1:06d}"
        change = None
        if first and (self.n_listed_changed < 2 or rng.random() < 0.4):
            after = self.n_listed_changed % 2 == 0  # alternate so that both cases always occur
            self.n_listed_changed += 1
            change = _between(rng, first + _DAY, _REF - _DAY) if after else _between(rng, est + 30 * _DAY, first - _DAY)
        elif not first and rng.random() < 0.15 and est + 400 * _DAY < _REF:
            change = _between(rng, est + _YEAR, _REF - 30 * _DAY)
        self.rel(rep, eid, "LEGAL_REP_OF", est, change)
        if change:
            self.rel(self.person(prov, change, int(rep[1:]) - 1), eid, "LEGAL_REP_OF", change + _DAY)
        if ctrl is None and not soe and rng.random() < 0.3:
            ctrl = holders[0] if holders and rng.random() < 0.7 else rep
        if ctrl:
            self.rel(ctrl, eid, "ACTUAL_CONTROLLER_OF", est)
        if rng.random() < 0.1:  # a general manager as principal person-in-charge besides the legal rep
            self.rel(self.person(prov, est, int(rep[1:]) - 1), eid, "PRINCIPAL_OF", _between(rng, est, _REF))
        if soe:
            self.rel(eid, self.sasac[prov], "SUPERVISED_BY", est)
            for kind in ("MANAGES",) * rng.randint(1, 2) + ("STAFF_OF",) * rng.randint(0, 2):
                start = _between(rng, est, _REF - _YEAR)
                self.rel(self.person(prov, start), eid, kind, start, None if rng.random() < 0.8 else _REF - 90 * _DAY)
        self.parents.append((eid, name, est, own))
        self.corps.setdefault((soe, depth), deque(maxlen=_POOL_CAP)).append((eid, est, ctrl or ""))

    def holdings(self, eid: str, prov: str, est: dt.date, soe: bool, form: str) -> tuple[str | None, list[str], int]:
        """Write HOLDS_SHARES into ``eid``; return inherited controller, person holders by size, chain depth."""
        rng = self.rng
        total = rng.randint(400, 900) if form == "股份有限公司" else 1000  # tenths of a percent; rest is free float
        cuts = sorted(rng.sample(range(1, total), rng.choice((1, 1, 2, 2, 2, 3, 3, 4)) - 1))
        held: dict[str, int] = {}
        ctrl, depth = None, 0
        for part in sorted((b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)), reverse=True):
            want = rng.choice((0, 0, 0, 1, 1, 2))  # depth of the holder's own chain
            pool = self.corps.get((soe, want)) if soe or rng.random() < 0.2 else None
            cand = rng.choice(pool) if pool else None
            if cand and cand[1] < est and cand[0] not in held:
                holder, depth, ctrl = cand[0], max(depth, want + 1), ctrl or cand[2] or None
            else:  # an SOE without an SOE holder is held directly by the state: no edge
                holder = "" if soe else self.person(prov, est)
            if holder:
                held[holder] = held.get(holder, 0) + part
        for holder, part in held.items():
            share = f"{part // 10}.{part % 10}"
            moved = _between(rng, est + _YEAR, _REF - _YEAR) if rng.random() < 0.1 and est + 800 * _DAY < _REF else None
            if moved:  # an equity transfer to a new holder keeps the sum unchanged
                self.rel(self.person(prov, moved), eid, "HOLDS_SHARES", moved + _DAY, None, share)
            self.rel(holder, eid, "HOLDS_SHARES", est, moved, share)
        return ctrl, [h for h in held if h[0] == "P"], depth

    def branch(self, eid: str, prov: str, place: regions.PlaceNames) -> bool:
        """Write ``eid`` as a branch (分公司) of an earlier enterprise; False if none fits here."""
        parent, parent_name, parent_est, own = self.rng.choice(self.parents)
        name = parent_name + place.short_name + "分公司"
        name = name if name not in self.names else parent_name + place.full_name + "分公司"
        if name in self.names or place.short_name in parent_name[:4] or parent_est > _REF - 400 * _DAY:
            return False
        self.names.add(name)
        est = _between(self.rng, parent_est + 30 * _DAY, _REF - 30 * _DAY)
        self.subject(eid, "enterprise", name, self.uscc(place.code, "91"), "", place.code, own, est.isoformat(),
                     self.rng.choice(_STATUS))  # fmt: skip
        self.rel(eid, parent, "BRANCH_OF", est)
        self.rel(self.person(prov, est), eid, "PRINCIPAL_OF", est)  # a branch has a 负责人, not a legal rep
        if own == "soe":
            self.rel(eid, self.sasac[prov], "SUPERVISED_BY", est)
        return True

    def entries(self, eid: str, prov: str, est: dt.date, count: int) -> dt.date:
        """Write ``count`` list entries for ``eid``; return the earliest determination date."""
        rng, first = self.rng, dt.date.max
        for _ in range(count):
            n = self.stats.by_state.total()  # the first five entries take each state once, so every state occurs
            state = _STATES[n] if n < len(_STATES) else rng.choice(_STATE_MIX)
            lo, term = max(dt.date(2016, 1, 1), est + 90 * _DAY), rng.choice((2, 3, 3, 5)) * _YEAR
            if state == "expired":
                day = _between(rng, lo, _REF - 2 * _YEAR)
                valid_to: dt.date | None = _between(rng, day + _YEAR, min(day + term, _REF - _DAY))
            else:  # active and objection_pending entries are still in force on _REF
                day = _between(rng, max(lo, _REF - term + _DAY) if state in _STATES[:2] else lo, _REF - 30 * _DAY)
                valid_to = None if rng.random() < 0.25 else day + term
            first, kind = min(first, day), rng.choice(_BASIS_KINDS)
            dept_prov = prov if rng.random() < 0.9 else self.province()
            place, number = rng.choice(self.places[dept_prov]), rng.randint(1, 3999)
            abbr, year = regions.province_abbreviation(dept_prov), max(2015, day.year - rng.choice((0, 0, 1)))
            if kind == "judgment":  # county court 60%, intermediate 30%, high court 10%; codes 黑0103, 黑01, 黑
                mid = place.city_name + ("第一中级人民法院" if place.city_code.endswith("0000") else "中级人民法院")
                courts = [(place.full_name + "人民法院", place.code[2:])] * 6 + [(mid, place.code[2:4])] * 3
                dept, code = rng.choice([*courts, (self.prov_name[dept_prov] + "高级人民法院", "")])
                basis = f"（{year}）{abbr}{code}执{number}号"
            else:
                office, code = rng.choice(_ADMIN_DEPTS[kind])
                dept = (place.city_name if rng.random() < 0.5 else place.full_name) + office
                dept = "国家税务总局" + dept if office == "税务局" else dept
                basis = f"{abbr}{code}〔{year}〕{number}号"
            # Objections, repairs and revocations happen after the entry took effect.
            since = _between(rng, day + _DAY, _REF) if state in ("objection_pending", "repaired", "revoked") else None
            self.ents.writerow((f"J{n + 1:07d}", eid, "joint_punishment", dept, basis, kind, day.isoformat(),
                                state, valid_to.isoformat() if valid_to else "", dept_prov + "0000",
                                since.isoformat() if since else ""))  # fmt: skip
            self.stats.by_state[state] += 1
        return first


def generate_bundle(out_dir: Path, enterprises: int = 20_000, seed: int = 0, persons: int | None = None) -> DemoStats:
    """Write subjects.csv, relations.csv and entries.csv for a demo network into ``out_dir``.

    ``persons`` defaults to 1.5 × ``enterprises``; public bodies are ~1% of enterprises plus a
    people's government and a SASAC per province. Existing files are overwritten.
    """
    persons = round(1.5 * enterprises) if persons is None else persons
    if enterprises < 1 or persons < 1:
        raise ValueError("enterprises and persons must be at least 1")
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    stats = DemoStats()
    with contextlib.ExitStack() as stack:
        names = ("subjects.csv", "relations.csv", "entries.csv")
        files = tuple(stack.enter_context(open(Path(out_dir) / n, "w", encoding="utf-8", newline="")) for n in names)
        gen = _Generator(random.Random(seed), files, stats)
        gen.persons(persons)
        gen.bodies(max(1, round(enterprises / 100)))
        for idx in range(enterprises):
            gen.enterprise(idx)
    counters = (stats.by_kind, stats.by_relation_type, stats.by_state)
    stats.subjects, stats.relations, stats.entries = (c.total() for c in counters)
    return stats
