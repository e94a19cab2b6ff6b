"""Reading the stored figures over time back: the one place that turns
:class:`.models.OverTimeResult` and its :class:`.models.OverTimePart` rows into
:class:`~learnsurvey.analysis.figures.over_time.OverTimeFigures` (written by :mod:`.compute`).

Imports nothing but the models, so both the dashboards and the reports' prepared objects
(:mod:`learnsurvey.web.reports.prepared`) may read through it.
"""

from __future__ import annotations

from datetime import datetime

from learnsurvey.analysis.figures.over_time import OverTimeFigures
from learnsurvey.web.waves.models import Wave

from .models import OverTimePart, OverTimeResult

__all__ = ["over_time_parts"]


def over_time_parts(
    wave: Wave | int, *, schools: list[str] | None = None, trusts: list[str] | None = None
) -> tuple[OverTimeFigures, datetime] | None:
    """The stored figures over time of the series ending at ``wave``, with only the parts
    asked for (by URN and trust name; None: every one), and when they were computed; None
    when there are none."""
    wave_id = wave.pk if isinstance(wave, Wave) else int(wave)
    stored = OverTimeResult.objects.filter(wave_id=wave_id).first()
    if stored is None:
        return None
    parts = OverTimePart.objects.filter(result=stored)

    def part(kind: str, keys: list[str] | None) -> dict[str, object]:
        rows = parts.filter(kind=kind)
        if keys is not None:
            rows = rows.filter(key__in=keys)
        return dict(rows.values_list("key", "payload"))

    figures = OverTimeFigures.model_validate(
        {
            **stored.payload,
            "schools": part(OverTimePart.Kind.SCHOOL.value, schools),
            "trusts": part(OverTimePart.Kind.TRUST.value, trusts),
        }
    )
    return figures, stored.computed
