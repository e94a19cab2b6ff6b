"""The trust report's sections as tables, charts and small models, from rows already
suppressed by :mod:`learnsurvey.reports.trust`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from learnsurvey.analysis.dashboard import band_ids
from learnsurvey.instruments import Instrument
from learnsurvey.stats.disclosure import suppress

from . import format as fmt
from .charts import Chart, Table
from .trust_charts import dot_whisker_chart, heatmap_chart

__all__ = [
    "KINDS",
    "ScoreRow",
    "TopBottom",
    "benchmark_table",
    "school_charts",
    "schools_tables",
    "spread_table",
    "top_bottom",
    "top_bottom_table",
]

KINDS = ("dimension", "notion", "overall")
NOT_SHOWN = "Not shown"
SMALL_EFFECT = 0.2
"""Cohen's (1988) conventional boundary of a small standardised difference."""


def _size(g: float) -> str:
    size = abs(g)
    if size < SMALL_EFFECT:
        return "very small"
    if size < 0.5:
        return "small"
    if size < 0.8:
        return "medium"
    return "large"


class ScoreRow(BaseModel):
    """One score of the trust against the wave, formatted, for the headline."""

    model_config = ConfigDict(frozen=True)

    score: str
    kind: str
    name: str
    mean: str
    ci: str
    all_mean: str
    rest_mean: str
    g: str
    g_ci: str
    direction: str
    """"above", "below" or "level" (the g interval includes zero), or "hidden"."""
    size: str

    @classmethod
    def from_row(cls, row: dict[Any, Any], labels: dict[str, str]) -> ScoreRow:
        hidden = bool(row.get("suppressed", False)) or not np.isfinite(row["hedges_g"])
        low, high = float(row["g_ci_low"]), float(row["g_ci_high"])
        if hidden:
            direction = "hidden"
        elif low > 0:
            direction = "above"
        elif high < 0:
            direction = "below"
        else:
            direction = "level"
        return cls(
            score=str(row["score"]),
            kind=str(row["kind"]),
            name=labels[str(row["score"])],
            mean=fmt.number(row["mean"]),
            ci=fmt.ci(row["ci_low"], row["ci_high"]),
            all_mean=fmt.number(row["all_mean"]),
            rest_mean=fmt.number(row["rest_mean"]),
            g=fmt.signed(row["hedges_g"]),
            g_ci=fmt.ci(row["g_ci_low"], row["g_ci_high"]),
            direction=direction,
            size="" if hidden else _size(float(row["hedges_g"])),
        )


