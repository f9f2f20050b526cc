"""The check's answer: the subject, each reason with its rule, entry, basis, state and
path, the measures in force, and for an incentive the eligibility (PR12)."""

from __future__ import annotations

import builtins
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from graph_model.vocabulary.kinds import EntryState, MatchedBy, RelType, SubjectKind

__all__ = ["CheckAnswer", "Eligibility", "PathStep", "Reason", "SubjectRef"]


class SubjectRef(BaseModel):
    """A subject as it appears in an answer: never an ID number in clear."""

    id: str
    kind: SubjectKind
    name: str


class PathStep(BaseModel):
    """One hop of a reason's path: ``subject`` holds ``role`` in the next subject."""

    subject: SubjectRef
    role: RelType | Literal["NAMED"] | None = Field(
        None, description="Relationship to the next step (NAMED: named in the decision); none on the last.")
    valid_from: date | None = None
    valid_to: date | None = None


class Reason(BaseModel):
    """Why a subject is restricted (or suspended): one list entry reached by one rule."""

    rule: str = Field(examples=["PR1"])
    entry_id: str
    list: str = Field(examples=["joint_punishment"])
    deciding_dept: str
    basis: str = Field(description="The judgment, penalty or coercive decision the listing rests on.")
    basis_kind: str
    determined: date
    valid_to: date | None
    region: str | None
    applies_in: builtins.list[str] | None = Field(
        None, description="Province codes where the entry applies (region-group lists); null: everywhere.")
    state: EntryState = Field(description="The entry's state on the date asked about.")
    current_state: EntryState = Field(description="The entry's state today (e.g. repaired since).")
    suspended: bool = Field(description="True while an objection is being checked: measures not enforced.")
    role: str = Field(description="`entity` for the listed subject itself, else the role held.")
    legal_basis: str = Field(description="Legal basis of the propagation rule and of the measures.")
    # `list` is a field name here, so the builtin is spelled out.
    path: builtins.list[PathStep] = Field(description="From the asked subject to the listed one.")
    measures: builtins.list[str] = Field(description="Action codes this reason restricts (or would, if suspended).")
    action_match: dict[str, Literal["same", "broader", "narrower"]] | None = Field(
        None, description="When an action was asked: how each of `measures` bears on it. same: the asked act; "
                          "broader: an ancestor in the action tree (covers all of the asked act); narrower: a "
                          "descendant (covers part of it).")
    measure_applies_in: dict[str, builtins.list[str]] | None = Field(
        None, description="Measures set only by a provincial or district document: where they bind (province "
                          "or region codes). Absent measures bind everywhere.")
    unverified: builtins.list[str] = Field(
        default_factory=builtins.list, description="Parts of the legal basis the catalogue marks unverified "
                                                   "(from memory, to be confirmed against the official text).")


class Eligibility(BaseModel):
    """Whether a subject qualifies for an incentive (PR12: red list or three clean years)."""

    action: str
    eligible: bool
    rule: str
    grounds: list[str] = Field(description="What qualifies the subject (red-list entries, clean years).")
    blocked_by: list[str] = Field(description="Entries in force that rule the incentive out.")
    legal_basis: str


class CheckAnswer(BaseModel):
    """The answer to "is this subject restricted, for this action, on this date"."""

    model_config = ConfigDict(json_schema_extra={"examples": []})

    subject: SubjectRef
    action: str | None
    date: date
    restricted: bool
    suspended: bool = Field(description="Some reason exists but every one is suspended by an objection.")
    measures: list[str] = Field(description="Action codes in force (suspended reasons excluded).")
    reasons: list[Reason]
    eligibility: Eligibility | None = Field(None, description="For an incentive action: whether the subject "
                                            "qualifies, and why.")
    region: str | None = Field(None, description="The region asked about; null: every region.")
    catalogue_version: str
    data_version: int | None = Field(None, description="The graph's data version the answer was read at (raised by "
                                     "every load and act; the audit log records it too); null for a public key.",
                                     examples=[42])
    matched_by: MatchedBy | None = Field(None, description="What the key named the subject by: its bundle id, USCC, "
                                         "organisation code, registration number, ID number (hashed) or full name.",
                                         examples=["uscc"])
