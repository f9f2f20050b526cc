"""Personal identifiers: the keyed hash that replaces ID numbers in the graph."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from graph_model.errors import InvalidInput, StoreUnavailable
from graph_model.identity.identifiers import hash_identifier, normalise_resident_id
from graph_model.settings import Settings

__all__ = ["IdHasher"]


class IdHasher:
    """Hashes resident ID numbers with the deployment's secret key (HMAC-SHA256).

    The key comes from ``SANCTIONNET_ID_HASH_KEY`` or, when unset, from
    ``data_dir/id_hash.key``, created once with mode 0600. Without the key a hash
    cannot be tested against guessed ID numbers, which a plain hash could.
    """

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def from_settings(cls, settings: Settings) -> IdHasher:
        if settings.id_hash_key is not None:
            return cls(settings.id_hash_key.get_secret_value().encode())
        if settings.store == "neo4j":
            # A key invented per data folder would differ between the instances sharing
            # one database, and look-ups by ID number would silently find nothing.
            raise InvalidInput("SANCTIONNET_ID_HASH_KEY must be set when SANCTIONNET_STORE=neo4j; "
                               "use the same secret on every instance")
        path = Path(settings.data_dir) / "id_hash.key"
        try:
            return cls(path.read_bytes().strip())
        except FileNotFoundError:
            pass
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_hex(32).encode())
        except FileExistsError:
            pass  # another process created it first; read theirs
        except OSError as exc:
            raise StoreUnavailable(f"cannot create the ID-hash key {path}: {exc.strerror}") from exc
        return cls(path.read_bytes().strip())

    def __call__(self, id_number: str) -> str:
        return hash_identifier(normalise_resident_id(id_number), self._key)
