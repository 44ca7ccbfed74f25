# Reading Room — everyday commands.
#
#   make run          set up .venv, migrate, load the seed collection, serve on 127.0.0.1:$(PORT)
#   make test         lint (ruff, import contracts), then the whole pytest suite, one worker per core (SQLite; PostgreSQL when DATABASE_URL is set)
#   make screenshots  only the browser tests (they write docs/screenshots/)
#   make lint         ruff check + ruff format --check + lint-imports (the apps' dependency contracts)
#   make format       ruff format + ruff check --fix
#   make bench        benchmark on PostgreSQL: wrk → nginx → gunicorn at 1,000 and 100,000 cables (BENCH_SIZES=1000 for a quick run)
#   make lock         re-resolve requirements/*.txt (the locked, hashed dependencies) from pyproject.toml
#   make clean        remove .venv, caches and generated files (keeps var/readingroom.sqlite3)
#
# Nothing but Python 3.11+ is needed to start: the virtualenv is created here and
# installs exactly the locked versions (requirements/run.txt, requirements/dev.txt,
# every file checked against its hash), again only when a lock file changes
# (stamp files inside .venv).

PYTHON ?= python3
PORT ?= 8000

VENV := .venv
BIN := $(VENV)/bin
# The lock files: every package pinned, with the hashes of its files. dev.txt is
# resolved first; run.txt is the run-time part of it (the same versions).
LOCK_RUN := requirements/run.txt
LOCK_DEV := requirements/dev.txt
# Universal (every platform), for the oldest Python the project supports.
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet
# One stamp per install flavour; each is older than its lock file when it needs redoing.
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev
CHROMIUM := /usr/bin/chromium

.DEFAULT_GOAL := help
.PHONY: help run test screenshots lint format clean chromium rum bench lock

help:
	@sed -n 's/^#   //p' $(MAKEFILE_LIST)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "Reading Room needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>/dev/null || echo 'not found'). Run: make PYTHON=python3.11 ..." >&2; \
	  exit 1; }
	$(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create $(VENV): on Debian/Ubuntu install the venv module first (apt-get install python3-venv)." >&2; \
	  rm -rf $(VENV); exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

# --no-deps: the lock names every package; --require-hashes: each file must match it.
# (The project itself is not installed: it runs from this folder.)
$(STAMP_RUN): $(LOCK_RUN) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK_RUN)
	@touch $@

$(STAMP_DEV): $(LOCK_DEV) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK_DEV)
	@touch $@ $(STAMP_RUN)

# After a change to the dependencies in pyproject.toml (or to take newer releases
# within its ranges): resolve again, then commit requirements/*.txt. The tests
# check that the lock still satisfies pyproject.toml (readingroom/tests/test_lock.py).
lock: $(STAMP_DEV)
	$(UV_COMPILE) --extra dev -o $(LOCK_DEV)
	$(UV_COMPILE) -c $(LOCK_DEV) -o $(LOCK_RUN)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK_DEV)
	@touch $(STAMP_DEV) $(STAMP_RUN)

run: $(STAMP_RUN)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_seed
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Playwright drives Debian's Chromium (its own browser download does not work offline).
chromium:
	@if [ -x $(CHROMIUM) ]; then \
	  : ; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Chromium for the browser tests (apt-get)"; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else \
	  echo "Browser tests need $(CHROMIUM): run 'sudo apt-get install -y chromium', then make test again." >&2; \
	  exit 1; \
	fi

# The search on PostgreSQL needs the RUM extension (search/migrations/0002). For a
# server on this machine, as root, install Debian's package for the server's version.
RUM_URL = $(if $(filter postgres%,$(DATABASE_URL)),$(DATABASE_URL),)
rum:
	@url="$(RUM_URL)"; [ -n "$$url" ] || exit 0; \
	if [ "$$(psql "$$url" -tAc "SELECT count(*) FROM pg_available_extensions WHERE name = 'rum'" 2>/dev/null)" = 1 ]; then \
	  : ; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  major="$$(psql "$$url" -tAc "SELECT current_setting('server_version_num')::int / 10000" 2>/dev/null)" && \
	  [ -n "$$major" ]; then \
	  echo "Installing postgresql-$$major-rum for the search (apt-get)"; \
	  pkg=postgresql-$$major-rum; export DEBIAN_FRONTEND=noninteractive; \
	  { apt-cache show $$pkg >/dev/null 2>&1 && apt-get install -y $$pkg; } || \
	    { apt-get update && apt-get install -y $$pkg; }; \
	else \
	  echo "The search's PostgreSQL tests need the RUM extension (the app runs without it, slower): install postgresql-<version>-rum on the database server, then make test again." >&2; \
	  exit 1; \
	fi

# The suite runs in one worker per core (pytest-xdist), each with its own test
# database; a test file stays in one worker (--dist loadfile), so a file's
# fixtures and its fixed Redis database are never shared. TEST_WORKERS=0 runs
# everything in this process (for pdb).
TEST_WORKERS ?= auto
test: $(STAMP_DEV) chromium rum
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

screenshots: $(STAMP_DEV) chromium
	$(BIN)/pytest -m browser

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(STAMP_DEV)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The benchmark (bench/run.py): PostgreSQL at 127.0.0.1:5432 (user postgres); wrk and
# nginx from Debian (nginx in front of gunicorn, as in production: it compresses).
BENCH_SIZES ?= 1000,100000
BENCH_TOOLS := wrk nginx
bench: $(STAMP_RUN)
	@missing=""; \
	for tool in $(BENCH_TOOLS); do \
	  command -v $$tool >/dev/null || [ -x /usr/sbin/$$tool ] || missing="$$missing $$tool"; \
	done; \
	if [ -z "$$missing" ]; then \
	  : ; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "Installing$$missing for the benchmark (apt-get)"; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	else \
	  echo "The benchmark needs$$missing: run 'sudo apt-get install -y$$missing', then make bench again." >&2; \
	  exit 1; \
	fi
	@$(MAKE) --no-print-directory rum DATABASE_URL=$${BENCH_PG:-postgres://postgres@127.0.0.1:5432}/postgres
	BENCH_SIZES=$(BENCH_SIZES) $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis test-results *.egg-info var/static var/test*.sqlite3*
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
