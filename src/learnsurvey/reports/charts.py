"""Charts for the reports: one Vega-Lite spec per chart (built with Altair), interactive on
the web (vega-embed) and vector in the PDF (the same spec drawn to SVG by vl-convert).

Every chart carries a text alternative and the table of the figures it draws, so nothing is
only in a picture. Colours come from the Okabe–Ito palette, which stays distinguishable
with the common colour-vision deficiencies (Okabe & Ito 2008, *Color Universal Design*).
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import altair as alt
import pandas as pd
import vl_convert
from pydantic import BaseModel, ConfigDict

__all__ = [
    "BAND_COLOURS",
    "FONT",
    "PALETTE",
    "Chart",
    "Table",
    "binned_scatter_chart",
    "group_dumbbell_chart",
    "make_chart",
    "vega_bundle",
    "wave_line_chart",
]

PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",
)
"""Okabe–Ito, in the order series take them."""

BAND_COLOURS = ("#B2182B", "#EF8A62", "#D9D9D9", "#67A9CF", "#2166AC")
"""Very low … very high: a diverging red–blue scheme (ColorBrewer RdBu), safe for the
common colour-vision deficiencies and in greyscale print."""

FONT = "DejaVu Sans, Arial, sans-serif"
_WRAP_AT = 30
"""Characters: a table column wider than this wraps its text instead of growing."""
WIDTH = 460


class Table(BaseModel):
    """A chart's (or a section's) figures as text, already formatted and suppressed."""

    model_config = ConfigDict(frozen=True)

    caption: str
    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool] = []
    """Per column: right-align it (figures)."""
    notes: list[str] = []

    @property
    def widths(self) -> list[float]:
        """Each column's share of the table's width (%), from the length of its text.

        The printed report lays tables out with these fixed widths: WeasyPrint's automatic
        table layout measures every cell several times and took about a quarter of a school
        report's printing time. A column gets room for its longest cell (up to a cap, beyond
        which text wraps) or its header's longest word, whichever is more."""
        if not self.columns:
            return []
        needs = []
        for k, header in enumerate(self.columns):
            cells = [row[k] for row in self.rows if k < len(row)]
            longest_cell = max((len(c) for c in cells), default=0)
            longest_word = max((len(w) for w in header.split()), default=0)
            # Headers and row headers are bold (wider letters); a cell has padding.
            need = max(min(longest_cell, _WRAP_AT), 1.3 * longest_word, 3) + 3
            needs.append(need * (1.1 if k == 0 else 1.0))
        total = sum(needs)
        return [round(100.0 * n / total, 1) for n in needs]


class Chart(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    """Unique within a report: the HTML id of the figure."""
    title: str
    alt: str
    """Text alternative: what the chart shows, in a sentence or two."""
    spec: dict[str, Any]
    svg: str
    table: Table

    @property
    def svg_data_uri(self) -> str:
        """The SVG as a ``data:`` URI: WeasyPrint draws an ``<img>`` of it faster than the
        same SVG inline, whose every node would go through the HTML parser and the CSS
        cascade (about a tenth of a school report's printing time)."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()

    @property
    def width(self) -> float:
        """The drawing's width in CSS pixels (from the SVG's own ``width``)."""
        found = re.search(r'\bwidth="([\d.]+)"', self.svg)
        return float(found.group(1)) if found else 0.0


def _configure(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    configured: alt.TopLevelMixin = chart.configure(font=FONT, background="white")
    return configured.configure_view(stroke=None)  # type: ignore[no-any-return]


def make_chart(
    chart_id: str, title: str, alt_text: str, chart: alt.TopLevelMixin, table: Table
) -> Chart:
    """Turn an Altair chart into a :class:`Chart`: its Vega-Lite spec and its SVG.

    The SVG is the vector drawing for print; on the web the spec replaces it with the
    interactive chart when JavaScript runs."""
    if not re.fullmatch(r"[a-z][a-z0-9-]*", chart_id):
        raise ValueError(f"chart id {chart_id!r}: use lower-case letters, digits and hyphens")
    spec = _configure(chart).to_dict(validate=_validate())
    svg = _svg(spec)
    return Chart(id=chart_id, title=title, alt=alt_text, spec=spec, svg=svg, table=table)


def _validate() -> bool:
    # Checking a spec against the Vega-Lite JSON schema costs about as much as drawing it;
    # the tests switch it on (LEARNSURVEY_VALIDATE_CHARTS=1), so every chart a report can
    # make is validated there, and reports are not slowed by it in use.
    return os.environ.get("LEARNSURVEY_VALIDATE_CHARTS") == "1"


def _svg(spec: dict[str, Any]) -> str:
    svg = vl_convert.vegalite_to_svg(spec)
    # Decorative for assistive technology: the figure's text alternative and table say it all.
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script, from the vl-convert package itself, so
    the web serves it from its own origin (no CDN)."""
    return str(vl_convert.javascript_bundle(None))  # type: ignore[arg-type]


