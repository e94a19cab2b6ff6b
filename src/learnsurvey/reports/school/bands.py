"""The school report's band chart: how the school's pupils spread across the five bands."""

from __future__ import annotations

import pandas as pd

from learnsurvey.instruments import Instrument

from .. import format as fmt
from ..charts import Chart, Table
from .charts import band_chart
from .lines import ScoreLine
from .tables import Gettext

__all__ = ["band_figure"]


def band_figure(lines: list[ScoreLine], inst: Instrument, _: Gettext) -> Chart | None:
    """Stacked bars of the band shares, or None when every share is hidden."""
    names = [b.name for b in inst.bands]
    shares = [
        {"label": x.label, "band": names[k], "band_order": k, "pct": p}
        for x in lines
        for k, p in enumerate(x.bands)
        if p is not None
    ]
    if not shares:
        return None
    table = Table(
        caption=_("Percentage of pupils in each band"),
        columns=[_("Score"), *names],
        rows=[[x.label, *[fmt.pct(p) for p in (x.bands or [None] * len(names))]] for x in lines],
        numeric=[False] + [True] * len(names),
    )
    return band_chart(
        "band-chart",
        pd.DataFrame(shares),
        [x.label for x in lines if x.bands],
        names,
        title=_("How this school's pupils are spread across the five bands (%)"),
        alt_text=_(
            "For each score, a bar split into the five bands from very low (left) to very "
            "high (right); each segment's width is the percentage of pupils in that band. "
            "The table below gives every percentage."
        ),
        x_title=_("Percentage of pupils"),
        table=table,
    )
