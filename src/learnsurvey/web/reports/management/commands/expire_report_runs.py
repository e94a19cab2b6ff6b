"""``manage.py expire_report_runs``: delete report runs (and their files) older than
``LEARNSURVEY_REPORT_RUN_RETENTION_DAYS`` (30 by default); run it daily (cron or a timer)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from learnsurvey.web.reports.retention import do_expire_report_runs


class Command(BaseCommand):
    help = (
        "Delete report runs and their PDF and HTML files older than the retention period "
        "(LEARNSURVEY_REPORT_RUN_RETENTION_DAYS); the answers are never touched."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        done = do_expire_report_runs()
        days = settings.REPORT_RUN_RETENTION_DAYS
        self.stdout.write(
            f"{done.runs} report run(s) older than {days} days deleted, "
            f"{done.folders} folder(s) of files removed"
        )
