"""The leaders' aggregated tables as Arrow tables, taken from the dashboards' payloads.

No figures are computed here: the payloads are the cached, already suppressed results (see
:mod:`learnsurvey.web.dashboards.results`), so a figure hidden on a page is a blank cell in
every download. Columns come from the payload models, so an empty table still has its header.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from pydantic import BaseModel

from learnsurvey.io.export import table_of_records
from learnsurvey.web.dashboards.payloads import (
    CountFigure,
    EffectFigure,
    GlobalTables,
    GroupFigure,
    GroupView,
    HeatCell,
    ItemFigure,
    PerceptionGap,
    SchoolDashboard,
    ScoreFigure,
    SpreadFigure,
    StaffVoice,
    TrustDashboard,
)

__all__ = ["ALL", "global_tables", "school_tables", "staff_tables", "trust_tables"]

ALL = "all"
"""The name that asks for every table, one sheet each (XLSX only)."""


def _columns(model: type[BaseModel], *, drop: tuple[str, ...] = ()) -> list[str]:
    return [name for name in model.model_fields if name not in drop]


def _table(figures: list[Any], model: type[BaseModel]) -> pa.Table:
    columns = _columns(model)
    return table_of_records([f.model_dump() for f in figures], columns)


def school_tables(d: SchoolDashboard, band_ids: list[str]) -> dict[str, pa.Table]:
    """A school's tables; empty (header only) when too few pupils have answered."""
    score_columns = [*_columns(ScoreFigure, drop=("bands", "suppressed"))]
    score_columns += [f"pct_{b}" for b in band_ids] + ["suppressed"]
    scores = []
    for s in d.scores:
        row = s.model_dump(exclude={"bands"})
        row.update({f"pct_{b.band}": b.pct for b in s.bands})
        scores.append(row)
    return {
        "scores": table_of_records(scores, score_columns),
        "key_stage_counts": _table(d.key_stage_counts, CountFigure),
        "gender_counts": _table(d.gender_counts, CountFigure),
        "key_stages": _table(d.key_stages, GroupFigure),
        "key_stage_effects": _table(d.key_stage_effects, EffectFigure),
        "genders": _table(d.genders, GroupFigure),
        "gender_effects": _table(d.gender_effects, EffectFigure),
        "highest_items": _table(d.highest_items, ItemFigure),
        "lowest_items": _table(d.lowest_items, ItemFigure),
        # Only with a staff survey: a wave without one has no staff tables at all.
        **(staff_tables(d.staff) if d.staff is not None else {}),
    }


STAFF_COLUMNS = ["dimension", "name", *_columns(GroupView)]
"""A group's view of a dimension: the dimension, then the group's figures."""


def staff_tables(
    voice: StaffVoice | None, schools: list[tuple[str, str, StaffVoice | None]] | None = None
) -> dict[str, pa.Table]:
    """The staff's voice: each group's view of each dimension (``staff``) and the gaps
    between them (``staff_gaps``); with ``schools`` (URN, name, voice), each school's gaps
    as well (``school_staff_gaps``)."""
    views = [
        {"dimension": d.dimension, "name": d.name, **v.model_dump()}
        for d in (voice.dimensions if voice is not None else [])
        for v in d.groups
    ]
    gaps = [g for d in (voice.dimensions if voice is not None else []) for g in d.gaps]
    tables = {
        "staff": table_of_records(views, STAFF_COLUMNS),
        "staff_gaps": _table(gaps, PerceptionGap),
    }
    if schools is not None:
        rows = [
            {"urn": urn, "school_name": name, **g.model_dump()}
            for urn, name, v in schools
            if v is not None
            for d in v.dimensions
            for g in d.gaps
        ]
        columns = ["urn", "school_name", *_columns(PerceptionGap)]
        tables["school_staff_gaps"] = table_of_records(rows, columns)
    return tables


def trust_tables(
    d: TrustDashboard, schools: list[SchoolDashboard] | None = None
) -> dict[str, pa.Table]:
    """The trust's schools × dimensions (shrunken means), the spread of its schools, and the
    staff's voice of the trust as a whole and of each of ``schools``."""
    cell_columns = _columns(HeatCell, drop=("band_index",))
    columns = ["urn", "school_name", "n_responses", *cell_columns]
    rows = [
        {
            "urn": school.urn,
            "school_name": school.school_name,
            "n_responses": school.n_responses,
            **cell.model_dump(exclude={"band_index"}),
        }
        for school in d.schools
        for cell in school.cells
    ]
    return {
        "schools": table_of_records(rows, columns),
        "spread": _table(d.spread, SpreadFigure),
        **(
            staff_tables(d.staff_voice, [(s.urn, s.school_name, s.staff) for s in schools or []])
            if d.staff_voice is not None
            else {}
        ),
    }


def global_tables(d: GlobalTables) -> dict[str, pa.Table]:
    """The wave's Phase One tables, schools named only where they opted in."""
    return {t.name: table_of_records(t.rows, t.columns) for t in d.tables}
