"""A school's priorities for an academic year, the actions behind them, the trust's own
priorities that its schools may adopt, and the history of every change to them.

The records are the school's own words; nothing here is a statistic. A priority names one
dimension of the instrument of the pupil wave it was set from (its *baseline wave*); its
impact is a figure read from the stored figures over time of the next wave of the series
(:mod:`.impact`). Every change goes through an action of :mod:`.actions`, which writes a
:class:`Revision` beside it: a priority and its actions are editable until the next wave of
the series opens for the school, then kept read-only with their history.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from learnsurvey.web.schools.models import School, Trust
from learnsurvey.web.waves.models import Wave

MAX_PRIORITIES = 3
"""At most this many priorities per school per academic year."""

ACADEMIC_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def valid_academic_year(value: str) -> bool:
    """``"2026/27"``: a year and the last two digits of the next one."""
    found = ACADEMIC_YEAR.match(value)
    return found is not None and (int(found[1]) + 1) % 100 == int(found[2])


class TrustPriority(models.Model):
    """A dimension a trust asks its schools to work on in an academic year."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="priorities")
    academic_year = models.CharField(_("academic year"), max_length=7)
    instrument_id = models.CharField(_("instrument"), max_length=100, default="learning-survey")
    dimension = models.CharField(_("dimension"), max_length=100)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-academic_year", "dimension"]
        verbose_name = _("trust priority")
        verbose_name_plural = _("trust priorities")
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "academic_year", "dimension"], name="one_trust_priority_per_dim"
            )
        ]

    def __str__(self) -> str:
        return f"{self.trust} {self.academic_year}: {self.dimension}"


class Priority(models.Model):
    """One of a school's (at most three) priority dimensions for an academic year."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="priorities")
    academic_year = models.CharField(_("academic year"), max_length=7)
    dimension = models.CharField(_("dimension"), max_length=100)
    baseline_wave = models.ForeignKey(
        Wave,
        on_delete=models.PROTECT,
        related_name="priorities",
        verbose_name=_("baseline wave"),
        help_text=_("The pupil wave the priority was set from."),
    )
    suggested_reasons = models.JSONField(
        _("suggested reasons"),
        default=dict,
        blank=True,
        help_text=_(
            "Why the analysis suggested this dimension when the priority was set (the "
            "suggestion: reason ids and the figures behind them); empty when it was not."
        ),
    )
    theory_of_action = models.TextField(_("theory of action"), blank=True)
    hoped_change = models.TextField(_("the change hoped for"), blank=True)
    trust_priority = models.ForeignKey(
        TrustPriority,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adoptions",
        verbose_name=_("trust priority"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["school", "-academic_year", "created", "pk"]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "dimension"], name="one_priority_per_dimension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.academic_year}: {self.dimension}"


class Action(models.Model):
    """Something the school does for a priority: what, what kind, who leads it, when."""

    class Kind(models.TextChoices):
        LESSON_STUDY = "lesson_study", _("Lesson study")
        COACHING = "instructional_coaching", _("Instructional coaching")
        POLICY_REVIEW = "policy_review", _("Policy review")
        PUPIL_VOICE = "pupil_voice_panel", _("Pupil voice panel")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        STOPPED = "stopped", _("Stopped")

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="actions")
    what = models.CharField(_("what"), max_length=300)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    lead_role = models.CharField(_("led by (role)"), max_length=100)
    starts = models.DateField(_("starts"), null=True, blank=True)
    ends = models.DateField(_("ends"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "starts", "created", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.what


class Revision(models.Model):
    """One change to a priority, an action or a trust priority: who, when, and the record
    as it stood afterwards (written by the actions of :mod:`.actions`, never edited)."""

    class Change(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        ADOPTED = "adopted", _("Adopted from the trust")

    priority = models.ForeignKey(
        Priority, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions"
    )
    action = models.ForeignKey(
        Action, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions"
    )
    trust_priority = models.ForeignKey(
        TrustPriority, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions"
    )
    change = models.CharField(max_length=10, choices=Change.choices)
    snapshot = models.JSONField(default=dict)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed", "pk"]

    def __str__(self) -> str:
        return f"{self.change} {self.changed:%Y-%m-%d %H:%M}"


def snapshot(record: models.Model, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of ``record`` as JSON-ready values (dates as ISO text, keys as ids)."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(record, name)
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


PRIORITY_FIELDS = (
    "academic_year",
    "dimension",
    "baseline_wave_id",
    "theory_of_action",
    "hoped_change",
    "trust_priority_id",
)
ACTION_FIELDS = ("what", "kind", "lead_role", "starts", "ends", "status")
TRUST_PRIORITY_FIELDS = ("academic_year", "dimension", "note")
