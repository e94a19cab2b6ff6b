"""What the figures over time are built from: several waves of one instrument, oldest first.

The platform builds a :class:`Timeline` from its database (``web.reports.sources``); a
responses file with several waves gives the same (:func:`timeline_from_files`). Pupils are
anonymous and differ between waves, so the waves are independent samples. Django-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd

from .dashboard import DashboardStatistics

__all__ = ["SEASONS", "Season", "Timeline", "TimelineWave", "season_of"]

Season = Literal["autumn", "spring", "summer"]
SEASONS: tuple[Season, ...] = ("autumn", "spring", "summer")


def season_of(day: date) -> Season:
    """The school term a day falls in (England's year): September–December autumn,
    January–April spring, May–August summer."""
    if day.month >= 9:
        return "autumn"
    return "spring" if day.month <= 4 else "summer"


@dataclass(frozen=True)
class TimelineWave:
    """One wave of the series: its name as readers know it and its statistics (published
    responses only, as :class:`~learnsurvey.analysis.inputs.ReportInputs` has them)."""

    wave: str
    statistics: DashboardStatistics
    season: Season | None = None
    opens: date | None = None


@dataclass(frozen=True)
class Timeline:
    """Waves of the same instrument id, oldest first (versions may differ: only the items
    and dimensions they share are compared). Nothing here is suppressed yet."""

    waves: tuple[TimelineWave, ...]
    schools: pd.DataFrame
    """The school context (columns :data:`~learnsurvey.analysis.inputs.CONTEXT_COLUMNS`)
    as of the latest wave: trusts are grouped by their schools now."""
    threshold: int
