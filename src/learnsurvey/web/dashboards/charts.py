"""Geometry of the server-drawn charts: where a value sits on the instrument's scale.

Pure presentation (percentages of a bar's length); the figures themselves come from the
cached, suppressed results.
"""

from __future__ import annotations

from dataclasses import dataclass

from learnsurvey.instruments import Instrument


@dataclass(frozen=True)
class CiBar:
    """Offsets (% of the bar) of a mean, its interval and the benchmark mean."""

    mean: float
    low: float
    width: float
    benchmark: float | None


def position(value: float, instrument: Instrument) -> float:
    lo, hi = instrument.scale.min, instrument.scale.max
    return round(max(0.0, min(100.0, 100.0 * (value - lo) / (hi - lo))), 2)


def ci_bar(
    mean: float | None,
    low: float | None,
    high: float | None,
    benchmark: float | None,
    instrument: Instrument,
) -> CiBar | None:
    if mean is None or low is None or high is None:
        return None
    start, end = position(low, instrument), position(high, instrument)
    return CiBar(
        mean=position(mean, instrument),
        low=start,
        width=round(end - start, 2),
        benchmark=None if benchmark is None else position(benchmark, instrument),
    )


def scale_ticks(instrument: Instrument) -> list[tuple[int, float]]:
    """Each whole scale value and its offset, for the axis under the charts."""
    return [
        (v, position(v, instrument)) for v in range(instrument.scale.min, instrument.scale.max + 1)
    ]
