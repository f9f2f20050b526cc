# The two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LINT_DIR := tools/cypher-lint

.PHONY: demo test install install-test lint-deps browser-deps neo4j-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# Neo4j's own Cypher front end, used offline by tests/cypher/test_cypher.py.
$(LINT_DIR)/node_modules/.package-lock.json: $(LINT_DIR)/package-lock.json
	cd $(LINT_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint-deps: $(LINT_DIR)/node_modules/.package-lock.json

# Headless Chromium (Debian's package) for the page tests; installed where missing and
# we may (root). Elsewhere the page tests skip, except under CI where they fail.
browser-deps:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) || echo "chromium missing: page tests will skip"; }

# A real Neo4j Community with GDS for the suite (tools/neo4j: Maven Central artifacts,
# cached in ~/.m2; built once, skipped while unchanged). Needs java 17 and mvn; without
# them the suite runs FalkorDB's Bolt port in its place, except under CI, where it fails.
neo4j-deps: install-test
	@if command -v java >/dev/null && command -v mvn >/dev/null; then $(BIN)/python -m tools.neo4j_server --build-only; \
	else echo "java or mvn missing: the tests will not run a real Neo4j"; fi

## Generate and load the demo data into the embedded store, then serve http://127.0.0.1:8000
demo: install
	$(BIN)/sanctionnet demo --serve

## Install what the tests need and run them
test: install-test lint-deps browser-deps neo4j-deps
	$(BIN)/pytest

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(LINT_DIR)/node_modules .pytest_cache tools/neo4j/target
