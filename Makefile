# accord developer commands. `make test` sets everything up (idempotent) and runs the whole suite.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SETUP_STAMP := $(VENV)/.accord-setup

.PHONY: install setup lint typecheck test test-fast bench bench-venv demo clean

install: $(SETUP_STAMP)

$(SETUP_STAMP): pyproject.toml $(wildcard .ci/setup.d/*.sh)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/python -m pip install -q -e ".[all,dev]"
	for script in .ci/setup.d/*.sh; do [ -e "$$script" ] || continue; echo "== $$script"; PATH="$(CURDIR)/$(BIN):$$PATH" bash "$$script" || exit 1; done
	touch $(SETUP_STAMP)

setup: install

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

# The whole suite, real servers and the embedded model included. pytest's exit code 5 (no tests) is not a failure.
test: install
	$(BIN)/python -m pytest; rc=$$?; if [ $$rc -eq 5 ]; then exit 0; fi; exit $$rc

test-fast: install
	$(BIN)/python -m pytest -m "not real_server and not real_model"; rc=$$?; if [ $$rc -eq 5 ]; then exit 0; fi; exit $$rc

# AutoGen 0.7.5 in its own virtualenv, only for side-by-side benchmarks (never a dependency of accord).
bench-venv: .bench/autogen-venv/bin/python

.bench/autogen-venv/bin/python:
	$(PY) -m venv .bench/autogen-venv
	.bench/autogen-venv/bin/python -m pip install -q autogen-core==0.7.5 autogen-agentchat==0.7.5 "autogen-ext[openai,jupyter-executor]==0.7.5"

bench: install bench-venv
	for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# The main job: `accord run` on a team spec (poet + critic) with the embedded local model (no account, no network).
demo: install
	$(BIN)/accord run examples/poem_team/spec.yaml --model local

clean:
	rm -rf $(VENV) .bench .pytest_cache .mypy_cache .ruff_cache
