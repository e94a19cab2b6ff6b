"""The trust against the benchmark: the trust's pupils against all pupils of the wave and
against the pupils of the wave's other schools (Hedges' g)."""

from __future__ import annotations

from learnsurvey.analysis.figures.trust import TrustFigures, TrustScore

from .. import format as fmt
from ..charts import Table

__all__ = ["benchmark_table"]

COLUMNS = [
    "Score",
    "Pupils",
    "Trust mean",
    "95% CI",
    "All pupils",
    "Other schools",
    "Hedges' g",
    "95% CI of g",
]


def _row(score: TrustScore, name: str, hidden: bool) -> list[str]:
    if hidden:
        return [name, *[fmt.HIDDEN] * 3, fmt.number(score.all_mean), *[fmt.HIDDEN] * 3]
    return [
        name,
        fmt.count(score.n),
        fmt.number(score.mean),
        fmt.ci(score.ci_low, score.ci_high),
        fmt.number(score.all_mean),
        fmt.number(score.rest_mean),
        fmt.signed(score.hedges_g),
        fmt.ci(score.g_ci_low, score.g_ci_high),
    ]


def benchmark_table(figures: TrustFigures, labels: dict[str, str]) -> Table:
    """Every score of the trust against the wave: overall, the notions, the dimensions."""
    rows = [
        _row(s, labels[s.score], s.suppressed or not figures.publishable)
        for s in figures.against_rest
    ]
    return Table(
        caption="The trust's pupils against the wave",
        columns=COLUMNS,
        rows=rows,
        numeric=[False, *[True] * 7],
        notes=[
            "Hedges' g compares the trust's pupils with the pupils of the wave's other "
            "schools (positive: the trust is higher)."
        ],
    )
