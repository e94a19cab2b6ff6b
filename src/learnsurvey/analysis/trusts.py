"""A trust's figures as tables: its schools side by side, its pupils against the rest of the
wave, the spread of its schools and the highest and lowest of them.

Every table here comes from the wave's sufficient statistics (cell moments), never from a
suppressed table, and leaves through :mod:`learnsurvey.stats.disclosure`. The trust against
the rest of the wave is computed by grouping the cells directly (the trust's cells on one
side, every other cell on the other), not by subtracting sums of squares from the wave's
totals: that is exact, and a hidden cell can never slip into one side of a subtraction.
Django-free.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from learnsurvey.stats.disclosure import (
    Cleared,
    blank_where,
    hidden_keys,
    keep_columns,
    suppress,
    suppress_pairs,
    total_is_publishable,
)
from learnsurvey.stats.effects import hedges_g

from .dashboard import school_spread
from .groups import by_school_attribute, group_summary, school_table
from .statistics import WaveStatistics

__all__ = [
    "KINDS",
    "clear_trust_totals",
    "direction",
    "effect_size",
    "trust_against_rest",
    "trust_response_counts",
    "trust_school_scores",
    "trust_top_bottom",
    "wave_school_scores",
    "wave_spread",
]

KINDS = ("dimension", "notion", "overall")
SCHOOL_KEYS = ["school", "kind", "score"]
SIDE_COLUMNS = ["n", "mean", "sd", "ci_low", "ci_high"]
SIDES = ("trust", "rest")
EFFECT_SIZES = ((0.2, "very small"), (0.5, "small"), (0.8, "medium"))
"""Cohen's (1988) conventional boundaries of |g|; at or above the last, "large"."""


def wave_school_scores(stats: WaveStatistics, *, threshold: int) -> pd.DataFrame:
    """Every school's dimension, notion and overall scores
    (:func:`~learnsurvey.analysis.groups.school_table`: raw and shrunken means with 95% CIs,
    rank), suppressed with the complementary rule across the wave's schools.

    Returns one row per school × score, columns ``school``, ``kind``, ``score``, the school
    table's figures and ``raw_n``: the count before suppression, kept only so a smaller
    partition (one trust's schools) can be suppressed again; it never leaves analysis."""
    parts = []
    for kind in KINDS:
        table = school_table(stats, threshold=threshold, kind=kind, label="score")
        raw = group_summary(stats, ["school"], kind=kind, label="score")
        table = table.merge(
            raw[["school", "score", "n"]].rename(columns={"n": "raw_n"}), on=["school", "score"]
        )
        table.insert(1, "kind", kind)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


def wave_spread(wave_scores: pd.DataFrame) -> pd.DataFrame:
    """:func:`~learnsurvey.analysis.dashboard.school_spread` of every school the wave shows,
    per dimension: what a trust's spread is read against."""
    dims = wave_scores[wave_scores["kind"] == "dimension"]
    return school_spread(dims.drop(columns="raw_n").rename(columns={"score": "dimension"}))


def trust_school_scores(
    wave_scores: pd.DataFrame, schools: Collection[str], *, threshold: int
) -> Cleared:
    """The rows of ``schools`` (one trust's) in :func:`wave_school_scores`, suppressed by
    both rules: hidden where the wave-wide table hid them, and then as the partition of the
    trust's total that its report publishes (complementary suppression within each score,
    the rows the wave hid counted as hidden from the start: a school hidden by the wave
    alone would otherwise follow from the trust's total). ``raw_n`` is dropped."""
    rows = wave_scores[wave_scores["school"].isin(list(schools))].reset_index(drop=True)
    # A row the wave hid describes nobody the trust may show (disclosure's ``also`` rule).
    rows["wave_n"] = rows["raw_n"].where(~rows["suppressed"].astype(bool), 0)
    shown = suppress(
        rows.drop(columns="suppressed"),
        threshold=threshold,
        count="raw_n",
        also=["wave_n"],
        within=["kind", "score"],
        keep=["school"],
    )
    return keep_columns(shown, [c for c in shown.columns if c not in {"raw_n", "wave_n"}])


