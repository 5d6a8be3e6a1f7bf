# Two commands for a fresh machine: `make demo` and `make test`.
# Each creates .venv when it is missing and installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint wheel-check bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/advisor demo --out out/demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

wheel-check: $(STAMP)
	bash scripts/check_wheel.sh $(BIN)/python

test: lint wheel-check
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_import.py --vms 20000
	$(BIN)/python benchmarks/bench_assess.py --vms 20000
	$(BIN)/python benchmarks/bench_outputs.py --vms 1000 --vms 20000

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
