"""``GET /v1/check`` and ``POST /v1/check/batch``: is this subject (are these subjects)
restricted, for this action, on this date, and why."""

from __future__ import annotations

import asyncio
import datetime as dt
from functools import cache
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.deps import Services, ServicesDep
from api.problems import PROBLEM_RESPONSES
from api.ratelimit import RATE_LIMITED, rate_limited
from api.reads import Reads, ReadsDep
from graph_model.check.answer import CheckAnswer
from graph_model.check.consortium import ConsortiumVerdict, consortium_verdict
from graph_model.identity.lookup import KEY_HELP
from graph_model.privacy.reader import check_for, check_many_for
from graph_model.vocabulary.days import Day
from graph_model.vocabulary.kinds import SubjectKind

__all__ = ["router", "BatchAnswer", "BatchParams", "CheckParams", "MAX_BATCH"]

# Subjects in one batch: a bid opening or a subsidy round (issue 8). 10,000 keys of
# 128 characters would not fit the 1 MiB body limit; 10,000 USCCs or ID numbers do.
MAX_BATCH = 10_000

router = APIRouter(tags=["check"])

# The fields both checks take, constrained alike.
SubjectText = Annotated[str, Field(min_length=1, max_length=128)]
ActionCode = Annotated[str | None, Field(max_length=64, pattern=r"^[a-z_]+(\.[a-z_]+)*$",
                                         description="A node of the catalogue's action tree (or an old alias); "
                                                     "measures on its ancestors and descendants match too. Omit "
                                                     "for every measure.",
                                         examples=["bidding.construction"])]
AsOf = Annotated[Day | None, Field(description="Answer as of this date (default: today).")]
RegionCode = Annotated[str | None, Field(pattern=r"^\d{6}$",
                                         description="Where the checking department acts (GB/T 2260); region-group "
                                                     "lists apply only in their member provinces. Omit for every "
                                                     "region.",
                                         examples=["310101"])]


class CheckParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: SubjectText = Field(description=KEY_HELP, examples=["E000001", "91230199744190927K", "74419092-7"])
    action: ActionCode = None
    date: AsOf = None
    region: RegionCode = None


class BatchParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subjects: list[SubjectText] = Field(min_length=1, max_length=MAX_BATCH,
                                        description=f"1 to {MAX_BATCH:,} keys, in any mix, answered in this order: bundle "
                                                    "ids, USCCs, organisation codes, registration numbers, resident "
                                                    "ID numbers (hashed before look-up) or full enterprise names.", examples=[["E000001", "91230199744190927K"]])
    action: ActionCode = None
    date: AsOf = None
    region: RegionCode = None
    consortium: bool = Field(False, description="The subjects are the members of one bidding consortium (联合体): "
                                                "answer too whether it is restricted as a whole (法〔2016〕285号).")


class BatchAnswer(BaseModel):
    """The answers to a batch check, one per subject asked, in the request's order."""

    answers: list[CheckAnswer | None] = Field(
        description="`answers[i]` answers `subjects[i]` as `GET /v1/check` would; null where the key names no "
                    "subject the caller may see (the check would answer 404).")
    not_found: list[int] = Field(description="Positions (0-based) of the null answers.")
    restricted: list[int] = Field(description="Positions of the answers with a measure in force (`restricted`).")
    date: dt.date = Field(description="The date every answer is for.")
    consortium: ConsortiumVerdict | None = Field(
        None, description="Asked with `consortium: true`: whether the consortium is restricted as a whole, and "
                          "which members bind it.")
    catalogue_version: str


@router.get("/v1/check", summary="Check whether a subject is restricted", response_model=CheckAnswer,
            responses=PROBLEM_RESPONSES)
async def check_subject(params: Annotated[CheckParams, Query()], services: ServicesDep, reads: ReadsDep
                        ) -> CheckAnswer:
    """Answers with the measures in force and, for each reason, the rule, the list entry,
    the deciding department, the legal basis, the entry's state and the path from the
    asked subject to the listed one. An entry under objection gives a *suspended*
    reason: it is reported but does not restrict. A `public` key sees enterprises and
    public bodies only, with their own listings in force."""

    def answered() -> CheckAnswer:
        # Check and audit entry in one trip to the thread pool: each trip costs about
        # as much as the check itself.
        answer = check_for(reads.reader, services.store, services.catalogue, services.hasher, params.subject,
                           action=params.action, on=params.date, region=params.region)
        services.audit.write("check", client=reads.client, subject=answer.subject.id, kind=answer.subject.kind.value,
                             action=params.action, date=answer.date, region=params.region,
                             restricted=answer.restricted, suspended=answer.suspended,
                             entries=sorted({r.entry_id for r in answer.reasons}),
                             catalogue_version=answer.catalogue_version, data_version=answer.data_version)
        return answer

    return await run_in_threadpool(answered)


