"""The key-stage and gender parts of the global figures."""

from __future__ import annotations

import pandas as pd

from ..inputs import ReportInputs
from ..key_stages import adjacent_stage_effects, phase_effects, shown_stages
from ._cells import Tables, as_count, as_number
from ._global_models import Effect, GenderFigures, GroupMean, KeyStageFigures

__all__ = ["effect_rows", "gender_figures", "key_stage_figures"]


def _means(summary: pd.DataFrame, grouping: str, groups: list[str]) -> list[GroupMean]:
    part = summary[summary[grouping].isin(groups)]
    return [
        GroupMean(
            group=str(r[grouping]),
            dimension=str(r["dimension"]),
            n=as_count(r["n"]),
            mean=as_number(r["mean"]),
            sd=as_number(r["sd"]),
            ci_low=as_number(r["ci_low"]),
            ci_high=as_number(r["ci_high"]),
            suppressed=bool(r["suppressed"]),
        )
        for r in part.to_dict("records")
    ]


def effect_rows(table: pd.DataFrame) -> list[Effect]:
    return [
        Effect(
            dimension=str(r["dimension"]),
            group_a=str(r["group_a"]),
            group_b=str(r["group_b"]),
            hedges_g=as_number(r["hedges_g"]),
            ci_low=as_number(r["ci_low"]),
            ci_high=as_number(r["ci_high"]),
            suppressed=bool(r.get("suppressed", False)),
        )
        for r in table.to_dict("records")
    ]


def _n_lower(means: list[GroupMean], first: str, last: str) -> int:
    """Dimensions on which ``last``'s shown mean is below ``first``'s."""
    by = {(m.group, m.dimension): m.mean for m in means if not m.suppressed}
    dims = {m.dimension for m in means}
    pairs = [(by.get((first, d)), by.get((last, d))) for d in dims]
    return sum(1 for a, b in pairs if a is not None and b is not None and b < a)


def key_stage_figures(inputs: ReportInputs, trend: pd.DataFrame) -> KeyStageFigures:
    """Means by key stage, adjacent and primary → secondary effects (see
    :mod:`learnsurvey.analysis.key_stages`)."""
    demo = inputs.instrument.demographics
    stats = inputs.current.stats
    trend = trend[trend["key_stage"].isin(demo.key_stages)]
    stages = shown_stages(trend, demo.key_stages)
    primary = [k for k in stages if k in demo.primary_key_stages]
    secondary = [k for k in stages if k not in demo.primary_key_stages]
    means = _means(trend, "key_stage", stages)
    phases = (
        phase_effects(stats, trend, primary=primary, secondary=secondary)
        if primary and secondary
        else pd.DataFrame()
    )
    return KeyStageFigures(
        stages=stages,
        primary=primary,
        secondary=secondary,
        means=means,
        adjacent=effect_rows(adjacent_stage_effects(stats, trend, stages)),
        phases=effect_rows(phases),
        n_lower=_n_lower(means, stages[0], stages[-1]) if len(stages) >= 2 else 0,
    )


def gender_figures(inputs: ReportInputs, tables: Tables) -> GenderFigures:
    genders = list(inputs.instrument.demographics.genders)
    summary = tables["gender_summary"]
    shown = summary[~summary["suppressed"].astype(bool)]
    present = [g for g in genders if g in set(shown["gender"])]
    pairs = tables["group_effects"]
    return GenderFigures(
        genders=present,
        means=_means(summary, "gender", present),
        effects=effect_rows(pairs[pairs["grouping"] == "gender"]),
    )
