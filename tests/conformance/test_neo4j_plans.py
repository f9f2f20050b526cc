"""The plans the real Neo4j makes for every query of the neo4j dialect, and its schema.

Each query is EXPLAINed (planned, not run) on the empty database with the schema in
place, with parameters of the types the callers pass. A plan fails on:

- ``scan``: a label scan or an index scan feeding a filter that an existing index
  could serve (``x.k = ...``, a range, ``IS NOT NULL``; ``CONTAINS`` with a TEXT
  index), or any scan of all nodes or all relationships;
- ``cartesian``: a CartesianProduct with a scan under it (one of two index seeks, two
  look-ups by id for each row of a batch, is no cross join);
- ``eager``: an Eager in a batched write (an UNWIND of ``$rows``): it holds the whole batch;
- ``merge``: a MERGE of a node that does not go through a uniqueness constraint
  (NodeUniqueIndexSeek(Locking)), so that two MERGEs at once could both create.

The planner chooses by the database's statistics, and an empty database has none: this
proves that the schema lets a query seek where it should, not the plan it gets on a
national graph.
"""

from __future__ import annotations

import re

import pytest
from neo4j import GraphDatabase, NotificationMinimumSeverity
from neo4j.exceptions import Neo4jError

from cypher import get_queries
from graph_model.store.neo4j import SchemaForbidden
from graph_model.vocabulary import kinds

# Plans that break a rule on purpose: (query, rule) -> why.
ALLOWED = {
    ("delete_all", "scan"): "admin: wipes the graph",
    ("snapshot_nodes", "scan"): "admin: every node, to compare stores",
    ("snapshot_relationships", "scan"): "admin: every relationship, to compare stores",
    ("count_labels", "scan"): "admin: nodes per label set, for a backup",
    ("neo4j_admin_inventory", "scan"): "admin: every label set, before an export",
    # finding 5: the untyped expansion from p to s with type(k) = r.role is planned
    # as a scan of all relationships on the empty database; typed expansions are
    # finding 5's change.
    ("sweep_restrictions", "scan"): "finding 5",
    # Batched writes that Neo4j plans with an Eager, as it must when a row may be a node
    # (`row.found_on` could read what `SET l.found_on` wrote) or a map of unknown keys
    # is set (`+= row.props` could set the MERGE key); each batch is one transaction
    # of at most batch_size rows, so this costs memory, not a second pass of the graph.
    ("load_entries", "eager"): "SET e += row.props after an aggregation",
    ("leads_save", "eager"): "row.members and row.found_on read after l's SET",
    ("controller_candidates_save", "eager"): "c.lapsed_on and c.status read after they are SET",
    ("load_bids", "eager"): "the WON edges read, created and deleted per row",
}

# Parameter values by name, of the types the callers pass (dates as ISO strings); a
# name not listed is a string, and a list where the text UNWINDs it or tests IN it.
_SAMPLES = {"limit": 10, "offset": 0, "version": 1, "bind": True,
            "rows": [{"id": "x1"}, {"id": "x2"}], "pairs": [{"key": "k", "org_id": "x1", "name": "n"}],
            "props": {"kind": "person"}, "tx": {"seq": 1}, "restoration": {"on": "2024-05-01"},
            "fill": {"named": []}, "keys": ["named"], "ids": ["x1", "x2", "x3"]}
_DAYS = {"on", "to", "since", "until", "due_by", "at", "closed_on", "open_end", "after"}

_BATCHED = re.compile(r"\bUNWIND\s+\$rows\b")
_SCAN = re.compile(r"NodeByLabelScan|NodeIndexScan|UnionNodeByLabelsScan|IntersectionNodeByLabelsScan")
_SCAN_ALL = re.compile(r"AllNodesScan|AllRelationshipsScan")
# A conjunct an index can serve: a property of the scanned variable compared with a
# value, either way round (cache[x.k] is how a plan writes a property it has read).
_PROPERTY = r"(?:cache\[)?(\w+)\.(\w+)\]?"
_SERVABLE = re.compile(rf"^{_PROPERTY}\s*(=|<=|>=|<(?!>)|>|IN\b|STARTS WITH\b|ENDS WITH\b|CONTAINS\b|IS NOT NULL\b)")
_SERVABLE_REVERSED = re.compile(rf"^\S+\s*(=|<=|>=|<(?!>)|>)\s*{_PROPERTY}$")


