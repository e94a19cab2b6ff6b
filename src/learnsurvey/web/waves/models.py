"""Survey waves, the schools taking part, access codes and the pupils' anonymous responses."""

from __future__ import annotations

import secrets
from datetime import date
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learnsurvey.analysis.seasons import season_of
from learnsurvey.analysis.year_groups import YEAR_GROUPS as YEAR_GROUPS
from learnsurvey.instruments import Instrument, load_instrument
from learnsurvey.web.schools.models import School, Trust

# Access codes: no 0/O, 1/I/L or U, so a code read aloud or off paper is typed right.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
# Instruments are immutable files for a given version; parse each once per process.
_instrument = lru_cache(maxsize=16)(load_instrument)

CODE_LENGTH = 10  # 30**10 ≈ 5.9e14 codes: guessing one is hopeless at any rate limit


STAFF_INSTRUMENT_ID = "staff-survey"


class Wave(models.Model):
    """A survey window: which instrument (and version), when, and how many school places."""

    class Season(models.TextChoices):
        """The school term a wave runs in (school-climate ratings shift with the season);
        the values are :data:`learnsurvey.analysis.timeline.SEASONS`."""

        AUTUMN = "autumn", _("Autumn")
        SPRING = "spring", _("Spring")
        SUMMER = "summer", _("Summer")

    name = models.CharField(_("name"), max_length=200)
    instrument_id = models.CharField(_("instrument"), max_length=100, default="learning-survey")
    instrument_version = models.CharField(_("instrument version"), max_length=50)
    opens = models.DateField(_("opens"))
    closes = models.DateField(_("closes"))
    season = models.CharField(
        _("season"),
        max_length=10,
        choices=Season.choices,
        blank=True,
        help_text=_("The term the wave runs in. Left blank, it is taken from the opening date."),
    )
    places = models.PositiveIntegerField(_("places"), default=500)
    registration_open = models.BooleanField(_("registration open"), default=True)
    pupil_wave = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_waves",
        verbose_name=_("pupil wave"),
        help_text=_(
            "For a staff survey: the pupil wave this staff survey accompanies (its answers "
            "appear beside the pupils' in the reports)."
        ),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Fill a blank season from the opening date (bulk inserts must set it themselves:
        :meth:`fill_season` does it for a wave not yet saved)."""
        self.fill_season()
        super().save(*args, **kwargs)

    def fill_season(self) -> None:
        """Set a blank :attr:`season` from :attr:`opens` (September–December autumn,
        January–April spring, May–August summer)."""
        if not self.season and self.opens:
            self.season = season_of(self.opens)

    @property
    def is_staff(self) -> bool:
        """A staff survey (its codes are staff codes, its journey asks a role)."""
        return self.instrument_id == STAFF_INSTRUMENT_ID

    def instrument(self) -> Instrument:
        """The wave's instrument, checked to be the version the wave was opened with."""
        inst = _instrument(self.instrument_id)
        if inst.version != self.instrument_version:
            raise ValueError(
                f"wave {self.name!r} uses {self.instrument_id} version "
                f"{self.instrument_version}, but version {inst.version} is installed"
            )
        return inst

    def is_open(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.opens <= today <= self.closes

    @property
    def places_taken(self) -> int:
        return self.participations.count()

    @property
    def places_left(self) -> int:
        return max(0, self.places - self.places_taken)


class Participation(models.Model):
    """A school taking part in a wave (created when its registration is approved)."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="participations")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="participations")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "school"], name="one_participation_per_wave")
        ]


class Registration(models.Model):
    """A school's or trust's request for a place in a wave, awaiting a platform admin."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONFIRMING = "confirming", _("Awaiting a known leader's confirmation")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    class Kind(models.TextChoices):
        SCHOOL = "school", _("A school")
        TRUST = "trust", _("A trust")

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="registrations")
    kind = models.CharField(
        _("who is registering"),
        max_length=10,
        choices=Kind.choices,
        default=Kind.SCHOOL,
        help_text=_(
            "A trust registration records the trust and its leader; its schools "
            "register one by one, naming the trust."
        ),
    )
    school_name = models.CharField(_("school name"), max_length=200)
    urn = models.CharField(_("URN"), max_length=20)
    phase = models.CharField(_("phase"), max_length=20, choices=School.Phase.choices)
    trust_name = models.CharField(_("trust (if any)"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=200)
    contact_email = models.EmailField(_("contact email"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created = models.DateTimeField(auto_now_add=True)
    decided = models.DateTimeField(null=True, blank=True)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.SET_NULL)
    trust = models.ForeignKey(Trust, null=True, blank=True, on_delete=models.SET_NULL)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The known leader who confirmed that the contact belongs (if one was asked)."),
    )

    class Meta:
        ordering = ["created"]


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class AccessCode(models.Model):
    """What pupils type (or scan) to reach their school's survey; expires with the wave."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="access_codes")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="access_codes")
    code = models.CharField(max_length=CODE_LENGTH, unique=True, default=new_code)
    label = models.CharField(_("label"), max_length=100, blank=True)
    year_group = models.PositiveSmallIntegerField(_("year group"), null=True, blank=True)
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["school", "year_group", "label"]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        """The code in two halves, easier to read off paper: ``ABCDE-FGHJK``."""
        half = CODE_LENGTH // 2
        return f"{self.code[:half]}-{self.code[half:]}"

    def usable(self, today: date | None = None) -> bool:
        return self.active and self.wave.is_open(today)

    @staticmethod
    def normalise(typed: str) -> str:
        """What a pupil typed, as stored: upper case, no spaces or dashes."""
        return "".join(ch for ch in typed.upper() if ch.isalnum())


class Publication(models.Model):
    """A point at which a wave's figures change (disclosure rule 9).

    Figures are computed from published responses only, and a publication adds responses
    in batches :func:`learnsurvey.stats.disclosure.publication_plan` judged safe, so two
    reads of a page around one pupil's submission show the same figures."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="publications")
    number = models.PositiveIntegerField()
    created = models.DateTimeField(auto_now_add=True)
    n_responses = models.PositiveIntegerField(
        default=0, help_text="Responses it added (and a leaving school's deletion left)."
    )
    withdrawn = models.PositiveIntegerField(
        default=0,
        help_text="Responses a leaving school's deletion took out of the figures (a "
        "publication that adds none: the figures change all the same).",
    )
    deletion = models.ForeignKey(
        "SchoolDeletion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="publications",
        help_text="The deletion of a leaving school's answers this publication marks.",
    )

    class Meta:
        ordering = ["wave", "number"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "number"], name="one_publication_number")
        ]


