"""The school report's change since the previous wave: a table of differences with their
Welch intervals, and a chart of them against no change."""

from __future__ import annotations

import pandas as pd

from learnsurvey.analysis.figures.school import ChangeFigure

from .. import format as fmt
from ..charts import Chart
from .charts import change_chart
from .lines import ScoreLine
from .tables import FittedTable, Gettext, effect

__all__ = ["change_section"]


def _row(x: ScoreLine, r: ChangeFigure | None, yes: str, no: str) -> list[str]:
    if r is None or r.suppressed:
        return [x.label, *[fmt.HIDDEN] * 5]
    return [
        x.label,
        fmt.number(r.mean_previous),
        fmt.number(r.mean_current),
        effect(r.difference, r.ci_low, r.ci_high),
        effect(r.hedges_g, r.g_ci_low, r.g_ci_high),
        yes if r.clear else no,
    ]


def change_section(
    change: list[ChangeFigure],
    lines: list[ScoreLine],
    waves: tuple[str | None, str],
    _: Gettext,
) -> tuple[FittedTable | None, Chart | None]:
    """The change table and chart, or (None, None) when nothing can be compared.
    ``waves`` is (previous, current)."""
    if not change:
        return None, None
    by = {(r.kind, r.score): r for r in change}
    yes, no = _("Clear change"), _("No clear change")
    prev = waves[0] or _("previous wave")
    table = FittedTable(
        caption=_("Change since %(wave)s") % {"wave": prev},
        columns=[
            _("Score"),
            prev,
            waves[1],
            _("Difference (95% CI)"),
            _("g (95% CI)"),
            _("Reading"),
        ],
        rows=[_row(x, by.get((x.kind, x.id)), yes, no) for x in lines],
        numeric=[False, True, True, True, True, False],
    )
    return table, _chart(table, lines, by, prev, (yes, no), _)


def _chart(
    table: FittedTable,
    lines: list[ScoreLine],
    by: dict[tuple[str, str], ChangeFigure],
    prev: str,
    words: tuple[str, str],
    _: Gettext,
) -> Chart | None:
    """The differences shown, against a line at no change (None when all are hidden)."""
    yes, no = words
    points = [
        {
            "label": x.label,
            "difference": r.difference,
            "ci_low": r.ci_low,
            "ci_high": r.ci_high,
            "clear": r.clear,
        }
        for x in lines
        if (r := by.get((x.kind, x.id))) is not None and not r.suppressed
    ]
    if not points:
        return None
    chart = change_chart(
        "change-chart",
        pd.DataFrame(points),
        [str(p["label"]) for p in points],
        title=_("Change in each mean since %(wave)s, with 95%% confidence intervals")
        % {"wave": prev},
        alt_text=_(
            "For each score, a marker shows the difference between this wave's mean and "
            "the previous wave's, with a line for its 95% confidence interval; a vertical "
            "line marks no change. Diamonds mark clear changes."
        ),
        x_title=_("Difference in mean (this wave minus previous)"),
        table=table,
        label=lambda c: yes if c else no,
    )
    return chart
