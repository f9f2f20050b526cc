"""Domain vocabulary: subject kinds, role relationships, entry states, and the check answer.

The enums here are the only source of labels and relationship types that vary in
Cypher text (see ``cypher``): a query never takes a label from input.
"""

from __future__ import annotations

import builtins
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BasisKind",
    "CheckAnswer",
    "Eligibility",
    "EntryState",
    "IN_FORCE_STATES",
    "MatchedBy",
    "OPEN_END",
    "OPEN_START",
    "Ownership",
    "PathStep",
    "ROLE_TYPES",
    "Reason",
    "RelType",
    "SubjectKey",
    "SubjectKind",
    "SubjectLabel",
    "SubjectRef",
    "label_of",
]

# Open ends of a validity period are stored as sentinels, not nulls: Neo4j refuses
# MERGE on a null property, and ISO strings compare correctly on both stores.
OPEN_START = "0001-01-01"
OPEN_END = "9999-12-31"


class SubjectKind(StrEnum):
    enterprise = "enterprise"
    person = "person"
    public_body = "public_body"


class SubjectKey(StrEnum):
    """The properties a caller may name a subject by (all indexed)."""

    id = "id"
    uscc = "uscc"
    id_hash = "id_hash"
    org_code = "org_code"  # GB 11714, positions 9-17 of the USCC
    stock_code = "stock_code"  # six digits, listed companies
    name = "name"
    # Enterprises and public bodies only (persons are never found by name): the name as
    # graph_model.names.name_key folds it.
    name_key = "name_key"
    reg_no = "reg_no"  # 工商注册号, 15 digits (GS 15-2006)
    # A look-up by registration number uses its keyed hash: 15 digits may be an old ID number.
    reg_no_hash = "reg_no_hash"


class MatchedBy(StrEnum):
    """What a check's key named its subject by."""

    id = "id"
    uscc = "uscc"
    org_code = "org_code"
    reg_no = "reg_no"
    id_number = "id_number"
    name = "name"


class SubjectLabel(StrEnum):
    """Node label of each subject kind (every subject also carries ``Subject``)."""

    Enterprise = "Enterprise"
    Person = "Person"
    PublicBody = "PublicBody"


_LABELS = {
    SubjectKind.enterprise: SubjectLabel.Enterprise,
    SubjectKind.person: SubjectLabel.Person,
    SubjectKind.public_body: SubjectLabel.PublicBody,
}


def label_of(kind: SubjectKind) -> SubjectLabel:
    """The node label for a subject kind."""
    return _LABELS[kind]


class RelType(StrEnum):
    """Role relationships between subjects; all carry ``valid_from``/``valid_to``."""

    LEGAL_REP_OF = "LEGAL_REP_OF"  # 法定代表人: person -> enterprise
    PRINCIPAL_OF = "PRINCIPAL_OF"  # 主要负责人: person -> enterprise / public body
    ACTUAL_CONTROLLER_OF = "ACTUAL_CONTROLLER_OF"  # 实际控制人
    HOLDS_SHARES = "HOLDS_SHARES"  # shareholder, with `share` in percent
    MANAGES = "MANAGES"  # SOE manager: person -> SOE
    STAFF_OF = "STAFF_OF"  # 工作人员: person -> public body / SOE
    BRANCH_OF = "BRANCH_OF"  # 分支机构: branch -> parent
    KEY_PERSON_OF = "KEY_PERSON_OF"  # 主要人员 (董事、监事、高级管理人员): person -> enterprise; `title`
    RELATIVE_OF = "RELATIVE_OF"  # family tie between persons; `title` says which (配偶, 子女, spouse ...)
    SUPERVISED_BY = "SUPERVISED_BY"  # 上级主管单位: unit -> superior body


# Roles a catalogue list may propagate along (PR1 uses the first three).
ROLE_TYPES = frozenset(RelType)


class EntryState(StrEnum):
    """States of a list entry. proposed -> notified -> active (after the notice
    period) -> objection_pending -> active or revoked; active -> repaired;
    active -> expired (past valid_to, derived from the date)."""

    proposed = "proposed"
    notified = "notified"
    active = "active"
    objection_pending = "objection_pending"
    repaired = "repaired"
    revoked = "revoked"
    expired = "expired"


# States in which an entry still produces a reason: active restricts, an open
# objection suspends ("联合惩戒措施在信息核实期间暂不执行", GZ (十七)).
IN_FORCE_STATES = frozenset({EntryState.active, EntryState.objection_pending})


class BasisKind(StrEnum):
    """What a listing rests on: "以相关司法裁判、行政处罚、行政强制等处理结果为依据"."""

    judgment = "judgment"
    penalty = "penalty"
    coercive = "coercive"


class Ownership(StrEnum):
    soe = "soe"
    private = "private"
    collective = "collective"
    foreign = "foreign"
    other = "other"


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
