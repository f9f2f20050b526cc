"""``validate`` as a user runs it: codes on standard input, one verdict per line on stdout."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys

from graph_model.identity.identifiers import make_resident_id, make_uscc
from tests.paths import ROOT

# The command as registered in the sanctionnet app, without depending on that registration.
WRAPPER = ("import typer; from api.cli.validate import validate; "
           "app = typer.Typer(); app.command()(validate); app()")

PERSON = make_resident_id(random.Random(7), "230103", dt.date(1964, 3, 4), False)
COMPANY = make_uscc(random.Random(7), "230103")


def _validate(stdin: bytes) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WRAPPER], input=stdin, capture_output=True, cwd=ROOT,
                          timeout=60)


def test_each_line_gets_a_verdict_in_order_and_any_invalid_line_exits_1():
    lines = [
        "\ufeff91230199744190927K",  # a BOM from a Windows editor
        "",
        "  74419092-7  ",
        "91230199744****927K",
        COMPANY.lower(),
        PERSON,
        "   ",
        "91230199744190927X",
        "74419092-0",
        "hello",
    ]
    result = _validate("\r\n".join(lines).encode("utf-8"))
    assert result.stdout.decode("utf-8").splitlines() == [
        "OK 91230199744190927K",
        "OK 74419092-7",
        "OK 91230199744****927K",
        f"OK {COMPANY.lower()}",
        f"OK {PERSON[:6]}********{PERSON[-4:]}",
        "INVALID 91230199744190927X: not a valid USCC: check character is 'X', expected 'K'",
        "INVALID 74419092-0: not a valid organisation code: check character is '0', expected '7'",
        "INVALID hello: wrong length 5, expected 18 (USCC, resident ID number) or 9 (organisation code)",
    ]
    assert result.returncode == 1


def test_id_numbers_are_printed_masked_whether_valid_masked_or_mistyped():
    typo = PERSON[:10] + "13" + PERSON[12:]  # month 13
    result = _validate(f"{PERSON}\n3423011964****3224\n{typo}\n".encode())
    out = result.stdout.decode("utf-8")
    assert out.splitlines() == [
        f"OK {PERSON[:6]}********{PERSON[-4:]}",
        "OK 342301********3224",
        f"INVALID {typo[:6]}********{typo[-4:]}: not a valid resident ID number: "
        "birth date at positions 7-14 is not a real date",
    ]
    assert PERSON not in out and typo not in out and "19640" not in out and "1964****" not in out
    assert result.returncode == 1


def test_all_valid_input_exits_0_and_empty_input_prints_nothing():
    result = _validate(b"744190927\n91230199744****927K\n3423011964****3224\n")
    assert result.stdout.decode().splitlines() == ["OK 744190927", "OK 91230199744****927K",
                                                  "OK 342301********3224"]
    assert result.returncode == 0
    empty = _validate(b"\n \n")
    assert (empty.stdout, empty.returncode) == (b"", 0)


def test_bytes_that_are_not_utf8_are_reported_not_fatal():
    result = _validate("哈尔滨泰富\n744190927\n".encode("gb18030"))
    lines = result.stdout.decode("utf-8").splitlines()
    assert lines[0].startswith("INVALID ") and lines[1] == "OK 744190927"
    assert result.returncode == 1
