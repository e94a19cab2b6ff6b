"""The spread within the trust: how far apart its schools are on each dimension."""

from __future__ import annotations

from learnsurvey.analysis.figures.trust import TrustFigures

from .. import format as fmt
from ..charts import Table

__all__ = ["spread_names", "spread_table"]


def spread_table(figures: TrustFigures, labels: dict[str, str]) -> Table:
    rows = [
        [
            labels[s.dimension],
            str(s.n_schools),
            fmt.number(s.sd),
            fmt.number(s.min),
            fmt.number(s.max),
            fmt.number(s.range),
            fmt.number(s.wave_sd),
        ]
        for s in figures.spread
    ]
    return Table(
        caption="The spread of school means within the trust",
        columns=["Dimension", "Schools", "SD", "Lowest", "Highest", "Range", "SD, whole wave"],
        rows=rows,
        numeric=[False, *[True] * 6],
        notes=[
            "Raw school means of the schools shown; the last column is the SD of the "
            "school means of every school shown in the wave, for comparison."
        ],
    )


def spread_names(figures: TrustFigures, labels: dict[str, str]) -> tuple[str | None, str | None]:
    """The names of the dimensions the schools differ most and least on (None: no clear one)."""
    wide, narrow = figures.spread_widest, figures.spread_narrowest
    return (
        labels[wide] if wide is not None else None,
        labels[narrow] if narrow is not None else None,
    )
