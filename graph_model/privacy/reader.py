"""The one place that decides what a reader gets: a subject or a lead resolved, a check
answered, a name or a graph shown, for a reader of a given role. The API's routers, the
briefings (``graph_model.reports``) and the CLI call these instead of assembling the
policy themselves.

For the public: what is published today (a date asked is ignored); a key that can only
be an ID number is not looked up (it never learns whether one is on file); a person is
answered as an unknown key is. For a screener: a person only when asked by ID number,
in a check and in a look-up alike (the API is no directory of persons).
Every refusal is the same ``NotFound`` an unknown key gets, with the same words.

The CLI reads as the machine's operator (``Reader.operator``): it masks as the role
it is asked to show (``--view``), but answers for the day asked and looks every key
up, for it is the store's keeper, not a caller outside.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from graph_model.catalogue.model import Catalogue
from graph_model.check.answer import CheckAnswer
from graph_model.check.rules import check, check_many
from graph_model.errors import NotFound
from graph_model.identity.lookup import find_subject, not_found_detail, only_personal
from graph_model.identity.pii import IdHasher
from graph_model.leads import Lead, lead_for_key
from graph_model.privacy.masking import Role, mask_check, mask_name, mask_subgraph, shows_persons
from graph_model.store.base import Store
from graph_model.views.subgraph import Subgraph
from graph_model.vocabulary.kinds import MatchedBy, SubjectKind

__all__ = ["OPERATOR", "Reader", "check_for", "check_many_for", "check_shown_for", "lead_for", "resolve_for"]


@dataclass(frozen=True)
class Reader:
    """A reader of a role: what it may ask, and as of which day it is answered."""

    role: Role
    # The machine's operator showing what ``role`` sees (the CLI's --view): every key
    # is looked up and the day asked is answered; the masking is the role's.
    operator: bool = False

    @property
    def sees_persons(self) -> bool:
        return shows_persons(self.role)

    def may_ask(self, key: str) -> bool:
        """Whether ``key`` is looked up at all for this reader."""
        return self.operator or self.sees_persons or not only_personal(key)

    def day(self, asked: date | None) -> date | None:
        """The day this reader is answered for: the public's is always today (the
        operator's is the day asked)."""
        return asked if self.operator or self.sees_persons else None

    def briefing_view(self, asked: Role | None) -> Role:
        """Whom a briefing is masked for. It draws persons' ties, which only
        investigators and admins read; every other key (public, screener, registrar)
        gets the public's briefing. A key may ask for less (``public``), never more."""
        if self.role in (Role.investigator, Role.admin) and asked is not Role.public:
            return Role.investigator
        return Role.public

    def shown_name(self, name: str, kind: SubjectKind | str) -> str:
        """A subject's name as this reader may read it: a person's masked (张**) for the public."""
        return mask_name(name, kind, self.role)

    def shown_graph(self, graph: Subgraph) -> Subgraph:
        """``graph`` as this reader may see it: for the public, without persons and their ties."""
        return mask_subgraph(graph, self.role)


# The CLI's own reads (owners, candidates, leads): the operator, who sees everything.
OPERATOR = Reader(Role.admin, operator=True)


def resolve_for(reader: Reader, store: Store, hasher: IdHasher, key: str) -> dict:
    """The subject ``key`` names, as ``reader`` may know it; NotFound if none or hidden
    (a person, for the public; for a screener, a person not named by ID number)."""
    if not reader.may_ask(key):
        raise NotFound(not_found_detail(key))
    found = find_subject(store, hasher, key)
    subject = found.row["subject"]
    if subject["kind"] == SubjectKind.person and not (
            reader.sees_persons and (reader.role is not Role.screener or found.matched_by is MatchedBy.id_number)):
        raise NotFound(not_found_detail(key))
    return subject


def lead_for(reader: Reader, store: Store, key: str) -> Lead | None:
    """The stored lead ``key`` names, or None if it names no lead. A lead is about
    persons: for a reader who sees none, NotFound, worded as for an unknown key."""
    lead = lead_for_key(store, key)
    if lead is not None and not reader.sees_persons:
        raise NotFound(not_found_detail(key))
    return lead


def check_for(reader: Reader, store: Store, catalogue: Catalogue, hasher: IdHasher, key: str, *,
              action: str | None = None, on: date | None = None, region: str | None = None) -> CheckAnswer:
    """``check`` as ``reader`` may see it; NotFound, worded as for an unknown key, where
    the subject is hidden from them."""
    if not reader.may_ask(key):
        raise NotFound(not_found_detail(key))
    answer = mask_check(check(store, catalogue, hasher, key, action=action, on=reader.day(on), region=region),
                        reader.role)
    if answer is None:
        raise NotFound(not_found_detail(key))
    return answer


def check_shown_for(reader: Reader, store: Store, catalogue: Catalogue, hasher: IdHasher, subject_id: str, *,
                    on: date) -> CheckAnswer | None:
    """``check`` of a subject drawn for ``reader`` (by bundle id) on ``on``, as they may
    see it, or None where it is hidden from them. For a document drawing several
    subjects, which leaves the hidden ones out where ``check_for`` answers a 404; the
    day is the document's (it applies ``Reader.day`` itself, if at all)."""
    return mask_check(check(store, catalogue, hasher, subject_id, on=on), reader.role)


def check_many_for(reader: Reader, store: Store, catalogue: Catalogue, hasher: IdHasher, keys: Sequence[str], *,
                   action: str | None = None, on: date, region: str | None = None
                   ) -> tuple[list[CheckAnswer | None], list[CheckAnswer | None]]:
    """``check_many`` as ``reader`` may see it: (masked answers, in the keys' order, None
    where the check would answer 404; the answers as found, for the audit's versions)."""
    asked = [i for i, key in enumerate(keys) if reader.may_ask(key)]
    found = check_many(store, catalogue, hasher, [keys[i] for i in asked], action=action, on=on, region=region)
    answers: list[CheckAnswer | None] = [None] * len(keys)
    for i, answer in zip(asked, found):
        answers[i] = mask_check(answer, reader.role) if answer is not None else None
    return answers, found
