"""Geometry of the server-drawn line charts of the "Over time" pages: one score's mean in
each wave with its 95% confidence band, as the coordinates of a small inline SVG.

Pure presentation: the figures come from the stored, cleared figures over time; a hidden
wave (or one the group missed) is a gap in the line and the band. The charts of one page
share their vertical range, so they can be read side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from learnsurvey.analysis.figures.over_time import ScoreSeries, WaveInfo, WavePoint
from learnsurvey.instruments import Instrument

from .svg_frame import Frame, frame, scale_range, y_scale

__all__ = ["LineChart", "Plotted", "line_chart", "value_range", "wave_labels"]

INSET = 34
"""How far the first and last waves sit inside the plot (room for their labels)."""


@dataclass(frozen=True)
class Plotted:
    """One shown wave: where its mean sits and its interval spans."""

    x: float
    y: float
    y_low: float
    y_high: float
    point: WavePoint


@dataclass(frozen=True)
class LineChart:
    frame: Frame
    bands: list[str]
    """SVG ``points`` of one polygon per run of consecutive shown waves (the CI band)."""
    lines: list[str]
    """SVG ``points`` of one polyline per run (the means)."""
    points: list[Plotted]
    x_labels: list[tuple[float, str]]


def _shown(p: WavePoint) -> bool:
    return (
        not p.suppressed and p.mean is not None and p.ci_low is not None and p.ci_high is not None
    )


def value_range(series: Sequence[ScoreSeries], instrument: Instrument) -> tuple[float, float]:
    """The vertical range shared by a page's charts: every shown interval, rounded out and
    kept within the instrument's scale (:func:`.svg_frame.scale_range`)."""
    values = [
        v
        for s in series
        for p in s.points
        if _shown(p)
        for v in (p.ci_low, p.ci_high)
        if v is not None
    ]
    return scale_range(values, instrument)


def wave_labels(waves: Sequence[WaveInfo], season_names: dict[str, str]) -> dict[str, str]:
    """A short label for each wave under the chart: its season's name and year ("Summer
    2023") where both are known, else its name."""
    labels = {}
    for w in waves:
        year = w.opens[:4] if w.opens else ""
        season = season_names.get(w.season or "", "")
        labels[w.wave] = f"{season} {year}" if season and year else w.wave
    return labels


def _runs(plotted: list[Plotted | None]) -> list[list[Plotted]]:
    runs: list[list[Plotted]] = [[]]
    for p in plotted:
        if p is None:
            runs.append([])
        else:
            runs[-1].append(p)
    return [r for r in runs if r]


def _fmt(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def line_chart(
    series: ScoreSeries, labels: dict[str, str], value_range: tuple[float, float]
) -> LineChart:
    """The chart of one score over the waves (every wave of the series on the axis)."""
    box = frame(value_range)
    y_at = y_scale(value_range)
    n = len(series.points)

    def x_at(k: int) -> float:
        first, last = box.left + INSET, box.right - INSET
        return (first + last) / 2 if n == 1 else first + k * (last - first) / (n - 1)

    plotted: list[Plotted | None] = []
    for k, p in enumerate(series.points):
        if not _shown(p) or p.mean is None or p.ci_low is None or p.ci_high is None:
            plotted.append(None)
            continue
        plotted.append(Plotted(x_at(k), y_at(p.mean), y_at(p.ci_low), y_at(p.ci_high), p))
    runs = _runs(plotted)
    bands = [
        _fmt([(p.x, p.y_high) for p in run] + [(p.x, p.y_low) for p in reversed(run)])
        for run in runs
        if len(run) > 1
    ]
    return LineChart(
        frame=box,
        bands=bands,
        lines=[_fmt([(p.x, p.y) for p in run]) for run in runs if len(run) > 1],
        points=[p for p in plotted if p is not None],
        x_labels=[(x_at(k), labels.get(p.wave, p.wave)) for k, p in enumerate(series.points)],
    )
