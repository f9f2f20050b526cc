"""Administrative divisions as Region nodes, on every store: the hierarchy, and old codes
leading to the current region."""

from __future__ import annotations

import pytest

from graph_model.identity.region_history import historical_codes
from graph_model.identity.regions import counties, provinces
from loaders.divisions import load_divisions
from tests.paths import SHARED

DIVISIONS = SHARED / "data" / "cn-admin-divisions"


def _regions(store) -> dict[str, dict]:
    return {r["props"]["code"]: r["props"] for r in store.read("snapshot_nodes") if "Region" in r["labels"]}


def _edges(store, kind: str) -> dict[str, dict]:
    return {r["from_id"]: r for r in store.read("snapshot_relationships") if r["type"] == kind}


def test_the_shipped_table_and_history_load_as_a_hierarchy_with_successors(store, batch_size):
    # Region rows are small: twenty fit in one statement even on the Bolt test server.
    report = load_divisions(store, batch_size=min(batch_size * 20, 20_000))
    regions = _regions(store)
    current = [r for r in regions.values() if r["current"]]
    # 31 mainland provinces of the 2023 table, and Hong Kong, Macao and Taiwan from the history.
    assert sum(r["level"] == "province" for r in current) == len(provinces()) + 3 == 34
    assert {c.code for c in counties()} <= {r["code"] for r in current}
    abolished = {r["code"] for r in regions.values() if not r["current"]}
    assert len(abolished) == report.loaded["succeeded_by"] > 3000 and abolished <= set(historical_codes())
    assert regions["810000"]["current"] and regions["810000"]["name"] == "香港特别行政区"
    assert regions["110103"]["name"] == "崇文区" and "2010" in regions["110103"]["names"]
    successors = {r["props"]["why"]: r for r in store.read("snapshot_relationships") if r["type"] == "SUCCEEDED_BY"}
    assert any("崇文区" not in why and "abolished 2010" in why for why in successors)
    assert [(r["code"], r["level"]) for r in store.read("region_parents", code="230103")] == [
        ("230100", "city"), ("230000", "province")]
    assert [r["code"] for r in store.read("region_parents", code="110103")] == ["110100", "110000"]
    before = sorted(map(repr, store.read("snapshot_nodes"))), sorted(map(repr, store.read("snapshot_relationships")))
    load_divisions(store, batch_size=min(batch_size * 20, 20_000))
    after = sorted(map(repr, store.read("snapshot_nodes"))), sorted(map(repr, store.read("snapshot_relationships")))
    assert after == before


@pytest.mark.skipif(not DIVISIONS.is_dir(), reason="../shared/data/cn-admin-divisions not present")
def test_the_published_tables_load_with_their_counts(store, request):
    if request.node.callspec.params["store"] != "falkordb":
        pytest.skip("the full tables run on the embedded store")
    files = [DIVISIONS / name for name in ("provinces.csv", "cities.csv", "areas.csv", "stdnum_cn_loc.dat")]
    report = load_divisions(store, files)
    assert report.read == {"provinces.csv": 31, "cities.csv": 342, "areas.csv": 2978, "stdnum_cn_loc.dat": 6885}
    assert report.loaded["regions"] == len(_regions(store))
