"""The schools side by side: the schools × dimensions grid coloured by band, and each
school's shrunken means with their 95% intervals, as charts and tables."""

from __future__ import annotations

from typing import Any

import numpy as np

from learnsurvey.analysis.figures.trust import HeatCell, HeatRow, ScoreCell, TrustFigures
from learnsurvey.instruments import Instrument

from .. import format as fmt
from ..charts import Chart, Table
from .charts import dot_whisker_chart, heatmap_chart

__all__ = ["NOT_SHOWN", "heatmap", "notion_tables", "school_charts"]

NOT_SHOWN = "Not shown"
GRID_ALT = (
    "A grid with one row per school and one column per dimension. Each cell shows the "
    "school's shrunken mean and is coloured by the band it falls in, from very low (red) to "
    "very high (blue); a dash marks a figure that is not shown."
)


def _mean_ci(cell: HeatCell | ScoreCell | None) -> str:
    if cell is None or cell.suppressed or cell.shrunken_mean is None:
        return fmt.HIDDEN
    low, high = fmt.number(cell.ci_low), fmt.number(cell.ci_high)
    return f"{fmt.number(cell.shrunken_mean)} ({low}–{high})"


def _grid(figures: TrustFigures, inst: Instrument, labels: dict[str, str]) -> Table:
    dims = list(inst.dimension_ids)
    rows = [
        [
            r.school_name,
            fmt.count(r.overall.n),
            *[fmt.number(c.shrunken_mean if not c.suppressed else None) for c in r.cells],
        ]
        for r in figures.schools
    ]
    return Table(
        caption="Shrunken mean of each school on each dimension",
        columns=["School", "Pupils", *[labels[d] for d in dims]],
        rows=rows,
        numeric=[False, *[True] * (len(dims) + 1)],
    )


def heatmap(figures: TrustFigures, inst: Instrument, labels: dict[str, str]) -> Chart | None:
    """The schools × dimensions grid (None for a trust with no school to show)."""
    if not figures.schools:
        return None
    band_names = {b.id: b.name for b in inst.bands}
    cells = [
        {
            "school": r.school_name,
            "dimension": labels[c.dimension],
            "value": fmt.number(c.shrunken_mean),
            "band": band_names[c.band] if c.band else NOT_SHOWN,
        }
        for r in figures.schools
        for c in r.cells
    ]
    return heatmap_chart(
        "trust-grid",
        "Each school on each dimension, coloured by band",
        GRID_ALT,
        cells,
        schools=[r.school_name for r in figures.schools],
        dimensions=[labels[d] for d in inst.dimension_ids],
        bands=[b.name for b in inst.bands],
        hidden_label=NOT_SHOWN,
        table=_grid(figures, inst, labels),
    )


def _notion_row(row: HeatRow, factor: str, dims: list[str]) -> list[str]:
    """A school's shrunken means on a notion's dimensions, then on the notion (by kind:
    a notion may share its id with a dimension)."""
    cells = {c.dimension: c for c in row.cells}
    notion = next((n for n in row.notions if n.score == factor), None)
    return [row.school_name, *[_mean_ci(cells.get(d)) for d in dims], _mean_ci(notion)]


def notion_tables(figures: TrustFigures, inst: Instrument, labels: dict[str, str]) -> list[Table]:
    """Per notion, each school's shrunken means (95% CI) on its dimensions and the notion."""
    tables = []
    for factor in inst.factors:
        dims = [d.id for d in inst.dimensions if d.factor == factor.id]
        tables.append(
            Table(
                caption=f"{factor.name}: shrunken means (95% CI)",
                columns=["School", *[labels[k] for k in dims], f"{factor.name} (notion)"],
                rows=[_notion_row(r, factor.id, dims) for r in figures.schools],
                numeric=[False, *[True] * (len(dims) + 1)],
            )
        )
    return tables


def _domain(values: list[float], inst: Instrument) -> tuple[float, float]:
    lo, hi = float(inst.scale.min), float(inst.scale.max)
    if not values:
        return lo, hi
    pad = 0.1
    return max(lo, np.floor((min(values) - pad) * 10) / 10), min(
        hi, np.ceil((max(values) + pad) * 10) / 10
    )


def _points(figures: TrustFigures, kind: str, labels: dict[str, str]) -> list[dict[str, Any]]:
    """Each shown school's shrunken mean and interval on the scores of ``kind``, score by
    score, the schools in name order."""
    cells = [
        (r.school_name, cell)
        for k in range(len(figures.schools[0].notions) if figures.schools else 0)
        for r in figures.schools
        for cell in [r.notions[k]]
    ]
    if kind == "overall":
        cells = [(r.school_name, r.overall) for r in figures.schools]
    return [
        {
            "school": name,
            "score": labels[cell.score],
            "mean": round(cell.shrunken_mean, 3),
            "low": round(float(cell.ci_low if cell.ci_low is not None else np.nan), 3),
            "high": round(float(cell.ci_high if cell.ci_high is not None else np.nan), 3),
        }
        for name, cell in cells
        if not cell.suppressed and cell.shrunken_mean is not None
    ]


def _chart(
    figures: TrustFigures, kind: str, inst: Instrument, labels: dict[str, str]
) -> Chart | None:
    data = _points(figures, kind, labels)
    if not data:
        return None
    benchmark: list[dict[str, Any]] = [
        {"score": labels[s.score], "mean": round(s.all_mean, 3)}
        for s in figures.against_rest
        if s.kind == kind and s.all_mean is not None
    ]
    table = Table(
        caption="Shrunken means and 95% CIs",
        columns=["School", "Score", "Shrunken mean", "95% CI"],
        rows=[
            [d["school"], d["score"], fmt.number(d["mean"]), fmt.ci(d["low"], d["high"])]
            for d in data
        ],
        numeric=[False, False, True, True],
    )
    shown = {d["school"] for d in data}
    what = "overall score" if kind == "overall" else "three notions"
    values = [float(d[k]) for d in data for k in ("low", "high")]
    values += [float(b["mean"]) for b in benchmark]
    return dot_whisker_chart(
        "trust-overall" if kind == "overall" else "trust-notions",
        f"Schools' shrunken means with 95% CIs: {what}",
        f"For each school shown, a dot marks its shrunken mean on the {what} and a line its "
        "95% confidence interval; the dashed line is the mean of all pupils in the wave.",
        data,
        schools=[r.school_name for r in figures.schools if r.school_name in shown],
        benchmark=benchmark,
        facets=[labels[f.id] for f in inst.factors] if kind == "notion" else None,
        axis_title="Shrunken mean",
        domain=_domain(values, inst),
        table=table,
    )


def school_charts(figures: TrustFigures, inst: Instrument, labels: dict[str, str]) -> list[Chart]:
    """Dot-and-whisker charts of the schools' shrunken means: the overall score, and the
    notions side by side."""
    charts = [_chart(figures, kind, inst, labels) for kind in ("overall", "notion")]
    return [c for c in charts if c is not None]
