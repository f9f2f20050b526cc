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
from pydantic import BaseModel, Field, ValidationError, model_validator

from graph_model.catalogue.actions import ActionMatch, ActionTree
from graph_model.catalogue.specs import (
    Action,
    Duration,
    Propagation,
    Quoted,
    RegionalBasis,
    RegionPrefix,
    RulesDef,
    TaskSpec,
    basis_for,
)
from graph_model.catalogue.specs import Spec as _Spec
from graph_model.catalogue.terms import Ground, Removal
from graph_model.errors import InvalidCatalogue
from graph_model.vocabulary.days import HORIZON_YEARS
from graph_model.vocabulary.days import add_years
from graph_model.vocabulary.kinds import SubjectKind

__all__ = ["CATALOGUE_FORMAT", "Catalogue", "ListDef", "MeasureDef", "Propagation", "RulesDef", "load_catalogue"]

# Bump when the shape of the files changes (not for content edits: those change
# the version dates and the digest). 2: list effects, several propagation rules,
# named persons, durations, region groups, incentives and rules.yaml. 3: the action
# tree (actions.yaml), the national layer (layer, verified, regional legal bases,
# measure scope and terms, listing grounds, removal deadlines, minors, publication
# regimes in rules.yaml).
CATALOGUE_FORMAT = 3
BUNDLED_DIR = Path(__file__).parent / "data"

# Roles a propagation rule may follow from a listed enterprise to a person; the
# propagate_roles query matches exactly these. NAMED is not a graph role: it is
# the persons a decision names (相关责任人 / 当事人, PR5/PR8), kept on the entry.
ROLE_TARGETS = ("LEGAL_REP_OF", "PRINCIPAL_OF", "ACTUAL_CONTROLLER_OF", "MANAGES")
NAMED = "NAMED"
Target = Literal["entity", "LEGAL_REP_OF", "PRINCIPAL_OF", "ACTUAL_CONTROLLER_OF", "MANAGES", "NAMED"]
# 行政性 / 市场性 / 行业性 / 社会性 / 司法性 (GZ (十); QH adds 司法性); incentives have
# their own type.
MeasureType = Literal["administrative", "market", "industry", "social", "judicial", "incentive"]
Layer = Literal["national", "provincial"]


