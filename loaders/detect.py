"""Which format a file or folder is, from its first kilobytes, for ``sanctionnet load auto``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from graph_model.errors import InvalidInput
from loaders.court import COURT_TABLE
from loaders.listed import TABLES as LISTED_TABLES
from loaders.registry import TABLES as REGISTRY_TABLES
from loaders.sourcefile import decode

__all__ = ["FORMATS", "detect"]

FORMATS = ("bundle", "court", "listed", "registry", "ftm", "bods", "regions")
_HEAD = 256 * 1024


def _json_format(text: str) -> str | None:
    # The head of a large file is not a whole document: look for the keys each format has.
    if '"schema"' in text and '"properties"' in text:
        return "ftm"
    if '"statementId"' in text or '"recordType"' in text or '"statementType"' in text:
        return "bods"
    if any(f'"{alias}"' in text for alias in COURT_TABLE.fields["case_code"]):
        return "court"
    if any(f'"{key}"' in text for key in ("entName", "creditCode", "企业名称", "uniscId")):
        return "registry"
    return None


def _csv_format(text: str) -> str | None:
    if text.lstrip().startswith("#") and '="' in text:
        return "regions"  # python-stdnum's loc.dat: historical division names
    headers = [row for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]
    if headers and headers[0][:2] == ["code", "name"]:
        return "regions"  # provinces.csv / cities.csv / areas.csv
    # Court files may stack a registration table above the records: any court header wins.
    if any(COURT_TABLE.columns(row) for row in headers):
        return "court"
    for row in headers[:1]:
        if any(table.columns(row) for table in LISTED_TABLES):
            return "listed"
        if any(table.columns(row) for table in REGISTRY_TABLES):
            return "registry"
    return None


def detect(path: Path) -> str:
    """The format of ``path`` (one of FORMATS), or InvalidInput saying what was seen."""
    path = Path(path)
    if path.is_dir():
        if (path / "subjects.csv").is_file():
            return "bundle"
        raise InvalidInput(f"{path}: a folder without subjects.csv is not a bundle; name the files instead")
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEAD)
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read: {exc.strerror}") from None
    text = decode(head, path) if len(head) < _HEAD else _decode_prefix(head, path)
    found = _json_format(text) if text.lstrip().startswith(("[", "{")) else _csv_format(text)
    if found is None:
        raise InvalidInput(f"{path}: not a format sanctionnet knows ({', '.join(FORMATS)}); "
                           "name it: sanctionnet load FORMAT PATH")
    return found


def _decode_prefix(head: bytes, path: Path) -> str:
    # A prefix may end inside a multi-byte character: drop up to three bytes.
    for cut in range(4):
        try:
            return decode(head[: len(head) - cut], path)
        except InvalidInput:
            continue
    return decode(head, path)
