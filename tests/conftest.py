"""Fixtures shared by the platform's suites (tests/web, tests/e2e)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from memo import Memo, install
from personas import World, make_world

# Every chart a report draws in the tests is checked against the Vega-Lite schema (in use the
# check is skipped: it costs as much as drawing the chart).
os.environ["LEARNSURVEY_VALIDATE_CHARTS"] = "1"
# One OpenBLAS thread per process for what the tests start (report workers, the benchmarks'
# and the demo's subprocesses): its idle threads spin and take the cores from each other.
# This process read it when numpy loaded: the Makefile sets it before pytest starts.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Tasks run inside the request that queues them (the queue and its worker are tested in
# tests/web/test_task_worker.py); subprocesses the tests start inherit it.
os.environ.setdefault("LEARNSURVEY_TASKS", "immediate")


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    # A request's language (LocaleMiddleware, an account's choice) stays active in the
    # thread after it, as in Django; a test that follows starts in the platform's own.
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # Real password hashing is deliberately slow; tests only need it to round-trip.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _immediate_tasks() -> None:
    # pytest-django may have read the settings before this file: set what they derived.
    from django.conf import settings

    if os.environ["LEARNSURVEY_TASKS"] == "immediate":
        settings.TASKS = {"default": {"BACKEND": settings.TASK_BACKENDS["immediate"]}}
        settings.TASK_BACKEND = "immediate"
        settings.PREBUILD_REPORT_PAGES = False


_immediate_tasks()


def _static_root() -> None:
    # WhiteNoise warns (an error here) when STATIC_ROOT does not exist, as in a fresh clone;
    # made before any test module is imported (one builds the WSGI application at import).
    from pathlib import Path

    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


_static_root()


@pytest.fixture(autouse=True)
def _empty_cache(settings: Any) -> None:
    # The in-memory cache lives as long as the test process: code look-ups and rate-limit
    # counters from one test must not leak into the next.
    from django.core.cache import cache

    from learnsurvey.web.reports import prepared

    cache.clear()
    # A wave's figures are kept per process under the ids of its newest responses, which a
    # rolled-back test hands out again: each test builds its own.
    prepared.clear()


_MEMOS: dict[tuple[str, str], Memo] = {}
PURE: tuple[tuple[str, str, tuple[str, ...], bool], ...] = (
    # (module, function, where it is looked up, hand out copies): see tests/memo.py.
    # A wave's figures as the platform builds them from its database (most of a web test).
    ("learnsurvey.analysis.figures.wave", "build_wave_figures", ("learnsurvey.web.",), True),
    (
        "learnsurvey.analysis.figures.over_time",
        "build_over_time_figures",
        ("learnsurvey.web.",),
        True,
    ),
    # A chart's SVG from its Vega-Lite spec (vl-convert): a report built twice draws the same
    # charts. The spec is still made, and validated, every time; only the drawing is kept.
    ("learnsurvey.reports.charts", "_svg", ("learnsurvey.reports.charts",), False),
    # A report's PDF from its print HTML, as the runner prints it for the platform's report
    # runs (a persona test asks for the same school's PDF eight times). The tests that read
    # what WeasyPrint logs while printing print through html_to_pdf itself, never memoised.
    ("learnsurvey.reports.render", "html_to_pdf", ("learnsurvey.reports.runner",), False),
)


@pytest.fixture(autouse=True)
def _kept_results() -> None:
    """Reuse the results of the pure functions of :data:`PURE` for the same arguments, byte
    for byte, within the session (installed once their modules are loaded)."""
    for defined_in, name, prefixes, copy in PURE:
        install(_MEMOS, defined_in, name, prefixes, copy=copy)


DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}
)
"""pytest-django's fixtures that open the test database (any fixture built on them, such as
``world``, brings them in too)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``db`` every test that may touch the database: it asks for one of
    :data:`DATABASE_FIXTURES` (directly or through another fixture) or is marked
    ``django_db``. pytest-django refuses the database to any other test, so a test left
    unmarked cannot touch it; `make test-postgres` runs the ``db`` tests again on PostgreSQL."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & DATABASE_FIXTURES or item.get_closest_marker("django_db") is not None:
            item.add_marker(pytest.mark.db)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    used = [f"{m.__name__} {m.misses} built, {m.hits} reused" for m in _MEMOS.values()]
    if used:
        terminalreporter.write_line("kept results (tests/memo.py): " + "; ".join(used))


@pytest.fixture
def world(db: None) -> World:
    """Every persona, in a database that is rolled back after the test."""
    return make_world()


@pytest.fixture
def live_world(transactional_db: None) -> World:
    """Every persona, committed, for a live server and a browser (tests/e2e)."""
    from django.core.cache import caches

    # Without Redis the shared cache is a table that flushing the models' tables
    # between committed tests leaves alone: each test starts with no counts.
    caches["shared"].clear()
    return make_world()
