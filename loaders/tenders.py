"""Tender participation (招投标): who bid on which tender, and who won.

A CSV file with a row per bid: ``tender_id, published, bidder`` and optionally
``title, buyer, region, won, amount``. ``bidder`` is a stored subject's id or USCC
(load the bidders first, from a registry or a bundle); a bidder the store does not
know is a reject naming the row, not a new subject, because a bid alone says too
little to resolve an identity. ``won`` is yes/no (是/否, true/false, 1/0). Loading
the same file again changes nothing; a corrected ``won`` undoes the earlier WON.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from graph_model.catalogue.model import Catalogue
from graph_model.identity.identifiers import normalise_uscc
from graph_model.identity.pii import IdHasher
from graph_model.store.base import Store, batched
from loaders.bundle import LoadReport
from loaders.csvfile import Reject, read_rows
from loaders.rows import Id, _region

__all__ = ["TENDER_COLUMNS", "load_tenders"]

TENDER_COLUMNS = ("tender_id", "published", "bidder")
_OPTIONAL = ("title", "buyer", "region", "won", "amount")
_YES, _NO = {"yes", "y", "true", "1", "是", "中标"}, {"no", "n", "false", "0", "否", "未中标"}
FILE = "tenders.csv"


class BidRow(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    tender_id: str = Id
    published: date
    bidder: str = Id
    title: str | None = Field(None, max_length=500)
    buyer: str | None = Field(None, max_length=200)
    region: str | None = None
    won: bool = False
    amount: float | None = Field(None, ge=0, description="The bid's amount (yuan).")

    _check_region = field_validator("region")(classmethod(lambda cls, v: _region(v)))

    @field_validator("won", mode="before")
    @classmethod
    def _yes_no(cls, value: object) -> object:
        if value is None:
            return False
        if isinstance(value, str):
            text = value.strip().lower()
            if text in _YES:
                return True
            if text in _NO:
                return False
            raise ValueError("must be yes or no (是/否, true/false, 1/0)")
        return value


def _bidders(store: Store, keys: set[str], batch_size: int) -> dict[str, str]:
    """Stored subject ids of the bidders, given by id or USCC."""
    found = {row["id"]: row["id"] for batch in batched(sorted(keys), batch_size)
             for row in store.read("subject_kinds", ids=batch)}
    by_code: dict[str, list[str]] = defaultdict(list)  # one USCC may be written several ways
    for key in keys - set(found):
        by_code[normalise_uscc(key)].append(key)
    for batch in batched(sorted(by_code), batch_size):
        for row in store.read("subjects_by_keys", variant="uscc", ids=batch):
            for key in by_code[row["key"]]:
                found[key] = row["id"]
    return found


def load_tenders(store: Store, catalogue: Catalogue, hasher: IdHasher, paths: Sequence[Path], *,
                 batch_size: int = 20_000) -> LoadReport:
    """Load bids; every bad row is a reject with its file, line and field."""
    del catalogue, hasher  # bids carry no list entries and no personal numbers
    started = time.perf_counter()
    report = LoadReport()
    good: list[tuple[str, int, BidRow]] = []
    for path in paths:
        for line, raw in read_rows(Path(path), TENDER_COLUMNS, report.rejects, report.read, _OPTIONAL):
            try:
                good.append((Path(path).name, line, BidRow.model_validate(raw)))
            except ValidationError as exc:
                for error in exc.errors():
                    report.rejects.append(Reject(Path(path).name, line, ".".join(map(str, error["loc"])) or "(row)",
                                                 error["msg"].removeprefix("Value error, ")))
    ids = _bidders(store, {row.bidder for _, _, row in good}, batch_size)
    # A tender already stored keeps its publication day: a row that says otherwise is a reject.
    tenders: dict[str, dict] = {row["id"]: {"published": row["published"]} for batch in batched(
        sorted({row.tender_id for _, _, row in good}), batch_size) for row in store.read("tenders_by_ids", ids=batch)}
    stored = set(tenders)
    bids: dict[tuple[str, str], tuple[str, int]] = {}
    rows = []
    for name, line, row in good:
        subject = ids.get(row.bidder)
        if subject is None:
            report.rejects.append(Reject(name, line, "bidder", f"no stored subject has the id or USCC {row.bidder!r}"))
            continue
        if (row.tender_id, subject) in bids:
            first = bids[(row.tender_id, subject)]
            report.rejects.append(Reject(name, line, "bidder", f"a second bid by {subject} on {row.tender_id}; "
                                                               f"the first is {first[0]} line {first[1]}"))
            continue
        props = {k: v for k, v in {"published": row.published.isoformat(), "title": row.title, "buyer": row.buyer,
                                   "region": row.region}.items() if v is not None}
        known = tenders.setdefault(row.tender_id, props)
        if known["published"] != props["published"]:
            where = "by the store" if row.tender_id in stored else "in an earlier row"
            report.rejects.append(Reject(name, line, "published", f"tender {row.tender_id} was published on "
                                                                  f"{known['published']} {where}"))
            continue
        known.update(props)
        bids[(row.tender_id, subject)] = (name, line)
        rows.append({"tender_id": row.tender_id, "subject_id": subject, "won": row.won, "amount": row.amount})
    written = {tid for tid, _ in bids}
    for batch in batched([{"id": tid, "props": props} for tid, props in tenders.items() if tid in written],
                         batch_size):
        store.write("load_tenders", rows=batch)
    for batch in batched(rows, batch_size):
        store.write("load_bids", rows=batch)
    report.loaded = {"tenders": len(written), "bids": len(rows)}
    report.seconds = time.perf_counter() - started
    return report
