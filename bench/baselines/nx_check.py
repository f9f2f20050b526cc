"""The networkx baseline: the bundle as one ``MultiDiGraph``, walked when a question comes."""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

import networkx as nx

from bench.baselines.common import (MAX_CHAIN, Owners, Verdict, _CONTROLS, _ENTERPRISE, _ENTITY, _HOLDS, _KEPT,
                                    _OFFICERS, _PERSON, _Days, _Entry, _Rules, _entries, _owners, _read, _verdict)
from graph_model.catalogue.model import NAMED, Catalogue
from graph_model.vocabulary.kinds import IN_FORCE_STATES, EntryState, SubjectKind
from loaders.bundle import no_cycle_collection

__all__ = ["NetworkxBaseline"]


class NetworkxBaseline:
    """The bundle as one networkx ``MultiDiGraph``, walked when a question comes.

    Nodes are subjects (``kind``, ``ownership``; ``entries`` on a listed subject,
    ``named_in`` on a person a decision names); edges are role periods holder -> held
    (``role``, ``vf``/``vt`` inclusive with open ends as ``date.min``/``date.max``, and
    ``share`` in percent on holdings). ``entries`` lists every entry, for propagation.
    """

    def __init__(self, graph: nx.MultiDiGraph, entries: list[_Entry], catalogue: Catalogue, seconds: float) -> None:
        self.graph, self.entries, self.rules, self.build_seconds = graph, entries, _Rules(catalogue), seconds

    @classmethod
    def from_bundle(cls, folder: Path, catalogue: Catalogue) -> NetworkxBaseline:
        """Read ``folder`` into a graph (``build_seconds`` says how long it took)."""
        # Millions of dicts and no reference cycles: the cycle collector's passes over
        # them would cost more than the build (see loaders.bundle).
        with no_cycle_collection():
            return cls._build(Path(folder), catalogue)

    @classmethod
    def _build(cls, folder: Path, catalogue: Catalogue) -> NetworkxBaseline:
        started = time.perf_counter()
        days, graph = _Days(), nx.MultiDiGraph()
        kinds = {k.value: k for k in SubjectKind}
        intern = sys.intern
        for sid, kind, ownership in _read(folder / "subjects.csv", ("id", "kind", "ownership")):
            if ownership:
                graph.add_node(intern(sid), kind=kinds[kind], ownership=intern(ownership))
            else:
                graph.add_node(intern(sid), kind=kinds[kind])
        columns = ("from_id", "to_id", "type", "share", "valid_from", "valid_to")
        graph.add_edges_from(
            (intern(src), intern(dst), {"role": intern(role), "vf": days[vf] if vf else date.min,
                                        "vt": days[vt] if vt else date.max, "share": float(share) if share else None})
            for src, dst, role, share, vf, vt in _read(folder / "relations.csv", columns) if role in _KEPT)
        nodes, entries = graph.nodes, list(_entries(folder, catalogue, days))
        for entry in entries:
            nodes[entry.subject].setdefault("entries", []).append(entry)
            for pid in entry.named:
                nodes[pid].setdefault("named_in", []).append(entry)
        return cls(graph, entries, catalogue, time.perf_counter() - started)

    def _binds(self, entry: _Entry, role: str, listed: dict, edge: dict) -> bool:
        """Whether holding ``role`` over ``edge``'s period in the ``listed`` subject makes
        ``entry`` bind the holder (propagate_roles)."""
        ownerships = self.rules.roles[entry.list].get(role)
        return (ownerships is not None and not entry.revoked and listed["kind"] is _ENTERPRISE
                and (not ownerships or listed.get("ownership") in ownerships)
                and edge["vf"] <= entry.determined <= edge["vt"])

    def _names(self, entry: _Entry) -> bool:
        return NAMED in self.rules.roles[entry.list] and not entry.revoked

    def check(self, subject_id: str, on: date) -> Verdict:
        """Is ``subject_id`` restricted on ``on``, and why; KeyError if there is no such subject."""
        graph, node = self.graph, self.graph.nodes[subject_id]
        kind = node["kind"]
        found = [(entry, _ENTITY) for entry in node.get("entries", ())]
        if kind is _PERSON:
            found += [(entry, NAMED) for entry in node.get("named_in", ()) if self._names(entry)]
            for _, held, edge in graph.out_edges(subject_id, data=True):
                listed = graph.nodes[held]
                found += [(entry, edge["role"]) for entry in listed.get("entries", ())
                          if self._binds(entry, edge["role"], listed, edge)]
        return _verdict(self._judged(found, kind, on))

    def _judged(self, found: list[tuple[_Entry, str]], kind: SubjectKind, on: date):
        measures_for = self.rules.catalogue.measures_for
        for entry, role in found:
            if entry.list not in self.rules.restricting:
                continue
            state = entry.history.state_on(on)
            if state in IN_FORCE_STATES:
                suspends = self.rules.catalogue.lists[entry.list].objection_suspends
                for measure in measures_for(entry.list, role, kind, entry.decided):
                    if measure.runs_on(entry.determined, on):
                        yield entry.id, role, state is EntryState.objection_pending and suspends, measure.action

    def check_many(self, subject_ids: Iterable[str], on: date) -> dict[str, Verdict]:
        return {sid: self.check(sid, on) for sid in subject_ids}

    def propagate_all(self, on: date | None = None) -> set[tuple[str, str, str]]:
        """Every restriction record (entry id, subject id, role) propagation derives; with
        ``on``, only those whose entry is in force (active or under objection) that day."""
        graph, records = self.graph, set()
        for entry in self.entries:
            if on is not None and entry.history.state_on(on) not in IN_FORCE_STATES:
                continue
            sid = entry.subject
            listed = graph.nodes[sid]
            records.add((entry.id, sid, _ENTITY))
            for holder, _, edge in graph.in_edges(sid, data=True):
                if graph.nodes[holder]["kind"] is _PERSON and self._binds(entry, edge["role"], listed, edge):
                    records.add((entry.id, holder, edge["role"]))
            if self._names(entry):
                records.update((entry.id, pid, NAMED) for pid in entry.named if graph.nodes[pid]["kind"] is _PERSON)
        return records

    def owners(self, enterprise_id: str, on: date) -> Owners:
        """Holders' integrated shares and the ultimate owners of ``enterprise_id`` on ``on``."""
        graph = self.graph
        if enterprise_id not in graph:
            raise KeyError(enterprise_id)

        def into(node: str, roles: tuple[str, ...]) -> Iterator[tuple[str, str, dict]]:
            return ((h, e["role"], e) for h, _, e in graph.in_edges(node, data=True)
                    if e["role"] in roles and e["vf"] <= on <= e["vt"])

        shares: dict[str, float] = defaultdict(float)
        stack = [(enterprise_id, 1.0, (enterprise_id,))]
        while stack:  # every simple chain of holdings up from the target, shares multiplied
            node, product, path = stack.pop()
            for holder, _, edge in into(node, (_HOLDS,)):
                if holder not in path and len(path) <= MAX_CHAIN:
                    shares[holder] += product * edge["share"] / 100
                    stack.append((holder, product * edge["share"] / 100, path + (holder,)))
        kinds = {i: graph.nodes[i]["kind"] for i in shares}
        held: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        registered: dict[str, set[str]] = defaultdict(set)
        for node in [enterprise_id, *shares]:
            for holder, role, edge in into(node, (_HOLDS, _CONTROLS)):
                if role == _HOLDS:
                    held[holder][node] += edge["share"] / 100
                elif node == enterprise_id or kinds[node] is _ENTERPRISE:
                    registered[holder].add(node)
                    kinds[holder] = graph.nodes[holder]["kind"]
        return _owners(enterprise_id, shares, kinds, held, registered,
                       lambda: ((h, graph.nodes[h]["kind"]) for h, _, _ in into(enterprise_id, _OFFICERS)))
