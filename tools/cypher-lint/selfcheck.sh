#!/usr/bin/env bash
# Self-check for cypher-lint: pipes known Cypher constructs through lint.mjs and
# checks the worst severity reported for each, plus the exit-code contract and
# the time to lint 50 queries in one call. Needs `npm ci` to have been run here;
# needs no network.
set -uo pipefail
cd "$(dirname "$0")"

if [ ! -d node_modules/@neo4j-cypher/language-support ]; then
  echo "selfcheck: node_modules missing; run 'npm ci --no-audit --no-fund' in $(pwd) first" >&2
  exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok    $1"; }
fail() { failed=$((failed + 1)); echo "FAIL  $1"; }

# Each case: expect = worst severity the linter must report (clean = nothing at all).
cat > "$tmp/cases.json" <<'EOF'
[
  {"expect": "clean", "name": "unwind_merge_with_params",
   "text": "UNWIND $rows AS row\nMERGE (s:Subject {id: row.id})\nSET s += row.props\nWITH s\nMATCH (p:Program {code: $program})\nMERGE (s)-[:LISTED_IN]->(p)",
   "parameters": {"rows": [{"id": "x", "props": {"name": "A"}}], "program": "SDN"}},
  {"expect": "error", "name": "syntax_error", "text": "MATCH (n:Subject RETURN n"},
  {"expect": "clean", "name": "create_index", "text": "CREATE INDEX FOR (n:Subject) ON (n.id)"},
  {"expect": "clean", "name": "create_constraint", "text": "CREATE CONSTRAINT subject_id IF NOT EXISTS FOR (s:Subject) REQUIRE s.id IS UNIQUE"},
  {"expect": "error", "name": "old_constraint_syntax", "text": "CREATE CONSTRAINT ON (s:Subject) ASSERT s.id IS UNIQUE"},
  {"expect": "clean", "name": "var_length", "text": "MATCH (a)-[:R*]->(b) RETURN a"},
  {"expect": "warning", "name": "id_function", "text": "MATCH (n) RETURN id(n) AS i"},
  {"expect": "clean", "name": "shortest_path_bounded", "text": "MATCH p = shortestPath((a:Subject {id: $a})-[*..6]-(b:Subject {id: $b})) RETURN p", "parameters": {"a": "x", "b": "y"}},
  {"expect": "warning", "name": "shortest_path_unbounded", "text": "MATCH p = shortestPath((a:Subject {id: $a})-[*]-(b:Subject {id: $b})) RETURN p", "parameters": {"a": "x", "b": "y"}},
  {"expect": "clean", "name": "exists_subquery", "text": "MATCH (n:Subject) WHERE EXISTS { MATCH (n)-[:OWNS]->(:Company) } RETURN n"},
  {"expect": "error", "name": "exists_property_function", "text": "MATCH (n) WHERE exists(n.name) RETURN n"},
  {"expect": "warning", "name": "call_importing_with", "text": "MATCH (n:Subject) CALL { WITH n MATCH (n)--(m) RETURN count(m) AS degree } RETURN n.id, degree"},
  {"expect": "warning", "name": "call_without_import", "text": "CALL { MATCH (m:Subject) RETURN count(m) AS c } RETURN c"},
  {"expect": "clean", "name": "call_scoped", "text": "MATCH (n:Subject) CALL (n) { MATCH (n)--(m) RETURN count(m) AS degree } RETURN n.id, degree"},
  {"expect": "clean", "name": "map_projection", "text": "MATCH (s:Subject {id: $id}) RETURN s {.id, .name, aliases: [(s)-[:AKA]->(a) | a.name]} AS subject", "parameters": {"id": "x"}},
  {"expect": "error", "name": "undefined_parameter", "text": "MATCH (s:Subject {id: $subject_id}) RETURN s"},
  {"expect": "error", "name": "undefined_variable", "text": "MATCH (n) RETURN m"},
  {"expect": "warning", "name": "cartesian_product", "text": "MATCH (a:Subject), (b:Subject) WHERE a.name = b.name RETURN a, b"},
  {"expect": "error", "name": "two_statements", "text": "MATCH (n) RETURN n; MATCH (m) RETURN m"},
  {"expect": "error", "name": "cypher25_only_let", "text": "LET x = 1 RETURN x"}
]
EOF

node -e '
const cases = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
process.stdout.write(JSON.stringify(cases.map(({expect, ...q}) => q)));
' "$tmp/cases.json" > "$tmp/input.json"

node lint.mjs < "$tmp/input.json" > "$tmp/out.json"
rc=$?
if [ "$rc" -eq 1 ]; then pass "exit code 1 when some query has an error"; else fail "exit code: expected 1, got $rc"; fi

node -e '
const fs = require("fs");
const cases = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const out = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const rank = {clean: 0, info: 1, warning: 2, error: 3};
if (out.length !== cases.length) { console.log(`FAIL  output has ${out.length} elements for ${cases.length} queries`); process.exit(1); }
let bad = 0;
cases.forEach((c, i) => {
  const r = out[i];
  const worst = r.diagnostics.reduce((w, d) => (rank[d.severity] > rank[w] ? d.severity : w), "clean");
  const msgs = r.diagnostics.map((d) => `${d.severity}@${d.line}:${d.column} ${d.message.slice(0, 110)}`).join(" | ");
  const ok = r.name === c.name && worst === c.expect;
  if (!ok) bad++;
  console.log(`${ok ? "ok   " : "FAIL "} ${c.name}: expected ${c.expect}, got ${worst}${msgs ? "  [" + msgs + "]" : ""}`);
});
process.exit(bad ? 1 : 0);
' "$tmp/cases.json" "$tmp/out.json" > "$tmp/report.txt"
cat "$tmp/report.txt"
passed=$((passed + $(grep -c '^ok' "$tmp/report.txt")))
failed=$((failed + $(grep -c '^FAIL' "$tmp/report.txt")))

