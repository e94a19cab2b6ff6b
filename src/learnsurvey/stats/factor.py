"""Exploratory factor analysis of a correlation matrix, as ``psych::fa``.

Everything here starts from a correlation (or covariance) matrix, never from raw data: the
project builds pairwise-complete matrices from mergeable sufficient statistics elsewhere
(:mod:`learnsurvey.stats.moments`) and hands them to these functions.

The numerical recipe deliberately follows R's psych package step by step, so that results
agree with ``psych::fa(r, nfactors, fm=, rotate=)`` to optimiser precision rather than merely
to the same optimum:

* minres and ml uniquenesses are fitted by L-BFGS-B from ``1 - SMC`` with psych's settings
  (bounds ``[0.005, 1]``, ``parscale = 0.01``, ``factr = 1e7``, ``lmm = 5``, ``maxit = 100``)
  and psych's objective and gradient functions;
* oblimin is the gradient-projection algorithm of GPArotation (statsmodels' implementation of
  the same algorithm, with GPArotation's defaults);
* varimax is R's ``stats::varimax`` (Kaiser-normalised, stopping when the criterion improves
  by less than a relative ``1e-5``); promax is psych's ``kaiser(, "Promax")``;
* finally columns are reflected so that each column of loadings sums positive and sorted by
  the variance each factor accounts for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from statsmodels.multivariate.factor_rotation import rotate_factors

__all__ = ["FactorSolution", "factor_analysis", "squared_multiple_correlations"]

FloatArray = NDArray[np.float64]
Method = Literal["minres", "ml"]
Rotation = Literal["oblimin", "promax", "varimax", "none"]

_METHODS: Final = ("minres", "ml")
_ROTATIONS: Final = ("oblimin", "promax", "varimax", "none")
_EPS: Final = float(np.finfo(np.float64).eps)

# psych::fac -> optim(method = "L-BFGS-B", lower = 0.005, upper = max(SMC, 1),
# control = list(parscale = rep(0.01, p))); the other settings are optim's defaults.
_PSI_LOWER: Final = 0.005
_PARSCALE: Final = 0.01
_LBFGSB_FACTR: Final = 1e7  # scipy's ftol is factr * eps
_LBFGSB_MEMORY: Final = 5
_LBFGSB_MAX_ITER: Final = 100

# GPArotation::GPFoblq defaults (eps = 1e-5, maxit = 1000, iterations 0..maxit).
_GPA_TOL: Final = 1e-5
_GPA_MAX_ITER: Final = 1001

# stats::varimax defaults (eps = 1e-5, at most 1000 iterations); psych's Promax uses m = 4.
_VARIMAX_EPS: Final = 1e-5
_VARIMAX_MAX_ITER: Final = 1000
_PROMAX_POWER: Final = 4


@dataclass(frozen=True)
class FactorSolution:
    """A fitted (and possibly rotated) exploratory factor model.

    Attributes
    ----------
    loadings : ndarray, shape (p, k)
        Pattern matrix after rotation, columns ordered by the variance each factor accounts
        for and reflected so that every column sums positive.
    phi : ndarray, shape (k, k)
        Factor correlations; the identity for orthogonal or unrotated solutions.
    communalities : ndarray, shape (p,)
        ``diag(L @ phi @ L.T)``, equal to the communalities of the unrotated solution.
    uniquenesses : ndarray, shape (p,)
        ``1 - communalities``.
    method : str
        ``"minres"`` or ``"ml"``.
    rotation : str
        The rotation actually applied (``"none"`` when ``k == 1``).
    converged : bool
        Whether both the fitting and the rotation algorithm reported convergence.
    objective : float
        psych's ``objective``: the maximum-likelihood discrepancy of the fitted model,
        ``tr(S^-1 R) - log det(S^-1 R) - p`` with ``S = L phi L' + diag(uniquenesses)``; NaN
        when the correlation matrix is not positive definite.
    """

    loadings: FloatArray
    phi: FloatArray
    communalities: FloatArray
    uniquenesses: FloatArray
    method: str
    rotation: str
    converged: bool
    objective: float


def _as_square_symmetric(matrix: ArrayLike, name: str, *, min_size: int) -> FloatArray:
    """Validate a covariance or correlation matrix and return it as a symmetric float array."""
    try:
        a = np.array(matrix, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric matrix") from exc
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"{name} must be a square matrix, not shape {a.shape}")
    p = a.shape[0]
    if p < min_size:
        raise ValueError(f"{name} must have at least {min_size} rows/columns, not {p}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must contain only finite values")
    scale = max(1.0, float(np.max(np.abs(a))))
    if not np.allclose(a, a.T, rtol=0.0, atol=1e-8 * scale):
        raise ValueError(f"{name} must be symmetric")
    if np.any(np.diag(a) <= 0.0):
        raise ValueError(f"{name} must have a positive diagonal (variances)")
    out: FloatArray = (a + a.T) / 2.0
    return out


def _cov_to_corr(cov: FloatArray) -> FloatArray:
    """R's ``cov2cor``: rescale a covariance matrix to unit diagonal."""
    sd = np.sqrt(np.diag(cov))
    corr: FloatArray = cov / np.outer(sd, sd)
    np.fill_diagonal(corr, 1.0)
    return corr


