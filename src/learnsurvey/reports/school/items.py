"""The school report's highest and lowest statements, in the wording its pupils saw."""

from __future__ import annotations

from learnsurvey.analysis.figures.school import ItemFigure
from learnsurvey.instruments import Instrument

from .. import format as fmt
from ..charts import Table
from .tables import Gettext

__all__ = ["item_table"]


def item_table(
    items: list[ItemFigure], inst: Instrument, phase: str | None, caption: str, _: Gettext
) -> Table | None:
    """The statements of ``items`` with their dimension and mean, or None for none."""
    if not items:
        return None
    by_id = {i.id: i for i in inst.items}
    dims = {d.id: d.name for d in inst.dimensions}
    rows = []
    for r in items:
        item = by_id[r.item]
        text = item.text.primary if phase == "primary" else item.text.secondary
        if item.reverse:
            text += " " + _("(reversed)")
        rows.append([text, dims.get(r.dimension, r.dimension), fmt.number(r.mean)])
    return Table(
        caption=caption,
        columns=[_("Statement"), _("Dimension"), _("Mean")],
        rows=rows,
        numeric=[False, False, True],
    )
