# Every target creates .venv on first use, so a fresh clone needs only
# Python 3 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PART   ?= 1
PARTS  := part1_hello part2_crud part3_sqlite part4_mysql part5_llm part6_rag
PART_DIR = $(word $(PART),$(PARTS))

.PHONY: help install run exercise test lint format docs bench clean

help:
	@echo "make run PART=N   serve part N (1-6) with reload on http://127.0.0.1:8000"
	@echo "                  (another port: make run PART=N PORT=8123)"
	@echo "make exercise PART=N  check your work on part N's exercises"
	@echo "make test         run every chapter's checks, the site build included"
	@echo "make install      only create .venv, with the parts and the test tools"
	@echo "make lint         ruff and mypy"
	@echo "make docs         serve the site on http://127.0.0.1:8001 (or PORT=...)"
	@echo "make bench        run the benchmarks (a few minutes)"

# Installs come in layers, each on first use: `make run` needs only what the
# parts import; the test, docs and bench tools come with their own targets.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BIN)/.installed-base: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(BIN)/.installed-%: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[$*]"
	touch $@

# For following the chapters in an activated .venv: the parts and pytest.
install: $(BIN)/.installed-test

# Part 6 needs its own packages (the rag extra), and its database migrated
# first: the app checks the schema, it never changes it.
RUN_NEEDS = $(if $(filter 6,$(PART)),$(BIN)/.installed-rag,$(BIN)/.installed-base)

run: $(RUN_NEEDS)
	@test -n "$(PART_DIR)" || { echo "PART must be 1, 2, 3, 4, 5 or 6"; exit 2; }
	$(if $(filter 6,$(PART)),$(BIN)/alembic -c part6_rag/alembic.ini upgrade head)
	$(BIN)/uvicorn $(PART_DIR).main:app --reload --host 127.0.0.1 --port $(or $(PORT),8000)

# The checks of a chapter's exercises, against your part folder: each
# exercise is listed as done or not done, and make fails until all are done.
exercise: $(BIN)/.installed-test
	@test -n "$(PART_DIR)" || { echo "PART must be 1, 2, 3, 4, 5 or 6"; exit 2; }
	@$(BIN)/python -m pytest -q -n 0 --tb=no -rN tests/exercises/$(PART_DIR)

# One pytest process per chapter, as a reader runs them (Parts 3 and 4 each
# define SQLModel's table `prompt`, and one process can hold only one of
# them), two chapters at a time, longest first. Each run keeps its coverage
# in a file of its own; they are added up at the end and checked part by part.
CHAPTERS := part6_rag part5_llm site part4_mysql part3_sqlite bench exercises part2_crud part1_hello

# tests/bench checks the benchmarks' own code, so make test needs its tools too.
TEST_TOOLS := $(BIN)/.installed-test,bench
# How many chapters run at a time.
JOBS ?= 2

test: $(TEST_TOOLS)
	@rm -rf .coverage .coverage.* .unmeasured
	@$(MAKE) --no-print-directory -k -j$(JOBS) --output-sync=target \
	    $(addprefix test-,$(CHAPTERS))
	@$(BIN)/python -m coverage combine -q
	@$(BIN)/python -m coverage report
	@$(BIN)/python tests/coverage_per_part.py

test-%: $(TEST_TOOLS)
	@echo "== pytest tests/$*"
	@COVERAGE_FILE=.coverage.$* $(BIN)/python -m pytest -q -n 0 --cov --cov-report= \
	    $(PYTEST_ARGS) tests/$*

# The exercises' checks, against a copy of each part with solutions/ applied
# (nothing of the parts to measure: they run as servers).
test-exercises: $(TEST_TOOLS)
	@echo "== pytest tests/exercises --solutions"
	@$(BIN)/python -m pytest -q -n 0 $(PYTEST_ARGS) tests/exercises --solutions

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(BIN)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: $(BIN)/.installed-docs
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:$(or $(PORT),8001)

# The benchmark's own checks first (a few seconds), then the measurements.
bench: $(TEST_TOOLS)
	$(BIN)/python -m pytest -q tests/bench
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) site .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov .unmeasured
