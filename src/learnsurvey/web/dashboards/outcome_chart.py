"""Geometry of the server-drawn binned scatter of the "Learning beside outcomes" page: for
one score and one measure, each bin of schools (grouped by the measure) at the mean of its
measure values, with the mean of its schools' means on the score and its 95% confidence
interval, as the coordinates of a small inline SVG (the same classes as the line charts).

Pure presentation: the bins come from the stored, cleared figures; a hidden bin is left out.
No single school's point is ever drawn (the figures hold none).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from learnsurvey.analysis.figures.outcomes import OutcomeBin
from learnsurvey.instruments import Instrument

from .svg_frame import Frame, frame, scale_range, y_scale

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
    frame: Frame
    points: list[BinPoint]
    line: str
    """SVG ``points`` of the polyline through the bins' means (empty for fewer than two)."""
    x_ticks: list[tuple[float, float]]


def _shown(b: OutcomeBin) -> bool:
    return not b.suppressed and None not in (
        b.mean,
        b.ci_low,
        b.ci_high,
        b.measure_low,
        b.measure_high,
        b.measure_mean,
    )


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
    x_lo, x_hi = _x_range(shown)
    value_range = scale_range(
        (float(v) for b in shown for v in (b.ci_low, b.ci_high) if v is not None), instrument
    )
    box = frame(value_range)
    y_at = y_scale(value_range)
    inset = 12.0

    def x_at(v: float) -> float:
        share = (v - x_lo) / (x_hi - x_lo)
        return round(box.left + inset + share * (box.right - box.left - 2 * inset), 1)

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
    x_ticks = [
        (x_at(x_lo + k * (x_hi - x_lo) / X_TICKS), x_lo + k * (x_hi - x_lo) / X_TICKS)
        for k in range(X_TICKS + 1)
    ]
    line = " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points) if len(points) > 1 else ""
    return BinnedScatter(frame=box, points=points, line=line, x_ticks=x_ticks)
