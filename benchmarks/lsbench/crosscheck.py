"""Do our tables agree with R's (psych, lme4) on the same data?

Our figures are read from the CSV tables ``learnsurvey analyse`` wrote (6 significant digits),
so a difference below about 1e-6 is rounding. Tolerances are loose enough for the iterative
fits (minres, REML) and tight enough to catch a different statistic.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

__all__ = ["Check", "compare_with_r"]


@dataclass(frozen=True)
class Check:
    statistic: str
    against: str
    compared: int
    max_abs_diff: float
    tolerance: float

    @property
    def agrees(self) -> bool:
        return bool(self.compared) and self.max_abs_diff <= self.tolerance


def _check(
    statistic: str, against: str, ours: NDArray[np.float64], theirs: NDArray[np.float64], tol: float
) -> Check:
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    ok = ~(np.isnan(ours) | np.isnan(theirs))
    diff = float(np.max(np.abs(ours[ok] - theirs[ok]))) if ok.any() else float("nan")
    return Check(statistic, against, int(ok.sum()), diff, tol)


def compare_with_r(tables: Path, r: dict[str, Any]) -> list[Check]:
    """Our result tables (folder ``tables``) against the R reference's JSON result."""
    return [
        *_reliability(tables, r),
        _loadings(tables, r),
        *_multilevel(tables, r),
        *_groups(tables, r, "key_stage", "key_stage_trend"),
        *_groups(tables, r, "gender", "gender_summary"),
    ]


def _reliability(tables: Path, r: dict[str, Any]) -> list[Check]:
    rel = pd.read_csv(tables / "reliability.csv").set_index("scale")
    alpha_r = pd.Series(r["alpha"], dtype=float)
    overall = rel.loc["overall"]
    omega = r["omega"]
    return [
        _check(
            "alpha (9 dimensions + overall)",
            "psych::alpha",
            rel["alpha"].reindex(alpha_r.index).to_numpy(),
            alpha_r.to_numpy(),
            1e-5,
        ),
        _check(
            "omega total (overall)",
            "psych::omega",
            np.array([overall["omega_total"]]),
            np.array([omega["omega_total"]]),
            1e-3,
        ),
        _check(
            "omega hierarchical (overall)",
            "psych::omega",
            np.array([overall["omega_hierarchical"]]),
            np.array([omega["omega_hierarchical"]]),
            1e-3,
        ),
    ]


def _loadings(tables: Path, r: dict[str, Any]) -> Check:
    """EFA pattern loadings, R's factors matched to ours by order and sign."""
    pattern = pd.read_csv(tables / "factor_pattern.csv")
    factors = [c for c in pattern.columns[1:] if c != "communality"][:3]
    ours = pattern[factors].to_numpy(dtype=float)
    theirs = np.asarray(r["fa_loadings"], dtype=float)
    affinity = ours.T @ theirs
    rows, cols = linear_sum_assignment(-np.abs(affinity))
    order = cols[np.argsort(rows)]
    signs = np.sign(affinity[np.arange(len(order)), order])
    matched = theirs[:, order] * signs
    return _check("EFA loadings (minres, oblimin)", "psych::fa", ours, matched, 1e-3)


def _multilevel(tables: Path, r: dict[str, Any]) -> list[Check]:
    icc = pd.read_csv(tables / "icc.csv").set_index("dimension")
    fits = r["multilevel"]
    dims = list(fits)
    schools = pd.read_csv(tables / "school_summary.csv")
    schools = schools[~schools["suppressed"].astype(bool)]
    ours_blup: list[float] = []
    r_blup: list[float] = []
    for dim in dims:
        rows = schools[schools["dimension"] == dim]
        blups = fits[dim]["blup"]
        ours_blup.extend(rows["shrunken_mean"].to_numpy(dtype=float))
        r_blup.extend(float(blups.get(school, np.nan)) for school in rows["school"])
    return [
        _check(
            "ICC (REML random intercept)",
            "lme4::lmer",
            icc.loc[dims, "icc"].to_numpy(),
            np.array([fits[d]["icc"] for d in dims]),
            1e-4,
        ),
        _check(
            "school shrunken means (BLUP)",
            "lme4::lmer",
            np.array(ours_blup),
            np.array(r_blup, dtype=np.float64),
            1e-4,
        ),
    ]


def _listed(value: Any) -> list[Any]:
    """R's JSON writes a vector of length one as a scalar."""
    return list(value) if isinstance(value, list) else [value]


def _groups(tables: Path, r: dict[str, Any], by: str, table: str) -> list[Check]:
    ours = pd.read_csv(tables / f"{table}.csv", keep_default_na=False, na_values=[""])
    ours = ours[~ours["suppressed"].astype(bool)].set_index([by, "dimension"])
    theirs = pd.DataFrame(
        [
            {by: g, "dimension": dim, "mean_r": m, "sd_r": s}
            for dim, res in r["groups"][by].items()
            for g, m, s in zip(*(_listed(res[k]) for k in ("group", "mean", "sd")), strict=True)
        ]
    ).set_index([by, "dimension"])
    both = ours.join(theirs, how="inner")
    name = by.replace("_", " ")
    return [
        _check(
            f"mean by {name}",
            "R mean",
            both["mean"].to_numpy(),
            both["mean_r"].to_numpy(),
            1e-5,
        ),
        _check(f"SD by {name}", "R sd", both["sd"].to_numpy(), both["sd_r"].to_numpy(), 1e-5),
    ]
