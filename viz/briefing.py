"""Case briefings: the document an investigator hands to a decision-maker.

A briefing is about one subject or one lead, on one date. ``build`` gathers it
from the store (the graph with every reason's path, the timeline of listings,
objections, repairs, revocations and role changes, the measures in force with
their legal basis, and the source of each fact), masked for its reader;
``to_html`` writes it as one self-contained HTML file (vis-network and the data
inlined: it opens offline and can be e-mailed); ``viz.render`` turns that same
HTML into PDF or PNG.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape
from pyvis.network import Network

from graph_model.catalogue.model import Catalogue
from graph_model.check.answer import CheckAnswer
from graph_model.check.rules import check
from graph_model.errors import NotFound
from graph_model.identity.lookup import not_found_detail, resolve_subject
from graph_model.identity.pii import IdHasher
from graph_model.leads import Lead, lead_for_key
from graph_model.lifecycle.history import History
from graph_model.privacy.masking import Role, mask_check, mask_name, mask_subgraph, shows_persons
from graph_model.store.base import Store
from graph_model.views.subgraph import ROLE_TYPES, Edge, Node, Subgraph, among, edge_id, edge_of, neighbourhood, nodes
from graph_model.vocabulary.kinds import EntryState, SubjectKind
from viz import STATIC_DIR, VIS_DIR

__all__ = ["Briefing", "build", "to_html"]

# Neighbours drawn around a subject; the reasons' paths are always added.
NEIGHBOURS = 40

KIND_ZH = {SubjectKind.enterprise: "企业", SubjectKind.person: "自然人", SubjectKind.public_body: "机关事业单位"}


@cache
def palette() -> dict:
    """The explorer's palette (viz/static/palette.js): one meaning per colour everywhere."""
    text = (STATIC_DIR / "palette.js").read_text(encoding="utf-8")
    return json.loads(text.split("\nwindow.SANCTIONNET_PALETTE =", 1)[1].strip().rstrip(";"))


STATE_EVENT = {
    EntryState.proposed: "拟列入 proposed",
    EntryState.notified: "公示 notified",
    EntryState.active: "列入，措施生效 listed, in force",
    EntryState.objection_pending: "提出异议，措施中止 objection: measures suspended",
    EntryState.repaired: "信用修复，措施终止 credit repaired: measures end",
    EntryState.revoked: "认定有误，撤销并恢复名誉 revoked: listing wrong, reputation restored",
    EntryState.expired: "期满移出 expired",
}


@dataclass(frozen=True)
class Event:
    on: dt.date
    what: str
    who: str
    detail: str = ""
    source: str = ""
    rank: int = 0  # order among the same day's events


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


@dataclass(frozen=True)
class SourceRow:
    fact: str
    source: str
    record: str
    why: str


@dataclass
class Briefing:
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


# Same-day events in the order they happen: a revocation before its restoration.
_STEP_ORDER = {state: i for i, state in enumerate(EntryState)}


def _state_event(state: EntryState, effect: str | None) -> str:
    if state is EntryState.active and effect == "incentive":
        return "列入激励名单 listed for incentives"
    if state is EntryState.active and effect == "supervise":
        return "列入重点关注 listed for closer supervision"
    return STATE_EVENT[state]


