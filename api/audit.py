"""The audit sink: one JSON line per check and per read of personal data.

Kept apart from the application log. This release appends plain JSON lines to
``data_dir/audit.log``; hash chaining and export arrive with the trust work.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["AuditLog"]


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def write(self, event: str, **fields) -> None:
        record = {"at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), "event": event, **fields}
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(line)
