# bordermap: two commands on a fresh machine.
#   make map    sets up .venv/ and renders the default map into maps/
#   make test   sets up .venv/ and runs the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: map test quick setup layers bench lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,dask]"
	touch $(STAMP)

map: $(STAMP)
	$(BIN)/bordermap map --offline --overwrite

test: $(STAMP)
	$(BIN)/python -m pytest

# the quick loop: everything but the tests marked slow
quick: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

# build-time code lives in tools/ (not in the wheel): network, npm and pip needed
layers: $(STAMP)
	$(BIN)/python -m tools.build_layers
	$(BIN)/python -m tools.build_assets

bench: $(STAMP)
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check geo tests benchmarks tools
	$(BIN)/ruff format --check geo tests benchmarks tools

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist
