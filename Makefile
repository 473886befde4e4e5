# SP-Backoffice: one command to run the demo, one to run the tests.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app
HOST ?= 127.0.0.1
PORT ?= 5000
# Two workers on this 2-core machine; every test has its own database, so they never share state.
# worksteal: an idle worker takes over half of the other's queue (the longest tests are queued first).
PYTEST_ARGS ?= -n auto --dist worksteal

.PHONY: docs-images run test lint test-sqlite test-postgresql setup system-deps translations migration bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install only when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed translations

translations: $(VENV)/.installed
	@$(BIN)/python -m app.core.i18n_compile

# Browser tests need Debian's chromium (Playwright cannot download browsers here); backup tests need pg_dump.
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi dejavu || ! command -v pg_dump >/dev/null; then \
		echo "Installing chromium, fonts and the PostgreSQL client (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core poppler-utils postgresql-client >/dev/null; \
	fi

run: setup
	# The sample certificates are printed outside a request: give them this server's address.
	APP_ENV=demo PUBLIC_BASE_URL="$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)}" $(BIN)/flask demo
	APP_ENV=demo $(BIN)/flask run --host $(HOST) --port $(PORT)

# Lint and types first (seconds), then every test on SQLite and again on the real PostgreSQL.
test: setup system-deps
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgresql

# ruff (lint + format) and mypy, configured in pyproject.toml.
lint: setup
	$(BIN)/ruff check app models views tests benchmarks config.py
	$(BIN)/ruff format --check app models views tests benchmarks config.py
	$(BIN)/mypy

test-sqlite:
	TEST_DATABASE=sqlite $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgresql:
	TEST_DATABASE=postgresql $(BIN)/python -m pytest $(PYTEST_ARGS)

# Regenerate the schema migration from the models (see migrations/README).
migration: setup
	$(BIN)/python -m app.core.make_migration

bench: setup
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

# Production on this machine: two gunicorn instances (8001, 8002) and the outbox worker on
# PostgreSQL (DATABASE_URL, default .../sp_prod_local, made if missing) and Redis; Ctrl-C stops all.
.PHONY: prod-local
prod-local: setup
	bash deploy/prod-local.sh

# Refresh the README screenshots (docs/img/) from the browser tests.
docs-images: setup system-deps
	UPDATE_DOCS_IMAGES=1 TEST_DATABASE=sqlite $(BIN)/python -m pytest tests/e2e -q

clean:
	rm -rf $(VENV) instance/*.sqlite

# Load test (benchmarks/load/run.py): LOAD_N cases on PostgreSQL, `deploy/prod-local.sh`'s two
# instances under Locust at 25/50/100 users, beside a bare Flask + psycopg and a FAB ModelView
# baseline; the table goes to benchmarks/RESULTS.md. E.g. make loadtest LOAD_N=20000 LOAD_ARGS="--duration 30 --reuse"
LOAD_N ?= 1000000
.PHONY: loadtest
loadtest: setup
	$(BIN)/python -m benchmarks.load.run --n $(LOAD_N) $(LOAD_ARGS)