def _entry_events(store: Store, catalogue: Catalogue, entry_ids: Iterable[str], reader: Role,
                  on: dt.date) -> tuple[list[Event], list[SourceRow], dict[str, dt.date]]:
    """Every state an entry entered up to ``on``, the entry as a source, and the day it
    last became active on or before ``on`` (when its measures started); entries not
    yet decided on ``on`` are left out."""
    events, sources, starts = [], [], {}
    for entry_id in sorted(set(entry_ids)):
        row = store.read_one("entry_detail", entry_id=entry_id)
        if row is None:
            continue
        entry, subject = row["entry"], row["subject"]
        history = History.of(entry)
        if history.state_on(on) is None:
            continue
        list_def = catalogue.lists.get(entry["list"])
        effect = list_def.effect if list_def else None
        if reader is Role.public and effect != "restrict":
            continue
        who = mask_name(subject["name"], subject["kind"], reader)
        active = [day for day, state in history.steps if state is EntryState.active and day <= on]
        if active:
            starts[entry_id] = active[-1]
        by_step = {(t.get("on"), t.get("to_state")): t for t in row["transitions"]}
        for day, state in history.steps:
            tx = by_step.get((day.isoformat(), state.value), {})
            detail = f"{entry_id}（{entry['list']}）"
            if state in (EntryState.notified, EntryState.active, EntryState.proposed):
                detail += f"，{entry['deciding_dept']}，依据 {entry['basis']}"
            if shows_persons(reader) and (tx.get("department") or tx.get("reason")):
                detail += f"；{tx.get('department') or ''} {tx.get('reason') or ''}".rstrip()
            events.append(Event(day, _state_event(state, effect), who, detail,
                                "lifecycle API" if tx else (entry.get("source") or "bundle"), _STEP_ORDER[state]))
        if history.valid_to is not None and history.state_on(history.valid_to) in (EntryState.active,
                                                                                  EntryState.objection_pending):
            events.append(Event(history.valid_to + dt.timedelta(days=1), STATE_EVENT[EntryState.expired], who,
                                f"{entry_id}（{entry['list']}）", "valid_to", _STEP_ORDER[EntryState.expired]))
        if row.get("restoration"):
            restored = row["restoration"]
            events.append(Event(dt.date.fromisoformat(restored["on"]), "恢复名誉 reputation restored", who,
                                restored.get("statement", ""), "lifecycle API", len(_STEP_ORDER)))
        sources.append(SourceRow(f"{entry_id}: {who} 列入 {entry['list']}", entry["deciding_dept"], entry["basis"],
                                 f"{entry['basis_kind']} determined {entry['determined']}"))
    return events, sources, starts


def _role_events(store: Store, members: list[str], drawn: set[str], names: dict[str, str],
                 on: dt.date) -> list[Event]:
    """When each member's ties to the subjects drawn began and ended, up to ``on``."""
    events = []
    for member in members:
        params = {"id": member, "types": ROLE_TYPES, "on": None, "only": sorted(drawn), "limit": 100_000}
        for row in store.read("graph_out", **params) + store.read("graph_in", **params):
            edge = edge_of(row)
            role = palette()["types"].get(str(edge.type), {}).get("zh", str(edge.type))
            share = f" {edge.share:g}%" if edge.share is not None else ""
            what = f"{names.get(edge.from_, edge.from_)} → {names.get(edge.to, edge.to)}"
            source = "derived (confirmed)" if edge.derived else "registry"
            if edge.valid_from:
                events.append(Event(edge.valid_from, f"任职/持股开始 {role}{share}", what, str(edge.type), source))
            if edge.valid_to:
                events.append(Event(edge.valid_to, f"任职/持股结束 {role}", what, str(edge.type), source))
    return list({(e.on, e.what, e.who): e for e in events}.values())


def _measures(catalogue: Catalogue, answers: list[CheckAnswer], reader: Role,
              starts: dict[str, dt.date]) -> list[MeasureRow]:
    """The measures of every reason; a measure starts when its entry became active."""
    rows = []
    for answer in answers:
        kind = answer.subject.kind
        who = mask_name(answer.subject.name, kind, reader)
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


def _subject_sources(store: Store, ids: Iterable[str], names: dict[str, str]) -> list[SourceRow]:
    rows = []
    for sid in sorted(set(ids)):
        for record in store.read("sources_of_subject", subject_id=sid):
            rows.append(SourceRow(f"{names.get(sid, sid)} ({sid})", record["source"], record["record_id"],
                                  record["why"]))
    return rows


