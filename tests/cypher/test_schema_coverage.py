"""Every key a query finds nodes by has an index, and every MERGE key a uniqueness
constraint, in the schema queries (``schema_*``) of the same dialect.

Read from the query texts with regular expressions, clause by clause (no Cypher
parser): a labelled node pattern with a map, ``(x:L {k: ...})``, is a look-up of
(L, k) in MATCH and a MERGE key in MERGE; a node that is a MATCH's whole pattern is
found through its WHERE, so ``x.k = $p`` or ``x.k IN $p`` there (or against a batch
row of ``UNWIND ... AS row``) is a look-up too, and ``x.k CONTAINS ...`` needs a TEXT
index on Neo4j. A predicate on a node reached from another one is a filter, not a
look-up, and is not checked. On Neo4j a MERGE key needs a uniqueness constraint: two
MERGEs at once both create without one. FalkorDB runs a graph's writes one at a
time, so there an index suffices (cypher/schema.cypher).
"""

from __future__ import annotations

import re
import shutil

import pytest

import cypher
from cypher import DIALECTS, Queries, get_queries
from graph_model.vocabulary import kinds
from tests.paths import ROOT

# Look-ups left to scan on purpose: (dialect, or None for both; query; "need Label.key").
ALLOWED = {
    (None, "neo4j_admin_empty_lists", "index SanctionnetEmptyLists.sanctionnet_empty_lists"):
        "the label marks only the nodes an import left to finish: scanning it is the selection",
    ("falkordb", "search_names", "text Subject.name"):
        "FalkorDB has no index for CONTAINS (its full-text index answers a procedure, not CONTAINS)",
}

_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
# Clause keywords, longest first where one starts another (ON CREATE SET before CREATE).
_CLAUSE = re.compile(r"\b(OPTIONAL MATCH|ON CREATE SET|ON MATCH SET|DETACH DELETE|ORDER BY|MATCH|MERGE|CREATE|"
                     r"WHERE|WITH|RETURN|UNWIND|SET|DELETE|REMOVE|FOREACH|SKIP|LIMIT|UNION|CALL|YIELD|SHOW)\b")
_NODE = re.compile(r"\(\s*(\w*)\s*((?::\s*\w+)+)\s*(?:\{([^{}]*)\})?\s*\)")
_UNWIND_AS = re.compile(r"\bAS\s+(\w+)")
_VALUE = r"(\$\w+|\w+(?:\.\w+)?)"
_EQUALS = re.compile(rf"\b(\w+)\.(\w+)\s*(?:(?<![<>!])=(?!=)|\bIN\b)\s*{_VALUE}")
_EQUALS_REVERSED = re.compile(rf"{_VALUE}\s*(?<![<>!])=\s*(\w+)\.(\w+)\b")
_CONTAINS = re.compile(r"\b(\w+)\.(\w+)\s+CONTAINS\b")
_SCHEMA = re.compile(r"CREATE\s+(?:(TEXT|RANGE)\s+)?(INDEX|CONSTRAINT)\b.*?FOR\s*\(\s*(\w+)\s*:\s*(\w+)\s*\)\s*"
                     r"(?:ON\s*\(\s*\3\.(\w+)\s*\)|REQUIRE\s+\3\.(\w+)\s+IS\s+UNIQUE)", re.DOTALL)


def schema_of(queries: Queries) -> set[tuple[str, str, str]]:
    """(kind, label, key) for each index and constraint the schema queries create; kind
    is "unique", "index" (a range index, or any index on FalkorDB) or "text"."""
    found = set()
    for query in queries.all():
        if not query.name.startswith("schema_"):
            continue
        match = _SCHEMA.search(query.text)
        assert match, f"{query.dialect} {query.name}: not a CREATE INDEX or CREATE CONSTRAINT this test can read"
        text_kind, what, _, label, on_key, unique_key = match.groups()
        kind = "unique" if what == "CONSTRAINT" else "text" if text_kind == "TEXT" else "index"
        found.add((kind, label, on_key or unique_key))
    return found


def _clauses(text: str) -> list[tuple[str, str]]:
    """(keyword, body) of each clause, string literals blanked."""
    text = _STRING.sub("''", text)
    marks = list(_CLAUSE.finditer(text))
    return [(m.group(1), text[m.end():marks[i + 1].start() if i + 1 < len(marks) else len(text)])
            for i, m in enumerate(marks)]


def _keys(body: str | None) -> list[str]:
    return re.findall(r"(\w+)\s*:", body or "")


