"""The charts of the school report: few marks each, so 87 PDFs render in about a minute.

Every series has its own colour (Okabe–Ito, chosen for at least 3:1 contrast on white) and
its own marker shape, so colour is never the only cue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import altair as alt
import pandas as pd

from ..charts import BAND_COLOURS, PALETTE, WIDTH, Chart, Table, make_chart

__all__ = ["band_chart", "benchmark_chart", "change_chart", "group_chart"]

SERIES_COLOURS = (PALETTE[0], PALETTE[5], PALETTE[2], PALETTE[3], PALETTE[7], PALETTE[4])
"""Blue, vermillion, bluish green, reddish purple, black, sky blue."""
SHAPES = ("circle", "diamond", "triangle-up", "square", "cross", "triangle-down")
ROW = 22
"""Height of one row of a chart, in pixels."""
# No truncation of labels: measuring text to truncate it is most of the drawing time, and
# these labels are short names that always fit.
_AXIS = alt.Axis(labelLimit=0)
_LEGEND = alt.Legend(title=None, orient="top", labelLimit=0)


def _y(order: Sequence[str]) -> alt.Y:
    return alt.Y("label:N", sort=list(order), title=None, axis=_AXIS)


def benchmark_chart(
    chart_id: str,
    points: pd.DataFrame,
    order: Sequence[str],
    series: Sequence[str],
    *,
    title: str,
    alt_text: str,
    x_title: str,
    table: Table,
) -> Chart:
    """Dot-and-whisker: ``points`` has label, series, mean, ci_low, ci_high (CI may be NaN:
    a benchmark drawn as a dot only)."""
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=list(series), range=list(SERIES_COLOURS[: len(series)])),
        legend=_LEGEND,
    )
    shape = alt.Shape(
        "series:N", scale=alt.Scale(domain=list(series), range=list(SHAPES[: len(series)]))
    )
    # Offset the series vertically inside each row so overlapping dots stay readable.
    offset = alt.YOffset("series:N", scale=alt.Scale(domain=list(series)))
    base = alt.Chart(points).encode(y=_y(order), yOffset=offset, color=colour)
    x = alt.X(
        "mean:Q", title=x_title, scale=alt.Scale(zero=False, nice=False, padding=8), axis=_AXIS
    )
    whiskers = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", title=x_title, axis=_AXIS), x2="ci_high:Q"
    )
    dots = base.mark_point(filled=True, size=60, opacity=1).encode(
        x=x, shape=shape, tooltip=["label:N", "series:N", alt.Tooltip("mean:Q", format=".2f")]
    )
    chart = (whiskers + dots).properties(width=WIDTH - 190, height=ROW * 1.15 * len(order))
    return make_chart(chart_id, title, alt_text, chart, table)


def band_chart(
    chart_id: str,
    shares: pd.DataFrame,
    order: Sequence[str],
    bands: Sequence[str],
    *,
    title: str,
    alt_text: str,
    x_title: str,
    table: Table,
) -> Chart:
    """Stacked horizontal bars of band shares: ``shares`` has label, band, band_order, pct.

    The bands run in one order, very low (left) to very high (right), matching the legend,
    and the chart's table gives every share: no figure depends on telling colours apart.
    Shares are not written on the bars, which would double the drawing's text."""
    colour = alt.Color(
        "band:N",
        sort=list(bands),
        scale=alt.Scale(domain=list(bands), range=list(BAND_COLOURS[: len(bands)])),
        legend=_LEGEND,
    )
    frame = shares.sort_values(["label", "band_order"]).copy()
    frame["end"] = frame.groupby("label")["pct"].cumsum()
    frame["start"] = frame["end"] - frame["pct"]
    base = alt.Chart(frame).encode(y=_y(order))
    bars = base.mark_bar(stroke="white", strokeWidth=0.5).encode(
        x=alt.X(
            "start:Q",
            title=x_title,
            scale=alt.Scale(domain=[0, 100]),
            axis=alt.Axis(grid=False, labelLimit=0),
        ),
        x2="end:Q",
        color=colour,
        tooltip=["label:N", "band:N", alt.Tooltip("pct:Q", format=".0f")],
    )
    chart = bars.properties(width=WIDTH - 190, height=ROW * len(order))
    return make_chart(chart_id, title, alt_text, chart, table)


def group_chart(
    chart_id: str,
    points: pd.DataFrame,
    order: Sequence[str],
    groups: Sequence[str],
    *,
    title: str,
    alt_text: str,
    x_title: str,
    table: Table,
) -> Chart:
    """Dots of each group's mean per dimension: ``points`` has label, group, mean."""
    colour = alt.Color(
        "group:N",
        scale=alt.Scale(domain=list(groups), range=list(SERIES_COLOURS[: len(groups)])),
        legend=_LEGEND,
    )
    shape = alt.Shape(
        "group:N", scale=alt.Scale(domain=list(groups), range=list(SHAPES[: len(groups)]))
    )
    chart = (
        alt.Chart(points)
        .mark_point(filled=True, size=60, opacity=1)
        .encode(
            y=_y(order),
            x=alt.X("mean:Q", title=x_title, scale=alt.Scale(zero=False, padding=8), axis=_AXIS),
            color=colour,
            shape=shape,
            tooltip=["label:N", "group:N", alt.Tooltip("mean:Q", format=".2f")],
        )
        .properties(width=WIDTH - 190, height=ROW * len(order))
    )
    return make_chart(chart_id, title, alt_text, chart, table)


def change_chart(
    chart_id: str,
    points: pd.DataFrame,
    order: Sequence[str],
    *,
    title: str,
    alt_text: str,
    x_title: str,
    table: Table,
    label: Callable[[bool], str],
) -> Chart:
    """Differences with their CI against a line at zero: ``points`` has label, difference,
    ci_low, ci_high, clear (bool); ``label`` names the clear / not-clear marker."""
    frame = points.assign(reading=[label(bool(c)) for c in points["clear"]])
    readings = [label(True), label(False)]
    shape = alt.Shape("reading:N", scale=alt.Scale(domain=readings, range=["diamond", "circle"]))
    colour = alt.Color(
        "reading:N",
        scale=alt.Scale(domain=readings, range=[PALETTE[5], PALETTE[0]]),
        legend=_LEGEND,
    )
    base = alt.Chart(frame).encode(y=_y(order))
    whiskers = base.mark_rule(strokeWidth=2, color=PALETTE[0]).encode(
        x=alt.X("ci_low:Q", title=x_title, axis=_AXIS), x2="ci_high:Q"
    )
    dots = base.mark_point(filled=True, size=60, opacity=1).encode(
        x="difference:Q", shape=shape, color=colour
    )
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#4a4a4a").encode(x="zero:Q")
    chart = (zero + whiskers + dots).properties(width=WIDTH - 190, height=ROW * len(order))
    return make_chart(chart_id, title, alt_text, chart, table)
