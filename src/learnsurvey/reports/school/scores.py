"""The school report's scores: its own means, the two benchmarks beside them, and the
dot-and-whisker chart of both."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .. import format as fmt
from ..charts import Chart, Table
from .charts import benchmark_chart
from .lines import ScoreLine
from .tables import FittedTable, Gettext, effect

__all__ = ["benchmark_figure", "benchmark_table", "reading", "scores_table"]


def scores_table(lines: list[ScoreLine], _: Gettext) -> Table:
    return Table(
        caption=_("This school's scores: mean (1 to 5) with its 95% confidence interval"),
        columns=[_("Score"), _("Pupils"), _("Mean"), _("95% CI"), _("Quite or very high")],
        rows=[
            [
                x.label,
                fmt.count(x.n),
                fmt.number(x.mean),
                fmt.ci(x.ci_low, x.ci_high),
                fmt.pct(x.high_pct),
            ]
            for x in lines
        ],
        numeric=[False, True, True, True, True],
    )


def reading(x: ScoreLine, has_similar: bool, _: Gettext) -> str:
    """The line's comparisons in words, e.g. "Clearly above all schools; clearly below
    similar schools" (the dash when none is shown)."""
    words = {
        ("above", "all"): _("clearly above all schools"),
        ("below", "all"): _("clearly below all schools"),
        ("above", "similar"): _("clearly above similar schools"),
        ("below", "similar"): _("clearly below similar schools"),
    }
    verdicts = [(x.verdict, "all")] + ([(x.similar_verdict, "similar")] if has_similar else [])
    if all(v == "unknown" for v, _which in verdicts):
        return fmt.HIDDEN
    parts = [words[key] for key in verdicts if key in words]
    if not parts:
        return _("Not clearly different")
    text = "; ".join(parts)
    return text[0].upper() + text[1:]


def _notes(has_similar: bool, _: Gettext) -> list[str]:
    notes = [
        _(
            "g is Hedges' g, the difference in standard deviations (positive: this school "
            "higher), with its 95% confidence interval. \u201cClearly above\u201d or "
            "\u201cclearly below\u201d means the interval lies entirely on one side of zero."
        )
    ]
    if not has_similar:
        notes.append(
            _(
                "No similar-schools benchmark: the school's phase or free-school-meals share "
                "is not known."
            )
        )
    return notes


def benchmark_table(lines: list[ScoreLine], has_similar: bool, _: Gettext) -> Table:
    similar_columns = [_("Similar schools"), _("g (95% CI)")] if has_similar else []
    rows = []
    for x in lines:
        similar = [
            fmt.number(x.similar_mean),
            effect(x.similar_g, x.similar_g_low, x.similar_g_high),
        ]
        rows.append(
            [
                x.label,
                fmt.number(x.all_mean),
                effect(x.all_g, x.all_g_low, x.all_g_high),
                *(similar if has_similar else []),
                reading(x, has_similar, _),
            ]
        )
    return FittedTable(
        caption=_("This school against all schools and similar schools"),
        columns=[_("Score"), _("All schools"), _("g (95% CI)"), *similar_columns, _("Reading")],
        rows=rows,
        numeric=[False, True, True, *([True, True] if has_similar else []), False],
        notes=_notes(has_similar, _),
    )


def _points(lines: list[ScoreLine], series: list[str]) -> pd.DataFrame:
    points: list[dict[str, Any]] = []
    for x in lines:
        means = [(x.mean, x.ci_low, x.ci_high), (x.all_mean, None, None)]
        means.append((x.similar_mean, None, None))
        for name, (mean, low, high) in zip(series, means, strict=False):
            points.append(
                {"label": x.label, "series": name, "mean": mean, "ci_low": low, "ci_high": high}
            )
    return pd.DataFrame(points).dropna(subset=["mean"])


def benchmark_figure(lines: list[ScoreLine], has_similar: bool, _: Gettext) -> Chart:
    """This school's means with their CIs against the benchmarks' means."""
    me, every, like = _("This school"), _("All schools"), _("Similar schools")
    series = [me, every] + ([like] if has_similar else [])
    table = Table(
        caption=_("Means drawn in the chart"),
        columns=[_("Score"), me, _("95% CI"), every] + ([like] if has_similar else []),
        rows=[
            [x.label, fmt.number(x.mean), fmt.ci(x.ci_low, x.ci_high), fmt.number(x.all_mean)]
            + ([fmt.number(x.similar_mean)] if has_similar else [])
            for x in lines
        ],
        numeric=[False] + [True] * (len(series) + 1),
    )
    return benchmark_chart(
        "benchmark-chart",
        _points(lines, series),
        [x.label for x in lines],
        series,
        title=_("This school's means with 95% confidence intervals, against the benchmarks"),
        alt_text=_(
            "For each dimension, notion and the overall score, a dot with a horizontal line "
            "shows this school's mean and its 95% confidence interval; differently shaped "
            "dots show the means of all schools and of similar schools."
        ),
        x_title=_("Mean score (1 to 5)"),
        table=table,
    )
