"""Polychoric correlations from item-pair contingency tables, and Pearson's r with its
Fisher-z interval.

Only mergeable counts are needed for the polychoric: ``tables[i, j, a, b]``, the number of
respondents who answered category ``a`` on item ``i`` and ``b`` on item ``j`` (see
:class:`learnsurvey.stats.moments.CategoryTables`). :func:`pearson` takes two columns of
paired values (e.g. school means and an outcome measure, one pair per school).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri, stdtr

from ._bvn import bvn_cdf, bvn_pdf

__all__ = ["Pearson", "Polychoric", "cov_to_corr", "pearson", "polychoric"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# The correlation is searched in [-_RHO_BOUND, _RHO_BOUND] (the density, used for the score,
# needs |rho| < 1).
_RHO_BOUND = 1.0 - 1e-6
_STEP_TOL = 1e-12
_MAX_ITER = 100


@dataclass(frozen=True)
class Polychoric:
    """Result of :func:`polychoric`.

    Attributes
    ----------
    rho : numpy.ndarray
        ``p x p`` polychoric correlation matrix, unit diagonal; NaN for pairs that could not
        be estimated (an item nobody answered or with a single category used, or a pair with
        no respondent in common).
    thresholds : numpy.ndarray
        ``p x (K-1)`` thresholds of each item, :math:`\\tau_{ia} = \\Phi^{-1}(\\text{proportion
        answering} \\le a)`; ``-inf`` / ``+inf`` (or repeated values) for unused categories.
    """

    rho: FloatArray
    thresholds: FloatArray


def _validate_tables(tables: ArrayLike) -> FloatArray:
    t = np.asarray(tables)
    if t.dtype == np.bool_ or not np.issubdtype(t.dtype, np.number):
        raise ValueError("tables must be a numeric array of counts")
    t = np.asarray(t, dtype=np.float64)
    if t.ndim != 4 or t.shape[0] != t.shape[1] or t.shape[2] != t.shape[3]:
        raise ValueError(f"tables must have shape (p, p, K, K), not {t.shape}")
    if t.shape[0] < 1 or t.shape[2] < 2:
        raise ValueError("tables need at least one item and two categories")
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ValueError("tables must hold finite, non-negative counts")
    if not np.array_equal(t, t.transpose(1, 0, 3, 2)):
        raise ValueError("tables must be symmetric: tables[j, i] == tables[i, j].T")
    idx = np.arange(t.shape[0])
    diag_blocks = t[idx, idx]
    off = ~np.eye(t.shape[2], dtype=bool)
    if np.any(diag_blocks[:, off] != 0):
        raise ValueError("tables[i, i] must be diagonal (item i's category counts)")
    return t


def _thresholds(counts: FloatArray) -> FloatArray:
    """``qnorm(cumsum(counts) / n)`` without the last, along the last axis; NaN if n == 0."""
    n = counts.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        cum = np.cumsum(counts, axis=-1)[..., :-1] / n
    out: FloatArray = ndtri(cum)
    return out


def _diff2(grid: FloatArray) -> FloatArray:
    """Cell masses from corner values: ``G[a+1,b+1] - G[a,b+1] - G[a+1,b] + G[a,b]``."""
    out: FloatArray = grid[:, 1:, 1:] - grid[:, :-1, 1:] - grid[:, 1:, :-1] + grid[:, :-1, :-1]
    return out


def _score(
    rho: FloatArray, counts: FloatArray, x: FloatArray, y: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """First and second derivatives in rho of the multinomial log-likelihood, per pair.

    ``x`` and ``y`` are the (m, K+1, 1) and (m, 1, K+1) cut points (with ±inf ends).
    """
    r = rho[:, None, None]
    xg, yg, rg = np.broadcast_arrays(x, y, r)
    cdf = bvn_cdf(xg, yg, rg)
    pdf = bvn_pdf(xg, yg, rg)  # d cdf / d rho (Plackett), zero at infinite corners
    finite = np.isfinite(xg) & np.isfinite(yg)
    one_m = 1.0 - rg * rg
    xf = np.where(finite, xg, 0.0)
    yf = np.where(finite, yg, 0.0)
    xy = xf * yf
    sq = xf * xf + yf * yf
    dlog = rg / one_m + (xy * (1.0 + rg * rg) - rg * sq) / (one_m * one_m)
    prob = _diff2(cdf)
    d1 = _diff2(pdf)
    d2 = _diff2(pdf * dlog)
    # As psych::polyF: cells of zero modelled probability drop out of the likelihood.
    use = (counts > 0) & (prob > 0)
    safe = np.where(use, prob, 1.0)
    ratio = np.where(use, d1 / safe, 0.0)
    score = np.sum(counts * ratio, axis=(1, 2))
    hess = np.sum(np.where(use, counts * (d2 / safe - ratio * ratio), 0.0), axis=(1, 2))
    return score, hess


def _fit_rho(counts: FloatArray, row_tau: FloatArray, col_tau: FloatArray) -> FloatArray:
    """Maximum-likelihood correlation of each (K x K) table given fixed thresholds.

    Safeguarded Newton–Raphson on the score, vectorised over pairs: the bracket
    ``[lo, hi]`` is narrowed by the sign of the score; a Newton step outside it (or taken
    where the log-likelihood is not concave) is replaced by bisection.
    """
    m = counts.shape[0]
    inf_col = np.full((m, 1), np.inf)
    x = np.concatenate([-inf_col, row_tau, inf_col], axis=1)[:, :, None]
    y = np.concatenate([-inf_col, col_tau, inf_col], axis=1)[:, None, :]
    rho = np.zeros(m)
    lo = np.full(m, -_RHO_BOUND)
    hi = np.full(m, _RHO_BOUND)
    active = np.arange(m)
    for _ in range(_MAX_ITER):
        if active.size == 0:
            break
        r = rho[active]
        score, hess = _score(r, counts[active], x[active], y[active])
        lo_a = np.where(score > 0, r, lo[active])
        hi_a = np.where(score < 0, r, hi[active])
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = r - score / hess
        ok = (hess < 0) & np.isfinite(newton) & (newton > lo_a) & (newton < hi_a)
        new = np.where(ok, newton, (lo_a + hi_a) / 2.0)
        done = (np.abs(new - r) < _STEP_TOL) | (score == 0) | (hi_a - lo_a < _STEP_TOL)
        rho[active] = np.where(score == 0, r, new)
        lo[active], hi[active] = lo_a, hi_a
        active = active[~done]
    return rho


def _pairwise_inputs(
    pair_counts: FloatArray, correct: float
) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray]:
    """psych's ``global = FALSE`` route: per-pair thresholds from the (corrected) table.

    As psych:::polyc: empty rows and columns of the pair's table are dropped, then (if
    ``correct > 0``) every empty cell left gets ``correct`` respondents; the thresholds come
    from the corrected table's margins divided by the uncorrected total. A dropped category
    is kept here as a zero-width category, which is the same likelihood.
    """
    tot = pair_counts.sum(axis=(1, 2))
    row_used = pair_counts.sum(axis=2) > 0
    col_used = pair_counts.sum(axis=1) > 0
    kept = row_used[:, :, None] & col_used[:, None, :]
    if correct > 0:
        counts = np.where(kept & (pair_counts == 0), correct, pair_counts)
    else:
        counts = pair_counts.copy()
    ok = (tot > 0) & (row_used.sum(axis=1) >= 2) & (col_used.sum(axis=1) >= 2)
    safe_tot = np.where(tot > 0, tot, 1.0)[:, None]

    def cuts(margin: FloatArray, used: BoolArray) -> FloatArray:
        cum = np.cumsum(margin, axis=1)[:, :-1] / safe_tot
        # Past the last used category the cut is +inf (psych drops those categories).
        last = used.shape[1] - 1 - np.argmax(used[:, ::-1], axis=1)
        after_last = np.arange(used.shape[1] - 1)[None, :] >= last[:, None]
        with np.errstate(invalid="ignore"):
            tau: FloatArray = np.where(after_last, np.inf, ndtri(cum))
        return tau

    row_tau = cuts(counts.sum(axis=2), row_used)
    col_tau = cuts(counts.sum(axis=1), col_used)
    ok &= ~np.any(np.isnan(row_tau), axis=1) & ~np.any(np.isnan(col_tau), axis=1)
    return counts, row_tau, col_tau, ok


def _cor_smooth(r: FloatArray, eig_tol: float = 1e-12) -> FloatArray:
    """psych::cor.smooth: if not positive definite, raise small eigenvalues and rescale."""
    values, vectors = np.linalg.eigh(r)
    if values.min() >= np.finfo(np.float64).eps:
        return r
    values = np.where(values < eig_tol, 100.0 * eig_tol, values)
    values = values * r.shape[0] / values.sum()
    smoothed = (vectors * values) @ vectors.T
    return cov_to_corr((smoothed + smoothed.T) / 2.0)


def polychoric(
    tables: ArrayLike,
    *,
    correct: float = 0.5,
    global_thresholds: bool | None = None,
    smooth: bool = True,
) -> Polychoric:
    """Polychoric correlation matrix from item-pair contingency tables.

    Each item is taken to be a latent standard normal variable cut at thresholds
    :math:`\\tau_{i1} < \\dots < \\tau_{i,K-1}`. With the thresholds fixed, the correlation
    of items :math:`i, j` maximises the multinomial log-likelihood of their table
    :math:`n_{ab}`:

    .. math:: \\ell(\\rho) = \\sum_{a,b} n_{ab} \\log P_{ab}(\\rho), \\quad
              P_{ab} = \\Phi_2(\\tau_{i,a+1}, \\tau_{j,b+1}; \\rho)
                     - \\Phi_2(\\tau_{i,a}, \\tau_{j,b+1}; \\rho)
                     - \\Phi_2(\\tau_{i,a+1}, \\tau_{j,b}; \\rho)
                     + \\Phi_2(\\tau_{i,a}, \\tau_{j,b}; \\rho),

    with :math:`\\tau_{i0} = -\\infty`, :math:`\\tau_{iK} = \\infty`. The maximum is found by
    safeguarded Newton–Raphson (score and Hessian from Plackett's identity
    :math:`\\partial\\Phi_2/\\partial\\rho = \\phi_2`), vectorised over all pairs.

    Parameters
    ----------
    tables : array_like, shape (p, p, K, K)
        ``tables[i, j, a, b]``: respondents answering category ``a`` on item ``i`` and ``b``
        on item ``j`` (pairwise complete); ``tables[i, i]`` is diagonal with item ``i``'s
        category counts (everyone who answered it).
    correct : float, default 0.5
        Continuity correction: in the pairwise-threshold route only (as psych), empty cells
        of a pair's table (after dropping empty rows and columns) count as ``correct``
        respondents. Ignored with global thresholds, as in psych. ``0`` disables it.
    global_thresholds : bool or None, default None
        ``True``: each item's thresholds come from its own marginal counts over everyone who
        answered it, :math:`\\tau_{ia} = \\Phi^{-1}(\\sum_{c \\le a} n_{ic} / n_i)` (psych's
        ``global = TRUE``). ``False``: thresholds from each pair's (corrected) table.
        ``None`` follows psych: global unless the items' highest used category differs,
        in which case psych switches to ``global = FALSE``.
    smooth : bool, default True
        As psych's ``smooth = TRUE``: a matrix that is not positive definite is smoothed by
        raising eigenvalues below 1e-12 (psych::cor.smooth). Skipped if any pair is NaN.

    Returns
    -------
    Polychoric
        ``rho`` (p x p, unit diagonal) and the global ``thresholds`` (p x (K-1)).

    Raises
    ------
    ValueError
        If ``tables`` is not a symmetric (p, p, K, K) array of finite non-negative counts with
        diagonal ``tables[i, i]``, or ``correct`` is negative.

    Notes
    -----
    Replicates ``psych::polychoric(x)`` with its defaults. Deviations: psych maximises with
    ``optimize`` (tolerance about 1e-4 in rho) whereas this converges to the exact maximum
    (steps below 1e-12); psych drops items with no variance, here their pairs are NaN; a
    maximum on the boundary (e.g. a 2 x 2 table with an empty cell) stops where the
    likelihood is flat to machine precision, near but within ±(1 - 1e-6), where psych too
    returns an arbitrary value near ±1. Empty categories give repeated or infinite
    thresholds, i.e. categories of zero width, which is psych's collapsing of them.

    References
    ----------
    Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
    coefficient. *Psychometrika*, 44, 443–460.

    Revelle, W. (2022). *psych: Procedures for Psychological, Psychometric, and Personality
    Research*. R package version 2.2.9.

    Checked against R psych 2.2.9 (tests/golden/polychoric_effects_multilevel.R).

    Examples
    --------
    >>> import numpy as np
    >>> from learnsurvey.stats.correlation import polychoric
    >>> t = np.zeros((2, 2, 2, 2))
    >>> t[0, 1] = [[40, 10], [10, 40]]
    >>> t[1, 0] = t[0, 1].T
    >>> t[0, 0] = t[1, 1] = np.diag([50, 50])
    >>> round(float(polychoric(t).rho[0, 1]), 4)
    0.809
    """
    t = _validate_tables(tables)
    if not np.isfinite(correct) or correct < 0:
        raise ValueError("correct must be a finite number >= 0")
    p, k = t.shape[0], t.shape[2]
    idx = np.arange(p)
    item_counts = np.diagonal(t[idx, idx], axis1=1, axis2=2)  # (p, K)
    thresholds = _thresholds(item_counts)
    used = item_counts > 0
    good_item = used.sum(axis=1) >= 2  # answered, and in more than one category

    if global_thresholds is None:
        top = k - 1 - np.argmax(used[:, ::-1], axis=1)
        global_thresholds = bool(np.unique(top[good_item]).size <= 1)

    rho = np.eye(p)
    iu, ju = np.triu_indices(p, k=1)
    if iu.size:
        pair_counts = t[iu, ju]
        ok = good_item[iu] & good_item[ju] & (pair_counts.sum(axis=(1, 2)) > 0)
        if global_thresholds:
            counts, row_tau, col_tau = pair_counts, thresholds[iu], thresholds[ju]
        else:
            counts, row_tau, col_tau, ok_pair = _pairwise_inputs(pair_counts, correct)
            ok &= ok_pair
        values = np.full(iu.size, np.nan)
        if np.any(ok):
            values[ok] = _fit_rho(counts[ok], row_tau[ok], col_tau[ok])
        rho[iu, ju] = values
        rho[ju, iu] = values
    if smooth and not np.any(np.isnan(rho)):
        rho = _cor_smooth(rho)
    return Polychoric(rho=rho, thresholds=thresholds)


def cov_to_corr(cov: ArrayLike) -> FloatArray:
    """Correlation matrix from a covariance matrix (R's ``cov2cor``).

    .. math:: R = D^{-1/2} \\Sigma D^{-1/2}, \\quad D = \\operatorname{diag}(\\Sigma)

    Parameters
    ----------
    cov : array_like, shape (p, p)
        Symmetric matrix with positive diagonal (NaN off-diagonal entries propagate).

    Returns
    -------
    numpy.ndarray
        The correlation matrix, with an exactly unit diagonal.

    Raises
    ------
    ValueError
        If ``cov`` is not square, not symmetric, or has a diagonal entry that is not a
        positive finite number.

    Notes
    -----
    Checked against R stats::cov2cor via psych::cor.smooth (tests/stats/test_correlation.py).
    """
    c = np.asarray(cov, dtype=np.float64)
    if c.ndim != 2 or c.shape[0] != c.shape[1]:
        raise ValueError(f"cov must be a square matrix, not shape {c.shape}")
    d = np.diagonal(c)
    if not np.all(np.isfinite(d)) or np.any(d <= 0):
        raise ValueError("cov must have a positive, finite diagonal")
    if not np.allclose(c, c.T, rtol=1e-10, atol=0.0, equal_nan=True):
        raise ValueError("cov must be symmetric")
    s = 1.0 / np.sqrt(d)
    out: FloatArray = c * s[:, None] * s[None, :]
    np.fill_diagonal(out, 1.0)
    return out


@dataclass(frozen=True)
class Pearson:
    """Result of :func:`pearson` (NaN where a figure cannot be computed)."""

    n: int
    """Complete pairs used."""
    r: float
    ci_low: float
    ci_high: float
    t: float
    df: int
    p: float
    """Two-sided p-value of the t test of r = 0."""


def pearson(x: ArrayLike, y: ArrayLike, *, confidence: float = 0.95) -> Pearson:
    """Pearson's product-moment correlation with its Fisher-z confidence interval and the
    t test of no correlation (R's ``cor.test(x, y)``).

    .. math::

        r = \\frac{\\sum (x_i - \\bar x)(y_i - \\bar y)}
                 {\\sqrt{\\sum (x_i - \\bar x)^2 \\sum (y_i - \\bar y)^2}}, \\qquad
        t = r \\sqrt{\\frac{n - 2}{1 - r^2}} \\sim t_{n-2}

    and the interval :math:`\\tanh\\bigl(\\operatorname{artanh} r \\pm z_{1-\\alpha/2} /
    \\sqrt{n - 3}\\bigr)` (Fisher, 1921), which needs :math:`n \\ge 4`.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Paired values; a pair with a missing (NaN) value on either side is left out
        (complete cases, as ``cor.test`` does).
    confidence : float
        The level of the interval, in (0, 1).

    Returns
    -------
    Pearson
        ``n`` complete pairs, ``r``, the interval, ``t`` with ``df = n − 2`` and the
        two-sided ``p``. r is NaN when either variable is constant; the interval is NaN for
        fewer than four pairs.

    Raises
    ------
    ValueError
        If ``x`` and ``y`` are not one-dimensional of the same length, hold infinite
        values, leave fewer than three complete pairs, or ``confidence`` is not in (0, 1).

    Notes
    -----
    Fisher, R. A. (1921), On the "probable error" of a coefficient of correlation deduced
    from a small sample, *Metron* 1, 3–32. Checked against R ``stats::cor.test`` on
    ``datasets::swiss`` and ``datasets::mtcars`` (tests/golden/outcomes_cor.R,
    tests/stats/test_correlation.py).
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    a = np.asarray(x, dtype=np.float64)
    b = np.asarray(y, dtype=np.float64)
    if a.ndim != 1 or b.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"x and y must be one-dimensional of one length, not {a.shape}, {b.shape}")
    if np.any(np.isinf(a)) or np.any(np.isinf(b)):
        raise ValueError("x and y must not hold infinite values")
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    n = int(a.size)
    if n < 3:
        raise ValueError(f"a correlation needs at least 3 complete pairs, not {n}")
    da, db = a - a.mean(), b - b.mean()
    ss = float(np.sqrt(np.sum(da * da) * np.sum(db * db)))
    r = float(np.clip(np.sum(da * db) / ss, -1.0, 1.0)) if ss > 0 else float("nan")
    df = n - 2
    with np.errstate(divide="ignore", invalid="ignore"):
        t = float(r * np.sqrt(df / (1.0 - r * r)))
    # t's survival function is stdtr(df, −t), as scipy.stats.t.sf computes it: importing
    # scipy.stats would cost every process that reaches this module a third of a second.
    p = float(2.0 * stdtr(df, -abs(t))) if np.isfinite(r) else float("nan")
    low = high = float("nan")
    if n >= 4 and np.isfinite(r):
        z = float(np.arctanh(r))
        half = float(ndtri(0.5 + confidence / 2.0)) / np.sqrt(n - 3)
        low, high = float(np.tanh(z - half)), float(np.tanh(z + half))
    return Pearson(n=n, r=r, ci_low=low, ci_high=high, t=t, df=df, p=p)
