"""The answers of the ownership analysis, as the API and the CLI return them: the
ultimate owners of a subject (``OwnersAnswer``) and what it controls (``ControlledAnswer``).
``analysis.owner_rule`` builds them; ``analysis.owners`` is where they are asked for.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field

from graph_model.vocabulary.kinds import SubjectKind

__all__ = ["Chain", "Controlled", "ControlledAnswer", "Holder", "Owner", "OwnerBasis", "OwnerRule", "OwnersAnswer",
           "Party"]


class Party(BaseModel):
    id: str
    kind: SubjectKind
    name: str = ""


class OwnerBasis(StrEnum):
    equity = "equity"  # a natural person with >= 25 % integrated equity
    state = "state"  # a public body with >= 25 % integrated equity
    registered_control = "registered_control"  # registered ACTUAL_CONTROLLER_OF
    majority_control = "majority_control"  # majority held through controlled enterprises
    senior_manager = "senior_manager"  # legal representative, principal or manager


class OwnerRule(StrEnum):
    ownership_or_control = "ownership_or_control"  # 25 % equity, or control: the conditions add up
    senior_manager = "senior_manager"  # nobody meets either: the senior managers


class Chain(BaseModel):
    ids: list[str] = Field(description="From the owner to the subject (or the subject to what it controls).")
    share: float = Field(description="Product of the direct shares along the chain, in percent.")


class Holder(BaseModel):
    subject: Party
    share: float = Field(description="Integrated share in percent: every chain, cycles included.")
    paths: list[Chain] = Field(default_factory=list, description="The strongest simple chains, as evidence.")


class Owner(Holder):
    basis: OwnerBasis
    role: str | None = Field(None, description="The registered role, for controllers and managers.")


class OwnersAnswer(BaseModel):
    subject: Party
    date: dt.date
    rule: OwnerRule | None = Field(description="ownership_or_control (equity and control add up), or "
                                               "senior_manager when nobody meets either; None: nobody found.")
    ultimate_owners: list[Owner]
    holders: list[Holder] = Field(description="Everyone with an integrated share, largest first.")
    warnings: list[str] = Field(default_factory=list)


class Controlled(BaseModel):
    subject: Party
    basis: OwnerBasis
    share: float = Field(description="The controller's integrated share in percent.")
    via: list[str] = Field(description="The chain of control from the controller to this subject.")


class ControlledAnswer(BaseModel):
    subject: Party
    date: dt.date
    controlled: list[Controlled]
    warnings: list[str] = Field(default_factory=list)
