"""Staff and pupils: the staff survey's view of each dimension beside the pupils', for the
trust and for each of its schools."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict

from learnsurvey.analysis.figures.trust import StaffGap, TrustStaff
from learnsurvey.instruments import Instrument

from .. import format as fmt
from ..charts import Chart, Table
from .charts import dumbbell_chart

__all__ = ["GAP_HEADINGS", "StaffSection", "staff_section"]

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
NUMERIC = [False, *[True] * 8]
GROUPS = ("Pupils", "Staff")


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


def _gap_rows(gaps: list[StaffGap], labels: dict[str, str]) -> list[list[str]]:
    return [
        [
            labels[g.dimension],
            fmt.count(g.pupil_n),
            fmt.number(g.pupil_mean),
            fmt.count(g.staff_n),
            fmt.number(g.staff_mean),
            fmt.signed(g.gap),
            fmt.ci(g.gap_ci_low, g.gap_ci_high),
            fmt.signed(g.hedges_g),
            fmt.ci(g.g_ci_low, g.g_ci_high),
        ]
        for g in gaps
    ]


def _chart(
    gaps: list[StaffGap], inst: Instrument, labels: dict[str, str], table: Table
) -> Chart | None:
    shown = [g for g in gaps if not g.suppressed]
    if not shown:
        return None
    means = [(g, group, mean) for g in shown for group, mean in zip(GROUPS, _means(g), strict=True)]
    data = [
        {"dimension": labels[g.dimension], "group": group, "mean": round(mean, 3)}
        for g, group, mean in means
    ]
    values = [mean for _, _, mean in means]
    return dumbbell_chart(
        "trust-staff",
        "Pupils' and staff's mean on each dimension across the trust",
        "For each dimension, a circle marks the pupils' mean and a square the staff's mean "
        "across the trust; the line between them is the gap.",
        data,
        dimensions=[labels[d] for d in inst.dimension_ids],
        groups=GROUPS,
        axis_title="Mean score",
        domain=(
            max(float(inst.scale.min), np.floor(min(values) * 5 - 0.5) / 5),
            min(float(inst.scale.max), np.ceil(max(values) * 5 + 0.5) / 5),
        ),
        table=table,
    )


def _means(gap: StaffGap) -> tuple[float, float]:
    return float(gap.pupil_mean or np.nan), float(gap.staff_mean or np.nan)


def staff_section(staff: TrustStaff, inst: Instrument, labels: dict[str, str]) -> StaffSection:
    """Staff against pupils for the trust as a whole and for each of its schools; a school
    whose every staff figure is hidden gets a mention, not a table of dashes."""
    trust_table = Table(
        caption="Staff and pupils across the trust (gap: staff minus pupils)",
        columns=GAP_HEADINGS,
        rows=_gap_rows(staff.trust, labels),
        numeric=NUMERIC,
    )
    tables = [
        Table(
            caption=f"{s.school_name}: staff and pupils",
            columns=GAP_HEADINGS,
            rows=_gap_rows(s.gaps, labels),
            numeric=NUMERIC,
        )
        for s in staff.schools
        if s.staff_answered and not s.all_hidden
    ]
    return StaffSection(
        trust_table=trust_table,
        chart=_chart(staff.trust, inst, labels, trust_table),
        school_tables=tables,
        without_staff=[s.school_name for s in staff.schools if not s.staff_answered],
        hidden_schools=[s.school_name for s in staff.schools if s.staff_answered and s.all_hidden],
        any_hidden=staff.any_hidden,
    )
