"""How figures read in the reports: the same number of decimals everywhere, a dash for a
figure that is suppressed or cannot be computed, and intervals as "3.41 to 3.62"."""

from __future__ import annotations

import math
from datetime import date

__all__ = ["HIDDEN", "ci", "count", "long_date", "number", "pct", "signed"]

HIDDEN = "–"
"""An en dash: the figure is suppressed (too few pupils) or cannot be computed."""


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def number(value: object, places: int = 2) -> str:
    """A figure to ``places`` decimals, or the dash."""
    if _missing(value):
        return HIDDEN
    return f"{float(value):.{places}f}"  # type: ignore[arg-type]


def signed(value: object, places: int = 2) -> str:
    """A difference with its sign (+0.12, −0.30), using the true minus sign."""
    if _missing(value):
        return HIDDEN
    text = f"{float(value):+.{places}f}"  # type: ignore[arg-type]
    return text.replace("-", "\u2212")


def pct(value: object, places: int = 0) -> str:
    """A percentage (already × 100), e.g. 64%."""
    if _missing(value):
        return HIDDEN
    return f"{float(value):.{places}f}%"  # type: ignore[arg-type]


def count(value: object) -> str:
    """A whole number with thousands separators, or the dash."""
    if _missing(value):
        return HIDDEN
    return f"{round(float(value)):,}"  # type: ignore[arg-type]


def ci(low: object, high: object, places: int = 2) -> str:
    """A confidence interval as "3.41 to 3.62" (the dash when either end is missing)."""
    if _missing(low) or _missing(high):
        return HIDDEN
    return f"{number(low, places)} to {number(high, places)}".replace("-", "\u2212")


def long_date(day: date | None = None) -> str:
    """A date as British English writes it: 22 November 2026 (today by default)."""
    day = day or date.today()
    return f"{day.day} {day:%B %Y}"
