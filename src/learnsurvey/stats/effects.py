"""Effect sizes and intervals from group summary statistics: Hedges' g, the Welch difference of
two means and the t interval of one mean."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.special import gammaln, ndtri, stdtrit

__all__ = ["hedges_g", "mean_interval", "welch_difference"]

FloatArray = NDArray[np.float64]


def _index_of(args: tuple[ArrayLike, ...], size: int) -> pd.Index:
    index: pd.Index | None = None
    for a in args:
        if isinstance(a, pd.Series):
            own = a.index
            if index is None:
                index = own
            elif not index.equals(own):
                raise ValueError("pandas inputs must share the same index")
    if index is None or len(index) != size:
        return pd.RangeIndex(size)
    return index


def _broadcast(*args: ArrayLike) -> tuple[FloatArray, ...]:
    arrays = []
    for a in args:
        arr = np.asarray(a)
        if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.number):
            raise ValueError("inputs must be numeric")
        arrays.append(np.asarray(arr, dtype=np.float64))
    try:
        out = np.broadcast_arrays(*arrays)
    except ValueError as err:
        raise ValueError(f"inputs cannot be broadcast together: {err}") from None
    if out[0].ndim > 1:
        raise ValueError("inputs must be scalars or 1-d arrays")
    return tuple(np.atleast_1d(np.array(a, dtype=np.float64)) for a in out)


def _small_sample_factor(df: FloatArray) -> FloatArray:
    """Exact J(df) = Γ(df/2) / (√(df/2) Γ((df-1)/2)); NaN for df <= 1."""
    out = np.full(df.shape, np.nan)
    ok = df > 1
    d = df[ok]
    out[ok] = np.exp(gammaln(d / 2.0) - 0.5 * np.log(d / 2.0) - gammaln((d - 1.0) / 2.0))
    return out


def hedges_g(
    n_a: ArrayLike,
    mean_a: ArrayLike,
    sd_a: ArrayLike,
    n_b: ArrayLike,
    mean_b: ArrayLike,
    sd_b: ArrayLike,
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Hedges' g (bias-corrected standardised mean difference) from summary statistics.

    .. math::
        s_p = \\sqrt{\\frac{(n_a - 1) s_a^2 + (n_b - 1) s_b^2}{n_a + n_b - 2}}, \\quad
        g = J(\\nu) \\frac{\\bar x_a - \\bar x_b}{s_p}, \\quad
        J(\\nu) = \\frac{\\Gamma(\\nu/2)}{\\sqrt{\\nu/2}\\,\\Gamma((\\nu-1)/2)}, \\quad
        \\nu = n_a + n_b - 2,

    .. math::
        \\widehat{\\operatorname{Var}}(g) = \\frac{1}{n_a} + \\frac{1}{n_b}
            + \\frac{g^2}{2(n_a + n_b)}, \\quad
        \\text{CI} = g \\pm z_{(1+c)/2} \\sqrt{\\widehat{\\operatorname{Var}}(g)}.

    Vectorised over comparisons (the arguments broadcast together).

    Parameters
    ----------
    n_a, mean_a, sd_a : array_like
        Size, mean and standard deviation (``n - 1`` denominator) of group A.
    n_b, mean_b, sd_b : array_like
        The same for group B. A positive ``g`` means A scores higher.
    confidence : float, default 0.95
        Level of the normal-theory confidence interval.

    Returns
    -------
    pandas.DataFrame
        One row per comparison with columns ``hedges_g``, ``se``, ``ci_low``, ``ci_high``;
        indexed like the pandas inputs (if any), else ``0..m-1``. Rows with ``n_a < 2`` or
        ``n_b < 2``, a zero pooled SD, or NaN inputs are NaN.

    Raises
    ------
    ValueError
        If inputs are not numeric or cannot be broadcast to one dimension, a size or SD is
        negative, pandas inputs have different indexes, or ``confidence`` is not in (0, 1).

    Notes
    -----
    The estimate and variance are metafor's ``escalc(measure = "SMD")`` with its default
    ``vtype = "LS"`` (Hedges, 1981, large-sample variance with the corrected ``g``), and the
    interval is that of ``summary.escalc``.

    References
    ----------
    Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size and
    related estimators. *Journal of Educational Statistics*, 6, 107–128.

    Checked against R metafor 3.8.1 (tests/golden/polychoric_effects_multilevel.R).

    Examples
    --------
    >>> from learnsurvey.stats.effects import hedges_g
    >>> hedges_g(20, 3.5, 1.0, 25, 3.0, 1.2).round(4)
       hedges_g      se  ci_low  ci_high
    0    0.4401  0.3036 -0.1548   1.0351
    """
    _check_confidence(confidence)
    args = (n_a, mean_a, sd_a, n_b, mean_b, sd_b)
    na, ma, sa, nb, mb, sb = _broadcast(*args)
    if np.any(na < 0) or np.any(nb < 0):
        raise ValueError("group sizes must be non-negative")
    if np.any(sa < 0) or np.any(sb < 0):
        raise ValueError("standard deviations must be non-negative")
    index = _index_of(args, na.size)

    df = na + nb - 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = np.sqrt(((na - 1.0) * sa**2 + (nb - 1.0) * sb**2) / df)
        ok = (na >= 2) & (nb >= 2) & (pooled > 0) & np.isfinite(pooled)
        ok &= np.isfinite(ma) & np.isfinite(mb)
    g = np.full(na.shape, np.nan)
    var = np.full(na.shape, np.nan)
    j = _small_sample_factor(df[ok])
    g[ok] = j * (ma[ok] - mb[ok]) / pooled[ok]
    n_tot = na[ok] + nb[ok]
    var[ok] = 1.0 / na[ok] + 1.0 / nb[ok] + g[ok] ** 2 / (2.0 * n_tot)
    se = np.sqrt(var)
    z = float(ndtri((1.0 + confidence) / 2.0))
    return pd.DataFrame(
        {"hedges_g": g, "se": se, "ci_low": g - z * se, "ci_high": g + z * se},
        index=index,
    )


