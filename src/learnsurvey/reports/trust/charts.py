"""The trust report's charts: the schools × dimensions grid, schools' shrunken means with their
intervals, and staff against pupils. Each is drawn from rows already suppressed and formatted
by the trust report's sections; every chart is light (a few hundred marks at most)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd

from ..charts import BAND_COLOURS, PALETTE, Chart, Table, make_chart

__all__ = ["dot_whisker_chart", "dumbbell_chart", "heatmap_chart"]

LABEL_LIMIT = 210
"""Pixels of a school's name before it is cut with an ellipsis (the table has it whole)."""
CELL = 50
ROW = 24
DARK_INK = "#1b1b1b"


def _band_colours(n_bands: int) -> list[str]:
    if n_bands == len(BAND_COLOURS):
        return list(BAND_COLOURS)
    if n_bands == 3:  # low, middle, high
        return [BAND_COLOURS[0], BAND_COLOURS[2], BAND_COLOURS[4]]
    raise ValueError(f"no band colours for an instrument with {n_bands} bands (need 3 or 5)")


def heatmap_chart(
    chart_id: str,
    title: str,
    alt_text: str,
    cells: list[dict[str, Any]],
    *,
    schools: list[str],
    dimensions: list[str],
    bands: list[str],
    hidden_label: str,
    table: Table,
) -> Chart:
    """Schools (rows) × dimensions (columns), each cell coloured by its band and labelled with
    its value, so colour is never the only cue. ``cells`` rows: school, dimension, value (the
    formatted figure or the dash), band (a name in ``bands``, or ``hidden_label``)."""
    colours = _band_colours(len(bands))
    # White text on the two darkest band colours, dark text elsewhere (contrast ≥ 4.5:1).
    light = {bands[0], bands[-1]}
    data = [{**c, "ink": "white" if c["band"] in light else DARK_INK} for c in cells]
    base = alt.Chart(pd.DataFrame(data)).encode(
        x=alt.X(
            "dimension:N",
            sort=dimensions,
            title=None,
            axis=alt.Axis(orient="top", labelAngle=-40, labelAlign="left", labelLimit=160),
        ),
        y=alt.Y("school:N", sort=schools, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
    )
    rect = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            "band:N",
            scale=alt.Scale(domain=[*bands, hidden_label], range=[*colours, "#FFFFFF"]),
            # A grey outline keeps the white "not shown" swatch visible.
            legend=alt.Legend(
                title=None,
                orient="bottom",
                direction="horizontal",
                columns=6,
                symbolStrokeColor="#8a8a8a",
                symbolStrokeWidth=1,
            ),
        ),
        tooltip=["school:N", "dimension:N", "value:N", "band:N"],
    )
    text = base.mark_text(fontSize=11).encode(text="value:N", color=alt.Color("ink:N", scale=None))
    chart = (rect + text).properties(
        width=CELL * len(dimensions), height=ROW * max(len(schools), 1)
    )
    return make_chart(chart_id, title, alt_text, chart, table)


@dataclass(frozen=True)
class _Panels:
    """What every panel of a dot-and-whisker chart shares."""

    rows: list[dict[str, Any]]
    benchmark: list[dict[str, Any]]
    schools: list[str]
    axis_title: str
    domain: tuple[float, float]
    width: int

    def panel(self, score: str | None, labelled: bool = True) -> alt.LayerChart | alt.FacetChart:
        """The schools on ``score`` (None: every row), with the wave's mean dashed."""
        data = [r for r in self.rows if score is None or r["score"] == score]
        bench = [b for b in self.benchmark if score is None or b["score"] == score]
        domain = list(self.domain)
        # Later panels share the school axis of the first: no labels, to save width.
        y = alt.Y(
            "school:N",
            sort=self.schools,
            title=None,
            axis=alt.Axis(labelLimit=LABEL_LIMIT) if labelled else None,
        )
        source = alt.Chart(pd.DataFrame(data))
        whisker = source.mark_rule(color=PALETTE[0], strokeWidth=2).encode(
            x=alt.X("low:Q", title=self.axis_title, scale=alt.Scale(domain=domain)),
            x2="high:Q",
            y=y,
        )
        x = alt.X("mean:Q", title=self.axis_title, scale=alt.Scale(domain=domain, zero=False))
        dot = source.mark_point(filled=True, size=50, color=PALETTE[0], shape="circle").encode(
            x=x, y=y, tooltip=["school:N", "mean:Q", "low:Q", "high:Q"]
        )
        line = (
            alt.Chart(pd.DataFrame(bench))
            .mark_rule(color=PALETTE[7], strokeDash=[4, 3])
            .encode(x="mean:Q")
        )
        layered = alt.layer(whisker, dot, line)
        layered.width, layered.height = self.width, ROW * max(len(self.schools), 1)
        if score is not None:
            layered.title = alt.TitleParams(score, fontSize=11)
        return layered


def dot_whisker_chart(
    chart_id: str,
    title: str,
    alt_text: str,
    rows: list[dict[str, Any]],
    *,
    schools: list[str],
    benchmark: list[dict[str, Any]],
    facets: list[str] | None,
    axis_title: str,
    domain: tuple[float, float],
    table: Table,
) -> Chart:
    """Each shown school's shrunken mean (dot) and 95% CI (whisker) against the wave's mean
    (dashed line). ``rows``: school, score, mean, low, high; ``benchmark``: score, mean. With
    ``facets`` (score names), one panel per score side by side."""
    panels = _Panels(rows, benchmark, schools, axis_title, domain, 150 if facets else 360)
    chart: alt.TopLevelMixin
    if facets:
        chart = alt.hconcat(
            *[panels.panel(s, labelled=k == 0) for k, s in enumerate(facets)], spacing=8
        )
    else:
        chart = panels.panel(None)
    return make_chart(chart_id, title, alt_text, chart, table)


def dumbbell_chart(
    chart_id: str,
    title: str,
    alt_text: str,
    rows: list[dict[str, Any]],
    *,
    dimensions: list[str],
    groups: tuple[str, str],
    axis_title: str,
    domain: tuple[float, float],
    table: Table,
) -> Chart:
    """Per dimension, the two groups' means (``rows``: dimension, group, mean, where group is
    one of ``groups``) joined by a line: two Okabe–Ito colours and two marker shapes."""
    source = alt.Chart(pd.DataFrame(rows))
    y = alt.Y("dimension:N", sort=dimensions, title=None, axis=alt.Axis(labelLimit=200))
    x = alt.X("mean:Q", title=axis_title, scale=alt.Scale(domain=list(domain), zero=False))
    link = source.mark_line(color="#8a8a8a", strokeWidth=2).encode(x=x, y=y, detail="dimension:N")
    ends = source.mark_point(filled=True, size=90, opacity=1).encode(
        x=x,
        y=y,
        color=alt.Color(
            "group:N",
            sort=list(groups),
            scale=alt.Scale(domain=list(groups), range=[PALETTE[0], PALETTE[5]]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        shape=alt.Shape(
            "group:N",
            sort=list(groups),
            scale=alt.Scale(domain=list(groups), range=["circle", "square"]),
        ),
        tooltip=["dimension:N", "group:N", "mean:Q"],
    )
    chart = alt.layer(link, ends).properties(width=380, height=ROW * len(dimensions) + 10)
    return make_chart(chart_id, title, alt_text, chart, table)
