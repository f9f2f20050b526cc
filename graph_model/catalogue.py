"""The list and measure catalogue (措施清单): YAML files a policy officer reads and edits.

One file per list (``lists/<id>.yaml``) and one per measure family
(``measures/<id>.yaml``); the file stem is the id. Loading runs in two passes, as
followthemoney's model does: each file is parsed and validated on its own, then a
link pass checks the references between files. Every error names file and field.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from graph_model.errors import InvalidCatalogue
from graph_model.types import RelType, SubjectKind

__all__ = ["CATALOGUE_FORMAT", "Catalogue", "ListDef", "MeasureDef", "Propagation", "load_catalogue"]

# Bump when the shape of the files changes (not for content edits: those change
# the version dates and the digest).
CATALOGUE_FORMAT = 1
BUNDLED_DIR = Path(__file__).parent / "catalogue_data"

# The roles a propagation rule may name: the ones the propagate_roles query matches.
PROPAGATION_ROLES = frozenset({RelType.LEGAL_REP_OF, RelType.PRINCIPAL_OF, RelType.ACTUAL_CONTROLLER_OF,
                               RelType.MANAGES})
Target = Literal["entity", "LEGAL_REP_OF", "PRINCIPAL_OF", "ACTUAL_CONTROLLER_OF", "MANAGES"]
# 行政性 / 市场性 / 行业性 / 社会性 / 司法性 (GZ (十); QH adds 司法性).
MeasureType = Literal["administrative", "market", "industry", "social", "judicial"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Propagation(_Spec):
    """Who besides the listed subject is restricted, by which rule and on what basis."""

    rule: str = Field(pattern=r"^PR\d+$")
    roles: list[RelType]
    # The role must have been held on this date of the entry.
    role_held_on: Literal["determination"] = "determination"
    legal_basis: str
    source: str

    @model_validator(mode="after")
    def _roles_known(self) -> Propagation:
        unknown = set(self.roles) - PROPAGATION_ROLES
        if unknown:
            raise ValueError(f"roles {sorted(unknown)} cannot propagate; allowed: {sorted(PROPAGATION_ROLES)}")
        return self


class ListDef(_Spec):
    """A list (名单) subjects are put on by a deciding department (认定部门)."""

    id: str
    version: date
    name_zh: str
    name_en: str
    deciding_dept_types: list[str]
    criteria: str
    criteria_source: str
    scope: Literal["national"] = "national"
    subject_kinds: list[SubjectKind]
    propagation: Propagation | None = None
    exit_rule: str


class MeasureDef(_Spec):
    """One measure (惩戒措施) with the action code a checking system asks about."""

    id: str
    action: str = Field(pattern=r"^[a-z_]+(\.[a-z_]+)+$")
    name_zh: str
    name_en: str
    domain: str
    type: MeasureType
    targets: list[Target] = Field(min_length=1)
    # Kinds of subject the measure can bind (e.g. travel bans bind persons only).
    subject_kinds: list[SubjectKind] = Field(default_factory=lambda: list(SubjectKind))
    legal_basis: str
    source: str
    initiating_dept_types: list[str]
    implementing_dept_types: list[str]


class MeasureFamily(_Spec):
    version: date
    list: str
    measures: list[MeasureDef] = Field(min_length=1)


class Catalogue:
    """The validated catalogue: lookups for the rules engine, and its public export."""

    def __init__(self, lists: dict[str, ListDef], families: dict[str, MeasureFamily]) -> None:
        self.lists = lists
        self.families = families
        self._by_list: dict[str, list[MeasureDef]] = {}
        for family in families.values():
            self._by_list.setdefault(family.list, []).extend(family.measures)

    def to_dict(self) -> dict:
        return {
            "format": CATALOGUE_FORMAT,
            "lists": {k: v.model_dump(mode="json") for k, v in sorted(self.lists.items())},
            "measures": {k: v.model_dump(mode="json") for k, v in sorted(self.families.items())},
        }

    @cached_property
    def version(self) -> str:
        """Latest file date plus a digest of the content, e.g. ``2026-11-22+1a2b3c4d``."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False).encode()
        latest = max([d.version for d in self.lists.values()] + [f.version for f in self.families.values()])
        return f"{latest.isoformat()}+{hashlib.sha256(canonical).hexdigest()[:8]}"

    @cached_property
    def actions(self) -> frozenset[str]:
        """Every action code some measure names."""
        return frozenset(m.action for f in self.families.values() for m in f.measures)

    def measures_for(self, list_id: str, role: str, kind: SubjectKind) -> list[MeasureDef]:
        """Measures of a list that bind a subject of ``kind`` reached in ``role``."""
        return [m for m in self._by_list.get(list_id, []) if role in m.targets and kind in m.subject_kinds]

    def propagating_lists(self) -> list[ListDef]:
        return [entry for entry in self.lists.values() if entry.propagation]


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

    # Link pass: references between files.
    seen: dict[str, str] = {}
    for stem, family in families.items():
        path = folder / "measures" / f"{stem}.yaml"
        if family.list not in lists:
            raise InvalidCatalogue(f"{path}: list {family.list!r} is not defined in lists/")
        roles = {"entity", *(lists[family.list].propagation.roles if lists[family.list].propagation else [])}
        for i, measure in enumerate(family.measures):
            if measure.id in seen:
                raise InvalidCatalogue(f"{path}: measures.{i}.id {measure.id!r} also defined in {seen[measure.id]}")
            seen[measure.id] = str(path)
            stray = set(measure.targets) - roles
            if stray:
                raise InvalidCatalogue(
                    f"{path}: measures.{i}.targets {sorted(stray)}: list {family.list!r} does not propagate to them"
                )
    return Catalogue(lists, families)
