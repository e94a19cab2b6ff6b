"""School-level comparisons for the global report: effect sizes between inspection ratings,
and the schools in the top decile of a score (the "learning-focused" schools) against the
rest.

The comparisons of schools work on school means (a school is the unit), from tables that
have already been through the disclosure rules (:func:`~learnsurvey.analysis.groups.school_table`,
:func:`~learnsurvey.analysis.context.inspection_table`): only schools shown there take part.
The share of pupils in the high bands is pooled from the sufficient statistics (band counts)
of the shown schools. Django-free.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from learnsurvey.stats.effects import hedges_g, mean_interval

from .context import NOT_RATED
from .statistics import WaveStatistics

__all__ = [
    "DECILE",
    "PROFILE_COLUMNS",
    "REFERENCE_RATING",
    "context_summary",
    "pooled_high_share",
    "rating_effects",
    "school_means_profile",
    "top_decile",
]

DECILE = 0.10
REFERENCE_RATING = "good"
"""The rating every other rating is compared with (the most common in Phase One)."""
PROFILE_COLUMNS = [
    "dimension",
    "n_schools",
    "mean",
    "ci_low",
    "ci_high",
    "n_schools_rest",
    "mean_rest",
    "ci_low_rest",
    "ci_high_rest",
    "hedges_g",
    "g_ci_low",
    "g_ci_high",
]


def rating_effects(inspection: pd.DataFrame, *, reference: str = REFERENCE_RATING) -> pd.DataFrame:
    """Hedges' g (95% CI) of the school means of each inspection rating against ``reference``.

    Each school counts once (its mean is one observation), so

    .. math:: g = J(k_a + k_b - 2)\\,\\frac{\\bar m_a - \\bar m_b}{s_p}

    where :math:`\\bar m` is the mean of a rating's school means, :math:`k` its number of
    schools and :math:`s_p` the pooled SD of the school means (Hedges, 1981; see
    :func:`~learnsurvey.stats.effects.hedges_g`). A positive g means the rating's schools score
    higher than the ``reference`` rating's. Schools not inspected and ratings with fewer than
    two schools are not compared.

    Parameters
    ----------
    inspection
        The output of :func:`~learnsurvey.analysis.context.inspection_table`.
    reference
        The rating every other rating is compared with.

    Returns
    -------
    pandas.DataFrame
        Columns dimension, inspection_rating, reference, n_schools, n_schools_reference,
        hedges_g, ci_low, ci_high; empty when the reference rating is absent.
    """
    columns = [
        "dimension",
        "inspection_rating",
        "reference",
        "n_schools",
        "n_schools_reference",
        "hedges_g",
        "ci_low",
        "ci_high",
    ]
    if inspection.empty:
        return pd.DataFrame(columns=columns)
    rated = inspection[
        ~inspection["inspection_rating"].astype(str).str.lower().isin(NOT_RATED)
        & (inspection["n_schools"] >= 2)
    ]
    base = rated[rated["inspection_rating"] == reference]
    others = rated[rated["inspection_rating"] != reference]
    if base.empty or others.empty:
        return pd.DataFrame(columns=columns)
    ref = base[["dimension", "n_schools", "mean_of_school_means", "sd_of_school_means"]]
    pairs = others.merge(ref, on="dimension", suffixes=("", "_reference"))
    g = hedges_g(
        pairs["n_schools"].to_numpy(float),
        pairs["mean_of_school_means"].to_numpy(float),
        pairs["sd_of_school_means"].to_numpy(float),
        pairs["n_schools_reference"].to_numpy(float),
        pairs["mean_of_school_means_reference"].to_numpy(float),
        pairs["sd_of_school_means_reference"].to_numpy(float),
    )
    pairs["reference"] = reference
    pairs["hedges_g"] = g["hedges_g"].to_numpy()
    pairs["ci_low"] = g["ci_low"].to_numpy()
    pairs["ci_high"] = g["ci_high"].to_numpy()
    return pairs[columns].reset_index(drop=True)


def top_decile(schools: pd.DataFrame, *, share: float = DECILE) -> pd.DataFrame:
    """The schools in the top ``share`` of a score by shrunken (empirical-Bayes) mean.

    ``schools`` is one score's rows of a schools table (columns school, n, mean,
    shrunken_mean, shrunken_ci_low, shrunken_ci_high, suppressed). Among the schools shown,
    the top :math:`\\lceil share \\times k \\rceil` by shrunken mean form the group. Being in
    it is uncertain, so each school is also marked ``above_median`` when the lower end of its
    95% interval lies above the median shrunken mean of all schools shown.

    Returns
    -------
    pandas.DataFrame
        The rows of ``schools`` shown, with boolean ``top`` and ``above_median`` columns and
        ``median`` (the median shrunken mean), sorted by shrunken mean, highest first.
    """
    if not 0 < share < 1:
        raise ValueError(f"the share of schools must be between 0 and 1, not {share}")
    shown = schools[~schools["suppressed"].astype(bool)].copy()
    shown = shown[np.isfinite(shown["shrunken_mean"].to_numpy(dtype=float))]
    shown = shown.sort_values(["shrunken_mean", "school"], ascending=[False, True])
    shown = shown.reset_index(drop=True)
    size = math.ceil(share * len(shown)) if len(shown) else 0
    median = float(np.median(shown["shrunken_mean"].to_numpy(dtype=float))) if size else np.nan
    shown["top"] = shown.index < size
    shown["above_median"] = shown["shrunken_ci_low"].to_numpy(dtype=float) > median
    shown["median"] = median
    return shown


def pooled_high_share(
    stats: WaveStatistics, schools: Sequence[str], *, score: str = "overall"
) -> float:
    """The percentage of the pupils of ``schools`` whose ``score`` falls in the instrument's
    high bands, the pupils of all those schools pooled.

    .. math:: p = 100 \\cdot \\frac{\\sum_s h_s}{\\sum_s n_s}

    with :math:`h_s` the school's pupils in the high bands and :math:`n_s` its pupils with a
    score, both from the band counts of the sufficient statistics (so a large school weighs
    more than a small one). NaN when the schools have no pupil with a score.
    """
    keys, _, bands = stats.groups("school")
    chosen = keys["school"].astype(str).isin({str(s) for s in schools}).to_numpy()
    inst = stats.instrument
    high = [k for k, b in enumerate(inst.bands) if b.id in inst.high_bands]
    counts = bands[chosen, stats.layout.ids.index(score), :].sum(axis=0).astype(float)
    total = counts.sum()
    return float(100.0 * counts[high].sum() / total) if total > 0 else float("nan")


def _mean_of_means(values: pd.Series) -> tuple[int, float, float, float]:
    """k, the mean of school means and its t-based 95% interval (mean ± t · SD/√k)."""
    k = len(values)
    mean = float(values.mean())
    low, high = mean_interval(k, mean, float(values.std(ddof=1)))
    return k, mean, float(low), float(high)


def school_means_profile(schools: pd.DataFrame, group: Sequence[str]) -> pd.DataFrame:
    """Per dimension, the school means of ``group`` against those of every other school
    shown: each side's mean of school means with its t-based 95% interval, and Hedges' g
    (95% CI) of ``group`` against the rest (each school once, positive: ``group`` higher).

    .. math:: g = J(k_a + k_b - 2)\\,\\frac{\\bar m_a - \\bar m_b}{s_p}

    as in :func:`rating_effects`. ``schools`` is a table of schools by dimensions from
    :func:`~learnsurvey.analysis.groups.school_table` (suppressed rows take no part).

    Returns
    -------
    pandas.DataFrame
        :data:`PROFILE_COLUMNS`, a row per dimension in the table's order.
    """
    shown = schools[~schools["suppressed"].astype(bool)]
    members = {str(s) for s in group}
    rows = []
    for dim, part in shown.groupby("dimension", sort=False):
        inside = part["school"].astype(str).isin(members)
        k_a, m_a, lo_a, hi_a = _mean_of_means(part.loc[inside, "mean"].astype(float))
        k_b, m_b, lo_b, hi_b = _mean_of_means(part.loc[~inside, "mean"].astype(float))
        sd_a = float(part.loc[inside, "mean"].astype(float).std(ddof=1))
        sd_b = float(part.loc[~inside, "mean"].astype(float).std(ddof=1))
        g = hedges_g([k_a], [m_a], [sd_a], [k_b], [m_b], [sd_b]).iloc[0]
        effect = [float(g["hedges_g"]), float(g["ci_low"]), float(g["ci_high"])]
        rows.append([dim, k_a, m_a, lo_a, hi_a, k_b, m_b, lo_b, hi_b, *effect])
    return pd.DataFrame(rows, columns=PROFILE_COLUMNS)


def context_summary(context: pd.DataFrame, schools: Sequence[str]) -> dict[str, object]:
    """The context of a group of schools in aggregate: how many of each phase and of each
    inspection rating (most common first) and their mean free-school-meals percentage (NaN
    when none is known). Whether a group may be described at all is for
    :mod:`learnsurvey.stats.disclosure` to say."""
    info = context.set_index("school").reindex([str(s) for s in schools])
    fsm = info["fsm_pct"].dropna().astype(float)
    return {
        "n_schools": len(info),
        "phases": {str(k): int(v) for k, v in info["phase"].dropna().value_counts().items()},
        "mean_fsm_pct": float(fsm.mean()) if len(fsm) else float("nan"),
        "ratings": {
            str(k): int(v) for k, v in info["inspection_rating"].dropna().value_counts().items()
        },
    }
