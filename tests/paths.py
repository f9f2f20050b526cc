"""Where the tests' files are, wherever a test module sits: the fixtures committed with
the tests (each folder notes its source and licence) and the shared real-data samples
beside the project (optional: a test that reads them skips when they are absent)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["FIXTURES", "ROOT", "SHARED"]

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"
