# JC Icons Management System. `make run` sets up and serves; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint format bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
		{ echo "Python 3.11 or newer is needed (set PYTHON=python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

run: $(VENV)/.installed
	$(BIN)/jcicons init-env
	$(BIN)/jcicons db upgrade
	$(BIN)/jcicons users ensure-admin
	$(BIN)/jcicons serve

test: $(VENV)/.installed-test
	$(BIN)/pytest
	$(MAKE) --no-print-directory lint

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

# Speed of the busiest pages on a large demo shop in its own database (a SQLite file
# under instance/bench/, or BENCH_DATABASE_URL). Options: BENCH_ARGS="--requests 500".
bench: $(VENV)/.installed
	$(BIN)/jcicons bench $(BENCH_ARGS)

format: $(VENV)/.installed-test
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
