# tenkan — `make demo` runs the whole pipeline on the embedded defaults,
# `make test` runs the test suite. Both set up .venv first when needed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.tenkan-installed
# torch first, pinned: 2.13.0 is the CPU build these machines carry; any other
# torch spec would pull gigabytes of CUDA packages.
TORCH  := torch==2.13.0

.PHONY: setup demo demo-app test test-fast eval-gate bench clean-workspace help

help:
	@echo "make demo       crawl the bundled demo site, index, answer, evaluate, start the app"
	@echo "make test       run the test suite"
	@echo "make setup      create .venv and install everything (done by demo/test when needed)"
	@echo "make eval-gate  fail when demo scores drop below data/eval/baseline.json"
	@echo "make bench      run the benchmarks under bench/ (minutes)"

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/tenkan doctor --packages-only
	@touch $(STAMP)

demo: setup
	$(BIN)/tenkan demo $(DEMO_ARGS)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: setup
	$(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

eval-gate: setup
	$(BIN)/python -m eval.gate $(GATE_ARGS)

bench: setup
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/train.py
	$(BIN)/python bench/generate.py

clean-workspace:
	rm -rf var
