"""The impact of a priority: a school's change between two waves against the change of its
similar schools over the same two waves (a difference in differences). Django-free.

For school *s* in similar-schools group *G* (:func:`~learnsurvey.analysis.benchmarks.
similar_schools` on the timeline's context) and consecutive waves *w₁ → w₂*, the comparison
is the pupils of the **other** schools of *G* that answered in both waves, pooled per wave
from their moments (n = Σn, mean = Σx / n, SD² = (Σx² − (Σx)²/n) / (n − 1)). The DiD
(:func:`learnsurvey.stats.did.difference_in_differences`) is *s*'s change minus theirs, with
its Welch–Satterthwaite 95% CI.

Disclosure (:mod:`learnsurvey.stats.disclosure`): the school's own change is the cleared
change of :func:`~learnsurvey.analysis.over_time.wave_changes` (hidden with either wave);
the comparison is shown only when the other schools number at least ``MIN_OTHER_SCHOOLS``
and hold at least the threshold of pupils in each wave (rule 5, as the similar-schools
benchmark). The verdict says no more than the intervals do (see
:data:`~learnsurvey.analysis.figures.improvement.ImpactVerdict`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

import numpy as np
import pandas as pd

from learnsurvey.stats.did import difference_in_differences
from learnsurvey.stats.disclosure import MIN_OTHER_SCHOOLS, suppress

__all__ = ["IMPACT_COLUMNS", "impact_verdict", "school_impacts"]

IDS = ["group", "kind", "score", "from_wave", "to_wave"]
IMPACT_COLUMNS = [
    *IDS,
    "change",
    "change_ci_low",
    "change_ci_high",
    "mdc",
    "similar_change",
    "similar_ci_low",
    "similar_ci_high",
    "n_similar_schools",
    "did",
    "did_ci_low",
    "did_ci_high",
    "verdict",
    "suppressed",
]


def impact_verdict(
    change_low: float, change_high: float, did_low: float, did_high: float, shown: bool
) -> str:
    """The verdict the intervals support (NaN interval ends: not known)."""
    if not shown or not (np.isfinite(change_low) and np.isfinite(change_high)):
        return "unknown"
    compared = np.isfinite(did_low) and np.isfinite(did_high)
    more, less = compared and did_low > 0, compared and did_high < 0
    if change_low > 0:
        if not compared:
            return "improved"
        return "clearly_more" if more else "less_than_similar" if less else "as_similar"
    if change_high < 0:
        return "declined_more" if less else "declined"
    return "steady_while_similar_declined" if more else "no_clear_change"


def _others(raw: pd.DataFrame, groups: Mapping[str, str | None], wave: str) -> pd.DataFrame:
    """Per school × score in ``wave``: its own moments and the pooled other schools' of its
    group (only schools in ``raw`` for this wave, i.e. the both-wave members)."""
    part = raw[raw["wave"] == wave].copy()
    part["family"] = part["group"].map(lambda s: groups.get(str(s)))
    part = part[part["family"].notna()]
    n = part["n"].to_numpy(dtype=float)
    mean = part["mean"].to_numpy(dtype=float)
    sd = np.nan_to_num(part["sd"].to_numpy(dtype=float))
    part["_s"] = n * mean
    part["_q"] = (n - 1) * sd**2 + n * mean**2
    part["_k"] = 1.0
    keys = ["family", "kind", "score"]
    totals = part.groupby(keys)[["n", "_s", "_q", "_k"]].transform("sum")
    on = totals["n"].to_numpy(dtype=float) - n
    os_ = totals["_s"].to_numpy(dtype=float) - part["_s"].to_numpy(dtype=float)
    oq = totals["_q"].to_numpy(dtype=float) - part["_q"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        om = os_ / on
        osd = np.sqrt(np.maximum(oq - np.where(on > 0, os_**2 / on, 0.0), 0.0) / (on - 1))
    return pd.DataFrame(
        {
            "group": part["group"].astype(str).to_numpy(),
            "kind": part["kind"].to_numpy(),
            "score": part["score"].to_numpy(),
            "n": n,
            "mean": mean,
            "sd": sd,
            "n_o": on,
            "mean_o": om,
            "sd_o": osd,
            "schools_o": totals["_k"].to_numpy(dtype=float) - 1,
        }
    )


def _pair(
    raw: pd.DataFrame, groups: Mapping[str, str | None], before: str, after: str
) -> pd.DataFrame:
    answered = raw[raw["n"].fillna(0) > 0]
    both = set(answered.loc[answered["wave"] == before, "group"].astype(str)) & set(
        answered.loc[answered["wave"] == after, "group"].astype(str)
    )
    members = answered[answered["group"].astype(str).isin(both)]
    one, two = _others(members, groups, before), _others(members, groups, after)
    table = one.merge(two, on=["group", "kind", "score"], suffixes=("_1", "_2"))
    cells = [("n", "n_o"), ("mean", "mean_o"), ("sd", "sd_o")]
    stacked = [
        np.column_stack(
            [table[f"{a}_1"], table[f"{a}_2"], table[f"{b}_1"], table[f"{b}_2"]]
        ).astype(float)
        for a, b in cells
    ]
    did = difference_in_differences(*stacked)
    table["from_wave"], table["to_wave"] = before, after
    table["similar_change"] = did["change_b"].to_numpy()
    table["did"] = did["did"].to_numpy()
    table["did_ci_low"] = did["ci_low"].to_numpy()
    table["did_ci_high"] = did["ci_high"].to_numpy()
    low, high = _welch(table)
    table["similar_ci_low"], table["similar_ci_high"] = low, high
    table["n_similar_schools"] = np.minimum(table["schools_o_1"], table["schools_o_2"])
    table["n_o"] = np.minimum(table["n_o_1"], table["n_o_2"])
    return table


def _welch(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    from learnsurvey.stats.effects import welch_difference

    _, low, high = welch_difference(
        table["n_o_2"], table["mean_o_2"], table["sd_o_2"],
        table["n_o_1"], table["mean_o_1"], table["sd_o_1"],
    )  # fmt: skip
    return low, high


def school_impacts(
    raw: pd.DataFrame,
    changes: pd.DataFrame,
    groups: Mapping[str, str | None],
    waves: Sequence[str],
    *,
    threshold: int,
) -> pd.DataFrame:
    """Every school's impact figures for every consecutive pair of ``waves``.

    ``raw`` is the schools' rows over the waves (``group`` = school key, ``kind, score,
    wave, n, mean, sd``), ``changes`` their cleared changes
    (:data:`~learnsurvey.analysis.over_time.CHANGE_COLUMNS`), ``groups`` each school's
    similar-schools group. Columns :data:`IMPACT_COLUMNS`; ``suppressed`` describes the
    comparison (the school's own change keeps the suppression of ``changes``)."""
    frames = [_pair(raw, groups, a, b) for a, b in pairwise(waves)]
    compare_cols = [
        "similar_change", "similar_ci_low", "similar_ci_high", "n_similar_schools",
        "did", "did_ci_low", "did_ci_high",
    ]  # fmt: skip
    base = pd.DataFrame(columns=[*IDS, *compare_cols, "n_o"])
    table = pd.concat([base, *[f[[*IDS, *compare_cols, "n_o"]] for f in frames]], ignore_index=True)
    shown = suppress(
        table,
        threshold=threshold,
        count="n_o",
        within=IDS,
        keep=IDS,
        schools="n_similar_schools",
        min_schools=MIN_OTHER_SCHOOLS,
    )
    own = changes.rename(
        columns={"difference": "change", "ci_low": "change_ci_low", "ci_high": "change_ci_high",
                 "suppressed": "change_suppressed"}
    )[[*IDS, "change", "change_ci_low", "change_ci_high", "mdc", "change_suppressed"]]  # fmt: skip
    out = own.merge(shown, on=IDS, how="left")
    hidden = out["change_suppressed"].fillna(True).to_numpy(dtype=bool)
    for column in compare_cols:
        out.loc[hidden, column] = np.nan
    out["suppressed"] = out["suppressed"].fillna(True).to_numpy(dtype=bool) | hidden
    f = {c: pd.to_numeric(out[c], errors="coerce").to_numpy(dtype=float) for c in
         ("change_ci_low", "change_ci_high", "did_ci_low", "did_ci_high")}  # fmt: skip
    out["verdict"] = [
        impact_verdict(a, b, c, d, not h)
        for a, b, c, d, h in zip(
            f["change_ci_low"],
            f["change_ci_high"],
            f["did_ci_low"],
            f["did_ci_high"],
            hidden,
            strict=True,
        )
    ]
    # Both sides were cleared (the change by wave_changes, the comparison just above).
    return out[IMPACT_COLUMNS].reset_index(drop=True)
