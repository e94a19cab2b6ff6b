"""Reliability, item and factor tables of a wave, from its sufficient statistics."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from learnsurvey.stats.correlation import polychoric
from learnsurvey.stats.factor import FactorSolution, factor_analysis
from learnsurvey.stats.reliability import cronbach_alpha, item_rest_statistics, mcdonald_omega

from .statistics import WaveStatistics

Rotation = Literal["oblimin", "promax"]

__all__ = [
    "factor_tables",
    "item_correlations",
    "item_table",
    "match_factors",
    "reliability_table",
]


def _item_cov_corr(stats: WaveStatistics) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    moments = stats.items.moments(stats.layout.scale_values)
    return moments.cov(), moments.corr()


def estimable(n_vars: int, n_factors: int) -> bool:
    """Whether ``n_factors`` common factors can be fitted to ``n_vars`` variables (at least
    three variables and non-negative degrees of freedom: (p − k)² ≥ p + k)."""
    return n_vars >= 3 and (n_vars - n_factors) ** 2 >= n_vars + n_factors


def reliability_table(stats: WaveStatistics) -> pd.DataFrame:
    """Alpha (with Feldt CI) and omega per dimension, and over all items (``overall``).

    A dimension's omega comes from a one-factor model of its items (omega_h = omega_t); the
    overall omega is Schmid–Leiman with max(3, number of notions) group factors, as psych::omega.
    """
    inst = stats.instrument
    cov, corr = _item_cov_corr(stats)
    score_n = stats.scores.counts()
    rows = []
    scales = [
        (d.id, [k for k, i in enumerate(inst.items) if i.dimension == d.id], 1)
        for d in inst.dimensions
    ]
    scales.append(("overall", list(range(len(inst.items))), max(3, len(inst.factors))))
    nan = float("nan")
    for name, idx, wanted in scales:
        n = int(score_n[stats.layout.ids.index(name)])
        row: dict[str, object] = {"scale": name, "n": n, "n_items": len(idx)}
        # Scales too short for a statistic get blanks rather than an error: a small custom
        # instrument (docs/examples/minimal-instrument.yaml) must still analyse.
        alpha = cronbach_alpha(cov[np.ix_(idx, idx)], n_obs=n) if len(idx) >= 2 else None
        row["alpha"] = alpha.alpha if alpha else nan
        row["alpha_ci_low"] = alpha.ci_low if alpha else nan
        row["alpha_ci_high"] = alpha.ci_high if alpha else nan
        row["std_alpha"] = alpha.standardized if alpha else nan
        row["average_r"] = alpha.average_r if alpha else nan
        n_group = next((g for g in (wanted, 1) if estimable(len(idx), g)), None)
        omega = mcdonald_omega(corr[np.ix_(idx, idx)], n_group_factors=n_group) if n_group else None
        row["omega_total"] = omega.omega_total if omega else nan
        row["omega_hierarchical"] = omega.omega_hierarchical if omega else nan
        row["omega_group_factors"] = n_group or 0
        rows.append(row)
    return pd.DataFrame(rows)


def item_table(stats: WaveStatistics) -> pd.DataFrame:
    """Per item: n, mean and SD (after reverse-coding, so higher is always better on the
    dimension), item–rest correlation and alpha-if-deleted within its dimension, rank by mean."""
    inst = stats.instrument
    moments = stats.items.moments(stats.layout.scale_values)
    cov = moments.cov()
    frames = []
    for d in inst.dimensions:
        idx = [k for k, i in enumerate(inst.items) if i.dimension == d.id]
        if len(idx) >= 3:
            rest = item_rest_statistics(cov[np.ix_(idx, idx)])
        else:  # alpha-if-deleted needs two items left
            rest = pd.DataFrame({"item_rest_r": [np.nan] * len(idx)})
            rest["alpha_if_deleted"] = np.nan
        frames.append(
            pd.DataFrame(
                {
                    "item": [inst.items[k].id for k in idx],
                    "dimension": d.id,
                    "reverse": [inst.items[k].reverse for k in idx],
                    "n": moments.counts()[idx].astype(np.int64),
                    "mean": moments.means()[idx],
                    "sd": np.sqrt(np.diag(cov)[idx]),
                    "item_rest_r": rest["item_rest_r"].to_numpy(),
                    "alpha_if_deleted": rest["alpha_if_deleted"].to_numpy(),
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    order = {item_id: k for k, item_id in enumerate(inst.item_ids)}
    table = table.sort_values("item", key=lambda s: s.map(order)).reset_index(drop=True)
    table["rank"] = table["mean"].rank(ascending=False, method="min").astype(np.int64)
    return table


def item_correlations(stats: WaveStatistics) -> pd.DataFrame:
    """Every pair of items (reverse-coded): pairwise n, Pearson and polychoric correlation.

    Polychoric correlations use each item's thresholds from all its answers (psych's
    ``global = TRUE``), estimated by maximum likelihood from the pair's contingency table.
    """
    inst = stats.instrument
    moments = stats.items.moments(stats.layout.scale_values)
    pearson = moments.corr()
    poly = polychoric(stats.items.counts).rho
    a, b = np.triu_indices(len(inst.items), 1)
    ids = np.array(inst.item_ids)
    return pd.DataFrame(
        {
            "item_a": ids[a],
            "item_b": ids[b],
            "n": moments.n[a, b].astype(np.int64),
            "pearson": pearson[a, b],
            "polychoric": poly[a, b],
        }
    )


def match_factors(
    loadings: NDArray[np.float64], membership: NDArray[np.float64]
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Match extracted factors to the instrument's factors.

    ``membership`` is dimensions × instrument factors (1 where a dimension belongs to a factor).
    Returns, for each instrument factor, the extracted factor matched to it and the sign that
    makes its member dimensions load positively: the assignment maximises the summed absolute
    loading of each factor's member dimensions (Hungarian algorithm).
    """
    affinity = membership.T @ loadings  # instrument factor × extracted factor
    rows, cols = linear_sum_assignment(-np.abs(affinity))
    order = cols[np.argsort(rows)]
    signs = np.sign(affinity[np.arange(len(order)), order])
    signs[signs == 0] = 1.0
    return order, signs


