# The two commands a user needs (see README):
#   make report            ingest + annotate + report on the bundled example (or CORPUS=path)
#   make test              the whole test suite (unit, integration with ANALYSIS_TEST_DATA, notebooks)
# Both create the virtual environment and install the pinned dependencies first.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CORPUS ?= data/raw/example
NAME ?= $(notdir $(abspath $(CORPUS)))
PROCESSED ?= data/processed/$(NAME)
OUT ?= reports/$(NAME)
PARAMS ?=
PYTEST_ARGS ?=

.PHONY: install report test lock benchmark clean-venv help

help:
	@echo "make report [CORPUS=path] [PARAMS=params/x.yaml]   ingest, annotate and report (default: the bundled example)"
	@echo "make test                   run the test suite (set ANALYSIS_TEST_DATA=../shared for integration tests)"
	@echo "make install                create .venv with the pinned dependencies (idempotent)"
	@echo "make benchmark              run the benchmarks in benchmarks/ (needs ANALYSIS_TEST_DATA)"
	@echo "make lock                   re-resolve requirements.lock from pyproject.toml (maintainers)"

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' \
	  || { echo "error: set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "pip==26.3" "setuptools==84.2.1" "wheel==0.48.0"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

report: install
	$(BIN)/analysis run $(CORPUS) --processed $(PROCESSED) --out $(OUT) $(if $(PARAMS),-f $(PARAMS))

test: install
	MPLBACKEND=Agg $(BIN)/python -m pytest $(PYTEST_ARGS)

benchmark: install
	MPLBACKEND=Agg $(BIN)/python benchmarks/annotate.py
	MPLBACKEND=Agg $(BIN)/python benchmarks/analyses.py

# Maintainers: re-resolve the lock from the ranges in pyproject.toml in a throw-away venv.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade "pip>=24"
	.lock-venv/bin/python -m pip install --quiet ".[test,cluster]"
	( echo "# Exact versions installed by 'make install'. Regenerate with 'make lock'."; \
	  .lock-venv/bin/python -m pip freeze --exclude analysis | LC_ALL=C sort -f ) > requirements.lock
	rm -rf .lock-venv

clean-venv:
	rm -rf $(VENV)
