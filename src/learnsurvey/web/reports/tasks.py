"""Background work of the reports: making a requested report's HTML and PDF files.

With the immediate backend (the default settings) the task runs inside the request that
enqueued it; with a queue backend a worker runs it and the status page polls. The task
reads everything from the database by id, so either way works unchanged.
"""

from __future__ import annotations

import logging
import shutil
import zipfile

from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from learnsurvey.reports.runner import (
    ReportFiles,
    write_global_report,
    write_school_reports,
    write_trust_report,
)
from learnsurvey.web.schools.models import Trust

from .models import ReportRun
from .prepared import prepared
from .retention import do_expire_report_runs

logger = logging.getLogger(__name__)

FAILED_MESSAGE = "The report could not be made. The platform's administrators can see why."
ARCHIVE = "school-reports.zip"


@task
def make_report(run_id: int) -> str:
    """Make the files of run ``run_id``; returns its final status."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().select_related("wave").get(pk=run_id)
        if run.status != ReportRun.Status.QUEUED:
            return str(run.status)  # another worker took it (a queue may deliver twice)
        run.status = ReportRun.Status.RUNNING
        run.save(update_fields=["status"])
    request_housekeeping()
    folder = run.folder()
    try:
        if folder.exists():
            shutil.rmtree(folder)
        html, pdf = _make(run)
    except ValueError as exc:
        # The report builders' messages name the school or trust and the reason, never a
        # count below the threshold: safe to show to the requester.
        _finish(run, ReportRun.Status.FAILED, error=str(exc))
    except Exception:
        logger.exception("report run %s failed", run.pk)
        _finish(run, ReportRun.Status.FAILED, error=FAILED_MESSAGE)
    else:
        _finish(run, ReportRun.Status.DONE, html=html, pdf=pdf)
    return str(run.status)


def _make(run: ReportRun) -> tuple[str, str]:
    """Write the run's files; (HTML path, PDF path), the PDF a zip of every school's PDF
    for ``all_schools``."""
    ready = prepared(run.wave)
    folder = run.folder()
    files: ReportFiles
    if run.kind == ReportRun.Kind.SCHOOL:
        files = write_school_reports(ready.inputs, folder, [run.target], prepared=ready.schools())[
            0
        ]
    elif run.kind == ReportRun.Kind.TRUST:
        trust = Trust.objects.get(pk=int(run.target))
        files = write_trust_report(ready.inputs, trust.name, folder, prepared=ready.trusts())
    elif run.kind == ReportRun.Kind.GLOBAL:
        files = write_global_report(ready.inputs, folder, prepared=ready.global_report())
    else:
        written = write_school_reports(ready.inputs, folder, prepared=ready.schools())
        archive = folder / ARCHIVE
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
            for one in written:
                zipped.write(one.pdf, one.pdf.name)
        return "", str(archive)
    return str(files.html), str(files.pdf)


def _finish(run: ReportRun, status: str, *, error: str = "", html: str = "", pdf: str = "") -> None:
    run.status = status
    run.error = error
    run.html_file = html
    run.pdf_file = pdf
    run.finished = timezone.now()
    fields = ["status", "error", "html_file", "pdf_file", "finished"]
    kept = ReportRun.objects.filter(pk=run.pk).update(**{f: getattr(run, f) for f in fields})
    if not kept:
        # The run was deleted while it was made (it expired, or its school left and had its
        # answers deleted): its files must not outlive it.
        shutil.rmtree(run.folder(), ignore_errors=True)


HOUSEKEEPING_SECONDS = 60 * 60
"""At most one clean-up an hour, however much work the worker is given."""


def request_housekeeping() -> None:
    """Queue :func:`housekeeping` unless it ran or was queued within the hour (called by
    the worker's own tasks, so the clean-up needs no scheduler of its own)."""
    if caches["shared"].add("learnsurvey:housekeeping", 1, timeout=HOUSEKEEPING_SECONDS):
        housekeeping.enqueue()


@task
def housekeeping() -> int:
    """Delete the report runs past their retention period (docs/privacy.md), and the queue's
    records of finished tasks older than a fortnight (django-tasks-db keeps them); returns
    how many runs went."""
    expired = do_expire_report_runs()
    if settings.TASK_BACKEND == "database":
        call_command("prune_db_task_results", min_age_days=14, verbosity=0)
    return expired.runs
