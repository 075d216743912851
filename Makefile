# Every target creates .venv on first use, so a fresh clone needs only
# Python 3 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PART   ?= 1
PARTS  := part1_hello part2_crud part3_sqlite part4_mysql
PART_DIR = $(word $(PART),$(PARTS))

.PHONY: help install run test lint format docs bench clean

help:
	@echo "make run PART=N   serve part N (1-4) with reload on http://127.0.0.1:8000"
	@echo "make test         run every chapter's checks, the site build included"
	@echo "make lint         ruff and mypy"
	@echo "make docs         serve the site on http://127.0.0.1:8001"
	@echo "make bench        run the benchmarks (a few minutes)"

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(BIN)/.installed

run: install
	@test -n "$(PART_DIR)" || { echo "PART must be 1, 2, 3 or 4"; exit 2; }
	$(BIN)/uvicorn $(PART_DIR).main:app --reload --host 127.0.0.1 --port 8000

# One pytest process per chapter, as a reader runs them (Parts 3 and 4 each
# define SQLModel's table `prompt`, and one process can hold only one of
# them), two chapters at a time, longest first. Each run keeps its coverage
# in a file of its own; they are added up at the end and checked part by part.
CHAPTERS := part4_mysql site part3_sqlite part2_crud part1_hello

test: install
	@rm -f .coverage .coverage.*
	@$(MAKE) --no-print-directory -k -j2 --output-sync=target \
	    $(addprefix test-,$(CHAPTERS))
	@$(BIN)/python -m coverage combine -q
	@$(BIN)/python -m coverage report
	@$(BIN)/python tests/coverage_per_part.py

test-%: install
	@echo "== pytest tests/$*"
	@COVERAGE_FILE=.coverage.$* $(BIN)/python -m pytest -q -n 0 --cov --cov-report= \
	    $(PYTEST_ARGS) tests/$*

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: install
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8001

# The benchmark's own checks first (a few seconds), then the measurements.
bench: install
	$(BIN)/python -m pytest -q tests/bench
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) site .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
