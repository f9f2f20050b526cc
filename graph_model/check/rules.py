"""The check: is a subject restricted, for an action, in a region, on a date, and why.

The entry points, ``check`` and ``check_many`` (batched, reading one chunk ahead):
a key is resolved (``identity.lookup``), its restriction records are judged for the
day (``judging``), and the answer is built with its reasons and paths (``reasons``);
an incentive action (PR12) is answered with an eligibility (``eligibility``).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from graph_model.catalogue.model import Catalogue
from graph_model.check.answer import CheckAnswer
from graph_model.check.judging import judge, judged_records, names_on_paths, window
from graph_model.check.reasons import answer_of
from graph_model.errors import InvalidInput
from graph_model.identity.lookup import Found, _lookup, _lookup_many
from graph_model.identity.pii import IdHasher
from graph_model.identity.regions import province_of
from graph_model.store.base import Store, batched

__all__ = ["CHECK_CHUNK", "check", "check_many"]

# Keys per round trip of check_many. The work grows with the keys, not the reads:
# on the 100,000-enterprise demo 10,000 keys took the same time in chunks of 250 to
# 10,000. The next chunk is read while this one is judged, so smaller chunks overlap
# more of the store's work with Python's; 1,000 keeps each reply to about a MB.
CHECK_CHUNK = 1_000


def _valid(catalogue: Catalogue, action: str | None, region: str | None) -> None:
    if action is not None and action not in catalogue.actions:
        # A misspelt code must not come back as "not restricted".
        raise InvalidInput(f"unknown action {action!r}; the action tree has {sorted(catalogue.actions)} "
                           "(`sanctionnet catalogue export --format md` shows the tree)", field="action")
    if region is not None and province_of(region) is None:
        raise InvalidInput(f"unknown region {region!r}: give a six-digit GB/T 2260 code", field="region")


def check(store: Store, catalogue: Catalogue, hasher: IdHasher, key: str, *, action: str | None = None,
          on: date | None = None, region: str | None = None) -> CheckAnswer:
    """Is the subject restricted (for ``action``, in ``region``, if given) on date ``on``
    (default today), and why."""
    on = on or date.today()
    _valid(catalogue, action, region)
    found, matched_by = _lookup(store, hasher, key, "subject_records",
                                **window(catalogue, on, clean_years=action in catalogue.incentive_actions))
    judged, known = judge(store, catalogue, found["subject"], on, found["records"])
    answer = answer_of(catalogue, found["subject"], judged, known, action, on, region, found.get("data_version"))
    return answer.model_copy(update={"matched_by": matched_by})


def check_many(store: Store, catalogue: Catalogue, hasher: IdHasher, keys: Sequence[str], *,
               action: str | None = None, on: date | None = None, region: str | None = None,
               chunk: int = CHECK_CHUNK) -> list[CheckAnswer | None]:
    """``check`` for each of ``keys``, in their order; None where a key names no subject.

    The same answers as one ``check`` per key (and the same errors for a bad action or
    region, or a key several subjects share), with a constant number of store round
    trips per ``chunk`` keys: a few reads of the subjects and their records (bundle ids,
    ID-number and registration-number hashes, then USCCs, organisation codes and names
    not found as ids) and one of the names on their paths. A key asked twice is looked
    up once and answered twice; each answer says what its key matched (``matched_by``).
    """
    on = on or date.today()
    _valid(catalogue, action, region)
    span = window(catalogue, on, clean_years=action in catalogue.incentive_actions)
    parts = list(batched(list(dict.fromkeys(keys)), chunk))
    answers: dict[str, CheckAnswer | None] = {}

    def read(part: Sequence[str]):
        return pool.submit(_lookup_many, store, hasher, part, "subject_records_many", **span)

    # One chunk is read ahead while the last one is judged: the store works while
    # Python parses and judges.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="check-ahead") as pool:
        ahead = read(parts[0]) if parts else None
        for n, part in enumerate(parts):
            found = ahead.result()
            if n + 1 < len(parts):
                ahead = read(parts[n + 1])
            _judge_part(store, catalogue, part, found, answers, action, on, region)
    return [answers[key] for key in keys]


def _judge_part(store: Store, catalogue: Catalogue, part: Sequence[str], found: list[Found | None],
                answers: dict[str, CheckAnswer | None], action: str | None, on: date, region: str | None) -> None:
    """The answers for one chunk of keys of ``check_many``, from its read."""
    rows = {f.row["subject"]["id"]: f.row for f in found if f is not None}
    judged = {sid: judged_records(catalogue, row["records"], on) for sid, row in rows.items()}
    known = names_on_paths(store, (row["subject"] for row in rows.values()), (j for js in judged.values() for j in js))
    by_subject = {sid: answer_of(catalogue, row["subject"], judged[sid], known, action, on, region,
                               row.get("data_version")) for sid, row in rows.items()}
    answers.update((key, by_subject[f.row["subject"]["id"]].model_copy(update={"matched_by": f.matched_by})
                    if f else None) for key, f in zip(part, found))
