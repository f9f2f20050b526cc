"""Tasks an entry creates for people, not restrictions: PR3, PR4 and list tasks.

PR3: a public body or SOE with a 失信 record -> its superior unit and the audit
department are notified. PR4: a person working for a public body or SOE with a
失信 record -> the employer, discipline inspection and personnel departments are
notified ("作为任职考核、职务晋升、评先评优的重要参考依据"). Both fire for the
listed subject itself, not for person-level records derived from an enterprise's
entry: the documents speak of the unit's or the staff member's own 违法失信行为.
List tasks (e.g. PR11: the deciding department interviews a subject graded 差,
"谁认定、谁约谈") come from the list's catalogue file.

A task is due on the day the entry first takes effect; an entry that never takes
effect (still proposed or notified) has none yet, and revocation withdraws them.
"""

from __future__ import annotations

from datetime import date

from graph_model.catalogue.model import Catalogue
from graph_model.errors import Conflict, InvalidInput, NotFound
from graph_model.lifecycle.acts import Act
from graph_model.lifecycle.history import History
from graph_model.store.base import Store
from graph_model.vocabulary.kinds import EntryState, SubjectKind


__all__ = ["close_task", "derive_tasks", "effective_on"]


def effective_on(entry: dict) -> date | None:
    """The first day the entry was (or is scheduled to be) active."""
    history = History.of(entry)
    # Only `active` counts: an entry objected to inside its notice period never took effect.
    return next((on for on, state in history.steps if state is EntryState.active), None)


def _task(rule: str, kind: str, entry: dict, subject: dict, recipient: str, recipient_id: str,
          due: date, legal_basis: str, source: str) -> dict:
    return {"id": f"{rule}|{entry['id']}|{recipient_id or recipient}",
            "props": {"rule": rule, "kind": kind, "entry_id": entry["id"], "list": entry["list"],
                      "subject_id": subject["id"], "recipient": recipient, "recipient_id": recipient_id,
                      "due_on": due.isoformat(), "legal_basis": legal_basis, "source": source}}


def derive_tasks(store: Store, catalogue: Catalogue, entry_ids: list[str]) -> int:
    """Create the tasks of these entries that do not exist yet, withdraw those of revoked
    entries and supersede "find the unit" tasks whose unit is now on record; return how
    many tasks were merged."""
    rows: list[dict] = []
    revoked: list[str] = []
    superseded: list[str] = []
    for fact in store.read("task_facts", entry_ids=entry_ids):
        entry, subject = fact["entry"], fact["subject"]
        if entry["state"] == EntryState.revoked:
            revoked.append(entry["id"])
            continue
        list_def = catalogue.lists.get(entry["list"])
        due = effective_on(entry)
        if list_def is None or due is None:
            continue
        for spec in list_def.tasks:
            rows.append(_task(spec.rule, spec.kind, entry, subject, spec.recipient, entry["deciding_dept"], due,
                              spec.legal_basis, spec.source))
        if not list_def.dishonesty_record:
            continue
        for note in catalogue.rules.notifications:
            if note.when == "public_body_or_soe":
                applies = subject["kind"] == SubjectKind.public_body or subject.get("ownership") == "soe"
                units = fact["superiors"]
            else:
                applies = subject["kind"] == SubjectKind.person and bool(fact["employers"])
                units = fact["employers"]
            if not applies:
                continue
            for recipient in note.recipients:
                if recipient in ("superior_unit", "employer"):
                    # No superior unit on record is itself worth a task: someone must find it.
                    for unit in units or [""]:
                        rows.append(_task(note.rule, "notify", entry, subject, recipient, unit, due,
                                          note.legal_basis, note.source))
                    if units:
                        superseded.append(_task(note.rule, "notify", entry, subject, recipient, "", due,
                                                note.legal_basis, note.source)["id"])
                else:
                    rows.append(_task(note.rule, "notify", entry, subject, recipient, "", due,
                                      note.legal_basis, note.source))
    today = date.today().isoformat()
    if revoked:
        store.write("withdraw_tasks", entry_ids=revoked, on=today)
    if superseded:
        store.write("supersede_tasks", ids=superseded, on=today)
    if not rows:
        return 0
    return store.write("merge_tasks", rows=rows).rows[0]["n"]


def close_task(store: Store, task_id: str, act: Act) -> dict:
    """A recipient reports a task done (what it did is ``act.reason``); return the task."""
    on = act.on or date.today()
    if on > date.today():
        raise InvalidInput(f"{on.isoformat()} is in the future; a task is closed when it is done", field="on")
    written = store.write("close_task", task_id=task_id, on=on.isoformat(), reason=act.reason, actor=act.actor,
                          department=act.department)
    if written.rows:
        return written.rows[0]["task"]
    found = store.read_one("task_by_id", task_id=task_id)
    if found is None:
        raise NotFound(f"no task {task_id!r}")
    raise Conflict(f"task {task_id!r} is {found['task']['status']}, not open")
