"""One school's and one trust's slice of a wave's computed figures, so a page reads only its own."""

from __future__ import annotations

from django.db import models

from learnsurvey.web.waves.models import WaveResult


class SchoolResult(models.Model):
    """The dashboard section of one school (keyed by URN) in a :class:`WaveResult`.

    Kept apart from the wave's payload because a wave of hundreds of schools has a payload
    of many megabytes, and a school page must not parse all of it."""

    result = models.ForeignKey(WaveResult, on_delete=models.CASCADE, related_name="schools")
    urn = models.CharField(max_length=20)
    payload = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["result", "urn"], name="one_school_result_per_wave")
        ]


class TrustResult(models.Model):
    """The figures of one trust (keyed by its name, unique) in a :class:`WaveResult`, kept
    apart for the same reason as :class:`SchoolResult`."""

    result = models.ForeignKey(WaveResult, on_delete=models.CASCADE, related_name="trusts")
    trust = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["result", "trust"], name="one_trust_result_per_wave")
        ]


class OverTimeResult(models.Model):
    """The figures over time of the series of waves that ends at ``wave``: every wave of its
    instrument that opened up to it and has published responses
    (:class:`~learnsurvey.analysis.figures.over_time.OverTimeFigures`, as JSON).

    Computed in the same task as the wave's own result (:mod:`.compute`). ``payload`` holds
    everything but the schools' and trusts' parts, which are kept apart in
    :class:`OverTimePart` so that a school's page reads only its own."""

    wave = models.OneToOneField(
        "waves.Wave", on_delete=models.CASCADE, related_name="over_time_result"
    )
    computed = models.DateTimeField()
    payload = models.JSONField(default=dict)


class OverTimePart(models.Model):
    """One school's (by URN) or one trust's (by name) part of an :class:`OverTimeResult`."""

    class Kind(models.TextChoices):
        SCHOOL = "school"
        TRUST = "trust"

    result = models.ForeignKey(OverTimeResult, on_delete=models.CASCADE, related_name="parts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["result", "kind", "key"], name="one_over_time_part_per_key"
            )
        ]
