"""The catalogue in publishable forms: JSON, CSV (one row per measure) and Markdown.

The documents require the measures list to be public and kept current
("编制…措施清单，做好动态更新并向社会公开", GZ (十)); every form names the
catalogue version, which every check answer also names.
"""

from __future__ import annotations

import csv
import io
import json

from graph_model.catalogue.model import Catalogue

__all__ = ["FORMATS", "render"]

CSV_COLUMNS = ("catalogue_version", "list", "list_name_zh", "list_effect", "scope", "measure", "action", "name_zh",
               "name_en", "domain", "type", "targets", "subject_kinds", "applies", "legal_basis", "source",
               "initiating_dept_types", "implementing_dept_types", "layer", "applies_in", "verified", "in_force_from",
               "term_years")


def _json(catalogue: Catalogue) -> str:
    return json.dumps({"version": catalogue.version, **catalogue.to_dict()}, ensure_ascii=False, indent=2) + "\n"


def _csv(catalogue: Catalogue) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for list_id, m in catalogue.measures:
        list_def = catalogue.lists[list_id]
        scope = list_def.region_group or list_def.scope
        writer.writerow((catalogue.version, list_id, list_def.name_zh, list_def.effect, scope, m.id, m.action,
                         m.name_zh, m.name_en, m.domain, m.type, ";".join(m.targets),
                         ";".join(k.value for k in m.subject_kinds), m.applies, m.legal_basis, m.source,
                         ";".join(m.initiating_dept_types), ";".join(m.implementing_dept_types),
                         list_def.layer, ";".join(m.applies_in or []), m.verified,
                         m.in_force_from.isoformat() if m.in_force_from else "", m.term_years or ""))
    return out.getvalue()


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _tree(catalogue: Catalogue) -> list[str]:
    """The action tree, one node a line, indented by depth, with how many measures name it."""
    tree = catalogue.action_tree
    counts: dict[str, int] = {}
    for _, m in catalogue.measures:
        counts[m.action] = counts.get(m.action, 0) + 1
    lines = ["## 行为代码树 Action tree", "",
             "Asking about a node matches measures on it, on its ancestors (broader) and on its descendants "
             "(narrower).", ""]
    for code in sorted(tree.nodes):
        depth = code.count(".")
        node = tree.nodes[code]
        lines.append(f"{'  ' * depth}- `{code}` {node.name_zh} — {node.name_en}"
                     + (f" ({counts[code]} measures)" if counts.get(code) else ""))
    if tree.aliases:
        lines += ["", "Old codes still answered: " + ", ".join(f"`{a}` → `{t}`" for a, t in sorted(tree.aliases.items()))]
    return lines + [""]


def _unverified(catalogue: Catalogue) -> list[str]:
    """Every item the catalogue marks unverified ([M] in national.md)."""
    rows = []
    for list_id, list_def in sorted(catalogue.lists.items()):
        if not list_def.verified:
            rows.append(f"- list `{list_id}`: {list_def.criteria_source}")
        if not list_def.duration.verified:
            rows.append(f"- list `{list_id}` duration: {_cell(list_def.duration.note)} ({list_def.duration.source})")
        rows += [f"- list `{list_id}` rule {p.rule}: {p.source}" for p in list_def.propagation if not p.verified]
        if list_def.minors_excluded and not list_def.minors_excluded.verified:
            rows.append(f"- list `{list_id}` minors: {list_def.minors_excluded.source} (wording)")
        rows += [f"- list `{list_id}` ground {g.code}: {g.source}" for g in list_def.grounds if not g.verified]
    rows += [f"- measure `{m.id}`: {m.source}" for _, m in catalogue.measures if not m.verified]
    rows += [f"- publication rule `{r.id}`: {r.source}" for r in catalogue.rules.publication_regimes if not r.verified]
    if not rows:
        return []
    return ["## 待核 Unverified (from memory: to be confirmed against the official text)", "", *rows, ""]


def _markdown(catalogue: Catalogue) -> str:
    lines = [f"# 联合奖惩措施清单 — sanctionnet catalogue {catalogue.version}", "",
             f"{len(catalogue.lists)} lists, {len(catalogue.measures)} measures.", ""]
    lines += _tree(catalogue) + _unverified(catalogue)
    for list_id, list_def in sorted(catalogue.lists.items()):
        duration = list_def.duration
        term = ("permanent allowed; " if duration.permanent_allowed else "") + (
            f"default {duration.default_years} years" if duration.default_years else "until repaired or revoked")
        lines += [f"## {list_def.name_zh} (`{list_id}`)", "", f"*{list_def.name_en}* — {list_def.layer}; effect: {list_def.effect}"
                  + (f"; rule {list_def.rule}" if list_def.rule else ""), "",
                  f"- Deciding departments: {'、'.join(list_def.deciding_dept_types)}",
                  f"- Criteria: {_cell(list_def.criteria)} ({list_def.criteria_source})",
                  f"- Applies: {list_def.region_group or 'nationwide'}; subjects: "
                  f"{', '.join(k.value for k in list_def.subject_kinds)}",
                  f"- Duration: {term}; notice {list_def.notice_days} days; disclosure "
                  f"{str(list_def.disclosure_years) + ' years' if list_def.disclosure_years else 'while in force'}",
                  f"- Exit: {_cell(list_def.exit_rule)} ({list_def.exit_source})"]
        for rule in list_def.propagation:
            lines.append(f"- {rule.rule}: binds {', '.join(rule.roles)}"
                         + (f" of {'/'.join(rule.ownership)} enterprises" if rule.ownership else "")
                         + (", names published" if rule.publish else "") + f" — {_cell(rule.legal_basis)} ({rule.source})")
        measures = catalogue.measures_of(list_id)
        if measures:
            lines += ["", "| action | measure | type | targets | applies | binds in | legal basis | source | "
                          "implemented by |", "|---|---|---|---|---|---|---|---|---|"]
            lines += [f"| `{m.action}` | {m.name_zh} | {m.type} | {', '.join(m.targets)} | {m.applies}"
                      + (f", from {m.in_force_from}" if m.in_force_from else "")
                      + (f", {m.term_years} years" if m.term_years else "")
                      + f" | {'、'.join(m.applies_in) if m.applies_in else 'nationwide'} | "
                      f"{_cell(m.legal_basis)}{'' if m.verified else ' **(unverified)**'} | {_cell(m.source)} | "
                      f"{'、'.join(m.implementing_dept_types)} |" for m in measures]
        lines.append("")
    return "\n".join(lines)


FORMATS = {"json": _json, "csv": _csv, "md": _markdown}


def render(catalogue: Catalogue, fmt: str) -> str:
    return FORMATS[fmt](catalogue)
