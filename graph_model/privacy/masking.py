"""Desensitisation by reader: what each kind of reader may see of personal data.

The policy documents ask that personal data be desensitised before publication
(domain.md §5). ID numbers never leave the store in clear for anyone (they are
stored as a keyed hash and a mask). Beyond that:

- ``public``: enterprises and public bodies only, with their own entries in force;
  no person appears in a graph, and a person's name in text is masked (张**);
- ``screener``: a person only when it asked by the person's ID number (it screens a
  bidder or an applicant it knows); asked by bundle id or name, a person is answered
  as an unknown key, so the check is no directory of persons;
- every other reader (investigator, registrar, admin) sees persons' names, which
  their work needs.

Briefings and the explorer's graph pass through ``mask_subgraph``; names that
appear in free text pass through ``mask_name``.
"""

from __future__ import annotations

from enum import StrEnum

from graph_model.check.answer import CheckAnswer
from graph_model.views.subgraph import NodeState, Subgraph
from graph_model.vocabulary.kinds import EntryState, MatchedBy, SubjectKind

__all__ = ["Role", "mask_check", "mask_name", "mask_subgraph", "shows_entry", "shows_persons", "shows_subject"]


class Role(StrEnum):
    """Who a caller is: the role of their API key, which also says what they may read."""

    public = "public"
    screener = "screener"
    investigator = "investigator"
    registrar = "registrar"
    admin = "admin"


def shows_persons(reader: Role) -> bool:
    return reader is not Role.public


def mask_name(name: str, kind: SubjectKind | str, reader: Role) -> str:
    """A person's name as ``reader`` may see it: in full, or the surname and a star
    per further character (张**) for the public. Other subjects are never masked."""
    if kind != SubjectKind.person or shows_persons(reader) or not name:
        return name
    return name[0] + "*" * (len(name) - 1)


def shows_subject(kind: SubjectKind | str, reader: Role) -> bool:
    return shows_persons(reader) or kind != SubjectKind.person


def shows_entry(row: dict, effect: str | None, reader: Role) -> bool:
    """Whether ``reader`` may see a list entry (a row with its ``state``): the public sees
    a restricting listing in force, of an enterprise or public body, and nothing else."""
    return shows_persons(reader) or (row.get("state") == EntryState.active and effect == "restrict")


def mask_check(answer: CheckAnswer, reader: Role) -> CheckAnswer | None:
    """A check's answer as ``reader`` may see it; None: the subject is hidden from them
    (a person, for the public; for a screener, a person not asked by ID number), to be
    answered as an unknown key is."""
    if reader is Role.screener and answer.subject.kind is SubjectKind.person:
        return answer if answer.matched_by is MatchedBy.id_number else None
    if shows_persons(reader):
        return answer
    if answer.subject.kind is SubjectKind.person:
        return None
    reasons = [r for r in answer.reasons if r.role == "entity" and r.state is EntryState.active]
    measures = sorted({m for r in reasons for m in r.measures})
    # No data version: it counts every act, and acts the public does not see (a
    # proposal, an objection) would show in how it moves.
    return answer.model_copy(update={"reasons": reasons, "measures": measures, "restricted": bool(measures),
                                     "suspended": False, "eligibility": None, "data_version": None})


def mask_subgraph(graph: Subgraph, reader: Role) -> Subgraph:
    """``graph`` as ``reader`` may see it: for the public, without persons and their ties."""
    if shows_persons(reader):
        return graph
    persons = {n.id for n in graph.nodes if n.kind is SubjectKind.person}
    shown = []
    for node in graph.nodes:
        if node.id in persons:
            continue
        # Only the subject's own entries in force are public, not how others reach it.
        public = [e for e in node.entries
                  if e.role == "entity" and e.state is EntryState.active and e.effect == "restrict"]
        shown.append(node.model_copy(update={"entries": public, "listed": bool(public),
                                             "state": NodeState.restricted if public else None}))
    return graph.model_copy(update={
        "nodes": shown,
        "edges": [e for e in graph.edges if e.from_ not in persons and e.to not in persons],
    })