def _as_correlation(matrix: ArrayLike, name: str, *, min_size: int) -> FloatArray:
    return _cov_to_corr(_as_square_symmetric(matrix, name, min_size=min_size))


def _check_n_factors(n_factors: int, p: int) -> None:
    if isinstance(n_factors, bool) or not isinstance(n_factors, int | np.integer):
        raise ValueError(f"n_factors must be an integer, not {n_factors!r}")
    if n_factors < 1:
        raise ValueError(f"n_factors must be at least 1, not {n_factors}")
    # Degrees of freedom p(p-1)/2 - pk + k(k-1)/2 >= 0  <=>  (p - k)^2 >= p + k.
    if (p - n_factors) ** 2 < p + n_factors:
        raise ValueError(
            f"{n_factors} factors are too many for {p} variables "
            "(the model would have negative degrees of freedom)"
        )


def squared_multiple_correlations(corr: ArrayLike) -> FloatArray:
    """Squared multiple correlation of each variable with all the others.

    .. math:: \\mathrm{SMC}_i = 1 - 1 / (R^{-1})_{ii}

    computed with a pseudo-inverse (singular values below ``sqrt(eps)`` times the largest are
    dropped) and clipped to ``[0, 1]``, exactly as ``psych::smc``.

    Parameters
    ----------
    corr : array_like, shape (p, p)
        Correlation matrix (a covariance matrix is rescaled to correlations first).

    Returns
    -------
    ndarray, shape (p,)
        The SMCs, the usual initial communality estimates.

    References
    ----------
    Revelle, W. (2022). psych: Procedures for Psychological, Psychometric, and Personality
    Research. R package version 2.2.9.
    """
    r = _as_correlation(corr, "corr", min_size=2)
    return _smc(r)


def _smc(r: FloatArray) -> FloatArray:
    inv = np.linalg.pinv(r, rtol=np.sqrt(_EPS), hermitian=True)
    smc: FloatArray = np.clip(1.0 - 1.0 / np.diag(inv), 0.0, 1.0)
    return smc


def _top_eigen(s: FloatArray, k: int) -> tuple[FloatArray, FloatArray]:
    """The ``k`` largest eigenvalues (descending) and their eigenvectors."""
    values, vectors = np.linalg.eigh(s)
    return values[::-1][:k], vectors[:, ::-1][:, :k]


# --- minres (psych's fit.residuals, FAgr.minres, FAout.wls) ---------------------------------


def _minres_objective(psi: FloatArray, r: FloatArray, k: int) -> float:
    """Sum of squared off-diagonal residuals, with loadings from ``eigen(R - diag(psi))``."""
    s = r.copy()
    np.fill_diagonal(s, 1.0 - psi)
    values, vectors = np.linalg.eigh(s)
    values, vectors = values[::-1], vectors[:, ::-1]
    values = np.where(values < _EPS, 100.0 * _EPS, values)
    load = vectors[:, :k] * np.sqrt(values[:k])
    resid = (s - load @ load.T)[np.tril_indices(len(psi), -1)]
    return float(np.sum(resid**2))


def _minres_loadings(psi: FloatArray, r: FloatArray, k: int) -> FloatArray:
    values, vectors = _top_eigen(r - np.diag(psi), k)
    load: FloatArray = vectors * np.sqrt(np.maximum(values, 0.0))
    return load