def needs(text: str) -> list[tuple[str, str, str]]:
    """(need, label, key) for each look-up and MERGE key in one query text; need is
    "unique", "index" or "text"."""
    clauses = _clauses(text)
    found: list[tuple[str, str, str]] = []
    labels: dict[str, list[str]] = {}
    for keyword, body in clauses:
        for var, label_text, props in _NODE.findall(body):
            node_labels = re.findall(r"\w+", label_text)
            labels.setdefault(var, []).extend(node_labels)
            if keyword in ("MATCH", "OPTIONAL MATCH", "MERGE"):
                need = "unique" if keyword == "MERGE" else "index"
                found += [(need, "|".join(node_labels), key) for key in _keys(props)]
    rows = {var for keyword, body in clauses if keyword == "UNWIND" for var in _UNWIND_AS.findall(body)}
    for (before, pattern), (keyword, body) in zip(clauses, clauses[1:]):
        lone = _NODE.fullmatch(pattern.strip())
        if keyword != "WHERE" or before not in ("MATCH", "OPTIONAL MATCH") or not lone or lone.group(3):
            continue
        var = lone.group(1)
        pairs = [(v, key, value) for v, key, value in _EQUALS.findall(body)]
        pairs += [(v, key, value) for value, v, key in _EQUALS_REVERSED.findall(body)]
        for v, key, value in pairs:
            from_input = value.startswith("$") or value.split(".")[0] in rows
            # ($p IS NULL OR x.k = $p) is an optional filter, which no index can serve.
            optional = value.startswith("$") and re.search(
                rf"\{value}\s+IS\s+NULL\s+OR\b|\{value}\s*=\s*''\s*OR\b", body)
            if v == var and from_input and not optional:
                found.append(("index", "|".join(labels[var]), key))
        found += [("text", "|".join(labels[var]), key) for v, key in _CONTAINS.findall(body) if v == var]
    return found


def _covered(need: str, labels: str, key: str, schema: set[tuple[str, str, str]], dialect: str) -> bool:
    """Whether one of the node's labels has what the look-up needs."""
    kinds_ok = {"unique": {"unique"} if dialect == "neo4j" else {"unique", "index"},
                "index": {"unique", "index"},
                "text": {"text"}}[need]
    return any((kind, label, key) in schema for kind in kinds_ok for label in labels.split("|"))


def uncovered(queries: Queries) -> list[str]:
    """Each look-up or MERGE key of ``queries`` that the schema does not cover and
    ALLOWED does not name, as "query: need Label.key"."""
    schema = schema_of(queries)
    problems = set()
    for query in queries.all():
        for need, labels, key in needs(query.text):
            allowed = any((d, query.name, f"{need} {label}.{key}") in ALLOWED
                          for d in (None, queries.dialect) for label in labels.split("|"))
            if not allowed and not _covered(need, labels, key, schema, queries.dialect):
                problems.add(f"{query.name}: {need} {labels.replace('|', ':')}.{key}")
    return sorted(problems)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_lookup_and_merge_key_is_in_the_schema(dialect):
    assert uncovered(get_queries(dialect, kinds)) == []


def test_what_counts_as_a_lookup():
    def of(name, variant=None):
        return needs(get_queries("neo4j", kinds).get(name, variant).text)
    assert of("load_subjects", "Person") == [("unique", "Subject|Person", "id")]
    assert of("data_version") == [("index", "Meta", "id")]
    assert of("entry_ids_of_list") == [("index", "Entry", "list")]  # MATCH of one node, WHERE x.k = $p
    assert of("subjects_by_keys", "uscc") == [("index", "Subject", "uscc")]  # = a row of UNWIND
    assert of("search_names") == [("text", "Subject", "name")]
    # Filters, not look-ups: a node reached from another (leads_listed), optional
    # filters such as ($kind IS NULL OR l.kind = $kind) (leads_list, tasks), a SET.
    assert of("leads_listed") == of("leads_list") == of("tasks") == []


def test_a_missing_constraint_is_found(tmp_path, monkeypatch):
    root = tmp_path / "cypher"
    shutil.copytree(ROOT / "cypher", root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    schema = root / "neo4j" / "schema.cypher"
    text = schema.read_text()
    for name, label in (("meta_id", "Meta"), ("restoration_id", "Restoration")):
        constraint = f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
        assert constraint in text
        text = text.replace(constraint, f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.id)")
    schema.write_text(text)
    monkeypatch.setattr(cypher, "files", lambda _: root)
    assert uncovered(Queries("neo4j", kinds)) == ["bump_data_version: unique Meta.id",
                                                  "revoke_entry: unique Restoration.id"]
    assert uncovered(Queries("falkordb", kinds)) == []  # an index is enough there
