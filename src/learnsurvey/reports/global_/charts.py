"""The charts of the global report, each a small Altair spec over a tidy frame.

Every series is told apart by colour (Okabe–Ito, :data:`~learnsurvey.reports.charts.PALETTE`)
and by point shape or a text label, so colour never carries meaning on its own.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..charts import PALETTE, WIDTH, Chart, Table, make_chart

__all__ = ["bar_chart", "dot_chart", "line_chart"]

SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down")
# Blue, vermillion, bluish green and reddish purple: the Okabe–Ito colours with a contrast
# of at least 3:1 against white, as graphical objects need (WCAG 2.2, 1.4.11); then black,
# and orange (2.3:1) only for a sixth series, which the point shape still tells apart.
SERIES = (PALETTE[0], PALETTE[5], PALETTE[2], PALETTE[3], PALETTE[7], PALETTE[1])


def bar_chart(
    chart_id: str,
    title: str,
    alt_text: str,
    data: pd.DataFrame,
    table: Table,
    *,
    x_title: str,
    order: list[str],
    groups: list[str],
) -> Chart:
    """Horizontal bars of ``value`` (0–100) per ``label``, in small multiples by ``group``,
    each bar labelled with its ``text``; rows with ``kind == "notion"`` are drawn in a second
    colour (and their label names them as a notion)."""
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X("value:Q", title=x_title, scale=alt.Scale(domain=[0, 100])),
    )
    bars = base.mark_bar(height=11).encode(
        color=alt.Color(
            "kind:N",
            scale=alt.Scale(domain=["dimension", "notion"], range=[PALETTE[0], PALETTE[5]]),
            legend=None,
        ),
        tooltip=["label:N", "text:N"],
    )
    text = base.mark_text(align="left", dx=4, fontSize=11, color="#1b1b1b").encode(text="text:N")
    layered = alt.layer(bars, text).properties(width=WIDTH - 210, height=alt.Step(14))
    chart = layered.facet(
        row=alt.Row(
            "group:N",
            sort=groups,
            title=None,
            header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold"),
        )
    ).resolve_scale(y="independent")
    return make_chart(chart_id, title, alt_text, chart, table)


def line_chart(
    chart_id: str,
    title: str,
    alt_text: str,
    data: pd.DataFrame,
    table: Table,
    *,
    x_order: list[str],
    groups: list[str],
    y_title: str,
    y_domain: tuple[float, float],
) -> Chart:
    """Lines of ``value`` over ``x`` (in ``x_order``), one per ``series``, in small multiples
    by ``group`` with a legend each; colour and point shape both tell the series apart."""
    panels = []
    for group in groups:
        part = data[data["group"] == group]
        if part.empty:
            continue
        names = list(dict.fromkeys(part["series"]))
        colours = alt.Scale(domain=names, range=list(SERIES[: len(names)]))
        shapes = alt.Scale(domain=names, range=list(SHAPES[: len(names)]))
        base = alt.Chart(part, title=alt.Title(group, anchor="start", fontSize=12)).encode(
            x=alt.X("x:N", sort=x_order, title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=y_title, scale=alt.Scale(domain=list(y_domain), zero=False)),
            color=alt.Color("series:N", scale=colours, title=None),
            shape=alt.Shape("series:N", scale=shapes, title=None),
            tooltip=["series:N", "x:N", alt.Tooltip("value:Q", format=".2f")],
        )
        lines = base.mark_line(strokeWidth=2)
        points = base.mark_point(filled=True, size=55, opacity=1)
        panels.append(alt.layer(lines, points).properties(width=WIDTH - 170, height=110))
    chart = alt.vconcat(*panels, spacing=14).resolve_scale(color="independent", shape="independent")
    return make_chart(chart_id, title, alt_text, chart, table)


def dot_chart(
    chart_id: str,
    title: str,
    alt_text: str,
    data: pd.DataFrame,
    table: Table,
    *,
    order: list[str],
    series: list[str],
    x_title: str,
    zero_rule: bool = False,
    intervals: bool = True,
) -> Chart:
    """A dot plot: per ``label`` (rows, in ``order``) one point per ``series`` at ``value``,
    dodged vertically, with the interval ``low``..``high`` as a bar when ``intervals``."""
    colours = alt.Scale(domain=series, range=list(SERIES[: len(series)]))
    shapes = alt.Scale(domain=series, range=list(SHAPES[: len(series)]))
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=200))
    offset = alt.YOffset("series:N", sort=series, scale=alt.Scale(paddingOuter=0.3))
    x = alt.X("value:Q", title=x_title, scale=alt.Scale(zero=False))
    layers: list[alt.Chart] = []
    if zero_rule:
        layers.append(
            alt.Chart(pd.DataFrame({"zero": [0.0]}))
            .mark_rule(color="#4a4a4a", strokeDash=[4, 3])
            .encode(x="zero:Q")
        )
    base = alt.Chart(data).encode(y=y, yOffset=offset)
    if intervals:
        layers.append(
            base.mark_rule(strokeWidth=1.5).encode(
                x=alt.X("low:Q", title=x_title, scale=alt.Scale(zero=False)),
                x2="high:Q",
                color=alt.Color("series:N", scale=colours, title=None),
            )
        )
    layers.append(
        base.mark_point(filled=True, size=60, opacity=1).encode(
            x=x,
            color=alt.Color("series:N", scale=colours, title=None),
            shape=alt.Shape("series:N", scale=shapes, title=None),
            tooltip=["label:N", "series:N", alt.Tooltip("value:Q", format=".2f")],
        )
    )
    height = len(order) * (7 * len(series) + 14)
    chart = alt.layer(*layers).properties(width=WIDTH - 170, height=height)
    return make_chart(chart_id, title, alt_text, chart, table)
