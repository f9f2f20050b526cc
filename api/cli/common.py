"""What every command shares: consoles, the opened store, and exit codes."""

from __future__ import annotations

import functools
import getpass
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from api.audit import CALLER, AuditLog
from api.reads import person_read
from graph_model.catalogue.model import Catalogue, load_catalogue
from graph_model.errors import InvalidCatalogue, InvalidInput, NotFound, SanctionnetError, StoreUnavailable
from graph_model.identity.pii import IdHasher
from graph_model.settings import Settings, get_settings
from graph_model.store import EmbeddedServer, Store, open_store
from graph_model.vocabulary.days import check_day

__all__ = ["console", "err", "Opened", "opened", "operator", "exits", "in_range"]

console = Console()
err = Console(stderr=True)

# Exit codes: 0 ok, 1 bad input (including an unknown subject), 3 store unavailable.
EXIT_INPUT = 1
EXIT_STORE = 3


def in_range(value: datetime | None) -> datetime | None:
    """Typer callback of every date option: a day outside ``graph_model.vocabulary.days``' range is
    a bad parameter, named by its option, like the API's 422."""
    if value is not None:
        try:
            check_day(value.date())
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    return value


def operator() -> dict:
    """Who runs the command, for the audit log's ``who``: the OS user (None for a
    container's uid without a passwd entry). The CLI has no API key; nothing secret."""
    try:
        return {"os_user": getpass.getuser()}
    except (KeyError, OSError):
        return {"os_user": None}


@dataclass
class Opened:
    settings: Settings
    store: Store
    catalogue: Catalogue
    hasher: IdHasher
    server: EmbeddedServer | None
    started: bool
    audit: AuditLog

    def record(self, event: str, **fields: Any) -> dict:
        """Write the audit entry the API writes for the same read or change, with
        ``via: "cli"`` and the operator (``operator``) as ``who``."""
        token = CALLER.set(operator())
        try:
            return self.audit.write(event, via="cli", **fields)
        finally:
            CALLER.reset(token)

    def read_person(self, what: str | None = None, persons: Iterable[str] = (), *, subject: dict | None = None,
                    **fields: Any) -> None:
        """The API's ``read_person`` line (``api.reads.person_read``) if the answer named a
        person (``persons``, or the ``subject`` itself); nothing otherwise."""
        if (line := person_read(what, persons, subject, fields)) is not None:
            self.record("read_person", **line)

    def require_subjects(self) -> None:
        """Raise StoreUnavailable if the store holds no subject: every key would be
        answered as unknown, which must not pass for an answer."""
        if not self.store.read("any_subject"):
            where = self.settings.neo4j_uri if self.settings.store == "neo4j" else self.settings.data_dir
            raise StoreUnavailable(
                f"the store in {where} holds no subjects, so nothing can be answered from it. Load data first "
                "(`sanctionnet load ...`), or point SANCTIONNET_DATA_DIR at the folder that holds your data.")


@contextmanager
def opened(settings: Settings | None = None, *, create: bool = False) -> Iterator[Opened]:
    """The configured store (started if embedded and not running), catalogue, hasher
    and audit log.

    Only commands that put data in (``load``, ``demo``) pass ``create``: for every
    other, a data folder without a store raises ``NoStore`` (exit 3) and is left as it
    was, instead of a new, empty store answering "no such subject". A NotFound raised
    inside the block from a store that holds no subject at all becomes a
    StoreUnavailable saying so (exit 3)."""
    settings = settings or get_settings()
    catalogue = load_catalogue(settings.catalogue_dir)
    store, server, started = open_store(settings, create=create)
    if started:
        err.print(f"[dim]started the embedded store in {settings.data_dir} (stop it with `sanctionnet db stop`)[/]")
    try:
        audit = AuditLog(settings.data_dir / "audit.log", catalogue_version=catalogue.version,
                         version=lambda: store.read_one("data_version")["version"])
        ctx = Opened(settings, store, catalogue, IdHasher.from_settings(settings), server, started, audit)
        try:
            yield ctx
        except NotFound:
            ctx.require_subjects()
            raise
    finally:
        store.close()


def exits(func: Callable) -> Callable:
    """Turn domain errors into a message on stderr and the documented exit code."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (InvalidInput, NotFound, InvalidCatalogue) as exc:
            err.print(f"[red]error:[/] {exc.detail}")
            raise typer.Exit(EXIT_INPUT) from None
        except StoreUnavailable as exc:
            # soft_wrap: a folder named in the message is never broken over two lines.
            err.print(f"[red]store unavailable:[/] {escape(exc.detail)}", soft_wrap=True)
            raise typer.Exit(EXIT_STORE) from None
        except SanctionnetError as exc:
            err.print(f"[red]error:[/] {exc.detail}")
            raise typer.Exit(EXIT_INPUT) from None

    return wrapper
