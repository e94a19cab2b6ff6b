"""School context (phase, FSM %, EAL %, inspection rating) and learning by inspection rating."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["INSPECTION_ORDER", "inspection_table", "read_context"]

INSPECTION_ORDER = ["outstanding", "good", "requires_improvement", "inadequate", "not_inspected"]
NOT_RATED = {"not_inspected", "none", ""}


def read_context(path: Path | str) -> pd.DataFrame:
    """Read a school context CSV: a ``school`` column and any of ``phase``, ``fsm_pct``,
    ``eal_pct``, ``send_pct``, ``inspection_rating``, ``trust``, ``region``."""
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype={"school": str})
    except (OSError, pd.errors.ParserError) as exc:
        raise ValueError(f"{path}: cannot read school context: {exc}") from None
    if "school" not in table.columns:
        raise ValueError(f"{path}: row 1: the school context needs a 'school' column")
    dupes = table["school"][table["school"].duplicated()]
    if len(dupes):
        row = int(dupes.index[0]) + 2
        raise ValueError(f"{path}: row {row}: school {dupes.iloc[0]!r} appears twice")
    return table


def inspection_table(schools: pd.DataFrame, context: pd.DataFrame) -> pd.DataFrame:
    """Mean of school means by inspection rating, per dimension, with a one-way ANOVA of the
    school means across ratings (F, p) and eta squared. Suppressed schools are left out.

    Schools without a rating are left out; schools not inspected are listed but not compared;
    only ratings with at least two schools are compared.
    """
    if "inspection_rating" not in context.columns:
        return pd.DataFrame()
    shown = schools[~schools["suppressed"]].merge(
        context[["school", "inspection_rating"]], on="school", how="inner"
    )
    shown = shown[shown["inspection_rating"].notna()]
    rows = []
    for dim, part in shown.groupby("dimension", sort=False):
        groups = {
            r: g["mean"].astype(float).to_numpy() for r, g in part.groupby("inspection_rating")
        }
        compared = {
            r: v for r, v in groups.items() if len(v) >= 2 and str(r).lower() not in NOT_RATED
        }
        if len(compared) >= 2:
            from scipy.stats import f_oneway  # only analyses with a school context need it

            test = f_oneway(*compared.values())
            f, p = float(test.statistic), float(test.pvalue)
            pooled = np.concatenate(list(compared.values()))
            ss_between = sum(len(v) * (v.mean() - pooled.mean()) ** 2 for v in compared.values())
            eta2 = float(ss_between / ((pooled - pooled.mean()) ** 2).sum())
        else:
            f = p = eta2 = float("nan")
        for rating, values in groups.items():
            sub = part[part["inspection_rating"] == rating]
            rows.append(
                {
                    "dimension": dim,
                    "inspection_rating": rating,
                    "n_schools": len(values),
                    "n": int(sub["n"].astype(int).sum()),
                    "mean_of_school_means": float(values.mean()),
                    "sd_of_school_means": float(values.std(ddof=1)) if len(values) > 1 else np.nan,
                    "anova_f": float(f),
                    "anova_p": float(p),
                    "eta_squared": float(eta2),
                }
            )
    table = pd.DataFrame(rows)
    if len(table):
        order = {r: k for k, r in enumerate(INSPECTION_ORDER)}
        table = table.sort_values(
            ["dimension", "inspection_rating"],
            key=lambda s: s.map(order).fillna(99) if s.name == "inspection_rating" else s,
            kind="stable",
        )
    return table.reset_index(drop=True)
