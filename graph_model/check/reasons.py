"""The check's answer built from judged records: each reason with its rule, entry,
deciding department, legal basis, state and the path from the asked subject to the
listed one, and the measures in force."""

from __future__ import annotations

from datetime import date

from graph_model.catalogue.model import Catalogue, ListDef, MeasureDef
from graph_model.check.answer import CheckAnswer, PathStep, Reason, SubjectRef
from graph_model.check.eligibility import eligibility_of
from graph_model.check.judging import Judged, applies_in, day_of, subject_ref
from graph_model.vocabulary.kinds import IN_FORCE_STATES, EntryState, SubjectKind

__all__ = ["answer_of"]






def _path(restriction: dict, known: dict[str, SubjectRef]) -> list[PathStep]:
    steps = []
    roles = restriction.get("path_roles") or []
    for i, subject_id in enumerate(restriction["path_ids"]):
        ref = known.get(subject_id) or SubjectRef(id=subject_id, kind=SubjectKind.enterprise, name="")
        if i < len(roles):
            steps.append(PathStep(subject=ref, role=roles[i], valid_from=day_of(restriction["path_from"][i]),
                                  valid_to=day_of(restriction["path_to"][i])))
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
        valid_to=day_of(entry.get("valid_to")), region=entry.get("region"), applies_in=provinces,
        state=j.state, current_state=j.current or j.state,
        suspended=j.state is EntryState.objection_pending and j.list_def.objection_suspends,
        role=j.role, legal_basis=legal_basis, path=_path(j.restriction, known),
        measures=sorted({m.action for m in measures}),
        action_match=None if action is None else {m.action: catalogue.match(action, m).value for m in measures},
        measure_applies_in=scoped or None, unverified=unverified,
    )


def answer_of(catalogue: Catalogue, subject: dict, judged: list[Judged], known: dict[str, SubjectRef],
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
        eligibility = eligibility_of(catalogue, subject, judged, action, on, region)
    return CheckAnswer(
        subject=subject_ref(subject), action=action, date=on, region=region, restricted=bool(in_force),
        suspended=bool(reasons) and not in_force, measures=in_force, reasons=reasons, eligibility=eligibility,
        catalogue_version=catalogue.version, data_version=data_version,
    )
