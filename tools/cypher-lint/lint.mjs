#!/usr/bin/env node
// Offline Cypher linter for sanctionnet, built on Neo4j's own Cypher front end
// (@neo4j-cypher/language-support: ANTLR grammar + the Neo4j semantic analysis
// compiled to JavaScript). No network access at run time.
//
// stdin : JSON array of {"name": str, "text": str, "parameters"?: {name: sample}}
// stdout: JSON array of {"name": str, "diagnostics": [{severity, message, line,
//         column, endLine, endColumn}]}, one element per input, same order.
// exit  : 0 no error diagnostics, 1 at least one error diagnostic (or a warning
//         with --fail-on warning), 2 bad input / bad usage, 3 the linter itself
//         is broken (self-test failed).
//
// See README.md for the options and for what this cannot catch.

import { readFileSync } from 'node:fs';
import { lintCypherQuery, parseStatementsStrs, testData } from '@neo4j-cypher/language-support';

const USAGE = `usage: node lint.mjs [--cypher-version 5|25] [--check-functions] [--schema FILE]
                    [--fail-on error|warning] [--pretty] < queries.json
env:   CYPHER_LINT_VERSION=5|25 (default 5), CYPHER_LINT_CHECK_FUNCTIONS=1`;

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'info', 4: 'info' };
const QUERY_KEYS = new Set(['name', 'text', 'parameters']);

