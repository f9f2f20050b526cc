"""Domain vocabulary: subject kinds, role relationships, entry states, keys and labels.

The enums here are the only source of labels and relationship types that vary in
Cypher text (see ``cypher``): a query never takes a label from input.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "BasisKind",
    "EntryState",
    "IN_FORCE_STATES",
    "MatchedBy",
    "OPEN_END",
    "OPEN_START",
    "Ownership",
    "ROLE_TYPES",
    "RelType",
    "SubjectKey",
    "SubjectKind",
    "SubjectLabel",
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
    # graph_model.identity.names.name_key folds it.
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
