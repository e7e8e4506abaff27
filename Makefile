# The two commands a new user needs: `make run` (the app with demo data) and `make test`.
SHELL := /bin/bash
# Python 3.11: `python3.11`, or `python3` when that is 3.11 (override with PYTHON=...).
PYTHON ?= $(shell for p in python3.11 python3; do \
  $$p -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null && { command -v $$p; break; }; done)
PORT ?= 8000
BENCH ?= floor
VENV := .venv
PY := $(VENV)/bin/python
# Development defaults: SQLite and a filesystem Celery broker, so nothing else must be running.
DEV_ENV := DEBUG=true SECURE_SSL_REDIRECT=false
RUN_ENV := $(DEV_ENV) SITE_URL=http://127.0.0.1:$(PORT)

.PHONY: install run test test-browser lint format bench chromium clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	@[ -n "$(PYTHON)" ] || { echo "Python 3.11 is needed: neither python3.11 nor python3 is 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Node.js (npm) is needed for the front-end assets"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Web, worker and beat run together: Ctrl-C, or any one of them stopping, stops all three.
run: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py createcachetable
	$(RUN_ENV) $(PY) manage.py seed_demo
	@trap 'trap - INT TERM EXIT; kill $$(jobs -p) 2>/dev/null; wait' INT TERM EXIT; \
	$(RUN_ENV) $(VENV)/bin/celery -A navigator worker --loglevel=INFO --concurrency=2 & \
	$(RUN_ENV) $(VENV)/bin/celery -A navigator beat --loglevel=INFO & \
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT) & \
	wait -n

# Browser tests drive Debian's Chromium; install it when missing and we are allowed to.
chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Chromium (Debian package 'chromium') to run the browser tests"; exit 1; fi; }

test: install chromium
	$(DEV_ENV) $(VENV)/bin/pytest

test-browser: install chromium
	$(DEV_ENV) $(VENV)/bin/pytest -m browser

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DEV_ENV) $(VENV)/bin/mypy navigator patients caseload

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(DEV_ENV) $(PY) -m bench $(BENCH)

clean:
	rm -rf var
