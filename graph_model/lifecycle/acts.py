"""An act on a list entry, as a registrar submits it: who, for which department, why,
on which day; a new entry (the listing decision); an objection's resolution.

Apart from the transitions that carry them out so that the task and propagation
modules can take an act without importing the lifecycle (they once did, in a circle).
"""

from __future__ import annotations

import builtins
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from graph_model.identity.free_text import FreeText
from graph_model.vocabulary.days import Day
from graph_model.vocabulary.kinds import BasisKind

__all__ = ["Act", "NewEntry", "Resolution"]

Text = Field(min_length=1, max_length=2000)


class Act(BaseModel):
    """Who does a transition, for which department, why, and as of which day."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    actor: FreeText = Field(min_length=1, max_length=200, examples=["张三（信用科）"])
    department: FreeText = Field(min_length=1, max_length=200, examples=["哈尔滨市市场监督管理局"])
    reason: FreeText = Text
    on: Day | None = Field(None, description="Day the act takes effect (default today; never in the future).")


class NewEntry(Act):
    """A deciding department's decision to put a subject on a list (state ``proposed``)."""

    entry_id: str | None = Field(None, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$",
                                 description="Default: generated.")
    subject: str = Field(min_length=1, max_length=128, description="Bundle id, USCC or resident ID number.")
    list: str = Field(min_length=1, max_length=64, examples=["joint_punishment"])
    deciding_dept: FreeText = Text
    basis: FreeText = Field(min_length=1, max_length=2000, description="The judgment, penalty or coercive decision.")
    basis_kind: BasisKind
    determined: Day
    region: str | None = Field(None, pattern=r"^\d{6}$")
    valid_to: Day | None = Field(None, description="Default: determined + the list's default duration.")
    permanent: bool = False
    # `list` is a field name here, so the builtin is spelled out.
    named: builtins.list[str] = Field(default_factory=builtins.list, max_length=100,
                                      description="Persons the decision names.")
    measures: builtins.list[str] = Field(default_factory=builtins.list, max_length=50,
                                description="Measures the decision orders, of those the list applies by decision.")


class Resolution(Act):
    outcome: Literal["upheld", "wrong"] = Field(
        description="upheld: the listing stands (back to active); wrong: it is revoked.")
