"""The result tables of a wave (the output contract of ``learnsurvey analyse``)."""

from __future__ import annotations

import pandas as pd

from learnsurvey.stats.disclosure import require_publishable, suppress

from .context import inspection_table
from .groups import (
    band_shares,
    effects_table,
    group_summary,
    icc_table,
    school_table,
    top_bottom_table,
)
from .psychometrics import (
    Rotation,
    factor_tables,
    item_correlations,
    item_table,
    reliability_table,
)
from .statistics import WaveStatistics

__all__ = ["TABLE_NAMES", "wave_tables"]

TABLE_NAMES = (
    "reliability",
    "factor_pattern",
    "factor_correlations",
    "items",
    "item_correlations",
    "dimension_summary",
    "notion_summary",
    "school_summary",
    "school_notions",
    "group_effects",
    "key_stage_trend",
    "gender_summary",
    "icc",
    "top_bottom",
)


def wave_tables(
    stats: WaveStatistics,
    *,
    threshold: int,
    context: pd.DataFrame | None = None,
    rotation: Rotation = "oblimin",
) -> dict[str, pd.DataFrame]:
    """Every result table of a wave, each passed through the disclosure rules.

    Raises :class:`~learnsurvey.stats.disclosure.DisclosureError` when the whole wave has
    fewer pupils than ``threshold``.
    """
    inst = stats.instrument
    overall_n = stats.scores.counts()[stats.layout.ids.index("overall")]
    require_publishable(overall_n, threshold, "this data set")
    pattern, phi, _ = factor_tables(stats, rotation=rotation)
    dims = group_summary(stats, [])
    notions = group_summary(stats, [], kind="notion", label="notion")
    notions = pd.concat(
        [notions, group_summary(stats, [], kind="overall", label="notion")], ignore_index=True
    )
    schools = school_table(stats, threshold=threshold)
    key_stages, ks_pairs = effects_table(
        group_summary(stats, ["key_stage"]),
        "key_stage",
        threshold=threshold,
        order=list(inst.demographics.key_stages),
        shares=band_shares(inst),
    )
    genders, gender_pairs = effects_table(
        group_summary(stats, ["gender"]),
        "gender",
        threshold=threshold,
        order=list(inst.demographics.genders),
        shares=band_shares(inst),
    )
    tables = {
        "reliability": reliability_table(stats),
        "factor_pattern": pattern,
        "factor_correlations": phi,
        "items": item_table(stats),
        "item_correlations": item_correlations(stats),
        "dimension_summary": suppress(
            dims, threshold=threshold, keep=["dimension"], **band_shares(inst)
        ),
        "notion_summary": suppress(
            notions, threshold=threshold, keep=["notion"], **band_shares(inst)
        ),
        "school_summary": schools,
        "school_notions": school_table(stats, threshold=threshold, kind="notion", label="notion"),
        "group_effects": pd.concat([ks_pairs, gender_pairs], ignore_index=True),
        "key_stage_trend": key_stages,
        "gender_summary": genders,
        "icc": icc_table(stats),
        "top_bottom": top_bottom_table(stats, schools),
    }
    if context is not None:
        tables["inspection"] = inspection_table(schools, context)
    return tables
