"""Geometry of the server-drawn charts: where a value sits on the instrument's scale.

Pure presentation (percentages of a bar's length); the figures themselves come from the
cached, cleared results.
"""

from __future__ import annotations

from dataclasses import dataclass

from learnsurvey.instruments import Instrument

__all__ = ["CiBar", "Dot", "ci_bar", "dots", "position", "scale_ticks"]


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


def scale_ticks(instrument: Instrument) -> list[tuple[int, float]]:
    """Each whole scale value and its offset, for the axis under the charts."""
    return [
        (v, position(v, instrument)) for v in range(instrument.scale.min, instrument.scale.max + 1)
    ]