def _sample(name: str, text: str):
    if name in _SAMPLES:
        return _SAMPLES[name]
    if re.search(rf"(UNWIND|\bIN)\s+\${name}\b", text):
        return ["x1", "x2", "x3"]
    return "2024-05-01" if name in _DAYS else "x1"


def _operators(plan: dict, parents: tuple = ()):
    """Every operator of a plan as (name, details, operator, parents nearest first)."""
    yield plan["operatorType"].split("@")[0], plan.get("args", {}).get("Details") or "", plan, parents
    for child in plan.get("children", []):
        yield from _operators(child, (plan, *parents))


def _conjuncts(condition: str) -> list[str]:
    """The parts of a filter joined by AND at the top level, parentheses removed; a
    part with an OR at its top level is left out, since no index serves it."""
    condition = condition.strip()
    parts, depth, start = [], 0, 0
    for i, char in enumerate(condition):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and condition.startswith(" AND ", i):
            parts.append(condition[start:i])
            start = i + 5
    parts.append(condition[start:])
    if len(parts) == 1:
        part = parts[0]
        if part.startswith("(") and part.endswith(")") and _balanced(part[1:-1]):
            return _conjuncts(part[1:-1])
        return [] if _top_level_or(part) else [part]
    return [c for part in parts for c in _conjuncts(part)]


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _top_level_or(text: str) -> bool:
    depth = 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and text.startswith(" OR ", i):
            return True
    return False


def _served_filters(details: str, var: str, label: str, indexes: set) -> list[str]:
    """The conjuncts of a filter on ``var`` (label ``label``) that an index serves."""
    served = []
    for conjunct in _conjuncts(details):
        forward, reversed_ = _SERVABLE.match(conjunct), _SERVABLE_REVERSED.match(conjunct)
        if forward:
            node, key, op = forward.groups()
        elif reversed_:
            op, node, key = reversed_.groups()
        else:
            continue
        kind = "TEXT" if op in ("CONTAINS", "ENDS WITH") else "RANGE"
        if node == var and (kind, label, key) in indexes:
            served.append(conjunct)
    return served


