"""Geometry of the server-drawn binned scatter of the "Learning beside outcomes" page: for
one score and one measure, each bin of schools (grouped by the measure) at the mean of its
measure values, with the mean of its schools' means on the score and its 95% confidence
interval, as the coordinates of a small inline SVG (the same classes as the line charts).

Pure presentation: the bins come from the stored, cleared figures; a hidden bin is left out.
No single school's point is ever drawn (the figures hold none).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from learnsurvey.analysis.figures.outcomes import OutcomeBin
from learnsurvey.instruments import Instrument

from .line_chart import BOTTOM, HEIGHT, LEFT, RIGHT, STEP, TOP, WIDTH

__all__ = ["BinPoint", "BinnedScatter", "binned_scatter"]

X_TICKS = 4
"""The measure's axis is labelled at this many steps (five labels)."""


@dataclass(frozen=True)
class BinPoint:
    """One shown bin: where its mean sits, its interval spans, and its measure range."""

    x: float
    x_low: float
    x_high: float
    y: float
    y_low: float
    y_high: float
    bin: OutcomeBin


@dataclass(frozen=True)
class BinnedScatter:
    width: int
    height: int
    points: list[BinPoint]
    line: str
    """SVG ``points`` of the polyline through the bins' means (empty for fewer than two)."""
    x_ticks: list[tuple[float, float]]
    y_ticks: list[tuple[float, float]]
    left: float
    right: float
    top: float
    bottom: float
    tick_x: float
    label_y: float


def _shown(b: OutcomeBin) -> bool:
    return not b.suppressed and None not in (
        b.mean,
        b.ci_low,
        b.ci_high,
        b.measure_low,
        b.measure_high,
        b.measure_mean,
    )


def _y_range(bins: Sequence[OutcomeBin], instrument: Instrument) -> tuple[float, float]:
    lo, hi = float(instrument.scale.min), float(instrument.scale.max)
    values = [float(v) for b in bins for v in (b.ci_low, b.ci_high) if v is not None]
    if not values:
        return lo, hi
    bottom = max(lo, math.floor(min(values) / STEP) * STEP)
    top = min(hi, math.ceil(max(values) / STEP) * STEP)
    if top - bottom < 2 * STEP:
        middle = (top + bottom) / 2
        bottom, top = max(lo, middle - STEP), min(hi, middle + STEP)
    return bottom, top


def _x_range(bins: Sequence[OutcomeBin]) -> tuple[float, float]:
    values = [float(v) for b in bins for v in (b.measure_low, b.measure_high) if v is not None]
    lo, hi = min(values), max(values)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    return lo, hi


def binned_scatter(bins: Sequence[OutcomeBin], instrument: Instrument) -> BinnedScatter | None:
    """The chart of one score's bins against one measure (None when no bin is shown)."""
    shown = sorted((b for b in bins if _shown(b)), key=lambda b: b.bin)
    if not shown:
        return None
    (x_lo, x_hi), (y_lo, y_hi) = _x_range(shown), _y_range(shown, instrument)
    left, right, top, bottom = LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM
    inset = 12.0

    def x_at(v: float) -> float:
        share = (v - x_lo) / (x_hi - x_lo)
        return round(left + inset + share * (right - left - 2 * inset), 1)

    def y_at(v: float) -> float:
        share = 0.0 if y_hi == y_lo else (min(max(v, y_lo), y_hi) - y_lo) / (y_hi - y_lo)
        return round(bottom - share * (bottom - top), 1)

    points = [
        BinPoint(
            x=x_at(float(b.measure_mean or 0)),
            x_low=x_at(float(b.measure_low or 0)),
            x_high=x_at(float(b.measure_high or 0)),
            y=y_at(float(b.mean or 0)),
            y_low=y_at(float(b.ci_low or 0)),
            y_high=y_at(float(b.ci_high or 0)),
            bin=b,
        )
        for b in shown
    ]
    steps = round((y_hi - y_lo) / STEP)
    every = max(1, math.ceil(steps / 4))
    y_ticks = [(y_at(y_lo + k * STEP), y_lo + k * STEP) for k in range(0, steps + 1, every)]
    x_ticks = [
        (x_at(x_lo + k * (x_hi - x_lo) / X_TICKS), x_lo + k * (x_hi - x_lo) / X_TICKS)
        for k in range(X_TICKS + 1)
    ]
    line = " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points) if len(points) > 1 else ""
    return BinnedScatter(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        line=line,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        tick_x=left - 4,
        label_y=bottom + 16,
    )
