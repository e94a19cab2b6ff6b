"""Geometry of the server-drawn charts: where a value sits on the instrument's scale.

Pure presentation (percentages of a bar's length); the figures themselves come from the
cached, cleared results.
"""

from __future__ import annotations

from dataclasses import dataclass

from learnsurvey.instruments import Instrument

__all__ = ["CiBar", "Dot", "Dumbbell", "ci_bar", "dots", "dumbbell", "position", "scale_ticks"]


@dataclass(frozen=True)
class CiBar:
    """Offsets (% of the bar) of a mean, its interval and the benchmark means."""

    mean: float
    low: float
    width: float
    benchmark: float | None
    similar: float | None = None


@dataclass(frozen=True)
class Dot:
    """One group's mean on a dimension: its offset and its place in the key (the shape)."""

    at: float
    index: int


def position(value: float, instrument: Instrument) -> float:
    lo, hi = instrument.scale.min, instrument.scale.max
    return round(max(0.0, min(100.0, 100.0 * (value - lo) / (hi - lo))), 2)


def _at(value: float | None, instrument: Instrument) -> float | None:
    return None if value is None else position(value, instrument)


def ci_bar(
    mean: float | None,
    low: float | None,
    high: float | None,
    benchmark: float | None,
    instrument: Instrument,
    similar: float | None = None,
) -> CiBar | None:
    if mean is None or low is None or high is None:
        return None
    start, end = position(low, instrument), position(high, instrument)
    return CiBar(
        mean=position(mean, instrument),
        low=start,
        width=round(end - start, 2),
        benchmark=_at(benchmark, instrument),
        similar=_at(similar, instrument),
    )


def dots(means: list[float | None], instrument: Instrument) -> list[Dot]:
    """The shown groups' means on one dimension (a hidden group has no dot)."""
    return [Dot(position(m, instrument), k) for k, m in enumerate(means) if m is not None]


@dataclass(frozen=True)
class Dumbbell:
    """One dimension of the dumbbell chart: a dot per group shown, joined by a bar from the
    lowest to the highest."""

    dots: list[Dot]
    start: float
    width: float


def dumbbell(means: list[float | None], instrument: Instrument) -> Dumbbell:
    """The groups' means on one dimension, in a fixed order (a hidden group has no dot; its
    place in the key, and so its shape, stays)."""
    shown = dots(means, instrument)
    if not shown:
        return Dumbbell([], 0.0, 0.0)
    start = min(d.at for d in shown)
    return Dumbbell(shown, start, round(max(d.at for d in shown) - start, 2))


def scale_ticks(instrument: Instrument) -> list[tuple[int, float]]:
    """Each whole scale value and its offset, for the axis under the charts."""
    return [
        (v, position(v, instrument)) for v in range(instrument.scale.min, instrument.scale.max + 1)
    ]