def build(store: Store, catalogue: Catalogue, hasher: IdHasher, key: str, *, on: dt.date | None = None,
          reader: Role = Role.investigator) -> Briefing:
    """The briefing on the subject (bundle id, USCC, ID number) or lead ``key``, as of
    ``on`` (default today), masked for ``reader``."""
    on = on or dt.date.today()
    lead = lead_for_key(store, key)
    if lead is not None and not shows_persons(reader):
        # Leads are about persons, so not public; answered as any unknown key is.
        raise NotFound(not_found_detail(key))
    if lead is not None:
        members = lead.members
        graph = among(store, catalogue, members, None, on)
        # Nothing after the briefing's day: ties that began later are not drawn.
        graph = graph.model_copy(update={"edges": [e for e in graph.edges
                                                   if e.valid_from is None or e.valid_from <= on]})
        subjects = list(graph.nodes)
    else:
        subject = resolve_subject(store, hasher, key)
        if subject["kind"] == SubjectKind.person and not shows_persons(reader):
            raise NotFound(not_found_detail(key))
        members = [subject["id"]]
        graph = neighbourhood(store, catalogue, subject["id"], on, NEIGHBOURS)
        subjects = [n for n in graph.nodes if n.id == subject["id"]]
    answers = [masked for s in subjects
               if (masked := mask_check(check(store, catalogue, hasher, s.id, on=on), reader)) is not None]
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
    graph = mask_subgraph(graph, reader)
    names = {n.id: mask_name(n.name, n.kind, reader) for n in graph.nodes}

    # The timeline: every entry reaching the subjects (revoked ones too: revocation
    # removes a person's records, not the restoration that names them), and the
    # members' role changes among the subjects drawn.
    focus = set(members) | path_ids
    entry_ids = {e.id for n in graph.nodes if n.id in focus for e in n.entries}
    if shows_persons(reader):
        entry_ids |= {r["entry_id"] for r in store.read("restored_entries", ids=sorted(set(members)))}
    # Read once: the timeline, the sources and when each entry's measures started.
    events, sources, starts = _entry_events(store, catalogue, entry_ids, reader, on)
    events += _role_events(store, [m for m in members if m in names], set(names), names, on)
    if lead is not None:
        events.append(Event(lead.found_on or on, f"发现线索 lead found ({lead.kind})", lead.id,
                            lead.described(names), "analysis"))
    # As of the day asked: what happened later (a repair, a scheduled expiry) is not told.
    events = sorted((e for e in events if e.on <= on), key=lambda e: (e.on, e.rank, e.what))
    if shows_persons(reader):  # why records were merged may name persons
        sources += _subject_sources(store, [m for m in members if m in names], names)

    if lead is not None:
        title = f"线索简报 Lead briefing · {lead.kind.value}"
        subtitle = f"{lead.id} · score {lead.score:.2f} · {lead.status.value}"
        summary = [("线索 Lead", lead.described(names)), ("涉及省份 Provinces", "、".join(lead.provinces)),
                   ("状态 Status", lead.status.value + (f"（{lead.reviewed_by}: {lead.reason}）"
                                                        if lead.reviewed_by else "")),
                   ("提示 Note", "线索仅供人工核查，不构成失信认定。A lead is for a person to check; "
                                 "it restricts nobody.")]
    else:
        answer = answers[0]
        node = next(n for n in graph.nodes if n.id == members[0])
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
        if graph.truncated:
            summary.append(("未显示 Not drawn", f"{graph.hidden} more ties (a briefing draws {NEIGHBOURS})"))
    shown_ids = set(names)
    reasons = [{"subject": mask_name(a.subject.name, a.subject.kind, reader), "rule": r.rule, "entry": r.entry_id,
                "role": r.role, "state": r.state.value, "suspended": r.suspended, "deciding_dept": r.deciding_dept,
                "basis": r.basis, "path": " → ".join(names.get(s.subject.id, "（自然人）") for s in r.path)}
               for a in answers for r in a.reasons]
    return Briefing(
        key=lead.id if lead is not None else members[0], title=title, subtitle=subtitle, on=on, reader=reader,
        graph=graph, highlighted_nodes=path_ids & shown_ids,
        highlighted_edges={e.id for e in path_edges if e.from_ in shown_ids and e.to in shown_ids},
        summary=summary, events=events, measures=_measures(catalogue, answers, reader, starts), sources=sources,
        reasons=reasons, catalogue_version=catalogue.version, lead=lead)


