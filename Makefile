# The template's own commands.
#   make test                  run the template's test suite (generation, hooks,
#                              and each stack's generated project: install, test, lint)
#   make demo                  generate a FastAPI service into build/demo and serve it
#   make demo FRAMEWORK=flask  the same with Flask
# Needs only Python 3.11+ and make.

PYTHON ?= python3
FRAMEWORK ?= fastapi
PYTEST_ARGS ?=

VENV := .venv
DEMO_DIR := build/demo
# The service directory cookiecutter creates for the default answers.
DEMO_SERVICE := inventory-service

.PHONY: test demo

# The virtualenv is rebuilt from scratch whenever requirements-test.txt changes.
$(VENV)/.installed: requirements-test.txt
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required" if sys.version_info < (3, 11) else 0)'
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r requirements-test.txt
	touch $@

test: $(VENV)/.installed
	$(VENV)/bin/python -m pytest -n auto tests/ $(PYTEST_ARGS)

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
