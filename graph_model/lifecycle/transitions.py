"""The lifecycle of a list entry, with due process: every transition is a recorded act.

proposed -> notified -> active (when the notice period ends) -> objection_pending
-> active (objection rejected) or revoked (listing wrong); active -> repaired;
active -> expired (after ``valid_to``; derived from the date, not stored). Each
transition names actor, department, reason and date, is kept as a ``Transition``
record, and extends the entry's dated history (``graph_model.lifecycle.history``), which is
append-only for the past: only a scheduled future state (the end of the notice
period) can be replaced.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta

from graph_model.catalogue.model import NAMED, Catalogue, ListDef
from graph_model.errors import Conflict, InvalidInput, NotFound
from graph_model.identity.lookup import may_be_id_number, resolve_subject
from graph_model.identity.pii import IdHasher
from graph_model.identity.regions import province_of
from graph_model.lifecycle.acts import Act, NewEntry
from graph_model.lifecycle.history import History, closed_on, history_text
from graph_model.lifecycle.minors import minor_on
from graph_model.lifecycle.propagation import propagate
from graph_model.store.base import Store
from graph_model.vocabulary.kinds import OPEN_END, EntryState, SubjectKind

__all__ = ["complete_interrupted", "create_entry", "transition"]

# Which transitions may leave which state (as of the act's day).
_FROM: dict[str, set[EntryState]] = {
    "notify": {EntryState.proposed},
    "objection": {EntryState.notified, EntryState.active},
    "resolve": {EntryState.objection_pending},
    "repair": {EntryState.active},
    "revoke": {EntryState.proposed, EntryState.notified, EntryState.active, EntryState.objection_pending,
               EntryState.repaired, EntryState.expired},
}


def _tx(entry_id: str, seq: int, kind: str, act: Act, on: date, before: EntryState | None, after: EntryState,
        **extra) -> dict:
    return {"entry_id": entry_id, "seq": seq, "kind": kind, "from_state": before.value if before else "",
            "to_state": after.value, "on": on.isoformat(), "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "actor": act.actor, "department": act.department, "reason": act.reason, **extra}


def _day_of(act: Act) -> date:
    today = date.today()
    on = act.on or today
    if on > today:
        raise InvalidInput(f"{on.isoformat()} is in the future; an act is recorded when it happens", field="on")
    return on


def _check_new(new: NewEntry, list_def: ListDef | None, subject: dict, catalogue: Catalogue) -> date | None:
    """Refuse a decision the list does not allow; return the entry's last day in force
    (the decision's, else the list's default; None: open-ended or permanent)."""
    if list_def is None:
        raise InvalidInput(f"unknown list {new.list!r}; the catalogue has {sorted(catalogue.lists)}", field="list")
    if subject["kind"] not in list_def.subject_kinds:
        raise InvalidInput(f"list {new.list!r} does not take a {subject['kind']}", field="subject")
    if new.region and province_of(new.region) is None:
        raise InvalidInput(f"unknown region code {new.region!r}", field="region")
    if new.permanent and not list_def.duration.permanent_allowed:
        raise InvalidInput(f"list {new.list!r} has no permanent entries", field="permanent")
    if new.permanent and new.valid_to:
        raise InvalidInput("a permanent entry has no end date", field="valid_to")
    if new.on and new.determined > new.on or new.determined > date.today():
        raise InvalidInput("after the day the decision is recorded", field="determined")
    if new.valid_to and new.valid_to < new.determined:
        raise InvalidInput("before determined", field="valid_to")
    valid_to = new.valid_to or (None if new.permanent else list_def.default_end(new.determined))
    problem = list_def.duration.too_long(new.determined, valid_to, new.permanent)
    if problem:
        raise InvalidInput(problem, field="valid_to")
    decidable = {m.action for m in catalogue.measures_of(new.list) if m.applies == "by_decision"}
    stray = sorted(set(new.measures) - decidable)
    if stray:
        raise InvalidInput(f"{stray} are not applied by decision on list {new.list!r} "
                           f"({sorted(decidable)})", field="measures")
    if new.named and not list_def.rule_for(NAMED):
        raise InvalidInput(f"list {new.list!r} binds no persons named in the decision", field="named")
    return valid_to


def create_entry(store: Store, catalogue: Catalogue, hasher: IdHasher, new: NewEntry) -> str:
    """Record a listing decision as a ``proposed`` entry and derive its (not yet
    effective) restrictions; return the entry id."""
    on = _day_of(new)
    list_def = catalogue.lists.get(new.list)
    subject = resolve_subject(store, hasher, new.subject)
    valid_to = _check_new(new, list_def, subject, catalogue)
    if list_def.minors_excluded and subject["kind"] == SubjectKind.person:
        rule = list_def.minors_excluded
        if not may_be_id_number(new.subject):
            # The store keeps ID numbers hashed and masked: only the number itself shows the age.
            raise InvalidInput(f"name the person by resident ID number: {list_def.name_zh} takes no minor "
                               f"({rule.source}) and only the number shows the age on the decision date",
                               field="subject")
        if minor_on(new.subject, new.determined):
            raise InvalidInput(f"a person under 18 on {new.determined.isoformat()} may not be put on "
                               f"{list_def.name_zh} ({rule.source}: {rule.legal_basis})", field="subject")
    named = []
    for key in new.named:
        person = resolve_subject(store, hasher, key)
        if person["kind"] != SubjectKind.person:
            raise InvalidInput(f"{person['id']!r} is not a person", field="named")
        named.append(person["id"])
    entry_id = new.entry_id or f"{new.list}-{on:%Y%m%d}-{secrets.token_hex(4)}"
    props = {"list": new.list, "deciding_dept": new.deciding_dept, "basis": new.basis,
             "basis_kind": new.basis_kind.value, "determined": new.determined.isoformat(), "region": new.region,
             "valid_to": valid_to.isoformat() if valid_to else OPEN_END, "permanent": new.permanent,
             "named": sorted(set(named)), "measures": sorted(set(new.measures)), "state": EntryState.proposed.value,
             "history": history_text([(on, EntryState.proposed)]), "version": 1,
             "source": "api"}
    props = {k: v for k, v in props.items() if v is not None}
    props["last_tx"] = tx_id = f"{entry_id}|1|{secrets.token_hex(4)}"
    tx = _tx(entry_id, 1, "create", new, on, None, EntryState.proposed)
    written = store.write("create_entry", subject_id=subject["id"], entry_id=entry_id, props=props, tx_id=tx_id, tx=tx)
    if not written.rows:
        # A client that got no answer sends its decision again: if the first one was
        # written and its process died before propagating it, finish that now.
        found = store.read_one("entry_by_id", entry_id=entry_id)
        if found is not None:
            _settle(store, catalogue, found["entry"])
        raise Conflict(f"entry {entry_id!r} already exists")
    store.write("bump_data_version", at=datetime.now(UTC).isoformat(timespec="seconds"))
    propagate(store, catalogue, by_list={new.list: [entry_id]})
    return entry_id


def transition(store: Store, catalogue: Catalogue, entry_id: str, kind: str, act: Act) -> dict:
    """Apply transition ``kind`` (notify, objection, resolve, repair, revoke) to an entry."""
    found = store.read_one("entry_by_id", entry_id=entry_id)
    if found is None:
        raise NotFound(f"no entry {entry_id!r}")
    entry = found["entry"]
    # The previous act's propagation first, if its process died before finishing it:
    # this act's records and tasks then follow from complete ones.
    _settle(store, catalogue, entry)
    list_def = catalogue.lists.get(entry["list"])
    if list_def is None:
        raise Conflict(f"entry {entry_id!r} is on list {entry['list']!r}, which the catalogue no longer has")
    on = _day_of(act)
    history = History.of(entry)
    past = [d for d in history.on if d <= date.today()]
    if past and on < past[-1]:
        raise Conflict(f"on: the entry's history already has {past[-1].isoformat()}; history is append-only")
    state = history.state_on(on)
    if state not in _FROM[kind]:
        raise Conflict(f"entry {entry_id!r} is {state.value if state else 'not yet recorded'} on {on.isoformat()}; "
                       f"{kind} needs {' or '.join(sorted(s.value for s in _FROM[kind]))}")
    steps = [(d, s) for d, s in history.steps if d <= on]
    extra = {}
    scheduled = None  # the day a notified entry takes effect
    if kind == "notify":
        after = EntryState.notified
        scheduled = on + timedelta(days=list_def.notice_days)
    elif kind == "objection":
        after = EntryState.objection_pending
    elif kind == "resolve":
        after = EntryState.active if act.outcome == "upheld" else EntryState.revoked
        extra["outcome"] = act.outcome
        notified = [d for d, s in steps if s is EntryState.notified]
        effective = notified[-1] + timedelta(days=list_def.notice_days) if notified else None
        if after is EntryState.active and effective and effective > on:
            # Upheld inside the notice period: the subject keeps the rest of it, and the
            # entry takes effect when it ends, as it would have without the objection.
            after, scheduled = EntryState.notified, effective
    elif kind == "repair":
        if not list_def.repairable or entry.get("permanent"):
            raise Conflict(f"entry {entry_id!r} cannot be repaired: "
                           f"{'a permanent ban' if entry.get('permanent') else 'list ' + list_def.id + ' has no repair'}")
        after = EntryState.repaired
    else:
        after = EntryState.revoked
    steps.append((on, after))
    if scheduled:
        steps.append((scheduled, EntryState.active))
        extra["effective_from"] = scheduled.isoformat()
    version = entry.get("version") or 0
    ended = closed_on(steps)
    # A token makes the id unique to this call: a retry of it matches `last_tx`, another
    # registrar's act based on the same read does not, and loses with a 409.
    tx_id = f"{entry_id}|{version + 1}|{secrets.token_hex(4)}"
    params = {"entry_id": entry_id, "version": version, "tx_id": tx_id, "state": after.value,
              "history": history_text(steps), "closed_on": ended.isoformat() if ended else None,
              "tx": _tx(entry_id, version + 1, kind, act, on, state, after, **extra)}
    if after is EntryState.revoked:
        restoration = {"entry_id": entry_id, "on": on.isoformat(), "actor": act.actor, "department": act.department,
                       "reason": act.reason,
                       "statement": "经核实有误，予以撤销，恢复其信誉、消除不良影响（黔发改财金〔2020〕117号 (十七)）"}
        written = store.write("revoke_entry", restoration=restoration, **params)
    else:
        written = store.write("transition_entry", **params)
    if not written.rows:
        raise Conflict(f"entry {entry_id!r} changed while this {kind} was being recorded; read it and try again")
    store.write("bump_data_version", at=datetime.now(UTC).isoformat(timespec="seconds"))
    # Derived records and tasks follow the new state (after a revocation, whose own
    # statement removed them, this finds nothing to do and marks the act settled). If
    # this process dies before it is done, the entry's `last_tx` stays unsettled and the
    # next act on the entry, `complete_interrupted` (for start-up) or `sanctionnet db
    # propagate` finishes it; checks read the state from the entry itself meanwhile.
    propagate(store, catalogue, by_list={entry["list"]: [entry_id]})
    return {"entry_id": entry_id, "transition": kind, "state": after.value, "on": on.isoformat(), "seq": version + 1}


def _settle(store: Store, catalogue: Catalogue, entry: dict) -> None:
    """Finish the propagation of the entry's last act if it was written without it."""
    if entry.get("last_tx") and entry.get("last_tx") != entry.get("propagated_tx"):
        propagate(store, catalogue, by_list={entry["list"]: [entry["id"]]})
        # The act's data version bump may have been lost with it; one more is harmless.
        store.write("bump_data_version", at=datetime.now(UTC).isoformat(timespec="seconds"))


def complete_interrupted(store: Store, catalogue: Catalogue) -> int:
    """Finish the propagation of every act written by a process that died before it
    propagated it (run at start-up); return how many entries it finished."""
    by_list: dict[str, list[str]] = {}
    for row in store.read("unsettled_entries"):
        by_list.setdefault(row["list"], []).append(row["id"])
    if by_list:
        propagate(store, catalogue, by_list=by_list)
        store.write("bump_data_version", at=datetime.now(UTC).isoformat(timespec="seconds"))
    return sum(map(len, by_list.values()))
