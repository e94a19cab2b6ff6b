"""A requested report: made in the background, then downloaded by those who may see it."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from learnsurvey.web.waves.models import Wave


class ReportRun(models.Model):
    """One request for a report's files (HTML and PDF), and how it went.

    ``target`` is the school's URN, the trust's id, or empty for the wave's global report
    and for every school's reports. Files live under :meth:`folder`."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("School report")
        TRUST = "trust", _("Trust report")
        GLOBAL = "global", _("Global report")
        ALL_SCHOOLS = "all_schools", _("Every school's report")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being made")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="report_runs")
    target = models.CharField(_("school URN or trust id"), max_length=50, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="report_runs",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    created = models.DateTimeField(_("requested"), auto_now_add=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(
        _("error"),
        blank=True,
        help_text=_("What went wrong, in words safe to show the requester (never a count)."),
    )
    html_file = models.CharField(max_length=500, blank=True)
    pdf_file = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target} ({self.wave})".replace("  ", " ")

    def folder(self) -> Path:
        """Where this run's files are written."""
        return Path(settings.DATA_DIR) / "reports" / str(self.pk)

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class ReportPage(models.Model):
    """A report's web page as last built (by the worker, once per change of the wave's data):
    opening it reads this row and nothing else.

    ``stamp`` names what it was built from (:func:`learnsurvey.web.reports.pages.stamp`);
    when the wave's data or the schools' plans move on, the page is built again and, until
    then, the one here is shown. ``available`` is False when the report cannot be made
    (too few answers): the reader is told so, never how many."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("School report")
        TRUST = "trust", _("Trust report")
        GLOBAL = "global", _("Global report")

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="report_pages")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    target = models.CharField(max_length=50, blank=True)
    language = models.CharField(max_length=10)
    stamp = models.CharField(max_length=64)
    available = models.BooleanField(default=True)
    html = models.TextField(blank=True)
    built = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "kind", "target", "language"], name="one_report_page"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target} ({self.language})".replace("  ", " ")