def suppress_trust(ours: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The trust's rows, hidden when the trust or the rest of the wave has fewer pupils than
    the threshold: the two partition all pupils of the wave, whose figures are published."""
    pair = pd.concat(
        [
            ours[["kind", "score", "n"]].assign(side="trust"),
            ours[["kind", "score", "rest_n"]].rename(columns={"rest_n": "n"}).assign(side="rest"),
        ],
        ignore_index=True,
    )
    shown = suppress(pair, threshold=threshold, within=["kind", "score"], keep=["side"])
    hidden = shown[(shown["side"] == "trust") & shown["suppressed"]]
    keys = set(hidden[["kind", "score"]].itertuples(index=False, name=None))
    out = ours.copy()
    out["suppressed"] = [(k, s) in keys for k, s in zip(out["kind"], out["score"], strict=True)]
    figures = [c for c in out.columns if c not in {"trust", "kind", "score", "suppressed"}]
    out.loc[out["suppressed"], figures] = np.nan
    return out


def benchmark_table(ours: pd.DataFrame, labels: dict[str, str], publishable: bool) -> Table:
    rank = {k: i for i, k in enumerate(("overall", "notion", "dimension"))}
    rows = []
    for r in sorted(ours.to_dict("records"), key=lambda r: rank[r["kind"]]):
        hidden = r["suppressed"] or not publishable
        rows.append(
            [
                labels[r["score"]],
                fmt.HIDDEN if hidden else fmt.count(r["n"]),
                fmt.HIDDEN if hidden else fmt.number(r["mean"]),
                fmt.HIDDEN if hidden else fmt.ci(r["ci_low"], r["ci_high"]),
                fmt.number(r["all_mean"]),
                fmt.HIDDEN if hidden else fmt.number(r["rest_mean"]),
                fmt.HIDDEN if hidden else fmt.signed(r["hedges_g"]),
                fmt.HIDDEN if hidden else fmt.ci(r["g_ci_low"], r["g_ci_high"]),
            ]
        )
    return Table(
        caption="The trust's pupils against the wave",
        columns=[
            "Score",
            "Pupils",
            "Trust mean",
            "95% CI",
            "All pupils",
            "Other schools",
            "Hedges' g",
            "95% CI of g",
        ],
        rows=rows,
        numeric=[False, *[True] * 7],
        notes=[
            "Hedges' g compares the trust's pupils with the pupils of the wave's other "
            "schools (positive: the trust is higher)."
        ],
    )


def _mean_ci(row: dict[Any, Any]) -> str:
    if row["suppressed"] or not np.isfinite(row["shrunken_mean"]):
        return fmt.HIDDEN
    low, high = fmt.number(row["shrunken_ci_low"]), fmt.number(row["shrunken_ci_high"])
    return f"{fmt.number(row['shrunken_mean'])} ({low}–{high})"


def schools_tables(
    rows: pd.DataFrame,
    order: list[str],
    names: dict[str, str],
    inst: Instrument,
    labels: dict[str, str],
) -> tuple[Chart | None, list[Table]]:
    """The schools × dimensions grid (chart and its table) and, per notion, a table of the
    shrunken means with their 95% CIs."""
    by = {(r["school"], r["score"]): r for r in rows.to_dict("records")}
    dims = list(inst.dimension_ids)
    band_names = {b.id: b.name for b in inst.bands}
    cells, grid = [], []
    for school in order:
        overall = by.get((school, "overall"))
        line = [names[school], fmt.count(overall["n"]) if overall else fmt.HIDDEN]
        for dim in dims:
            r = by.get((school, dim))
            value = np.nan if r is None or r["suppressed"] else float(r["shrunken_mean"])
            band = band_ids(np.array([value]), inst)[0]
            text = fmt.number(value)
            line.append(text)
            cells.append(
                {
                    "school": names[school],
                    "dimension": labels[dim],
                    "value": text,
                    "band": band_names[band] if band else NOT_SHOWN,
                }
            )
        grid.append(line)
    table = Table(
        caption="Shrunken mean of each school on each dimension",
        columns=["School", "Pupils", *[labels[d] for d in dims]],
        rows=grid,
        numeric=[False, *[True] * (len(dims) + 1)],
    )
    heatmap = None
    if order:
        heatmap = heatmap_chart(
            "trust-grid",
            "Each school on each dimension, coloured by band",
            "A grid with one row per school and one column per dimension. Each cell shows "
            "the school's shrunken mean and is coloured by the band it falls in, from very "
            "low (red) to very high (blue); a dash marks a figure that is not shown.",
            cells,
            schools=[names[s] for s in order],
            dimensions=[labels[d] for d in dims],
            bands=[b.name for b in inst.bands],
            hidden_label=NOT_SHOWN,
            table=table,
        )
    tables = []
    for factor in inst.factors:
        scores = [d.id for d in inst.dimensions if d.factor == factor.id] + [factor.id]
        body = [
            [names[s], *[_mean_ci(by[(s, k)]) if (s, k) in by else fmt.HIDDEN for k in scores]]
            for s in order
        ]
        tables.append(
            Table(
                caption=f"{factor.name}: shrunken means (95% CI)",
                columns=["School", *[labels[k] for k in scores[:-1]], f"{factor.name} (notion)"],
                rows=body,
                numeric=[False, *[True] * len(scores)],
            )
        )
    return heatmap, tables


def _domain(values: list[float], inst: Instrument) -> tuple[float, float]:
    lo, hi = float(inst.scale.min), float(inst.scale.max)
    if not values:
        return lo, hi
    pad = 0.1
    return max(lo, np.floor((min(values) - pad) * 10) / 10), min(
        hi, np.ceil((max(values) + pad) * 10) / 10
    )


def school_charts(
    rows: pd.DataFrame,
    order: list[str],
    names: dict[str, str],
    inst: Instrument,
    labels: dict[str, str],
    everyone: pd.DataFrame,
) -> list[Chart]:
    """Dot-and-whisker charts of the schools' shrunken means: the overall score, and the
    three notions side by side."""
    shown = rows[~rows["suppressed"] & rows["shrunken_mean"].notna()]
    charts = []
    for kind, chart_id in (("overall", "trust-overall"), ("notion", "trust-notions")):
        part = shown[shown["kind"] == kind]
        scores = [f.id for f in inst.factors] if kind == "notion" else ["overall"]
        data: list[dict[str, Any]] = [
            {
                "school": names[r["school"]],
                "score": labels[r["score"]],
                "mean": round(float(r["shrunken_mean"]), 3),
                "low": round(float(r["shrunken_ci_low"]), 3),
                "high": round(float(r["shrunken_ci_high"]), 3),
            }
            for r in part.to_dict("records")
        ]
        if not data:
            continue
        bench = everyone[everyone["kind"] == kind]
        benchmark: list[dict[str, Any]] = [
            {"score": labels[r["score"]], "mean": round(float(r["mean"]), 3)}
            for r in bench.to_dict("records")
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
        ordered = [names[s] for s in order if names[s] in {d["school"] for d in data}]
        what = "overall score" if kind == "overall" else "three notions"
        values = [float(d[k]) for d in data for k in ("low", "high")]
        values += [float(b["mean"]) for b in benchmark]
        charts.append(
            dot_whisker_chart(
                chart_id,
                f"Schools' shrunken means with 95% CIs: {what}",
                f"For each school shown, a dot marks its shrunken mean on the {what} and a "
                "line its 95% confidence interval; the dashed line is the mean of all pupils "
                "in the wave.",
                data,
                schools=ordered,
                benchmark=benchmark,
                facets=[labels[s] for s in scores] if kind == "notion" else None,
                axis_title="Shrunken mean",
                domain=_domain(values, inst),
                table=table,
            )
        )
    return charts


def spread_table(spread: pd.DataFrame, wave: pd.DataFrame, labels: dict[str, str]) -> Table:
    wave_sd = dict(zip(wave["dimension"], wave["sd"], strict=True))
    rows = [
        [
            labels[r["dimension"]],
            str(int(r["n_schools"])),
            fmt.number(r["sd"]),
            fmt.number(r["min"]),
            fmt.number(r["max"]),
            fmt.number(r["range"]),
            fmt.number(wave_sd.get(r["dimension"])),
        ]
        for r in spread.to_dict("records")
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


class TopBottom(BaseModel):
    model_config = ConfigDict(frozen=True)

    dimension: str
    apart: bool
    """The highest school's 95% CI lies wholly above the lowest school's."""
    top: str | None
    top_figure: str
    bottom: str | None
    bottom_figure: str
    n_schools: int


def top_bottom(
    dims: pd.DataFrame, names: dict[str, str], labels: dict[str, str], inst: Instrument
) -> list[TopBottom]:
    """Per dimension, the highest and lowest school by shrunken mean, named only when their
    shrunken 95% CIs do not overlap."""
    out = []
    for dim in inst.dimension_ids:
        part = dims[(dims["score"] == dim) & ~dims["suppressed"] & dims["shrunken_mean"].notna()]
        if len(part) < 2:
            out.append(
                TopBottom(
                    dimension=labels[dim],
                    apart=False,
                    top=None,
                    top_figure="",
                    bottom=None,
                    bottom_figure="",
                    n_schools=len(part),
                )
            )
            continue
        ranked = part.sort_values(["shrunken_mean", "school"], ascending=[False, True])
        top, bottom = ranked.iloc[0], ranked.iloc[-1]
        apart = float(top["shrunken_ci_low"]) > float(bottom["shrunken_ci_high"])
        out.append(
            TopBottom(
                dimension=labels[dim],
                apart=apart,
                top=names[top["school"]] if apart else None,
                top_figure=_mean_ci(top.to_dict()) if apart else "",
                bottom=names[bottom["school"]] if apart else None,
                bottom_figure=_mean_ci(bottom.to_dict()) if apart else "",
                n_schools=len(part),
            )
        )
    return out


def top_bottom_table(items: list[TopBottom]) -> Table:
    rows = []
    for t in items:
        if t.apart:
            rows.append([t.dimension, f"{t.top}: {t.top_figure}", f"{t.bottom}: {t.bottom_figure}"])
        elif t.n_schools < 2:
            rows.append([t.dimension, "Too few schools shown to compare", ""])
        else:
            rows.append([t.dimension, "The schools cannot be told apart on this dimension", ""])
    return Table(
        caption="Highest and lowest school per dimension (shrunken mean, 95% CI)",
        columns=["Dimension", "Highest school", "Lowest school"],
        rows=rows,
        notes=["A school is named only when its interval does not overlap the other's."],
    )
