"""Case briefings: the document an investigator hands to a decision-maker.

A briefing is about one subject or one lead, on one date. ``assemble_briefing``
gathers it from the store (the graph with every reason's path, the timeline of
listings, objections, repairs, revocations and role changes, the measures in force
with their legal basis, and the source of each fact), resolved and masked for its
reader through ``privacy.reader``. ``viz.briefing`` renders it; nothing it draws is
decided there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from graph_model.catalogue.model import Catalogue
from graph_model.check.answer import CheckAnswer
from graph_model.errors import NotFound
from graph_model.identity.lookup import not_found_detail
from graph_model.identity.pii import IdHasher
from graph_model.leads import Lead
from graph_model.privacy.masking import Role
from graph_model.privacy.reader import Reader, check_shown_for, lead_for, resolve_for
from graph_model.reports.timeline import Event, SourceRow, entry_events, role_events, subject_sources
from graph_model.store.base import Store
from graph_model.views.subgraph import Edge, Node, Subgraph, among, edge_id, neighbourhood, nodes
from graph_model.vocabulary.kinds import SubjectKind

__all__ = ["KIND_ZH", "NEIGHBOURS", "Briefing", "MeasureRow", "assemble_briefing"]

# Neighbours drawn around a subject; the reasons' paths are always added.
NEIGHBOURS = 40

KIND_ZH = {SubjectKind.enterprise: "企业", SubjectKind.person: "自然人", SubjectKind.public_body: "机关事业单位"}


@dataclass(frozen=True)
class MeasureRow:
    measure: str
    action: str
    subject: str
    rule: str
    entry: str
    deciding_dept: str
    legal_basis: str
    implementing: str
    start: dt.date
    end: dt.date | None
    state: str


@dataclass
class Briefing:
    """A briefing as its reader may read it: every name and subject in it may be shown
    to ``reader`` as it stands (the graph is masked, names in text are masked)."""

    key: str  # the subject's bundle id or the lead's id: never an ID number
    title: str
    subtitle: str
    on: dt.date
    reader: Role
    graph: Subgraph
    highlighted_nodes: set[str]
    highlighted_edges: set[str]
    summary: list[tuple[str, str]]
    events: list[Event]
    measures: list[MeasureRow]
    sources: list[SourceRow]
    reasons: list[dict] = field(default_factory=list)
    catalogue_version: str = ""
    lead: Lead | None = None


@dataclass
class _Drawn:
    """What a briefing draws: the graph as its reader sees it, the subjects it is about
    (the subject, or the lead's members), their checks and the reasons' paths."""

    graph: Subgraph
    members: list[str]
    lead: Lead | None
    answers: list[CheckAnswer]
    path_ids: set[str]
    path_edges: list[Edge]


def _path_edges(answer: CheckAnswer) -> tuple[set[str], list[Edge]]:
    """The edges of every reason's path (NAMED hops as pseudo-edges) and its subjects."""
    ids, edges = set(), []
    for reason in answer.reasons:
        steps = reason.path
        ids.update(step.subject.id for step in steps)
        for here, there in zip(steps, steps[1:]):
            if here.role is None:
                continue
            start = here.valid_from.isoformat() if here.valid_from else None
            edges.append(Edge(id=edge_id(here.subject.id, here.role, there.subject.id, start),
                              from_=here.subject.id, to=there.subject.id, type=here.role,
                              valid_from=here.valid_from, valid_to=here.valid_to))
    return ids, edges


def _merge(graph: Subgraph, extra_nodes: Iterable[Node], extra_edges: Iterable[Edge]) -> Subgraph:
    have = {n.id for n in graph.nodes}
    node_list = [*graph.nodes, *(n for n in extra_nodes if n.id not in have)]
    edges = {e.id: e for e in graph.edges}
    for edge in extra_edges:
        edges.setdefault(edge.id, edge)
    return graph.model_copy(update={"nodes": node_list, "edges": list(edges.values())})


def _draw(store: Store, catalogue: Catalogue, hasher: IdHasher, key: str, on: dt.date, reader: Reader) -> _Drawn:
    """The lead or subject ``key`` names, as ``reader`` may know it (NotFound as for an
    unknown key otherwise), with its ties on ``on`` and its reasons' paths, masked."""
    lead = lead_for(reader, store, key)
    if lead is not None:
        members = lead.members
        graph = among(store, catalogue, members, None, on)
        # Nothing after the briefing's day: ties that began later are not drawn.
        graph = graph.model_copy(update={"edges": [e for e in graph.edges
                                                   if e.valid_from is None or e.valid_from <= on]})
        subjects = list(graph.nodes)
    else:
        subject = resolve_for(reader, store, hasher, key)
        members = [subject["id"]]
        graph = neighbourhood(store, catalogue, subject["id"], on, NEIGHBOURS)
        subjects = [n for n in graph.nodes if n.id == subject["id"]]
    answers = [answer for s in subjects
               if (answer := check_shown_for(reader, store, catalogue, hasher, s.id, on=on)) is not None]
    if lead is None and not answers:
        raise NotFound(not_found_detail(key))  # the subject's check is hidden from this reader
    path_ids, path_edges = set(), []
    for answer in answers:
        ids, edges = _path_edges(answer)
        path_ids |= ids
        path_edges += edges
    missing = path_ids - {n.id for n in graph.nodes}
    graph = _merge(graph, nodes(store, catalogue, sorted(missing), on).values(), path_edges)
    # An entry not yet decided on the day is not drawn, not even in a tooltip.
    graph = graph.model_copy(update={"nodes": [n.model_copy(update={"entries": [e for e in n.entries if e.state]})
                                               for n in graph.nodes]})
    return _Drawn(reader.shown_graph(graph), members, lead, answers, path_ids, path_edges)


def _timeline(store: Store, catalogue: Catalogue, drawn: _Drawn, names: dict[str, str], reader: Reader,
              on: dt.date) -> tuple[list[Event], list[SourceRow], dict[str, dt.date]]:
    """The events up to ``on``, the sources, and when each entry's measures started.

    Every entry reaching the subjects counts (revoked ones too: revocation removes a
    person's records, not the restoration that names them), and so do the members'
    role changes among the subjects drawn."""
    members = drawn.members
    focus = set(members) | drawn.path_ids
    entry_ids = {e.id for n in drawn.graph.nodes if n.id in focus for e in n.entries}
    if reader.sees_persons:
        entry_ids |= {r["entry_id"] for r in store.read("restored_entries", ids=sorted(set(members)))}
    # Read once: the timeline, the sources and when each entry's measures started.
    events, sources, starts = entry_events(store, catalogue, entry_ids, reader, on)
    shown = [m for m in members if m in names]
    events += role_events(store, shown, set(names), names)
    if drawn.lead is not None:
        lead = drawn.lead
        events.append(Event(lead.found_on or on, f"发现线索 lead found ({lead.kind})", lead.id,
                            lead.described(names), "analysis"))
    # As of the day asked: what happened later (a repair, a scheduled expiry) is not told.
    events = sorted((e for e in events if e.on <= on), key=lambda e: (e.on, e.rank, e.what))
    if reader.sees_persons:  # why records were merged may name persons
        sources += subject_sources(store, shown, names)
    return events, sources, starts


def _lead_summary(lead: Lead, names: dict[str, str]) -> tuple[str, str, list[tuple[str, str]]]:
    title = f"线索简报 Lead briefing · {lead.kind.value}"
    subtitle = f"{lead.id} · score {lead.score:.2f} · {lead.status.value}"
    summary = [("线索 Lead", lead.described(names)), ("涉及省份 Provinces", "、".join(lead.provinces)),
               ("状态 Status", lead.status.value + (f"（{lead.reviewed_by}: {lead.reason}）"
                                                    if lead.reviewed_by else "")),
               ("提示 Note", "线索仅供人工核查，不构成失信认定。A lead is for a person to check; "
                             "it restricts nobody.")]
    return title, subtitle, summary


def _case_summary(drawn: _Drawn, names: dict[str, str], on: dt.date) -> tuple[str, str, list[tuple[str, str]]]:
    answer = drawn.answers[0]
    node = next(n for n in drawn.graph.nodes if n.id == drawn.members[0])
    title = f"案件简报 Case briefing · {names[node.id]}"
    subtitle = f"{node.id} · {KIND_ZH[node.kind]}" + (f" · {node.uscc}" if node.uscc else "")
    in_force = sorted({m for r in answer.reasons if not r.suspended for m in r.measures})
    verdict = "不受限 not restricted"
    if in_force:
        verdict = f"受限 RESTRICTED: {len(in_force)} measure(s) in force"
    elif answer.reasons:
        verdict = "中止 SUSPENDED: every reason is under objection"
    summary = [("结论 Verdict", verdict), ("日期 As of", on.isoformat()),
               ("地区 Region", node.region or "–"), ("理由 Reasons", str(len(answer.reasons)))]
    if drawn.graph.truncated:
        summary.append(("未显示 Not drawn", f"{drawn.graph.hidden} more ties (a briefing draws {NEIGHBOURS})"))
    return title, subtitle, summary


def _measures(catalogue: Catalogue, answers: list[CheckAnswer], reader: Reader,
              starts: dict[str, dt.date]) -> list[MeasureRow]:
    """The measures of every reason; a measure starts when its entry became active."""
    rows = []
    for answer in answers:
        who = reader.shown_name(answer.subject.name, answer.subject.kind)
        for reason in answer.reasons:
            defs = {m.action: m for m in catalogue.measures_of(reason.list)}
            for action in reason.measures:
                m = defs.get(action)
                if m is None:
                    continue
                rows.append(MeasureRow(
                    measure=m.name_zh, action=action, subject=who, rule=reason.rule, entry=reason.entry_id,
                    deciding_dept=reason.deciding_dept, legal_basis=f"{m.legal_basis}（{m.source}）",
                    implementing="、".join(m.implementing_dept_types),
                    start=starts.get(reason.entry_id, reason.determined), end=reason.valid_to,
                    state="中止 suspended" if reason.suspended else "执行中 in force"))
    return sorted(rows, key=lambda r: (r.subject, r.entry, r.action))


def _reasons(answers: list[CheckAnswer], names: dict[str, str], reader: Reader) -> list[dict]:
    return [{"subject": reader.shown_name(a.subject.name, a.subject.kind), "rule": r.rule, "entry": r.entry_id,
             "role": r.role, "state": r.state.value, "suspended": r.suspended, "deciding_dept": r.deciding_dept,
             "basis": r.basis, "path": " → ".join(names.get(s.subject.id, "（自然人）") for s in r.path)}
            for a in answers for r in a.reasons]


def assemble_briefing(store: Store, catalogue: Catalogue, hasher: IdHasher, key: str, *, reader: Reader,
                      on: dt.date | None = None) -> Briefing:
    """The briefing on the subject (bundle id, USCC, ID number) or lead ``key``, as of
    ``on`` (default today), as ``reader`` may read it. The day is taken as given: a
    caller whose reader is answered for today applies ``Reader.day`` first.

    Raises NotFound, in an unknown key's words, for a key hidden from ``reader`` (a
    lead or a person, for the public; an ID number is then not even looked up)."""
    on = on or dt.date.today()
    drawn = _draw(store, catalogue, hasher, key, on, reader)
    names = {n.id: reader.shown_name(n.name, n.kind) for n in drawn.graph.nodes}
    events, sources, starts = _timeline(store, catalogue, drawn, names, reader, on)
    lead = drawn.lead
    title, subtitle, summary = _lead_summary(lead, names) if lead is not None else _case_summary(drawn, names, on)
    shown_ids = set(names)
    return Briefing(
        key=lead.id if lead is not None else drawn.members[0], title=title, subtitle=subtitle, on=on,
        reader=reader.role, graph=drawn.graph, highlighted_nodes=drawn.path_ids & shown_ids,
        highlighted_edges={e.id for e in drawn.path_edges if e.from_ in shown_ids and e.to in shown_ids},
        summary=summary, events=events, measures=_measures(catalogue, drawn.answers, reader, starts),
        sources=sources, reasons=_reasons(drawn.answers, names, reader), catalogue_version=catalogue.version,
        lead=lead)
