"""Identity resolution: which subject, stored or new, each mention in a source means.

Sources name one debtor in many ways: its USCC, the organisation code inside it
(``74419092-7``), a masked USCC (``91230199744****927K``), or only its name, in
records from different courts. The rules, strongest first:

* enterprises and public bodies are one subject when they share a USCC, or an
  organisation code (a USCC's positions 9-17), or when a masked USCC fits the one
  full USCC of a subject with the same name; and when they have the same full name
  and no code that tells them apart (two USCCs or stock codes under one name stay two);
* persons are one subject when they share a resident ID number (compared by its
  keyed hash), or a masked ID number *and* the same name, or when the same
  enterprise names them by the same name, in whatever role (``杨天夫``, legal
  representative of 哈尔滨泰富电气 in one court record, in another; a director
  of a listed company who is also one of its top-10 holders). Two namesakes in
  one enterprise are rare; two across enterprises are common, so a name alone
  never merges two persons.

A stored subject that matches a mention keeps its id; a new subject gets an id made
from its strongest key, so loading the same records again finds the same ids. Every
mention comes back with ``why``: the key that tied it to its subject, kept on the
source record so an investigator can check each merge.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from graph_model.identity.forms import Identifier, Scheme, complete_uscc
from graph_model.identity.identifiers import org_code_of
from graph_model.identity.pii import IdHasher
from graph_model.store.base import Store, batched
from graph_model.vocabulary.kinds import SubjectKey, SubjectKind
from loaders.bundle import read_by_ids

__all__ = ["Mention", "Resolved", "normalise_name", "resolve"]

_SPACES = re.compile(r"\s+")
_BRACKETS = str.maketrans({"(": "（", ")": "）"})


def normalise_name(name: str) -> str:
    """A name as compared: no spaces, full-width brackets (registries write both)."""
    return _SPACES.sub("", name).translate(_BRACKETS)


@dataclass
class Mention:
    """One subject as one source record names it."""

    ref: str  # unique within the load, e.g. "court:(2018)黑0103执1352号:debtor"
    kind: SubjectKind
    name: str
    codes: list[Identifier] = field(default_factory=list)
    id_hash: str | None = None  # keyed hash of a full resident ID number
    # The source's own identity for the subject ("kg-exec:dddb..."): mentions with the same
    # key are one subject because the source says so.
    source_key: str | None = None
    stock_code: str | None = None  # six digits, for a listed company
    # A person known only by name: the mention (ref) of the subject that names them, and how.
    named_by: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class Resolved:
    subject_id: str
    why: str
    # The subject's full USCC where the mentions give or build one (a masked USCC completed
    # by the organisation code another mention gives): for the subject row.
    uscc: str | None = None


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


class _Clusters:
    """Union-find over mention refs, each cluster with the codes that tell subjects
    apart which it carries (full USCCs, stock codes), by kind."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.usccs: dict[str, set[str]] = defaultdict(set)
        self.stocks: dict[str, set[str]] = defaultdict(set)

    def find(self, ref: str) -> str:
        self.parent.setdefault(ref, ref)
        while self.parent[ref] != ref:
            self.parent[ref] = self.parent[self.parent[ref]]
            ref = self.parent[ref]
        return ref

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb
            self.usccs[rb] |= self.usccs.pop(ra, set())
            self.stocks[rb] |= self.stocks.pop(ra, set())

    def distinct(self, a: str, b: str) -> bool:
        """Whether the two clusters carry different codes of one kind: two subjects."""
        ra, rb = self.find(a), self.find(b)
        return len(self.usccs[ra] | self.usccs[rb]) > 1 or len(self.stocks[ra] | self.stocks[rb]) > 1

    def groups(self, refs: Iterable[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for ref in refs:
            out[self.find(ref)].append(ref)
        return out


def _lookup(store: Store, key: SubjectKey, values: set[str]) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = defaultdict(list)
    for row in read_by_ids(store, "subjects_by_keys", values, 5000, key):
        found[row["key"]].append(row)
    return found


def _stored_match(usccs: list[str], orgs: list[str], stocks: list[str], names: set[str], stored: dict) -> dict | None:
    """The stored subject a cluster is: by USCC, organisation code or stock code, then
    by name if exactly one stored subject of that name has no USCC that contradicts."""
    for u in usccs:
        if stored["uscc"].get(u):
            return stored["uscc"][u][0]
    for o in orgs:
        if stored["org"].get(o):
            return stored["org"][o][0]
    for code in stocks:
        if stored["stock"].get(code):
            return stored["stock"][code][0]
    for name in sorted(names):
        candidates = [r for r in stored["name"].get(name, [])
                      if (not usccs or not r["uscc"] or r["uscc"] in usccs)
                      and (not stocks or not r["stock_code"] or r["stock_code"] in stocks)]
        if len(candidates) == 1:
            return candidates[0]
    return None


def _organisations(store: Store, mentions: list[Mention]) -> dict[str, Resolved]:
    clusters = _Clusters()
    orgs: dict[str, set[str]] = defaultdict(set)
    first: dict[tuple[str, str], str] = {}
    for m in mentions:
        clusters.find(m.ref)
        for code in m.codes:
            if code.scheme is Scheme.uscc:
                clusters.usccs[m.ref].add(code.value)
            if code.org_code:
                orgs[m.ref].add(code.org_code)
        if m.stock_code:
            clusters.stocks[m.ref].add(m.stock_code)
    for m in mentions:
        keys = [("uscc", u) for u in sorted(clusters.usccs.get(m.ref, ()))] + [("org", o) for o in sorted(orgs[m.ref])]
        keys += [("stock", m.stock_code)] if m.stock_code else []
        for key in keys:
            if key in first:
                clusters.union(m.ref, first[key])
            else:
                first[key] = m.ref
    # Same full name, unless that would put two different USCCs (or stock codes) in one subject.
    by_name: dict[str, str] = {}
    for m in mentions:
        name = normalise_name(m.name)
        if name not in by_name:
            by_name[name] = m.ref
            continue
        root, other = clusters.find(m.ref), clusters.find(by_name[name])
        if root != other and not clusters.distinct(root, other):
            clusters.union(root, other)
    stored = {"uscc": _lookup(store, SubjectKey.uscc, {u for s in clusters.usccs.values() for u in s}),
              "org": _lookup(store, SubjectKey.org_code, {o for s in orgs.values() for o in s}),
              "stock": _lookup(store, SubjectKey.stock_code, {m.stock_code for m in mentions if m.stock_code}),
              "name": {k: [r for r in v if r["kind"] != SubjectKind.person]
                       for k, v in _lookup(store, SubjectKey.name, set(by_name)).items()}}
    by_ref = {m.ref: m for m in mentions}
    resolved: dict[str, Resolved] = {}
    for root, refs in clusters.groups(by_ref).items():
        group = [by_ref[ref] for ref in refs]
        usccs = sorted(clusters.usccs[root])
        cluster_orgs = sorted({o for ref in refs for o in orgs[ref]} | {org_code_of(u) for u in usccs})
        stocks = sorted(clusters.stocks[root])
        match = _stored_match(usccs, cluster_orgs, stocks, {normalise_name(m.name) for m in group}, stored)
        if match is not None:
            subject_id = match["id"]
        elif usccs:
            subject_id = f"E-{usccs[0]}"
        elif cluster_orgs:
            subject_id = f"E-org-{cluster_orgs[0]}"
        elif stocks:
            subject_id = f"E-stock-{stocks[0]}"
        else:
            subject_id = f"E-name-{_digest(normalise_name(group[0].name))}"
        full = usccs[0] if len(usccs) == 1 else (match or {}).get("uscc")
        built = None if full or len(usccs) > 1 else _built_uscc(group, cluster_orgs)
        uscc = full or (built[0] if built else None)
        for m in group:
            resolved[m.ref] = Resolved(subject_id, _why(m, uscc, built), uscc)
    return resolved


def _built_uscc(group: list[Mention], orgs: list[str]) -> tuple[str, str] | None:
    """The one full USCC the masked USCCs of ``group`` stand for, completed by one of the
    organisation codes ``orgs`` (USCC positions 9-17) when the check character confirms
    it, with the organisation code used; None if none or several fit."""
    built = {(full, org) for m in group for code in m.codes if code.scheme is Scheme.uscc_masked
             for org in orgs if (full := complete_uscc(code, org))}
    return next(iter(built)) if len({full for full, _ in built}) == 1 else None


def _why(m: Mention, full: str | None, built: tuple[str, str] | None = None) -> str:
    """What ties this mention to its subject, from the mention's own codes: the same
    records give the same reasons whatever order they are loaded in. ``built``: the
    full USCC built from a masked one and the organisation code used."""
    for code in m.codes:
        if code.scheme is Scheme.uscc:
            return f"USCC {code.value}"
    for code in m.codes:
        if code.scheme is Scheme.org_code:
            return f"organisation code {code.value} (USCC positions 9-17)"
    if m.stock_code:
        return f"stock code {m.stock_code}"
    parts = [f"same name {m.name}"]
    for code in m.codes:
        if code.scheme is Scheme.uscc_masked:
            if code.org_code:
                parts = [f"organisation code {code.org_code} inside masked USCC {code.value}"]
            if built and code.matches(built[0]):
                parts.append(f"full USCC {built[0]} built from masked USCC {code.value} and organisation code "
                             f"{built[1]} (USCC positions 9-17) of the same subject: check character "
                             f"{built[0][17]} confirms")
            elif full:
                parts.append(f"masked USCC {code.value} {'fits' if code.matches(full) else 'does NOT fit'} {full}")
    return "; ".join(parts)


def _person_keys(hasher: IdHasher, m: Mention, orgs: dict[str, Resolved]) -> list[tuple[str, str, str]]:
    """(kind, key, why) for each thing that identifies this person mention, strongest first."""
    keys = []
    if m.id_hash:
        keys.append(("id", m.id_hash, "resident ID number (compared by keyed hash)"))
    if m.source_key:
        keys.append(("src", m.source_key, f"same id in the source: {m.source_key}"))
    name = normalise_name(m.name)
    for code in m.codes:
        if code.scheme is Scheme.resident_id_masked:
            # The masked number is personal data too: only its keyed hash is kept, in the id.
            keys.append(("masked", hasher(code.value + "|" + name), f"masked ID number {code.display} and the "
                                                                     f"same name {m.name}"))
    if m.named_by and m.named_by in orgs:
        org = orgs[m.named_by].subject_id
        keys.append(("ctx", f"{org}|{name}", f"named {m.name} by {org} (as {m.role}); a name alone never merges "
                                              "two persons"))
    return keys


def _persons(store: Store, hasher: IdHasher, mentions: list[Mention], orgs: dict[str, Resolved]) -> dict[str, Resolved]:
    clusters = _Clusters()
    keys = {m.ref: _person_keys(hasher, m, orgs) for m in mentions}
    first: dict[tuple[str, str], str] = {}
    for m in mentions:
        clusters.find(m.ref)
        for kind, key, _ in keys[m.ref]:
            if (kind, key) in first:
                clusters.union(m.ref, first[(kind, key)])
            else:
                first[(kind, key)] = m.ref
    # The id each key would give; a subject stored under any of them keeps its id, so a
    # later load that brings a stronger key (an ID number) does not split the person.
    def candidate(kind: str, key: str) -> str:
        return f"P-{key[:16]}" if kind == "id" else f"P-{_digest(kind + '|' + key)}"

    by_hash = _lookup(store, SubjectKey.id_hash, {k for ks in keys.values() for kind, k, _ in ks if kind == "id"})
    existing = set(_lookup(store, SubjectKey.id, {candidate(kind, k) for ks in keys.values() for kind, k, _ in ks}))
    namesakes = _stored_namesakes(store, mentions, orgs)
    by_ref = {m.ref: m for m in mentions}
    resolved: dict[str, Resolved] = {}
    for refs in clusters.groups(by_ref).values():
        cluster_keys = sorted({(kind, k) for ref in refs for kind, k, _ in keys[ref]},
                              key=lambda kk: (("id", "src", "masked", "ctx").index(kk[0]), kk[1]))
        stored = next((by_hash[k][0]["id"] for kind, k in cluster_keys if kind == "id" and by_hash.get(k)), None)
        stored = stored or next((candidate(*kk) for kk in cluster_keys if candidate(*kk) in existing), None)
        stored = stored or _one_namesake(namesakes, cluster_keys)
        if stored:
            subject_id = stored
        elif cluster_keys:
            subject_id = candidate(*cluster_keys[0])
        else:
            # Nothing but a name: a subject of its own, never merged with a namesake.
            subject_id = f"P-{_digest(refs[0])}"
        for ref in refs:
            why = keys[ref][0][2] if keys[ref] else f"known only by name ({by_ref[ref].name}): not merged"
            resolved[ref] = Resolved(subject_id, why)
    return resolved


def _stored_namesakes(store: Store, mentions: list[Mention], orgs: dict[str, Resolved]) -> dict[str, dict]:
    """Stored persons of a mention's name with a role in the enterprise that names it, by
    context key (``org|name``) as ``{id: id_hash}``. The context's own id finds persons
    this rule made; this finds those stored under another id too (a source's own id in
    FtM or BODS, a bundle id), so a person two sources name in one enterprise is one."""
    pairs: dict[tuple[str, str], dict] = {}
    for m in mentions:
        if m.named_by and m.named_by in orgs:
            org = orgs[m.named_by].subject_id
            key = f"{org}|{normalise_name(m.name)}"
            for name in {m.name.strip(), normalise_name(m.name)} - {""}:
                pairs[(key, name)] = {"key": key, "org_id": org, "name": name}
    found: dict[str, dict] = defaultdict(dict)
    for batch in batched(list(pairs.values()), 5000):
        for row in store.read("persons_named_by", pairs=batch):
            found[row["key"]][row["id"]] = row["id_hash"]
    return found


def _one_namesake(namesakes: dict[str, dict], cluster_keys: list[tuple[str, str]]) -> str | None:
    """The one stored person a cluster's contexts find, unless an ID number tells them
    apart; None if none or several (two namesakes in one enterprise stay apart)."""
    hashes = {k for kind, k in cluster_keys if kind == "id"}
    found = {pid for kind, k in cluster_keys if kind == "ctx" for pid, h in namesakes.get(k, {}).items()
             if h is None or not hashes or h in hashes}
    return found.pop() if len(found) == 1 else None


def resolve(store: Store, hasher: IdHasher, mentions: list[Mention]) -> dict[str, Resolved]:
    """The subject each mention means (by ``Mention.ref``), with why."""
    organisations = _organisations(store, [m for m in mentions if m.kind is not SubjectKind.person])
    persons = _persons(store, hasher, [m for m in mentions if m.kind is SubjectKind.person], organisations)
    return organisations | persons
