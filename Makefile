# Walkabout: `make run` (app on SQLite with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test lint format bench fuzz clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: setup
	$(BIN)/walkabout db upgrade
	$(BIN)/walkabout demo
	$(BIN)/walkabout serve --host $(HOST) --port $(PORT)

lint: setup
	$(BIN)/ruff check app analysis tests migrations bench
	$(BIN)/ruff format --check app analysis tests bench
	$(BIN)/mypy app analysis
	$(BIN)/bandit -q -c pyproject.toml -r app analysis

format: setup
	$(BIN)/ruff check --fix app analysis tests migrations
	$(BIN)/ruff format app analysis tests

# The sign-in tests' OpenID provider (node's oidc-provider, tests/oidc); without node those
# tests skip, saying why.
tests/oidc/node_modules/.installed: tests/oidc/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the single sign-on tests will be skipped"; fi

# Two workers (this machine's two cores), a file's tests on one worker (module fixtures).
test: lint tests/oidc/node_modules/.installed
	$(BIN)/pytest -n 2 --dist loadfile

bench: setup
	$(BIN)/python -m bench

fuzz: setup
	$(BIN)/python -m tests.fuzz

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
