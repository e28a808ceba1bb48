# Ventanilla: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
export HOST ?= 127.0.0.1
export PORT ?= 8000
# `make run` keeps its state here, and compilemessages (run from ventanilla/)
# too; the tests make their own throw-away directory.
DATA_DIR := $(abspath $(or $(VENTANILLA_DATA_DIR),data))

.PHONY: install messages run test test-only lint browser-deps a11y-deps mail-deps service-deps bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP) messages

# Translations are compiled on every build (.mo files are not committed).
messages: $(STAMP)
	cd ventanilla && VENTANILLA_DATA_DIR=$(DATA_DIR) ../$(BIN)/ventanilla compilemessages -v0

run: install
	$(BIN)/ventanilla migrate --noinput -v0
	$(BIN)/ventanilla demo --if-empty
	$(BIN)/ventanilla serve

browser-deps:
	scripts/ensure-chromium

# axe-core for the accessibility browser tests, from the npm registry at the
# version pinned in tests/a11y/package-lock.json; reinstalled when that changes.
A11Y := tests/a11y
a11y-deps: $(A11Y)/node_modules/.package-lock.json

$(A11Y)/node_modules/.package-lock.json: $(A11Y)/package.json $(A11Y)/package-lock.json
	cd $(A11Y) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The IMAP tests start their own dovecot on a loopback port.
mail-deps:
	scripts/ensure-dovecot

# PostgreSQL and Redis: the machine's, or private ones the tests start (tests/services.py).
service-deps:
	scripts/ensure-services

lint: $(STAMP)
	$(BIN)/ruff check ventanilla tests bench

test: install browser-deps a11y-deps mail-deps service-deps lint test-only

test-only:
	$(BIN)/pytest

# Benchmarks (see docs/performance.md); BENCH_ARGS=--quick for the CI smoke run.
bench: install mail-deps
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) data