# --- over time and the staff's voice: shared by the school, trust and global reports ------

SERIES_COLOURS = (PALETTE[0], PALETTE[5], PALETTE[2], PALETTE[3], PALETTE[7], PALETTE[4])
"""Blue, vermillion, bluish green, reddish purple, black, sky blue: the Okabe–Ito colours
with at least 3:1 contrast on white first (WCAG 2.2, 1.4.11 for graphical objects)."""
SERIES_SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down")
"""One marker shape per series, so colour never tells series apart on its own."""
PANEL_WIDTH = 130
PANEL_HEIGHT = 95


def _series_scales(series: Sequence[str]) -> tuple[alt.Scale, alt.Scale]:
    if len(series) > len(SERIES_COLOURS):
        raise ValueError(f"at most {len(SERIES_COLOURS)} series in one chart, not {len(series)}")
    colours = alt.Scale(domain=list(series), range=list(SERIES_COLOURS[: len(series)]))
    shapes = alt.Scale(domain=list(series), range=list(SERIES_SHAPES[: len(series)]))
    return colours, shapes


def wave_line_chart(
    chart_id: str,
    title: str,
    alt_text: str,
    rows: Sequence[Mapping[str, Any]],
    table: Table,
    *,
    panels: Sequence[str],
    waves: Sequence[str],
    series: Sequence[str],
    y_title: str,
    y_domain: tuple[float, float],
    zero_rule: bool = False,
    columns: int = 3,
) -> Chart:
    """Small multiples over waves: one panel per name in ``panels`` (a dimension, or a
    notion), in each a line per series with its 95% confidence band.

    ``rows``: panel, series, wave, mean, low, high, one per wave; a hidden or missing wave
    has None for its figures, so its line has a gap rather than a made-up point. The band
    is drawn lightly under the line, with a whisker at each point; each series has its own
    colour and marker shape. ``zero_rule`` draws a dashed line at zero (for differences and
    effect sizes)."""
    if not any(r.get("mean") is not None for r in rows):
        raise ValueError("a chart over waves needs at least one shown point")
    colours, shapes = _series_scales(series)
    frame = pd.DataFrame(list(rows))
    x = alt.X(
        "wave:N",
        sort=list(waves),
        title=None,
        scale=alt.Scale(domain=list(waves)),
        axis=alt.Axis(labelAngle=_label_angle(waves), labelLimit=0),
    )
    y = alt.Y("mean:Q", title=y_title, scale=alt.Scale(domain=list(y_domain), zero=False))
    colour = alt.Color("series:N", scale=colours, title=None, legend=_wave_legend(series))
    base = alt.Chart().encode(x=x, color=colour)
    band = base.mark_area(opacity=0.18).encode(y=alt.Y("low:Q", title=y_title), y2="high:Q")
    line = base.mark_line(strokeWidth=2).encode(y=y)
    # A whisker too: a wave between two hidden ones has no band to show its interval.
    whisker = base.mark_rule(strokeWidth=1).encode(y=alt.Y("low:Q", title=y_title), y2="high:Q")
    points = base.mark_point(filled=True, size=50, opacity=1).encode(
        y=y,
        shape=alt.Shape("series:N", scale=shapes, title=None, legend=None),
        tooltip=[
            "panel:N",
            "series:N",
            "wave:N",
            alt.Tooltip("mean:Q", format=".2f"),
            alt.Tooltip("low:Q", format=".2f"),
            alt.Tooltip("high:Q", format=".2f"),
        ],
    )
    layers: list[alt.Chart] = [band, whisker, line, points]
    if zero_rule:
        layers.insert(
            0, alt.Chart().mark_rule(color="#4a4a4a", strokeDash=[4, 3]).encode(y=alt.datum(0))
        )
    layered = alt.layer(*layers, data=frame).properties(width=PANEL_WIDTH, height=PANEL_HEIGHT)
    chart = layered.facet(
        facet=alt.Facet(
            "panel:N",
            sort=list(panels),
            title=None,
            header=alt.Header(labelFontWeight="bold", labelLimit=0, labelFontSize=11),
        ),
        columns=columns,
        spacing=12,
    )
    return make_chart(chart_id, title, alt_text, chart.properties(description=alt_text), table)


def _label_angle(waves: Sequence[str]) -> int:
    """Wave names side by side when they fit under a panel (about 7 px a character),
    else slanted."""
    fits = max((len(w) for w in waves), default=0) * 7 * len(waves) <= PANEL_WIDTH
    return 0 if fits else -35


def _wave_legend(series: Sequence[str]) -> alt.Legend | None:
    """A legend only when there is more than one series (one is named in the title)."""
    if len(series) < 2:
        return None
    return alt.Legend(title=None, orient="top", labelLimit=0, symbolType="stroke")


