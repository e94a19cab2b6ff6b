"""The real task queue for a test: django-tasks-db in place of the suite's immediate backend,
and its real worker (``manage.py db_worker --batch``), run when the test says."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.management.commands import db_worker


@contextmanager
def queue(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tasks go to the database queue (and report pages are built after a recompute, as
    with a worker) until the block ends."""
    # The worker closes connections it thinks are stale between tasks; in a test the
    # database may live inside the test's transaction, which that would end.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    settings.TASKS = {"default": {"BACKEND": settings.TASK_BACKENDS["database"]}}
    settings.TASK_BACKEND = "database"
    settings.PREBUILD_REPORT_PAGES = True
    # pytest-django's ``settings`` puts the suite's backend back after the test, and Django
    # forgets the backend it made whenever TASKS changes.
    yield


def run_worker() -> None:
    """Everything queued, run by the real worker, which then stops."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
