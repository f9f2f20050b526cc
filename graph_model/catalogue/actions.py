"""The action vocabulary: one tree of the acts a checking system asks about.

``catalogue/data/actions.yaml`` holds the nodes (``travel`` ⊃ ``travel.flight``) and the
aliases older catalogue versions used. Every measure names one node; asking about a node
matches measures on the node itself (``same``), on an ancestor (``broader``: the measure
covers all of the asked act) and on a descendant (``narrower``: the measure covers part of
it). The loader refuses a node whose parent is missing, an alias that is also a node or
points nowhere, and two nodes that name the same act (the same Chinese or English name).
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["ActionMatch", "ActionNode", "ActionTree"]

CODE = re.compile(r"^[a-z_]+(\.[a-z_]+)*$")


class ActionMatch(StrEnum):
    """How a measure's action relates to the action asked about."""

    same = "same"
    broader = "broader"  # the measure's act contains the asked one (an ancestor)
    narrower = "narrower"  # the measure's act is part of the asked one (a descendant)


class ActionNode(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)


def _fold(name: str) -> str:
    return re.sub(r"[\s()（）,，、.]", "", name).lower()


class ActionTree(BaseModel):
    """The vocabulary file: nodes by code, and aliases (old code -> node)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: date
    nodes: dict[str, ActionNode] = Field(min_length=1)
    aliases: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _tree(self) -> ActionTree:
        for code in self.nodes:
            if not CODE.match(code):
                raise ValueError(f"nodes.{code}: a code is lower-case words joined by dots")
            parent = code.rpartition(".")[0]
            if parent and parent not in self.nodes:
                raise ValueError(f"nodes.{code}: its parent {parent!r} is not a node")
        for field in ("name_zh", "name_en"):
            seen: dict[str, str] = {}
            for code, node in self.nodes.items():
                folded = _fold(getattr(node, field))
                if folded in seen:
                    raise ValueError(f"nodes.{code}.{field}: names the same act as {seen[folded]!r} "
                                     f"({getattr(node, field)!r}); make one an alias of the other")
                seen[folded] = code
        for alias, target in self.aliases.items():
            if alias in self.nodes:
                raise ValueError(f"aliases.{alias}: is also a node")
            if target not in self.nodes:
                raise ValueError(f"aliases.{alias}: {target!r} is not a node")
        return self

    @cached_property
    def codes(self) -> frozenset[str]:
        """Every code a caller may send: the nodes and the aliases."""
        return frozenset(self.nodes) | frozenset(self.aliases)

    def canonical(self, code: str) -> str:
        """The node a code names (an alias resolved); the code itself if it is a node."""
        return self.aliases.get(code, code)

    def ancestors(self, code: str) -> list[str]:
        """The node's ancestors, nearest first."""
        out, parent = [], code.rpartition(".")[0]
        while parent:
            out.append(parent)
            parent = parent.rpartition(".")[0]
        return out

    def match(self, asked: str, measure_action: str) -> ActionMatch | None:
        """How a measure on ``measure_action`` bears on the act ``asked`` (None: not at all)."""
        asked = self.canonical(asked)
        if measure_action == asked:
            return ActionMatch.same
        if measure_action in self.ancestors(asked):
            return ActionMatch.broader
        if asked in self.ancestors(measure_action):
            return ActionMatch.narrower
        return None
