"""API keys: who may call the API, and as what role.

A key is shown once, when it is created: ``snk_<id>_<secret>``. Only its SHA-256
is stored (the secret has 256 bits, so an unsalted hash is as good as a slow one),
with its role, name, and for a registrar the department and region it acts for.
Keys live in ``data_dir/keys.json``, written whole to a temporary file and renamed
under a lock, so several API workers and the CLI can share it; a worker re-reads
it when it changes, so a revoked key stops working at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from pydantic import BaseModel, Field

from graph_model.errors import InvalidInput, NotFound
from graph_model.identity.free_text import mask_id_numbers
from graph_model.identity.regions import province_of
from graph_model.privacy.masking import Role

__all__ = ["ApiKey", "KeyStore"]

PREFIX = "snk_"


class ApiKey(BaseModel):
    id: str
    role: Role
    name: str
    department: str | None = Field(None, description="A registrar's department: the only one it records for.")
    dept_type: str | None = Field(None, description="A registrar's department type (人民法院, 税务部门, ...): "
                                                    "it records on the lists whose deciding_dept_types name it.")
    region: str | None = Field(None, pattern=r"^\d{6}$", description="A registrar's region (GB/T 2260).")
    created: str
    revoked: str | None = None
    hash: str = Field(repr=False)

    @property
    def active(self) -> bool:
        return self.revoked is None

    def public(self) -> dict:
        """What `keys list` shows: never the hash."""
        return self.model_dump(exclude={"hash"})


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class KeyStore:
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "keys.json"
        self._seen: tuple[int, ...] | None = None
        self._keys: dict[str, ApiKey] = {}

    @contextmanager
    def _locked(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _read(self) -> dict[str, ApiKey]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._seen, self._keys = None, {}
            return self._keys
        seen = (stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)
        if seen != self._seen:
            rows = json.loads(self.path.read_text(encoding="utf-8"))["keys"]
            self._keys, self._seen = {row["id"]: ApiKey(**row) for row in rows}, seen
        return self._keys

    def _write(self, keys: dict[str, ApiKey]) -> None:
        tmp = self.path.with_suffix(".tmp")
        # Created owner-only: the hashes are never readable by others, not even briefly.
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as handle:
            json.dump({"keys": [k.model_dump(mode="json") for k in keys.values()]}, handle, ensure_ascii=False,
                      indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)

    def create(self, role: Role, name: str, department: str | None = None, region: str | None = None,
               dept_type: str | None = None, dept_types: frozenset[str] = frozenset()) -> tuple[ApiKey, str]:
        """A new key and its token (shown this once). ``dept_types``: the department
        types the catalogue names; a registrar's ``dept_type`` must be one."""
        if role is Role.registrar and not (department and region and dept_type):
            raise InvalidInput("a registrar key needs --department, --dept-type and --region: it records only for "
                               "them, on the lists its department type may decide")
        if role is not Role.registrar and (department or region or dept_type):
            raise InvalidInput("only a registrar key is tied to a department, its type and a region")
        if dept_type is not None and dept_type not in dept_types:
            raise InvalidInput(f"--dept-type {dept_type!r} is not a department type the catalogue names; one of: "
                               f"{'、'.join(sorted(dept_types))}")
        if region is not None and (not re.fullmatch(r"\d{6}", region) or province_of(region) is None):
            raise InvalidInput(f"--region {region!r}: give a six-digit GB/T 2260 code, e.g. 230000")
        key_id = secrets.token_hex(4)
        token = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        key = ApiKey(id=key_id, role=role, name=mask_id_numbers(name), department=department, dept_type=dept_type,
                     region=region,
                     created=datetime.now(timezone.utc).isoformat(timespec="seconds"), hash=_digest(token))
        with self._locked():
            keys = dict(self._read())
            keys[key_id] = key
            self._write(keys)
        return key, token

    def revoke(self, key_id: str) -> ApiKey:
        with self._locked():
            keys = dict(self._read())
            if key_id not in keys:
                raise NotFound(f"no key {key_id!r}")
            if keys[key_id].active:
                keys[key_id] = keys[key_id].model_copy(
                    update={"revoked": datetime.now(timezone.utc).isoformat(timespec="seconds")})
                self._write(keys)
            return keys[key_id]

    def list(self) -> list[ApiKey]:
        return sorted(self._read().values(), key=lambda k: k.created)

    def caller(self, token: str) -> ApiKey | None:
        """The active key this token is, or None."""
        if not token.startswith(PREFIX) or token.count("_") < 2:
            return None
        key = self._read().get(token[len(PREFIX):].split("_", 1)[0])
        if key is None or not key.active or not hmac.compare_digest(key.hash, _digest(token)):
            return None
        return key
