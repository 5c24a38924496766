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
# from source (CPU, -march=native, without the multimodal library tenkan never loads): about 5
# minutes on 2 quiet cores, then pip's wheel cache makes a reinstall take seconds. `make setup`
# tries it once; a failed build is reported and leaves the transformers runtime in place, and
# `make setup-llama` tries again. `make setup LLAMA=` skips it.
LLAMA  := llama-cpp-python==0.3.36
LLAMA_CMAKE_ARGS := -DLLAVA_BUILD=OFF
define install_llama
	@if [ -n "$(LLAMA)" ]; then \
	  echo "building $(LLAMA) (the llama.cpp runtime; minutes, once)"; \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS) $$CMAKE_ARGS" $(BIN)/python -m pip install --quiet '$(LLAMA)' \
	  || echo "llama-cpp-python did not build; answers keep running on the transformers runtime (tenkan doctor)"; \
	fi
endef

.PHONY: setup setup-llama demo demo-app test test-fast eval-gate bench clean-workspace help

help:
	@echo "make demo       crawl the bundled demo site, index, answer, evaluate, start the app"
	@echo "make test       run the test suite"
	@echo "make setup      create .venv and install everything (done by demo/test when needed)"
	@echo "make setup-llama  retry the llama-cpp-python build that make setup attempts (the llama.cpp runtime)"
	@echo "make eval-gate  fail when demo scores drop below data/eval/baseline.json"
	@echo "make bench      run the benchmarks under bench/ (minutes)"

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(install_llama)
	$(BIN)/tenkan doctor --packages-only
	@touch $(STAMP)

setup-llama: setup
	$(install_llama)
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
