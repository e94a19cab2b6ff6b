"""How pupils' scores change across the key stages of a wave: Hedges' g between adjacent key
stages and between the primary and the secondary key stages pooled.

Both are computed from the sufficient statistics (each key stage's count, sum and sum of
squares per dimension), never from a published table; the suppressed key-stage summary says
only which key stages may be compared (a hidden key stage takes part in no comparison, so no
effect size describes it). Different pupils are compared, not the same pupils followed over
time. Django-free.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pandas as pd

from learnsurvey.stats.effects import hedges_g
from learnsurvey.stats.moments import GroupMoments

from .statistics import WaveStatistics

__all__ = ["EFFECT_COLUMNS", "adjacent_stage_effects", "phase_effects", "shown_stages"]

EFFECT_COLUMNS = ["dimension", "group_a", "group_b", "hedges_g", "ci_low", "ci_high"]
"""``group_a`` is the later key stage (or ``secondary``): a negative g means it scores lower."""


def shown_stages(trend: pd.DataFrame, order: Sequence[str]) -> list[str]:
    """The key stages of ``order`` that the suppressed key-stage summary ``trend`` shows on
    at least one dimension, in the instrument's order."""
    shown = set(trend.loc[~trend["suppressed"].astype(bool), "key_stage"].astype(str))
    return [k for k in order if k in shown]


def _shown_by_dimension(trend: pd.DataFrame) -> dict[str, set[str]]:
    shown = trend[~trend["suppressed"].astype(bool)]
    out: dict[str, set[str]] = {}
    for row in shown.itertuples(index=False):
        out.setdefault(str(row.dimension), set()).add(str(row.key_stage))
    return out


def _stage_moments(stats: WaveStatistics) -> tuple[dict[str, int], GroupMoments]:
    keys, moments, _ = stats.groups("key_stage")
    return {str(k): i for i, k in enumerate(keys["key_stage"])}, moments


def _effect(
    dimension: str, a: str, b: str, moments: GroupMoments, ia: int, ib: int, j: int
) -> dict[str, object]:
    n, mean, sd = moments.n[:, j], moments.means()[:, j], moments.sds()[:, j]
    g = hedges_g([n[ia]], [mean[ia]], [sd[ia]], [n[ib]], [mean[ib]], [sd[ib]]).iloc[0]
    return {
        "dimension": dimension,
        "group_a": a,
        "group_b": b,
        "hedges_g": float(g["hedges_g"]),
        "ci_low": float(g["ci_low"]),
        "ci_high": float(g["ci_high"]),
    }


def adjacent_stage_effects(
    stats: WaveStatistics, trend: pd.DataFrame, stages: Sequence[str]
) -> pd.DataFrame:
    """Hedges' g (95% CI) of each key stage against the one before it in ``stages``.

    .. math:: g = J(n_l + n_e - 2)\\,\\frac{\\bar x_l - \\bar x_e}{s_p}

    for the later (:math:`l`) and the earlier (:math:`e`) key stage, with the pooled SD
    :math:`s_p` and the normal-theory interval of
    :func:`~learnsurvey.stats.effects.hedges_g` (Hedges, 1981). A pair is compared on a
    dimension only where ``trend`` (the suppressed summary of the key stages) shows both.
    Checked against the same g from the published summary rows (tests/reports).

    Returns
    -------
    pandas.DataFrame
        :data:`EFFECT_COLUMNS`, ``group_a`` the later key stage.
    """
    index, moments = _stage_moments(stats)
    shown = _shown_by_dimension(trend)
    rows = []
    for j in stats.layout.indices("dimension"):
        dim = stats.layout.ids[j]
        here = shown.get(dim, set())
        for early, late in pairwise(stages):
            if early in here and late in here:
                rows.append(_effect(dim, late, early, moments, index[late], index[early], j))
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


def phase_effects(
    stats: WaveStatistics,
    trend: pd.DataFrame,
    *,
    primary: Sequence[str],
    secondary: Sequence[str],
) -> pd.DataFrame:
    """Hedges' g (95% CI) of the secondary key stages pooled against the primary ones pooled.

    On each dimension the pupils of the key stages that ``trend`` shows are pooled exactly
    by adding their moments (:math:`n = \\sum n_k`, :math:`\\sum x`, :math:`\\sum x^2`), so the
    pooled mean and SD are those of all their pupils together; then g is as in
    :func:`adjacent_stage_effects` with ``group_a`` = ``secondary``. A dimension with no
    shown key stage on one side has no row.
    """
    index, moments = _stage_moments(stats)
    shown = _shown_by_dimension(trend)
    rows = []
    for j in stats.layout.indices("dimension"):
        dim = stats.layout.ids[j]
        here = shown.get(dim, set())
        sides = [[k for k in part if k in here] for part in (secondary, primary)]
        if not all(sides):
            continue
        mapping = np.full(moments.n.shape[0], -1, dtype=np.intp)
        for side, stages in enumerate(sides):
            mapping[[index[k] for k in stages]] = side
        pooled = moments.collapse(mapping, 2)
        rows.append(_effect(dim, "secondary", "primary", pooled, 0, 1, j))
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)