def _minres_gradient(psi: FloatArray, r: FloatArray, k: int) -> FloatArray:
    """psych's ``FAgr.minres``: ``diag(L L' + diag(psi) - R)``.

    This is half the gradient of the unweighted least-squares criterion including the
    diagonal; at the solution the diagonal residuals vanish, so both criteria agree.
    """
    load = _minres_loadings(psi, r, k)
    grad: FloatArray = np.sum(load**2, axis=1) + psi - 1.0
    return grad


# --- maximum likelihood (psych's FAfn, FAgr, FAout; as stats::factanal) -------------------------


def _ml_objective(psi: FloatArray, r: FloatArray, k: int) -> float:
    scale = 1.0 / np.sqrt(psi)
    values = np.linalg.eigvalsh(r * np.outer(scale, scale))[::-1][k:]
    return float(np.sum(values - np.log(values) - 1.0))


def _ml_loadings(psi: FloatArray, r: FloatArray, k: int) -> FloatArray:
    scale = 1.0 / np.sqrt(psi)
    values, vectors = _top_eigen(r * np.outer(scale, scale), k)
    load: FloatArray = np.sqrt(psi)[:, None] * vectors * np.sqrt(np.maximum(values - 1.0, 0.0))
    return load


def _ml_gradient(psi: FloatArray, r: FloatArray, k: int) -> FloatArray:
    load = _ml_loadings(psi, r, k)
    grad: FloatArray = (np.sum(load**2, axis=1) + psi - 1.0) / psi**2
    return grad


def _extract(r: FloatArray, k: int, method: str) -> tuple[FloatArray, bool]:
    """Unrotated loadings (columns reflected to sum positive) and the optimiser's verdict."""
    if method == "minres":
        objective, gradient, loadings = _minres_objective, _minres_gradient, _minres_loadings
    else:
        if np.linalg.eigvalsh(r)[0] <= 0.0:
            raise ValueError("maximum likelihood needs a positive definite correlation matrix")
        objective, gradient, loadings = _ml_objective, _ml_gradient, _ml_loadings
    p = r.shape[0]
    start = 1.0 - _smc(r)
    upper = 1.0  # psych: max(SMC, 1), and SMCs are clipped to [0, 1]

    # optim's parscale: the optimiser works on z = psi / parscale.
    def scaled_objective(z: FloatArray) -> float:
        return objective(z * _PARSCALE, r, k)

    def scaled_gradient(z: FloatArray) -> FloatArray:
        grad: FloatArray = gradient(z * _PARSCALE, r, k) * _PARSCALE
        return grad

    result = minimize(
        scaled_objective,
        start / _PARSCALE,
        jac=scaled_gradient,
        method="L-BFGS-B",
        bounds=[(_PSI_LOWER / _PARSCALE, upper / _PARSCALE)] * p,
        options={
            "maxcor": _LBFGSB_MEMORY,
            "ftol": _LBFGSB_FACTR * _EPS,
            "gtol": 0.0,
            "maxiter": _LBFGSB_MAX_ITER,
        },
    )
    psi = np.asarray(result.x, dtype=np.float64) * _PARSCALE
    load = loadings(psi, r, k)
    signs = np.sign(load.sum(axis=0))
    signs[signs == 0] = 1.0
    load = load * signs
    load[load == 0.0] = 1e-15  # as psych, so that Kaiser normalisation never divides by 0
    return load, bool(result.success)


# --- rotations ------------------------------------------------------------------------------


def _varimax(a: FloatArray) -> tuple[FloatArray, FloatArray, bool]:
    """R's ``stats::varimax(a)`` with Kaiser normalisation: loadings, rotation, converged.

    statsmodels' gradient-projection varimax converges further than R, whose relative
    stopping rule leaves loadings up to ~1e-3 away from the optimum; this reproduces R.
    """
    p, k = a.shape
    norms = np.sqrt(np.sum(a**2, axis=1))
    x = a / norms[:, None]
    rot = np.eye(k)
    criterion = 0.0
    converged = False
    for _ in range(_VARIMAX_MAX_ITER):
        z = x @ rot
        b = x.T @ (z**3 - z * (np.sum(z**2, axis=0) / p))
        u, sv, vt = np.linalg.svd(b)
        rot = u @ vt
        previous, criterion = criterion, float(np.sum(sv))
        if criterion < previous * (1.0 + _VARIMAX_EPS):
            converged = True
            break
    rotated: FloatArray = (x @ rot) * norms[:, None]
    return rotated, rot, converged


