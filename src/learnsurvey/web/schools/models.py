"""Trusts and schools: who takes part, and the context the reports set results against.

A school's context year by year (:class:`SchoolYear`) and its outcome measures
(:class:`OutcomeValue`) are imported from CSV (:mod:`.imports`); the school's latest year
also sets its current fields (``fsm_pct``... ``pupils``), which the reports read.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Trust(models.Model):
    """A multi-academy trust: a group of schools whose leaders see them side by side."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    class Phase(models.TextChoices):
        PRIMARY = "primary", _("Primary")
        SECONDARY = "secondary", _("Secondary")
        ALL_THROUGH = "all_through", _("All-through")
        SPECIAL = "special", _("Special")

    class Rating(models.TextChoices):
        OUTSTANDING = "outstanding", _("Outstanding")
        GOOD = "good", _("Good")
        REQUIRES_IMPROVEMENT = "requires_improvement", _("Requires improvement")
        INADEQUATE = "inadequate", _("Inadequate")
        NOT_INSPECTED = "not_inspected", _("Not inspected")

    urn = models.CharField(
        _("URN"), max_length=20, unique=True, help_text=_("Unique reference number.")
    )
    name = models.CharField(_("name"), max_length=200)
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.PROTECT, related_name="schools"
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, default="England")
    fsm_pct = models.FloatField(_("free school meals (%)"), null=True, blank=True)
    eal_pct = models.FloatField(_("English as an additional language (%)"), null=True, blank=True)
    send_pct = models.FloatField(_("special educational needs (%)"), null=True, blank=True)
    pupils = models.PositiveIntegerField(_("pupils on roll"), null=True, blank=True)
    inspection_rating = models.CharField(
        _("inspection rating"), max_length=30, choices=Rating.choices, blank=True
    )
    inspection_date = models.DateField(_("inspection date"), null=True, blank=True)
    research_opt_in = models.BooleanField(
        _("named in research tables"),
        default=False,
        help_text=_("Researchers see the school's name only when it has opted in."),
    )
    left = models.DateTimeField(
        _("left"),
        null=True,
        blank=True,
        help_text=_(
            "When the school left and its answers were deleted (the record stays, so the "
            "deletion can be accounted for and the school can join again)."
        ),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"


YEAR_HELP = _("The academic year, written as 2025/26 (or a single year such as 2025).")


class SchoolYear(models.Model):
    """A school's context in one academic year, as imported (empty: not known)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="years")
    year = models.CharField(_("year"), max_length=7, help_text=YEAR_HELP)
    fsm_pct = models.FloatField(_("free school meals (%)"), null=True, blank=True)
    eal_pct = models.FloatField(_("English as an additional language (%)"), null=True, blank=True)
    send_pct = models.FloatField(_("special educational needs (%)"), null=True, blank=True)
    pupils = models.PositiveIntegerField(_("pupils on roll"), null=True, blank=True)
    inspection_rating = models.CharField(
        _("inspection rating"), max_length=30, choices=School.Rating.choices, blank=True
    )
    inspection_date = models.DateField(_("inspection date"), null=True, blank=True)
    updated = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["school", "year"]
        verbose_name = _("school year")
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="one_context_per_school_year")
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.year}"


class OutcomeValue(models.Model):
    """One outcome measure of a school in one year: free-form name and unit, so that any
    country's measures fit (KS2 expected standard %, Progress 8, attendance %...)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="outcomes")
    year = models.CharField(_("year"), max_length=7, help_text=YEAR_HELP)
    measure = models.CharField(_("measure"), max_length=100)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    value = models.FloatField(_("value"))
    updated = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["school", "year", "measure"]
        verbose_name = _("outcome value")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year", "measure"], name="one_outcome_per_school_year_measure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.year} {self.measure}"
