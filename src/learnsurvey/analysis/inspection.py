"""School-level comparisons for the global report: effect sizes between inspection ratings,
and the schools in the top decile of a score (the "learning-focused" schools).

Both work on school means (a school is the unit), from tables that have already been through
the disclosure rules (:func:`~learnsurvey.analysis.groups.school_table`,
:func:`~learnsurvey.analysis.context.inspection_table`). Django-free.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from learnsurvey.stats.effects import hedges_g

from .context import NOT_RATED

__all__ = ["DECILE", "rating_effects", "top_decile"]

DECILE = 0.10


def rating_effects(inspection: pd.DataFrame, *, reference: str = "good") -> pd.DataFrame:
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