def _promax(a: FloatArray) -> tuple[FloatArray, FloatArray, bool]:
    """psych's ``kaiser(a, rotate = "Promax")``: loadings, phi, converged.

    Rows are Kaiser-normalised, rotated by varimax, then obliquely towards the target
    ``V |V|^(m-1)`` (m = 4) by least squares, with the columns of the transformation scaled
    so that the factors have unit variance (Hendrickson & White, 1964).
    """
    norms = np.sqrt(np.sum(a**2, axis=1))
    x = a / norms[:, None]
    v, rot, converged = _varimax(x)
    target = v * np.abs(v) ** (_PROMAX_POWER - 1)
    u = np.linalg.lstsq(v, target, rcond=None)[0]
    u = u * np.sqrt(np.diag(np.linalg.inv(u.T @ u)))
    loadings: FloatArray = (v @ u) * norms[:, None]
    u_inv = np.linalg.inv(rot @ u)
    phi: FloatArray = u_inv @ u_inv.T
    return loadings, phi, converged


def _oblimin(a: FloatArray) -> tuple[FloatArray, FloatArray, bool]:
    """``GPArotation::oblimin(a)`` (quartimin, gamma = 0, no normalisation).

    Returns loadings ``L = A (T')^-1``, ``phi = T'T`` and whether the projected gradient
    fell below GPArotation's tolerance.
    """
    rotated, rot = rotate_factors(
        a, "oblimin", 0.0, "oblique", max_tries=_GPA_MAX_ITER, tol=_GPA_TOL
    )
    loadings = np.asarray(rotated, dtype=np.float64)
    t = np.asarray(rot, dtype=np.float64)
    k = a.shape[1]
    # Projected gradient of the quartimin criterion at the returned T (as GPFoblq).
    gq = loadings * ((loadings**2) @ (np.ones((k, k)) - np.eye(k)))
    grad = -(loadings.T @ gq @ np.linalg.inv(t)).T
    projected = grad - t @ np.diag(np.sum(t * grad, axis=0))
    converged = bool(np.linalg.norm(projected) < _GPA_TOL)
    phi: FloatArray = t.T @ t
    return loadings, phi, converged


def _orient(loadings: FloatArray, phi: FloatArray) -> tuple[FloatArray, FloatArray]:
    """psych's conventions: reflect columns to sum positive, then sort by variance explained.

    The variance accounted for by factor ``j`` is ``diag(phi @ L' L)[j]``
    (``colSums(L^2)`` when ``phi`` is the identity).
    """
    signs = np.sign(loadings.sum(axis=0))
    signs[signs == 0] = 1.0
    loadings = loadings * signs
    phi = phi * np.outer(signs, signs)
    explained = np.diag(phi @ loadings.T @ loadings)
    order = np.argsort(-explained, kind="stable")
    return loadings[:, order], phi[np.ix_(order, order)]


def _ml_discrepancy(r: FloatArray, model: FloatArray) -> float:
    """``tr(M^-1 R) - log det(M^-1 R) - p``, psych's ``objective``."""
    sign_r, logdet_r = np.linalg.slogdet(r)
    sign_m, logdet_m = np.linalg.slogdet(model)
    if sign_r <= 0 or sign_m <= 0:
        return float("nan")
    trace = float(np.trace(np.linalg.solve(model, r)))
    return trace - (float(logdet_r) - float(logdet_m)) - int(r.shape[0])