class Response(models.Model):
    """One pupil's or staff member's answers. Nothing here identifies anyone: no name, ID,
    email or IP address, and the time is rounded down to the hour."""

    class Source(models.TextChoices):
        BROWSER = "browser", _("Browser")
        API = "api", _("API")
        IMPORT = "import", _("Import")

    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="responses")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="responses")
    key_stage = models.CharField(max_length=10, blank=True)
    year_group = models.PositiveSmallIntegerField(null=True, blank=True)
    gender = models.CharField(max_length=30, blank=True)
    role = models.CharField(
        max_length=30,
        blank=True,
        default="",
        db_default="",  # raw bulk loads (COPY, executemany) of pupils may leave it out
        help_text="A staff response's role id (the staff instrument's demographics.roles); "
        "blank for pupils.",
    )
    language = models.CharField(max_length=10, default="en-GB")
    answers = models.CharField(
        max_length=200,
        help_text="One character per item in the instrument's item order: the scale value, "
        "or '-' when the item was not answered.",
    )
    submitted_hour = models.DateTimeField()
    idempotency_key = models.UUIDField(unique=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.BROWSER)
    publication = models.ForeignKey(
        Publication,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responses",
        help_text="The publication that first counted this response; empty while pending.",
    )

    class Meta:
        indexes = [
            models.Index(fields=["wave", "school"], name="response_wave_school"),
            models.Index(fields=["wave", "publication"], name="response_wave_publication"),
        ]


class WaveResult(models.Model):
    """The computed tables of a wave, kept until responses newer than ``max_response_id``
    arrive (dashboards read this; they never compute per request)."""

    wave = models.OneToOneField(Wave, on_delete=models.CASCADE, related_name="result")
    computed = models.DateTimeField()
    max_response_id = models.BigIntegerField(default=0)
    n_responses = models.PositiveIntegerField(default=0)
    threshold = models.PositiveSmallIntegerField()
    payload = models.JSONField(default=dict)


class SchoolDeletion(models.Model):
    """A leaving school's answers deleted (:mod:`learnsurvey.web.waves.leaving`): who did it,
    when, and how much of what went. Never edited; kept whatever becomes of the school's
    record (its URN and name are copied for that)."""

    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.SET_NULL, related_name="deletions"
    )
    urn = models.CharField(_("URN"), max_length=20)
    school_name = models.CharField(_("school name"), max_length=200)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    by_name = models.CharField(
        _("by (as recorded)"),
        max_length=200,
        help_text=_("The username, or who ran the command on the server."),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    pupil_responses = models.PositiveIntegerField(_("pupil answers"), default=0)
    staff_responses = models.PositiveIntegerField(_("staff answers"), default=0)
    report_runs = models.PositiveIntegerField(_("report runs"), default=0)
    counts = models.JSONField(
        _("everything deleted"),
        default=dict,
        help_text=_("What else went, by kind, and the waves whose figures were recomputed."),
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("deletion of a leaving school's answers")
        verbose_name_plural = _("deletions of leaving schools' answers")

    def __str__(self) -> str:
        return f"{self.school_name} ({self.urn}) {self.at:%Y-%m-%d %H:%M}"
