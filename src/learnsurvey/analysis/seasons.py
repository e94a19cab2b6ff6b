"""The school year's seasons: which term a day falls in, and which one a wave's name gives.

Standard library alone: the platform's models read it when a wave is saved, and a server
process should not load pandas for that. :mod:`.timeline` publishes it with the waves.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

__all__ = ["SEASONS", "Season", "season_in", "season_of"]

Season = Literal["autumn", "spring", "summer"]
SEASONS: tuple[Season, ...] = ("autumn", "spring", "summer")


def season_of(day: date) -> Season:
    """The school term a day falls in (England's year): September–December autumn,
    January–April spring, May–August summer."""
    if day.month >= 9:
        return "autumn"
    return "spring" if day.month <= 4 else "summer"


def season_in(label: str) -> Season | None:
    """The season a wave's name gives ("Summer 2022" → ``summer``), if it names exactly
    one; None otherwise."""
    words = set(re.findall(r"[a-z]+", label.lower()))
    found = [s for s in SEASONS if s in words]
    return found[0] if len(found) == 1 else None
