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
