"""How long report runs are kept: a run and its files (PDF, HTML, zip) go once they are
older than ``settings.REPORT_RUN_RETENTION_DAYS`` (docs/privacy.md). The reports can be
made again at any time from the stored answers, which this never touches."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import ReportRun

__all__ = ["Expired", "do_expire_report_runs"]


@dataclass(frozen=True)
class Expired:
    runs: int
    folders: int


def do_expire_report_runs(now: datetime | None = None) -> Expired:
    """Delete every run requested before the retention period, then its folder (after the
    commit: a run is never left pointing at files that are gone)."""
    cutoff = (now or timezone.now()) - timedelta(days=int(settings.REPORT_RUN_RETENTION_DAYS))
    with transaction.atomic():
        old = list(ReportRun.objects.select_for_update().filter(created__lt=cutoff))
        folders = [run.folder() for run in old]
        ReportRun.objects.filter(pk__in=[run.pk for run in old]).delete()
    removed = 0
    for folder in folders:
        if folder.exists():
            shutil.rmtree(folder)
            removed += 1
    return Expired(len(old), removed)
