# The two commands of the README: `make run` and `make test`.
# PYTHON: any CPython from 3.11 to 3.13 (python3 by default).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export SURVEY_DATABASE_URL ?= sqlite:///$(CURDIR)/instance/zisurvey.db

.PHONY: run test install dev translations system system-run pure bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] else "zisurvey needs Python 3.11 or newer: make PYTHON=python3.12 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(MAKE) --no-print-directory translations

dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(MAKE) --no-print-directory translations

translations:
	$(BIN)/pybabel compile --use-fuzzy -d survey_app/translations >/dev/null

# System packages pip cannot bring (chromium, Pango, npm): apt as root, else the command to run.
system:
	@PYTHON=$(PYTHON) bash scripts/system-packages test

system-run:
	@PYTHON=$(PYTHON) bash scripts/system-packages run

## make run: set up, migrate SQLite, load demo data when empty, serve on http://127.0.0.1:5000
run: system-run install
	mkdir -p instance
	$(BIN)/zisurvey db upgrade
	$(BIN)/zisurvey demo --if-empty
	@echo "zisurvey: http://127.0.0.1:5000"
	$(BIN)/zisurvey run --host 127.0.0.1 --port 5000

## make test: system packages, lint, types, layers, then the whole suite (SQLite, and
## PostgreSQL when reachable; CI requires it)
test: system dev
	@test -d node_modules/axe-core || npm ci --silent --no-audit --no-fund
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest

## make pure PYTHON=python3.13 VENV=.venv-3.13: the pure tests (analysis, instruments, cli)
pure: dev
	$(BIN)/pytest -p no:cacheprovider tests/analysis tests/instruments tests/cli

bench: dev
	$(BIN)/python benchmarks/score.py
	$(BIN)/python benchmarks/submit.py

clean:
	rm -rf $(VENV) .venv-3.* instance node_modules
