"""Who asked, and which persons an answer named: the one dependency every router uses
for the audit line of a read of personal data (``read_person``), and for the reader
policy of the caller's key (``graph_model.privacy.reader``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from api.auth import authenticated
from api.deps import Services, ServicesDep
from api.keys import ApiKey
from graph_model.privacy.reader import Reader
from graph_model.vocabulary.kinds import SubjectKind

__all__ = ["Reads", "ReadsDep", "client_of", "person_read"]


def client_of(request: Request) -> str | None:
    """The client's address as the audit log records it (the connection's peer, or what
    a trusted proxy says: docs/security.md)."""
    return request.client.host if request.client else None


def person_read(what: str | None, persons: Iterable[str], subject: dict | None, fields: dict) -> dict | None:
    """The fields of a ``read_person`` audit line for an answer that named ``persons``
    (and ``subject``, if a person: bundle ids, never an ID number); None if it named
    none. The API (``Reads``) and the CLI (``Opened.read_person``) both write it."""
    named = set(persons)
    if subject is not None and subject.get("kind") == SubjectKind.person:
        named.add(subject["id"])
    if not named:
        return None
    return {**({"what": what} if what else {}), **({"subject": subject["id"]} if subject is not None else {}),
            "persons": sorted(named), **fields}


@dataclass
class Reads:
    """The caller as a reader, and the audit of the persons its answers name."""

    services: Services
    client: str | None
    reader: Reader

    def _fields(self, what: str | None, persons: Iterable[str], subject: dict | None, fields: dict) -> dict | None:
        line = person_read(what, persons, subject, fields)
        return None if line is None else {"client": self.client, **line}

    async def record(self, what: str | None = None, persons: Iterable[str] = (), *, subject: dict | None = None,
                     **fields: Any) -> None:
        """One ``read_person`` line if the answer named a person (``persons``, or the
        ``subject`` itself); nothing otherwise."""
        if (line := self._fields(what, persons, subject, fields)) is not None:
            await self.services.audit.awrite("read_person", **line)

    def write(self, what: str | None = None, persons: Iterable[str] = (), *, subject: dict | None = None,
              **fields: Any) -> None:
        """``record`` from a worker thread (the batch check writes its lines there)."""
        if (line := self._fields(what, persons, subject, fields)) is not None:
            self.services.audit.write("read_person", **line)


async def reads(request: Request, services: ServicesDep, key: Annotated[ApiKey, Depends(authenticated)]) -> Reads:
    return Reads(services, client_of(request), Reader(key.role))


ReadsDep = Annotated[Reads, Depends(reads)]
