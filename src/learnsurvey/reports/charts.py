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
from functools import lru_cache
from typing import Any

import altair as alt
import vl_convert
from pydantic import BaseModel, ConfigDict

__all__ = [
    "BAND_COLOURS",
    "FONT",
    "PALETTE",
    "Chart",
    "Table",
    "make_chart",
    "vega_bundle",
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
