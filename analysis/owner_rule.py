"""The rule of ultimate owners, and what a subject controls, over rows read: pure.

**Ultimate owners** follow article 6 of the 2024 PBOC/SAMR rule (受益所有人信息管理办法),
whose first two conditions add up: natural persons with at least 25 % integrated
equity (and public bodies, as state owners), and those who control the subject:
registered actual controllers, and persons or public bodies whose holdings and
controlled enterprises (registrations of controllers of holding companies included)
together hold a majority, chain by chain. Only when nobody meets either, the senior
managers (legal representative, principal, managers). Profit rights and votes are not
in our data; board control is not derived.

The owners' answer has stages, as what ``analysis.owners`` reads next depends on what
was found: the holders, then their registered controllers, then the senior managers.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

import networkx as nx

from analysis.ownership import control_chains, holdings_from_rows, integrated_shares, percent
from analysis.ownership_answers import (Chain, Controlled, ControlledAnswer, Holder, Owner, OwnerBasis, OwnerRule,
                                        OwnersAnswer, Party)
from graph_model.vocabulary.kinds import SubjectKind

__all__ = ["OwnerNetwork", "controlled_answer", "owner_network", "owners_answer", "with_senior_managers"]

EQUITY_THRESHOLD = Fraction(25, 100)
# Evidence paths given per owner, strongest first, from at most this many simple paths.
MAX_PATHS, PATHS_SEARCHED = 5, 200


@dataclass
class OwnerNetwork:
    """Everyone above a target: the holdings graph, its parties and the holders' shares."""

    target: str
    graph: nx.DiGraph
    warnings: list[str]
    parties: dict[str, Party]
    shares: dict[str, Fraction]
    holders: list[Holder]

    @property
    def registration_targets(self) -> set[str]:
        """The target and every enterprise above it: a person registered as controller
        of a holding company controls what it holds a majority of."""
        return {self.target} | {i for i, p in self.parties.items() if p.kind is SubjectKind.enterprise}


def _party(row: dict) -> Party:
    return Party(id=row["id"], kind=row["kind"], name=row["name"] or "")


def _subject(row: dict) -> Party:
    return Party(id=row["id"], kind=row["kind"], name=row.get("name") or "")


def _chains(graph: nx.DiGraph, source: str, target: str) -> list[Chain]:
    found = []
    for path in itertools.islice(nx.all_simple_paths(graph, source, target), PATHS_SEARCHED):
        product = Fraction(1)
        for a, b in itertools.pairwise(path):
            product *= graph[a][b]["w"]
        found.append((product, path))
    found.sort(key=lambda item: (-item[0], item[1]))
    return [Chain(ids=path, share=percent(product)) for product, path in found[:MAX_PATHS]]


def _chain_share(graph: nx.DiGraph, chain: list[str]) -> float:
    product = Fraction(1)
    for a, b in itertools.pairwise(chain):
        product *= graph[a][b]["w"] if graph.has_edge(a, b) else Fraction(0)
    return percent(product)


def owner_network(target: str, rows: list[dict]) -> OwnerNetwork:
    """Owners, first stage: the holders of ``target``, with their integrated shares.

    Parameters
    ----------
    target : str
        The subject whose owners are wanted.
    rows : list of dict
        ``holders_of`` rows from ``target`` up (``walk_holders``): ``owner``,
        ``owner_kind``, ``owner_name``, ``owned``, ``share``.

    Returns
    -------
    OwnerNetwork
        Whose ``registration_targets`` are where registered controllers are read.

    Raises
    ------
    OwnershipLoop
        When a group of the holders owns all of itself.

    Examples
    --------
    >>> network = owner_network("E1", [
    ...     {"owner": "H1", "owner_kind": "enterprise", "owner_name": "H1", "owned": "E1", "share": 60},
    ...     {"owner": "P1", "owner_kind": "person", "owner_name": "张三", "owned": "H1", "share": 50}])
    >>> [(h.subject.id, h.share) for h in network.holders], sorted(network.registration_targets)
    ([('H1', 60.0), ('P1', 30.0)], ['E1', 'H1'])
    """
    graph, warnings = holdings_from_rows(rows)
    parties = {row["owner"]: Party(id=row["owner"], kind=row["owner_kind"], name=row["owner_name"] or "")
               for row in rows}
    shares = integrated_shares(graph, target)
    holders = sorted((Holder(subject=parties[i], share=percent(s), paths=_chains(graph, i, target))
                      for i, s in shares.items() if i in parties),
                     key=lambda h: (-h.share, h.subject.id))
    return OwnerNetwork(target, graph, warnings, parties, shares, holders)


