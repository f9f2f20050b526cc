"""The shapes shared by the catalogue's files (quoted rules, propagation, durations, tasks)
and the shape of ``rules.yaml``.

Split from ``catalogue`` so each module stays one job: this one holds what a policy
officer writes outside the list and measure files (region groups, notification routes,
grading, the green channel, publication regimes, the provincial documents) and the
quoted-rule shape every file uses.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from graph_model.catalogue.terms import PublicationRegime
from graph_model.vocabulary.days import HORIZON_YEARS
from graph_model.vocabulary.days import add_years
from graph_model.vocabulary.kinds import Ownership

__all__ = ["Action", "Duration", "GreenChannel", "Propagation", "Rule", "Spec", "TaskSpec", "Grading", "Notification", "ProvincialDocument", "Quoted", "RegionGroup", "RegionPrefix",
           "RegionalBasis", "RulesDef", "Tier", "basis_for"]

Action = Field(pattern=r"^[a-z_]+(\.[a-z_]+)*$")
Rule = Field(pattern=r"^(PR|NR)\d+$")
# Where a document binds: a two-digit province code or a six-digit region code (GB/T 2260).
RegionPrefix = Annotated[str, Field(pattern=r"^\d{2}(\d{4})?$")]  # PR: domain.md §9(b); NR: national rules (national.md)


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Quoted(Spec):
    """A rule's wording and where it comes from. ``verified: false`` marks what
    national.md has only from memory ([M]): shown as unverified until a policy officer
    confirms it against the official text."""

    legal_basis: str = Field(min_length=1)
    source: str = Field(min_length=1)
    verified: bool = True


class RegionalBasis(Quoted):
    """The wording of the document that binds in ``regions`` (a provincial or district
    implementation); the item's own ``legal_basis`` is quoted everywhere else."""

    regions: list[RegionPrefix] = Field(min_length=1)



def basis_for(item, region: str | None) -> tuple[str, str, bool]:
    """(legal basis, source, verified) of ``item`` that binds in ``region``: the most
    specific regional wording whose region contains it, else the item's own."""
    if region:
        fits = [(len(p), rb) for rb in item.regional for p in rb.regions if region.startswith(p)]
        if fits:
            rb = max(fits, key=lambda f: f[0])[1]
            return rb.legal_basis, rb.source, rb.verified
    return item.legal_basis, item.source, item.verified


class Propagation(Quoted):
    """Who besides the listed subject is bound, by which rule.

    ``roles`` are role relationships held in the listed enterprise on the
    determination date, or ``NAMED``: the persons the deciding department names
    in its decision. ``ownership`` narrows the rule to listed enterprises of that
    ownership (PR2: SOEs only).
    """

    rule: str = Rule
    roles: list[Literal["LEGAL_REP_OF", "PRINCIPAL_OF", "ACTUAL_CONTROLLER_OF", "MANAGES", "NAMED"]] = Field(
        min_length=1)
    ownership: list[Ownership] = Field(default_factory=list, description="Empty: any ownership.")
    role_held_on: Literal["determination"] = "determination"
    publish: bool = Field(False, description="The persons' names are published (予以公开公示, PR2).")
    regional: list[RegionalBasis] = Field(default_factory=list)

    def basis_in(self, region: str | None) -> tuple[str, str, bool]:
        return basis_for(self, region)


class Duration(Spec):
    """How long an entry binds. The documents give no numbers ("一定期限内"): these are
    parameters with defaults a department may override per entry."""

    default_years: int | None = Field(None, ge=1, le=HORIZON_YEARS, description="None: until repaired or revoked.")
    max_years: int | None = Field(None, ge=1, le=HORIZON_YEARS)
    permanent_allowed: bool = Field(False, description="直至永远逐出市场 (PR5).")
    early_exit_months: int | None = Field(None, ge=1, description="Months after the duty is performed from "
                                          "which the listing may be removed early (人社部令第45号).")
    note: str = ""
    source: str = ""
    verified: bool = True

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

    rule: str = Rule
    kind: str = Field(pattern=r"^[a-z_]+$")
    recipient: Literal["deciding_dept"]


class RegionGroup(Spec):
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


class Tier(Spec):
    name_zh: str
    sampling_multiplier: float = Field(gt=0, description="Applied to the 双随机 base sampling ratio.")
    rule: str


class Grading(Quoted):
    """Three-tier risk grade driving 双随机 sampling (GZ (七), SH-9, PR10/PR12)."""

    base_sampling_ratio: float = Field(gt=0, le=1)
    tiers: dict[Literal["low", "normal", "high"], Tier]


class GreenChannel(Quoted):
    action: str = Action
    clean_years: int = Field(ge=1, le=HORIZON_YEARS, description="连续三年无不良违法失信记录 (GZ (一)).")


class ProvincialDocument(Spec):
    """A provincial or district document and where it binds."""

    name_zh: str
    regions: list[str] = Field(min_length=1)


class RulesDef(Spec):
    version: date
    region_groups: dict[str, RegionGroup]
    notifications: list[Notification]
    grading: Grading
    green_channel: GreenChannel
    # Successive national rules on how long penalty information is published and when
    # it may be repaired; a decision is governed by the one in force on its date.
    publication_regimes: list[PublicationRegime] = Field(default_factory=list)
    # Documents that bind only in their province or district, by document number: a
    # measure whose every source is one of them binds only there (its `applies_in`).
    provincial_documents: dict[str, ProvincialDocument] = Field(default_factory=dict)

    def regions_of_sources(self, source: str) -> list[str] | None:
        """Where the documents ``source`` cites bind, if every one is provincial; None if
        any is national (or not a registered provincial document)."""
        regions: set[str] = set()
        for part in filter(None, (p.strip() for p in source.split(";"))):
            docs = [d for d in self.provincial_documents if d in part]
            if not docs:
                return None
            regions.update(r for d in docs for r in self.provincial_documents[d].regions)
        return sorted(regions) or None