class ListDef(_Spec):
    """A list (名单) subjects are put on by a deciding department (认定部门)."""

    id: str
    version: date
    name_zh: str
    name_en: str
    # national: kept by a central body under a national rule (the court's list, the tax
    # list); provincial: from the provincial and district documents (domain.md).
    layer: Layer = "provincial"
    # restrict: sanctions (restricted=true); supervise: stricter supervision only
    # (key-attention: "与其失信程度相对应的严格监管措施", never joint punishment);
    # incentive: red lists and the like.
    effect: Literal["restrict", "supervise", "incentive"]
    # The rule of domain.md §9(b) that binds the listed subject itself (e.g. PR7 for
    # the procurement bad-conduct list); person-level rules are in `propagation`.
    rule: str | None = Field(None, pattern=r"^(PR|NR)\d+$")
    # Whether an entry is a 失信记录: feeds PR3/PR4 notifications, grading and the
    # three-clean-years test of the green channel.
    dishonesty_record: bool
    deciding_dept_types: list[str] = Field(min_length=1)
    criteria: str
    criteria_source: str
    verified: bool = Field(True, description="False: the list's document number or criteria are [M].")
    scope: Literal["national", "region_group"] = "national"
    region_group: str | None = None
    subject_kinds: list[SubjectKind] = Field(min_length=1)
    propagation: list[Propagation] = Field(default_factory=list)
    duration: Duration = Duration()
    disclosure_years: int | None = Field(None, ge=1, le=HORIZON_YEARS, description="公开期限; None: while in force.")
    notice_days: int = Field(10, ge=0, description="Days from notification (告知) until the entry takes effect.")
    repairable: bool = True
    exit_rule: str
    exit_source: str
    tasks: list[TaskSpec] = Field(default_factory=list)
    # Listing grounds with their terms (失信名单规定 art. 1-2), removal deadlines
    # (art. 9-10) and who may never be listed (art. 4: minors).
    grounds: list[Ground] = Field(default_factory=list)
    removal: Removal | None = None
    minors_excluded: Quoted | None = None
    # Whether an open objection suspends the entry's measures: the administrative lists'
    # rule ("联合惩戒措施在信息核实期间暂不执行", GZ (十七)). A court's listing or order stays
    # in force while its correction or reconsideration is reviewed.
    objection_suspends: bool = True
    objection_source: str = ""

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
    verified: bool = Field(True, description="False: [M] in national.md, to be confirmed.")
    # Where the implementing departments are bound: None everywhere (a national rule);
    # else the provinces or regions whose document sets the measure.
    applies_in: list[RegionPrefix] | None = None
    # The wording that binds in a region whose own document sets the measure.
    regional: list[RegionalBasis] = Field(default_factory=list)
    # The measure ends this many years after the entry took effect, though the entry may
    # run on (企业信息公示暂行条例 art. 17: a three-year office ban, a five-year list).
    term_years: int | None = Field(None, ge=1, le=HORIZON_YEARS)
    # A consortium (联合体) with any member bound by this measure is bound as a whole
    # (法〔2016〕285号): the batch check answers for the consortium when asked.
    consortium: bool = False
    # The day the rule that sets the measure took effect: an entry binds by it only from then.
    in_force_from: date | None = None
    initiating_dept_types: list[str]
    implementing_dept_types: list[str]

    def applies_to_region(self, region: str | None) -> bool:
        """Whether the measure binds departments in ``region`` (None: some region)."""
        return region is None or self.applies_in is None or any(region.startswith(p) for p in self.applies_in)

    def basis_in(self, region: str | None) -> tuple[str, str, bool]:
        return basis_for(self, region)

    @property
    def always_runs(self) -> bool:
        """No date of its own: the measure runs whenever its entry is in force."""
        return self.in_force_from is None and self.term_years is None

    def runs_on(self, determined: date, on: date) -> bool:
        """Whether the measure binds on ``on`` an entry decided on ``determined``: its rule
        was in force, and a term of its own (shorter than the listing's) has not ended."""
        if self.in_force_from is not None and on < self.in_force_from:
            return False
        return self.term_years is None or on < add_years(determined, self.term_years)


class MeasureFamily(_Spec):
    version: date
    layer: Layer = "provincial"
    list: str
    measures: list[MeasureDef] = Field(min_length=1)


