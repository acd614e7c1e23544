# Compendium Portal. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for `make test`: one a core ("auto"), or a number. Each
# worker runs its tests in pytest-django's order (--dist load hands them out in
# collection order), so a test that commits and flushes still comes after the rest.
TEST_WORKERS ?= auto

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint fmt messages bench check-deploy clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its dev tools

run: install ## Set up SQLite, load the reference content and serve on http://127.0.0.1:8000
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py load_reference
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: install ## Run the whole suite (browser tests install Debian's chromium if missing)
	bash scripts/ensure-test-tools.sh
	$(BIN)/pytest -n $(TEST_WORKERS) --dist load

lint: install ## ruff, migrations up to date
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

fmt: install ## Format and fix with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install ## Update the .po catalogues from the code and compile them (needs GNU gettext)
	DEBUG=1 $(PY) manage.py makemessages -l fr -l es -l ar --no-obsolete
	for po in locale/*/LC_MESSAGES/django.po; do msgfmt -c --statistics -o "$${po%.po}.mo" "$$po"; done

bench: install ## Benchmark at 100,000 practices on PostgreSQL (see bench/README.md)
	bash bench/run.sh

clean: ## Remove the venv, the SQLite database and collected static files
	rm -rf $(VENV) db.sqlite3 staticfiles
