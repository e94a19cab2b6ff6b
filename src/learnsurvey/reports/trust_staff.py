"""The trust report's staff section: staff against pupils for the trust and each school."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from learnsurvey.analysis.groups import by_school_attribute
from learnsurvey.analysis.staff import GAP_COLUMNS, staff_pupil_gaps
from learnsurvey.stats.disclosure import suppress_pairs

from . import format as fmt
from .charts import Chart, Table
from .inputs import ReportInputs
from .trust_charts import dumbbell_chart

__all__ = ["GAP_HEADINGS", "StaffSection", "staff_section"]


class StaffSection(BaseModel):
    model_config = ConfigDict(frozen=True)

    trust_table: Table
    chart: Chart | None
    school_tables: list[Table]
    without_staff: list[str]
    """Names of the trust's schools where no staff answered."""
    hidden_schools: list[str]
    """Names of the schools where staff answered but every staff figure is hidden."""
    any_hidden: bool


def _gap_rows(gaps: pd.DataFrame, labels: dict[str, str]) -> list[list[str]]:
    return [
        [
            labels[r["dimension"]],
            fmt.count(r["pupil_n"]),
            fmt.number(r["pupil_mean"]),
            fmt.count(r["staff_n"]),
            fmt.number(r["staff_mean"]),
            fmt.signed(r["gap"]),
            fmt.ci(r["gap_ci_low"], r["gap_ci_high"]),
            fmt.signed(r["hedges_g"]),
            fmt.ci(r["g_ci_low"], r["g_ci_high"]),
        ]
        for r in gaps.to_dict("records")
    ]


GAP_HEADINGS = [
    "Dimension",
    "Pupils",
    "Pupil mean",
    "Staff",
    "Staff mean",
    "Gap",
    "95% CI of gap",
    "Hedges' g",
    "95% CI of g",
]


def staff_section(
    inputs: ReportInputs,
    trust: str,
    keys: list[str],
    names: dict[str, str],
    labels: dict[str, str],
    trust_of: dict[str, str | None],
    *,
    publishable: bool,
    hidden: set[tuple[object, ...]],
) -> StaffSection:
    """Staff against pupils for the trust as a whole and for each of its schools.

    ``hidden`` holds the (school, dimension) pairs the trust's schools table hides (by the
    wave-wide or the trust-wide rule): their pupil figures stay hidden here too, or this
    section would show a count the other one protects."""
    if inputs.staff is None:
        raise ValueError("no staff survey in the inputs")
    pupils, staff = inputs.current.stats, inputs.staff.stats
    whole = staff_pupil_gaps(
        by_school_attribute(pupils, "trust", trust_of),
        by_school_attribute(staff, "trust", trust_of),
        threshold=inputs.threshold,
        by="trust",
        only=[trust],
    )
    if not publishable:  # the trust's own pupils are too few: nothing about them is shown
        whole[GAP_COLUMNS] = np.nan
        whole["suppressed"] = True
    numeric = [False, *[True] * 8]
    trust_table = Table(
        caption="Staff and pupils across the trust (gap: staff minus pupils)",
        columns=GAP_HEADINGS,
        rows=_gap_rows(whole, labels),
        numeric=numeric,
    )
    shown = whole[~whole["suppressed"]]
    chart = None
    if len(shown):
        groups = ("Pupils", "Staff")
        data = [
            {"dimension": labels[r["dimension"]], "group": g, "mean": round(float(r[col]), 3)}
            for r in shown.to_dict("records")
            for g, col in zip(groups, ("pupil_mean", "staff_mean"), strict=True)
        ]
        values = [
            float(r[c]) for r in shown.to_dict("records") for c in ("pupil_mean", "staff_mean")
        ]
        chart = dumbbell_chart(
            "trust-staff",
            "Pupils' and staff's mean on each dimension across the trust",
            "For each dimension, a circle marks the pupils' mean and a square the staff's "
            "mean across the trust; the line between them is the gap.",
            data,
            dimensions=[labels[d] for d in inputs.instrument.dimension_ids],
            groups=groups,
            axis_title="Mean score",
            domain=(
                max(float(inputs.instrument.scale.min), np.floor(min(values) * 5 - 0.5) / 5),
                min(float(inputs.instrument.scale.max), np.ceil(max(values) * 5 + 0.5) / 5),
            ),
            table=trust_table,
        )
    schools = staff_pupil_gaps(pupils, staff, threshold=inputs.threshold, by="school", only=keys)
    ident = ["school", "dimension"]
    hidden |= set(schools.loc[schools["suppressed"], ident].itertuples(index=False, name=None))
    schools = suppress_pairs(schools, hidden, group_a=ident, group_b=ident, keep=["staff_answered"])
    answered = schools.groupby("school")["staff_answered"].any()
    all_hidden = schools.groupby("school")["suppressed"].all()
    order = sorted(keys, key=lambda s: names[s])
    # A school whose every staff figure is hidden gets a mention, not a table of dashes.
    tables = [
        Table(
            caption=f"{names[s]}: staff and pupils",
            columns=GAP_HEADINGS,
            rows=_gap_rows(schools[schools["school"] == s], labels),
            numeric=numeric,
        )
        for s in order
        if bool(answered.get(s, False)) and not bool(all_hidden.get(s, True))
    ]
    return StaffSection(
        trust_table=trust_table,
        chart=chart,
        school_tables=tables,
        without_staff=[names[s] for s in order if not bool(answered.get(s, False))],
        hidden_schools=[
            names[s]
            for s in order
            if bool(answered.get(s, False)) and bool(all_hidden.get(s, True))
        ],
        any_hidden=bool(schools["suppressed"].any() or whole["suppressed"].any()),
    )
