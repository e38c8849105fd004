# PMO Kit — one entry point for set-up, the monthly report, tests and JupyterLab.
# `make report` and `make test` create .venv and install the kit when needed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Optional: make report MONTH=2026-09 DATA=path/to/portfolio OUT=reports
MONTH  ?=
DATA   ?=
OUT    ?= reports

.PHONY: help install report test test-fast lint lab sample clean

help:
	@echo "make report   build the monthly portfolio report (latest month of datasets/sample)"
	@echo "make test     run every test: lint, unit, property, doctests, notebooks, reports"
	@echo "make lab      open JupyterLab on notebooks/"
	@echo "make sample   regenerate datasets/sample from datasets/generate_sample.py"
	@echo "make clean    remove .venv, reports/ and caches"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "PMO Kit needs Python 3.11 or newer (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,cpsat,postgres,mpp]"
	@touch $(STAMP)

install: $(STAMP)

report: $(STAMP)
	@$(BIN)/pmo report $(if $(MONTH),--month $(MONTH)) $(if $(DATA),--data $(DATA)) --out $(OUT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/nbstripout --verify notebooks/*/*.ipynb
	MPLBACKEND=Agg $(BIN)/python -m pytest -n 2 --dist loadfile \
		--nbval-lax --nbval-current-env tests pmo_lib notebooks/training notebooks/what_if

test-fast: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m pytest -n 2 -m "not slow" tests pmo_lib

lint: $(STAMP)
	$(BIN)/ruff check .

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

sample: $(STAMP)
	$(BIN)/python datasets/generate_sample.py

clean:
	rm -rf $(VENV) reports .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
