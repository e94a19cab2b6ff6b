"""Figures over time: a school's, a trust's and the whole database's scores across waves of
one instrument, the change between waves and the trend over three or more.

The contract: :class:`OverTimeFigures`, built once for a series of waves by
:func:`build_over_time_figures` from a :class:`~learnsurvey.analysis.timeline.Timeline`.
Every figure has been through :mod:`learnsurvey.stats.disclosure` (per wave, and for each
difference: a change involving a hidden wave is hidden). Ids only, no display names.
Django-free.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Literal

import pandas as pd
from pydantic import Field

from ..over_time import GLOBAL, OverTimeTables, clear_counts, over_time_tables
from ..timeline import Season, Timeline, TimelineWave
from ._base import Figures, Number
from ._cells import as_count, as_number
from .improvement import ImpactFigure

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
    notions: list[str] = Field(default_factory=list)
    """Notion ids compared: every one of their dimensions is compared (added by H1)."""
    dropped_notions: list[str] = Field(default_factory=list)
    overall: bool = True
    """Whether the overall score is compared: only when every wave has the same items
    (added by H1)."""


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
    impacts: list[ImpactFigure] = Field(default_factory=list)
    """Each consecutive pair of waves, oldest first: every score's change against the change
    of the school's similar schools over the same waves (:mod:`learnsurvey.analysis.impact`)."""


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
    """The figures over time of ``timeline``'s waves (oldest first), every one through
    :mod:`learnsurvey.stats.disclosure` (see :mod:`learnsurvey.analysis.over_time`, which
    computes the tables).

    Raises
    ------
    ValueError
        If the timeline has no wave, or its waves are of different instruments.
    """
    tables = over_time_tables(timeline)
    comp = tables.comparable
    waves = [w.wave for w in timeline.waves]
    return OverTimeFigures(
        instrument=timeline.waves[0].statistics.instrument.id,
        threshold=timeline.threshold,
        waves=[_wave_info(w) for w in timeline.waves],
        comparability=Comparability(
            versions=comp.versions,
            same_version=comp.same_version,
            dimensions=comp.dimensions,
            dropped_dimensions=comp.dropped_dimensions,
            items=comp.items,
            dropped_items=comp.dropped_items,
            notions=comp.notions,
            dropped_notions=comp.dropped_notions,
            overall=comp.overall,
        ),
        season_caution=len({w.season for w in timeline.waves if w.season is not None}) > 1,
        schools=_schools(tables, waves),
        trusts={t: _trust(tables, t, waves) for t in tables.trust_members},
        global_=GlobalOverTime(
            series=_series(_rows(tables.whole).get(GLOBAL, []), comp.scores, waves),
            changes=[_change(r) for r in _rows(tables.whole_changes).get(GLOBAL, [])],
            trends=[_trend(r) for r in _rows(tables.whole_trends).get(GLOBAL, [])],
            key_stage_decline=[_decline(r) for r in tables.key_stage_decline.to_dict("records")],
        ),
    )


Row = dict[Hashable, Any]


def _rows(table: pd.DataFrame) -> dict[str, list[Row]]:
    """A table's records by its ``group``, in the table's order."""
    out: dict[str, list[Row]] = {}
    for row in table.to_dict("records"):
        out.setdefault(str(row["group"]), []).append(row)
    return out


def _wave_info(wave: TimelineWave) -> WaveInfo:
    return WaveInfo(
        wave=wave.wave,
        season=wave.season,
        opens=wave.opens.isoformat() if wave.opens is not None else None,
        instrument_version=wave.statistics.instrument.version,
    )


def _kind(value: object) -> ScoreKind:
    kind = str(value)
    if kind not in ("dimension", "notion", "overall"):
        raise ValueError(f"unknown score kind {kind!r}")
    return kind  # type: ignore[return-value]


def _series(rows: list[Row], scores: list[tuple[str, str]], waves: list[str]) -> list[ScoreSeries]:
    """One series per score, one point per wave of the timeline (a wave the group did not
    answer in: n None, not suppressed)."""
    by = {(str(r["kind"]), str(r["score"]), str(r["wave"])): r for r in rows}
    return [
        ScoreSeries(
            kind=_kind(kind),
            score=score,
            points=[_point(wave, by.get((kind, score, wave))) for wave in waves],
        )
        for kind, score in scores
    ]


def _point(wave: str, row: Row | None) -> WavePoint:
    if row is None:
        return WavePoint(
            wave=wave, n=None, mean=None, se=None, ci_low=None, ci_high=None, suppressed=False
        )
    return WavePoint(
        wave=wave,
        n=as_count(row["n"]),
        mean=as_number(row["mean"]),
        se=as_number(row["se"]),
        ci_low=as_number(row["ci_low"]),
        ci_high=as_number(row["ci_high"]),
        suppressed=bool(row["suppressed"]),
    )


