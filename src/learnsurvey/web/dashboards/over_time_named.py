"""The stored figures over time as the "Over time" views' models: display names added.

Nothing is computed here: each builder takes the series' stored figures (the contract of
:mod:`learnsurvey.analysis.figures.over_time`, already cleared by disclosure) and adds the
names of the scores, in the active language where the instrument has a translation. A
dimension only an earlier version of the instrument had is named by its id.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from learnsurvey.analysis.figures import over_time as contract

from .named import Names
from .over_time_payloads import (
    ClearCountFigure,
    ComparabilityFigure,
    DeclineFigure,
    GlobalOverTimeDashboard,
    GlobalOverTimeFigure,
    OverTimeInfo,
    SchoolChangesFigure,
    SchoolOverTimeDashboard,
    SchoolOverTimeFigure,
    SeriesFigure,
    TrendFigure,
    TrustOverTimeDashboard,
    TrustOverTimeFigure,
    WaveChangeFigure,
)

if TYPE_CHECKING:
    from learnsurvey.web.schools.models import School, Trust
    from learnsurvey.web.waves.models import Wave

__all__ = ["build_global_over_time", "build_school_over_time", "build_trust_over_time"]

Stored = tuple[contract.OverTimeFigures, datetime] | None
"""The stored figures over time and when they were computed (None: none stored)."""


def _info(figures: contract.OverTimeFigures, names: Names) -> OverTimeInfo:
    comp = figures.comparability
    return OverTimeInfo(
        instrument=figures.instrument,
        threshold=figures.threshold,
        waves=figures.waves,
        comparability=ComparabilityFigure(
            **comp.model_dump(),
            dropped_dimension_names=[names.dimension_or_id(d) for d in comp.dropped_dimensions],
            dropped_notion_names=[names.score_or_id("notion", n) for n in comp.dropped_notions],
        ),
        season_caution=figures.season_caution,
    )


def _series(s: contract.ScoreSeries, names: Names) -> SeriesFigure:
    return SeriesFigure(**s.model_dump(), name=names.score_or_id(s.kind, s.score))


def _change(c: contract.WaveChange, names: Names) -> WaveChangeFigure:
    return WaveChangeFigure(**c.model_dump(), name=names.score_or_id(c.kind, c.score))


def _trend(t: contract.Trend, names: Names) -> TrendFigure:
    return TrendFigure(**t.model_dump(), name=names.score_or_id(t.kind, t.score))


def _lines(
    part: contract.SchoolOverTime | contract.TrustOverTime | contract.GlobalOverTime,
    names: Names,
) -> dict[str, Any]:
    """The named series, changes and trends of one part."""
    return {
        "series": [_series(s, names) for s in part.series],
        "changes": [_change(c, names) for c in part.changes],
        "trends": [_trend(t, names) for t in part.trends],
    }


def _base(wave: Wave, stored: Stored, names: Names) -> dict[str, Any]:
    return {
        "wave_id": wave.pk,
        "wave_name": wave.name,
        "computed": stored[1] if stored is not None else None,
        "available": stored is not None,
        "info": _info(stored[0], names) if stored is not None else None,
    }


def build_school_over_time(wave: Wave, school: School, stored: Stored) -> SchoolOverTimeDashboard:
    """A school's figures over the series ending at ``wave``."""
    names = Names(wave.instrument())
    part = stored[0].schools.get(school.urn) if stored is not None else None
    named = None
    if part is not None:
        named = SchoolOverTimeFigure(school=part.school, waves=part.waves, **_lines(part, names))
    return SchoolOverTimeDashboard(
        **_base(wave, stored, names), urn=school.urn, school_name=school.name, school=named
    )


def build_trust_over_time(
    wave: Wave, trust: Trust, stored: Stored, school_names: dict[str, str]
) -> TrustOverTimeDashboard:
    """A trust's own figures over the series, each school's latest change beside them and
    how many schools changed clearly (``school_names`` by URN)."""
    names = Names(wave.instrument())
    part = stored[0].trusts.get(trust.name) if stored is not None else None
    named = None
    if part is not None:
        named = TrustOverTimeFigure(
            trust=part.trust,
            **_lines(part, names),
            schools=[
                SchoolChangesFigure(
                    **s.model_dump(exclude={"changes"}),
                    school_name=school_names.get(s.school, s.school),
                    changes=[_change(c, names) for c in s.changes],
                )
                for s in part.schools
            ],
            clear_counts=[
                ClearCountFigure(**c.model_dump(), name=names.score_or_id(c.kind, c.score))
                for c in part.clear_counts
            ],
        )
    return TrustOverTimeDashboard(
        **_base(wave, stored, names), trust_id=trust.pk, trust_name=trust.name, trust=named
    )


def build_global_over_time(wave: Wave, stored: Stored) -> GlobalOverTimeDashboard:
    """Every school together over the series: each score wave to wave and the key-stage
    decline in each wave."""
    names = Names(wave.instrument())
    named = None
    if stored is not None:
        part = stored[0].global_
        named = GlobalOverTimeFigure(
            **_lines(part, names),
            key_stage_decline=[
                DeclineFigure(**d.model_dump(), name=names.dimension_or_id(d.dimension))
                for d in part.key_stage_decline
            ],
        )
    return GlobalOverTimeDashboard(**_base(wave, stored, names), global_=named)