def plan_problems(text: str, plan: dict, indexes: set[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(rule, what) for each rule of the module docstring the plan breaks; ``indexes``
    holds (RANGE or TEXT, label, key) for each index in the database."""
    problems = []
    for name, details, operator, parents in _operators(plan):
        if _SCAN_ALL.search(name):
            problems.append(("scan", name))
        elif _SCAN.fullmatch(name):
            var, label = re.search(r"(\w+):(\w+)", details).groups()
            for parent in parents:
                parent_name = parent["operatorType"].split("@")[0]
                if parent_name not in ("Filter", "CacheProperties"):
                    break
                for served in _served_filters(parent.get("args", {}).get("Details") or "", var, label, indexes):
                    problems.append(("scan", f"{name} {details} under Filter {served}"))
        elif name == "CartesianProduct":
            scans = [n for n, *_ in _operators(operator) if "Scan" in n]
            if scans:
                problems.append(("cartesian", f"over {scans}"))
        elif name == "Eager" and _BATCHED.search(text):
            problems.append(("eager", details))
        elif name in ("Merge", "LockingMerge") and (created := re.match(r"CREATE \((\w+):", details)):
            seeks = [d for n, d, *_ in _operators(operator)
                     if n.startswith("NodeUniqueIndexSeek") and d.startswith(f"UNIQUE {created.group(1)}:")]
            if not seeks:
                problems.append(("merge", details.split(",")[0]))
    return problems


@pytest.fixture
def neo4j_store(store, request):
    """The ``store`` fixture's real Neo4j (empty, schema in place); other stores skip."""
    if request.node.callspec.params["store"] != "neo4j":
        pytest.skip("plans and schema of a real Neo4j")
    return store


@pytest.fixture
def session(neo4j_store, request):
    """A session of the official driver on that database, beside the store's own."""
    server = request.getfixturevalue("neo4j_server")  # only now: the other stores skip without it
    # Notifications off: EXPLAIN on an empty database warns of every unknown label.
    driver = GraphDatabase.driver(server["uri"], auth=(server["user"], server["password"]),
                                  notifications_min_severity=NotificationMinimumSeverity.OFF)
    with driver.session(database=server["database"]) as session:
        yield session
    driver.close()


def test_every_query_plans_with_its_indexes(neo4j_store, session):
    indexes = {(row["type"], label, key) for row in neo4j_store.read("existing_indexes")
               for label in row["labels"] for key in row["properties"]}
    problems = []
    for query in neo4j_store.queries.all():
        if query.name.startswith("schema_"):
            continue
        params = {name: _sample(name, query.text) for name in query.params}
        label = f"{query.name}[{query.variant}]" if query.variant else query.name
        try:
            # replan=force: not a plan cached while an earlier test's data was there.
            plan = session.run("CYPHER replan=force EXPLAIN " + query.text, params).consume().plan
        except Neo4jError as exc:
            problems.append(f"{label}: explain: {exc.code}: {exc.message}")
            continue
        problems += [f"{label}: {rule}: {what}" for rule, what in plan_problems(query.text, plan, indexes)
                     if (query.name, rule) not in ALLOWED]
    assert problems == []


def test_the_rules_read_plans():
    def op(name, details="", *children):
        return {"operatorType": f"{name}@neo4j", "args": {"Details": details}, "children": list(children)}
    indexes = {("RANGE", "Entry", "list"), ("TEXT", "Subject", "name")}
    scan = op("Filter", "cache[e.list] = $list AND NOT e.state = $autostring_0", op("NodeByLabelScan", "e:Entry"))
    assert plan_problems("", scan, indexes) == [("scan", "NodeByLabelScan e:Entry under Filter cache[e.list] = $list")]
    optional = op("Filter", "($list IS NULL OR e.list = $list)", op("NodeByLabelScan", "e:Entry"))
    assert plan_problems("", optional, indexes) == []
    contains = op("Filter", "cache[s.name] CONTAINS $q",
                  op("NodeIndexScan", "RANGE INDEX s:Subject(name) WHERE name IS NOT NULL"))
    assert [rule for rule, _ in plan_problems("", contains, indexes)] == ["scan"]
    seeks = op("CartesianProduct", "", op("NodeUniqueIndexSeek", "UNIQUE a:Subject(id) WHERE id = row.a"),
               op("NodeUniqueIndexSeek", "UNIQUE b:Subject(id) WHERE id = row.b"))
    batched = get_queries("neo4j", kinds).get("merge_tasks").text
    assert plan_problems(batched, op("Eager", "read/set conflict", seeks), set()) == [("eager", "read/set conflict")]
    assert plan_problems("", op("CartesianProduct", "", op("NodeByLabelScan", "a:Subject"), seeks), set()) == [
        ("cartesian", "over ['NodeByLabelScan']")]


def test_a_schema_that_cannot_be_created_is_checked_and_named(neo4j_store, session):
    # A real refusal needs Neo4j Enterprise's roles (Community has none): drop two, and
    # check as ensure_schema does after a refusal.
    session.run("DROP INDEX task_status").consume()
    session.run("DROP CONSTRAINT meta_id").consume()
    with pytest.raises(SchemaForbidden) as refused:
        neo4j_store._await_schema(refused=True)
    assert "meta_id (uniqueness constraint on :Meta(id))" in str(refused.value)
    assert "task_status (RANGE index on :Task(status))" in str(refused.value)
    neo4j_store.ensure_schema()
    states = {row["name"]: row["state"] for row in neo4j_store.read("existing_indexes")}
    assert states["task_status"] == states["meta_id"] == "ONLINE"


def test_the_schema_is_online_when_ensure_schema_returns(neo4j_store, session):
    # Neo4j builds an index over existing nodes in the background, and a look-up made
    # before it is ONLINE scans: 30,000 tasks keep it building for about half a second.
    neo4j_store.write_rows("merge_tasks", ({"id": f"T{i}", "props": {"status": "open"}} for i in range(30_000)))
    session.run("DROP INDEX task_status").consume()
    neo4j_store.ensure_schema()
    states = {row["name"]: row["state"] for row in neo4j_store.read("existing_indexes")}
    assert states["task_status"] == "ONLINE"
    assert set(states.values()) == {"ONLINE"}
