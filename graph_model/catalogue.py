"""The list and measure catalogue (措施清单): YAML files a policy officer reads and edits.

One file per list (``lists/<id>.yaml``), one per measure family
(``measures/<id>.yaml``; the file stem is the id), and ``rules.yaml`` for what
is not tied to one list: region groups, notification routes (PR3/PR4), grading
tiers and the green channel. Loading runs in two passes, as followthemoney's
model does: each file is parsed and validated on its own, then a link pass checks
the references between files. Every error names file and field.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from graph_model.errors import InvalidCatalogue
from graph_model.history import add_years
from graph_model.types import Ownership, SubjectKind

__all__ = ["CATALOGUE_FORMAT", "Catalogue", "ListDef", "MeasureDef", "Propagation", "RulesDef", "load_catalogue"]

# Bump when the shape of the files changes (not for content edits: those change
# the version dates and the digest). 2: list effects, several propagation rules,
# named persons, durations, region groups, incentives and rules.yaml.
CATALOGUE_FORMAT = 2
BUNDLED_DIR = Path(__file__).parent / "catalogue_data"

# Roles a propagation rule may follow from a listed enterprise to a person; the
# propagate_roles query matches exactly these. NAMED is not a graph role: it is
# the persons a decision names (相关责任人 / 当事人, PR5/PR8), kept on the entry.
ROLE_TARGETS = ("LEGAL_REP_OF", "PRINCIPAL_OF", "ACTUAL_CONTROLLER_OF", "MANAGES")
NAMED = "NAMED"
Target = Literal["entity", "LEGAL_REP_OF", "PRINCIPAL_OF", "ACTUAL_CONTROLLER_OF", "MANAGES", "NAMED"]
# 行政性 / 市场性 / 行业性 / 社会性 / 司法性 (GZ (十); QH adds 司法性); incentives have
# their own type.
MeasureType = Literal["administrative", "market", "industry", "social", "judicial", "incentive"]
Action = Field(pattern=r"^[a-z_]+(\.[a-z_]+)+$")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Quoted(_Spec):
    """A rule's wording and where it comes from."""

    legal_basis: str = Field(min_length=1)
    source: str = Field(min_length=1)


class Propagation(Quoted):
    """Who besides the listed subject is bound, by which rule.

    ``roles`` are role relationships held in the listed enterprise on the
    determination date, or ``NAMED``: the persons the deciding department names
    in its decision. ``ownership`` narrows the rule to listed enterprises of that
    ownership (PR2: SOEs only).
    """

    rule: str = Field(pattern=r"^PR\d+$")
    roles: list[Literal["LEGAL_REP_OF", "PRINCIPAL_OF", "ACTUAL_CONTROLLER_OF", "MANAGES", "NAMED"]] = Field(
        min_length=1)
    ownership: list[Ownership] = Field(default_factory=list, description="Empty: any ownership.")
    role_held_on: Literal["determination"] = "determination"
    publish: bool = Field(False, description="The persons' names are published (予以公开公示, PR2).")


class Duration(_Spec):
    """How long an entry binds. The documents give no numbers ("一定期限内"): these are
    parameters with defaults a department may override per entry."""

    default_years: int | None = Field(None, ge=1, description="None: until repaired or revoked.")
    max_years: int | None = Field(None, ge=1)
    permanent_allowed: bool = Field(False, description="直至永远逐出市场 (PR5).")
    note: str = ""

    def too_long(self, determined: date, valid_to: date | None, permanent: bool) -> str | None:
        """Why an entry decided on ``determined`` may not run to ``valid_to`` (None: open
        ended) on this list, or None if it may."""
        if permanent or self.max_years is None:
            return None
        latest = add_years(determined, self.max_years) - timedelta(days=1)
        if valid_to is None or valid_to > latest:
            return (f"the list binds for at most {self.max_years} years: "
                    f"valid_to must be on or before {latest.isoformat()}")
        return None


class TaskSpec(Quoted):
    """A task an entry on this list creates (e.g. PR11: interview by the deciding department)."""

    rule: str = Field(pattern=r"^PR\d+$")
    kind: str = Field(pattern=r"^[a-z_]+$")
    recipient: Literal["deciding_dept"]


