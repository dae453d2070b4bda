# Zorginkoop: `make run` (demo on http://127.0.0.1:8000) and `make test` work on a fresh clone.
# Both create .venv (Python >= 3.12) and install the project with its dev tools when needed.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST := 127.0.0.1
PORT := 8000
URL := http://$(HOST):$(PORT)

# Interpreters to try, in order; the first that runs and is >= 3.12 is used. `python3.12` may be a
# pyenv shim that fails when no pyenv version is selected, so pyenv's own versions come last.
PYTHON_CANDIDATES = $(PYTHON) python3.12 python3.13 python3 $(sort $(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3))
PY_OK := import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)

.PHONY: help run prod test test-clock-ahead lint typecheck messages e2e bench api-lint fuzz

help:
	@echo "make run   - install, migrate, load the demo data and serve $(URL)"
	@echo "make test  - install and run the whole test suite"
	@echo "make prod  - production server: migrate, collectstatic, gunicorn (needs the production variables,"
	@echo "             see .env.example and docs/deploy.md); the scheduler and workers run beside it"
	@echo "make lint  - ruff check, ruff format --check and the import rules (lint-imports, .importlinter)"
	@echo "make typecheck - mypy on core, audit and the services"
	@echo "make api-lint - Spectral with the NL API Design Rules rulesets (api/lint/) on openapi.yaml (needs npm)"
	@echo "make fuzz  - schemathesis on every API operation as officer, auditor, provider user and anonymous"
	@echo "             (FUZZ_EXAMPLES=20 per operation and role; the normal suite runs it with 10)"
	@echo "make test-clock-ahead - the suite again with the system clock 18 months ahead (libfaketime)"
	@echo "make e2e   - only the browser tests (needs Debian's chromium: apt-get install chromium)"
	@echo "make bench - the benchmarks in bench/ (PostgreSQL; quick: make bench BENCH_LINES=100000,"
	@echo "             one of them: make bench BENCH_ONLY=production)"

# One shared prerequisite: (re)create the venv when it is missing or too old, and reinstall whenever
# pyproject.toml changes.
$(STAMP): pyproject.toml
	@set -e; \
	if ! $(PY) -c '$(PY_OK)' >/dev/null 2>&1; then \
		found=""; \
		for candidate in $(PYTHON_CANDIDATES); do \
			if "$$candidate" -c '$(PY_OK)' >/dev/null 2>&1; then found="$$candidate"; break; fi; \
		done; \
		if [ -z "$$found" ]; then \
			echo "No Python >= 3.12 found (tried: $(PYTHON_CANDIDATES))." >&2; \
			echo "Install Python 3.12 or newer, or run: make $(MAKECMDGOALS) PYTHON=/path/to/python3.12" >&2; \
			exit 1; \
		fi; \
		echo "Creating $(VENV) with $$found ($$("$$found" -c 'import sys; print(sys.version.split()[0])'))"; \
		rm -rf $(VENV); \
		"$$found" -m venv $(VENV); \
	fi; \
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'; \
	touch $@

# Compile the Dutch translations (GNU gettext's msgfmt; installed with apt when running as root).
messages: export DEBUG := true
messages: $(STAMP)
	@set -e; \
	if compgen -G "locale/*/LC_MESSAGES/*.po" >/dev/null; then \
		if ! command -v msgfmt >/dev/null 2>&1; then \
			if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
				echo "Installing gettext (msgfmt) to compile the Dutch translations"; \
				apt-get install -y gettext >/dev/null 2>&1 \
					|| { apt-get update >/dev/null 2>&1 && apt-get install -y gettext >/dev/null 2>&1; } || true; \
			fi; \
		fi; \
		if command -v msgfmt >/dev/null 2>&1; then \
			$(PY) manage.py compilemessages --ignore=.venv --ignore=var --verbosity=0; \
		else \
			echo "NOTE: msgfmt (GNU gettext) is missing, so the Dutch translations are not compiled and the" >&2; \
			echo "      interface shows English. Install it (Debian/Ubuntu: sudo apt-get install gettext;" >&2; \
			echo "      macOS: brew install gettext) and run make again." >&2; \
		fi; \
	fi