function die(code, message) {
  process.stderr.write(`cypher-lint: ${message}\n`);
  process.exit(code);
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function parseVersion(raw, origin) {
  const v = String(raw).trim().toUpperCase().replace(/^CYPHER\s*/, '');
  if (v !== '5' && v !== '25') die(2, `${origin}: Cypher version must be 5 or 25, got ${JSON.stringify(raw)}\n${USAGE}`);
  return `CYPHER ${v}`;
}

function parseArgs(argv) {
  const opts = {
    version: parseVersion(process.env.CYPHER_LINT_VERSION ?? '5', 'CYPHER_LINT_VERSION'),
    checkFunctions: ['1', 'true', 'yes'].includes((process.env.CYPHER_LINT_CHECK_FUNCTIONS ?? '').toLowerCase()),
    schemaFile: undefined,
    failOn: 'error',
    pretty: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) die(2, `${flag} needs a value\n${USAGE}`);
      return argv[++i];
    };
    switch (flag) {
      case '--cypher-version': opts.version = parseVersion(value(), '--cypher-version'); break;
      case '--check-functions': opts.checkFunctions = true; break;
      case '--schema': opts.schemaFile = value(); break;
      case '--fail-on': {
        const f = value();
        if (f !== 'error' && f !== 'warning') die(2, `--fail-on must be error or warning\n${USAGE}`);
        opts.failOn = f;
        break;
      }
      case '--pretty': opts.pretty = true; break;
      case '-h': case '--help': process.stdout.write(USAGE + '\n'); process.exit(0); break;
      default: die(2, `unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
    }
  }
  return opts;
}

function loadSchema(file) {
  if (!file) return {};
  let schema;
  try {
    schema = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    die(2, `--schema ${file}: ${e.message}`);
  }
  if (!isPlainObject(schema)) die(2, `--schema ${file}: must be a JSON object`);
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!['labels', 'relationshipTypes', 'propertyKeys'].includes(key)) {
      die(2, `--schema ${file}: unknown key ${JSON.stringify(key)} (allowed: labels, relationshipTypes, propertyKeys)`);
    }
    if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) {
      die(2, `--schema ${file}: ${key} must be an array of strings`);
    }
    out[key] = value;
  }
  // The library checks labels and relationship types only when it knows both,
  // and would flag every relationship type if given an empty list.
  if (Boolean(out.labels) !== Boolean(out.relationshipTypes)) {
    die(2, `--schema ${file}: give both labels and relationshipTypes, or neither`);
  }
  return out;
}

function readInput() {
  let raw;
  try {
    raw = readFileSync(0, 'utf8');
  } catch (e) {
    die(2, `cannot read stdin: ${e.message}`);
  }
  let data;
  try {
    data = JSON.parse(raw);
  } catch (e) {
    die(2, `stdin is not valid JSON: ${e.message}`);
  }
  if (!Array.isArray(data)) die(2, 'stdin must be a JSON array of {"name", "text", "parameters"?} objects');
  const seen = new Set();
  data.forEach((q, i) => {
    const where = `element ${i}`;
    if (!isPlainObject(q)) die(2, `${where}: must be an object`);
    for (const key of Object.keys(q)) {
      if (!QUERY_KEYS.has(key)) die(2, `${where}: unknown key ${JSON.stringify(key)} (allowed: name, text, parameters)`);
    }
    if (typeof q.name !== 'string' || q.name.length === 0) die(2, `${where}: "name" must be a non-empty string`);
    if (seen.has(q.name)) die(2, `${where}: duplicate name ${JSON.stringify(q.name)}`);
    seen.add(q.name);
    if (typeof q.text !== 'string') die(2, `${where} (${q.name}): "text" must be a string`);
    if (q.parameters !== undefined && !isPlainObject(q.parameters)) {
      die(2, `${where} (${q.name}): "parameters" must be an object mapping parameter names to sample values`);
    }
  });
  return data;
}

// LSP ranges are 0-based; we report 1-based lines and columns (columns count
// UTF-16 code units, as JavaScript strings do).
function toOutput(d) {
  return {
    severity: SEVERITY[d.severity] ?? 'error',
    message: d.message,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endColumn: d.range.end.character + 1,
  };
}

function extraDiagnostic(severity, message) {
  return { severity, message, line: 1, column: 1, endLine: 1, endColumn: 1 };
}

// With --check-functions the library reports deprecated functions twice: once
// from its function registry ("Function id is deprecated.") and once from the
// Neo4j semantic analysis. Keep the semantic one, which names the replacement.
function dropDuplicateDeprecations(diags) {
  const isRegistryDeprecation = (d) => /^(Function|Procedure) \S+ is deprecated\./.test(d.message);
  return diags.filter(
    (d) =>
      !isRegistryDeprecation(d) ||
      !diags.some(
        (o) => o !== d && !isRegistryDeprecation(o) && o.severity === d.severity &&
          o.range.start.line === d.range.start.line && o.range.start.character === d.range.start.character,
      ),
  );
}

function lintOne(text, dbSchema) {
  if (text.trim().length === 0) return [extraDiagnostic('error', 'Query text is empty.')];
  const statements = parseStatementsStrs(text).filter((s) => s.trim().replace(/;$/, '').trim().length > 0);
  const extra = [];
  if (statements.length > 1) {
    extra.push(extraDiagnostic('error',
      `Query text holds ${statements.length} statements separated by ';'; Neo4j runs exactly one statement per query.`));
  }
  const { diagnostics } = lintCypherQuery(text, dbSchema, { consoleCommandsEnabled: false });
  return extra.concat(dropDuplicateDeprecations(diagnostics).map(toOutput));
}

// The library swallows exceptions from its semantic analysis and then reports
// nothing; make sure it is actually alive before trusting a clean result.
function selfTest(baseSchema) {
  const probe = lintCypherQuery('MATCH (n) RETURN m', { ...baseSchema, parameters: {} }, { consoleCommandsEnabled: false });
  if (!probe.diagnostics.some((d) => d.severity === 1 && /Variable `m` not defined/.test(d.message))) {
    die(3, 'self-test failed: the Neo4j semantic analysis reported nothing for an undefined variable; refusing to report clean results');
  }
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const schema = loadSchema(opts.schemaFile);
  const queries = readInput();
  const baseSchema = { ...schema, defaultLanguage: opts.version };
  if (opts.checkFunctions) {
    // Function/procedure catalogue (Neo4j built-ins + APOC + GDS) shipped with the package.
    baseSchema.functions = testData.mockSchema.functions;
    baseSchema.procedures = testData.mockSchema.procedures;
  }
  selfTest(baseSchema);

  let failed = false;
  const results = queries.map((q) => {
    let diagnostics;
    try {
      diagnostics = lintOne(q.text, { ...baseSchema, parameters: q.parameters ?? {} });
    } catch (e) {
      diagnostics = [extraDiagnostic('error', `cypher-lint internal error while linting: ${e?.message ?? e}`)];
    }
    if (diagnostics.some((d) => d.severity === 'error' || (opts.failOn === 'warning' && d.severity === 'warning'))) {
      failed = true;
    }
    return { name: q.name, diagnostics };
  });
  process.stdout.write(JSON.stringify(results, null, opts.pretty ? 2 : undefined) + '\n');
  process.exitCode = failed ? 1 : 0;
}

main();