class ListDef(_Spec):
    """A list (名单) subjects are put on by a deciding department (认定部门)."""

    id: str
    version: date
    name_zh: str
    name_en: str
    # restrict: sanctions (restricted=true); supervise: stricter supervision only
    # (key-attention: "与其失信程度相对应的严格监管措施", never joint punishment);
    # incentive: red lists and the like.
    effect: Literal["restrict", "supervise", "incentive"]
    # The rule of domain.md §9(b) that binds the listed subject itself (e.g. PR7 for
    # the procurement bad-conduct list); person-level rules are in `propagation`.
    rule: str | None = Field(None, pattern=r"^PR\d+$")
    # Whether an entry is a 失信记录: feeds PR3/PR4 notifications, grading and the
    # three-clean-years test of the green channel.
    dishonesty_record: bool
    deciding_dept_types: list[str] = Field(min_length=1)
    criteria: str
    criteria_source: str
    scope: Literal["national", "region_group"] = "national"
    region_group: str | None = None
    subject_kinds: list[SubjectKind] = Field(min_length=1)
    propagation: list[Propagation] = Field(default_factory=list)
    duration: Duration = Duration()
    disclosure_years: int | None = Field(None, ge=1, description="公开期限; None: while in force.")
    notice_days: int = Field(10, ge=0, description="Days from notification (告知) until the entry takes effect.")
    repairable: bool = True
    exit_rule: str
    exit_source: str
    tasks: list[TaskSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _scope(self) -> ListDef:
        if (self.scope == "region_group") != bool(self.region_group):
            raise ValueError("region_group is required exactly when scope is region_group")
        seen: set[str] = set()
        for p in self.propagation:
            twice = seen & set(p.roles)
            if twice:
                raise ValueError(f"roles {sorted(twice)} are in more than one propagation rule")
            seen |= set(p.roles)
        return self

    def default_end(self, determined: date) -> date | None:
        """The last day in force of an entry whose decision gives no end (entries made
        through the API; a bundle row without ``valid_to`` is open-ended)."""
        years = self.duration.default_years
        return add_years(determined, years) - timedelta(days=1) if years else None

    def rule_for(self, role: str) -> Propagation | None:
        return next((p for p in self.propagation if role in p.roles), None)


class MeasureDef(_Spec):
    """One measure (惩戒 / 激励措施) with the action code a checking system asks about."""

    id: str
    action: str = Action
    name_zh: str
    name_en: str
    domain: str
    type: MeasureType
    targets: list[Target] = Field(min_length=1)
    # Kinds of subject the measure can bind (e.g. travel bans bind persons only).
    subject_kinds: list[SubjectKind] = Field(default_factory=lambda: list(SubjectKind))
    # always: every entry on the list; by_decision: only entries whose decision
    # names this measure (PR2 "as set by the competent department", PR6 "where the
    # basis so provides").
    applies: Literal["always", "by_decision"] = "always"
    legal_basis: str
    source: str
    initiating_dept_types: list[str]
    implementing_dept_types: list[str]


class MeasureFamily(_Spec):
    version: date
    list: str
    measures: list[MeasureDef] = Field(min_length=1)


class RegionGroup(_Spec):
    name_zh: str
    name_en: str
    provinces: list[str] = Field(min_length=2)
    source: str


class Notification(Quoted):
    """PR3/PR4: who is told when a public body, an SOE or its staff has a 失信 record."""

    rule: str = Field(pattern=r"^PR\d+$")
    when: Literal["public_body_or_soe", "staff_of_public_body_or_soe"]
    # superior_unit / employer are resolved in the graph; anything else is a department type.
    recipients: list[str] = Field(min_length=1)


class Tier(_Spec):
    name_zh: str
    sampling_multiplier: float = Field(gt=0, description="Applied to the 双随机 base sampling ratio.")
    rule: str


class Grading(Quoted):
    """Three-tier risk grade driving 双随机 sampling (GZ (七), SH-9, PR10/PR12)."""

    base_sampling_ratio: float = Field(gt=0, le=1)
    tiers: dict[Literal["low", "normal", "high"], Tier]


class GreenChannel(Quoted):
    action: str = Action
    clean_years: int = Field(ge=1, description="连续三年无不良违法失信记录 (GZ (一)).")


class RulesDef(_Spec):
    version: date
    region_groups: dict[str, RegionGroup]
    notifications: list[Notification]
    grading: Grading
    green_channel: GreenChannel


class Catalogue:
    """The validated catalogue: lookups for the rules engine, and its public export."""

    def __init__(self, lists: dict[str, ListDef], families: dict[str, MeasureFamily], rules: RulesDef) -> None:
        self.lists = lists
        self.families = families
        self.rules = rules
        self._by_list: dict[str, list[MeasureDef]] = {}
        for family in families.values():
            self._by_list.setdefault(family.list, []).extend(family.measures)

    def to_dict(self) -> dict:
        return {
            "format": CATALOGUE_FORMAT,
            "lists": {k: v.model_dump(mode="json") for k, v in sorted(self.lists.items())},
            "measures": {k: v.model_dump(mode="json") for k, v in sorted(self.families.items())},
            "rules": self.rules.model_dump(mode="json"),
        }

    @cached_property
    def version(self) -> str:
        """Latest file date plus a digest of the content, e.g. ``2026-11-22+1a2b3c4d``."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False).encode()
        dates = [d.version for d in self.lists.values()] + [f.version for f in self.families.values()]
        latest = max(dates + [self.rules.version])
        return f"{latest.isoformat()}+{hashlib.sha256(canonical).hexdigest()[:8]}"

    @cached_property
    def measures(self) -> list[tuple[str, MeasureDef]]:
        """Every (list id, measure), in file order."""
        return [(f.list, m) for f in self.families.values() for m in f.measures]

    @cached_property
    def actions(self) -> frozenset[str]:
        """Every action code some measure names."""
        return frozenset(m.action for _, m in self.measures) | {self.rules.green_channel.action}

    @cached_property
    def incentive_actions(self) -> frozenset[str]:
        return frozenset(m.action for _, m in self.measures if m.type == "incentive") | {
            self.rules.green_channel.action}

    def measures_of(self, list_id: str) -> list[MeasureDef]:
        return self._by_list.get(list_id, [])

    def measures_for(self, list_id: str, role: str, kind: SubjectKind,
                     decided: frozenset[str] | set[str] = frozenset()) -> list[MeasureDef]:
        """Measures of a list that bind a subject of ``kind`` reached in ``role``;
        ``by_decision`` measures only if the entry's decision names their action."""
        return [m for m in self._by_list.get(list_id, [])
                if role in m.targets and kind in m.subject_kinds
                and (m.applies == "always" or m.action in decided)]

    def provinces_of(self, list_def: ListDef) -> frozenset[str] | None:
        """Province prefixes where the list's entries apply; None: everywhere."""
        if list_def.scope == "region_group":
            return frozenset(self.rules.region_groups[list_def.region_group].provinces)
        return None


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidCatalogue(f"{path}: cannot read: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidCatalogue(f"{path}: is not a mapping")
    return data


def _validate(model: type[BaseModel], data: dict, path: Path) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [{"loc": [str(path), *map(str, e["loc"])], "msg": e["msg"]} for e in exc.errors()]
        first = errors[0]
        raise InvalidCatalogue(f"{path}: {'.'.join(first['loc'][1:])}: {first['msg']}", errors=errors) from exc


def _link(folder: Path, lists: dict[str, ListDef], families: dict[str, MeasureFamily], rules: RulesDef) -> None:
    """Check references between files: measure -> list, target -> rule, list -> region group."""
    for list_id, list_def in lists.items():
        if list_def.region_group and list_def.region_group not in rules.region_groups:
            raise InvalidCatalogue(f"{folder / 'lists' / f'{list_id}.yaml'}: region_group "
                                   f"{list_def.region_group!r} is not defined in rules.yaml")
    seen: dict[str, str] = {}
    for stem, family in families.items():
        path = folder / "measures" / f"{stem}.yaml"
        if family.list not in lists:
            raise InvalidCatalogue(f"{path}: list {family.list!r} is not defined in lists/")
        list_def = lists[family.list]
        roles = {"entity", *(role for p in list_def.propagation for role in p.roles)}
        for i, measure in enumerate(family.measures):
            if measure.id in seen:
                raise InvalidCatalogue(f"{path}: measures.{i}.id {measure.id!r} also defined in {seen[measure.id]}")
            seen[measure.id] = str(path)
            stray = set(measure.targets) - roles
            if stray:
                raise InvalidCatalogue(
                    f"{path}: measures.{i}.targets {sorted(stray)}: list {family.list!r} does not propagate to them"
                )
            if (measure.type == "incentive") != (list_def.effect == "incentive"):
                raise InvalidCatalogue(f"{path}: measures.{i}.type {measure.type!r} does not fit list "
                                       f"{family.list!r} with effect {list_def.effect!r}")


def load_catalogue(folder: Path | None = None) -> Catalogue:
    """Load and cross-check every catalogue file under ``folder`` (default: bundled)."""
    folder = Path(folder) if folder else BUNDLED_DIR
    lists: dict[str, ListDef] = {}
    for path in sorted((folder / "lists").glob("*.yaml")):
        data = _read(path)
        if data.get("id") != path.stem:
            raise InvalidCatalogue(f"{path}: id {data.get('id')!r} must equal the file name {path.stem!r}")
        lists[path.stem] = _validate(ListDef, data, path)
    families: dict[str, MeasureFamily] = {}
    for path in sorted((folder / "measures").glob("*.yaml")):
        families[path.stem] = _validate(MeasureFamily, _read(path), path)
    if not lists:
        raise InvalidCatalogue(f"{folder}: no list files in {folder / 'lists'}")
    rules_path = folder / "rules.yaml"
    if not rules_path.exists():
        raise InvalidCatalogue(f"{rules_path}: missing (region groups, notifications, grading, green channel)")
    rules = _validate(RulesDef, _read(rules_path), rules_path)
    _link(folder, lists, families, rules)
    return Catalogue(lists, families, rules)
