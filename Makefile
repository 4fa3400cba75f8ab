# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export SURVEY_DATABASE_URL ?= sqlite:///$(CURDIR)/instance/zisurvey.db

.PHONY: run test install dev translations bench clean

$(BIN)/python:
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

## make run: set up, migrate SQLite, load demo data when empty, serve on http://127.0.0.1:5000
run: install
	mkdir -p instance
	$(BIN)/zisurvey db upgrade
	$(BIN)/zisurvey demo --if-empty
	@echo "zisurvey: http://127.0.0.1:5000"
	$(BIN)/zisurvey run --host 127.0.0.1 --port 5000

## make test: lint, types, then the whole suite (SQLite, and PostgreSQL when reachable; CI requires it)
test: dev
	@test -d node_modules/axe-core || npm ci --silent --no-audit --no-fund
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

bench: dev
	$(BIN)/python benchmarks/score.py
	$(BIN)/python benchmarks/submit.py

clean:
	rm -rf $(VENV) instance node_modules
