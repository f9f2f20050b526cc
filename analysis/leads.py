"""Leads (线索) for investigators: patterns in the network worth a person's look.

A lead is never a sanction. It has a kind, a score between 0 and 1, the evidence
(chains, dates, regions) and a status that only a person changes, with a reason
(``review``). Finding leads again keeps every review: a lead's id is a hash of its
kind and the subjects that define it.

Kinds, and the part of the graph each reads (``cypher/leads.cypher``):

* ``phoenix`` (易地出现): someone tied to a listed enterprise on its listing day (legal
  rep, principal, controller, or a holder of at least 20 %) takes such a role in an
  enterprise in another province within ``PHOENIX_WINDOW`` after the listing. Reads
  the entries, then the ties and roles of the listed subjects only, in the store.
* ``shared_controller``: one person controls (legal rep, principal or actual
  controller on the listing day) listed enterprises in two or more provinces.
* ``circular_ownership``: enterprises that hold each other round a cycle (strongly
  connected parts of the shareholding network, networkx).
* ``shell_chain``: two or more enterprises in a row that each have one holder, hold
  one enterprise and have nobody working in them: pass-through holding layers.
* ``co_bidding``: where tender data is loaded, groups of firms that bid together
  (Louvain on the co-bidding network of firms that met in ``COBID_MIN`` tenders or
  more; nearly every pair of members must have met that often), scored by cohesion (the share of each member's bids made in tenders where
  another member bids, averaged) and exclusivity (the share of the bids in those
  tenders that come from the group), after Wachs & Kertész (2019); the winners
  among them are given, as rotation is the usual pattern.
* ``collusion_group``: Louvain communities (networkx) in the person-enterprise role
  network around listed enterprises (four rings out; a community of over 40 firms is
  split again) that span two or more
  provinces, hold a listed member, tie two or more people together, have few ties
  outside (low conductance, from the members' true degrees) and whose people each
  hold roles in several of its firms (person-firm density).

The analyses run in Python on the part of the graph they need, read in a few large
queries: networkx's strongly connected parts and Louvain are what FalkorDB lacks
(its ``algo.*`` has no SCC or Louvain), and the same code runs on Neo4j.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

import networkx as nx
from analysis.ownership import holdings_from_rows, percent
from graph_model.catalogue.model import Catalogue
from graph_model.leads import Lead, LeadKind, make_lead
from graph_model.store.base import Store, batched

__all__ = ["find_leads", "holdings_graph"]

PHOENIX_WINDOW = dt.timedelta(days=730)
# A shareholder counts as tied to an enterprise from this share (percent) up.
TIED_SHARE = 20.0
# Community size (enterprises) and the largest share of its ties that may leave it.
GROUP_MIN, GROUP_MAX, GROUP_CONDUCTANCE, GROUP_DENSITY = 4, 40, 0.25, 0.2
# Rings of the role network read around listed firms, and Louvain's resolution.
GROUP_RINGS, GROUP_RESOLUTION = 4, 1.0
# Co-bidding (Wachs & Kertész 2019): firms that met in at least this many tenders,
# tenders with at most this many bidders (open calls with dozens say little), and
# the least cohesion, exclusivity and density (share of member pairs that met that
# often) of a reported group. In a closed market of random bidders, half-market
# Louvain groups reach cohesion 0.9 and exclusivity 0.6 by chance, but not density.
COBID_MIN, COBID_TENDER_MAX = 3, 30
COBID_COHESION, COBID_EXCLUSIVITY, COBID_DENSITY = 0.5, 0.75, 0.8
_BATCH = 5_000
_CONTROL_ROLES = ("LEGAL_REP_OF", "PRINCIPAL_OF", "ACTUAL_CONTROLLER_OF")
_ROLE_WEIGHT = {"LEGAL_REP_OF": 1.0, "ACTUAL_CONTROLLER_OF": 1.0, "PRINCIPAL_OF": 0.9, "HOLDS_SHARES": 0.7}


def _province(region: str | None) -> str | None:
    return region[:2] if region and len(region) >= 2 else None


def _read(store: Store, query: str, ids: Iterable[str], **params) -> list[dict]:
    return [row for batch in batched(sorted(set(ids)), _BATCH) for row in store.read(query, ids=batch, **params)]


def _valid(row: dict, day: str) -> bool:
    return row["valid_from"] <= day <= row["valid_to"]


def _listed(store: Store) -> list[dict]:
    return store.read("leads_listed")


def _listed_enterprises(listed: list[dict]) -> dict[str, list[dict]]:
    """The entries of listed enterprises with a region, by enterprise."""
    by_listed: dict[str, list[dict]] = defaultdict(list)
    for row in listed:
        if row["kind"] == "enterprise" and _province(row["region"]):
            by_listed[row["id"]].append(row)
    return by_listed


def _phoenix(store: Store, by_listed: dict[str, list[dict]], ties: list[dict]) -> list[Lead]:
    """Ties of listed enterprises that reappear in another province after the listing."""
    tied_to: dict[str, list[tuple[dict, dict]]] = defaultdict(list)
    for tie in ties:
        if tie["role"] == "HOLDS_SHARES" and (tie["share"] or 0) < TIED_SHARE:
            continue
        for entry in by_listed[tie["listed"]]:
            if _valid(tie, entry["determined"]):
                tied_to[tie["tied"]].append((tie, entry))
    if not tied_to:
        return []
    since = min(entry["determined"] for pairs in tied_to.values() for _, entry in pairs)
    taken = defaultdict(list)
    for row in _read(store, "leads_roles_taken", tied_to, since=since):
        taken[row["tied"]].append(row)
    best: dict[tuple[str, str], Lead] = {}
    for tied, pairs in tied_to.items():
        for tie, entry in pairs:
            day = dt.date.fromisoformat(entry["determined"])
            home = _province(entry["region"])
            for role in taken[tied]:
                start = dt.date.fromisoformat(role["valid_from"])
                elsewhere = _province(role["region"])
                if role["taken"] == entry["id"] or not (day < start <= day + PHOENIX_WINDOW):
                    continue
                if not elsewhere or elsewhere == home:
                    continue
                if role["role"] == "HOLDS_SHARES" and (role["share"] or 0) < TIED_SHARE:
                    continue
                new_firm = bool(role["established"]) and role["established"] > entry["determined"]
                soon = 1 - (start - day).days / PHOENIX_WINDOW.days
                score = (0.45 * _ROLE_WEIGHT[role["role"]] + 0.25 * soon + 0.2 * new_firm
                         + 0.1 * (entry["state"] in ("active", "notified")))
                lead = make_lead(LeadKind.phoenix, [tied, role["taken"]], [tied, entry["id"], role["taken"]], score,
                             f"{tied}, {tie['role']} of listed {entry['id']} ({home}) since {tie['valid_from']}, "
                             f"became {role['role']} of {role['taken']} ({elsewhere}) on {role['valid_from']}, "
                             f"{(start - day).days} days after the listing {entry['entry_id']}",
                             {"listed": entry["id"], "entry": entry["entry_id"], "list": entry["list"],
                              "listed_on": entry["determined"], "tie": tie["role"], "new": role["taken"],
                              "new_role": role["role"], "new_from": role["valid_from"],
                              "new_established": role["established"], "days_after": (start - day).days},
                             [home, elsewhere])
                key = (tied, role["taken"])
                if key not in best or lead.score > best[key].score:
                    best[key] = lead
    return list(best.values())


def _shared_controllers(entries: dict[str, list[dict]], ties: list[dict]) -> list[Lead]:
    """One person in control of listed enterprises in several provinces."""
    controls: dict[str, dict[str, dict]] = defaultdict(dict)
    for tie in ties:
        if tie["role"] not in _CONTROL_ROLES or tie["tied_kind"] != "person":
            continue
        for entry in entries[tie["listed"]]:
            if _valid(tie, entry["determined"]):
                controls[tie["tied"]][tie["listed"]] = {"role": tie["role"], "entry": entry["entry_id"],
                                                        "region": entry["region"], "listed_on": entry["determined"]}
    leads = []
    for person, firms in controls.items():
        provinces = {_province(f["region"]) for f in firms.values()}
        if len(firms) < 2 or len(provinces) < 2:
            continue
        score = min(1.0, 0.3 + 0.2 * len(firms) + 0.15 * len(provinces))
        leads.append(make_lead(LeadKind.shared_controller, [person], [person, *firms], score,
                           f"{person} controlled {len(firms)} listed enterprises in {len(provinces)} provinces: "
                           + ", ".join(sorted(firms)), {"enterprises": firms}, provinces))
    return leads


def holdings_graph(store: Store, on: dt.date) -> nx.DiGraph:
    """Holder -> held for every shareholding in force on ``on`` (``w``, ``since``,
    ``owner_kind`` as analysis.ownership builds them), without an enterprise's holding
    of its own shares: that makes no cycle and no control."""
    graph, _ = holdings_from_rows(store.read("holdings_on", on=on.isoformat()))
    graph.remove_edges_from(list(nx.selfloop_edges(graph)))
    return graph


def _regions(store: Store, ids: Iterable[str]) -> dict[str, str | None]:
    return {row["id"]: row["region"] for row in _read(store, "leads_regions", ids)}


def _circular(store: Store, holdings: nx.DiGraph, listed_ids: set[str]) -> list[Lead]:
    parts = [sorted(part) for part in nx.strongly_connected_components(holdings) if len(part) > 1]
    regions = _regions(store, {node for part in parts for node in part})
    leads = []
    for part in parts:
        edges = sorted((a, b, percent(holdings[a][b]["w"])) for a, b in holdings.subgraph(part).edges)
        listed = sorted(set(part) & listed_ids)
        provinces = {p for node in part if (p := _province(regions.get(node)))}
        score = 0.5 + 0.3 * bool(listed) + 0.1 * (len(provinces) > 1) + 0.1 * (len(part) <= 4)
        leads.append(make_lead(LeadKind.circular_ownership, part, part, score,
                           f"{len(part)} enterprises hold each other in a cycle: " + ", ".join(part),
                           {"holdings": [{"owner": a, "owned": b, "share": s} for a, b, s in edges],
                            "listed": listed}, provinces))
    return leads


def _shell_chains(store: Store, holdings: nx.DiGraph, listed_ids: set[str], on: dt.date) -> list[Lead]:
    operating = {row["id"] for row in store.read("leads_operating", on=on.isoformat())}
    cyclic = {node for part in nx.strongly_connected_components(holdings) if len(part) > 1 for node in part}

    def passthrough(node: str) -> bool:
        # Only enterprises are held, so a node with a holder is an enterprise.
        return (holdings.in_degree(node) == 1 and holdings.out_degree(node) == 1 and node not in operating
                and node not in cyclic)

    layers = {node for node in holdings if passthrough(node)}
    chains = []
    for node in layers:
        (holder,) = holdings.predecessors(node)
        if holder in layers:
            continue  # not the first layer of its chain
        chain = [node]
        while (nxt := next(holdings.successors(chain[-1]))) in layers:
            chain.append(nxt)
        if len(chain) >= 2:
            chains.append((holder, chain, next(holdings.successors(chain[-1]))))
    regions = _regions(store, {n for holder, chain, target in chains for n in (holder, *chain, target)})
    leads = []
    for holder, chain, target in sorted(chains, key=lambda c: c[1]):
        provinces = {p for n in (holder, *chain, target) if (p := _province(regions.get(n)))}
        shares = [percent(holdings[a][b]["w"]) for a, b in zip([holder, *chain], [*chain, target])]
        score = min(1.0, 0.35 + 0.15 * len(chain) + 0.2 * bool({holder, target} & listed_ids)
                    + 0.1 * (len(provinces) > 1))
        leads.append(make_lead(LeadKind.shell_chain, chain, [holder, *chain, target], score,
                           f"{holder} holds {target} through {len(chain)} enterprises without staff that hold "
                           "nothing else: " + " → ".join([holder, *chain, target]),
                           {"holder": holder, "layers": chain, "target": target, "shares": shares}, provinces))
    return leads


def _communities(graph: nx.Graph, kinds: dict[str, str], depth: int = 3) -> list[set[str]]:
    """Louvain communities; one with more than GROUP_MAX firms is split again on its own
    subgraph (a small tight group tied to a big one by one edge is often absorbed)."""
    found = []
    for community in nx.community.louvain_communities(graph, resolution=GROUP_RESOLUTION, seed=7):
        firms = sum(1 for n in community if kinds.get(n) == "enterprise")
        if firms > GROUP_MAX and depth > 0 and len(community) < len(graph):
            found += _communities(graph.subgraph(community), kinds, depth - 1)
        else:
            found.append(community)
    return found


def _collusion_groups(store: Store, listed: list[dict], on: dt.date) -> list[Lead]:
    listed_firms = {row["id"] for row in listed if row["kind"] == "enterprise"}
    graph = nx.Graph()
    kinds: dict[str, str] = {}
    frontier, seen = set(listed_firms), set(listed_firms)
    for _ in range(GROUP_RINGS):  # listed firm -> its people -> their firms -> their people -> ...
        rows = _read(store, "leads_role_edges", frontier, on=on.isoformat())
        for row in rows:
            graph.add_edge(row["a"], row["b"])
            kinds[row["b"]] = row["b_kind"]
        frontier = {row["b"] for row in rows} - seen
        seen |= frontier
    if graph.number_of_edges() == 0:
        return []
    for firm in listed_firms:
        kinds.setdefault(firm, "enterprise")
    regions = _regions(store, [n for n in graph if kinds.get(n) == "enterprise"])
    leads = []
    candidates = []
    for community in _communities(graph, kinds):
        firms = sorted(n for n in community if kinds.get(n) == "enterprise")
        if not GROUP_MIN <= len(firms) <= GROUP_MAX or not set(firms) & listed_firms:
            continue
        provinces = {p for n in firms if (p := _province(regions.get(n)))}
        people = sorted(n for n in community if kinds.get(n) == "person")
        if len(provinces) >= 2 and len(people) >= 2:  # one person's own firms are other kinds
            candidates.append((community, firms, people, provinces))
    # The neighbourhood is cut out of the graph, so a community at its edge would look
    # closed: its ties outside are counted from every member's true degree.
    degree = {row["id"]: row["degree"] for row in _read(store, "leads_degrees",
                                                         {n for c, *_ in candidates for n in c}, on=on.isoformat())}
    leads = []
    for community, firms, people, provinces in candidates:
        inner = graph.subgraph(community)
        volume = sum(degree.get(n, 0) for n in community)
        cut = volume - 2 * inner.number_of_edges()
        conductance = cut / volume if volume else 1.0
        # Share of person-firm pairs of the group that are tied: a ring's few people each
        # hold roles in several of its firms; an ordinary firm's people work there only.
        tied = sum(1 for a, b in inner.edges if (kinds.get(a) == "person") != (kinds.get(b) == "person"))
        density = tied / (len(firms) * len(people))
        if conductance > GROUP_CONDUCTANCE or density < GROUP_DENSITY:
            continue
        listed = sorted(set(firms) & listed_firms)
        score = 0.35 * (1 - conductance / GROUP_CONDUCTANCE) + 0.45 * min(density / 0.5, 1) + 0.2 * (len(provinces) > 2)
        leads.append(make_lead(LeadKind.collusion_group, firms, [*firms, *people], score,
                           f"{len(firms)} enterprises in {len(provinces)} provinces tied through {len(people)} "
                           f"people, {len(listed)} of them listed",
                           {"enterprises": firms, "people": people, "listed": listed, "ties": inner.number_of_edges(),
                            "ties_outside": cut, "conductance": round(conductance, 4), "density": round(density, 4)},
                           provinces))
    return leads


def _co_bidding(store: Store) -> list[Lead]:
    bids = store.read("tender_bids")
    bidders: dict[str, set[str]] = defaultdict(set)
    tenders: dict[str, set[str]] = defaultdict(set)
    winners: dict[str, set[str]] = defaultdict(set)
    regions: dict[str, str | None] = {}
    for row in bids:
        bidders[row["tender"]].add(row["bidder"])
        tenders[row["bidder"]].add(row["tender"])
        regions[row["bidder"]] = row["region"]
        if row["won"]:
            winners[row["tender"]].add(row["bidder"])
    met: dict[tuple[str, str], int] = defaultdict(int)
    for firms in bidders.values():
        if 2 <= len(firms) <= COBID_TENDER_MAX:
            for a in firms:
                for b in firms:
                    if a < b:
                        met[(a, b)] += 1
    graph = nx.Graph()
    graph.add_weighted_edges_from((a, b, n) for (a, b), n in met.items() if n >= COBID_MIN)
    leads = []
    for community in nx.community.louvain_communities(graph, weight="weight", seed=7) if graph else ():
        group = sorted(community)
        if len(group) < 2 or nx.density(graph.subgraph(community)) < COBID_DENSITY:
            continue
        shared = sorted(t for t in {t for f in group for t in tenders[f]} if len(bidders[t] & community) >= 2)
        cohesion = sum(len(tenders[f] & set(shared)) / len(tenders[f]) for f in group) / len(group)
        exclusivity = (sum(len(bidders[t] & community) for t in shared)
                       / sum(len(bidders[t]) for t in shared))
        if cohesion < COBID_COHESION or exclusivity < COBID_EXCLUSIVITY:
            continue
        won = sorted({f for t in shared for f in winners[t] & community})
        provinces = {p for f in group if (p := _province(regions.get(f)))}
        leads.append(make_lead(LeadKind.co_bidding, group, group, cohesion * exclusivity,
                           f"{len(group)} firms bid together in {len(shared)} tenders (cohesion {cohesion:.2f}, "
                           f"exclusivity {exclusivity:.2f}); {len(won)} of them won some",
                           {"tenders": shared, "cohesion": round(cohesion, 4), "exclusivity": round(exclusivity, 4),
                            "winners": {t: sorted(winners[t] & community) for t in shared if winners[t] & community}},
                           provinces))
    return leads


def find_leads(store: Store, catalogue: Catalogue, kinds: Sequence[LeadKind | str] | None = None,
               on: dt.date | None = None) -> list[Lead]:
    """Run the analyses of ``kinds`` (default all) over the stored graph; nothing is saved."""
    del catalogue  # every list's entries can start a lead; kept for list-specific rules later
    on = on or dt.date.today()
    wanted = {LeadKind(k) for k in kinds} if kinds else set(LeadKind)
    listed = _listed(store)
    listed_ids = {row["id"] for row in listed}
    found: list[Lead] = []
    if wanted & {LeadKind.phoenix, LeadKind.shared_controller}:
        by_listed = _listed_enterprises(listed)
        ties = _read(store, "leads_ties", by_listed)  # read once for both kinds
        if LeadKind.phoenix in wanted:
            found += _phoenix(store, by_listed, ties)
        if LeadKind.shared_controller in wanted:
            found += _shared_controllers(by_listed, ties)
    if wanted & {LeadKind.circular_ownership, LeadKind.shell_chain}:
        holdings = holdings_graph(store, on)
        if LeadKind.circular_ownership in wanted:
            found += _circular(store, holdings, listed_ids)
        if LeadKind.shell_chain in wanted:
            found += _shell_chains(store, holdings, listed_ids, on)
    if LeadKind.collusion_group in wanted:
        found += _collusion_groups(store, listed, on)
    if LeadKind.co_bidding in wanted:
        found += _co_bidding(store)
    for lead in found:
        lead.found_on = on
    return sorted(found, key=lambda lead: (-lead.score, lead.id))
