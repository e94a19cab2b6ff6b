"""The wave-level tables behind every school's figures, computed once per wave and cut
into one slice per school. Each table has been through :mod:`learnsurvey.stats.disclosure`
(inside the functions that make it) before it is cut."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from learnsurvey.analysis.benchmarks import (
    all_schools_benchmark,
    similar_benchmarks,
    wave_change,
)
from learnsurvey.analysis.dashboard import (
    item_extremes,
    response_counts,
    school_breakdowns,
    school_scores,
    to_records,
)
from learnsurvey.analysis.families import school_families
from learnsurvey.analysis.groups import school_table
from learnsurvey.analysis.inputs import ReportInputs
from learnsurvey.stats.disclosure import suppress

__all__ = ["SchoolTables", "school_tables"]

Row = dict[str, Any]


@dataclass(frozen=True)
class SchoolTables:
    """Per table, each school's rows (JSON-ready records, the school column dropped)."""

    totals: list[Row]
    """One row per school with responses: ``school``, ``n``, ``suppressed``."""
    similar: dict[str, Row]
    """Each school's similar-schools group: its family
    (:func:`~learnsurvey.analysis.families.school_families`: ``group``, ``method``,
    ``phase``, ``fsm_quartile``, ``n_family``)."""
    parts: dict[str, dict[str, list[Row]]] = field(default_factory=dict)

    def rows(self, part: str, school: str) -> list[Row]:
        return self.parts.get(part, {}).get(school, [])


def _by_school(table: pd.DataFrame) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for row in to_records(table):
        out.setdefault(str(row.pop("school")), []).append(row)
    return out


def _totals(inputs: ReportInputs) -> pd.DataFrame:
    responses = inputs.current.responses
    totals = responses.groupby("school", sort=True)["n"].sum().reset_index()
    return suppress(totals, threshold=inputs.threshold, within=["school"], keep=["school"])


def _score_tables(inputs: ReportInputs, totals: pd.DataFrame) -> dict[str, pd.DataFrame]:
    stats, t = inputs.current.stats, inputs.threshold
    benchmark, scores = school_scores(stats, threshold=t)
    shown = int((~totals["suppressed"].astype(bool)).sum())
    against_all = all_schools_benchmark(scores, benchmark, n_schools=shown, threshold=t)
    in_wave = inputs.schools[inputs.schools["school"].isin(inputs.current.item_schools)]
    families = school_families(in_wave)
    groups = dict(zip(families["school"], families["family"], strict=True))
    out = {
        "scores": scores,
        "all_schools": against_all,
        "similar_groups": families.rename(columns={"family": "group"}),
        "similar": similar_benchmarks(stats, groups, threshold=t),
        # Shrunken means (with their intervals) of the dimensions, cleared: the strengths.
        "shrunken": school_table(stats, threshold=t),
    }
    if inputs.previous is not None:
        out["change"] = wave_change(stats, inputs.previous.stats, threshold=t)
    return out


def _group_tables(inputs: ReportInputs) -> dict[str, pd.DataFrame]:
    data, t = inputs.current, inputs.threshold
    demo = inputs.instrument.demographics
    out: dict[str, pd.DataFrame] = {}
    for grouping, order, plural in (
        ("key_stage", list(demo.key_stages), "key_stages"),
        ("gender", list(demo.genders), "genders"),
    ):
        summary, pairs = school_breakdowns(data.stats, grouping, threshold=t, order=order)
        out[plural] = summary
        out[f"{grouping}_effects"] = pairs
        out[f"{grouping}_counts"] = response_counts(data, grouping, threshold=t, order=order)
    out["items"] = item_extremes(data, threshold=t)
    return out


def school_tables(inputs: ReportInputs) -> SchoolTables:
    """Every table of every school's figures, for the wave of ``inputs``."""
    totals = _totals(inputs)
    tables = _score_tables(inputs, totals) | _group_tables(inputs)
    similar_groups = tables.pop("similar_groups")
    similar = {
        str(r["school"]): r for r in to_records(similar_groups[similar_groups["group"].notna()])
    }
    return SchoolTables(
        totals=to_records(totals),
        similar=similar,
        parts={name: _by_school(table) for name, table in tables.items()},
    )
