"""What every command shares: consoles, the opened store, and exit codes."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import typer
from rich.console import Console

from graph_model.catalogue import Catalogue, load_catalogue
from graph_model.errors import InvalidCatalogue, InvalidInput, NotFound, SanctionnetError, StoreUnavailable
from graph_model.pii import IdHasher
from graph_model.settings import Settings, get_settings
from graph_model.store import EmbeddedServer, Store, open_store

__all__ = ["console", "err", "Opened", "opened", "exits"]

console = Console()
err = Console(stderr=True)

# Exit codes: 0 ok, 1 bad input (including an unknown subject), 3 store unavailable.
EXIT_INPUT = 1
EXIT_STORE = 3


@dataclass
class Opened:
    settings: Settings
    store: Store
    catalogue: Catalogue
    hasher: IdHasher
    server: EmbeddedServer | None
    started: bool


@contextmanager
def opened(settings: Settings | None = None) -> Iterator[Opened]:
    """The configured store (started if embedded and not running), catalogue and hasher."""
    settings = settings or get_settings()
    catalogue = load_catalogue(settings.catalogue_dir)
    store, server, started = open_store(settings)
    if started:
        err.print(f"[dim]started the embedded store in {settings.data_dir} (stop it with `sanctionnet db stop`)[/]")
    try:
        yield Opened(settings, store, catalogue, IdHasher.from_settings(settings), server, started)
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
            err.print(f"[red]store unavailable:[/] {exc.detail}")
            raise typer.Exit(EXIT_STORE) from None
        except SanctionnetError as exc:
            err.print(f"[red]error:[/] {exc.detail}")
            raise typer.Exit(EXIT_INPUT) from None

    return wrapper