def clear_trust_totals(
    against: Cleared, wave_scores: pd.DataFrame, trust_scores: Cleared, *, threshold: int
) -> Cleared:
    """Rule 7 of :mod:`learnsurvey.stats.disclosure` on the trust's totals: each score's
    trust-wide row of :func:`trust_against_rest` is shown only when the trust's count
    leaves no hidden school recoverable, beside either set of published parts:

    - the trust's own schools table (``trust_scores``, :func:`trust_school_scores`): a
      trust of one school that the wave hid as a complement would otherwise publish that
      school's count under the trust's name;
    - the schools' own counts, which a school's own pages publish whenever it has enough
      pupils (the primary rule alone): a trust with a single school of four pupils would
      otherwise give the four away (and with the trust's mean, their mean).

    The whole row goes, not only the count: the trust's, the rest's and the wave's means
    would give the count back. The wave's mean of all pupils (``all_mean``) stays."""
    keys = SCHOOL_KEYS
    members = wave_scores[
        wave_scores["school"].isin(trust_scores["school"]) & (wave_scores["raw_n"] > 0)
    ]  # a school with no pupil on a score is no part of its total
    own = suppress(
        members[[*keys, "raw_n"]].rename(columns={"raw_n": "n"}), threshold=threshold, within=keys
    )
    present = pd.MultiIndex.from_frame(members[keys])
    table = trust_scores[pd.MultiIndex.from_frame(trust_scores[keys]).isin(present)]
    sides = [dict(tuple(p.groupby(["kind", "score"], sort=False))) for p in (own, table)]

    def publishable(row: pd.Series) -> bool:
        if bool(row["suppressed"]):
            return True
        key = (row["kind"], row["score"])
        return all(
            total_is_publishable(float(row["n"]), parts.get(key, own.iloc[:0]), threshold=threshold)
            for parts in sides
        )

    ok = against.apply(publishable, axis=1).to_numpy(dtype=bool)
    return blank_where(against, ~ok, keep=["kind", "score", "all_mean"])


def trust_response_counts(
    responses: pd.DataFrame, schools: Sequence[str], *, threshold: int
) -> Cleared:
    """Responses per school of ``schools`` (columns ``school``, ``n``, ``suppressed``), each
    school on its own (the primary rule), as its own dashboard shows them: no trust total of
    responses is published, and the trust's pupils are cleared against exactly these counts
    (:func:`clear_trust_totals`)."""
    counts = responses.groupby("school")["n"].sum()
    table = pd.DataFrame(
        {"school": list(schools), "n": [int(counts.get(s, 0)) for s in schools]}
    ).astype({"n": "int64"})
    return suppress(table, threshold=threshold, within=["school"])


def trust_against_rest(
    stats: WaveStatistics, schools: Collection[str], *, threshold: int
) -> Cleared:
    """The trust's pupils (the cells of ``schools``) against the rest of the wave (every other
    cell), per dimension, notion and overall score, by direct grouping of the cell moments.

    Hedges' g of the trust against the rest (:func:`~learnsurvey.stats.effects.hedges_g`:
    pooled SD, small-sample correction J(ν), interval g ± z·√(1/n₁ + 1/n₂ + g²/(2(n₁ + n₂))),
    Hedges & Olkin 1985); the rest rather than all pupils, so no pupil is on both sides.
    Checked against grouping the pupils' scores by hand (``tests/reports/test_trust_report``).

    Disclosure. The trust and the rest partition the wave's pupils, whose total is published,
    so the two are suppressed together within each score (the complementary rule) and the
    comparison is hidden with them. ``all_mean`` is the wave's mean of all pupils.

    Returns
    -------
    pandas.DataFrame
        Columns ``kind``, ``score``, ``n``, ``mean``, ``sd``, ``ci_low``, ``ci_high``,
        ``rest_n``, ``rest_mean``, ``rest_sd``, ``hedges_g``, ``g_ci_low``, ``g_ci_high``,
        ``all_mean``, ``suppressed``: one row per score, overall first, then notions, then
        dimensions.
    """
    members = set(schools)
    side: dict[str, str | None] = {
        str(s): "trust" if s in members else "rest" for s in stats.cells["school"].unique()
    }
    grouped = by_school_attribute(stats, "side", side)
    sides = pd.concat(
        [group_summary(grouped, ["side"], kind=k, label="score").assign(kind=k) for k in KINDS],
        ignore_index=True,
    )
    ours, rest = (sides[sides["side"] == s][["kind", "score", *SIDE_COLUMNS]] for s in SIDES)
    table = ours.merge(
        rest[["kind", "score", "n", "mean", "sd"]].rename(
            columns={"n": "rest_n", "mean": "rest_mean", "sd": "rest_sd"}
        ),
        on=["kind", "score"],
        how="left",
    )
    table["rest_n"] = table["rest_n"].fillna(0).astype("int64")
    table = _with_g(table)
    hidden = _hidden_sides(table, threshold)
    table = table.merge(_wave_means(stats, threshold), on=["kind", "score"], how="left")
    rank = {k: i for i, k in enumerate(("overall", "notion", "dimension"))}
    table = table.sort_values("kind", key=lambda s: s.map(rank), kind="stable")
    return suppress_pairs(
        table.reset_index(drop=True),
        hidden,
        group_a=["kind", "score"],
        group_b=["kind", "score"],
        keep=["all_mean"],
    )


