"""Change over time from summary statistics: the minimal detectable change of a difference of
two independent means, and the weighted linear trend of a series of means.

Both take standard errors (SD/√n of each wave's mean), so they work on the published
summaries of anonymous waves (independent samples). The Welch difference and Hedges' g of
two waves are :func:`~learnsurvey.stats.effects.welch_difference` and
:func:`~learnsurvey.stats.effects.hedges_g`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri

__all__ = ["TREND_COLUMNS", "minimal_detectable_change", "weighted_trend"]

FloatArray = NDArray[np.float64]

TREND_COLUMNS = [
    "n_points",
    "slope",
    "se",
    "ci_low",
    "ci_high",
    "intercept",
    "intercept_se",
    "q",
    "df",
]
"""The columns of :func:`weighted_trend`, in order."""


def _numeric(value: ArrayLike, what: str) -> FloatArray:
    arr = np.asarray(value)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"{what} must be numeric")
    return np.asarray(arr, dtype=np.float64)


def _probability(value: float, what: str) -> float:
    if not (0.0 < value < 1.0):
        raise ValueError(f"{what} must lie strictly between 0 and 1, not {value}")
    return float(value)


def minimal_detectable_change(
    se_a: ArrayLike, se_b: ArrayLike, *, alpha: float = 0.05, power: float = 0.8
) -> FloatArray:
    """The smallest true difference between two independent means that a two-sided test at
    level ``alpha`` detects with probability ``power``.

    .. math::
        \\mathrm{MDC} = \\left(z_{1-\\alpha/2} + z_{\\text{power}}\\right)
            \\sqrt{\\mathrm{SE}_a^2 + \\mathrm{SE}_b^2}

    with :math:`z_p` the standard normal quantile (2.8016 for the defaults). The
    multiplier is Bloom's (1995) for a normal test statistic; the far tail's tiny share of
    the power is ignored, as there. Element-wise (the arguments broadcast together).

    Parameters
    ----------
    se_a, se_b : array_like
        Standard errors of the two means (e.g. SD/√n of each wave's mean).
    alpha : float, default 0.05
        Two-sided significance level.
    power : float, default 0.8
        Probability of detecting a true difference of this size.

    Returns
    -------
    numpy.ndarray
        The MDC, in the units of the means; NaN where either SE is NaN. Always at least 1-d.

    Raises
    ------
    ValueError
        If an SE is negative or not numeric, the inputs cannot be broadcast together, or
        ``alpha`` or ``power`` is not in (0, 1).

    References
    ----------
    Bloom, H. S. (1995). Minimum detectable effects: a simple way to report the statistical
    power of experimental designs. *Evaluation Review* 19(5), 547–556.

    Checked against R 4.2 (``(qnorm(1 - alpha/2) + qnorm(power)) * sqrt(se_a^2 + se_b^2)``
    on a grid of SEs, levels and powers, and ``pnorm`` of the test at the MDC giving back
    ``power``; tests/golden/trend_mdc.R).

    Examples
    --------
    >>> from learnsurvey.stats.trend import minimal_detectable_change
    >>> minimal_detectable_change(0.05, 0.06).round(4)
    array([0.2188])
    """
    alpha = _probability(alpha, "alpha")
    power = _probability(power, "power")
    a, b = _numeric(se_a, "se_a"), _numeric(se_b, "se_b")
    try:
        a, b = np.broadcast_arrays(a, b)
    except ValueError as err:
        raise ValueError(f"inputs cannot be broadcast together: {err}") from None
    with np.errstate(invalid="ignore"):
        if np.any(a < 0) or np.any(b < 0):
            raise ValueError("standard errors must be non-negative")
    multiplier = float(ndtri(1.0 - alpha / 2.0) + ndtri(power))
    return np.atleast_1d(multiplier * np.sqrt(a**2 + b**2))


def _series(x: ArrayLike, means: ArrayLike, ses: ArrayLike) -> tuple[FloatArray, ...]:
    """The inputs as (series × points) arrays."""
    y, s = _numeric(means, "means"), _numeric(ses, "ses")
    if y.ndim not in (1, 2) or y.shape != s.shape:
        raise ValueError("means and ses must be 1-d or 2-d arrays of the same shape")
    y, s = np.atleast_2d(y), np.atleast_2d(s)
    xs = _numeric(x, "x")
    try:
        xs = np.broadcast_to(np.atleast_2d(xs), y.shape)
    except ValueError:
        raise ValueError("x must have one value per point (or per series and point)") from None
    if not np.all(np.isfinite(xs)):
        raise ValueError("x must be finite")
    with np.errstate(invalid="ignore"):
        if np.any(s <= 0):
            raise ValueError("standard errors must be positive (NaN marks a missing point)")
    return xs, y, s


def weighted_trend(
    x: ArrayLike, means: ArrayLike, ses: ArrayLike, *, confidence: float = 0.95
) -> pd.DataFrame:
    """The fixed-effect (inverse-variance weighted) linear trend of means on ``x``.

    The weighted least-squares line through the points :math:`(x_i, y_i)` with weights
    :math:`w_i = 1/\\mathrm{SE}_i^2`, the SEs taken as known (fixed-effect meta-regression):

    .. math::
        \\bar x_w = \\frac{\\sum w_i x_i}{\\sum w_i}, \\quad
        \\hat\\beta = \\frac{\\sum w_i (x_i - \\bar x_w)(y_i - \\bar y_w)}
            {\\sum w_i (x_i - \\bar x_w)^2}, \\quad
        \\mathrm{SE}(\\hat\\beta) = \\Big(\\sum w_i (x_i - \\bar x_w)^2\\Big)^{-1/2},

    .. math::
        \\hat\\alpha = \\bar y_w - \\hat\\beta \\bar x_w, \\quad
        \\mathrm{SE}(\\hat\\alpha) = \\sqrt{1/\\textstyle\\sum w_i + \\bar x_w^2
            / \\sum w_i (x_i - \\bar x_w)^2}, \\quad
        Q = \\sum w_i (y_i - \\hat\\alpha - \\hat\\beta x_i)^2 \\ (k - 2 \\text{ df}),

    and the normal interval :math:`\\hat\\beta \\pm z_{(1+c)/2}\\,\\mathrm{SE}(\\hat\\beta)`.
    With ``x`` the wave's position (0, 1, 2, …) the slope is the change per wave.

    Parameters
    ----------
    x : array_like
        The points' positions: one per point (shared by every series), or one per series
        and point.
    means, ses : array_like
        One series (1-d) or several (2-d, one row per series) of means and their standard
        errors. NaN in either marks a missing point, left out of its series.
    confidence : float, default 0.95
        Level of the interval.

    Returns
    -------
    pandas.DataFrame
        One row per series, columns :data:`TREND_COLUMNS`: the points used, the slope, its
        SE and interval, the intercept (at x = 0) and its SE, Q and its degrees of freedom.
        NaN (``n_points`` still given) for a series with fewer than two distinct ``x``.

    Raises
    ------
    ValueError
        If the inputs are not numeric, have mismatched shapes, ``x`` is not finite, an SE is
        zero or negative, or ``confidence`` is not in (0, 1).

    References
    ----------
    Borenstein, M., Hedges, L. V., Higgins, J. P. T. & Rothstein, H. R. (2009).
    *Introduction to Meta-Analysis*, ch. 20 (meta-regression, fixed-effect model). Wiley.

    Checked against R metafor 3.8.1 (``rma(yi, sei = se, mods = ~ x, method = "FE")``:
    slope, SE, 95% and 90% CIs, intercept and its SE, QE and its df) and
    ``lm(y ~ x, weights = 1 / se^2)`` (the same point estimates) at 1e-8, on ``dat.bcg``
    (by latitude and by year), ``dat.molloy2014`` (by mean age) and a synthetic series of
    wave means with a wave missing (tests/golden/trend_mdc.R).

    Examples
    --------
    >>> from learnsurvey.stats.trend import weighted_trend
    >>> weighted_trend([0, 1, 2], [3.1, 3.2, 3.4], [0.05, 0.05, 0.1])[["slope", "se"]].round(4)
        slope    se
    0  0.1333  0.05
    """
    _probability(confidence, "confidence")
    xs, y, s = _series(x, means, ses)
    ok = np.isfinite(y) & np.isfinite(s)
    w = np.where(ok, 1.0 / np.where(ok, s, 1.0) ** 2, 0.0)
    x0, y0 = np.where(ok, xs, 0.0), np.where(ok, y, 0.0)
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        x_bar = (w * x0).sum(axis=1) / total
        y_bar = (w * y0).sum(axis=1) / total
        dx = np.where(ok, x0 - x_bar[:, None], 0.0)
        sxx = (w * dx**2).sum(axis=1)
        spread = np.where(ok, xs, -np.inf).max(axis=1) - np.where(ok, xs, np.inf).min(axis=1)
        fit = np.nan_to_num(spread) > 0  # two distinct x at least (no points: -inf - inf)
        sxx = np.where(fit, sxx, np.nan)
        slope = (w * dx * (y0 - y_bar[:, None])).sum(axis=1) / sxx
        se = 1.0 / np.sqrt(sxx)
        intercept = y_bar - slope * x_bar
        intercept_se = np.sqrt(1.0 / total + x_bar**2 / sxx)
        residual = np.where(ok, y0 - intercept[:, None] - slope[:, None] * x0, 0.0)
        q = np.where(fit, (w * residual**2).sum(axis=1), np.nan)
    n_points = ok.sum(axis=1)
    z = float(ndtri((1.0 + confidence) / 2.0))
    return pd.DataFrame(
        {
            "n_points": n_points.astype(np.int64),
            "slope": slope,
            "se": se,
            "ci_low": slope - z * se,
            "ci_high": slope + z * se,
            "intercept": intercept,
            "intercept_se": intercept_se,
            "q": q,
            "df": np.where(fit, n_points - 2, np.nan),
        },
        columns=TREND_COLUMNS,
    )
