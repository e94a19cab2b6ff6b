# The two commands of the README: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= $(shell scripts/find-python)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck unit e2e-deps bench golden r-tools calibrate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

## demo: generate the calibrated Phase One data set, analyse it, print the summary
demo: $(VENV)/.installed-base
	$(BIN)/learnsurvey demo --dir demo-output

## test: lint, format check, mypy --strict and the whole pytest suite
test: lint typecheck unit

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

unit: $(VENV)/.installed-dev e2e-deps
	$(BIN)/pytest

## e2e-deps: Debian's Chromium (apt, as root) and axe-core (npm) for the browser tests
AXE_VERSION := 4.14.1
e2e-deps: /usr/bin/chromium $(VENV)/node_modules/axe-core/axe.min.js

/usr/bin/chromium:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

$(VENV)/node_modules/axe-core/axe.min.js: | $(BIN)/python
	npm install --silent --no-audit --no-fund --no-save --prefix $(VENV) axe-core@$(AXE_VERSION)

## bench: wall time and peak memory at 30k, 1M and 10M rows (and R, pingouin when present)
bench: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/run.py

## r-tools: install R and the packages the golden scripts and the R benchmark use (Debian, root)
R_PACKAGES := r-cran-psych r-cran-gparotation r-cran-psychtools r-cran-lme4 r-cran-lavaan \
	r-cran-metafor r-cran-jsonlite r-cran-data.table
r-tools:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(R_PACKAGES)

## golden: regenerate the reference values with R (a developer's tool: `make r-tools` first)
golden:
	Rscript tests/golden/psych_factor_reliability.R
	Rscript tests/golden/polychoric_effects_multilevel.R

## calibrate: refit the synthetic model to shared/phase-one-targets.yaml
calibrate: $(VENV)/.installed-base
	$(BIN)/python -m learnsurvey.synth.calibrate

clean:
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache .ruff_cache .hypothesis
