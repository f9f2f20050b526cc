"""The check: is a subject restricted, for an action, in a region, on a date, and why.

Restriction records (see ``propagation``) are judged here, for the date asked,
from their entry's history and the catalogue: an entry restricts only on days it
was ``active``; under an open objection it gives a *suspended* reason (GZ (十七):
"联合惩戒措施在信息核实期间暂不执行"); repaired, revoked and expired entries give
none from that day on, while a date before still has its answer. Incentive
actions (PR12) are answered with an eligibility instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from dataclasses import dataclass
from datetime import date

from graph_model.actions import ActionMatch
from graph_model.catalogue import Catalogue, ListDef, MeasureDef
from graph_model.errors import InvalidInput
from graph_model.history import History, add_years
from graph_model.lookup import Found, _lookup, _lookup_many
from graph_model.pii import IdHasher
from graph_model.regions import province_of
from graph_model.store.base import Store, batched
from graph_model.types import (
    IN_FORCE_STATES,
    OPEN_END,
    OPEN_START,
    CheckAnswer,
    Eligibility,
    EntryState,
    PathStep,
    Reason,
    SubjectKey,
    SubjectKind,
    SubjectRef,
)

__all__ = ["CHECK_CHUNK", "Judged", "applies_in", "check", "check_many", "clean_years", "judge", "window"]

# Keys per round trip of check_many. The work grows with the keys, not the reads:
# on the 100,000-enterprise demo 10,000 keys took the same time in chunks of 250 to
# 10,000. The next chunk is read while this one is judged, so smaller chunks overlap
# more of the store's work with Python's; 1,000 keeps each reply to about a MB.
CHECK_CHUNK = 1_000


def _day(value: str | None) -> date | None:
    if value in (None, "", OPEN_START, OPEN_END):
        return None
    return date.fromisoformat(value)


def _ref(row: dict) -> SubjectRef:
    return SubjectRef(id=row["id"], kind=row["kind"], name=row.get("name") or "")


@dataclass(frozen=True)
class Judged:
    """One restriction record on the subject, with its entry judged for a date."""

    restriction: dict
    entry: dict
    list_def: ListDef
    history: History
    state: EntryState | None  # on the date asked
    current: EntryState | None  # today

    @property
    def role(self) -> str:
        return self.restriction["role"]


def window(catalogue: Catalogue, on: date, *, clean_years: bool) -> dict[str, str]:
    """The days whose entries a judgement for ``on`` must see (``subject_records``'s
    $from and $to): the day itself, or with ``clean_years`` the span before it that
    PR12 asks about."""
    since = add_years(on, -catalogue.rules.green_channel.clean_years) if clean_years else on
    return {"from": since.isoformat(), "to": on.isoformat()}


def judge(store: Store, catalogue: Catalogue, subject: dict, on: date,
          records: list[dict] | None = None) -> tuple[list[Judged], dict[str, SubjectRef]]:
    """Every restriction record on ``subject`` on a list the catalogue knows that may
    bear on ``on`` (or on the clean years before it, if it reads them), judged for ``on``;
    and the subjects their paths name. ``records``: the subject's records as
    ``subject_records`` returns them, if the caller has read them already."""
    if records is None:
        records = store.read_one("subject_records", variant=SubjectKey.id, key=subject["id"],
                                 **window(catalogue, on, clean_years=True))["records"]
    judged = _judged(catalogue, records, on)
    return judged, _names(store, [subject], judged)


def _judged(catalogue: Catalogue, records: list[dict], on: date) -> list[Judged]:
    today = date.today()
    judged = []
    for row in records:
        list_def = catalogue.lists.get(row["entry"]["list"])
        if list_def is None:
            continue
        history = History.of(row["entry"])
        judged.append(Judged(row["restriction"], row["entry"], list_def, history,
                             history.state_on(on), history.state_on(today)))
    return judged


def _names(store: Store, subjects: Iterable[dict], judged: Iterable[Judged]) -> dict[str, SubjectRef]:
    """The subjects, and every other subject on the paths of ``judged``, by id: one
    read for however many subjects."""
    known = {subject["id"]: _ref(subject) for subject in subjects}
    missing = {i for j in judged for i in j.restriction["path_ids"]} - set(known)
    if missing:
        for row in store.read("subjects_by_ids", ids=sorted(missing)):
            known[row["subject"]["id"]] = _ref(row["subject"])
    return known


def _path(restriction: dict, known: dict[str, SubjectRef]) -> list[PathStep]:
    steps = []
    roles = restriction.get("path_roles") or []
    for i, subject_id in enumerate(restriction["path_ids"]):
        ref = known.get(subject_id) or SubjectRef(id=subject_id, kind=SubjectKind.enterprise, name="")
        if i < len(roles):
            steps.append(PathStep(subject=ref, role=roles[i], valid_from=_day(restriction["path_from"][i]),
                                  valid_to=_day(restriction["path_to"][i])))
        else:
            steps.append(PathStep(subject=ref))
    return steps


def _legal_basis(list_def: ListDef, role: str, measures: list[MeasureDef],
                 region: str | None) -> tuple[str, list[str]]:
    """The reason's legal basis as the documents that bind in ``region`` word it (the
    rule's, then each measure's; one text quoted once), and which parts are unverified."""
    parts: list[str] = []
    unverified: list[str] = []
    rule = list_def.rule_for(role) if role != "entity" else None
    if rule:
        text, source, verified = rule.basis_in(region)
        parts.append(f"{rule.rule}: {text}（{source}）")
        if not verified:
            unverified.append(f"{rule.rule}: {source}")
    by_text: dict[tuple[str, str], list[str]] = {}
    for m in measures:
        text, source, verified = m.basis_in(region)
        by_text.setdefault((text, source), []).append(m.name_zh)
        if not verified:
            unverified.append(f"{m.id}: {source}")
    parts.extend(f"{'、'.join(names)}: {text}（{source}）" for (text, source), names in by_text.items())
    return "；".join(parts), unverified


def applies_in(catalogue: Catalogue, list_def: ListDef, region: str | None) -> tuple[bool, list[str] | None]:
    """Whether the list's entries count in ``region`` (None: anywhere), and the member
    provinces of its region group (None: national)."""
    provinces = catalogue.provinces_of(list_def)
    if provinces is None:
        return True, None
    return (region is None or region[:2] in provinces), sorted(provinces)


def _reason(catalogue: Catalogue, j: Judged, measures: list[MeasureDef], known: dict[str, SubjectRef],
            provinces: list[str] | None, action: str | None, region: str | None) -> Reason:
    entry = j.entry
    # The wording that binds where the check is made; asked for no region, where the
    # deciding department listed the subject.
    legal_basis, unverified = _legal_basis(j.list_def, j.role, measures, region or entry.get("region"))
    scoped = {m.action: sorted(m.applies_in) for m in measures if m.applies_in is not None}
    return Reason(
        rule=j.restriction["rule"], entry_id=entry["id"], list=entry["list"], deciding_dept=entry["deciding_dept"],
        basis=entry["basis"], basis_kind=entry["basis_kind"], determined=date.fromisoformat(entry["determined"]),
        valid_to=_day(entry.get("valid_to")), region=entry.get("region"), applies_in=provinces,
        state=j.state, current_state=j.current or j.state,
        suspended=j.state is EntryState.objection_pending and j.list_def.objection_suspends,
        role=j.role, legal_basis=legal_basis, path=_path(j.restriction, known),
        measures=sorted({m.action for m in measures}),
        action_match=None if action is None else {m.action: catalogue.match(action, m).value for m in measures},
        measure_applies_in=scoped or None, unverified=unverified,
    )


def clean_years(catalogue: Catalogue, subject: dict, judged: list[Judged], on: date) -> tuple[bool, str]:
    """Whether the subject has had no 失信 record for ``clean_years`` years up to ``on``.

    A revoked entry was never a record (wrongful listing). Only an enterprise or body
    registered long enough can prove the years: a person's register start is unknown.
    """
    years = catalogue.rules.green_channel.clean_years
    since = add_years(on, -years)
    established = _day(subject.get("established"))
    if established is None or established > since:
        return False, f"no record of the subject before {since.isoformat()}: {years} clean years unproven"
    dirty = sorted({j.entry["id"] for j in judged if j.list_def.dishonesty_record
                    and not j.history.ever(EntryState.revoked)
                    and j.history.in_state_between(since, on, {EntryState.active})})
    if dirty:
        return False, f"失信 records since {since.isoformat()}: {', '.join(dirty)}"
    return True, f"连续{years}年无不良违法失信记录（{since.isoformat()} 至 {on.isoformat()}）"


def _eligibility(catalogue: Catalogue, subject: dict, judged: list[Judged], action: str, on: date,
                 region: str | None) -> Eligibility:
    """PR12: an incentive-list entry in force that grants the action, or (green channel)
    three clean years; and in either case no 失信 entry in force on the day. An entry
    under objection neither grants nor blocks (暂不执行); a region-group list grants or
    blocks only in its member provinces."""
    kind = SubjectKind(subject["kind"])
    green = catalogue.rules.green_channel
    grounds, blocked = [], set()
    judged = [j for j in judged if applies_in(catalogue, j.list_def, region)[0]]
    for j in judged:
        binding = j.state is EntryState.active or (
            j.state is EntryState.objection_pending and not j.list_def.objection_suspends)
        if not binding:
            continue
        if j.list_def.effect == "incentive":
            decided = set(j.entry.get("measures") or [])
            if any(catalogue.match(action, m) is ActionMatch.same
                   for m in catalogue.measures_for(j.list_def.id, j.role, kind, decided)):
                grounds.append(f"{j.list_def.name_zh} {j.entry['id']}（{j.entry['deciding_dept']}）")
        elif j.list_def.dishonesty_record:
            blocked.add(j.entry["id"])
    qualified = bool(grounds)
    if catalogue.action_tree.canonical(action) == green.action and not qualified:
        qualified, note = clean_years(catalogue, subject, judged, on)
        grounds.append(note if qualified else f"not met: {note}")
    return Eligibility(action=action, eligible=qualified and not blocked, rule="PR12", grounds=grounds,
                       blocked_by=sorted(blocked), legal_basis=f"{green.legal_basis}（{green.source}）")


def _valid(catalogue: Catalogue, action: str | None, region: str | None) -> None:
    if action is not None and action not in catalogue.actions:
        # A misspelt code must not come back as "not restricted".
        raise InvalidInput(f"unknown action {action!r}; the action tree has {sorted(catalogue.actions)} "
                           "(`sanctionnet catalogue export --format md` shows the tree)")
    if region is not None and province_of(region) is None:
        raise InvalidInput(f"unknown region {region!r}: give a six-digit GB/T 2260 code")


def _answer(catalogue: Catalogue, subject: dict, judged: list[Judged], known: dict[str, SubjectRef],
            action: str | None, on: date, region: str | None, data_version: int | None) -> CheckAnswer:
    """The check's answer for ``subject`` from its judged records, read at ``data_version``."""
    kind = SubjectKind(subject["kind"])
    reasons: list[Reason] = []
    for j in judged:
        if j.list_def.effect != "restrict" or j.state not in IN_FORCE_STATES:
            continue
        applies, provinces = applies_in(catalogue, j.list_def, region)
        if not applies:
            continue
        measures = [m for m in catalogue.measures_for(j.list_def.id, j.role, kind, set(j.entry.get("measures") or []))
                    if catalogue.match(action, m) is not None and m.applies_to_region(region)
                    and (m.always_runs or m.runs_on(date.fromisoformat(j.entry["determined"]), on))]
        if measures:
            reasons.append(_reason(catalogue, j, measures, known, provinces, action, region))
    reasons.sort(key=lambda r: (r.suspended, r.determined, r.entry_id, r.role))
    in_force = sorted({m for r in reasons if not r.suspended for m in r.measures})
    eligibility = None
    if action in catalogue.incentive_actions:
        eligibility = _eligibility(catalogue, subject, judged, action, on, region)
    return CheckAnswer(
        subject=_ref(subject), action=action, date=on, region=region, restricted=bool(in_force),
        suspended=bool(reasons) and not in_force, measures=in_force, reasons=reasons, eligibility=eligibility,
        catalogue_version=catalogue.version, data_version=data_version,
    )


