"""A briefing's timeline and sources: every state an entry entered, when ties began and
ended, and where each fact came from, as a reader may read them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from graph_model.catalogue.model import Catalogue
from graph_model.lifecycle.history import History
from graph_model.privacy.reader import Reader
from graph_model.store.base import Store
from graph_model.views.subgraph import edge_of
from graph_model.vocabulary.kinds import EntryState, RelType

__all__ = ["ROLE_ZH", "STATE_EVENT", "Event", "SourceRow", "entry_events", "role_events", "subject_sources"]

STATE_EVENT = {
    EntryState.proposed: "拟列入 proposed",
    EntryState.notified: "公示 notified",
    EntryState.active: "列入，措施生效 listed, in force",
    EntryState.objection_pending: "提出异议，措施中止 objection: measures suspended",
    EntryState.repaired: "信用修复，措施终止 credit repaired: measures end",
    EntryState.revoked: "认定有误，撤销并恢复名誉 revoked: listing wrong, reputation restored",
    EntryState.expired: "期满移出 expired",
}

# What the timeline calls each tie. The explorer's palette (viz/static/palette.js) gives
# the same words to the graph's edges; tests/viz/test_briefing.py holds the two together.
ROLE_ZH = {
    RelType.LEGAL_REP_OF: "法定代表人",
    RelType.PRINCIPAL_OF: "主要负责人",
    RelType.ACTUAL_CONTROLLER_OF: "实际控制人",
    RelType.HOLDS_SHARES: "持股",
    RelType.MANAGES: "管理",
    RelType.KEY_PERSON_OF: "主要人员",
    RelType.STAFF_OF: "工作人员",
    RelType.BRANCH_OF: "分支机构",
    RelType.SUPERVISED_BY: "上级主管",
    RelType.RELATIVE_OF: "亲属",
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
class SourceRow:
    fact: str
    source: str
    record: str
    why: str


# Same-day events in the order they happen: a revocation before its restoration.
_STEP_ORDER = {state: i for i, state in enumerate(EntryState)}


def _state_event(state: EntryState, effect: str | None) -> str:
    if state is EntryState.active and effect == "incentive":
        return "列入激励名单 listed for incentives"
    if state is EntryState.active and effect == "supervise":
        return "列入重点关注 listed for closer supervision"
    return STATE_EVENT[state]


def _steps(entry_id: str, entry: dict, history: History, transitions: list[dict], effect: str | None,
           who: str, reader: Reader) -> list[Event]:
    """The states ``entry`` entered, each with the act that moved it where one was recorded."""
    events = []
    by_step = {(t.get("on"), t.get("to_state")): t for t in transitions}
    for day, state in history.steps:
        tx = by_step.get((day.isoformat(), state.value), {})
        detail = f"{entry_id}（{entry['list']}）"
        if state in (EntryState.notified, EntryState.active, EntryState.proposed):
            detail += f"，{entry['deciding_dept']}，依据 {entry['basis']}"
        if reader.sees_persons and (tx.get("department") or tx.get("reason")):
            detail += f"；{tx.get('department') or ''} {tx.get('reason') or ''}".rstrip()
        events.append(Event(day, _state_event(state, effect), who, detail,
                            "lifecycle API" if tx else (entry.get("source") or "bundle"), _STEP_ORDER[state]))
    return events


def entry_events(store: Store, catalogue: Catalogue, entry_ids: Iterable[str], reader: Reader,
                 on: dt.date) -> tuple[list[Event], list[SourceRow], dict[str, dt.date]]:
    """Every state an entry entered up to ``on``, the entry as a source, and the day it
    last became active on or before ``on`` (when its measures started); entries not
    yet decided on ``on`` are left out, and for a reader who sees no persons, entries
    of lists that restrict no one."""
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
        if not reader.sees_persons and effect != "restrict":
            continue
        who = reader.shown_name(subject["name"], subject["kind"])
        active = [day for day, state in history.steps if state is EntryState.active and day <= on]
        if active:
            starts[entry_id] = active[-1]
        events += _steps(entry_id, entry, history, row["transitions"], effect, who, reader)
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


def role_events(store: Store, members: list[str], drawn: set[str], names: dict[str, str]) -> list[Event]:
    """When each member's ties to the subjects drawn began and ended (``names``: as the
    reader reads them)."""
    events = []
    for member in members:
        params = {"id": member, "on": None, "only": sorted(drawn), "limit": 100_000}
        for row in store.read("graph_out", **params) + store.read("graph_in", **params):
            edge = edge_of(row)
            role = ROLE_ZH.get(str(edge.type), str(edge.type))
            share = f" {edge.share:g}%" if edge.share is not None else ""
            what = f"{names.get(edge.from_, edge.from_)} → {names.get(edge.to, edge.to)}"
            source = "derived (confirmed)" if edge.derived else "registry"
            if edge.valid_from:
                events.append(Event(edge.valid_from, f"任职/持股开始 {role}{share}", what, str(edge.type), source))
            if edge.valid_to:
                events.append(Event(edge.valid_to, f"任职/持股结束 {role}", what, str(edge.type), source))
    return list({(e.on, e.what, e.who): e for e in events}.values())


def subject_sources(store: Store, ids: Iterable[str], names: dict[str, str]) -> list[SourceRow]:
    """The records each subject was made from, and why they were merged."""
    rows = []
    for sid in sorted(set(ids)):
        for record in store.read("sources_of_subject", subject_id=sid):
            rows.append(SourceRow(f"{names.get(sid, sid)} ({sid})", record["source"], record["record_id"],
                                  record["why"]))
    return rows
