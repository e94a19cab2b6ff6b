"""Internal-consistency reliability from covariance or correlation matrices, as R's psych.

* :func:`cronbach_alpha` — raw and standardised alpha with Feldt's confidence interval
  (``psych::alpha``, ``psych::alpha.ci``);
* :func:`feldt_ci` — the interval on its own;
* :func:`item_rest_statistics` — corrected item-total correlations and alpha if an item is
  deleted (``psych::alpha``'s ``r.drop`` and ``alpha.drop``);
* :func:`mcdonald_omega` — omega hierarchical and omega total from a Schmid–Leiman
  transformation (``psych::omega``).

Like :mod:`learnsurvey.stats.factor`, these take matrices built from mergeable sufficient
statistics, never raw data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import special

from learnsurvey.stats.factor import (
    _as_square_symmetric,
    _check_n_factors,
    _cov_to_corr,
    _oblimin,
    factor_analysis,
)

__all__ = [
    "Alpha",
    "Omega",
    "cronbach_alpha",
    "feldt_ci",
    "item_rest_statistics",
    "mcdonald_omega",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

_OMEGA_MIN_ITEMS: Final = 3


@dataclass(frozen=True)
class Alpha:
    """Cronbach's alpha of a scale.

    Attributes
    ----------
    alpha : float
        Raw alpha, from the covariance matrix.
    standardized : float
        Alpha of the standardised items, from the correlation matrix.
    ci_low, ci_high : float
        Feldt confidence interval for the raw alpha.
    n_obs : int
        Number of respondents the interval is based on.
    n_items : int
        Number of items ``p``.
    average_r : float
        Mean inter-item correlation (off-diagonal).
    """

    alpha: float
    standardized: float
    ci_low: float
    ci_high: float
    n_obs: int
    n_items: int
    average_r: float


@dataclass(frozen=True)
class Omega:
    """McDonald's omega from a Schmid–Leiman solution.

    Attributes
    ----------
    omega_total : float
        Reliability of the total score: common variance over total variance.
    omega_hierarchical : float
        Proportion of total-score variance due to the general factor.
    n_group_factors : int
        Number of group (first-order) factors.
    g_loadings : ndarray, shape (p,)
        General-factor loadings of the (keyed) items.
    group_loadings : ndarray, shape (p, n_group_factors)
        Group-factor loadings with the general factor partialled out (zeros for one factor).
    keys : ndarray, shape (p,)
        ``-1`` for items psych reversed because they load negatively on g, else ``1``; the
        loadings above refer to the keyed items.
    """

    omega_total: float
    omega_hierarchical: float
    n_group_factors: int
    g_loadings: FloatArray
    group_loadings: FloatArray
    keys: IntArray


def _alpha_from(cov: FloatArray) -> float:
    p = cov.shape[0]
    return float(p / (p - 1) * (1.0 - np.trace(cov) / np.sum(cov)))


def _check_n_obs(n_obs: int) -> None:
    if isinstance(n_obs, bool) or not isinstance(n_obs, int | np.integer):
        raise ValueError(f"n_obs must be an integer, not {n_obs!r}")
    if n_obs < 2:
        raise ValueError(f"n_obs must be at least 2, not {n_obs}")


def feldt_ci(
    alpha: float, n_obs: int, n_items: int, *, confidence: float = 0.95
) -> tuple[float, float]:
    """Feldt's confidence interval for Cronbach's alpha.

    With :math:`n` respondents, :math:`p` items and :math:`c` the confidence level,

    .. math::
        \\left[\\,1 - (1 - \\alpha)\\,F_{1 - (1-c)/2},\\;
              1 - (1 - \\alpha)\\,F_{(1-c)/2}\\,\\right],

    where :math:`F_q` is the ``q`` quantile of the F distribution with
    :math:`n - 1` and :math:`(n - 1)(p - 1)` degrees of freedom.

    Parameters
    ----------
    alpha : float
        Cronbach's alpha (raw).
    n_obs : int
        Number of respondents, at least 2.
    n_items : int
        Number of items, at least 2.
    confidence : float
        Confidence level in (0, 1).

    Returns
    -------
    tuple of float
        ``(low, high)``.

    Raises
    ------
    ValueError
        If an argument is out of range or not finite.

    Notes
    -----
    Checked against R psych 2.2.9 ``alpha.ci`` (tests/golden/psych_factor_reliability.R).

    References
    ----------
    Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
    coefficient alpha. Applied Psychological Measurement, 11, 93-103.
    """
    if not np.isfinite(alpha) or alpha >= 1.0:
        raise ValueError(f"alpha must be finite and below 1, not {alpha!r}")
    _check_n_obs(n_obs)
    if isinstance(n_items, bool) or not isinstance(n_items, int | np.integer) or n_items < 2:
        raise ValueError(f"n_items must be an integer of at least 2, not {n_items!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, not {confidence!r}")
    df1 = n_obs - 1
    df2 = (n_obs - 1) * (n_items - 1)
    tail = (1.0 - confidence) / 2.0
    low = 1.0 - (1.0 - alpha) * float(special.fdtri(df1, df2, 1.0 - tail))
    high = 1.0 - (1.0 - alpha) * float(special.fdtri(df1, df2, tail))
    return low, high


def cronbach_alpha(cov: ArrayLike, n_obs: int, *, confidence: float = 0.95) -> Alpha:
    """Cronbach's alpha from an item covariance matrix.

    For a :math:`p \\times p` covariance matrix :math:`C` with correlation matrix :math:`R`,

    .. math::
        \\alpha = \\frac{p}{p - 1}
                 \\left(1 - \\frac{\\operatorname{tr} C}{\\sum_{ij} C_{ij}}\\right),
        \\qquad
        \\alpha_{\\mathrm{std}} = \\frac{p}{p - 1}\\left(1 - \\frac{p}{\\sum_{ij} R_{ij}}\\right),

    and :math:`\\bar r = (\\sum_{ij} R_{ij} - p) / (p(p-1))`. The confidence interval is
    Feldt's (:func:`feldt_ci`).

    Parameters
    ----------
    cov : array_like, shape (p, p)
        Item covariance matrix, reverse-keyed items already reflected (pairwise-complete is
        fine, as ``psych::alpha`` with ``use = "pairwise"``).
    n_obs : int
        Number of respondents for the confidence interval (psych uses the number of rows).
    confidence : float
        Confidence level of the interval.

    Returns
    -------
    Alpha

    Raises
    ------
    ValueError
        If ``cov`` is not a square, symmetric, finite matrix with a positive diagonal and at
        least 2 items, ``n_obs < 2``, or the total-score variance is not positive.

    Notes
    -----
    Checked against R psych 2.2.9 ``alpha`` and ``alpha.ci``
    (tests/golden/psych_factor_reliability.R): agreement to 1e-12.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika, 16, 297-334.
    """
    c = _as_square_symmetric(cov, "cov", min_size=2)
    _check_n_obs(n_obs)
    if np.sum(c) <= 0.0:
        raise ValueError("the variance of the total score (sum of cov) must be positive")
    r = _cov_to_corr(c)
    p = c.shape[0]
    raw = _alpha_from(c)
    standardized = _alpha_from(r)
    low, high = feldt_ci(raw, n_obs, p, confidence=confidence)
    return Alpha(
        alpha=raw,
        standardized=standardized,
        ci_low=low,
        ci_high=high,
        n_obs=int(n_obs),
        n_items=p,
        average_r=float((np.sum(r) - p) / (p * (p - 1))),
    )


def item_rest_statistics(cov: ArrayLike) -> pd.DataFrame:
    """Item-rest correlations and alpha if each item is deleted.

    For item :math:`i`, with :math:`C_{-i}` the covariance matrix without item :math:`i`,

    .. math::
        r_{i,\\mathrm{rest}} = \\frac{\\sum_{j \\ne i} C_{ij}}
                               {\\sqrt{C_{ii} \\sum_{j,l \\ne i} C_{jl}}},

    the correlation of the item with the sum of the other items (psych's ``r.drop``);
    ``alpha_if_deleted`` is raw alpha of :math:`C_{-i}` and ``std_alpha_if_deleted``
    standardised alpha of the corresponding correlation matrix.

    Parameters
    ----------
    cov : array_like, shape (p, p)
        Item covariance matrix, reverse-keyed items already reflected; at least 3 items.

    Returns
    -------
    pandas.DataFrame
        One row per item (positional index ``0..p-1``), columns ``item_rest_r``,
        ``alpha_if_deleted`` and ``std_alpha_if_deleted``.

    Raises
    ------
    ValueError
        If ``cov`` is not a valid covariance matrix of at least 3 items, or the sum of the
        other items has no positive variance for some item.

    Notes
    -----
    Checked against R psych 2.2.9 ``alpha`` (``item.stats$r.drop`` and ``alpha.drop``;
    tests/golden/psych_factor_reliability.R): agreement to 1e-12.

    References
    ----------
    Revelle, W. (2022). psych: Procedures for Psychological, Psychometric, and Personality
    Research. R package version 2.2.9.
    """
    c = _as_square_symmetric(cov, "cov", min_size=3)
    r = _cov_to_corr(c)
    p = c.shape[0]
    rest_r = np.empty(p)
    alpha_drop = np.empty(p)
    std_alpha_drop = np.empty(p)
    for i in range(p):
        keep = np.arange(p) != i
        c_rest = c[np.ix_(keep, keep)]
        if np.sum(c_rest) <= 0.0:
            raise ValueError(f"the variance of the rest score without item {i} must be positive")
        rest_r[i] = (np.sum(c[:, i]) - c[i, i]) / np.sqrt(c[i, i] * np.sum(c_rest))
        alpha_drop[i] = _alpha_from(c_rest)
        std_alpha_drop[i] = _alpha_from(r[np.ix_(keep, keep)])
    return pd.DataFrame(
        {
            "item_rest_r": rest_r,
            "alpha_if_deleted": alpha_drop,
            "std_alpha_if_deleted": std_alpha_drop,
        }
    )


def _general_loadings(phi: FloatArray) -> FloatArray:
    """Loadings of the group factors on g (psych::schmid, option = "equal" for two)."""
    k = phi.shape[0]
    if k == 1:
        return np.ones(1)
    if k == 2:
        root = np.sqrt(abs(phi[0, 1]))
        return np.array([root, np.sign(phi[0, 1]) * root])
    second_order = factor_analysis(phi, 1, method="minres", rotation="none")
    g: FloatArray = second_order.loadings[:, 0]
    return g


def mcdonald_omega(corr: ArrayLike, *, n_group_factors: int = 3) -> Omega:
    """McDonald's omega hierarchical and omega total (Schmid–Leiman).

    Replicates ``psych::omega(m = corr, nfactors = k, fm = "minres", rotate = "oblimin")``:

    1. ``k`` minres factors, varimax-rotated, then oblimin-rotated (pattern :math:`F`,
       factor correlations :math:`\\Phi`);
    2. the loadings :math:`\\gamma` of the group factors on g: a one-factor minres solution
       of :math:`\\Phi` when :math:`k \\ge 3`; for :math:`k = 2` (under-identified) psych's
       ``option = "equal"``, :math:`\\gamma = (\\sqrt{|\\phi_{12}|},
       \\operatorname{sign}(\\phi_{12})\\sqrt{|\\phi_{12}|})`; for :math:`k = 1`,
       :math:`\\gamma = 1` (g is the single factor);
    3. general loadings :math:`g = F\\gamma`, group loadings
       :math:`\\operatorname{sign}(F)\\sqrt{\\max(0, F^2(1 - \\gamma^2))}`;
    4. items with negative :math:`g_i` are reversed (:math:`R \\leftarrow DRD`,
       :math:`D = \\operatorname{diag}(\\operatorname{sign} g)`);
    5. with :math:`V_t = \\sum_{ij} R_{ij}` of the keyed matrix and :math:`h^2_i` the
       communalities of step 1,

    .. math::
        \\omega_h = \\frac{(\\sum_i g_i)^2}{V_t}, \\qquad
        \\omega_t = 1 - \\frac{\\sum_i (1 - h_i^2)}{V_t}.

    Parameters
    ----------
    corr : array_like, shape (p, p)
        Correlation matrix (a covariance matrix is rescaled to correlations first).
    n_group_factors : int
        Number of group factors ``k``; must satisfy :math:`(p - k)^2 \\ge p + k`.

    Returns
    -------
    Omega

    Raises
    ------
    ValueError
        If ``corr`` is not a valid correlation or covariance matrix of at least 3 items or
        ``n_group_factors`` is not a positive integer or is too large for ``p``.

    Notes
    -----
    With one factor, psych reports :math:`\\omega_h = (\\sum\\lambda)^2 / V_t`, which
    differs slightly from :math:`\\omega_t` unless the one-factor model fits exactly; this
    function does the same. With two factors the general loadings rest on psych's
    arbitrary equal-loadings constraint; interpret :math:`\\omega_h` with caution.

    Checked against R psych 2.2.9 ``omega`` (tests/golden/psych_factor_reliability.R):
    agreement to about 1e-10.

    References
    ----------
    McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.

    Schmid, J., & Leiman, J. M. (1957). The development of hierarchical factor solutions.
    Psychometrika, 22, 53-61.

    Zinbarg, R. E., Revelle, W., Yovel, I., & Li, W. (2005). Cronbach's alpha, Revelle's
    beta, and McDonald's omega_h. Psychometrika, 70, 123-133.
    """
    r = _cov_to_corr(_as_square_symmetric(corr, "corr", min_size=_OMEGA_MIN_ITEMS))
    k = n_group_factors
    _check_n_factors(k, r.shape[0])

    orthogonal = factor_analysis(r, k, method="minres", rotation="varimax")
    if k == 1:
        pattern, phi = orthogonal.loadings, np.eye(1)
    else:
        pattern, phi, _ = _oblimin(orthogonal.loadings)
    gamma = _general_loadings(phi)
    g = pattern @ gamma
    group = np.sign(pattern) * np.sqrt(np.clip(pattern**2 * (1.0 - gamma**2), 0.0, None))
    h2 = np.sum(orthogonal.loadings**2, axis=1)

    keys = np.where(g < 0.0, -1, 1).astype(np.int64)
    r_keyed = r * np.outer(keys, keys)
    g = g * keys
    group = group * keys[:, None]

    total = float(np.sum(r_keyed))
    return Omega(
        omega_total=(total - float(np.sum(1.0 - h2))) / total,
        omega_hierarchical=float(np.sum(g)) ** 2 / total,
        n_group_factors=k,
        g_loadings=g,
        group_loadings=group,
        keys=keys,
    )
