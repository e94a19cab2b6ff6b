"""The psychometric parts of the global figures: reliability, the pattern matrix (as
published) and all pupils' summary of every score."""

from __future__ import annotations

import pandas as pd

from learnsurvey.instruments import Instrument

from ._cells import Tables, as_count, as_number, as_whole
from ._global_models import LoadingRow, PatternFigures, ReliabilityFigure, ScoreSummary

__all__ = ["pattern_figures", "reliability_figures", "score_summaries"]


def reliability_figures(table: pd.DataFrame) -> list[ReliabilityFigure]:
    return [
        ReliabilityFigure(
            scale=str(r.scale),
            n_items=as_whole(r.n_items),
            n=as_whole(r.n),
            alpha=as_number(r.alpha),
            alpha_ci_low=as_number(r.alpha_ci_low),
            alpha_ci_high=as_number(r.alpha_ci_high),
            omega_total=as_number(r.omega_total),
        )
        for r in table.itertuples(index=False)
    ]


def pattern_figures(
    inst: Instrument, pattern: pd.DataFrame, phi: pd.DataFrame
) -> PatternFigures | None:
    """The pattern matrix sorted as published; None with too few dimensions to analyse."""
    factors = list(inst.factor_ids)
    if pattern[factors].isna().all().all():
        return None
    order = {f: k for k, f in enumerate(factors)}
    pattern = pattern.assign(
        _f=pattern["factor"].map(order),
        _own=[row[row["factor"]] for _i, row in pattern.iterrows()],
    ).sort_values(["_f", "_own"], ascending=[True, False])
    rows = [
        LoadingRow(
            dimension=str(row["dimension"]),
            factor=str(row["factor"]),
            primary_factor=str(row["primary_factor"]),
            loadings={f: as_number(row[f]) for f in factors},
            communality=as_number(row["communality"]),
        )
        for _i, row in pattern.iterrows()
    ]
    correlations = {
        str(row["factor"]): {g: as_number(row[g]) for g in factors} for _i, row in phi.iterrows()
    }
    return PatternFigures(
        rotation=str(pattern["rotation"].iloc[0]), rows=rows, correlations=correlations
    )


def score_summaries(tables: Tables) -> list[ScoreSummary]:
    """All pupils' summary of every dimension, notion and the overall score (suppressed)."""
    out = []
    for name, label in (("dimension_summary", "dimension"), ("notion_summary", "notion")):
        for r in tables[name].to_dict("records"):
            score = str(r[label])
            kind = "overall" if score == "overall" else label
            out.append(
                ScoreSummary(
                    kind=kind,
                    score=score,
                    n=as_count(r["n"]),
                    mean=as_number(r["mean"]),
                    sd=as_number(r["sd"]),
                    ci_low=as_number(r["ci_low"]),
                    ci_high=as_number(r["ci_high"]),
                    pct_high=as_number(r["pct_quite_or_very_high"]),
                    suppressed=bool(r["suppressed"]),
                )
            )
    return out
