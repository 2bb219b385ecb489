# The two commands (see README): `make all` runs the main job, `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))

.PHONY: all setup data baselines notebooks test lint clean

all: setup                 ## main job: environment, data, baselines, notebooks -> results/
	$(BIN)/microllm schema export
	$(BIN)/microllm notebooks $(NOTEBOOKS)
	$(BIN)/microllm readme

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e ".[dev,notebooks]"
	touch $(STAMP)

data: setup                ## only the synthetic dataset and its card
	$(BIN)/microllm data build --config configs/data.yaml

baselines: setup           ## only the baselines' scores (needs the data)
	$(BIN)/microllm baselines --config configs/baselines.yaml

test: setup lint           ## the test command (.ci/run calls it)
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) artifacts .pytest_cache .ruff_cache
