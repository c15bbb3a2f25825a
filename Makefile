# Daftari: `make run` serves the demo at http://127.0.0.1:8000; `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
export DAFTARI_DATA_DIR ?= $(CURDIR)/var
# The PostgreSQL run uses DATABASE_URL when it is set, else the local server (pytest-django adds test_).
PG_URL ?= $(or $(DATABASE_URL),postgres://root@127.0.0.1:5432/daftari)
PYTEST_ARGS ?=
# Both cores: each run's tests are shared between two pytest workers (each with its own test database).
PYTEST_WORKERS ?= 2

.PHONY: install system-deps browser-deps messages run demo test test-verify test-sqlite test-postgres lint bench openapi clean

# daftari depends on daftari-verify, which is not on PyPI: it is installed from ./verify.
$(BIN)/.installed: pyproject.toml verify/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ./verify -e ".[dev]"
	touch $@

# msgfmt (GNU gettext) compiles the Kiswahili translations.
system-deps:
	@command -v msgfmt >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; }

# Debian's Chromium for the Playwright browser tests (Playwright's own browser download is not used).
browser-deps:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

# Compiles whatever translations exist; a tree without any .po yet is not an error.
messages: system-deps $(BIN)/.installed
	@if ls src/daftari/locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
		cd src/daftari && ../../$(BIN)/daftari compilemessages -v0; \
	else echo "No translations to compile yet (src/daftari/locale/*/LC_MESSAGES/*.po)"; fi

install: $(BIN)/.installed messages

demo: install
	$(BIN)/daftari migrate -v0
	$(BIN)/daftari demo

run: demo
	$(BIN)/daftari collectstatic --noinput -v0
	@echo
	@echo "Daftari is starting at http://$(HOST):$(PORT)  (Ctrl-C stops it)"
	@$(BIN)/daftari demo --logins
	@$(BIN)/daftari worker & worker=$$!; \
	$(BIN)/daftari daraja-sim --port 8001 & sim=$$!; \
	trap 'kill $$worker $$sim 2>/dev/null' EXIT INT TERM; \
	$(BIN)/daftari serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The verifier's own tests run from ./verify, with its own configuration and no Django settings.
test-verify: install
	cd verify && ../$(BIN)/pytest -q

# The schemathesis contract run (about a minute) is left to the PostgreSQL pass, which runs it against
# the hub and against a station node on SQLite (tests/nodes/test_node_contract.py): make test stays
# within its 15 minutes.
test-sqlite: install browser-deps
	env -u DATABASE_URL $(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal \
		--deselect tests/test_api_contract.py::test_every_check_and_the_stateful_phase_find_no_broken_promise $(PYTEST_ARGS)

# PostgreSQL runs on these machines; start it if it is installed but stopped.
test-postgres: install
	@if [ -z "$(DATABASE_URL)" ]; then \
		pg_isready -q -h 127.0.0.1 -p 5432 || { command -v pg_ctlcluster >/dev/null && pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start && sleep 2; } || true; \
	fi
	@if [ -n "$(DATABASE_URL)" ] || pg_isready -q -h 127.0.0.1 -p 5432; then \
		DATABASE_URL=$(PG_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal -m "not browser" $(PYTEST_ARGS); \
	else echo "PostgreSQL is not reachable on 127.0.0.1:5432: the PostgreSQL run is skipped"; fi

test: lint test-verify test-sqlite test-postgres

bench: install
	$(BIN)/python -m bench

# Publishes the API's current OpenAPI schema as tests/openapi/v1.json, on purpose: commit it with the change.
openapi: install
	DJANGO_SETTINGS_MODULE=daftari.settings $(BIN)/python -m tests.openapi.published --write

clean:
	rm -rf $(VENV) var