def check(store: Store, catalogue: Catalogue, hasher: IdHasher, key: str, *, action: str | None = None,
          on: date | None = None, region: str | None = None) -> CheckAnswer:
    """Is the subject restricted (for ``action``, in ``region``, if given) on date ``on``
    (default today), and why."""
    on = on or date.today()
    _valid(catalogue, action, region)
    found, matched_by = _lookup(store, hasher, key, "subject_records",
                                **window(catalogue, on, clean_years=action in catalogue.incentive_actions))
    judged, known = judge(store, catalogue, found["subject"], on, found["records"])
    answer = _answer(catalogue, found["subject"], judged, known, action, on, region, found.get("data_version"))
    return answer.model_copy(update={"matched_by": matched_by})


def check_many(store: Store, catalogue: Catalogue, hasher: IdHasher, keys: Sequence[str], *,
               action: str | None = None, on: date | None = None, region: str | None = None,
               chunk: int = CHECK_CHUNK) -> list[CheckAnswer | None]:
    """``check`` for each of ``keys``, in their order; None where a key names no subject.

    The same answers as one ``check`` per key (and the same errors for a bad action or
    region, or a key several subjects share), with a constant number of store round
    trips per ``chunk`` keys: a few reads of the subjects and their records (bundle ids,
    ID-number and registration-number hashes, then USCCs, organisation codes and names
    not found as ids) and one of the names on their paths. A key asked twice is looked
    up once and answered twice; each answer says what its key matched (``matched_by``).
    """
    on = on or date.today()
    _valid(catalogue, action, region)
    span = window(catalogue, on, clean_years=action in catalogue.incentive_actions)
    parts = list(batched(list(dict.fromkeys(keys)), chunk))
    answers: dict[str, CheckAnswer | None] = {}

    def read(part: Sequence[str]):
        # In the caller's context (the API's read time limit goes along).
        return pool.submit(copy_context().run, _lookup_many, store, hasher, part, "subject_records_many", **span)

    # One chunk is read ahead while the last one is judged: the store works while
    # Python parses and judges.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="check-ahead") as pool:
        ahead = read(parts[0]) if parts else None
        for n, part in enumerate(parts):
            found = ahead.result()
            if n + 1 < len(parts):
                ahead = read(parts[n + 1])
            _judge_part(store, catalogue, part, found, answers, action, on, region)
    return [answers[key] for key in keys]


def _judge_part(store: Store, catalogue: Catalogue, part: Sequence[str], found: list[Found | None],
                answers: dict[str, CheckAnswer | None], action: str | None, on: date, region: str | None) -> None:
    """The answers for one chunk of keys of ``check_many``, from its read."""
    rows = {f.row["subject"]["id"]: f.row for f in found if f is not None}
    judged = {sid: _judged(catalogue, row["records"], on) for sid, row in rows.items()}
    known = _names(store, (row["subject"] for row in rows.values()), (j for js in judged.values() for j in js))
    by_subject = {sid: _answer(catalogue, row["subject"], judged[sid], known, action, on, region,
                               row.get("data_version")) for sid, row in rows.items()}
    answers.update((key, by_subject[f.row["subject"]["id"]].model_copy(update={"matched_by": f.matched_by})
                    if f else None) for key, f in zip(part, found))
