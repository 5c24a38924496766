# tenkan — `make demo` runs the whole pipeline on the embedded defaults,
# `make test` runs the test suite. Both set up .venv first when needed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.tenkan-installed
# torch first, pinned: 2.13.0 is the CPU build these machines carry; any other
# torch spec would pull gigabytes of CUDA packages.
TORCH  := torch==2.13.0

# llama.cpp runtime (generator.runtime): llama-cpp-python has no binary wheel, so pip builds it
# from source (CPU, -march=native): about 6 minutes on 2 idle cores, 24 on busy ones, then pip's
# wheel cache makes a reinstall take seconds. Opt-in, so `make setup` and CI stay fast; a failed
# build leaves the transformers runtime in place.
LLAMA  := llama-cpp-python==0.3.36

.PHONY: setup setup-llama demo demo-app test test-fast eval-gate bench clean-workspace help

help:
	@echo "make demo       crawl the bundled demo site, index, answer, evaluate, start the app"
	@echo "make test       run the test suite"
	@echo "make setup      create .venv and install everything (done by demo/test when needed)"
	@echo "make setup-llama  also build llama-cpp-python (the faster llama.cpp runtime; minutes, once)"
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

setup-llama: setup
	@$(BIN)/python -m pip install --quiet '$(LLAMA)' \
	  || echo "llama-cpp-python did not build; answers keep running on the transformers runtime (tenkan doctor)"
	$(BIN)/tenkan doctor --packages-only

demo: setup
	$(BIN)/tenkan demo $(DEMO_ARGS)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: setup
	$(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

eval-gate: setup
	$(BIN)/python -m eval.gate $(GATE_ARGS)

bench: setup
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.retrieval
	$(BIN)/python -m bench.train
	$(BIN)/python -m bench.generate
	$(BIN)/python -m bench.answer_scope

clean-workspace:
	rm -rf var