def factor_tables(
    stats: WaveStatistics, *, rotation: Rotation = "oblimin"
) -> tuple[pd.DataFrame, pd.DataFrame, FactorSolution | None]:
    """EFA (minres; oblimin by default) of the dimension scores' pairwise correlations.

    One factor per instrument notion; each extracted factor is named after the notion whose
    dimensions load on it (:func:`match_factors`). The Phase One report's table is
    reproduced by ``rotation="promax"`` (see docs/phase-one-reproduction.md).
    """
    inst = stats.instrument
    idx = stats.layout.indices("dimension")
    corr = stats.scores.subset(idx).corr()
    if not estimable(len(idx), len(inst.factors)):
        return _no_factor_tables(stats, rotation)
    solution = factor_analysis(corr, len(inst.factors), method="minres", rotation=rotation)
    order, signs = match_factors(solution.loadings, stats.layout.dimension_factor)
    loadings = solution.loadings[:, order] * signs
    phi = solution.phi[np.ix_(order, order)] * np.outer(signs, signs)
    pattern = pd.DataFrame(loadings, columns=inst.factor_ids)
    pattern.insert(0, "dimension", inst.dimension_ids)
    pattern["communality"] = solution.communalities
    pattern["factor"] = [d.factor for d in inst.dimensions]
    pattern["primary_factor"] = [inst.factor_ids[k] for k in np.argmax(loadings, axis=1)]
    pattern["rotation"] = rotation
    correlations = pd.DataFrame(phi, columns=inst.factor_ids)
    correlations.insert(0, "factor", inst.factor_ids)
    return pattern, correlations, solution


def _no_factor_tables(
    stats: WaveStatistics, rotation: str
) -> tuple[pd.DataFrame, pd.DataFrame, None]:
    """Blank tables for an instrument with too few dimensions for its factors."""
    inst = stats.instrument
    blank = np.full((len(inst.dimensions), len(inst.factors)), np.nan)
    pattern = pd.DataFrame(blank, columns=inst.factor_ids)
    pattern.insert(0, "dimension", inst.dimension_ids)
    pattern["communality"] = np.nan
    pattern["factor"] = [d.factor for d in inst.dimensions]
    pattern["primary_factor"] = ""
    pattern["rotation"] = rotation
    correlations = pd.DataFrame(np.eye(len(inst.factors)), columns=inst.factor_ids)
    correlations.insert(0, "factor", inst.factor_ids)
    return pattern, correlations, None
