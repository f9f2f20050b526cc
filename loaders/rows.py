"""Typed rows of the interchange bundle (docs/bundle.md), validated field by field."""

from __future__ import annotations

import builtins
import re
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from graph_model.identity.free_text import FreeText
from graph_model.identity.identifiers import (
    is_valid_reg_no,
    may_be_resident_id,
    normalise_resident_id,
    normalise_uscc,
    validate_resident_id,
    validate_uscc,
)
from graph_model.identity.regions import province_of
from graph_model.vocabulary.days import Day
from graph_model.vocabulary.kinds import BasisKind, EntryState, Ownership, RelType, SubjectKind

__all__ = ["SubjectRow", "RelationRow", "EntryRow", "SourceRow", "COLUMNS", "OPTIONAL_COLUMNS", "OPTIONAL_FILES"]

COLUMNS = {
    "subjects.csv": ("id", "kind", "name", "uscc", "id_number", "region", "ownership", "established", "status"),
    "relations.csv": ("from_id", "to_id", "type", "share", "valid_from", "valid_to"),
    "entries.csv": ("entry_id", "subject_id", "list", "deciding_dept", "basis", "basis_kind", "determined",
                    "state", "valid_to", "region"),
}
# Files a bundle may have; a bundle without them still loads.
OPTIONAL_FILES = {
    "sources.csv": ("record_id", "source", "subject_id", "entry_id", "why", "raw"),
}
# Columns a file may have; older bundles without them still load.
OPTIONAL_COLUMNS = {
    "subjects.csv": ("stock_code", "reg_no"),
    "relations.csv": ("title",),
    "entries.csv": ("state_since", "named", "measures", "permanent"),
}
# States an entry can only be in after another one: the date it entered them is needed
# to answer dated checks from the history.
_NEEDS_SINCE = {EntryState.notified, EntryState.objection_pending, EntryState.repaired, EntryState.revoked}
_REGION = re.compile(r"^\d{6}$")
Id = Field(min_length=1, max_length=128)
Text = Field(min_length=1, max_length=2000)


def _region(value: str | None) -> str | None:
    if value is None:
        return None
    if not _REGION.match(value):
        raise ValueError("must be a six-digit GB/T 2260 region code")
    if province_of(value) is None:
        raise ValueError(f"no province has the code prefix {value[:2]}")
    return value


class _Row(BaseModel):
    """A bundle row as ``loaders.csvfile.read_rows`` yields it (empty cells as None)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _not_an_id_number(value: str) -> str:
    if may_be_resident_id(value):
        # Ids are stored, returned and logged in clear; an ID number must not be one.
        raise ValueError("must not be an ID number: give the person another id and the number in id_number")
    return value


class SubjectRow(_Row):
    id: str = Id
    kind: SubjectKind
    name: FreeText = Text
    uscc: str | None = None
    id_number: str | None = None
    region: str | None = None
    ownership: Ownership | None = None
    established: date | None = None
    status: str | None = Field(None, max_length=64)
    stock_code: str | None = Field(None, pattern=r"^\d{6}$", description="Listed company's six-digit code.")
    reg_no: str | None = Field(None, description="Registration number (工商注册号), 15 digits (GS 15-2006).")

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = normalise_uscc(value)
        reason = validate_uscc(value)
        if reason:
            raise ValueError(f"not a valid USCC: {reason}")
        return value

    @field_validator("reg_no")
    @classmethod
    def _reg_no(cls, value: str | None) -> str | None:
        if value is not None and not is_valid_reg_no(value):
            # The number is not echoed: 15 digits may be an old ID number.
            raise ValueError("not a valid registration number: 15 digits with a GS 15-2006 check digit")
        return value

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = normalise_resident_id(value)
        reason = validate_resident_id(value)
        if reason:
            # The reason names positions, never the number itself.
            raise ValueError(f"not a valid resident ID number: {reason}")
        return value

    _check_region = field_validator("region")(classmethod(lambda cls, v: _region(v)))
    _check_id = field_validator("id")(classmethod(lambda cls, v: _not_an_id_number(v)))

    @model_validator(mode="after")
    def _kind_fields(self) -> SubjectRow:
        if self.kind is SubjectKind.person and (self.uscc or self.ownership or self.reg_no):
            raise ValueError("a person has no uscc, reg_no or ownership")
        if self.kind is not SubjectKind.person and self.id_number:
            raise ValueError("only a person has an id_number")
        return self


class RelationRow(_Row):
    from_id: str = Id
    to_id: str = Id
    type: RelType
    share: float | None = Field(None, gt=0, le=100, description="Percent, for HOLDS_SHARES only.")
    valid_from: date | None = None
    valid_to: date | None = None
    title: FreeText | None = Field(None, max_length=200, description="The position (董事长) or family tie (配偶).")

    @model_validator(mode="after")
    def _consistent(self) -> RelationRow:
        if self.from_id == self.to_id:
            raise ValueError("a subject cannot hold a role in itself")
        if self.type is RelType.HOLDS_SHARES and self.share is None:
            raise ValueError("share is required for HOLDS_SHARES")
        if self.type is not RelType.HOLDS_SHARES and self.share is not None:
            raise ValueError("share is only allowed for HOLDS_SHARES")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class EntryRow(_Row):
    entry_id: str = Id
    subject_id: str = Id
    list: str = Id
    deciding_dept: FreeText = Text
    basis: FreeText = Text
    basis_kind: BasisKind
    determined: Day
    state: EntryState
    valid_to: Day | None = None
    region: str | None = None
    state_since: Day | None = Field(None, description="Date the entry entered its current state.")
    named: builtins.list[str] = Field(default_factory=builtins.list, description="Persons the decision names (;-separated ids).")
    measures: builtins.list[str] = Field(default_factory=builtins.list,
                                         description="Measures the decision orders (;-separated).")
    permanent: bool = False

    _check_region = field_validator("region")(classmethod(lambda cls, v: _region(v)))

    @field_validator("named", "measures", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            return [part.strip() for part in value.split(";") if part.strip()]
        return value

    @field_validator("permanent", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> Any:
        return False if value is None else value

    @model_validator(mode="after")
    def _dates(self) -> EntryRow:
        if self.valid_to and self.valid_to < self.determined:
            raise ValueError("valid_to is before determined")
        if self.permanent and self.valid_to:
            raise ValueError("a permanent entry has no valid_to")
        if self.state_since and self.state_since < self.determined:
            raise ValueError("state_since is before determined")
        if self.state in _NEEDS_SINCE and self.state_since is None:
            raise ValueError(f"state_since is required for state {self.state.value}: dated checks need it")
        if self.state is EntryState.expired and not (self.valid_to or self.state_since):
            raise ValueError("an expired entry needs valid_to or state_since")
        if self.state is EntryState.expired and self.valid_to and self.valid_to >= date.today():
            raise ValueError("an expired entry's valid_to must be in the past")
        return self


class SourceRow(_Row):
    """One source record (a court's publication, a registry extract, a statement) and a
    subject it speaks about: the provenance of every merged subject."""

    record_id: str = Field(min_length=1, max_length=300, description="The record's key within its source.")
    source: str = Field(min_length=1, max_length=200, description="Where it came from (dataset, file).")
    subject_id: str = Id
    entry_id: str | None = Field(None, max_length=128, description="The entry the record produced, if any.")
    why: FreeText = Field(min_length=1, max_length=1000, description="Why the record was attached to this subject.")
    raw: str | None = Field(None, max_length=20_000, description="The record as read (JSON), ID numbers masked.")
