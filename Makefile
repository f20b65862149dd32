# The two commands of the README are `make run` and `make test`; the rest are conveniences.
.PHONY: run test setup setup-test lint fmt db demo bench

VENV := .venv/bin
HOST ?= 127.0.0.1
PORT ?= 5000

run: setup  ## install what is missing, migrate, load the Amiens demo, serve on http://127.0.0.1:5000
	$(VENV)/arpenteur db upgrade
	$(VENV)/arpenteur demo --if-empty
	$(VENV)/arpenteur serve --host $(HOST) --port $(PORT)

# Tests run in parallel on every core (pytest-xdist); PYTEST_ARGS= runs them one by one.
PYTEST_ARGS ?= -n auto

test: setup-test  ## the whole suite, on SpatiaLite and PostGIS, with the browser tests
	$(VENV)/pytest $(PYTEST_ARGS)

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh --test

lint: setup  ## ruff, mypy (configured in pyproject.toml) and ESLint (eslint.config.mjs); what CI and pre-commit run
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy
	npx --no-install eslint webapp/static/js eslint.config.mjs

fmt:
	$(VENV)/ruff format .
	$(VENV)/ruff check --fix .

db: setup  ## apply migrations to the configured database
	$(VENV)/arpenteur db upgrade

# BENCH_ARGS=--scale full runs the goals' sizes (1M observations); see bench/README.md.
BENCH_ARGS ?=

bench: setup-test  ## every path against its anchor (bench/README.md); exits 1 when a goal is missed
	$(VENV)/python -m bench $(BENCH_ARGS)
