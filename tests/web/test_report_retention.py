"""Report runs and their files are kept for the retention period, then deleted by
``manage.py expire_report_runs``; the answers are never touched."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from learnsurvey.web.reports import tasks
from learnsurvey.web.reports.models import ReportRun
from learnsurvey.web.waves.models import Response
from personas import World, answer


def _run(world: World, age_days: int) -> ReportRun:
    run = ReportRun.objects.create(
        kind=ReportRun.Kind.SCHOOL, wave=world.wave, target=world.aspen.urn
    )
    run.folder().mkdir(parents=True)
    (run.folder() / "report.pdf").write_bytes(b"%PDF-1.7\n")
    ReportRun.objects.filter(pk=run.pk).update(created=timezone.now() - timedelta(days=age_days))
    return run


def test_it_deletes_runs_older_than_the_retention_and_their_files(
    world: World, settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    settings.REPORT_RUN_RETENTION_DAYS = 30
    answer(world)
    old, recent = _run(world, 31), _run(world, 29)
    responses = Response.objects.count()
    out = StringIO()
    call_command("expire_report_runs", stdout=out)
    assert "1 report run(s) older than 30 days deleted, 1 folder(s) of files removed" in (
        out.getvalue()
    )
    assert list(ReportRun.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not old.folder().exists()
    assert (recent.folder() / "report.pdf").is_file()
    assert Response.objects.count() == responses


def test_it_does_nothing_when_nothing_is_old(world: World, settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    _run(world, 1)
    out = StringIO()
    call_command("expire_report_runs", stdout=out)
    assert out.getvalue().startswith("0 report run(s)")
    assert ReportRun.objects.count() == 1


def test_it_leaves_no_files_of_a_run_deleted_while_it_was_made(
    world: World, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DATA_DIR = tmp_path
    run = ReportRun.objects.create(
        kind=ReportRun.Kind.SCHOOL, wave=world.wave, target=world.aspen.urn
    )

    def made_then_deleted(made: ReportRun) -> tuple[str, str]:
        made.folder().mkdir(parents=True)
        pdf = made.folder() / "report.pdf"
        pdf.write_bytes(b"%PDF-1.7\n")
        ReportRun.objects.filter(pk=made.pk).delete()  # expired, or its school left
        return "", str(pdf)

    monkeypatch.setattr(tasks, "_make", made_then_deleted)
    tasks.make_report.call(run.pk)
    assert not ReportRun.objects.exists()
    assert not run.folder().exists()