def _network(b: Briefing) -> Network:
    colours = palette()
    net = Network(directed=True, cdn_resources="in_line")
    names = {n.id: mask_name(n.name, n.kind, b.reader) for n in b.graph.nodes}
    for node in b.graph.nodes:
        kind = colours["kinds"][node.kind]
        state = colours["states"].get(node.state) if node.state else None
        fill = (state["listed"] if node.listed else state["fill"]) if state else kind["fill"]
        border = state["border"] if state else kind["border"]
        lit = node.id in b.highlighted_nodes
        states = "、".join(f"{e.id} {e.state.value if e.state else '–'} ({e.role})" for e in node.entries)
        title = f"{names[node.id]} ({node.id}) · {KIND_ZH[node.kind]}" + (f"\n{states}" if states else "")
        net.add_node(node.id, label=names[node.id], title=title, shape=kind["shape"], size=kind["size"] + 3,
                     color={"background": fill, "border": colours["highlight"] if lit else border},
                     borderWidth=5 if lit else (4 if node.listed else 2),
                     font={"size": 15, "face": "Noto Sans CJK SC, sans-serif"})
    for edge in b.graph.edges:
        style = colours["types"].get(str(edge.type), {"zh": str(edge.type), "color": "#64748b", "dashes": False,
                                                      "width": 1.5})
        label = style["zh"] + (f" {edge.share:g}%" if edge.share is not None else "")
        lit = edge.id in b.highlighted_edges
        ended = edge.valid_to is not None and edge.valid_to < b.on
        net.add_edge(edge.from_, edge.to, label=label, color=colours["highlight"] if lit else style["color"],
                     width=4 if lit else style["width"], dashes=True if ended or edge.derived else style["dashes"],
                     title=f"{label} {edge.valid_from or '…'} – {edge.valid_to or '…'}",
                     font={"size": 12, "align": "middle"})
    # Laid out once by vis-network's solver from a fixed seed, then frozen: the
    # same briefing draws the same picture, in the HTML and in the PDF.
    net.set_options(json.dumps({"layout": {"randomSeed": 7, "improvedLayout": len(b.graph.nodes) <= 150},
                                "physics": {"enabled": True, "solver": "forceAtlas2Based",
                                            "forceAtlas2Based": {"gravitationalConstant": -80, "springLength": 140},
                                            "stabilization": {"enabled": True, "iterations": 500, "fit": True}},
                                "interaction": {"hover": True},
                                "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
                                          "smooth": {"type": "dynamic"}}}))
    return net


@cache
def _vis() -> tuple[str, str]:
    return ((VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8"),
            (VIS_DIR / "vis-network.css").read_text(encoding="utf-8"))


@cache
def _templates() -> Environment:
    return Environment(loader=PackageLoader("viz", "templates"), autoescape=select_autoescape(["html", "j2"]))


def to_html(b: Briefing) -> str:
    """One self-contained HTML document: no request leaves it."""
    net = _network(b)
    node_data, edge_data, _, _, _, options = net.get_network_data()
    vis_js, vis_css = _vis()
    colours = palette()
    drawn = {str(e.type) for e in b.graph.edges}
    legend_roles = [(style["color"], style["zh"], code) for code, style in colours["types"].items() if code in drawn]
    return _templates().get_template("briefing.html.j2").render(
        b=b, nodes=node_data, edges=edge_data, options=json.loads(options), vis_js=vis_js, vis_css=vis_css,
        kinds=colours["kinds"].values(), states=colours["states"].values(), legend_roles=legend_roles,
        highlight=colours["highlight"], generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))
