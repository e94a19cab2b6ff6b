"""Difference in differences of four independent group means."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats as st

__all__ = ["difference_in_differences"]


def difference_in_differences(
    n: ArrayLike,
    mean: ArrayLike,
    sd: ArrayLike,
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The change of group A between two occasions against the change of group B.

    The four groups (A before, A after, B before, B after) are independent samples (anonymous
    answers cannot be linked across occasions). With :math:`v_k = s_k^2 / n_k`,

    .. math::
        \\Delta_A = \\bar x_{A2} - \\bar x_{A1}, \\quad
        \\Delta_B = \\bar x_{B2} - \\bar x_{B1}, \\quad
        \\mathrm{DiD} = \\Delta_A - \\Delta_B, \\quad
        \\mathrm{SE} = \\sqrt{\\textstyle\\sum_k v_k}, \\quad
        \\nu = \\frac{(\\sum_k v_k)^2}{\\sum_k v_k^2 / (n_k - 1)},

    and the interval :math:`\\mathrm{DiD} \\pm t_{\\nu,(1+c)/2}\\,\\mathrm{SE}`
    (Welch–Satterthwaite degrees of freedom; Satterthwaite 1946). The SE is that of the
    interaction in the saturated cell-means regression with the HC2 covariance (Angrist &
    Pischke 2009, ch. 5 and 8), which is how it is checked against R
    (``tests/golden/did.R``: ``lm`` with ``sandwich::vcovHC(type = "HC2")`` on
    ``datasets::warpbreaks``).

    Parameters
    ----------
    n, mean, sd : array_like, shape (..., 4)
        Size, mean and SD (``n − 1`` denominator) of A before, A after, B before, B after
        in the last axis.
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        One row per leading index: ``change_a, change_b, did, se, df, ci_low, ci_high``; NaN
        where a group has fewer than two members.

    Raises
    ------
    ValueError
        If the last axis is not of length 4, the shapes differ, or ``confidence`` is not in
        (0, 1).
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    n_, m_, s_ = (np.asarray(a, dtype=np.float64) for a in (n, mean, sd))
    if n_.shape != m_.shape or n_.shape != s_.shape or n_.shape[-1:] != (4,):
        raise ValueError("n, mean and sd must have the same shape, with 4 in the last axis")
    n_, m_, s_ = (a.reshape(-1, 4) for a in (n_, m_, s_))
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.where(n_ >= 2, s_**2 / n_, np.nan)
        total = v.sum(axis=1)
        df = total**2 / (v**2 / (n_ - 1)).sum(axis=1)
        se = np.sqrt(total)
        change_a = m_[:, 1] - m_[:, 0]
        change_b = m_[:, 3] - m_[:, 2]
        did = change_a - change_b
        t = st.t.ppf((1 + confidence) / 2, np.where(df > 0, df, np.nan))
        t = np.where(se == 0, 0.0, t)
    return pd.DataFrame(
        {
            "change_a": change_a,
            "change_b": change_b,
            "did": did,
            "se": se,
            "df": df,
            "ci_low": did - t * se,
            "ci_high": did + t * se,
        }
    )
