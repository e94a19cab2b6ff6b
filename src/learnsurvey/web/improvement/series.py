"""Which waves a priority belongs to: the pupil wave it is set from, the next wave of the
same series (which ends the time it may be edited and measures its impact), and the
academic years a school may set priorities for."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.models import STAFF_INSTRUMENT_ID, Wave

from .models import Priority

__all__ = [
    "academic_year_of",
    "baseline_wave_for",
    "is_editable",
    "next_wave",
    "open_years",
]


def academic_year_of(day: date) -> str:
    """The English academic year (September to August) a day falls in: ``"2026/27"``."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def open_years(today: date | None = None) -> list[str]:
    """The academic years priorities may be set for now: the current one, and from May the
    next one too (a school plans next year after its summer wave)."""
    today = today or timezone.localdate()
    years = [academic_year_of(today)]
    if 5 <= today.month <= 8:
        years.append(academic_year_of(date(today.year, 9, 1)))
    return years


def _pupil_waves(school: School) -> list[Wave]:
    return list(
        Wave.objects.filter(participations__school=school)
        .exclude(instrument_id=STAFF_INSTRUMENT_ID)
        .order_by("-opens", "-pk")
    )


def baseline_wave_for(school: School, today: date | None = None) -> Wave | None:
    """The latest pupil wave the school takes part in that has opened (None: none yet)."""
    today = today or timezone.localdate()
    return next((w for w in _pupil_waves(school) if w.opens <= today), None)


def next_wave(baseline: Wave, school: School) -> Wave | None:
    """The next wave of ``baseline``'s series the school takes part in: the same instrument,
    opening after it (None: not planned yet)."""
    return (
        Wave.objects.filter(
            participations__school=school,
            instrument_id=baseline.instrument_id,
            opens__gt=baseline.opens,
        )
        .order_by("opens", "pk")
        .first()
    )


def is_editable(priority: Priority, today: date | None = None) -> bool:
    """May the priority and its actions still be changed? Until the next wave of the series
    opens for the school; afterwards they are kept, read-only, with their history."""
    today = today or timezone.localdate()
    following = next_wave(priority.baseline_wave, priority.school)
    return following is None or following.opens > today
