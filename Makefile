# The two commands a new user needs: `make run` (the app with demo data) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# Development defaults: SQLite and a filesystem Celery broker, so nothing else must be running.
DEV_ENV := DEBUG=true SECURE_SSL_REDIRECT=false

.PHONY: install run test test-browser lint format bench chromium clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py createcachetable
	$(DEV_ENV) $(PY) manage.py seed_demo
	@trap 'kill 0' EXIT INT TERM; \
	$(DEV_ENV) $(VENV)/bin/celery -A navigator worker --loglevel=INFO --concurrency=2 & \
	$(DEV_ENV) $(VENV)/bin/celery -A navigator beat --loglevel=INFO & \
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

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
	$(DEV_ENV) $(VENV)/bin/mypy navigator patients

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(DEV_ENV) $(PY) -m bench floor

clean:
	rm -rf var
