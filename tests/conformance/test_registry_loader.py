"""Enterprise registry records, on every store: the same registration as an API's
JSON (nested lists) and as stacked CSV tables gives the same graph; one person per
name within an enterprise across roles; shares as percent; branches."""

from __future__ import annotations

import csv
import json
import random

import pytest

from graph_model.identity.identifiers import make_uscc
from loaders.registry import load_registry

RNG = random.Random(11)
A, B, BRANCH = make_uscc(RNG, "230103"), make_uscc(RNG, "110105"), make_uscc(RNG, "230102")


def _json(path, shares=("60%", "40%")):
    record = {"entName": "哈尔滨北方机电有限公司", "creditCode": A, "legalPerson": "张三", "estDate": "2010-05-06",
              "regOrg": "哈尔滨市南岗区市场监督管理局", "regState": "存续",
              "members": [{"name": "张三", "position": "执行董事"}, {"name": "李四", "position": "监事"}],
              "shareholders": [{"inv": "张三", "invType": "自然人股东", "conProp": shares[0]},
                               {"inv": "北京远景投资有限公司", "invType": "企业法人", "blicNo": B, "conProp": shares[1]}],
              "branches": [{"brName": "哈尔滨北方机电有限公司道里分公司", "brUscc": BRANCH}]}
    path.write_text(json.dumps({"data": [record]}, ensure_ascii=False), "utf-8")
    return path


def _csv(path):
    owner = ["哈尔滨北方机电有限公司", A]
    tables = [(["企业名称", "统一社会信用代码", "法定代表人", "成立日期", "登记机关", "登记状态"],
               [[*owner, "张三", "2010年05月06日", "哈尔滨市南岗区市场监督管理局", "存续"]]),
              (["企业名称", "统一社会信用代码", "姓名", "职务"], [[*owner, "张三", "执行董事"], [*owner, "李四", "监事"]]),
              (["企业名称", "统一社会信用代码", "股东名称", "股东类型", "证照号码", "持股比例"],
               [[*owner, "张三", "自然人股东", "", "60%"], [*owner, "北京远景投资有限公司", "企业法人", B, "40%"]]),
              (["企业名称", "统一社会信用代码", "分支机构名称", "分支机构统一社会信用代码"],
               [[*owner, "哈尔滨北方机电有限公司道里分公司", BRANCH]])]
    with open(path, "w", newline="", encoding="gb18030") as handle:
        writer = csv.writer(handle)
        for header, rows in tables:
            writer.writerow(header)
            writer.writerows(rows)
            writer.writerow([])
    return path


def _graph(store):
    nodes = {r["props"]["id"]: r["props"] for r in store.read("snapshot_nodes") if "Subject" in r["labels"]}
    rels = sorted((nodes[r["from_id"]]["name"], r["type"], nodes[r["to_id"]]["name"], r["props"].get("share"),
                   r["props"].get("title")) for r in store.read("snapshot_relationships")
                  if r["type"] in ("LEGAL_REP_OF", "KEY_PERSON_OF", "HOLDS_SHARES", "BRANCH_OF"))
    return nodes, rels


EXPECTED = sorted([
    ("张三", "LEGAL_REP_OF", "哈尔滨北方机电有限公司", None, "法定代表人（登记信息）"),
    ("张三", "KEY_PERSON_OF", "哈尔滨北方机电有限公司", None, "执行董事"),
    ("李四", "KEY_PERSON_OF", "哈尔滨北方机电有限公司", None, "监事"),
    ("张三", "HOLDS_SHARES", "哈尔滨北方机电有限公司", 60.0, "股东（登记信息）"),
    ("北京远景投资有限公司", "HOLDS_SHARES", "哈尔滨北方机电有限公司", 40.0, "股东（登记信息）"),
    ("哈尔滨北方机电有限公司道里分公司", "BRANCH_OF", "哈尔滨北方机电有限公司", None, None),
])


@pytest.mark.parametrize("shape", ["json", "csv"])
def test_a_registration_gives_its_roles_shares_and_branches(store, catalogue, hasher, tmp_path, batch_size, shape):
    path = _json(tmp_path / "r.json") if shape == "json" else _csv(tmp_path / "r.csv")
    report = load_registry(store, catalogue, hasher, [path], batch_size=batch_size)
    assert report.rejects == []
    nodes, rels = _graph(store)
    assert rels == EXPECTED
    persons = sorted(n["name"] for n in nodes.values() if n["kind"] == "person")
    assert persons == ["张三", "李四"]  # 张三: legal rep, director and shareholder, one person
    [firm] = [n for n in nodes.values() if n.get("uscc") == A]
    assert (firm["established"], firm["region"], firm["status"]) == ("2010-05-06", "230103", "存续")
    holder = next(n for n in nodes.values() if n["name"] == "北京远景投资有限公司")
    assert holder["uscc"] == B and holder["kind"] == "enterprise"


def test_fractions_are_read_as_percent_and_reloading_changes_nothing(store, catalogue, hasher, tmp_path,
                                                                      batch_size):
    path = _json(tmp_path / "r.json", shares=("0.6", "0.4"))
    load_registry(store, catalogue, hasher, [path], batch_size=batch_size)
    nodes, rels = _graph(store)
    assert rels == EXPECTED
    before = sorted(map(repr, store.read("snapshot_nodes"))), sorted(map(repr, store.read("snapshot_relationships")))
    load_registry(store, catalogue, hasher, [path], batch_size=batch_size)
    after = sorted(map(repr, store.read("snapshot_nodes"))), sorted(map(repr, store.read("snapshot_relationships")))
    assert after == before
