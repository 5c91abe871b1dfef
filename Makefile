# chinwag — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export CHINWAG_TEST_POSTGRES ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test bootstrap lint unit webapp webapp-test wheel clean api-coverage

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

# The two halves run at once: the browser tests (tests/e2e) in their own pytest process (Playwright's
# sync API runs its own event loop), everything else spread over TEST_WORKERS xdist workers, a test
# file per worker at a time (module-scoped servers are started once). The browser tests' output is
# printed after the rest. A test that fails is run once more (pytest-rerunfailures); the summary lists
# each rerun ("RERUN"), and a rerun is a flake to fix, not a pass to forget. Each test's time is kept in
# .times-main.xml / .times-e2e.xml (JUnit XML): `python scripts/test_times.py` sums them per file and worker.
TEST_WORKERS ?= 2
RERUNS ?= --reruns 1 --reruns-delay 2
test: bootstrap webapp lint webapp-test
	@bash scripts/test_system_deps.sh
	@rm -f .e2e.log; \
	$(BIN)/pytest $(RERUNS) --junitxml=.times-e2e.xml tests/e2e > .e2e.log 2>&1 & e2e=$$!; \
	$(BIN)/pytest $(RERUNS) --junitxml=.times-main.xml -n $(TEST_WORKERS) --dist loadfile --ignore=tests/e2e; rc=$$?; \
	wait $$e2e; rc2=$$?; \
	echo "== browser tests (tests/e2e), run alongside:"; cat .e2e.log; \
	echo "== pytest exit codes: main $$rc, browser $$rc2"; \
	[ $$rc -eq 0 ] && [ $$rc2 -eq 0 ]

# Mattermost's REST operations against chinwag's route table; rewrites the table in docs/api.md.
api-coverage: bootstrap
	$(BIN)/python scripts/api_coverage.py --docs docs/api.md

clean:
	rm -rf $(VENV) data config .pytest_cache .mypy_cache .ruff_cache

# Server-side translations (src/chinwag/i18n): rewrite the template from the sources and merge it into
# every catalog; translate the new empty entries (tests/unit/test_i18n_catalogs.py lists them).
I18N_DIR := src/chinwag/i18n/locale
i18n-extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-default-keywords -k N_ -k t -k _t -k ngettext:1,2 -k AppError:3 \
		--sort-output --no-location --omit-header --width 100 -o $(I18N_DIR)/chinwag.pot . >/dev/null
	$(BIN)/pybabel update -i $(I18N_DIR)/chinwag.pot -d $(I18N_DIR) -D chinwag --no-fuzzy-matching \
		--ignore-obsolete --width 100
