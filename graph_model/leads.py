"""The lead record (线索): what a lead is, its stable id, and how it is stored, listed,
read and reviewed. The detectors that find leads are in ``analysis``; a lead never
restricts anyone, and only a person changes its status, with a reason.

A lead's id is a hash of its kind and the subjects that define it, so finding it
again keeps every review. Imports the store and the error tree.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from enum import StrEnum

from pydantic import BaseModel, Field

from graph_model.errors import NotFound
from graph_model.store.base import Store, batched, read_by_ids

__all__ = ["Lead", "LeadKind", "LeadStatus", "get_lead", "lead_for_key", "list_leads", "make_lead", "review_lead",
           "save_leads"]



class LeadKind(StrEnum):
    phoenix = "phoenix"
    shared_controller = "shared_controller"
    circular_ownership = "circular_ownership"
    shell_chain = "shell_chain"
    collusion_group = "collusion_group"
    co_bidding = "co_bidding"


class LeadStatus(StrEnum):
    open = "open"
    confirmed = "confirmed"
    dismissed = "dismissed"


class Lead(BaseModel):
    id: str
    kind: LeadKind
    key: list[str] = Field(description="The subjects that define the lead (its identity).")
    members: list[str] = Field(description="Every subject the lead concerns.")
    score: float = Field(ge=0, le=1)
    summary: str
    evidence: dict = Field(description="Chains, dates, roles and regions behind the lead.")
    provinces: list[str]
    status: LeadStatus = LeadStatus.open
    found_on: dt.date | None = None
    last_seen: dt.date | None = None
    reviewed_by: str | None = None
    reason: str | None = None
    reviewed_at: str | None = None
    reviews: list[str] = Field(default_factory=list, description="Every decision, oldest first.")
    names: dict[str, str] = Field(default_factory=dict, description="Each member's name, by id (as listed).")

    def described(self, names: dict[str, str] | None = None) -> str:
        """The summary with each member named: 白佳（P001172） rather than P001172."""
        names = self.names if names is None else names
        known = sorted((m for m in self.members if names.get(m)), key=len, reverse=True)
        if not known:
            return self.summary
        # One pass, whole ids only: E1 is not part of E10, nor of a name put in before.
        pattern = re.compile(r"(?<![A-Za-z0-9_-])(" + "|".join(map(re.escape, known)) + r")(?![A-Za-z0-9_-])")
        return pattern.sub(lambda m: f"{names[m.group(1)]}（{m.group(1)}）", self.summary)


def make_lead(kind: LeadKind, key: Sequence[str], members: Iterable[str], score: float, summary: str,
              evidence: dict, provinces: Iterable[str]) -> Lead:
    """A new lead; its id is a hash of ``kind`` and ``key``, the score is capped at 1."""
    digest = hashlib.sha256("|".join([kind.value, *key]).encode()).hexdigest()[:16]
    return Lead(id=f"L{digest}", kind=kind, key=list(key), members=sorted(set(members)), score=round(min(score, 1.0), 4),
                summary=summary, evidence=evidence, provinces=sorted(set(provinces)))


def save_leads(store: Store, leads: Sequence[Lead], batch_size: int = 2_000) -> int:
    """Store leads; one found again keeps its status and reviews."""
    rows = [{"id": lead.id, "kind": lead.kind.value, "key": lead.key, "members": lead.members, "score": lead.score,
             "summary": lead.summary, "evidence": json.dumps(lead.evidence, ensure_ascii=False, sort_keys=True),
             "provinces": lead.provinces, "found_on": (lead.found_on or dt.date.today()).isoformat()}
            for lead in leads]
    for batch in batched(rows, batch_size):
        store.write("leads_save", rows=batch)
    return len(rows)


def _from_store(props: dict) -> Lead:
    return Lead(**{**props, "evidence": json.loads(props.get("evidence") or "{}")})


def list_leads(store: Store, *, kind: LeadKind | None = None, status: LeadStatus | None = None,
               subject: str | None = None, limit: int = 100, offset: int = 0) -> list[Lead]:
    """Stored leads, best first, with their members' names."""
    rows = store.read("leads_list", kind=kind.value if kind else None, status=status.value if status else None,
                      subject=subject, limit=limit, offset=offset)
    return _named(store, [_from_store(row["lead"]) for row in rows])


def get_lead(store: Store, lead_id: str) -> Lead:
    """The stored lead ``lead_id`` with its members' names; NotFound if none."""
    row = store.read_one("lead_by_id", id=lead_id)
    if row is None:
        raise NotFound(f"no lead {lead_id!r}")
    return _named(store, [_from_store(row["lead"])])[0]


def lead_for_key(store: Store, key: str) -> Lead | None:
    """The stored lead a key names (``L`` and its hash), or None: the key is another kind."""
    if not key.startswith("L"):
        return None
    try:
        return get_lead(store, key)
    except NotFound:
        return None


def _named(store: Store, leads: list[Lead]) -> list[Lead]:
    """The leads with their members' names: a person reads names, not ids."""
    names = {row["subject"]["id"]: row["subject"]["name"]
             for row in read_by_ids(store, "subjects_by_ids", (m for lead in leads for m in lead.members))}
    return [lead.model_copy(update={"names": {m: names.get(m, "") for m in lead.members}}) for lead in leads]


def review_lead(store: Store, lead_id: str, status: LeadStatus, reviewer: str, reason: str,
                at: dt.datetime | None = None) -> Lead:
    """Record a person's decision on a lead; it changes nothing else in the graph."""
    at = at or dt.datetime.now(dt.UTC)
    rows = store.write("lead_review", id=lead_id, status=status.value, reviewer=reviewer, reason=reason,
                       at=at.isoformat(timespec="seconds")).rows
    if not rows:
        raise NotFound(f"no lead {lead_id!r}")
    return _from_store(rows[0]["lead"])