def _with_g(table: pd.DataFrame) -> pd.DataFrame:
    def col(name: str) -> np.ndarray:
        return np.asarray(np.nan_to_num(table[name].to_numpy(dtype=float)))

    g = hedges_g(
        table["n"].to_numpy(float),
        col("mean"),
        col("sd"),
        table["rest_n"].to_numpy(float),
        col("rest_mean"),
        col("rest_sd"),
    )
    out = table.copy()
    out["hedges_g"] = g["hedges_g"].to_numpy()
    out["g_ci_low"] = g["ci_low"].to_numpy()
    out["g_ci_high"] = g["ci_high"].to_numpy()
    return out


def _hidden_sides(table: pd.DataFrame, threshold: int) -> set[tuple[object, ...]]:
    """The (kind, score) pairs where the trust or the rest must be hidden."""
    pair = pd.concat(
        [
            table[["kind", "score", "n"]].assign(side="trust"),
            table[["kind", "score", "rest_n"]].rename(columns={"rest_n": "n"}).assign(side="rest"),
        ],
        ignore_index=True,
    )
    shown = suppress(pair, threshold=threshold, within=["kind", "score"], keep=["side"])
    return hidden_keys(shown, ["kind", "score"])


def _wave_means(stats: WaveStatistics, threshold: int) -> pd.DataFrame:
    everyone = pd.concat(
        [group_summary(stats, [], kind=k, label="score").assign(kind=k) for k in KINDS],
        ignore_index=True,
    )
    shown = suppress(everyone, threshold=threshold, within=["kind", "score"])
    return shown[["kind", "score", "mean"]].rename(columns={"mean": "all_mean"})


def direction(low: float | None, high: float | None) -> str:
    """Where the 95% interval of a difference lies: "above" (wholly above zero), "below",
    "within" (it includes zero), or "unknown" (no interval: hidden or not computable)."""
    if low is None or high is None or not (np.isfinite(low) and np.isfinite(high)):
        return "unknown"
    if low > 0:
        return "above"
    if high < 0:
        return "below"
    return "within"


def effect_size(g: float | None) -> str | None:
    """Cohen's (1988) conventional word for |g|: "very small", "small", "medium" or
    "large"; None without a g."""
    if g is None or not np.isfinite(g):
        return None
    for bound, word in EFFECT_SIZES:
        if abs(g) < bound:
            return word
    return "large"


def trust_top_bottom(scores: pd.DataFrame, dimensions: Sequence[str]) -> pd.DataFrame:
    """Per dimension, the highest and lowest shown school by shrunken mean, named only when
    the highest school's 95% interval lies wholly above the lowest school's (a cautious test:
    overlapping intervals can still differ).

    ``scores`` has columns ``school``, ``score``, ``suppressed``, ``shrunken_mean``,
    ``shrunken_ci_low``, ``shrunken_ci_high`` (dimension rows of
    :func:`trust_school_scores`). Returns columns ``dimension``, ``n_schools``, ``apart``,
    ``top_school`` and ``bottom_school`` (None unless apart)."""
    shown = scores[~scores["suppressed"].astype(bool) & scores["shrunken_mean"].notna()]
    rows = []
    for dim in dimensions:
        part = shown[shown["score"] == dim]
        row: dict[str, object] = {"dimension": dim, "n_schools": len(part), "apart": False}
        row |= {"top_school": None, "bottom_school": None}
        if len(part) >= 2:
            ranked = part.sort_values(["shrunken_mean", "school"], ascending=[False, True])
            top, bottom = ranked.iloc[0], ranked.iloc[-1]
            if float(top["shrunken_ci_low"]) > float(bottom["shrunken_ci_high"]):
                row |= {"apart": True, "top_school": top["school"]}
                row["bottom_school"] = bottom["school"]
        rows.append(row)
    return pd.DataFrame(
        rows, columns=["dimension", "n_schools", "apart", "top_school", "bottom_school"]
    )
