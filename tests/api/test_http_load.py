"""A bounded load over loopback with two API workers: every check is answered, none
fails, none is dropped. (Rates are printed by `python -m bench.http_load`.)"""

from __future__ import annotations

import os
import random

from bench.http_load import load, subjects
from tests.serving import run_cli


def test_two_workers_answer_every_check_under_load(tmp_path):
    env = {**os.environ, "SANCTIONNET_DATA_DIR": str(tmp_path / "data"), "SANCTIONNET_ID_HASH_KEY": "k"}
    try:
        assert run_cli(env, "demo", "--enterprises", "300", timeout=300).returncode == 0
        keys = subjects(tmp_path / "data" / "demo-bundle", 600, random.Random(3))
        result = load(env, keys, workers=2, concurrency=12)
        assert result.errors == [] and result.statuses == {200: 600}
        # Every check is in the one audit log both workers write.
        audit = (tmp_path / "data" / "audit.log").read_text(encoding="utf-8").splitlines()
        assert sum('"event": "check"' in line or '"event":"check"' in line for line in audit) == 600
    finally:
        run_cli(env, "db", "stop")
