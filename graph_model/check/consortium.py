"""The consortium rule: a bidding consortium (联合体) with a member bound by a measure that
says so is bound as a whole ("联合体中有一个或一个以上成员属于失信被执行人的，联合体视为
失信被执行人", 法〔2016〕285号). The batch check answers it for members asked together."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from graph_model.catalogue.model import Catalogue
from graph_model.check.answer import CheckAnswer

__all__ = ["ConsortiumVerdict", "consortium_verdict"]


class ConsortiumVerdict(BaseModel):
    """Whether the consortium of the subjects asked is restricted as a whole, and by whom."""

    restricted: bool
    members: list[int] = Field(description="Positions of the members whose listing binds the consortium.")
    measures: list[str] = Field(description="Action codes the consortium is restricted for.")
    legal_basis: list[str] = Field(description="The measures' legal bases (source).")


def consortium_verdict(catalogue: Catalogue, answers: Sequence[CheckAnswer | None]) -> ConsortiumVerdict:
    """The consortium's answer from its members' answers (None: a key that named nobody)."""
    rule = {(list_id, m.action): m for list_id, m in catalogue.measures if m.consortium}
    members, measures, bases = [], set(), set()
    for i, answer in enumerate(answers):
        if answer is None:
            continue
        binding = [(r, action) for r in answer.reasons if not r.suspended for action in r.measures
                   if (r.list, action) in rule]
        if binding:
            members.append(i)
            for r, action in binding:
                m = rule[(r.list, action)]
                measures.add(action)
                bases.add(f"{m.name_zh}（{m.source}）")
    return ConsortiumVerdict(restricted=bool(members), members=members, measures=sorted(measures),
                             legal_basis=sorted(bases))