# Exit-code contract.
echo '[{"name": "ok", "text": "MATCH (n:Subject {id: $id}) RETURN n.name AS name", "parameters": {"id": "x"}}]' \
  | node lint.mjs > /dev/null
rc=$?; if [ "$rc" -eq 0 ]; then pass "exit code 0 for a clean query"; else fail "clean query: expected exit 0, got $rc"; fi

echo '[{"name": "w", "text": "MATCH (n) RETURN id(n) AS i"}]' | node lint.mjs > /dev/null
rc=$?; if [ "$rc" -eq 0 ]; then pass "exit code 0 for warnings only"; else fail "warnings only: expected exit 0, got $rc"; fi

echo '[{"name": "w", "text": "MATCH (n) RETURN id(n) AS i"}]' | node lint.mjs --fail-on warning > /dev/null
rc=$?; if [ "$rc" -eq 1 ]; then pass "exit code 1 for warnings with --fail-on warning"; else fail "--fail-on warning: expected exit 1, got $rc"; fi

for bad in 'not json' '{"name": "x", "text": "RETURN 1"}' '[{"name": "x"}]' '[{"name": "x", "text": "RETURN 1", "params": {}}]' \
           '[{"name": "x", "text": "RETURN 1", "parameters": [1]}]' '[{"name": "x", "text": "RETURN 1"}, {"name": "x", "text": "RETURN 2"}]'; do
  printf '%s' "$bad" | node lint.mjs > /dev/null 2>&1
  rc=$?; if [ "$rc" -eq 2 ]; then pass "exit code 2 for bad input: $bad"; else fail "bad input $bad: expected exit 2, got $rc"; fi
done
echo '[]' | node lint.mjs --cypher-version 4 > /dev/null 2>&1
rc=$?; if [ "$rc" -eq 2 ]; then pass "exit code 2 for --cypher-version 4"; else fail "--cypher-version 4: expected exit 2, got $rc"; fi

# Cypher version switch: LET exists only in Cypher 25.
echo '[{"name": "let", "text": "LET x = 1 RETURN x"}]' | node lint.mjs --cypher-version 25 > /dev/null
rc=$?; if [ "$rc" -eq 0 ]; then pass "--cypher-version 25 accepts LET"; else fail "--cypher-version 25: LET gave exit $rc"; fi
echo '[{"name": "let", "text": "LET x = 1 RETURN x"}]' | CYPHER_LINT_VERSION=25 node lint.mjs > /dev/null
rc=$?; if [ "$rc" -eq 0 ]; then pass "CYPHER_LINT_VERSION=25 accepts LET"; else fail "CYPHER_LINT_VERSION=25: LET gave exit $rc"; fi

# Optional checks: function catalogue and schema.
echo '[{"name": "typo", "text": "MATCH (n) RETURN toLowr(n.name) AS x"}]' | node lint.mjs > /dev/null
rc=$?; if [ "$rc" -eq 0 ]; then pass "unknown function passes without --check-functions"; else fail "unknown function without --check-functions: exit $rc"; fi
echo '[{"name": "typo", "text": "MATCH (n) RETURN toLowr(n.name) AS x"}]' | node lint.mjs --check-functions > /dev/null
rc=$?; if [ "$rc" -eq 1 ]; then pass "--check-functions flags an unknown function"; else fail "--check-functions: expected exit 1, got $rc"; fi
echo '{"labels": ["Subject"], "relationshipTypes": ["OWNS"], "propertyKeys": ["id", "name"]}' > "$tmp/schema.json"
out=$(echo '[{"name": "s", "text": "MATCH (s:Subjct) RETURN s.nmae AS x"}]' | node lint.mjs --schema "$tmp/schema.json")
if [ "$(printf '%s' "$out" | grep -o '"severity":"warning"' | wc -l)" -eq 2 ]; then pass "--schema warns on unknown label and property"; else fail "--schema: $out"; fi

# Timing: 50 queries in one call.
node -e '
const qs = [];
for (let i = 0; i < 50; i++) qs.push({name: `q${i}`, parameters: {rows: [], id: "x"},
  text: i % 2 ? `UNWIND $rows AS row MERGE (s:Subject {id: row.id}) SET s += row.props, s.batch = ${i}`
              : `MATCH (s:Subject {id: $id})-[r:OWNS*1..3]->(c:Company) WHERE c.score > ${i} RETURN s {.id, .name}, count(c) AS n ORDER BY n DESC LIMIT 10`});
process.stdout.write(JSON.stringify(qs));
' > "$tmp/fifty.json"
start=$(date +%s%N)
node lint.mjs < "$tmp/fifty.json" > "$tmp/fifty.out"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ "$rc" -eq 0 ]; then pass "50 queries linted clean in one call (${ms} ms)"; else fail "50 queries: exit $rc"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