def factor_analysis(
    corr: ArrayLike,
    n_factors: int,
    *,
    method: Method = "minres",
    rotation: Rotation = "oblimin",
) -> FactorSolution:
    """Exploratory factor analysis of a correlation matrix.

    Fits the common factor model

    .. math:: R = \\Lambda \\Phi \\Lambda' + \\Psi

    with ``k`` factors, then rotates the loadings. The uniquenesses :math:`\\Psi` minimise,
    for ``method="minres"`` (minimum residual, equivalent to unweighted least squares),

    .. math:: F_{\\mathrm{minres}}(\\Psi) = \\sum_{i<j} (R - \\Lambda\\Lambda')_{ij}^2,
        \\qquad \\Lambda = V_k D_k^{1/2} \\text{ from the eigenpairs of } R - \\Psi,

    and for ``method="ml"``

    .. math:: F_{\\mathrm{ml}}(\\Psi) = \\sum_{j > k} (\\theta_j - \\log\\theta_j - 1),

    where :math:`\\theta_j` are the eigenvalues of :math:`\\Psi^{-1/2} R \\Psi^{-1/2}`
    (Jöreskog, 1967), each by L-BFGS-B from :math:`1 - \\mathrm{SMC}` with the
    uniquenesses bounded to ``[0.005, 1]``.

    Parameters
    ----------
    corr : array_like, shape (p, p)
        Correlation matrix (e.g. pairwise-complete). A covariance matrix is rescaled to
        correlations first, as psych does.
    n_factors : int
        Number of factors ``k``; the model must have non-negative degrees of freedom,
        :math:`(p - k)^2 \\ge p + k`.
    method : {"minres", "ml"}
        Fitting method. ``"ml"`` needs a positive definite matrix.
    rotation : {"oblimin", "promax", "varimax", "none"}
        ``"oblimin"`` is GPArotation's direct quartimin (gamma 0, unnormalised);
        ``"promax"`` is psych's Kaiser-normalised Promax with power 4; ``"varimax"`` is
        R's Kaiser-normalised ``stats::varimax``. Ignored when ``k == 1``.

    Returns
    -------
    FactorSolution
        Loadings with columns reflected to sum positive and ordered by the variance they
        account for, ``diag(phi @ L' L)``, as psych orders them.

    Raises
    ------
    ValueError
        If the matrix is not square, symmetric and finite with a positive diagonal, has
        fewer than 3 variables, ``n_factors`` is not a positive integer or is too large, or
        ``method``/``rotation`` is unknown.

    Notes
    -----
    Checked against R psych 2.2.9 (tests/golden/psych_factor_reliability.R): loadings and
    factor correlations agree to about 1e-10.

    References
    ----------
    Harman, H. H., & Jones, W. H. (1966). Factor analysis by minimizing residuals (minres).
    Psychometrika, 31, 351-368.

    Jöreskog, K. G. (1967). Some contributions to maximum likelihood factor analysis.
    Psychometrika, 32, 443-482.

    Jennrich, R. I. (2002). A simple general method for oblique rotation. Psychometrika, 67,
    7-19.

    Revelle, W. (2022). psych: Procedures for Psychological, Psychometric, and Personality
    Research. R package version 2.2.9.

    Examples
    --------
    >>> import numpy as np
    >>> lam = np.array([0.8, 0.7, 0.6, 0.5])
    >>> r = np.outer(lam, lam)
    >>> np.fill_diagonal(r, 1.0)
    >>> fit = factor_analysis(r, 1)
    >>> np.round(fit.loadings[:, 0], 3)
    array([0.8, 0.7, 0.6, 0.5])
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, not {method!r}")
    if rotation not in _ROTATIONS:
        raise ValueError(f"rotation must be one of {_ROTATIONS}, not {rotation!r}")
    r = _as_correlation(corr, "corr", min_size=3)
    k = n_factors
    _check_n_factors(k, r.shape[0])

    unrotated, fit_converged = _extract(r, k, method)
    rotation_converged = True
    phi = np.eye(k)
    applied = rotation if k > 1 else "none"
    if applied == "oblimin":
        loadings, phi, rotation_converged = _oblimin(unrotated)
    elif applied == "promax":
        loadings, phi, rotation_converged = _promax(unrotated)
    elif applied == "varimax":
        loadings, _, rotation_converged = _varimax(unrotated)
    else:
        loadings = unrotated
    loadings, phi = _orient(loadings, phi)

    model = loadings @ phi @ loadings.T
    communalities = np.diag(model).copy()
    np.fill_diagonal(model, 1.0)
    return FactorSolution(
        loadings=loadings,
        phi=phi,
        communalities=communalities,
        uniquenesses=1.0 - communalities,
        method=method,
        rotation=applied,
        converged=fit_converged and rotation_converged,
        objective=_ml_discrepancy(r, model),
    )