def owners_answer(subject: dict, on: dt.date, network: OwnerNetwork, registered_rows: list[dict]) -> OwnersAnswer:
    """Owners, second stage: equity, then control by anyone not already named.

    Parameters
    ----------
    subject : dict
        The stored subject's row (``id``, ``kind``, ``name``).
    on : datetime.date
        The day asked about.
    network : OwnerNetwork
        The first stage's result (``owner_network``).
    registered_rows : list of dict
        ``registered_controllers_of`` rows of its ``registration_targets``: ``id``,
        ``kind``, ``name``, ``controlled``.

    Returns
    -------
    OwnersAnswer
        With rule None when nobody meets either condition (see ``with_senior_managers``).

    Examples
    --------
    >>> network = owner_network("E1", [
    ...     {"owner": "H1", "owner_kind": "enterprise", "owner_name": "H1", "owned": "E1", "share": 60},
    ...     {"owner": "P1", "owner_kind": "person", "owner_name": "张三", "owned": "H1", "share": 10}])
    >>> registered = [{"id": "P2", "kind": "person", "name": "李四", "controlled": "H1"}]
    >>> answer = owners_answer({"id": "E1", "kind": "enterprise"}, dt.date(2024, 6, 1), network, registered)
    >>> answer.rule.value, [(o.subject.id, o.basis.value, o.paths[0].ids) for o in answer.ultimate_owners]
    ('ownership_or_control', [('P2', 'majority_control', ['P2', 'H1', 'E1'])])
    """
    graph, target, parties, shares = network.graph, network.target, dict(network.parties), network.shares
    by_id = {h.subject.id: h for h in network.holders}
    registered: dict[str, set[str]] = defaultdict(set)
    for row in registered_rows:
        registered[row["id"]].add(row["controlled"])
        parties.setdefault(row["id"], _party(row))
    ultimate: list[Owner] = []
    for holder in network.holders:
        if shares[holder.subject.id] >= EQUITY_THRESHOLD and holder.subject.kind is not SubjectKind.enterprise:
            basis = OwnerBasis.equity if holder.subject.kind is SubjectKind.person else OwnerBasis.state
            ultimate.append(Owner(**holder.model_dump(), basis=basis))
    named = {o.subject.id for o in ultimate}
    top = sorted(i for i, p in parties.items() if p.kind is not SubjectKind.enterprise and i not in named)
    for cid in top:
        chain = control_chains(graph, cid, registered).get(target)
        if not chain:
            continue
        held = by_id.get(cid)
        direct = len(chain) == 2 and target in registered.get(cid, ())
        ultimate.append(Owner(subject=parties[cid], share=held.share if held else 0.0,
                              paths=[Chain(ids=chain, share=_chain_share(graph, chain))],
                              basis=OwnerBasis.registered_control if direct else OwnerBasis.majority_control,
                              role="ACTUAL_CONTROLLER_OF" if direct else None))
    return OwnersAnswer(subject=_subject(subject), date=on, rule=OwnerRule.ownership_or_control if ultimate else None,
                        ultimate_owners=ultimate, holders=network.holders, warnings=network.warnings)


