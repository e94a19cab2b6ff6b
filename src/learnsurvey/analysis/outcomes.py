"""Learning beside outcomes: school-level correlations of each score with each outcome
measure, binned means for the scatter chart, and where each school stands on each measure.

The unit is the school. Each school of the wave counts once, by its mean on a score, and
only where :func:`~learnsurvey.analysis.dashboard.school_scores` shows that mean (rules 1
and 2 of :mod:`learnsurvey.stats.disclosure`, complementary suppression across the wave's
schools). An outcome measure is used in its latest year: for each measure, the greatest
``year`` present in the outcomes table (years are strings such as "2025/26", compared as
text, so "2025/26" comes after "2024/25"); older years are ignored.

What leaves: Pearson's r of each score with each measure across the schools with both,
with its Fisher-z 95% CI and p (:func:`~learnsurvey.stats.correlation.pearson`), shown only
when at least :data:`~learnsurvey.stats.disclosure.MIN_GROUP_SCHOOLS` schools stand behind it
(rule 5, :func:`~learnsurvey.stats.disclosure.enough_schools`); quantile bins of the measure
(:func:`~learnsurvey.stats.disclosure.quantile_bins`, every bin at least that many schools)
with the mean of their school means and its t-based 95% CI. No single school's point is
ever shown: a school's exact mean beside its public outcome would say which school it is.
Each school's own value on a measure and its percentile among the other schools are for that
school's own pages. Django-free.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from learnsurvey.stats.correlation import pearson
from learnsurvey.stats.disclosure import MIN_GROUP_SCHOOLS, enough_schools, quantile_bins
from learnsurvey.stats.effects import mean_interval

from .dashboard import school_scores
from .figures.outcomes import (
    OutcomeBin,
    OutcomeCorrelation,
    OutcomeFigures,
    OutcomeMeasure,
    SchoolOutcome,
)
from .inputs import ReportInputs

__all__ = [
    "MAX_BINS",
    "OUTCOME_COLUMNS",
    "build_outcome_figures",
    "latest_outcomes",
    "outcome_bins",
    "outcome_correlations",
    "school_positions",
]

OUTCOME_COLUMNS = ("school", "year", "measure", "unit", "value")
"""The columns of :attr:`~learnsurvey.analysis.inputs.ReportInputs.outcomes`."""
MAX_BINS = 10
"""The most bins of a binned scatter (deciles, when there are enough schools)."""


def _number(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def latest_outcomes(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Each measure's values in its latest year (the greatest ``year`` string present for
    it), one row per school and measure: columns school, measure, unit, year, value.

    Rows with no value are dropped; a school with two values of one measure in that year
    raises ValueError, as does a table without the columns :data:`OUTCOME_COLUMNS`."""
    missing = [c for c in OUTCOME_COLUMNS if c not in outcomes.columns]
    if missing:
        raise ValueError(f"the outcomes table needs the columns {', '.join(missing)}")
    table = outcomes[list(OUTCOME_COLUMNS)].copy()
    for column in ("school", "year", "measure"):
        table[column] = table[column].astype(str)
    table["unit"] = table["unit"].fillna("").astype(str)
    table["value"] = pd.to_numeric(table["value"], errors="coerce")
    table = table[np.isfinite(table["value"].to_numpy(dtype=float))]
    latest = table.groupby("measure", sort=False)["year"].transform("max")
    table = table[table["year"] == latest]
    twice = table.duplicated(["school", "measure"])
    if twice.any():
        row = table[twice].iloc[0]
        raise ValueError(
            f"school {row['school']!r} has two values of {row['measure']!r} in {row['year']}"
        )
    return table[["school", "measure", "unit", "year", "value"]].reset_index(drop=True)


def _shown_means(inputs: ReportInputs) -> pd.DataFrame:
    """The school means the wave shows: kind, score, school, mean (rules 1–2 applied)."""
    _, scores = school_scores(inputs.current.stats, threshold=inputs.threshold)
    shown = scores[~scores["suppressed"].astype(bool)]
    out = shown[["kind", "score", "school", "mean"]].copy()
    out["school"] = out["school"].astype(str)
    out["mean"] = out["mean"].astype(float)
    return out.reset_index(drop=True)