def _check_confidence(confidence: float) -> None:
    if not (0.0 < confidence < 1.0):
        raise ValueError("confidence must lie strictly between 0 and 1")


def mean_interval(
    n: ArrayLike, mean: ArrayLike, sd: ArrayLike, *, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """The t-based confidence interval of a mean, from its group's summary statistics.

    .. math::
        \\bar x \\pm t_{n-1,(1+c)/2}\\, s / \\sqrt{n}

    (Student 1908). Element-wise over arrays of any shape (the arguments broadcast together).

    Parameters
    ----------
    n, mean, sd : array_like
        Size, mean and standard deviation (``n - 1`` denominator) of each group.
    confidence : float, default 0.95
        Level of the interval.

    Returns
    -------
    tuple of numpy.ndarray
        ``(low, high)``; NaN where a group has fewer than two members.

    Raises
    ------
    ValueError
        If ``confidence`` is not in (0, 1).

    References
    ----------
    Student (1908). The probable error of a mean. *Biometrika* 6, 1–25.
    """
    _check_confidence(confidence)
    n_, mean_, sd_ = (np.asarray(a, dtype=np.float64) for a in (n, mean, sd))
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stdtrit(np.where(n_ > 1, n_ - 1, np.nan), 0.5 + confidence / 2)
        half = t * sd_ / np.sqrt(n_)
    return mean_ - half, mean_ + half


def welch_difference(
    n_a: ArrayLike,
    mean_a: ArrayLike,
    sd_a: ArrayLike,
    n_b: ArrayLike,
    mean_b: ArrayLike,
    sd_b: ArrayLike,
    *,
    confidence: float = 0.95,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The difference of two means (A − B) with its Welch confidence interval.

    .. math::
        d = \\bar x_a - \\bar x_b, \\quad
        \\mathrm{SE} = \\sqrt{s_a^2/n_a + s_b^2/n_b}, \\quad
        \\nu = \\frac{\\mathrm{SE}^4}{(s_a^2/n_a)^2/(n_a - 1) + (s_b^2/n_b)^2/(n_b - 1)},
        \\quad \\text{CI} = d \\pm t_{\\nu,(1+c)/2}\\,\\mathrm{SE}

    with the Welch–Satterthwaite degrees of freedom, as R ``t.test(var.equal = FALSE)`` and
    ``scipy.stats.ttest_ind(equal_var=False)``. Element-wise (the arguments broadcast
    together).

    Parameters
    ----------
    n_a, mean_a, sd_a : array_like
        Size, mean and standard deviation (``n - 1`` denominator) of group A.
    n_b, mean_b, sd_b : array_like
        The same for group B. A positive difference means A scores higher.
    confidence : float, default 0.95
        Level of the interval.

    Returns
    -------
    tuple of numpy.ndarray
        ``(difference, low, high)``; all NaN where either group has fewer than two members.
        When neither group varies (SE 0) the difference is exact and the interval a point.

    Raises
    ------
    ValueError
        If ``confidence`` is not in (0, 1).

    References
    ----------
    Welch, B. L. (1947). The generalization of "Student's" problem when several different
    population variances are involved. *Biometrika* 34, 28–35.

    Satterthwaite, F. E. (1946). An approximate distribution of estimates of variance
    components. *Biometrics Bulletin* 2, 110–114.
    """
    _check_confidence(confidence)
    na, ma, sa, nb, mb, sb = (
        np.asarray(a, dtype=np.float64) for a in (n_a, mean_a, sd_a, n_b, mean_b, sd_b)
    )
    ok = (na > 1) & (nb > 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        va = np.where(ok, sa**2 / na, np.nan)
        vb = np.where(ok, sb**2 / nb, np.nan)
        se = np.sqrt(va + vb)
        df = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
        t = stdtrit(df, 0.5 + confidence / 2)
    diff = np.where(ok, ma - mb, np.nan)
    half = np.where(ok & (se == 0), 0.0, t * se)
    return diff, diff - half, diff + half
