"""Who is behind whom: integrated ownership, ultimate owners, and what a subject controls.

**Integrated ownership.** With A[i][j] the share i holds directly in j, the share i
holds in j along every chain is T = A + A² + ... = A(I−A)⁻¹: shares multiply along a
path and add across paths. Cross-holdings make the paths infinite, so T is solved,
not walked: the holdings are split into strongly connected parts (networkx), taken
from the target outwards, and each part's small linear system is solved by Gaussian
elimination over fractions. Shares are read as exact decimals (33.33 % is 3333/10000),
so the result is exact; a group of enterprises that owns all of itself has no
solution and is reported as such.

**Ultimate owners** follow article 6 of the 2024 PBOC/SAMR rule (受益所有人信息管理办法),
whose first two conditions add up: natural persons with at least 25 % integrated
equity (and public bodies, as state owners), and those who control the subject:
registered actual controllers, and persons or public bodies whose holdings and
controlled enterprises (registrations of controllers of holding companies included)
together hold a majority, chain by chain. Only when nobody meets either, the senior
managers (legal representative, principal, managers). Profit rights and votes are not in our data; board control is
not derived.

**Control.** A subject controls an enterprise when it, together with the enterprises
it already controls, holds more than half of it, or when it is registered as its
actual controller; control is followed down to a fixed point.

The network is read from the store one level per query (``cypher/ownership.cypher``)
and analysed in memory.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from enum import StrEnum
from fractions import Fraction

import networkx as nx
from pydantic import BaseModel, Field

from graph_model.errors import InvalidInput
from graph_model.store.base import Store, batched
from graph_model.vocabulary.kinds import SubjectKind

__all__ = ["ControlledAnswer", "OwnerBasis", "OwnerRule", "OwnersAnswer", "OwnershipLoop", "control_chains", "controlled",
           "holdings_from_rows", "integrated_shares", "owners", "percent", "shares_below"]

EQUITY_THRESHOLD = Fraction(25, 100)
MAJORITY = Fraction(1, 2)
# Evidence paths given per owner, strongest first, from at most this many simple paths.
MAX_PATHS, PATHS_SEARCHED = 5, 200
# A walk that reaches more subjects than this stops with an error instead of going on.
MAX_SUBJECTS = 50_000
_BATCH = 5_000


class OwnershipLoop(InvalidInput):
    """A group of holdings that owns all of itself: no integrated share exists."""


class Party(BaseModel):
    id: str
    kind: SubjectKind
    name: str = ""


class OwnerBasis(StrEnum):
    equity = "equity"  # a natural person with >= 25 % integrated equity
    state = "state"  # a public body with >= 25 % integrated equity
    registered_control = "registered_control"  # registered ACTUAL_CONTROLLER_OF
    majority_control = "majority_control"  # majority held through controlled enterprises
    senior_manager = "senior_manager"  # legal representative, principal or manager


class OwnerRule(StrEnum):
    ownership_or_control = "ownership_or_control"  # 25 % equity, or control: the conditions add up
    senior_manager = "senior_manager"  # nobody meets either: the senior managers


class Chain(BaseModel):
    ids: list[str] = Field(description="From the owner to the subject (or the subject to what it controls).")
    share: float = Field(description="Product of the direct shares along the chain, in percent.")


class Holder(BaseModel):
    subject: Party
    share: float = Field(description="Integrated share in percent: every chain, cycles included.")
    paths: list[Chain] = Field(default_factory=list, description="The strongest simple chains, as evidence.")


class Owner(Holder):
    basis: OwnerBasis
    role: str | None = Field(None, description="The registered role, for controllers and managers.")


class OwnersAnswer(BaseModel):
    subject: Party
    date: dt.date
    rule: OwnerRule | None = Field(description="ownership_or_control (equity and control add up), or "
                                               "senior_manager when nobody meets either; None: nobody found.")
    ultimate_owners: list[Owner]
    holders: list[Holder] = Field(description="Everyone with an integrated share, largest first.")
    warnings: list[str] = Field(default_factory=list)


class Controlled(BaseModel):
    subject: Party
    basis: OwnerBasis
    share: float = Field(description="The controller's integrated share in percent.")
    via: list[str] = Field(description="The chain of control from the controller to this subject.")


class ControlledAnswer(BaseModel):
    subject: Party
    date: dt.date
    controlled: list[Controlled]
    warnings: list[str] = Field(default_factory=list)


def _fraction(share: float | int | None) -> Fraction:
    # The decimal as written (33.33 -> 3333/10000), not the float's binary value.
    return Fraction(str(share or 0)) / 100


def percent(value: Fraction) -> float:
    """A fraction as a percentage, rounded to six places."""
    return round(float(value * 100), 6)


def _solve(matrix: list[list[Fraction]], members: list[str]) -> list[Fraction]:
    """Gauss-Jordan elimination of an augmented square system, exactly."""
    k = len(matrix)
    for col in range(k):
        pivot = next((r for r in range(col, k) if matrix[r][col] != 0), None)
        if pivot is None:
            raise OwnershipLoop(f"{', '.join(sorted(members))} hold all of one another: no integrated share exists")
        matrix[col], matrix[pivot] = matrix[pivot], matrix[col]
        row = [value / matrix[col][col] for value in matrix[col]]
        matrix[col] = row
        for r in range(k):
            factor = matrix[r][col]
            if r != col and factor:
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], row)]
    return [matrix[r][k] for r in range(k)]


def integrated_shares(graph: nx.DiGraph, root: str) -> dict[str, Fraction]:
    """For every node with a path to ``root``: the sum over all walks from it to
    ``root`` of the product of the edges' ``w``. That is column ``root`` of A(I−A)⁻¹
    when edges point from holder to held, and row ``root`` when they are reversed."""
    if root not in graph:
        return {}
    sub = graph.subgraph(nx.ancestors(graph, root) | {root})
    parts = nx.condensation(sub)
    value: dict[str, Fraction] = {}
    # Holders point at what they hold, so a part's edges lead to parts solved before it.
    for part in reversed(list(nx.topological_sort(parts))):
        members = sorted(parts.nodes[part]["members"])
        index = {node: i for i, node in enumerate(members)}
        k = len(members)
        # x_i = sum over i's edges (i -> j, w) of w * ([j is root] + x_j)
        matrix = [[Fraction(int(i == j)) for j in range(k)] + [Fraction(0)] for i in range(k)]
        for node in members:
            row = matrix[index[node]]
            for _, target, w in sub.out_edges(node, data="w"):
                if target == root:
                    row[k] += w
                if target in index:
                    row[index[target]] -= w
                else:
                    row[k] += w * value[target]
        value.update(zip(members, _solve(matrix, members)))
    value.pop(root, None)
    return value


def shares_below(graph: nx.DiGraph, source: str, rank: dict[str, int]) -> dict[str, Fraction]:
    """``source``'s integrated share in everything below it (row ``source`` of
    A(I−A)⁻¹, edges holder -> held with ``w``) when nothing below it is on a cycle:
    one pass in ``rank`` order, where every holder ranks before what it holds. The
    graph-wide derivation calls this for each of 10⁵ holders, where solving part by
    part (integrated_shares) costs a condensation each time."""
    value = {source: Fraction(1)}
    for node in sorted(nx.descendants(graph, source), key=rank.__getitem__):
        value[node] = sum((value[h] * graph[h][node]["w"] for h in graph.predecessors(node) if h in value),
                          Fraction(0))
    del value[source]
    return value


def _chains(graph: nx.DiGraph, source: str, target: str) -> list[Chain]:
    found = []
    for path in itertools.islice(nx.all_simple_paths(graph, source, target), PATHS_SEARCHED):
        product = Fraction(1)
        for a, b in itertools.pairwise(path):
            product *= graph[a][b]["w"]
        found.append((product, path))
    found.sort(key=lambda item: (-item[0], item[1]))
    return [Chain(ids=path, share=percent(product)) for product, path in found[:MAX_PATHS]]


def _party(row: dict) -> Party:
    return Party(id=row["id"], kind=row["kind"], name=row["name"] or "")


def _subject(row: dict) -> Party:
    return Party(id=row["id"], kind=row["kind"], name=row.get("name") or "")


def _walk(store: Store, query: str, starts: set[str], on: dt.date, far: str, seen: set[str]) -> list[dict]:
    """Rows of ``query`` from ``starts`` outwards, level by level, until nothing new;
    ``seen`` (the subjects already walked) grows as it goes."""
    seen |= starts
    start, frontier, rows = min(starts), set(starts), []
    while frontier:
        found = [row for batch in batched(sorted(frontier), _BATCH)
                 for row in store.read(query, ids=batch, on=on.isoformat())]
        rows += found
        frontier = {row[far] for row in found} - seen
        seen |= frontier
        if len(seen) > MAX_SUBJECTS:
            raise InvalidInput(f"the holdings around {start} reach more than {MAX_SUBJECTS:,} subjects; "
                               "this analysis is for one network, not the whole graph")
    return rows


def holdings_from_rows(rows: Iterable[dict]) -> tuple[nx.DiGraph, list[str]]:
    """Holder -> held, with ``w`` the direct share as a fraction (periods of one pair in
    force at once added), ``since`` the earliest of their starts and ``owner_kind`` where
    the rows give them; and warnings for enterprises whose holders add up to over 100 %."""
    graph = nx.DiGraph()
    for row in rows:
        a, b = row["owner"], row["owned"]
        if graph.has_edge(a, b):
            edge = graph[a][b]
            edge["w"] += _fraction(row["share"])
            if "valid_from" in row:
                edge["since"] = min(edge["since"], row["valid_from"])
        else:
            graph.add_edge(a, b, w=_fraction(row["share"]), since=row.get("valid_from"),
                           owner_kind=row.get("owner_kind"))
    warnings = []
    for node in graph:
        total = sum((w for _, _, w in graph.in_edges(node, data="w")), Fraction(0))
        if total > 1:
            warnings.append(f"the holdings in {node} add up to {percent(total)} %")
    return graph, sorted(warnings)


def control_chains(graph: nx.DiGraph, controller: str, registered: dict[str, set[str]] | None = None,
                    ) -> dict[str, list[str]]:
    """Everything ``controller`` controls in ``graph`` (holder -> held), each with a
    chain of control from the controller: a majority held by the controller and what
    it already controls, or a registered controllership; to a fixed point."""
    registered = registered or {}
    chain: dict[str, list[str]] = {controller: [controller]}
    held: dict[str, Fraction] = defaultdict(Fraction)
    biggest: dict[str, tuple[Fraction, str]] = {}
    frontier = [controller]
    while frontier:
        new = []
        for member in frontier:
            for _, company, w in (graph.out_edges(member, data="w") if member in graph else ()):
                held[company] += w
                if company not in biggest or w > biggest[company][0]:
                    biggest[company] = (w, member)
                if company not in chain and held[company] > MAJORITY:
                    chain[company] = chain[biggest[company][1]] + [company]
                    new.append(company)
            for company in sorted(registered.get(member, ())):
                if company not in chain:
                    chain[company] = chain[member] + [company]
                    new.append(company)
        frontier = new
    del chain[controller]
    return chain


def owners(store: Store, subject: dict, on: dt.date | None = None) -> OwnersAnswer:
    """The ultimate owners of ``subject`` (a stored subject's row) on ``on``."""
    on = on or dt.date.today()
    target = subject["id"]
    rows = _walk(store, "holders_of", {target}, on, "owner", set())
    graph, warnings = holdings_from_rows(rows)
    parties = {row["owner"]: Party(id=row["owner"], kind=row["owner_kind"], name=row["owner_name"] or "")
               for row in rows}
    shares = integrated_shares(graph, target)
    holders = sorted((Holder(subject=parties[i], share=percent(s), paths=_chains(graph, i, target))
                      for i, s in shares.items() if i in parties),
                     key=lambda h: (-h.share, h.subject.id))
    by_id = {h.subject.id: h for h in holders}
    # Registered controllers of the subject and of every enterprise above it: a person
    # registered as controller of a holding company controls what it holds a majority of.
    registered: dict[str, set[str]] = defaultdict(set)
    upstream = {target} | {i for i, p in parties.items() if p.kind is SubjectKind.enterprise}
    for batch in batched(sorted(upstream), _BATCH):
        for row in store.read("registered_controllers_of", ids=batch, on=on.isoformat()):
            registered[row["id"]].add(row["controlled"])
            parties.setdefault(row["id"], _party(row))
    # The rule's conditions add up: equity, then control by anyone not already named.
    ultimate: list[Owner] = []
    for holder in holders:
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
    rule: OwnerRule | None = OwnerRule.ownership_or_control if ultimate else None
    if not ultimate:
        officers = store.read("officers_of", id=target, on=on.isoformat())
        ultimate = [Owner(subject=_party(row), share=by_id[row["id"]].share if row["id"] in by_id else 0.0,
                          basis=OwnerBasis.senior_manager, role=row["role"])
                    for row in sorted(officers, key=lambda r: (r["role"], r["id"]))
                    if row["role"] != "ACTUAL_CONTROLLER_OF" and row["kind"] == SubjectKind.person]
        rule = OwnerRule.senior_manager if ultimate else None
    return OwnersAnswer(subject=_subject(subject), date=on,
                        rule=rule, ultimate_owners=ultimate, holders=holders, warnings=warnings)


def _chain_share(graph: nx.DiGraph, chain: list[str]) -> float:
    product = Fraction(1)
    for a, b in itertools.pairwise(chain):
        product *= graph[a][b]["w"] if graph.has_edge(a, b) else Fraction(0)
    return percent(product)


def controlled(store: Store, subject: dict, on: dt.date | None = None) -> ControlledAnswer:
    """Everything ``subject`` controls on ``on``, directly or through chains."""
    on = on or dt.date.today()
    source = subject["id"]
    walked: set[str] = set()
    rows = _walk(store, "holdings_of", {source}, on, "owned", walked)
    parties = {row["owned"]: Party(id=row["owned"], kind=row["owned_kind"], name=row["owned_name"] or "")
               for row in rows}
    # Registered controllerships, read for the subject and for everything it comes to
    # control; what a registration brings in has its own holdings walked too.
    registered: dict[str, set[str]] = {}
    while True:
        members = ({source} | set(control_chains(holdings_from_rows(rows)[0], source, registered))) - set(registered)
        if not members:
            break
        for member in members:
            registered[member] = set()
        for batch in batched(sorted(members), _BATCH):
            for row in store.read("registered_controlled", ids=batch, on=on.isoformat()):
                parties.setdefault(row["controlled"], _party({**row, "id": row["controlled"]}))
                registered[row["controller"]].add(row["controlled"])
        new = {c for cs in registered.values() for c in cs} - walked
        if new:
            rows += _walk(store, "holdings_of", new, on, "owned", walked)
            parties.update({row["owned"]: Party(id=row["owned"], kind=row["owned_kind"], name=row["owned_name"] or "")
                            for row in rows if row["owned"] not in parties})
    graph, warnings = holdings_from_rows(rows)
    chains = control_chains(graph, source, registered)
    reverse = graph.reverse(copy=False)
    shares = integrated_shares(reverse, source)
    found = []
    for company, chain in chains.items():
        by_registration = chain[-1] in registered.get(chain[-2], ())
        found.append(Controlled(subject=parties[company], share=percent(shares.get(company, Fraction(0))), via=chain,
                                basis=OwnerBasis.registered_control if by_registration else OwnerBasis.majority_control))
    found.sort(key=lambda c: (len(c.via), c.subject.id))
    return ControlledAnswer(subject=_subject(subject), date=on,
                            controlled=found, warnings=warnings)