def outcome_correlations(pairs: pd.DataFrame) -> list[OutcomeCorrelation]:
    """Pearson's r (Fisher-z 95% CI, p) of the school means with each measure, per score.

    ``pairs``: one row per shown school, score and measure (kind, score, measure, mean,
    value). A correlation of fewer than :data:`MIN_GROUP_SCHOOLS` schools is hidden (rule 5).
    """
    out = []
    for (kind, score, measure), part in pairs.groupby(["kind", "score", "measure"], sort=False):
        k = len(part)
        if not enough_schools(k, MIN_GROUP_SCHOOLS):
            out.append(
                OutcomeCorrelation(
                    kind=str(kind), score=str(score), measure=str(measure), n_schools=None,
                    r=None, ci_low=None, ci_high=None, p=None, suppressed=True,
                )
            )  # fmt: skip
            continue
        fit = pearson(part["mean"].to_numpy(float), part["value"].to_numpy(float))
        out.append(
            OutcomeCorrelation(
                kind=str(kind), score=str(score), measure=str(measure), n_schools=fit.n,
                r=_number(fit.r), ci_low=_number(fit.ci_low), ci_high=_number(fit.ci_high),
                p=_number(fit.p), suppressed=False,
            )
        )  # fmt: skip
    return out


def outcome_bins(pairs: pd.DataFrame, *, bins: int = MAX_BINS) -> list[OutcomeBin]:
    """The binned scatter of each score against each measure: the shown schools cut into
    quantile bins of the measure (at most ``bins``, each of at least
    :data:`MIN_GROUP_SCHOOLS` schools), and in each bin the range and mean of the measure,
    the number of schools and the mean of their school means with its t-based 95% CI
    (:math:`\\bar m \\pm t_{k-1}\\, s_m / \\sqrt{k}`). Too few schools: no bins."""
    out = []
    for (kind, score, measure), part in pairs.groupby(["kind", "score", "measure"], sort=False):
        part = part.sort_values("school")
        codes = quantile_bins(part["value"].to_numpy(float), bins=bins)
        for code in sorted(set(codes.tolist()) - {-1}):
            members = part[codes == code]
            means = members["mean"].to_numpy(float)
            values = members["value"].to_numpy(float)
            k = len(members)
            mean = float(means.mean())
            low, high = mean_interval(k, mean, float(means.std(ddof=1)))
            out.append(
                OutcomeBin(
                    kind=str(kind), score=str(score), measure=str(measure), bin=int(code),
                    measure_low=float(values.min()), measure_high=float(values.max()),
                    measure_mean=float(values.mean()), n_schools=k, mean=mean,
                    ci_low=_number(float(low)), ci_high=_number(float(high)), suppressed=False,
                )
            )  # fmt: skip
    return out


def school_positions(latest: pd.DataFrame, schools: list[str]) -> dict[str, list[SchoolOutcome]]:
    """Where each of ``schools`` stands on each measure it has: its own value and the share
    (%) of the other schools of ``schools`` with the measure whose value is lower
    (:math:`100 \\cdot \\#\\{j \\ne i: v_j < v_i\\} / (k - 1)`). The percentile is hidden
    (None) when fewer than :data:`MIN_GROUP_SCHOOLS` other schools have the measure."""
    chosen = latest[latest["school"].isin(schools)]
    out: dict[str, list[SchoolOutcome]] = {}
    for measure, part in chosen.groupby("measure", sort=False):
        values = part["value"].to_numpy(float)
        others = len(part) - 1
        shown = enough_schools(others, MIN_GROUP_SCHOOLS)
        below = (values[None, :] < values[:, None]).sum(axis=1)
        for k, row in enumerate(part.to_dict("records")):
            out.setdefault(str(row["school"]), []).append(
                SchoolOutcome(
                    measure=str(measure),
                    unit=str(row["unit"]),
                    year=str(row["year"]),
                    value=float(values[k]),
                    percentile=100.0 * float(below[k]) / others if shown else None,
                    n_schools=others,
                )
            )
    return out


def build_outcome_figures(inputs: ReportInputs) -> OutcomeFigures | None:
    """The wave's learning beside outcomes (None when ``inputs.outcomes`` is None).

    The schools are those the wave shows a mean for (per score); a school's position on a
    measure is among the schools whose overall score is shown. Correlations and bins come
    in the order dimensions, notions, overall (as the school scores), measures in the order
    they first appear in the outcomes table."""
    if inputs.outcomes is None:
        return None
    latest = latest_outcomes(inputs.outcomes)
    means = _shown_means(inputs)
    pairs = means.merge(latest[["school", "measure", "value"]], on="school", how="inner")
    overall = sorted(set(means.loc[means["kind"] == "overall", "school"]))
    measures = []
    for measure, part in latest.groupby("measure", sort=False):
        measures.append(
            OutcomeMeasure(
                measure=str(measure),
                unit=str(part["unit"].iloc[0]),
                year=str(part["year"].iloc[0]),
                n_schools=int(part["school"].isin(overall).sum()),
            )
        )
    return OutcomeFigures(
        measures=measures,
        correlations=outcome_correlations(pairs),
        bins=outcome_bins(pairs),
        schools=school_positions(latest, overall),
    )
