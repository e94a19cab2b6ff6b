"""Background work of the reports: making a requested report's HTML and PDF files.

With the immediate backend (the default settings) the task runs inside the request that
enqueued it; with a queue backend a worker runs it and the status page polls. The task
reads everything from the database by id, so either way works unchanged.
"""

from __future__ import annotations

import logging
import shutil
import zipfile

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
    run.save(update_fields=["status", "error", "html_file", "pdf_file", "finished"])
