"""The contract for learning beside outcomes: school-level correlations of each dimension
with each outcome measure (attainment, progress, attendance, suspensions...), binned means
for the scatter chart, and where each school stands on each measure. Built by
:mod:`learnsurvey.analysis.outcomes`; every figure through :mod:`learnsurvey.stats.disclosure`.
Schools, not pupils; correlation, not cause. Django-free.
"""

from __future__ import annotations

from pydantic import Field

from ._base import Figures, Number

__all__ = [
    "OutcomeBin",
    "OutcomeCorrelation",
    "OutcomeFigures",
    "OutcomeMeasure",
    "SchoolOutcome",
]


class OutcomeMeasure(Figures):
    """A measure as imported: free-form name and unit (other countries' measures fit)."""

    measure: str
    unit: str
    year: str
    """The year whose values are used beside the wave."""
    n_schools: int
    """Schools of the wave shown with a value of the measure."""


class OutcomeCorrelation(Figures):
    """Pearson's r across schools between a score's school means and a measure, with its
    Fisher-z 95% CI (schools, not pupils)."""

    kind: str
    score: str
    measure: str
    n_schools: int | None
    r: Number
    ci_low: Number
    ci_high: Number
    p: Number
    suppressed: bool


class OutcomeBin(Figures):
    """One bin of the binned scatter: schools grouped by the measure (quantile bins), the
    mean of their school means on the score with its 95% CI. No single school's point is
    shown; a bin holds at least the minimum number of schools."""

    kind: str
    score: str
    measure: str
    bin: int
    measure_low: Number
    measure_high: Number
    measure_mean: Number
    n_schools: int | None
    mean: Number
    ci_low: Number
    ci_high: Number
    suppressed: bool


class SchoolOutcome(Figures):
    """Where one school stands on one measure (its own value, known to it)."""

    measure: str
    unit: str
    year: str
    value: Number
    percentile: Number
    """The share (%) of the other schools with the measure that have a lower value."""
    n_schools: int


class OutcomeFigures(Figures):
    measures: list[OutcomeMeasure] = Field(default_factory=list)
    correlations: list[OutcomeCorrelation] = Field(default_factory=list)
    bins: list[OutcomeBin] = Field(default_factory=list)
    schools: dict[str, list[SchoolOutcome]] = Field(default_factory=dict)
    """By school key."""
