# The two commands a new user needs: `make run` (the app with demo data) and `make test`.
SHELL := /bin/bash
# Python 3.11: `python3.11`, or `python3` when that is 3.11 (override with PYTHON=...).
PYTHON ?= $(shell for p in python3.11 python3; do \
  $$p -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null && { command -v $$p; break; }; done)
PORT ?= 8000
# What makemessages reads: our apps and templates, not the venv, node_modules, tests or benchmarks.
MESSAGES_IGNORE := --ignore=.venv --ignore=node_modules --ignore=var --ignore=tests --ignore=bench
BENCH ?= floor
VENV := .venv
PY := $(VENV)/bin/python
# Development defaults: SQLite and a filesystem Celery broker, so nothing else must be running.
DEV_ENV := DEBUG=true SECURE_SSL_REDIRECT=false
RUN_ENV := $(DEV_ENV) SITE_URL=http://127.0.0.1:$(PORT)

.PHONY: install lock messages run test test-bench test-browser lint format bench system-packages chromium clean

PO := locale/cy/LC_MESSAGES/django.po
MO := $(PO:.po=.mo)

install: $(VENV)/.installed node_modules/.installed $(MO)

# The Welsh catalogue, compiled from the committed .po (the .mo is not committed) by GNU
# gettext's msgfmt, the Debian package `gettext` (makemessages needs its xgettext and msgmerge
# too, so one system package serves both and a Python compiler would not save it).
$(MO): $(PO) $(VENV)/.installed
	@command -v msgfmt >/dev/null || $(MAKE) --no-print-directory system-packages SYSTEM_PACKAGES=gettext
	$(DEV_ENV) $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules --verbosity 0

$(VENV)/bin/python:
	@[ -n "$(PYTHON)" ] || { echo "Python 3.11 is needed: neither python3.11 nor python3 is 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Supply chain: every package, pip and the build backend included, comes from a lock file that
# pins its version and the sha256 of each file; pip refuses anything else (--require-hashes).
# requirements.lock is production's (the Dockerfile installs it), requirements-dev.lock adds the
# [dev] extra at the same versions. The project itself goes in last, with nothing more fetched;
# `pip check` then fails when pyproject.toml asks for something the locks lack: run `make lock`.
# pip goes first, on its own (its entry in the lock, up to the first line without a trailing \):
# the venv's bundled pip is too old to check hashes of a requirement with extras.
$(VENV)/.installed: pyproject.toml requirements.lock requirements-dev.lock | $(VENV)/bin/python
	sed -n '/^pip==/,/[^\\]$$/p' requirements-dev.lock > $(VENV)/pip.lock
	$(VENV)/bin/pip install --quiet --require-hashes -r $(VENV)/pip.lock
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements-dev.lock
	$(VENV)/bin/pip install --quiet --no-deps --no-build-isolation -e .
	@$(VENV)/bin/pip check >/dev/null || { $(VENV)/bin/pip check; \
	  echo "The lock files do not match pyproject.toml: run 'make lock' and commit both lock files."; exit 1; }
	touch $@

# Regenerates both lock files from pyproject.toml. Pins already in requirements.lock are kept
# (nothing upgrades unless a new requirement needs it); UPGRADE=name upgrades one package,
# UPGRADE=all every one. Besides pyproject's dependencies the locks pin pip and the
# [build-system] requirements, so that the installer and the build are hashed too.
LOCK_EXTRAS = $(PY) -c 'import tomllib; \
	print("pip", *tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")'
LOCK_UPGRADE = $(if $(filter all,$(UPGRADE)),--upgrade,$(foreach p,$(UPGRADE),--upgrade-package $(p)))
UV_COMPILE = $(VENV)/bin/uv pip compile --quiet pyproject.toml - --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command 'make lock'

lock: | $(VENV)/bin/python
	@[ -x $(VENV)/bin/uv ] || $(VENV)/bin/pip install --quiet --require-hashes -r requirements-dev.lock
	$(LOCK_EXTRAS) | $(UV_COMPILE) $(LOCK_UPGRADE) -o requirements.lock
	$(LOCK_EXTRAS) | $(UV_COMPILE) --extra dev -c requirements.lock -o requirements-dev.lock
	@echo "Locked: requirements.lock and requirements-dev.lock. Run 'make install' and commit both."

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Node.js (npm) is needed for the front-end assets"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Web, worker and beat run together: Ctrl-C, or any one of them stopping, stops all three.
run: install system-packages
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py createcachetable
	$(RUN_ENV) $(PY) manage.py seed_demo
	@trap 'trap - INT TERM EXIT; kill $$(jobs -p) 2>/dev/null; wait' INT TERM EXIT; \
	$(RUN_ENV) $(VENV)/bin/celery -A navigator worker --loglevel=INFO --concurrency=2 & \
	$(RUN_ENV) $(VENV)/bin/celery -A navigator beat --loglevel=INFO & \
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT) & \
	wait -n

# System packages, by their Debian 12 names: WeasyPrint's Pango and HarfBuzz and the font the
# PDFs are set in (the app needs them to serve a care plan's PDF), plus Chromium for the tests
# and redis-server (the outage tests start and stop a Redis of their own).
# Installed when missing and we are root with apt-get (a fresh container, CI); otherwise named.
# A package counts as present when dpkg has it or a command of its name is on the PATH.
# gettext: msgfmt compiles the Welsh catalogue, xgettext and msgmerge update it (makemessages).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation gettext
test test-bench test-browser chromium: SYSTEM_PACKAGES += chromium
test test-browser: SYSTEM_PACKAGES += redis-server

system-packages:
	@missing=; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || command -v $$p >/dev/null \
	    || missing="$$missing $$p"; done; \
	[ -z "$$missing" ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing the Debian packages$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  elif command -v dpkg-query >/dev/null; then \
	    echo "Install these Debian packages first: sudo apt-get install$$missing"; exit 1; \
	  else echo "Not Debian: make sure the equivalents of these Debian packages are installed:$$missing"; fi; }

# The browser tests' skip message names this target: the same packages, Chromium included.
chromium: system-packages

# Every behavioural, browser and worker test; the benchmarks' smoke tests are `make test-bench`.
test: install system-packages
	$(DEV_ENV) $(VENV)/bin/pytest

# The benchmarks' smoke tests (`python -m bench ...` end to end at small sizes); CI runs them.
test-bench: install system-packages
	$(DEV_ENV) $(VENV)/bin/pytest -m bench

test-browser: install system-packages
	$(DEV_ENV) $(VENV)/bin/pytest -m browser

# mypy checks every app and the benchmarks; tests/ is not type-checked.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DEV_ENV) $(VENV)/bin/mypy navigator patients appointments careplans caseload insight bench

# After changing any text a patient or carer sees: update the Welsh catalogue, then translate
# the new entries in locale/cy/LC_MESSAGES/django.po (tests/test_translations.py insists).
messages: install
	$(DEV_ENV) $(PY) manage.py makemessages -l cy --no-obsolete $(MESSAGES_IGNORE)

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(DEV_ENV) $(PY) -m bench $(BENCH)

clean:
	rm -rf var
