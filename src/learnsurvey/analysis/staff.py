"""Staff versus pupils: how the staff survey's view of each dimension differs from the pupils'.

The staff survey (instrument ``staff-survey``) asks staff about the same nine dimensions, with
the same dimension ids, so each school (or trust, or the whole wave) has a pupil mean and a
staff mean per dimension. The gap is staff minus pupils: positive when staff see the
dimension more favourably than their pupils do. Django-free.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from learnsurvey.stats.disclosure import suppress, suppress_pairs
from learnsurvey.stats.effects import hedges_g, welch_difference

from .groups import group_summary
from .statistics import WaveStatistics

__all__ = ["GAP_COLUMNS", "staff_pupil_gaps"]

GAP_COLUMNS = [
    "pupil_n",
    "pupil_mean",
    "pupil_sd",
    "staff_n",
    "staff_mean",
    "staff_sd",
    "gap",
    "gap_ci_low",
    "gap_ci_high",
    "hedges_g",
    "g_ci_low",
    "g_ci_high",
]


def staff_pupil_gaps(
    pupils: WaveStatistics,
    staff: WaveStatistics,
    *,
    threshold: int,
    by: str | None = "school",
    only: list[str] | None = None,
    kind: str = "dimension",
) -> pd.DataFrame:
    """Per group (``by``: a cell key such as ``school``, or one added with
    :func:`~learnsurvey.analysis.groups.by_school_attribute` such as ``trust``; None for the
    whole wave) and per score of ``kind`` shared by both instruments: the pupils' and the
    staff's n, mean and SD, the gap (staff − pupils) with its Welch 95% CI
    (:func:`~learnsurvey.stats.effects.welch_difference`) and Hedges' g of staff against
    pupils with its 95% CI
    (:func:`~learnsurvey.stats.effects.hedges_g`: pooled SD, small-sample correction
    J(ν), normal interval from Var(g) = 1/n₁ + 1/n₂ + g²/(2(n₁ + n₂))).

    Disclosure. The staff are counted like pupils: the same ``threshold`` applies to each
    side. The rows (restricted to the groups in ``only`` when given, e.g. one trust's
    schools) partition the published total of each side, so each side is suppressed with
    the complementary rule within each score (:func:`~learnsurvey.stats.disclosure.suppress`)
    and a gap is hidden when either side is (:func:`~learnsurvey.stats.disclosure.suppress_pairs`).
    Groups where no staff answered are hidden as having no staff survey
    (``staff_answered`` False) and do not drive complementary suppression: a zero describes
    nobody.

    Returns
    -------
    pandas.DataFrame
        Columns ``by`` (unless None), ``dimension`` (the score id), :data:`GAP_COLUMNS`,
        ``staff_answered`` and ``suppressed``; one row per group with pupils × score.
    """
    keys = [by] if by else []
    staff_ids = {staff.layout.ids[j] for j in staff.layout.indices(kind)}
    shared = [
        pupils.layout.ids[j]
        for j in pupils.layout.indices(kind)
        if pupils.layout.ids[j] in staff_ids
    ]
    if not shared:
        raise ValueError(f"the pupil and staff instruments share no score of kind {kind!r}")
    stats = ["n", "mean", "sd"]
    pupil = group_summary(pupils, keys, kind=kind)[[*keys, "dimension", *stats]]
    staff_part = group_summary(staff, keys, kind=kind)[[*keys, "dimension", *stats]]
    pupil = pupil[pupil["dimension"].isin(shared) & (pupil["n"] > 0)]
    table = pupil.rename(columns={c: f"pupil_{c}" for c in stats}).merge(
        staff_part.rename(columns={c: f"staff_{c}" for c in stats}),
        on=[*keys, "dimension"],
        how="left",
    )
    if by and only is not None:
        table = table[table[by].isin(only)]
    table = table.reset_index(drop=True)
    table["staff_n"] = table["staff_n"].fillna(0).astype(np.int64)
    arrays = {
        f"{side}_{c}": table[f"{side}_{c}"].to_numpy(dtype=float)
        for side in ("pupil", "staff")
        for c in stats
    }
    gap, low, high = welch_difference(
        arrays["staff_n"],
        arrays["staff_mean"],
        arrays["staff_sd"],
        arrays["pupil_n"],
        arrays["pupil_mean"],
        arrays["pupil_sd"],
    )
    table["gap"], table["gap_ci_low"], table["gap_ci_high"] = gap, low, high
    g = hedges_g(
        arrays["staff_n"],
        np.nan_to_num(arrays["staff_mean"]),
        np.nan_to_num(arrays["staff_sd"]),
        arrays["pupil_n"],
        arrays["pupil_mean"],
        np.nan_to_num(arrays["pupil_sd"]),
    )
    answered = table["staff_n"].to_numpy() > 0
    table["hedges_g"] = np.where(answered, g["hedges_g"].to_numpy(), np.nan)
    table["g_ci_low"] = np.where(answered, g["ci_low"].to_numpy(), np.nan)
    table["g_ci_high"] = np.where(answered, g["ci_high"].to_numpy(), np.nan)
    table["staff_answered"] = answered
    return _suppress_sides(table, keys, threshold)


def _suppress_sides(table: pd.DataFrame, keys: list[str], threshold: int) -> pd.DataFrame:
    ident = [*keys, "dimension"]
    hidden: set[tuple[object, ...]] = set()
    # Each side on its own; the staff side only where staff answered (a zero hides nobody).
    for count, rows in (("pupil_n", table), ("staff_n", table[table["staff_answered"]])):
        side = suppress(
            rows[[*ident, count]],
            threshold=threshold,
            count=count,
            within=["dimension"],
            keep=ident,
        )
        hidden |= set(side.loc[side["suppressed"], ident].itertuples(index=False, name=None))
    hidden |= set(table.loc[~table["staff_answered"], ident].itertuples(index=False, name=None))
    out = suppress_pairs(table, hidden, group_a=ident, group_b=ident, keep=["staff_answered"])
    return out[[*ident, *GAP_COLUMNS, "staff_answered", "suppressed"]]