run: export DEBUG := true
# The demo logins are printed passwords: no second factor on the admin (config/settings/base.py).
run: export ALLOW_LOGIN_WITHOUT_SECOND_FACTOR := true
run: messages
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	@echo
	@echo "Zorginkoop runs at $(URL)/ (stop with Ctrl+C)"
	@echo "  admin         $(URL)/admin/"
	@echo "  API docs      $(URL)/api/v1/docs"
	@echo "  OpenAPI       $(URL)/api/v1/openapi.json"
	@echo "  log in with one of the demo logins listed just above"
	@echo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: messages node_modules/.installed
	$(PY) -m pytest

# Production on this machine: the variables of .env.example must be set (DEBUG off: SECRET_KEY,
# PSEUDONYMISATION_KEY, ALLOWED_HOSTS, DATABASE_URL ...). Run `manage.py run_scheduler` and, with the
# database task backend, `manage.py db_worker` beside it (docs/deploy.md).
prod: messages
	$(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(VENV)/bin/gunicorn -c config/gunicorn.py config.wsgi

# axe-core for the accessibility checks of the browser tests, as pinned in package-lock.json
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The property-based fuzzer (tests/api/test_fuzz.py): also part of `make test`, there with 10 examples.
fuzz: FUZZ_EXAMPLES ?= 20
fuzz: messages
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -p no:cacheprovider tests/api/test_fuzz.py

e2e: messages node_modules/.installed
	$(PY) -m pytest tests/e2e

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: $(STAMP)
	$(VENV)/bin/mypy

# No test may depend on the day it runs: the same suite with every clock of the process 540 days ahead
# (libfaketime from Debian's faketime package, installed with apt when running as root). The browser
# tests are left out: Chromium would inherit the preloaded library.
FAKETIME_LIB := /usr/lib/$(shell uname -m)-linux-gnu/faketime/libfaketime.so.1
test-clock-ahead: messages
	@set -e; \
	if [ ! -e "$(FAKETIME_LIB)" ] && [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null 2>&1 \
			|| { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null; }; \
	fi; \
	if [ ! -e "$(FAKETIME_LIB)" ]; then echo "libfaketime is missing (apt-get install faketime)" >&2; exit 1; fi; \
	echo "System clock moved 540 days ahead: $$(FAKETIME=+540d LD_PRELOAD=$(FAKETIME_LIB) date -I)"; \
	FAKETIME=+540d FAKETIME_DONT_FAKE_MONOTONIC=1 LD_PRELOAD=$(FAKETIME_LIB) $(PY) -m pytest --ignore=tests/e2e

# Benchmarks: every module of bench/ (python -m bench). bench.production needs PostgreSQL: DATABASE_URL
# (postgres://...) or postgres://postgres@127.0.0.1:5432/zorginkoop_bench, created when missing.
BENCH_LINES ?=
BENCH_ONLY ?=
bench: $(STAMP)
	BENCH_LINES="$(BENCH_LINES)" $(PY) -m bench $(BENCH_ONLY)

# The NL API Design Rules (api/lint/README.md): Spectral, pinned in package.json/package-lock.json, with
# each published ruleset on the committed openapi.yaml; any error or warning fails.
SPECTRAL := node_modules/.bin/spectral
api-lint:
	@if [ ! -x $(SPECTRAL) ]; then npm ci --no-audit --no-fund; fi
	@set -e; for ruleset in api/lint/*.spectral.y*ml; do \
		echo "spectral lint --fail-severity=warn -r $$ruleset openapi.yaml"; \
		$(SPECTRAL) lint --fail-severity=warn -r "$$ruleset" openapi.yaml; \
	done