def group_dumbbell_chart(
    chart_id: str,
    title: str,
    alt_text: str,
    rows: Sequence[Mapping[str, Any]],
    table: Table,
    *,
    dimensions: Sequence[str],
    groups: Sequence[str],
    x_title: str,
    x_domain: tuple[float, float],
) -> Chart:
    """A dumbbell per dimension: each group's mean on one line, joined from the lowest to
    the highest, with its 95% interval as a thin whisker.

    ``rows``: dimension, group, mean, low, high (shown groups only). ``groups`` are in the
    order pupils, staff, teachers, leaders (those drawn); each has its own colour and shape
    and a small vertical offset, so overlapping dots and whiskers stay readable."""
    if not rows:
        raise ValueError("a dumbbell chart needs at least one shown group")
    colours, shapes = _series_scales(groups)
    frame = pd.DataFrame(list(rows))
    y = alt.Y("dimension:N", sort=list(dimensions), title=None, axis=alt.Axis(labelLimit=0))
    x_scale = alt.Scale(domain=list(x_domain), zero=False, nice=False)
    link = (
        alt.Chart(frame)
        .mark_rule(color="#d0d0d0", strokeWidth=8)
        .encode(
            y=y,
            x=alt.X("min(mean):Q", title=x_title, scale=x_scale),
            x2="max(mean):Q",
        )
    )
    offset = alt.YOffset("group:N", sort=list(groups), scale=alt.Scale(domain=list(groups)))
    colour = alt.Color(
        "group:N",
        sort=list(groups),
        scale=colours,
        legend=alt.Legend(title=None, orient="top", labelLimit=0),
    )
    base = alt.Chart(frame).encode(y=y, yOffset=offset, color=colour)
    whiskers = base.mark_rule(strokeWidth=1.2).encode(
        x=alt.X("low:Q", title=x_title, scale=x_scale), x2="high:Q"
    )
    dots = base.mark_point(filled=True, size=70, opacity=1).encode(
        x=alt.X("mean:Q", title=x_title, scale=x_scale),
        shape=alt.Shape("group:N", sort=list(groups), scale=shapes),
        tooltip=[
            "dimension:N",
            "group:N",
            alt.Tooltip("mean:Q", format=".2f"),
            alt.Tooltip("low:Q", format=".2f"),
            alt.Tooltip("high:Q", format=".2f"),
        ],
    )
    height = len(dimensions) * (6 * len(groups) + 14)
    chart = alt.layer(link, whiskers, dots).properties(
        width=WIDTH - 190, height=height, description=alt_text
    )
    return make_chart(chart_id, title, alt_text, chart, table)


# --- learning beside outcomes (the global report) -------------------------------------------


def binned_scatter_chart(
    chart_id: str,
    title: str,
    alt_text: str,
    rows: Sequence[Mapping[str, Any]],
    table: Table,
    *,
    panels: Sequence[str],
    y_title: str,
    y_domain: tuple[float, float],
    columns: int = 2,
) -> Chart:
    """A binned scatter in small multiples, one panel per outcome measure (``panels``, each
    with its own x scale): per bin a point at the bin's mean of the measure (x) and the mean
    of its schools' means (y), with the 95% interval of that mean as a vertical whisker and
    the bin's range of the measure as a light horizontal bar. No single school is drawn.

    ``rows``: panel, x, x_low, x_high, mean, low, high, n (schools in the bin)."""
    if not rows:
        raise ValueError("a binned scatter needs at least one bin")
    frame = pd.DataFrame(list(rows))
    x = alt.X("x:Q", title=None, scale=alt.Scale(zero=False, nice=True))
    y = alt.Y("mean:Q", title=y_title, scale=alt.Scale(domain=list(y_domain), zero=False))
    base = alt.Chart().encode(x=x)
    spread = base.mark_rule(color="#9a9a9a", strokeWidth=1).encode(
        x=alt.X("x_low:Q", title=None), x2="x_high:Q", y=y
    )
    whisker = base.mark_rule(color=PALETTE[0], strokeWidth=1.5).encode(
        y=alt.Y("low:Q", title=y_title), y2="high:Q"
    )
    points = base.mark_point(filled=True, size=55, opacity=1, color=PALETTE[0]).encode(
        y=y,
        tooltip=[
            "panel:N",
            alt.Tooltip("x:Q", format=".2f", title="measure"),
            alt.Tooltip("mean:Q", format=".2f"),
            alt.Tooltip("low:Q", format=".2f"),
            alt.Tooltip("high:Q", format=".2f"),
            alt.Tooltip("n:Q", title="schools"),
        ],
    )
    layered = alt.layer(spread, whisker, points, data=frame).properties(
        width=PANEL_WIDTH + 60, height=PANEL_HEIGHT + 30
    )
    chart = layered.facet(
        facet=alt.Facet(
            "panel:N",
            sort=list(panels),
            title=None,
            header=alt.Header(labelFontWeight="bold", labelLimit=0, labelFontSize=11),
        ),
        columns=columns,
        spacing=16,
    ).resolve_scale(x="independent")
    return make_chart(chart_id, title, alt_text, chart.properties(description=alt_text), table)
