"""Leads from the roles around listed enterprises: ``phoenix`` and ``shared_controller``.

Pure functions over rows read by ``analysis.lead_reads`` (``leads_listed``,
``leads_ties``, ``leads_roles_taken``). The phoenix detector has two stages because its
second read, the roles taken by the tied subjects since the earliest listing day,
depends on what its first stage found; ``analysis.leads.find_leads`` reads between them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from analysis.provinces import province
from graph_model.leads import Lead, LeadKind, make_lead

__all__ = ["PHOENIX_WINDOW", "TIED_SHARE", "listed_enterprises", "phoenix_leads", "phoenix_since", "phoenix_ties",
           "shared_controllers"]

PHOENIX_WINDOW = dt.timedelta(days=730)
# A shareholder counts as tied to an enterprise from this share (percent) up.
TIED_SHARE = 20.0
_CONTROL_ROLES = ("LEGAL_REP_OF", "PRINCIPAL_OF", "ACTUAL_CONTROLLER_OF")
_ROLE_WEIGHT = {"LEGAL_REP_OF": 1.0, "ACTUAL_CONTROLLER_OF": 1.0, "PRINCIPAL_OF": 0.9, "HOLDS_SHARES": 0.7}

# Tied subject -> (its tie, the entry of the listed enterprise it was tied to that day).
Ties = dict[str, list[tuple[dict, dict]]]


def _valid(row: dict, day: str) -> bool:
    return row["valid_from"] <= day <= row["valid_to"]


def listed_enterprises(listed: list[dict]) -> dict[str, list[dict]]:
    """The entries of listed enterprises that have a region, by enterprise.

    Parameters
    ----------
    listed : list of dict
        ``leads_listed`` rows: ``id``, ``kind``, ``region`` and the entry's fields.

    Returns
    -------
    dict of str to list of dict
        Each enterprise's rows; persons and enterprises without a region are left out.

    Examples
    --------
    >>> rows = [{"id": "E1", "kind": "enterprise", "region": "440305"},
    ...         {"id": "P1", "kind": "person", "region": "110101"}]
    >>> dict(listed_enterprises(rows))
    {'E1': [{'id': 'E1', 'kind': 'enterprise', 'region': '440305'}]}
    """
    by_listed: dict[str, list[dict]] = defaultdict(list)
    for row in listed:
        if row["kind"] == "enterprise" and province(row["region"]):
            by_listed[row["id"]].append(row)
    return by_listed


def phoenix_ties(by_listed: dict[str, list[dict]], ties: list[dict]) -> Ties:
    """Phoenix, first stage: who was tied to a listed enterprise on its listing day.

    Parameters
    ----------
    by_listed : dict of str to list of dict
        Entries of listed enterprises, by enterprise (``listed_enterprises``).
    ties : list of dict
        ``leads_ties`` rows of those enterprises: ``tied``, ``listed``, ``role``,
        ``share``, ``valid_from``, ``valid_to``.

    Returns
    -------
    dict of str to list of tuple
        Each tied subject's (tie, entry) pairs; a holder counts from ``TIED_SHARE`` %.

    Examples
    --------
    >>> by_listed = {"E1": [{"id": "E1", "determined": "2022-03-01"}]}
    >>> ties = [{"tied": "P1", "listed": "E1", "role": "LEGAL_REP_OF", "share": None,
    ...          "valid_from": "2020-01-01", "valid_to": "9999-12-31"},
    ...         {"tied": "P2", "listed": "E1", "role": "HOLDS_SHARES", "share": 5.0,
    ...          "valid_from": "2020-01-01", "valid_to": "9999-12-31"}]
    >>> sorted(phoenix_ties(by_listed, ties))
    ['P1']
    """
    tied_to: Ties = defaultdict(list)
    for tie in ties:
        if tie["role"] == "HOLDS_SHARES" and (tie["share"] or 0) < TIED_SHARE:
            continue
        for entry in by_listed[tie["listed"]]:
            if _valid(tie, entry["determined"]):
                tied_to[tie["tied"]].append((tie, entry))
    return tied_to


def phoenix_since(tied_to: Ties) -> str:
    """The earliest listing day of ``tied_to``: the roles taken from then on are read.

    Parameters
    ----------
    tied_to : dict of str to list of tuple
        The first stage's result (``phoenix_ties``), not empty.

    Returns
    -------
    str
        An ISO day.

    Examples
    --------
    >>> phoenix_since({"P1": [({}, {"determined": "2022-03-01"}), ({}, {"determined": "2021-07-09"})]})
    '2021-07-09'
    """
    return min(entry["determined"] for pairs in tied_to.values() for _, entry in pairs)


def _phoenix_lead(tied: str, tie: dict, entry: dict, role: dict) -> Lead | None:
    """The lead of one role taken after one listing, if it counts as a reappearance."""
    day = dt.date.fromisoformat(entry["determined"])
    home = province(entry["region"])
    start = dt.date.fromisoformat(role["valid_from"])
    elsewhere = province(role["region"])
    if role["taken"] == entry["id"] or not (day < start <= day + PHOENIX_WINDOW):
        return None
    if not elsewhere or elsewhere == home:
        return None
    if role["role"] == "HOLDS_SHARES" and (role["share"] or 0) < TIED_SHARE:
        return None
    new_firm = bool(role["established"]) and role["established"] > entry["determined"]
    soon = 1 - (start - day).days / PHOENIX_WINDOW.days
    score = (0.45 * _ROLE_WEIGHT[role["role"]] + 0.25 * soon + 0.2 * new_firm
             + 0.1 * (entry["state"] in ("active", "notified")))
    return make_lead(LeadKind.phoenix, [tied, role["taken"]], [tied, entry["id"], role["taken"]], score,
                     f"{tied}, {tie['role']} of listed {entry['id']} ({home}) since {tie['valid_from']}, "
                     f"became {role['role']} of {role['taken']} ({elsewhere}) on {role['valid_from']}, "
                     f"{(start - day).days} days after the listing {entry['entry_id']}",
                     {"listed": entry["id"], "entry": entry["entry_id"], "list": entry["list"],
                      "listed_on": entry["determined"], "tie": tie["role"], "new": role["taken"],
                      "new_role": role["role"], "new_from": role["valid_from"],
                      "new_established": role["established"], "days_after": (start - day).days},
                     [home, elsewhere])


def phoenix_leads(tied_to: Ties, taken_rows: list[dict]) -> list[Lead]:
    """Phoenix, second stage: tied subjects that take a role in another province within
    ``PHOENIX_WINDOW`` after the listing; the best lead per (subject, new enterprise).

    Parameters
    ----------
    tied_to : dict of str to list of tuple
        The first stage's result (``phoenix_ties``).
    taken_rows : list of dict
        ``leads_roles_taken`` rows of the tied subjects since ``phoenix_since``.

    Returns
    -------
    list of Lead
        ``phoenix`` leads, keyed by the subject and its new enterprise.

    Examples
    --------
    >>> tie = {"role": "LEGAL_REP_OF", "valid_from": "2020-01-01"}
    >>> entry = {"id": "E1", "entry_id": "N1", "list": "joint_punishment", "region": "440305",
    ...          "determined": "2022-03-01", "state": "active"}
    >>> taken = [{"tied": "P1", "taken": "E2", "region": "110101", "established": "2022-05-01",
    ...           "role": "LEGAL_REP_OF", "share": None, "valid_from": "2022-06-01"}]
    >>> [(lead.key, lead.score, lead.provinces) for lead in phoenix_leads({"P1": [(tie, entry)]}, taken)]
    [(['P1', 'E2'], 0.9685, ['11', '44'])]
    """
    taken = defaultdict(list)
    for row in taken_rows:
        taken[row["tied"]].append(row)
    best: dict[tuple[str, str], Lead] = {}
    for tied, pairs in tied_to.items():
        for tie, entry in pairs:
            for role in taken[tied]:
                lead = _phoenix_lead(tied, tie, entry, role)
                key = (tied, role["taken"])
                if lead is not None and (key not in best or lead.score > best[key].score):
                    best[key] = lead
    return list(best.values())


def shared_controllers(by_listed: dict[str, list[dict]], ties: list[dict]) -> list[Lead]:
    """One person in control of listed enterprises in two or more provinces.

    Parameters
    ----------
    by_listed : dict of str to list of dict
        Entries of listed enterprises, by enterprise (``listed_enterprises``).
    ties : list of dict
        ``leads_ties`` rows of those enterprises (with ``tied_kind``).

    Returns
    -------
    list of Lead
        ``shared_controller`` leads, keyed by the person.

    Examples
    --------
    >>> by_listed = {e: [{"entry_id": f"N{e}", "region": region, "determined": "2022-03-01"}]
    ...              for e, region in (("E1", "440305"), ("E2", "110101"))}
    >>> ties = [{"tied": "P1", "tied_kind": "person", "listed": e, "role": "LEGAL_REP_OF",
    ...          "valid_from": "2020-01-01", "valid_to": "9999-12-31"} for e in ("E1", "E2")]
    >>> [(lead.key, lead.score, lead.summary) for lead in shared_controllers(by_listed, ties)]
    [(['P1'], 1.0, 'P1 controlled 2 listed enterprises in 2 provinces: E1, E2')]
    """
    controls: dict[str, dict[str, dict]] = defaultdict(dict)
    for tie in ties:
        if tie["role"] not in _CONTROL_ROLES or tie["tied_kind"] != "person":
            continue
        for entry in by_listed[tie["listed"]]:
            if _valid(tie, entry["determined"]):
                controls[tie["tied"]][tie["listed"]] = {"role": tie["role"], "entry": entry["entry_id"],
                                                        "region": entry["region"], "listed_on": entry["determined"]}
    leads = []
    for person, firms in controls.items():
        provinces = {province(f["region"]) for f in firms.values()}
        if len(firms) < 2 or len(provinces) < 2:
            continue
        score = min(1.0, 0.3 + 0.2 * len(firms) + 0.15 * len(provinces))
        leads.append(make_lead(LeadKind.shared_controller, [person], [person, *firms], score,
                               f"{person} controlled {len(firms)} listed enterprises in {len(provinces)} provinces: "
                               + ", ".join(sorted(firms)), {"enterprises": firms}, provinces))
    return leads
