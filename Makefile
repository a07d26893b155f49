# The template's own commands.
#   make test                  run the template's test suite (generation, hooks,
#                              and each stack's generated project: install, test, lint)
#   make demo                  generate a FastAPI service into build/demo and serve it
#   make demo FRAMEWORK=flask  the same with Flask
#   make openapi               rewrite each stack's openapi.json in the template from its app
#                              (the generated projects' tests/test_openapi.py checks it)
#   make lock                  refresh each stack's uv.lock in the template (uv lock on a
#                              project generated with the default answers); after changing
#                              a stack's dependencies. LOCK_ARGS=--upgrade moves every
#                              package to its newest release the bounds allow.
#   make bench                 benchmark both generated stacks against bare apps and
#                              raw ASGI/WSGI on SQLite and PostgreSQL (wrk, one core each),
#                              then the item routes as the table grows to 1,000,000 rows
#                              (about 30 minutes); results in bench/results/
#   make bench-instructions    instructions per request, generated against bare, counted
#                              under valgrind's callgrind (needs valgrind; a few minutes)
# Needs only Python 3.11+ and make.

PYTHON ?= python3
FRAMEWORK ?= fastapi
PYTEST_ARGS ?=
# e.g. make bench BENCH_ARGS=--quick (under 2 minutes) or "--only read --database sqlite"; DATABASE_URL=postgresql://...
# for a PostgreSQL server of yours instead of the throwaway one the bench starts
BENCH_ARGS ?=
# e.g. make bench-instructions INSTRUCTIONS_ARGS="--stacks flask --requests 200"
INSTRUCTIONS_ARGS ?=
# e.g. make lock LOCK_ARGS=--upgrade (or --upgrade-package fastapi)
LOCK_ARGS ?=

VENV := .venv
DEMO_DIR := build/demo
# The service directory cookiecutter creates for the default answers.
DEMO_SERVICE := inventory-service

# The benchmark's own virtualenv (cookiecutter, matplotlib), rebuilt when requirements-bench.txt changes.
BENCH_VENV := .cache/bench-venv
# checkov's own virtualenv (tests/test_k8s.py), rebuilt when requirements-checkov.txt changes.
CHECKOV_VENV := .cache/checkov-venv

.PHONY: test demo bench bench-instructions openapi lock

# The virtualenv is rebuilt from scratch whenever requirements-test.txt changes.
$(VENV)/.installed: requirements-test.txt
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required" if sys.version_info < (3, 11) else 0)'
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r requirements-test.txt
	touch $@

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	rm -rf $(CHECKOV_VENV)
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements-checkov.txt
	touch $@

test: $(VENV)/.installed $(CHECKOV_VENV)/.installed
	$(VENV)/bin/python -m pytest -n auto tests/ $(PYTEST_ARGS)

lock: $(VENV)/.installed
	$(VENV)/bin/python tests/locks.py $(LOCK_ARGS)

demo: $(VENV)/.installed
	rm -rf $(DEMO_DIR)
	$(VENV)/bin/cookiecutter --no-input --output-dir $(DEMO_DIR) . framework=$(FRAMEWORK)
	$(MAKE) -C $(DEMO_DIR)/$(DEMO_SERVICE) install PYTHON=$(PYTHON)
	$(MAKE) -C $(DEMO_DIR)/$(DEMO_SERVICE) migrate
	@echo
	@echo "$(FRAMEWORK) demo in $(DEMO_DIR)/$(DEMO_SERVICE)"
	@echo "API docs: http://127.0.0.1:8000/docs   (Ctrl-C stops the server)"
	@echo
	HOST=127.0.0.1 PORT=8000 $(MAKE) -C $(DEMO_DIR)/$(DEMO_SERVICE) serve

openapi: $(VENV)/.installed
	PYTHONPATH=bench $(VENV)/bin/python scripts/refresh_openapi.py

$(BENCH_VENV)/.installed: requirements-bench.txt
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required" if sys.version_info < (3, 11) else 0)'
	rm -rf $(BENCH_VENV)
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -r requirements-bench.txt
	touch $@

bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python bench/run.py $(BENCH_ARGS)

bench-instructions: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python bench/instructions.py $(INSTRUCTIONS_ARGS)
