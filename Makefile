# Koers — the two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
export KOERS_MUNICIPALITY ?= demo

.PHONY: run test test-postgres test-plugins lint translations translations-compile install clean assets bench

$(STAMP): pyproject.toml $(wildcard plugins/koers-*/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 'setuptools>=70.1' wheel
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	set -e; for plugin in plugins/koers-*/; do $(BIN)/python -m pip install --quiet -e "$$plugin"; done
	touch $(STAMP)

install: $(STAMP) translations-compile assets

## The NL Design System stylesheets in app/static/vendor/nlds: committed copies of the versions
## package-lock.json pins. Only after the pins change does this need npm (Debian: apt-get install npm).
assets: $(STAMP)
	@if $(BIN)/python -m app.theming.vendor --check >/dev/null; then \
		echo "NL Design System files: the pinned versions (app/static/vendor/nlds)"; \
	elif command -v npm >/dev/null 2>&1; then \
		npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && \
		$(BIN)/python -m app.theming.vendor; \
	else \
		$(BIN)/python -m app.theming.vendor --check; \
		echo "The NL Design System files differ from package-lock.json and npm is missing:"; \
		echo "install it (Debian: apt-get install npm), then run make assets."; exit 1; \
	fi

## Serve the demo instance on SQLite at http://$(HOST):$(PORT); data is kept between runs.
run: install
	KOERS_DEMO=1 $(BIN)/koers demo setup
	KOERS_DEMO=1 exec $(BIN)/gunicorn --no-control-socket --bind $(HOST):$(PORT) --workers 1 \
		--threads 4 --access-logfile - 'app:create_app()'

## The whole suite (unit, integration, browser) on SQLite, then each plugin's own tests.
test: install
	$(BIN)/ruff check app tests plugins
	$(BIN)/lint-imports
	$(BIN)/python -m pytest
	$(MAKE) test-plugins

## Each plugin of this repository runs its own tests from its own folder, as its developer does.
test-plugins: install
	set -e; for plugin in plugins/koers-*/; do \
		echo "== $$plugin"; (cd "$$plugin" && $(CURDIR)/$(BIN)/python -m pytest); \
	done

## The whole suite again on PostgreSQL (KOERS_TEST_DATABASE_URL names a server database).
test-postgres: install
	KOERS_TEST_DATABASE_URL=$${KOERS_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m pytest
	KOERS_TEST_DATABASE_URL=$${KOERS_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} \
		$(MAKE) test-plugins

## The page benchmark at municipal scale under gunicorn and wrk, beside its comparator app;
## ARGS="--database-url postgresql://…" for PostgreSQL (see tests/benchmarks/stack.py).
bench: install
	$(BIN)/python -m tests.benchmarks.stack $(ARGS)

## Extract strings, update the nl and en catalogues and compile them.
translations: $(STAMP)
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 \
		-o translations/messages.pot app
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot -d translations
	set -e; for package in plugins/*/koers_*; do \
		[ -d "$$package/translations" ] || continue; \
		name=$$(basename $$package | sed 's/^koers_//'); \
		$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k _l -k lazy_gettext \
			-o $$package/translations/$$name.pot $$package; \
		$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -D $$name \
			-i $$package/translations/$$name.pot -d $$package/translations; \
	done
	$(MAKE) translations-compile

translations-compile: $(STAMP)
	$(BIN)/python -m app.catalogues

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
