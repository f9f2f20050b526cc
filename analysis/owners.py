"""Who is behind whom, and what a subject controls: read the network, then answer.

``owners`` and ``controlled`` read around one stored subject
(``analysis.ownership_reads``) and answer by the rule in ``analysis.owner_rule``;
each read that depends on what was found comes between two pure stages.
"""

from __future__ import annotations

import datetime as dt

from analysis.owner_rule import controlled_answer, owner_network, owners_answer, with_senior_managers
from analysis.ownership_answers import ControlledAnswer, OwnersAnswer
from analysis.ownership_reads import read_officers, read_registered_controllers, walk_control, walk_holders
from graph_model.store.base import Store

__all__ = ["controlled", "owners"]


def owners(store: Store, subject: dict, on: dt.date | None = None) -> OwnersAnswer:
    """The ultimate owners of ``subject`` (a stored subject's row) on ``on``.

    Parameters
    ----------
    store : Store
        The graph.
    subject : dict
        The stored subject's row: ``id``, ``kind``, ``name``.
    on : datetime.date, optional
        The day asked about; today by default.

    Returns
    -------
    OwnersAnswer
        The rule that applied, the ultimate owners and every holder, largest first.

    Raises
    ------
    OwnershipLoop
        When a group of the holders owns all of itself.
    InvalidInput
        When the holdings above the subject reach more than ``MAX_SUBJECTS`` subjects.

    Examples
    --------
    >>> bundle = Bundle()
    >>> bundle.enterprise("E1"), bundle.enterprise("H1"), bundle.person("P1")[0], bundle.person("P2")[0]
    ('E1', 'H1', 'P1', 'P2')
    >>> bundle.role("H1", "HOLDS_SHARES", "E1", share="60")
    >>> bundle.role("P1", "HOLDS_SHARES", "H1", share="50")
    >>> bundle.role("P2", "HOLDS_SHARES", "H1", share="50")
    >>> load(bundle)
    >>> answer = owners(store, {"id": "E1", "kind": "enterprise", "name": "E1"}, dt.date(2024, 6, 1))
    >>> answer.rule.value, [(o.subject.id, o.basis.value, o.share) for o in answer.ultimate_owners]
    ('ownership_or_control', [('P1', 'equity', 30.0), ('P2', 'equity', 30.0)])
    """
    on = on or dt.date.today()
    network = owner_network(subject["id"], walk_holders(store, subject["id"], on))
    answer = owners_answer(subject, on, network,
                           read_registered_controllers(store, network.registration_targets, on))
    if answer.rule is None:
        answer = with_senior_managers(answer, read_officers(store, subject["id"], on))
    return answer


def controlled(store: Store, subject: dict, on: dt.date | None = None) -> ControlledAnswer:
    """Everything ``subject`` controls on ``on``, directly or through chains.

    Parameters
    ----------
    store : Store
        The graph.
    subject : dict
        The stored subject's row: ``id``, ``kind``, ``name``.
    on : datetime.date, optional
        The day asked about; today by default.

    Returns
    -------
    ControlledAnswer
        Each controlled enterprise with its chain, by length of the chain, then id.

    Examples
    --------
    >>> bundle = Bundle()
    >>> bundle.person("P1")[0], bundle.enterprise("E1"), bundle.enterprise("E2"), bundle.enterprise("E3")
    ('P1', 'E1', 'E2', 'E3')
    >>> bundle.role("P1", "HOLDS_SHARES", "E1", share="60")
    >>> bundle.role("E1", "HOLDS_SHARES", "E2", share="51")
    >>> bundle.role("P1", "ACTUAL_CONTROLLER_OF", "E3")
    >>> load(bundle)
    >>> answer = controlled(store, {"id": "P1", "kind": "person", "name": "P1"}, dt.date(2024, 6, 1))
    >>> [(c.subject.id, c.basis.value, c.share, c.via) for c in answer.controlled]
    [('E1', 'majority_control', 60.0, ['P1', 'E1']), ('E3', 'registered_control', 0.0, ['P1', 'E3']), ('E2', 'majority_control', 30.6, ['P1', 'E1', 'E2'])]
    """
    on = on or dt.date.today()
    rows, registered_rows = walk_control(store, subject["id"], on)
    return controlled_answer(subject, on, rows, registered_rows)
