"""Compare the tables of an analysed wave with the published Phase One figures.

Used by the calibration tests, by ``python -m learnsurvey.synth.calibrate --check`` and by
anyone who wants to know how far a data set is from the report. Tolerances are those the
synthetic data promise (docs/synthetic-data.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml

__all__ = ["TOLERANCES", "compare_with_targets", "phase_one_targets"]

TOLERANCES = {
    "overall_alpha": 0.02,
    "reliability": 0.05,
    "pattern_loading": 0.10,
    "pct_quite_or_very_high": 5.0,
    "top_bottom_effect_size": 0.3,
}
KEY_STAGES = ("KS1", "KS2", "KS3", "KS4", "KS5")
NO_DIFFERENCE_P = 0.001


def phase_one_targets() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("params", "phase-one-targets.yaml").read_text()
    # libyaml's safe loader when the wheel has it (as the instruments' loader): the same data,
    # read in under half the time by every `learnsurvey analyse`.
    data: dict[str, Any] = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return data


def _get(table: pd.DataFrame, row: str, column: str) -> float:
    """A number from an indexed table, NaN where the row or column is absent (e.g. a small
    data set without two schools to compare), so the check fails instead of crashing."""
    try:
        return float(table.loc[row, column])  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError):
        return float("nan")


def _row(check: str, subject: str, observed: float, target: str, ok: bool) -> dict[str, Any]:
    return {"check": check, "subject": subject, "observed": observed, "target": target, "ok": ok}


def _near(check: str, subject: str, observed: float, target: float, tol: float) -> dict[str, Any]:
    ok = bool(abs(observed - target) <= tol)
    return _row(check, subject, observed, f"{target:g} ± {tol:g}", ok)


def compare_with_targets(
    tables: Mapping[str, pd.DataFrame], targets: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """One row per check: check, subject, observed, target, ok.

    ``tables`` are the result tables of ``analyse`` with a promax factor pattern (the report's
    rotation) and, for the inspection check, a school context.
    """
    t = dict(targets or phase_one_targets())
    tol = TOLERANCES
    factors = list(t["factors"])
    rel = tables["reliability"].set_index("scale")
    pattern = tables["factor_pattern"].set_index("dimension")
    summary = tables["dimension_summary"].set_index("dimension")
    top = tables["top_bottom"].set_index("dimension")
    rows = [
        _near(
            "overall_alpha",
            "overall",
            _get(rel, "overall", "alpha"),
            t["sample"]["overall_alpha"],
            tol["overall_alpha"],
        )
    ]
    for dim, published in t["pattern_matrix"].items():
        rows.append(
            _near(
                "reliability",
                dim,
                _get(rel, dim, "alpha"),
                published["reliability"],
                tol["reliability"],
            )
        )
        for f in factors:
            rows.append(
                _near(
                    "pattern_loading",
                    f"{dim}/{f}",
                    _get(pattern, dim, f),
                    published[f],
                    tol["pattern_loading"],
                )
            )
        primary = max(factors, key=lambda f: published[f])
        found = str(pattern["primary_factor"].get(dim, ""))
        rows.append(_row("primary_factor", dim, np.nan, primary, found == primary))
    for dim, pct in t["percent_quite_or_very_high"].items():
        rows.append(
            _near(
                "pct_quite_or_very_high",
                dim,
                _get(summary, dim, "pct_quite_or_very_high"),
                pct,
                tol["pct_quite_or_very_high"],
            )
        )
    for dim, g in t["top_vs_bottom_school_effect_size"].items():
        rows.append(
            _near(
                "top_bottom_effect_size",
                dim,
                _get(top, dim, "effect_size"),
                g,
                tol["top_bottom_effect_size"],
            )
        )
    rows += _gender_rows(tables, t)
    rows += _key_stage_rows(tables)
    if "inspection" in tables and len(tables["inspection"]):
        for _, r in tables["inspection"].drop_duplicates("dimension").iterrows():
            rows.append(
                _row(
                    "no_inspection_difference",
                    r["dimension"],
                    r["anova_p"],
                    f"ANOVA p > {NO_DIFFERENCE_P}",
                    r["anova_p"] > NO_DIFFERENCE_P,
                )
            )
    return pd.DataFrame(rows)


def _gender_rows(tables: Mapping[str, pd.DataFrame], t: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    low, high = t["gender"]["effect_sizes"]
    effects = tables["group_effects"]
    pairs = effects[(effects.group_a == "boy") & (effects.group_b == "girl")]
    for _, r in pairs.iterrows():
        g = float(r["hedges_g"])
        rows.append(
            _row("boys_above_girls", r["dimension"], g, f"g in [{low}, {high}]", low <= g <= high)
        )
    genders = tables["gender_summary"]
    for dim in ("school_fair", "school_safe"):
        means = genders[genders.dimension == dim].set_index("gender")["mean"].astype(float)
        lowest = max(means.get("other", np.nan), means.get("prefer_not_to_say", np.nan))
        others = min(means.get("boy", np.nan), means.get("girl", np.nan))
        rows.append(
            _row(
                "other_genders_lowest",
                dim,
                lowest - others,
                "other & prefer-not-to-say below boys & girls",
                lowest < others,
            )
        )
    return rows


def _key_stage_rows(tables: Mapping[str, pd.DataFrame]) -> list[dict[str, Any]]:
    rows = []
    for dim, part in tables["key_stage_trend"].groupby("dimension", sort=False):
        means = part.set_index("key_stage")["mean"].astype(float)
        present = all(k in means.index for k in KEY_STAGES)
        steps = -np.diff(means.reindex(list(KEY_STAGES)).to_numpy())
        ok = present and bool((steps > 0).all()) and bool(steps[1] == steps.max())
        rows.append(
            _row(
                "key_stage_decline",
                str(dim),
                float(np.nanmin(steps)),
                "falls at every key stage, most from KS2 to KS3",
                ok,
            )
        )
    return rows
