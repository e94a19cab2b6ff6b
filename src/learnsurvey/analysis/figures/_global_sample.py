"""The sample part of the global figures: who answered, every count suppressed as a
partition of the wave's total."""

from __future__ import annotations

import pandas as pd

from learnsurvey.stats.disclosure import is_publishable, suppress

from ..inputs import ReportInputs
from ..statistics import NOT_GIVEN
from ._cells import as_count, as_number
from ._global_models import CountRow, SampleFigures

__all__ = ["sample_figures"]


def _count_rows(counts: pd.DataFrame, key: str, threshold: int) -> list[CountRow]:
    """Pupils per group, suppressed as a partition of the wave's total (complementary rule)."""
    total = float(counts["n"].sum())
    shown = suppress(
        counts.assign(pct=100.0 * counts["n"] / total), threshold=threshold, keep=[key]
    )
    with_schools = "schools" in shown.columns
    return [
        CountRow(
            group=str(getattr(row, key)),
            n=as_count(row.n),
            schools=as_count(row.schools) if with_schools else None,
            pct=as_number(row.pct),
            suppressed=bool(row.suppressed),
        )
        for row in shown.itertuples(index=False)
    ]


def _ordered_counts(responses: pd.DataFrame, key: str, order: list[str]) -> pd.DataFrame:
    """Pupils per group in the instrument's order, then not given, then any other."""
    counts = responses.groupby(key, sort=False)["n"].sum().reset_index()
    rank = {g: k for k, g in enumerate([*order, NOT_GIVEN])}
    counts["_order"] = counts[key].map(rank).fillna(len(rank))
    counts = counts.sort_values(["_order", key]).drop(columns="_order")
    return counts.reset_index(drop=True)


def _phase_counts(responses: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """Pupils and schools per phase of school (not given last); empty when no phase is known."""
    phase = responses.assign(
        phase=responses["school"].map(schools["phase"]).fillna(NOT_GIVEN).astype(str)
    )
    by = phase.groupby("phase", sort=True).agg(n=("n", "sum"), schools=("school", "nunique"))
    by = by.reset_index()
    given = by["phase"] != NOT_GIVEN
    if not given.any():
        return by.iloc[0:0]
    return pd.concat([by[given], by[~given]], ignore_index=True)


def sample_figures(inputs: ReportInputs) -> SampleFigures | None:
    """Who answered; None when the wave is too small for any figure to be shown."""
    responses = inputs.current.responses
    total = int(responses["n"].sum())
    if not is_publishable(total, inputs.threshold):
        return None
    schools = inputs.schools.set_index("school")
    responding = sorted(set(responses["school"].astype(str)))
    trusts = schools.reindex(responding)["trust"].dropna()
    demo = inputs.instrument.demographics
    phases = _phase_counts(responses, schools)
    return SampleFigures(
        n_responses=total,
        n_schools=len(responding),
        n_trusts=int(trusts.nunique()) if len(trusts) else None,
        n_items=len(inputs.instrument.items),
        phases=_count_rows(phases, "phase", inputs.threshold) if len(phases) else [],
        key_stages=_count_rows(
            _ordered_counts(responses, "key_stage", list(demo.key_stages)),
            "key_stage",
            inputs.threshold,
        ),
        genders=_count_rows(
            _ordered_counts(responses, "gender", list(demo.genders)), "gender", inputs.threshold
        ),
    )