def _change(row: Row) -> WaveChange:
    return WaveChange(
        kind=_kind(row["kind"]),
        score=str(row["score"]),
        from_wave=str(row["from_wave"]),
        to_wave=str(row["to_wave"]),
        n_from=as_count(row["n_from"]),
        mean_from=as_number(row["mean_from"]),
        n_to=as_count(row["n_to"]),
        mean_to=as_number(row["mean_to"]),
        difference=as_number(row["difference"]),
        ci_low=as_number(row["ci_low"]),
        ci_high=as_number(row["ci_high"]),
        hedges_g=as_number(row["hedges_g"]),
        g_ci_low=as_number(row["g_ci_low"]),
        g_ci_high=as_number(row["g_ci_high"]),
        mdc=as_number(row["mdc"]),
        verdict=row["verdict"],
        seasons_differ=bool(row["seasons_differ"]),
        suppressed=bool(row["suppressed"]),
    )


def _trend(row: Row) -> Trend:
    return Trend(
        kind=_kind(row["kind"]),
        score=str(row["score"]),
        n_waves=int(row["n_waves"]),
        slope=as_number(row["slope"]),
        ci_low=as_number(row["ci_low"]),
        ci_high=as_number(row["ci_high"]),
        verdict=row["verdict"],
        suppressed=bool(row["suppressed"]),
    )


def _decline(row: Row) -> KeyStageDecline:
    return KeyStageDecline(
        wave=str(row["wave"]),
        dimension=str(row["dimension"]),
        n_primary=as_count(row["n_primary"]),
        n_secondary=as_count(row["n_secondary"]),
        hedges_g=as_number(row["hedges_g"]),
        ci_low=as_number(row["ci_low"]),
        ci_high=as_number(row["ci_high"]),
        suppressed=bool(row["suppressed"]),
    )


def _schools(tables: OverTimeTables, waves: list[str]) -> dict[str, SchoolOverTime]:
    """Every school with at least one shown wave, by key."""
    points = _rows(tables.schools)
    changes = _rows(tables.school_changes)
    trends = _rows(tables.school_trends)
    impacts = _rows(tables.school_impacts) if len(tables.school_impacts) else {}
    scores = tables.comparable.scores
    out = {}
    for school in sorted(points):
        rows = points[school]
        if all(bool(r["suppressed"]) for r in rows):
            continue
        answered = {str(r["wave"]) for r in rows}
        out[school] = SchoolOverTime(
            school=school,
            waves=[w for w in waves if w in answered],
            series=_series(rows, scores, waves),
            changes=_by_pair([_change(r) for r in changes.get(school, [])], waves),
            trends=[_trend(r) for r in trends.get(school, [])],
            impacts=[_impact(r) for r in impacts.get(school, [])],
        )
    return out


def _impact(row: Row) -> ImpactFigure:
    similar = row["n_similar_schools"]
    return ImpactFigure(
        kind=_kind(row["kind"]),
        score=str(row["score"]),
        from_wave=str(row["from_wave"]),
        to_wave=str(row["to_wave"]),
        change=as_number(row["change"]),
        change_ci_low=as_number(row["change_ci_low"]),
        change_ci_high=as_number(row["change_ci_high"]),
        mdc=as_number(row["mdc"]),
        similar_change=as_number(row["similar_change"]),
        similar_ci_low=as_number(row["similar_ci_low"]),
        similar_ci_high=as_number(row["similar_ci_high"]),
        n_similar_schools=as_count(similar),
        did=as_number(row["did"]),
        did_ci_low=as_number(row["did_ci_low"]),
        did_ci_high=as_number(row["did_ci_high"]),
        verdict=row["verdict"],
        suppressed=bool(row["suppressed"]),
    )


def _by_pair(changes: list[WaveChange], waves: list[str]) -> list[WaveChange]:
    """Oldest pair of waves first, the scores in order within a pair."""
    position = {w: k for k, w in enumerate(waves)}
    return sorted(changes, key=lambda c: position[c.to_wave])


def _trust(tables: OverTimeTables, trust: str, waves: list[str]) -> TrustOverTime:
    latest = _rows(tables.trust_schools.get(trust, pd.DataFrame(columns=["group"])))
    counts = clear_counts(tables.trust_schools.get(trust, pd.DataFrame(columns=["verdict"])))
    schools = []
    for school in tables.trust_members[trust]:
        changes = [_change(r) for r in latest.get(school, [])]
        schools.append(
            SchoolChanges(
                school=school,
                from_wave=changes[0].from_wave if changes else None,
                to_wave=changes[0].to_wave if changes else None,
                changes=changes,
            )
        )
    return TrustOverTime(
        trust=trust,
        series=_series(_rows(tables.trusts).get(trust, []), tables.comparable.scores, waves),
        changes=_by_pair([_change(r) for r in _rows(tables.trust_changes).get(trust, [])], waves),
        trends=[_trend(r) for r in _rows(tables.trust_trends).get(trust, [])],
        schools=schools,
        clear_counts=[
            ClearCount(
                kind=_kind(r["kind"]),
                score=str(r["score"]),
                from_wave=str(r["from_wave"]),
                to_wave=str(r["to_wave"]),
                n_schools=int(r["n_schools"]),
                n_up=int(r["n_up"]),
                n_down=int(r["n_down"]),
                n_within=int(r["n_within"]),
            )
            for r in counts.to_dict("records")
        ],
    )
