"""The figures over time as Arrow tables (one score per wave, the changes, the trends), taken
from the "Over time" payloads.

No figures are computed here: the payloads are the stored, already suppressed figures over
time, so a figure hidden on a page is a blank cell in every download. Columns come from the
payload models, so an empty table still has its header.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
from pydantic import BaseModel

from learnsurvey.analysis.figures.over_time import WavePoint
from learnsurvey.io.export import table_of_records
from learnsurvey.web.dashboards.over_time_payloads import (
    ClearCountFigure,
    DeclineFigure,
    GlobalOverTimeDashboard,
    SchoolOverTimeDashboard,
    SeriesFigure,
    TrendFigure,
    TrustOverTimeDashboard,
    WaveChangeFigure,
)

__all__ = ["global_over_time_tables", "school_over_time_tables", "trust_over_time_tables"]

SCORE_COLUMNS = ["kind", "score", "name", *WavePoint.model_fields]


def _columns(model: type[BaseModel], *, drop: tuple[str, ...] = ()) -> list[str]:
    return [name for name in model.model_fields if name not in drop]


def _table(figures: Sequence[BaseModel], model: type[BaseModel]) -> pa.Table:
    return table_of_records([f.model_dump() for f in figures], _columns(model))


def _scores(series: Sequence[SeriesFigure]) -> pa.Table:
    """One row per score and wave: n, mean, its standard error and 95% CI."""
    rows = [
        {"kind": s.kind, "score": s.score, "name": s.name, **p.model_dump()}
        for s in series
        for p in s.points
    ]
    return table_of_records(rows, SCORE_COLUMNS)


def _lines(
    series: Sequence[SeriesFigure],
    changes: Sequence[WaveChangeFigure],
    trends: Sequence[TrendFigure],
) -> dict[str, pa.Table]:
    return {
        "scores": _scores(series),
        "changes": _table(changes, WaveChangeFigure),
        "trends": _table(trends, TrendFigure),
    }


def school_over_time_tables(d: SchoolOverTimeDashboard) -> dict[str, pa.Table]:
    """A school's scores wave by wave, its changes and its trends."""
    part = d.school
    if part is None:
        return _lines([], [], [])
    return _lines(part.series, part.changes, part.trends)


def trust_over_time_tables(d: TrustOverTimeDashboard) -> dict[str, pa.Table]:
    """The trust's own scores, changes and trends, each school's latest change and how many
    schools changed clearly."""
    part = d.trust
    change_columns = _columns(WaveChangeFigure)
    # The change's own waves are the school's (its latest pair).
    school_columns = ["school", "school_name", *change_columns]
    if part is None:
        return {
            **_lines([], [], []),
            "schools": table_of_records([], school_columns),
            "clear_counts": _table([], ClearCountFigure),
        }
    schools = [
        {"school": s.school, "school_name": s.school_name, **c.model_dump()}
        for s in part.schools
        for c in s.changes
    ]
    return {
        **_lines(part.series, part.changes, part.trends),
        "schools": table_of_records(schools, school_columns),
        "clear_counts": _table(part.clear_counts, ClearCountFigure),
    }


def global_over_time_tables(d: GlobalOverTimeDashboard) -> dict[str, pa.Table]:
    """Every school together wave by wave, and the key-stage decline in each wave."""
    part = d.global_
    if part is None:
        return {**_lines([], [], []), "key_stage_decline": _table([], DeclineFigure)}
    return {
        **_lines(part.series, part.changes, part.trends),
        "key_stage_decline": _table(part.key_stage_decline, DeclineFigure),
    }