def with_senior_managers(answer: OwnersAnswer, officer_rows: list[dict]) -> OwnersAnswer:
    """Owners, third stage, when nobody meets the rule: the senior managers.

    Parameters
    ----------
    answer : OwnersAnswer
        The second stage's answer, with no ultimate owner.
    officer_rows : list of dict
        ``officers_of`` rows of the subject: ``id``, ``kind``, ``name``, ``role``.

    Returns
    -------
    OwnersAnswer
        With the persons among them, by role and id, and rule ``senior_manager``; rule
        None when there are none.

    Examples
    --------
    >>> answer = OwnersAnswer(subject=Party(id="E1", kind="enterprise"), date=dt.date(2024, 6, 1), rule=None,
    ...                       ultimate_owners=[], holders=[])
    >>> officers = [{"id": "P1", "kind": "person", "name": "张三", "role": "LEGAL_REP_OF"}]
    >>> answer = with_senior_managers(answer, officers)
    >>> answer.rule.value, [(o.subject.id, o.role) for o in answer.ultimate_owners]
    ('senior_manager', [('P1', 'LEGAL_REP_OF')])
    """
    by_id = {h.subject.id: h for h in answer.holders}
    ultimate = [Owner(subject=_party(row), share=by_id[row["id"]].share if row["id"] in by_id else 0.0,
                      basis=OwnerBasis.senior_manager, role=row["role"])
                for row in sorted(officer_rows, key=lambda r: (r["role"], r["id"]))
                if row["role"] != "ACTUAL_CONTROLLER_OF" and row["kind"] == SubjectKind.person]
    return answer.model_copy(update={"ultimate_owners": ultimate,
                                     "rule": OwnerRule.senior_manager if ultimate else None})


def controlled_answer(subject: dict, on: dt.date, rows: list[dict], registered_rows: list[dict]) -> ControlledAnswer:
    """Everything ``subject`` controls, from the rows of the walk down from it.

    Parameters
    ----------
    subject : dict
        The stored subject's row (``id``, ``kind``, ``name``).
    on : datetime.date
        The day asked about.
    rows : list of dict
        ``holdings_of`` rows (``walk_control``): ``owner``, ``owned``, ``owned_kind``,
        ``owned_name``, ``share``.
    registered_rows : list of dict
        ``registered_controlled`` rows: ``controller``, ``controlled``, ``kind``, ``name``.

    Returns
    -------
    ControlledAnswer
        By length of the chain, then id.

    Examples
    --------
    >>> rows = [{"owner": "P1", "owned": "E1", "owned_kind": "enterprise", "owned_name": "E1", "share": 60}]
    >>> registered = [{"controller": "E1", "controlled": "E2", "kind": "enterprise", "name": "E2"}]
    >>> answer = controlled_answer({"id": "P1", "kind": "person"}, dt.date(2024, 6, 1), rows, registered)
    >>> [(c.subject.id, c.basis.value, c.share, c.via) for c in answer.controlled]
    [('E1', 'majority_control', 60.0, ['P1', 'E1']), ('E2', 'registered_control', 0.0, ['P1', 'E1', 'E2'])]
    """
    source = subject["id"]
    parties = {row["owned"]: Party(id=row["owned"], kind=row["owned_kind"], name=row["owned_name"] or "")
               for row in rows}
    registered: dict[str, set[str]] = defaultdict(set)
    for row in registered_rows:
        parties.setdefault(row["controlled"], _party({**row, "id": row["controlled"]}))
        registered[row["controller"]].add(row["controlled"])
    graph, warnings = holdings_from_rows(rows)
    chains = control_chains(graph, source, registered)
    shares = integrated_shares(graph.reverse(copy=False), source)
    found = []
    for company, chain in chains.items():
        by_registration = chain[-1] in registered.get(chain[-2], ())
        found.append(Controlled(subject=parties[company], share=percent(shares.get(company, Fraction(0))), via=chain,
                                basis=OwnerBasis.registered_control if by_registration else OwnerBasis.majority_control))
    found.sort(key=lambda c: (len(c.via), c.subject.id))
    return ControlledAnswer(subject=_subject(subject), date=on, controlled=found, warnings=warnings)
