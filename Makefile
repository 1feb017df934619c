# cantine: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432
PG_ANSWERS = $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_URL)/postgres', connect_timeout=3).close()" 2>/dev/null
PG_TEST_DB ?= cantine_ci
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run prod install test lint format test-sqlite test-postgres messages worker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## run: venv, install, migrate, load the demo data, serve on 127.0.0.1:8000 with a job worker
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## prod: collectstatic, migrate, gunicorn on 127.0.0.1:$(PORT) and $(WORKERS) RQ job workers (needs SECRET_KEY, DATABASE_URL, REDIS_URL)
WORKERS ?= 2
prod: install
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/python manage.py migrate --noinput
	@test -n "$$REDIS_URL" || { echo "REDIS_URL must be set for make prod"; exit 1; }
	pids=""; for i in $$(seq $(WORKERS)); do \
		$(BIN)/python manage.py rqworker default --with-scheduler --job-class django_tasks_rq.backend.Job & pids="$$pids $$!"; \
	done; \
	trap 'kill $$pids 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn config.wsgi --bind 127.0.0.1:$(PORT) --workers $${WEB_WORKERS:-2} --no-control-socket

## worker: run background jobs (solvers) from the database queue (make run starts one)
worker: install
	DEBUG=1 $(BIN)/python manage.py db_worker

## test: ruff, then the whole suite on SQLite and, when one answers, on PostgreSQL, both at once
## (one per core; each half's output is printed whole when it ends)
test: install lint
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Each half takes a share of the browser tests (tests/browser/conftest.py); without
# PostgreSQL the SQLite half takes them all.
test-sqlite: install
	@share=all; if $(PG_ANSWERS); then share=crawl; fi; \
	echo "DATABASE_URL=sqlite:///:memory: BROWSER_SHARE=$$share $(BIN)/pytest"; \
	DATABASE_URL=sqlite:///:memory: BROWSER_SHARE=$$share $(BIN)/pytest

test-postgres: install
	@if $(PG_ANSWERS); then \
		echo "== PostgreSQL answers on 127.0.0.1:5432: running the suite on it"; \
		DATABASE_URL=$(PG_URL)/$(PG_TEST_DB) BROWSER_SHARE=journeys $(BIN)/pytest --create-db; \
	else \
		echo "== NOTICE: no PostgreSQL on 127.0.0.1:5432; the PostgreSQL half of the suite is skipped."; \
	fi

## messages: refresh the French translation catalogue after changing UI strings
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l fr --ignore=.venv --ignore=bench --no-obsolete
	DEBUG=1 $(BIN)/python manage.py compilemessages -l fr --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 test-results staticfiles .pytest_cache .ruff_cache
