"""Propagation: list entries become restriction records, with their provenance.

An entry restricts its listed subject (``entity``) and, by the list's propagation
rules, persons: those who held a named role in the listed enterprise on the
determination date (PR1, PR2 for SOEs only, PR6) and those the decision names
(PR5, PR8). One ``Restriction`` record per (entry, target, role period) keeps the
rule, the path and the catalogue version, so an objection, repair or revocation
of the entry reaches exactly the records it produced. The check judges records
by the entry's history and the catalogue's measures, so a state change or an edit
of measures needs no rerun; a graph change (roles, revocation) or an edit of a
list's propagation rules does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from graph_model.catalogue.model import NAMED, Catalogue
from graph_model.lifecycle.tasks import derive_tasks
from graph_model.store.base import Store

__all__ = ["PropagationStats", "propagate"]


@dataclass
class PropagationStats:
    entries: int = 0
    restrictions: int = 0
    tasks: int = 0
    lists: dict[str, int] = field(default_factory=dict)
    seconds: float = field(default=0.0, compare=False)  # spent propagating: not part of what was derived

    def add(self, other: PropagationStats) -> None:
        self.entries += other.entries
        self.restrictions += other.restrictions
        self.tasks += other.tasks
        self.seconds += other.seconds
        for list_id, n in other.lists.items():
            self.lists[list_id] = self.lists.get(list_id, 0) + n


def propagate(store: Store, catalogue: Catalogue, *, by_list: dict[str, list[str]] | None = None,
              batch_size: int = 20_000) -> PropagationStats:
    """Derive the restrictions and tasks of the given entries ({list: [entry ids]};
    default every entry) again, and remove the restrictions the graph no longer supports.

    Idempotent: a second run writes the same records. Entries on lists the
    catalogue does not know produce nothing. An entry whose last act was written but
    not yet followed by a propagation (``last_tx`` unsettled, see
    ``cypher/propagate.cypher``) is marked settled once its batch is done.
    """
    stats = PropagationStats()
    started = time.perf_counter()
    for list_def in catalogue.lists.values():
        if by_list is None:
            ids = [row["id"] for row in store.read("entry_ids_of_list", list=list_def.id)]
        else:
            ids = by_list.get(list_def.id, [])
        if not ids:
            continue
        stats.lists[list_def.id] = len(ids)
        stats.entries += len(ids)
        rule_roles = [f"{p.rule}:{role}" for p in list_def.propagation for role in p.roles]
        narrowed = [p.rule for p in list_def.propagation if p.ownership]
        rule_ownerships = [f"{p.rule}:{o}" for p in list_def.propagation for o in p.ownership]
        for start in range(0, len(ids), batch_size):
            batch = ids[start : start + batch_size]
            # Acts whose propagation this batch completes; read first, so an act that
            # lands while the batch runs is not marked done (its own call settles it).
            unsettled = store.read("unsettled_of", entry_ids=batch)
            common = {"entry_ids": batch, "catalogue_version": catalogue.version}
            stats.restrictions += store.write("propagate_entity", rule=list_def.rule or "LISTED",
                                              **common).rows[0]["n"]
            for rule in list_def.propagation:
                roles = [str(role) for role in rule.roles if role != NAMED]
                if roles:
                    stats.restrictions += store.write("propagate_roles", rule=rule.rule, roles=roles,
                                                      ownership=[str(o) for o in rule.ownership],
                                                      **common).rows[0]["n"]
                if NAMED in rule.roles:
                    stats.restrictions += store.write("propagate_named", rule=rule.rule, **common).rows[0]["n"]
            store.write("sweep_restrictions", entry_ids=batch, rule_roles=rule_roles, narrowed=narrowed,
                        rule_ownerships=rule_ownerships)
            stats.tasks += derive_tasks(store, catalogue, batch)
            if unsettled:
                store.write("settle_entries", rows=unsettled)
    stats.seconds = time.perf_counter() - started
    return stats
