# Ventanilla: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
export HOST ?= 127.0.0.1
export PORT ?= 8000

.PHONY: install messages run test test-only lint browser-deps mail-deps bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP) messages

# Translations are compiled on every build (.mo files are not committed).
messages: $(STAMP)
	cd ventanilla && VENTANILLA_DATA_DIR=$(CURDIR)/data ../$(BIN)/ventanilla compilemessages -v0

run: install
	$(BIN)/ventanilla migrate --noinput -v0
	$(BIN)/ventanilla demo --if-empty
	$(BIN)/ventanilla serve

browser-deps:
	scripts/ensure-chromium

# The IMAP tests start their own dovecot on a loopback port.
mail-deps:
	scripts/ensure-dovecot

lint: $(STAMP)
	$(BIN)/ruff check ventanilla tests bench

test: install browser-deps mail-deps lint test-only

test-only:
	$(BIN)/pytest

# Benchmarks (see docs/performance.md); BENCH_ARGS=--quick for the CI smoke run.
bench: install mail-deps
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) data
