"""Fixtures shared by the platform's suites (tests/web, tests/e2e)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from personas import World, make_world

# Every chart a report draws in the tests is checked against the Vega-Lite schema (in use the
# check is skipped: it costs as much as drawing the chart).
os.environ["LEARNSURVEY_VALIDATE_CHARTS"] = "1"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # Real password hashing is deliberately slow; tests only need it to round-trip.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _static_root() -> None:
    # WhiteNoise warns (an error here) when STATIC_ROOT does not exist, as in a fresh clone.
    from pathlib import Path

    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


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


@pytest.fixture
def world(db: None) -> World:
    """Every persona, in a database that is rolled back after the test."""
    return make_world()


@pytest.fixture
def live_world(transactional_db: None) -> World:
    """Every persona, committed, for a live server and a browser (tests/e2e)."""
    return make_world()
