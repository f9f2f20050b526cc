"""One entry as registrars and investigators see it: facts, acts, periods, who it binds."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from graph_model.catalogue.model import Catalogue, ListDef
from graph_model.catalogue.terms import publication_period
from graph_model.check.answer import SubjectRef
from graph_model.errors import NotFound
from graph_model.lifecycle.history import History
from graph_model.lifecycle.tasks import effective_on
from graph_model.store.base import Store
from graph_model.vocabulary.days import add_years
from graph_model.vocabulary.kinds import OPEN_END, EntryState, SubjectKind

__all__ = ["EntryView", "entry_view"]


class TransitionView(BaseModel):
    seq: int
    kind: str
    from_state: str
    to_state: str
    on: date
    at: str = Field(description="When it was recorded (UTC).")
    actor: str
    department: str
    reason: str
    outcome: str | None = None


class PeriodView(BaseModel):
    state: EntryState
    start: date
    end: date | None


class Bound(BaseModel):
    subject: SubjectRef
    role: str
    rule: str


class EntryView(BaseModel):
    id: str
    list: str
    list_name: str
    subject: SubjectRef
    deciding_dept: str
    basis: str
    basis_kind: str
    determined: date
    valid_to: date | None
    permanent: bool
    region: str | None
    named: list[str]
    measures: list[str] = Field(description="Measures the decision ordered (by-decision measures).")
    state: EntryState | None = Field(description="State today.")
    effective_from: date | None
    disclosed: bool = Field(description="Shown publicly today: in force, not under objection, within the "
                                        "disclosure period, not repaired (GZ (十三): 停止公示).")
    disclosure_until: date | None
    publication: PublicationView | None = Field(
        None, description="For a penalty: its publication period under the national rule in force on the "
                          "decision date (2019 rule, 国家发展改革委令第58号 from 2023-05-01, 信用修复管理办法 from "
                          "2026-04-01; SAMR's own rule for market-regulation penalties), with that rule.")
    removal_due: RemovalView | None = Field(
        None, description="On a list whose rule sets a removal deadline in working days (the court's list: "
                          "three working days after an art. 10 event or the end of the term): the last day the "
                          "record may still be shown, counted with China's holidays and adjusted weekends.")
    transitions: list[TransitionView]
    periods: list[PeriodView]
    bound: list[Bound]
    restoration: dict | None
    catalogue_version: str



class RemovalView(BaseModel):
    event: date = Field(description="The day the listing ended (term over, performed, repaired, revoked).")
    due: date
    working_days: int
    calendar_known: bool = Field(description="False: a year the official holiday calendar does not cover yet "
                                             "was counted Monday to Friday.")
    source: str


def _removal(entry: dict, list_def: ListDef | None, history: History, today: date) -> RemovalView | None:
    """When a listing that has ended must be taken down, by its list's rule."""
    if list_def is None or list_def.removal is None:
        return None
    ended = entry.get("closed_on")
    event = date.fromisoformat(ended) if ended else history.valid_to
    if event is None or event > today:
        return None
    due, known = list_def.removal.due(event)
    return RemovalView(event=event, due=due, working_days=list_def.removal.working_days, calendar_known=known,
                       source=list_def.removal.source)


class PublicationView(BaseModel):
    regime: str
    source: str
    tier: str
    earliest_end: date = Field(description="Publication may end on repair from this day.")
    latest_end: date = Field(description="Publication stops by itself after this day.")
    repairable: bool
    verified: bool


def _publication(catalogue: Catalogue, entry: dict, list_def: ListDef | None) -> PublicationView | None:
    """The publication period of a penalty-based entry: a serious-dishonesty list is the
    serious tier, any other list the general one; a market regulator's penalty follows
    SAMR's rule."""
    if entry.get("basis_kind") != "penalty" or list_def is None or not catalogue.rules.publication_regimes:
        return None
    tier = "serious" if list_def.effect == "restrict" and list_def.dishonesty_record else "general"
    domain = "market_regulation" if "市场监督管理" in (entry.get("deciding_dept") or "") else "general"
    try:
        period = publication_period(catalogue.rules.publication_regimes, date.fromisoformat(entry["determined"]),
                                    tier, domain=domain)
    except ValueError:
        return None
    return PublicationView(regime=period.regime, source=period.source, tier=tier, earliest_end=period.earliest_end,
                           latest_end=period.latest_end, repairable=period.repairable, verified=period.verified)


def entry_view(store: Store, catalogue: Catalogue, entry_id: str) -> EntryView:
    row = store.read_one("entry_detail", entry_id=entry_id)
    if row is None:
        raise NotFound(f"no entry {entry_id!r}")
    entry, subject = row["entry"], row["subject"]
    history = History.of(entry)
    today = date.today()
    list_def = catalogue.lists.get(entry["list"])
    start = effective_on(entry)
    until = None
    if start and list_def and list_def.disclosure_years:
        until = add_years(start, list_def.disclosure_years)
        if history.valid_to:
            until = min(until, history.valid_to)
    state = history.state_on(today)
    disclosed = state is EntryState.active and (until is None or today <= until)
    bound = [Bound(subject=SubjectRef(id=b["id"], kind=SubjectKind(b["kind"]), name=b.get("name") or ""),
                   role=b["role"], rule=b["rule"]) for b in store.read("entry_bound", entry_id=entry_id)]
    transitions = sorted((t for t in row["transitions"] if t), key=lambda t: t["seq"])
    return EntryView(
        id=entry["id"], list=entry["list"], list_name=list_def.name_zh if list_def else "",
        subject=SubjectRef(id=subject["id"], kind=subject["kind"], name=subject.get("name") or ""),
        deciding_dept=entry["deciding_dept"], basis=entry["basis"], basis_kind=entry["basis_kind"],
        determined=date.fromisoformat(entry["determined"]),
        valid_to=None if entry.get("valid_to") in (None, OPEN_END) else date.fromisoformat(entry["valid_to"]),
        permanent=bool(entry.get("permanent")), region=entry.get("region"), named=entry.get("named") or [],
        measures=entry.get("measures") or [], state=state, effective_from=start, disclosed=disclosed,
        disclosure_until=until, publication=_publication(catalogue, entry, list_def),
        removal_due=_removal(entry, list_def, history, today),
        transitions=[TransitionView.model_validate({k: v for k, v in t.items() if k in TransitionView.model_fields})
                     for t in transitions],
        periods=[PeriodView(state=p.state, start=p.start, end=p.end) for p in history.periods()],
        bound=bound, restoration=row["restoration"], catalogue_version=catalogue.version,
    )
