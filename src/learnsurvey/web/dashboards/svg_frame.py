"""The frame shared by the server-drawn charts (the "Over time" lines, the binned scatter of
"Learning beside outcomes"): one size, one set of margins, and one vertical axis on the
survey's scale, so the charts of the product read alike."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from learnsurvey.instruments import Instrument

__all__ = ["HEIGHT", "STEP", "WIDTH", "Frame", "frame", "scale_range", "y_scale"]

WIDTH, HEIGHT = 320, 170
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 10, 34
"""The plot's margins (the axis labels sit in them)."""
STEP = 0.25
"""The vertical range is rounded out to this step of the scale."""


@dataclass(frozen=True)
class Frame:
    """Where a chart's plot sits inside its SVG, and its labelled values of the scale."""

    width: int
    height: int
    y_ticks: list[tuple[float, float]]
    """Where each labelled value of the scale sits, and the value."""
    left: float
    right: float
    top: float
    bottom: float
    tick_x: float
    """Where the vertical axis' labels end."""
    label_y: float
    """Where the horizontal axis' labels sit."""


def scale_range(values: Iterable[float], instrument: Instrument) -> tuple[float, float]:
    """The vertical range showing ``values`` (interval ends): rounded out to :data:`STEP`
    and kept within the instrument's scale (the whole scale when there are none)."""
    lo, hi = float(instrument.scale.min), float(instrument.scale.max)
    found = list(values)
    if not found:
        return lo, hi
    bottom = max(lo, math.floor(min(found) / STEP) * STEP)
    top = min(hi, math.ceil(max(found) / STEP) * STEP)
    if top - bottom < 2 * STEP:  # a flat series still gets a readable axis
        middle = (top + bottom) / 2
        bottom, top = max(lo, middle - STEP), min(hi, middle + STEP)
    return bottom, top


def y_scale(value_range: tuple[float, float]) -> Callable[[float], float]:
    """The SVG height of a value of the scale (clamped to the range)."""
    lo, hi = value_range
    top, bottom = float(TOP), float(HEIGHT - BOTTOM)

    def y_at(v: float) -> float:
        share = 0.0 if hi == lo else (min(max(v, lo), hi) - lo) / (hi - lo)
        return round(bottom - share * (bottom - top), 1)

    return y_at


def frame(value_range: tuple[float, float]) -> Frame:
    """The frame of a chart over ``value_range``: at most five labels on the vertical axis,
    at steps of :data:`STEP`."""
    lo, hi = value_range
    y_at = y_scale(value_range)
    steps = round((hi - lo) / STEP)
    every = max(1, math.ceil(steps / 4))
    ticks = [(y_at(lo + k * STEP), lo + k * STEP) for k in range(0, steps + 1, every)]
    return Frame(
        width=WIDTH,
        height=HEIGHT,
        y_ticks=ticks,
        left=float(LEFT),
        right=float(WIDTH - RIGHT),
        top=float(TOP),
        bottom=float(HEIGHT - BOTTOM),
        tick_x=float(LEFT - 4),
        label_y=float(HEIGHT - BOTTOM + 16),
    )