class Catalogue:
    """The validated catalogue: lookups for the rules engine, and its public export."""

    def __init__(self, lists: dict[str, ListDef], families: dict[str, MeasureFamily], rules: RulesDef,
                 action_tree: ActionTree) -> None:
        self.lists = lists
        self.families = families
        self.rules = rules
        self.action_tree = action_tree
        self._matches: dict[tuple[str, str], ActionMatch | None] = {}
        self._by_list: dict[str, list[MeasureDef]] = {}
        for family in families.values():
            self._by_list.setdefault(family.list, []).extend(family.measures)

    def to_dict(self) -> dict:
        return {
            "format": CATALOGUE_FORMAT,
            "lists": {k: v.model_dump(mode="json") for k, v in sorted(self.lists.items())},
            "measures": {k: v.model_dump(mode="json") for k, v in sorted(self.families.items())},
            "rules": self.rules.model_dump(mode="json"),
            "actions": self.action_tree.model_dump(mode="json"),
        }

    @cached_property
    def version(self) -> str:
        """Latest file date plus a digest of the content, e.g. ``2026-11-22+1a2b3c4d``."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False).encode()
        dates = [d.version for d in self.lists.values()] + [f.version for f in self.families.values()]
        latest = max(dates + [self.rules.version, self.action_tree.version])
        return f"{latest.isoformat()}+{hashlib.sha256(canonical).hexdigest()[:8]}"

    @cached_property
    def measures(self) -> list[tuple[str, MeasureDef]]:
        """Every (list id, measure), in file order."""
        return [(f.list, m) for f in self.families.values() for m in f.measures]

    @cached_property
    def actions(self) -> frozenset[str]:
        """Every action code a caller may ask about: the tree's nodes and aliases."""
        return self.action_tree.codes

    @cached_property
    def department_types(self) -> frozenset[str]:
        """Every department type the catalogue names: those that decide a list, those
        that implement a measure, and those a notification goes to (审计部门). A
        registrar key is of one of them."""
        units = {"superior_unit", "employer"}
        return (frozenset(t for d in self.lists.values() for t in d.deciding_dept_types)
                | frozenset(t for _, m in self.measures for t in (*m.initiating_dept_types, *m.implementing_dept_types))
                | frozenset(r for n in self.rules.notifications for r in n.recipients if r not in units))

    @cached_property
    def incentive_actions(self) -> frozenset[str]:
        incentives = frozenset(m.action for _, m in self.measures if m.type == "incentive") | {
            self.rules.green_channel.action}
        return incentives | frozenset(a for a, node in self.action_tree.aliases.items() if node in incentives)

    def match(self, asked: str | None, measure: MeasureDef) -> ActionMatch | None:
        """How ``measure`` bears on the action ``asked`` (None asked: every measure, ``same``)."""
        if asked is None:
            return ActionMatch.same
        key = (asked, measure.action)
        if key not in self._matches:  # a check asks this for every measure of every reason
            self._matches[key] = self.action_tree.match(asked, measure.action)
        return self._matches[key]

    def measures_of(self, list_id: str) -> list[MeasureDef]:
        return self._by_list.get(list_id, [])

    def measures_for(self, list_id: str, role: str, kind: SubjectKind,
                     decided: frozenset[str] | set[str] = frozenset()) -> list[MeasureDef]:
        """Measures of a list that bind a subject of ``kind`` reached in ``role``;
        ``by_decision`` measures only if the entry's decision names their action."""
        decided = {self.action_tree.canonical(a) for a in decided}
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


def _link(folder: Path, lists: dict[str, ListDef], families: dict[str, MeasureFamily], rules: RulesDef,
          tree: ActionTree) -> None:
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
            if measure.action not in tree.nodes:
                hint = f" (an alias of {tree.aliases[measure.action]!r})" if measure.action in tree.aliases else ""
                raise InvalidCatalogue(f"{path}: measures.{i}.action {measure.action!r} is not a node of "
                                       f"actions.yaml{hint}")
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
    actions_path = folder / "actions.yaml"
    if not actions_path.exists():
        raise InvalidCatalogue(f"{actions_path}: missing (the action vocabulary every measure names)")
    tree = _validate(ActionTree, _read(actions_path), actions_path)
    if rules.green_channel.action not in tree.nodes:
        raise InvalidCatalogue(f"{rules_path}: green_channel.action {rules.green_channel.action!r} is not a node "
                               "of actions.yaml")
    _link(folder, lists, families, rules, tree)
    families = {stem: _scoped(family, lists[family.list], rules) for stem, family in families.items()}
    return Catalogue(lists, families, rules, tree)


def _scoped(family: MeasureFamily, list_def: ListDef, rules: RulesDef) -> MeasureFamily:
    """The family with each measure's ``applies_in`` derived from its sources where the
    file does not set it: a measure only provincial documents set binds where they bind.
    A region-group list's measures bind where the group does (its own scope)."""
    if list_def.scope == "region_group":
        return family
    measures = []
    for m in family.measures:
        if m.applies_in is None and not m.regional:
            regions = rules.regions_of_sources(m.source)
            if regions is not None:
                m = m.model_copy(update={"applies_in": regions})
        measures.append(m)
    return family.model_copy(update={"measures": measures})
