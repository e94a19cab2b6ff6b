"""Figures over time: a school's, a trust's and the whole database's scores across waves of
one instrument, the change between waves and the trend over three or more.

The contract: :class:`OverTimeFigures`, built once for a series of waves by
:func:`build_over_time_figures` from a :class:`~learnsurvey.analysis.timeline.Timeline`.
Every figure has been through :mod:`learnsurvey.stats.disclosure` (per wave, and for each
difference: a change involving a hidden wave is hidden). Ids only, no display names.
Django-free.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..timeline import Season, Timeline
from ._base import Figures, Number

__all__ = [
    "ChangeVerdict",
    "ClearCount",
    "Comparability",
    "GlobalOverTime",
    "KeyStageDecline",
    "OverTimeFigures",
    "SchoolChanges",
    "SchoolOverTime",
    "ScoreSeries",
    "Trend",
    "TrendVerdict",
    "TrustOverTime",
    "WaveChange",
    "WaveInfo",
    "WavePoint",
    "build_over_time_figures",
]

ScoreKind = Literal["dimension", "notion", "overall"]
ChangeVerdict = Literal["clear_up", "clear_down", "within_detectable", "unknown"]
"""``clear_*``: the 95% CI of the difference excludes zero; ``within_detectable``: it does
not (the page says the change is within what the school can detect); ``unknown``: hidden or
not computable."""
TrendVerdict = Literal["clear_up", "clear_down", "no_clear_trend", "unknown"]


class WaveInfo(Figures):
    """One wave of the series."""

    wave: str
    season: Season | None
    opens: str | None
    """ISO date the wave opened, when known."""
    instrument_version: str


class Comparability(Figures):
    """What the waves of the series share when their instrument versions differ."""

    versions: list[str]
    """The instrument versions of the series, oldest first, without repeats."""
    same_version: bool
    dimensions: list[str]
    """Dimension ids compared (shared by every wave)."""
    dropped_dimensions: list[str]
    """Dimension ids some wave lacks: not compared."""
    items: list[str]
    dropped_items: list[str]


class WavePoint(Figures):
    """One score in one wave (a point of the line chart with its CI band)."""

    wave: str
    n: int | None
    mean: Number
    se: Number
    ci_low: Number
    ci_high: Number
    suppressed: bool


class ScoreSeries(Figures):
    kind: ScoreKind
    score: str
    points: list[WavePoint]
    """One per wave of the series, oldest first (a wave the group missed has n None,
    suppressed False)."""


class WaveChange(Figures):
    """The change in one score between two waves: independent samples, so Welch."""

    kind: ScoreKind
    score: str
    from_wave: str
    to_wave: str
    n_from: int | None
    mean_from: Number
    n_to: int | None
    mean_to: Number
    difference: Number
    """to − from."""
    ci_low: Number
    ci_high: Number
    hedges_g: Number
    g_ci_low: Number
    g_ci_high: Number
    mdc: Number
    """The minimal detectable change: the smallest difference these two samples' standard
    errors could show (two-sided 5%, 80% power)."""
    verdict: ChangeVerdict
    seasons_differ: bool
    """The two waves are of different seasons (show a caution)."""
    suppressed: bool


class Trend(Figures):
    """A weighted linear trend over three or more waves (fixed-effect meta-regression of
    the wave means on the wave's position, weights 1/SE²)."""

    kind: ScoreKind
    score: str
    n_waves: int
    """Waves with a shown mean that entered the fit."""
    slope: Number
    """Change per wave."""
    ci_low: Number
    ci_high: Number
    verdict: TrendVerdict
    suppressed: bool


class SchoolOverTime(Figures):
    """One school over the waves of the series."""

    school: str
    waves: list[str]
    """The waves the school responded in, oldest first."""
    series: list[ScoreSeries] = Field(default_factory=list)
    """Dimensions in the instrument's order, then notions, then overall."""
    changes: list[WaveChange] = Field(default_factory=list)
    """Every consecutive pair of the school's waves, oldest first."""
    trends: list[Trend] = Field(default_factory=list)
    """Empty when the school has fewer than three shown waves."""


class SchoolChanges(Figures):
    """One school's latest change, for a trust's side-by-side view."""

    school: str
    from_wave: str | None
    to_wave: str | None
    changes: list[WaveChange]


class ClearCount(Figures):
    """How many of a group's schools changed clearly on one score between two waves."""

    kind: ScoreKind
    score: str
    from_wave: str
    to_wave: str
    n_schools: int
    """Schools with the change shown."""
    n_up: int
    n_down: int
    n_within: int


class TrustOverTime(Figures):
    trust: str
    series: list[ScoreSeries] = Field(default_factory=list)
    """The trust's own scores (its pupils together), where rule 7 lets them stand."""
    changes: list[WaveChange] = Field(default_factory=list)
    trends: list[Trend] = Field(default_factory=list)
    schools: list[SchoolChanges] = Field(default_factory=list)
    """Each of the trust's schools in the latest wave, in name order."""
    clear_counts: list[ClearCount] = Field(default_factory=list)


class KeyStageDecline(Figures):
    """The primary → secondary difference (Hedges' g, secondary − primary) in one wave."""

    wave: str
    dimension: str
    n_primary: int | None
    n_secondary: int | None
    hedges_g: Number
    ci_low: Number
    ci_high: Number
    suppressed: bool


class GlobalOverTime(Figures):
    series: list[ScoreSeries] = Field(default_factory=list)
    changes: list[WaveChange] = Field(default_factory=list)
    trends: list[Trend] = Field(default_factory=list)
    key_stage_decline: list[KeyStageDecline] = Field(default_factory=list)
    """Per wave and dimension, oldest wave first."""


class OverTimeFigures(Figures):
    """Everything the "Over time" views show for one series of waves."""

    instrument: str
    threshold: int
    waves: list[WaveInfo]
    """Oldest first."""
    comparability: Comparability
    season_caution: bool
    """Some compared waves are of different seasons (school-climate ratings shift with the
    season)."""
    schools: dict[str, SchoolOverTime]
    """By school key; only schools with at least one shown wave."""
    trusts: dict[str, TrustOverTime]
    global_: GlobalOverTime


def build_over_time_figures(timeline: Timeline) -> OverTimeFigures:
    """The figures over time of ``timeline``'s waves."""
    raise NotImplementedError("built by the over-time work (issue 10)")