@router.post("/v1/check/batch", summary="Check many subjects at once", response_model=BatchAnswer,
             dependencies=[rate_limited("batch")], responses={**PROBLEM_RESPONSES, **RATE_LIMITED})
async def check_batch(params: BatchParams, services: ServicesDep, reads: ReadsDep) -> Response:
    """Checks up to 10,000 subjects (a bid opening, a subsidy round) with one action,
    date and region, and answers each as `GET /v1/check` would, for the same roles and
    masked the same way: `answers[i]` is the answer for `subjects[i]`, or null where
    the check would answer 404 (an unknown key; for a `public` key also a person, and
    anything that can only be an ID number, which is not looked up; for a `screener`
    key a person not asked by ID number). `not_found` and `restricted` list positions,
    so a screening system can act on them without reading every answer. A key asked twice is answered twice; each answer's `matched_by` says
    what its key matched (id, uscc, org_code, reg_no, id_number or name).

    An unknown action or region is a 422 for the whole batch, as is a 10,001st subject;
    a key that several subjects share (ask by bundle id) a 409. One audit entry records
    the batch, not one per subject, and one `read_person` entry the persons it answered.
    A process answers a few batches at once (`batch_concurrency`); more wait their turn.
    Batches are rate limited per key and per client address (429 with `Retry-After`).
    10,000 subjects take about 1.5 s (measured on a 100,000-enterprise demo, 2 cores)."""
    on = reads.reader.day(params.date) or dt.date.today()
    # A batch is a read: like a GET's reads, each of its store reads has a time limit.
    services = services.for_reads

    def answered() -> bytes:
        # Everything that grows with the batch runs here, off the event loop: the check,
        # masking, the keyed hashes of keys that named nobody, the audit entries and the
        # JSON (10,000 answers are several MB).
        answers, found = check_many_for(reads.reader, services.store, services.catalogue, services.hasher,
                                        params.subjects, action=params.action, on=on, region=params.region)
        batch = BatchAnswer(answers=answers, not_found=[i for i, a in enumerate(answers) if a is None],
                            restricted=[i for i, a in enumerate(answers) if a is not None and a.restricted],
                            date=on, catalogue_version=services.catalogue.version,
                            consortium=consortium_verdict(services.catalogue, answers) if params.consortium else None)
        _audit_batch(services, reads, params, batch, found)
        return batch.model_dump_json().encode()

    # A few batches at once per process: more would only share the interpreter's lock
    # with the event loop, and every other request would wait for it.
    async with _batches(services.settings.batch_concurrency):
        body = await run_in_threadpool(answered)
    return Response(body, media_type="application/json")


@cache
def _batches(limit: int) -> asyncio.Semaphore:
    """The process's semaphore of batches at once (made on first use, inside the event loop)."""
    return asyncio.Semaphore(limit)


def _audit_batch(services: Services, reads: Reads, params: BatchParams, batch: BatchAnswer,
                 found: list[CheckAnswer | None]) -> None:
    """One ``check_batch`` entry, and one ``read_person`` entry naming the persons answered."""
    answers = batch.answers
    versions = sorted({a.data_version for a in found if a is not None and a.data_version is not None})
    # A key that named nobody is recorded by its keyed hash, never as typed: it may be
    # a mistyped ID number or a name.
    subjects = [a.subject.id if a is not None else "?" + services.hasher(key.strip())[:24]
                for key, a in zip(params.subjects, answers)]
    persons = sorted({a.subject.id for a in answers if a is not None and a.subject.kind is SubjectKind.person})
    services.audit.write(
        "check_batch", client=reads.client, action=params.action, date=batch.date,
        region=params.region, subjects=subjects, asked=len(answers), not_found=len(batch.not_found),
        restricted=len(batch.restricted), suspended=sum(1 for a in answers if a is not None and a.suspended),
        **({"consortium_restricted": batch.consortium.restricted} if batch.consortium else {}),
        restricted_subjects=sorted({answers[i].subject.id for i in batch.restricted}),
        catalogue_version=batch.catalogue_version, persons=persons,
        # The chunks of a batch are separate reads: a write between them shows as a range.
        data_version=versions[0] if versions else None,
        **({"data_version_last": versions[-1]} if len(versions) > 1 else {}))
    # Each person answered is a read of personal data, recorded as the other reads are.
    reads.write("check_batch", persons)
