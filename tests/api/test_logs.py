"""The server's log after failing requests holds no API key and no ID number (issue 17,
finding 1: structlog's default renderer dumped every frame's local variables, the
caller's bearer token and the ID numbers a request read among them)."""

from __future__ import annotations

import os
import re

from tests.factories import Bundle
from tests.serving import api_key, client, free_port, run_cli, serve, stop


def test_a_failing_request_leaves_no_key_or_id_number_in_the_server_log(tmp_path):
    env = {**os.environ, "SANCTIONNET_DATA_DIR": str(tmp_path / "data"), "SANCTIONNET_ID_HASH_KEY": "k"}
    b = Bundle()
    b.enterprise("E1", "哈尔滨泰富电气有限公司")
    _, id_number = b.person("P1", "杨天夫")
    b.role("P1", "LEGAL_REP_OF", "E1", valid_from="2003-04-10")
    b.entry("J1", "E1", determined="2018-04-08")
    assert run_cli(env, "load", "bundle", str(b.write(tmp_path / "bundle"))).returncode == 0
    key = api_key(env, "admin")
    port = free_port()
    proc = serve(env, port)
    try:
        # Dates in year 1 made the date arithmetic fail inside the handler (a 500, after
        # which the server closes the connection): one client per request.
        failed = []
        for path, params in (("/v1/subjects/P1/grade", {"date": "0001-01-01"}),
                             ("/v1/check", {"subject": id_number, "action": "admin.green_channel",
                                            "date": "0002-06-30"})):
            with client(port, key) as api:
                failed.append(api.get(path, params=params).status_code)
        with client(port, key) as api:
            assert api.get("/v1/check", params={"subject": id_number}).status_code == 200
    finally:
        assert stop(proc) == 0
        run_cli(env, "db", "stop")
    log = proc.log.read_text()
    if any(status >= 500 for status in failed):
        assert "Traceback" in log  # the error path ran and was logged
    assert "snk_" not in log and key not in log
    assert id_number not in log and not re.search(r"(?<!\d)\d{17}[\dXx](?!\d)", log)
