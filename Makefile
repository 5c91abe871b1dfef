# chinwag — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export CHINWAG_TEST_POSTGRES ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test bootstrap lint unit webapp webapp-test wheel clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# (Re)install when pyproject.toml changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

bootstrap: $(STAMP)

# Build the web UI into the package's static folder when it is missing or older than its sources.
webapp:
	@if [ -f webapp/package.json ]; then $(MAKE) --no-print-directory -C webapp build; fi

# The UI's unit tests (Vitest); installs node_modules with `npm ci` on a fresh checkout.
webapp-test:
	@if [ -f webapp/package.json ]; then $(MAKE) --no-print-directory -C webapp test; fi

# A wheel that carries the built UI (package-data: web/static/**/*).
wheel: bootstrap webapp
	rm -rf build
	$(BIN)/python -m pip wheel --quiet --no-deps -w dist .

run: bootstrap webapp
	$(BIN)/chinwag serve

lint: bootstrap
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: bootstrap webapp lint webapp-test
	$(BIN)/pytest

clean:
	rm -rf $(VENV) data config .pytest_cache .mypy_cache .ruff_cache
