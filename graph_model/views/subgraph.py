"""The graph as the explorer and the briefings draw it.

A ``Subgraph`` is a set of subjects with the role relationships between them on a
date, each subject with the state its entries give it on that date. Neighbourhoods
are capped (a registration agent may hold 100,000 companies): the answer says how
many neighbours it left out. Never an ID number: nodes carry names and codes only.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from graph_model.catalogue.model import Catalogue
from graph_model.check.judging import day_of
from graph_model.identity.identifiers import (
    is_valid_resident_id,
    may_be_resident_id,
    normalise_resident_id,
    normalise_uscc,
)
from graph_model.identity.pii import IdHasher
from graph_model.lifecycle.history import History
from graph_model.store.base import Store
from graph_model.vocabulary.kinds import OPEN_START, EntryState, RelType, SubjectKey, SubjectKind

__all__ = ["Edge", "Node", "NodeEntry", "NodeState", "SearchHit", "Subgraph", "among", "edge_id",
           "edge_of", "neighbourhood", "nodes", "search"]

class NodeState(StrEnum):
    """How a subject is drawn: the strongest state among the entries reaching it."""

    restricted = "restricted"
    suspended = "suspended"
    repaired = "repaired"
    revoked = "revoked"
    expired = "expired"


# Entry state on the day -> node state, strongest first.
_STRENGTH = {
    EntryState.active: NodeState.restricted,
    EntryState.objection_pending: NodeState.suspended,
    EntryState.repaired: NodeState.repaired,
    EntryState.revoked: NodeState.revoked,
    EntryState.expired: NodeState.expired,
}
_ORDER = list(NodeState)


class NodeEntry(BaseModel):
    id: str
    list: str
    state: EntryState | None = Field(description="On the date drawn; null: not yet decided then.")
    role: str = Field(description="`entity`: the subject's own listing; else the role the listing reaches it by.")
    effect: str | None = Field(None, description="The list's effect: restrict, supervise or incentive.")
    rule: str | None = None
    deciding_dept: str | None = None
    basis: str | None = None
    determined: dt.date | None = None


class Node(BaseModel):
    id: str
    kind: SubjectKind
    name: str
    region: str | None = None
    uscc: str | None = None
    state: NodeState | None = Field(None, description="Strongest state of a restricting entry reaching it.")
    listed: bool = Field(False, description="The subject itself is on a list (not only reached by a role).")
    entries: list[NodeEntry] = Field(default_factory=list)


class Edge(BaseModel):
    id: str = Field(description="Stable: from, type, to and start of the period.")
    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    type: RelType | Literal["NAMED"] = Field(description="The role `from` holds in `to`; NAMED: named in the "
                                                         "decision listing `to` (a reason's path only).")
    share: float | None = Field(None, description="Percent, for HOLDS_SHARES.")
    title: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    derived: bool = Field(False, description="A confirmed derived controllership, not a registry fact.")

    model_config = {"populate_by_name": True}


class Subgraph(BaseModel):
    center: str | None = Field(None, description="The subject asked about; null for a lead's graph.")
    date: dt.date | None = Field(None, description="Relationships in force on this day; null: every period.")
    nodes: list[Node]
    edges: list[Edge]
    truncated: bool = Field(False, description="Some neighbours were left out (see `hidden`).")
    hidden: int = Field(0, description="Neighbours not returned because of the limit.")


class SearchHit(BaseModel):
    id: str
    kind: SubjectKind
    name: str
    region: str | None = None
    uscc: str | None = None
    state: NodeState | None = None


def edge_id(src: str, type_: str, dst: str, valid_from: str | None) -> str:
    return f"{src}|{type_}|{dst}|{valid_from or OPEN_START}"


def edge_of(row: dict) -> Edge:
    """An edge from a row of ``graph_out``, ``graph_in`` or ``graph_among``."""
    return Edge(id=edge_id(row["src"], row["type"], row["dst"], row["valid_from"]), from_=row["src"], to=row["dst"],
                type=row["type"], share=row.get("share"), title=row.get("title") or None,
                valid_from=day_of(row["valid_from"]), valid_to=day_of(row["valid_to"]),
                derived=row.get("source") == "derived")


def nodes(store: Store, catalogue: Catalogue, ids: list[str], on: dt.date) -> dict[str, Node]:
    """The subjects ``ids``, with their entries judged for ``on``."""
    found: dict[str, Node] = {}
    for row in store.read("graph_nodes", ids=sorted(set(ids))):
        subject = row["subject"]
        entries: dict[tuple[str, str], NodeEntry] = {}
        strongest = None
        for record in row["records"]:
            entry = record["entry"]
            list_def = catalogue.lists.get(entry["list"])
            state = History.of(entry).state_on(on)
            entries[(entry["id"], record["role"])] = NodeEntry(
                id=entry["id"], list=entry["list"], state=state, role=record["role"], rule=record.get("rule"),
                effect=list_def.effect if list_def else None,
                deciding_dept=entry.get("deciding_dept"), basis=entry.get("basis"),
                determined=day_of(entry.get("determined")))
            if list_def is not None and list_def.effect == "restrict" and state in _STRENGTH:
                mapped = _STRENGTH[state]
                if strongest is None or _ORDER.index(mapped) < _ORDER.index(strongest):
                    strongest = mapped
        # "Listed itself" draws a thick border: a restricting listing, not an honour list.
        listed = any(e.role == "entity" and e.effect == "restrict" and e.state is not None
                     for e in entries.values())
        found[subject["id"]] = Node(**subject, state=strongest, listed=listed,
                                    entries=sorted(entries.values(), key=lambda e: (e.determined or dt.date.min, e.id)))
    return found


def neighbourhood(store: Store, catalogue: Catalogue, subject_id: str, on: dt.date, limit: int = 50) -> Subgraph:
    """The subject and up to ``limit`` subjects tied to it by a role in force on ``on``."""
    params = {"id": subject_id, "on": on.isoformat()}
    cap = limit * 4  # several ties (roles, periods) to one neighbour are common
    out, into = (store.read(q, limit=cap, only=None, **params) for q in ("graph_out", "graph_in"))
    kept: list[str] = []
    for row in sorted(out + into, key=lambda r: (r["dst"] if r["src"] == subject_id else r["src"], r["type"])):
        other = row["dst"] if row["src"] == subject_id else row["src"]
        if other not in kept and len(kept) < limit:
            kept.append(other)
    if len(out) == cap or len(into) == cap:
        # Capped: read every tie to the neighbours kept, so none is drawn with part of its ties.
        out, into = (store.read(q, limit=cap * 4, only=kept, **params) for q in ("graph_out", "graph_in"))
    chosen = set(kept)
    edges = [edge_of(r) for r in out + into if (r["dst"] if r["src"] == subject_id else r["src"]) in chosen]
    degree = store.read_one("graph_degree", **params)["n"]
    drawn = nodes(store, catalogue, [subject_id, *kept], on)
    return Subgraph(center=subject_id, date=on, nodes=[drawn[i] for i in [subject_id, *kept] if i in drawn],
                    edges=_unique(edges), truncated=degree > len(kept), hidden=max(degree - len(kept), 0))


def among(store: Store, catalogue: Catalogue, ids: list[str], on: dt.date | None, judged_on: dt.date) -> Subgraph:
    """The subjects ``ids`` and the role relationships between them, in force on ``on``
    (every period if None); states judged for ``judged_on``."""
    ids = sorted(set(ids))
    rows = store.read("graph_among", ids=ids, on=on.isoformat() if on else None, **{"from": ids})
    drawn = nodes(store, catalogue, ids, judged_on)
    return Subgraph(center=None, date=on, nodes=[drawn[i] for i in ids if i in drawn],
                    edges=_unique(edge_of(r) for r in rows))


def _unique(edges) -> list[Edge]:
    return list({e.id: e for e in edges}.values())


def search(store: Store, catalogue: Catalogue, hasher: IdHasher, q: str, on: dt.date, limit: int = 20) -> list[SearchHit]:
    """Subjects a person may mean by ``q``: an exact bundle id, USCC or ID number first,
    then names containing it (those starting with it first)."""
    q = q.strip()
    exact: list[str] = []
    id_number = normalise_resident_id(q)
    if is_valid_resident_id(id_number):
        keys = [(SubjectKey.id_hash, hasher(id_number))]  # never a name search on an ID number
    elif may_be_resident_id(q):
        return []  # a mistyped ID number: never sent to the store in clear, not even as a name
    else:
        keys = [(SubjectKey.id, q), (SubjectKey.uscc, normalise_uscc(q))]
    for key, value in keys:
        exact.extend(row["subject"]["id"] for row in store.read("subject_by", variant=key, key=value))
    named: list[str] = []
    if len(keys) > 1:
        # A few more than needed, so that names starting with q can come first.
        named = [row["id"] for row in store.read("search_names", q=q, limit=limit * 5)]
    found = nodes(store, catalogue, exact + named, on)
    named = sorted((i for i in set(named) - set(exact) if i in found),
                   key=lambda i: (not found[i].name.startswith(q), len(found[i].name), found[i].name, i))
    return [SearchHit(**found[i].model_dump(include={"id", "kind", "name", "region", "uscc", "state"}))
            for i in [*dict.fromkeys(exact), *named][:limit] if i in found]
