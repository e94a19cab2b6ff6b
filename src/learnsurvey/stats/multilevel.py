"""One-way random-intercept model from group summaries.

The model is :math:`y_{ij} = \\mu + u_j + e_{ij}`, :math:`u_j \\sim N(0, \\tau^2)`,
:math:`e_{ij} \\sim N(0, \\sigma^2)`. Its (restricted) likelihood depends on the data only
through each group's size :math:`n_j`, mean :math:`\\bar y_j` and within-group sum of squares
:math:`SS_j = \\sum_i (y_{ij} - \\bar y_j)^2`, so fitting from these mergeable summaries is
exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq
from scipy.special import ndtri

__all__ = [
    "RandomIntercept",
    "icc1",
    "icc1_anova",
    "random_intercept_reml",
    "shrunken_means",
]

FloatArray = NDArray[np.float64]

# Grid of variance ratios theta = tau2 / sigma2 scanned for sign changes of the derivative
# of the profiled REML criterion, before each bracket is refined by Brent's method.
_THETA_GRID = np.concatenate([[0.0], np.logspace(-10.0, 10.0, 201)])


@dataclass(frozen=True)
class RandomIntercept:
    """REML fit of the one-way random-intercept model (see :func:`random_intercept_reml`).

    Attributes
    ----------
    grand_mean : float
        GLS estimate of :math:`\\mu`.
    grand_mean_se : float
        Its standard error, :math:`(\\sum_j n_j / (\\sigma^2 + n_j \\tau^2))^{-1/2}`.
    tau2, sigma2 : float
        Between-group and within-group variance.
    icc : float
        :math:`\\tau^2 / (\\tau^2 + \\sigma^2)`.
    n_groups, n_obs : int
        Groups with at least one observation, and observations.
    converged : bool
        Whether the REML maximum was located (always, unless the variance ratio exceeds 1e10).
    """

    grand_mean: float
    grand_mean_se: float
    tau2: float
    sigma2: float
    icc: float
    n_groups: int
    n_obs: int
    converged: bool


def _summaries(
    n: ArrayLike, mean: ArrayLike, ss_within: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, pd.Index]:
    index: pd.Index | None = None
    arrays = []
    for a in (n, mean, ss_within):
        if isinstance(a, pd.Series):
            if index is None:
                index = a.index
            elif not index.equals(a.index):
                raise ValueError("pandas inputs must share the same index")
        arr = np.asarray(a)
        if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.number):
            raise ValueError("n, mean and ss_within must be numeric")
        arrays.append(np.asarray(arr, dtype=np.float64))
    nn, mm, ss = arrays
    if nn.ndim != 1 or mm.shape != nn.shape or ss.shape != nn.shape:
        raise ValueError("n, mean and ss_within must be 1-d arrays of the same length")
    if not np.all(np.isfinite(nn)) or np.any(nn < 0):
        raise ValueError("group sizes n must be finite and non-negative")
    present = nn > 0
    if not (np.all(np.isfinite(mm[present])) and np.all(np.isfinite(ss[present]))):
        raise ValueError("mean and ss_within must be finite for groups with n > 0")
    if np.any(ss[present] < 0):
        raise ValueError("ss_within must be non-negative")
    return nn, mm, ss, pd.RangeIndex(nn.size) if index is None else index


class _Reml:
    """Profiled REML criterion of the one-way model in theta = tau2 / sigma2.

    With :math:`a_j = n_j / (1 + n_j\\theta)`, :math:`A = \\sum a_j`,
    :math:`\\hat\\mu = \\sum a_j \\bar y_j / A`, :math:`Q = \\sum a_j (\\bar y_j - \\hat\\mu)^2`
    and :math:`S = SS_W + Q`, the REML deviance profiled over :math:`\\sigma^2 = S / (N - 1)`
    is, up to a constant,

    .. math:: d(\\theta) = (N - 1)\\log S + \\sum_j \\log(1 + n_j\\theta) + \\log A,

    with derivative
    :math:`d'(\\theta) = -(N-1)\\sum a_j^2 (\\bar y_j - \\hat\\mu)^2 / S + A - \\sum a_j^2 / A`.
    """

    def __init__(self, n: FloatArray, mean: FloatArray, ss_within: float) -> None:
        self.n = n
        self.mean = mean
        self.ssw = ss_within
        self.n_obs = float(n.sum())

    def parts(self, theta: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """a_j (groups x thetas), A, mu and S for each theta."""
        a = self.n[:, None] / (1.0 + self.n[:, None] * theta[None, :])
        big_a = a.sum(axis=0)
        mu = (a * self.mean[:, None]).sum(axis=0) / big_a
        q = (a * (self.mean[:, None] - mu[None, :]) ** 2).sum(axis=0)
        return a, big_a, mu, self.ssw + q

    def deviance(self, theta: FloatArray) -> FloatArray:
        _, big_a, _, s = self.parts(theta)
        logdet = np.log1p(self.n[:, None] * theta[None, :]).sum(axis=0)
        out: FloatArray = (self.n_obs - 1.0) * np.log(s) + logdet + np.log(big_a)
        return out

    def gradient(self, theta: FloatArray) -> FloatArray:
        a, big_a, mu, s = self.parts(theta)
        e2 = (self.mean[:, None] - mu[None, :]) ** 2
        a2 = a * a
        out: FloatArray = (
            -(self.n_obs - 1.0) * (a2 * e2).sum(axis=0) / s + big_a - a2.sum(axis=0) / big_a
        )
        return out


def _fit(n: FloatArray, mean: FloatArray, ss_within: FloatArray) -> tuple[RandomIntercept, float]:
    """REML fit on the groups with n > 0; also returns theta = tau2 / sigma2."""
    keep = n > 0
    nj, mj = n[keep], mean[keep]
    n_groups, n_obs = int(nj.size), float(nj.sum())
    if n_groups < 2:
        raise ValueError("need at least two groups with observations")
    if n_obs <= n_groups:
        raise ValueError("need more observations than groups (some group with n >= 2)")
    ssw = float(ss_within[keep].sum())
    reml = _Reml(nj, mj, ssw)
    if ssw <= 0 and np.ptp(mj) == 0:
        raise ValueError("the outcome has no variance")

    grid = _THETA_GRID
    grad = reml.gradient(grid)
    candidates: list[float] = []
    if grad[0] >= 0:
        candidates.append(0.0)  # the boundary tau2 = 0 is a local minimum
    crossings = np.flatnonzero((grad[:-1] < 0) & (grad[1:] >= 0))
    for i in crossings:
        lo, hi = float(grid[i]), float(grid[i + 1])
        if grad[i + 1] == 0:
            candidates.append(hi)
            continue
        root = brentq(
            lambda t: float(reml.gradient(np.array([t]))[0]),
            lo,
            hi,
            xtol=1e-300,
            rtol=4.0 * np.finfo(np.float64).eps,
            maxiter=200,
        )
        candidates.append(float(root))
    converged = bool(candidates)
    if not converged:
        candidates.append(float(grid[-1]))
    cand = np.asarray(candidates)
    theta = float(cand[np.argmin(reml.deviance(cand))])

    _, big_a, mu, s = reml.parts(np.array([theta]))
    sigma2 = float(s[0]) / (n_obs - 1.0)
    tau2 = theta * sigma2
    fit = RandomIntercept(
        grand_mean=float(mu[0]),
        grand_mean_se=float(np.sqrt(sigma2 / big_a[0])),
        tau2=tau2,
        sigma2=sigma2,
        icc=tau2 / (tau2 + sigma2),
        n_groups=n_groups,
        n_obs=round(n_obs),
        converged=converged,
    )
    return fit, theta


def random_intercept_reml(n: ArrayLike, mean: ArrayLike, ss_within: ArrayLike) -> RandomIntercept:
    """REML fit of the one-way random-intercept model from group summaries.

    For :math:`y_{ij} = \\mu + u_j + e_{ij}` with :math:`u_j \\sim N(0, \\tau^2)` and
    :math:`e_{ij} \\sim N(0, \\sigma^2)`, the restricted log-likelihood is, up to a constant,

    .. math::
        -2\\ell_R = (N - J)\\log\\sigma^2 + \\sum_j \\log(\\sigma^2 + n_j\\tau^2)
            + \\frac{SS_W}{\\sigma^2} + \\sum_j w_j (\\bar y_j - \\hat\\mu)^2
            + \\log \\sum_j w_j,
        \\quad w_j = \\frac{n_j}{\\sigma^2 + n_j\\tau^2},
        \\quad \\hat\\mu = \\frac{\\sum_j w_j \\bar y_j}{\\sum_j w_j},

    with :math:`N = \\sum n_j`, :math:`J` groups and :math:`SS_W = \\sum_j SS_j`. It is
    profiled over :math:`\\sigma^2` and maximised over :math:`\\theta = \\tau^2/\\sigma^2 \\ge 0`
    (as lme4 does over :math:`\\tau/\\sigma`): every sign change of the derivative on a
    logarithmic grid is solved to machine precision with Brent's method, and the boundary
    :math:`\\theta = 0` is a candidate too. :math:`SE(\\hat\\mu) = (\\sum_j w_j)^{-1/2}`.

    Parameters
    ----------
    n : array_like
        Observations per group (groups with 0 are ignored).
    mean : array_like
        Group means (ignored where ``n == 0``, may be NaN there).
    ss_within : array_like
        :math:`SS_j = \\sum_i (y_{ij} - \\bar y_j)^2` per group.

    Returns
    -------
    RandomIntercept

    Raises
    ------
    ValueError
        If the arrays are not 1-d of equal length, a size is negative, a mean or sum of
        squares of a non-empty group is not finite, a sum of squares is negative, fewer than
        two groups have observations, there are no more observations than groups, or the
        outcome is constant.

    References
    ----------
    Searle, S. R., Casella, G. & McCulloch, C. E. (1992). *Variance Components*, ch. 3 and 6.
    Wiley.

    Bates, D., Mächler, M., Bolker, B. & Walker, S. (2015). Fitting linear mixed-effects
    models using lme4. *Journal of Statistical Software*, 67(1).

    Checked against R lme4 1.1.31 ``lmer(y ~ 1 + (1 | g), REML = TRUE)``
    (tests/golden/polychoric_effects_multilevel.R).
    """
    nn, mm, ss, _ = _summaries(n, mean, ss_within)
    fit, _ = _fit(nn, mm, ss)
    return fit


def icc1(n: ArrayLike, mean: ArrayLike, ss_within: ArrayLike) -> float:
    """REML intraclass correlation ICC(1) of the one-way random-intercept model.

    .. math:: \\mathrm{ICC}(1) = \\frac{\\hat\\tau^2}{\\hat\\tau^2 + \\hat\\sigma^2}

    with the REML variance components of :func:`random_intercept_reml` (same parameters and
    errors). Never negative: :math:`\\hat\\tau^2` is bounded at 0.

    Checked against R lme4 1.1.31 (tests/golden/polychoric_effects_multilevel.R).
    """
    return random_intercept_reml(n, mean, ss_within).icc


def icc1_anova(
    n: ArrayLike,
    mean: ArrayLike,
    ss_within: ArrayLike,
    *,
    group_size: Literal["n0", "mean"] = "n0",
) -> float:
    """ANOVA (moment) estimator of ICC(1) from group summaries.

    .. math::
        \\mathrm{ICC}(1) = \\frac{MS_B - MS_W}{MS_B + (n^* - 1) MS_W}, \\quad
        MS_B = \\frac{\\sum_j n_j (\\bar y_j - \\bar y)^2}{J - 1}, \\quad
        MS_W = \\frac{SS_W}{N - J},

    with :math:`\\bar y = \\sum n_j \\bar y_j / N` and :math:`n^*` either
    :math:`n_0 = (N - \\sum n_j^2 / N) / (J - 1)` (``"n0"``, the unbiased one-way ANOVA
    estimator) or the mean group size :math:`N / J` (``"mean"``, as multilevel::ICC1). Both
    agree for balanced groups. May be negative.

    Parameters
    ----------
    n, mean, ss_within : array_like
        As :func:`random_intercept_reml`.
    group_size : {"n0", "mean"}, default "n0"

    Returns
    -------
    float

    Raises
    ------
    ValueError
        As :func:`random_intercept_reml`, or for an unknown ``group_size``.

    References
    ----------
    Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability.
    In K. J. Klein & S. W. Kozlowski (Eds.), *Multilevel Theory, Research, and Methods in
    Organizations* (pp. 349–381). Jossey-Bass.

    Checked against R stats::aov mean squares (tests/golden/polychoric_effects_multilevel.R).
    """
    if group_size not in ("n0", "mean"):
        raise ValueError('group_size must be "n0" or "mean"')
    nn, mm, ss, _ = _summaries(n, mean, ss_within)
    keep = nn > 0
    nj, mj = nn[keep], mm[keep]
    n_groups, n_obs = nj.size, float(nj.sum())
    if n_groups < 2:
        raise ValueError("need at least two groups with observations")
    if n_obs <= n_groups:
        raise ValueError("need more observations than groups (some group with n >= 2)")
    grand = float((nj * mj).sum() / n_obs)
    msb = float((nj * (mj - grand) ** 2).sum()) / (n_groups - 1)
    msw = float(ss[keep].sum()) / (n_obs - n_groups)
    if group_size == "n0":
        size = (n_obs - float((nj * nj).sum()) / n_obs) / (n_groups - 1)
    else:
        size = n_obs / n_groups
    denom = msb + (size - 1.0) * msw
    if denom <= 0:
        raise ValueError("the outcome has no variance")
    return (msb - msw) / denom


def shrunken_means(
    n: ArrayLike, mean: ArrayLike, ss_within: ArrayLike, *, confidence: float = 0.95
) -> pd.DataFrame:
    """Empirical-Bayes (BLUP) group means of the one-way random-intercept model.

    .. math::
        \\tilde y_j = \\hat\\mu + \\lambda_j (\\bar y_j - \\hat\\mu), \\quad
        \\lambda_j = \\frac{\\hat\\tau^2}{\\hat\\tau^2 + \\hat\\sigma^2 / n_j}, \\quad
        SE_j = \\sqrt{\\hat\\tau^2 (1 - \\lambda_j)}, \\quad
        \\text{CI} = \\tilde y_j \\pm z_{(1+c)/2} SE_j,

    with the REML estimates of :func:`random_intercept_reml`. :math:`SE_j` is the conditional
    standard deviation of :math:`u_j` given the data and :math:`\\hat\\mu` (lme4's
    ``condVar``); it ignores the uncertainty of :math:`\\hat\\mu` and of the variances.

    Parameters
    ----------
    n, mean, ss_within : array_like
        As :func:`random_intercept_reml`.
    confidence : float, default 0.95
        Level of the normal interval.

    Returns
    -------
    pandas.DataFrame
        One row per group (index of the pandas inputs, else ``0..J-1``) with columns ``n``,
        ``mean``, ``shrunken_mean``, ``se``, ``ci_low``, ``ci_high``; NaN for groups with
        ``n == 0``.

    Raises
    ------
    ValueError
        As :func:`random_intercept_reml`, or if ``confidence`` is not in (0, 1).

    References
    ----------
    Raudenbush, S. W. & Bryk, A. S. (2002). *Hierarchical Linear Models* (2nd ed.), ch. 3.
    Sage.

    Checked against R lme4 1.1.31 ``fixef + ranef`` and ``condVar``
    (tests/golden/polychoric_effects_multilevel.R).
    """
    if not (0.0 < confidence < 1.0):
        raise ValueError("confidence must lie strictly between 0 and 1")
    nn, mm, ss, index = _summaries(n, mean, ss_within)
    fit, theta = _fit(nn, mm, ss)
    keep = nn > 0
    lam = np.full(nn.shape, np.nan)
    lam[keep] = nn[keep] * theta / (1.0 + nn[keep] * theta)
    mean_out = np.where(keep, mm, np.nan)
    shrunk = fit.grand_mean + lam * (mean_out - fit.grand_mean)
    se = np.sqrt(fit.tau2 / np.where(keep, 1.0 + nn * theta, np.nan))  # tau2 (1 - lambda)
    z = float(ndtri((1.0 + confidence) / 2.0))
    return pd.DataFrame(
        {
            "n": nn,
            "mean": mean_out,
            "shrunken_mean": shrunk,
            "se": se,
            "ci_low": shrunk - z * se,
            "ci_high": shrunk + z * se,
        },
        index=index,
    )
