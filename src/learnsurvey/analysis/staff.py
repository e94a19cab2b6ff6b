"""Staff versus pupils: how the staff survey's view of each dimension differs from the pupils'.

The staff survey (instrument ``staff-survey``) asks staff about the same nine dimensions, with
the same dimension ids, so each school (or trust, or the whole wave) has a pupil mean and a
staff mean per dimension. The gap is staff minus pupils: positive when staff see the
dimension more favourably than their pupils do. Django-free.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from learnsurvey.stats.disclosure import (
    Cleared,
    hidden_keys,
    keep_columns,
    suppress,
    suppress_pairs,
)
from learnsurvey.stats.effects import hedges_g, welch_difference

from .groups import by_school_attribute, group_summary
from .statistics import WaveStatistics

__all__ = ["GAP_COLUMNS", "staff_pupil_gaps", "trust_staff_gaps"]

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
) -> Cleared:
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
    Cleared
        Columns ``by`` (unless None), ``dimension`` (the score id), :data:`GAP_COLUMNS`,
        ``staff_answered`` and ``suppressed``; one row per group with pupils × score.
    """
    keys = [by] if by else []
    shared = _shared_scores(pupils, staff, kind)
    table = _sides(pupils, staff, keys, kind, shared)
    if by and only is not None:
        table = table[table[by].isin(only)]
    table = _with_gaps(table.reset_index(drop=True))
    return _suppress_sides(table, keys, threshold)


STATS = ["n", "mean", "sd"]


def _shared_scores(pupils: WaveStatistics, staff: WaveStatistics, kind: str) -> list[str]:
    """The ids of ``kind`` both instruments score, in the pupils' order."""
    staff_ids = {staff.layout.ids[j] for j in staff.layout.indices(kind)}
    shared = [
        pupils.layout.ids[j]
        for j in pupils.layout.indices(kind)
        if pupils.layout.ids[j] in staff_ids
    ]
    if not shared:
        raise ValueError(f"the pupil and staff instruments share no score of kind {kind!r}")
    return shared


def _sides(
    pupils: WaveStatistics,
    staff: WaveStatistics,
    keys: list[str],
    kind: str,
    shared: list[str],
) -> pd.DataFrame:
    """Per group with pupils × shared score: each side's n, mean and SD (staff n 0 where no
    staff answered)."""
    pupil = group_summary(pupils, keys, kind=kind)[[*keys, "dimension", *STATS]]
    staff_part = group_summary(staff, keys, kind=kind)[[*keys, "dimension", *STATS]]
    pupil = pupil[pupil["dimension"].isin(shared) & (pupil["n"] > 0)]
    table = pupil.rename(columns={c: f"pupil_{c}" for c in STATS}).merge(
        staff_part.rename(columns={c: f"staff_{c}" for c in STATS}),
        on=[*keys, "dimension"],
        how="left",
    )
    table["staff_n"] = table["staff_n"].fillna(0).astype(np.int64)
    return table


def _with_gaps(table: pd.DataFrame) -> pd.DataFrame:
    """The gap with Welch's interval and Hedges' g of staff against pupils (NaN where no
    staff answered)."""
    arrays = {
        f"{side}_{c}": table[f"{side}_{c}"].to_numpy(dtype=float)
        for side in ("pupil", "staff")
        for c in STATS
    }
    staff_side = [arrays[f"staff_{c}"] for c in STATS]
    pupil_side = [arrays[f"pupil_{c}"] for c in STATS]
    gap, low, high = welch_difference(*staff_side, *pupil_side)
    table["gap"], table["gap_ci_low"], table["gap_ci_high"] = gap, low, high
    g = hedges_g(
        staff_side[0],
        np.nan_to_num(staff_side[1]),
        np.nan_to_num(staff_side[2]),
        pupil_side[0],
        pupil_side[1],
        np.nan_to_num(pupil_side[2]),
    )
    answered = table["staff_n"].to_numpy() > 0
    table["hedges_g"] = np.where(answered, g["hedges_g"].to_numpy(), np.nan)
    table["g_ci_low"] = np.where(answered, g["ci_low"].to_numpy(), np.nan)
    table["g_ci_high"] = np.where(answered, g["ci_high"].to_numpy(), np.nan)
    table["staff_answered"] = answered
    return table


def _suppress_sides(table: pd.DataFrame, keys: list[str], threshold: int) -> Cleared:
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
        hidden |= hidden_keys(side, ident)
    hidden |= set(table.loc[~table["staff_answered"], ident].itertuples(index=False, name=None))
    out = suppress_pairs(table, hidden, group_a=ident, group_b=ident, keep=["staff_answered"])
    return keep_columns(out, [*ident, *GAP_COLUMNS, "staff_answered", "suppressed"])


def trust_staff_gaps(
    pupils: WaveStatistics,
    staff: WaveStatistics,
    trust_of: dict[str, str | None],
    trust: str,
    *,
    threshold: int,
    hidden_trust: set[str],
    hidden_schools: set[tuple[object, ...]],
) -> tuple[Cleared, Cleared]:
    """Staff against pupils for ``trust`` as a whole and for each of its schools (the keys
    that ``trust_of`` maps to it): (trust rows, school rows), as :func:`staff_pupil_gaps`.

    The pupil side repeats figures the trust's other tables show, so whatever those hide stays
    hidden here too, or this table would publish a count the other protects: ``hidden_trust``
    holds the dimension ids whose trust-wide pupil figures are hidden, ``hidden_schools`` the
    (school, dimension) pairs its schools table hides."""
    keys = [s for s, t in trust_of.items() if t == trust]
    whole = staff_pupil_gaps(
        by_school_attribute(pupils, "trust", trust_of),
        by_school_attribute(staff, "trust", trust_of),
        threshold=threshold,
        by="trust",
        only=[trust],
    )
    ident = ["trust", "dimension"]
    whole = _hide_also(whole, {(trust, d) for d in hidden_trust}, ident)
    schools = staff_pupil_gaps(pupils, staff, threshold=threshold, by="school", only=keys)
    schools = _hide_also(schools, hidden_schools, ["school", "dimension"])
    return whole, schools


def _hide_also(table: Cleared, hidden: set[tuple[object, ...]], ident: list[str]) -> Cleared:
    """``table`` with the rows keyed in ``hidden`` hidden as well as those already hidden."""
    hidden = hidden | hidden_keys(table, ident)
    return suppress_pairs(table, hidden, group_a=ident, group_b=ident, keep=["staff_answered"])
