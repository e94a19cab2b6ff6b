# The two commands of the README: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= $(shell scripts/find-python)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-postgres test-fast lint typecheck unit e2e-deps report-deps bench bench-core bench-web bench-exports bench-reports bench-report-pages bench-startup golden \
	r-tools calibrate clean

# Python >= 3.12 bundles a pip that installs this project. pip byte-compiles one file at a
# time; compileall on every core does the same in seconds. Compiling at install matters where
# PYTHONDONTWRITEBYTECODE=1 (as in many containers): nothing is ever cached at first use, and
# every process (a server worker, the CLI, a report worker) would compile each module again.
PIP_INSTALL := $(BIN)/python -m pip install --quiet --no-compile
COMPILE := $(BIN)/python -m compileall -q -j 0 $(VENV)/lib src

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-base: pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e .
	$(COMPILE)
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e '.[dev]'
	$(COMPILE)
	touch $@

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e '.[dev,bench]'
	$(COMPILE)
	touch $@

## demo: a fresh SQLite database (var/learnsurvey.sqlite3, recreated every time) with the
## synthetic Phase One wave, demo accounts for every role, served on http://127.0.0.1:$(PORT)
PORT ?= 8000
demo: $(VENV)/.installed-base
	PORT=$(PORT) $(BIN)/python manage.py demo

## test: lint, format check, mypy --strict and the whole pytest suite
test: lint typecheck unit

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# OpenBLAS's threads spin while they wait for work: on the small matrices of the tests (and
# beside the report workers and the browser) they only take the cores from each other; one
# thread each more than halves the statistical tests' time on a busy machine.
TEST_ENV := OPENBLAS_NUM_THREADS=1

unit: $(VENV)/.installed-dev e2e-deps report-deps
	$(TEST_ENV) $(BIN)/pytest

## test-postgres: the platform's suites again on PostgreSQL (127.0.0.1:5432, user postgres):
## every test of tests/web and tests/e2e that touches the database (marked `db` by
## tests/conftest.py; the others, pure Python, ran once in `make test`); pytest-django creates
## and drops its own test database (test_test)
POSTGRES_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
test-postgres: $(VENV)/.installed-dev e2e-deps report-deps
	$(TEST_ENV) DATABASE_URL=$(POSTGRES_TEST_URL) $(BIN)/pytest -m db tests/web tests/e2e

## test-fast: the inner loop: the pytest suite less the browser tests (e2e) and the slow ones
## (printing PDFs, writing every report, statistical searches, benchmark smoke runs); no lint.
## `make test` runs everything.
test-fast: $(VENV)/.installed-dev
	$(TEST_ENV) $(BIN)/pytest -m "not e2e and not slow"

## e2e-deps: Debian's Chromium (apt, as root) and axe-core (npm) for the browser tests
AXE_VERSION := 4.14.1
e2e-deps: /usr/bin/chromium $(VENV)/node_modules/axe-core/axe.min.js

/usr/bin/chromium:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

$(VENV)/node_modules/axe-core/axe.min.js: | $(BIN)/python
	command -v npm >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; }
	npm install --silent --no-audit --no-fund --no-save --prefix $(VENV) axe-core@$(AXE_VERSION)

## report-deps: Debian's poppler-utils (the tests rasterise report PDFs with pdftoppm) and
## HarfBuzz's font subsetter, which WeasyPrint uses for the PDFs (apt, as root)
report-deps:
	@command -v pdftoppm >/dev/null && ldconfig -p | grep -q libharfbuzz-subset.so.0 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		poppler-utils libharfbuzz-subset0; }

## bench: the core (wall time and peak memory at 30k, 1M and 10M rows, beside R and pingouin
## when present) and the web platform (submissions under load, dashboard at 1M responses)
bench: bench-core bench-web bench-exports bench-reports bench-report-pages bench-startup

bench-core: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/run.py

## bench-web: needs PostgreSQL on 127.0.0.1:5432 (user postgres) and Redis on 127.0.0.1:6379
bench-web: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/web/run.py

## bench-reports: every Phase One school's report as HTML and PDF (target: 87 PDFs in 60 s)
bench-reports: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/reports/run.py

## bench-report-pages: the reports read from the database (PostgreSQL on 127.0.0.1:5432): the
## worker building every report's web page, those pages opened (target 1 s), and
## `learnsurvey report --wave W --school S` as a whole process (target 3 s)
bench-report-pages: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/reports/from_database.py

## bench-startup: fresh processes as a crash recovery meets them (--help, analyse of 30k
## rows, Django set up, the app server to its first answer), on the byte-compiled venv
bench-startup: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/startup/run.py

## bench-exports: the researchers' response-level export at 100k and 1M responses (PostgreSQL)
bench-exports: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/exports/run.py

## r-tools: install R and the packages the golden scripts and the R benchmark use (Debian, root)
R_PACKAGES := r-cran-psych r-cran-gparotation r-cran-psychtools r-cran-lme4 r-cran-lavaan \
	r-cran-metafor r-cran-jsonlite r-cran-data.table r-cran-sandwich
r-tools:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(R_PACKAGES)

## golden: regenerate the reference values with R (a developer's tool: `make r-tools` first)
golden:
	Rscript tests/golden/psych_factor_reliability.R
	Rscript tests/golden/polychoric_effects_multilevel.R
	Rscript tests/golden/trend_mdc.R
	Rscript tests/golden/meta_dl.R
	Rscript tests/golden/outcomes_cor.R
	Rscript tests/golden/did.R
	Rscript tests/golden/families.R

## calibrate: refit the synthetic model to shared/phase-one-targets.yaml
calibrate: $(VENV)/.installed-base
	$(BIN)/python -m learnsurvey.synth.calibrate

clean:
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache .ruff_cache .hypothesis
	rm -f var/learnsurvey.sqlite3 var/learnsurvey.sqlite3-wal var/learnsurvey.sqlite3-shm

## messages: compile the interface translations (cy, pl, ur) with GNU msgfmt
LOCALE_DIR := src/learnsurvey/web/locale
.PHONY: messages
messages:
	for po in $(LOCALE_DIR)/*/LC_MESSAGES/django.po; do \
		/usr/bin/msgfmt --check -o $${po%.po}.mo $$po || exit 1; \
	done
