"""Section 7 of the global report: the top and the bottom school of each dimension. Schools
are named only when they opted in to being named in research; no other school's context is
shown."""

from __future__ import annotations

import pandas as pd

from learnsurvey.analysis.figures.global_ import TopBottom

from .. import format as fmt
from ..charts import Table
from .charts import dot_chart
from .context import GlobalContext, published_value, unavailable
from .method import HEDGES, RAUDENBUSH
from .section import Section
from .words import dimension_name, g_cell, high_bands, of_total

__all__ = ["top_bottom_section"]

SECTION_ID = "top-bottom"


def _table(ctx: GlobalContext, rows: list[TopBottom], high: str) -> Table:
    _ = ctx.gettext
    cells = []
    for r in rows:
        line = [
            dimension_name(ctx.inst, r.dimension),
            f"{ctx.school(r.top.school)}\n{fmt.number(r.top.mean)}",
            f"{ctx.school(r.bottom.school)}\n{fmt.number(r.bottom.mean)}",
            g_cell(r.hedges_g, r.ci_low, r.ci_high),
            fmt.number(r.gap_pct_points, 0),
        ]
        if ctx.published is not None:
            line.append(fmt.number(published_value(ctx, "top_bottom_g", r.dimension)))
        cells.append(line)
    columns = [_("Dimension"), _("Top school\nmean"), _("Bottom school\nmean")]
    columns += [_("Hedges' g\n95% CI"), _("Gap in %% %(high)s (points)") % {"high": high}]
    if ctx.published is not None:
        columns.append(_("Published Phase One g"))
    return Table(
        caption=_("Top against bottom school on each dimension"),
        columns=columns,
        rows=cells,
        numeric=[False, False, False, True, True, True],
        notes=[
            _(
                "Schools are named only when they agreed to be named in research; the others "
                "are called by their number in the wave (School 1, School 2, …), the same "
                "number wherever they appear."
            )
        ],
    )


def _data(ctx: GlobalContext, rows: list[TopBottom]) -> pd.DataFrame:
    _ = ctx.gettext
    records = [
        {
            "label": dimension_name(ctx.inst, r.dimension),
            "series": series,
            "value": school.mean,
            "low": school.ci_low,
            "high": school.ci_high,
        }
        for r in rows
        for series, school in ((_("Top school"), r.top), (_("Bottom school"), r.bottom))
    ]
    return pd.DataFrame(records)


def _lead(ctx: GlobalContext, rows: list[TopBottom], high: str) -> list[str]:
    _ = ctx.gettext
    inst = ctx.inst
    by_g = sorted(rows, key=lambda r: r.hedges_g if r.hedges_g is not None else float("inf"))
    largest, smallest = by_g[-1], by_g[0]
    return [
        _(
            "The gap between the top and the bottom school is largest on %(largest)s "
            "(g %(g_largest)s) and smallest on %(smallest)s (g %(g_smallest)s)."
        )
        % {
            "largest": dimension_name(inst, largest.dimension),
            "g_largest": fmt.number(largest.hedges_g),
            "smallest": dimension_name(inst, smallest.dimension),
            "g_smallest": fmt.number(smallest.hedges_g),
        },
        _(
            "On %(k)s dimensions the two schools' 95%% intervals (of their shrunken means) do "
            "not overlap, so the ranking of these two is secure there."
        )
        % {"k": of_total(sum(r.separated for r in rows), len(rows), _)},
        *_gap_lead(ctx, rows, high),
    ]


def _gap_lead(ctx: GlobalContext, rows: list[TopBottom], high: str) -> list[str]:
    """The range of the gaps in the share of pupils in the high bands, over the gaps shown."""
    shown = [r for r in rows if r.gap_pct_points is not None]
    if not shown:
        return []
    by_gap = sorted(shown, key=lambda r: r.gap_pct_points or 0.0)
    return [
        ctx.gettext(
            "The difference in the share of pupils %(high)s ranges from %(low)s points "
            "(%(low_dimension)s) to %(high_points)s points (%(high_dimension)s)."
        )
        % {
            "high": high,
            "low": fmt.number(by_gap[0].gap_pct_points, 0),
            "low_dimension": dimension_name(ctx.inst, by_gap[0].dimension),
            "high_points": fmt.number(by_gap[-1].gap_pct_points, 0),
            "high_dimension": dimension_name(ctx.inst, by_gap[-1].dimension),
        }
    ]


def top_bottom_section(ctx: GlobalContext) -> Section:
    _ = ctx.gettext
    heading = _("7. The top and the bottom school")
    if not ctx.computed:
        return unavailable(ctx, SECTION_ID, heading)
    rows = ctx.figures.top_bottom
    if not rows:
        return Section(
            id=SECTION_ID,
            heading=heading,
            unavailable=_("Fewer than two schools have enough pupils to be compared."),
        )
    high = high_bands(ctx.inst, _)
    lead = _lead(ctx, rows, high)
    chart = dot_chart(
        "top-bottom-chart",
        _("Mean score of the top and the bottom school, with 95% confidence intervals"),
        _(
            "Dot plot: for each dimension, the mean score of the top and of the bottom school "
            "with 95% confidence intervals."
        )
        + " "
        + lead[0],
        _data(ctx, rows),
        _table(ctx, rows, high),
        order=[d.name for d in ctx.inst.dimensions],
        series=[_("Top school"), _("Bottom school")],
        x_title=_("Mean score"),
    )
    return Section(
        id=SECTION_ID,
        heading=heading,
        lead=lead,
        published=_said(ctx),
        charts=[chart],
        method=[
            _(
                "On each dimension, the top and the bottom school are those with the highest "
                "and lowest shrunken (empirical-Bayes) mean among schools with enough pupils: "
                "each school's mean is pulled towards the mean of all schools in proportion "
                "to its uncertainty, so a small school cannot come top by chance alone (REML "
                "random-intercept model). The two schools' pupils are compared by Hedges' g "
                "with a 95%% interval; the gap is the difference of their percentages of "
                "pupils %(high)s. Nothing about an unnamed school other than its survey "
                "figures is shown."
            )
            % {"high": high},
        ],
        references=[HEDGES, RAUDENBUSH],
    )


def _said(ctx: GlobalContext) -> list[str]:
    _ = ctx.gettext
    said = []
    gaps = published_value(ctx, "gap_points")
    if isinstance(gaps, dict) and {"smallest", "largest"} <= set(gaps):
        small, large = gaps["smallest"], gaps["largest"]
        said.append(
            _(
                "The gap in the share of pupils %(high)s ran from %(small)s points "
                "(%(small_dimension)s) to %(large)s points (%(large_dimension)s)."
            )
            % {
                "high": high_bands(ctx.inst, _),
                "small": small["points"],
                "small_dimension": dimension_name(ctx.inst, str(small["dimension"])),
                "large": large["points"],
                "large_dimension": dimension_name(ctx.inst, str(large["dimension"])),
            }
        )
    lowest = published_value(ctx, "lowest_school_rating")
    highest = published_value(ctx, "highest_school_rating")
    if lowest and highest:
        said.append(
            _(
                "The school pupils rated lowest had been judged %(lowest)s by inspectors; the "
                "school they rated highest, %(highest)s."
            )
            % {"lowest": str(lowest).lower(), "highest": str(highest).lower()}
        )
    return said
