"""One school's slice of a wave's computed results, so a school page reads only its own."""

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
