"""Small builders for planted bundles: a test states its graph in a few lines."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml

from graph_model.identity.identifiers import make_resident_id, make_uscc
from loaders.rows import COLUMNS, OPTIONAL_COLUMNS

__all__ = ["Bundle", "edit_yaml"]


@dataclass
class Bundle:
    """Rows of the three bundle files; ``write`` puts them in a folder."""

    subjects: list[dict] = field(default_factory=list)
    relations: list[dict] = field(default_factory=list)
    entries: list[dict] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    def enterprise(self, sid: str, name: str | None = None, *, region: str = "230103",
                   ownership: str = "private") -> str:
        self.subjects.append({"id": sid, "kind": "enterprise", "name": name or f"{sid}有限公司",
                              "uscc": make_uscc(self.rng, region), "region": region, "ownership": ownership,
                              "established": "2010-01-01", "status": "active"})
        return sid

    def person(self, sid: str, name: str | None = None, *, region: str = "110101",
               id_number: str | None = None) -> tuple[str, str]:
        """A person; returns (id, resident ID number)."""
        # A birth date per person keeps generated ID numbers distinct.
        born = date(1975, 5, 17) + timedelta(days=len(self.subjects))
        id_number = id_number or make_resident_id(self.rng, region, born, male=True)
        self.subjects.append({"id": sid, "kind": "person", "name": name or f"人{sid}", "id_number": id_number,
                              "region": region})
        return sid, id_number

    def role(self, from_id: str, type_: str, to_id: str, valid_from: str = "", valid_to: str = "",
             share: str = "", title: str = "") -> None:
        self.relations.append({"from_id": from_id, "to_id": to_id, "type": type_, "share": share,
                               "valid_from": valid_from, "valid_to": valid_to, "title": title})

    def entry(self, entry_id: str, subject_id: str, *, determined: str = "2022-03-01", state: str = "active",
              valid_to: str = "", list_: str = "joint_punishment", state_since: str = "",
              named: str = "", measures: str = "", permanent: str = "", region: str = "230000") -> None:
        """An entry; a state other than active defaults to having begun on 2024-01-01."""
        if not state_since and state not in ("active", "expired", "proposed"):
            state_since = "2024-01-01"
        self.entries.append({"entry_id": entry_id, "subject_id": subject_id, "list": list_,
                             "deciding_dept": "哈尔滨市南岗区人民法院", "basis": f"（2022）黑0103执{entry_id}号",
                             "basis_kind": "judgment", "determined": determined, "state": state,
                             "valid_to": valid_to, "region": region, "state_since": state_since, "named": named,
                             "measures": measures, "permanent": permanent})

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, rows in (("subjects.csv", self.subjects), ("relations.csv", self.relations),
                           ("entries.csv", self.entries)):
            with open(folder / name, "w", newline="", encoding="utf-8") as handle:
                columns = COLUMNS[name] + OPTIONAL_COLUMNS.get(name, ())
                writer = csv.DictWriter(handle, fieldnames=columns)
                writer.writeheader()
                for row in rows:
                    writer.writerow({c: row.get(c, "") for c in columns})
        return folder


def edit_yaml(path: Path, change) -> None:
    """Apply ``change`` to the YAML file's data and write it back (a catalogue file a test edits)."""
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
