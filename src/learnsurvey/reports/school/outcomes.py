"""The school report's "Outcomes" section: where the school stands on each outcome measure
(its own value, known to it, and the share of the other schools with a lower value), and,
as context, the correlations of the scores with each measure across all schools — from the
school's ``SchoolFigures.outcomes`` and the wave's
:class:`~learnsurvey.analysis.figures.outcomes.OutcomeFigures`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from learnsurvey.analysis.figures.outcomes import OutcomeFigures, SchoolOutcome
from learnsurvey.instruments import Instrument

from .. import format as fmt
from ..charts import Table
from .tables import FittedTable, Gettext

__all__ = ["OutcomesSection", "outcomes_section"]


class OutcomesSection(BaseModel):
    """What the section shows; nothing at all when ``shown`` is False."""

    model_config = ConfigDict(frozen=True)

    shown: bool
    standing: Table | None = None
    correlations: Table | None = None

    @property
    def tables(self) -> list[Table]:
        return [t for t in (self.standing, self.correlations) if t is not None]


def _unit(value: float | None, unit: str) -> str:
    figure = fmt.number(value, 1 if unit == "%" else 2)
    if figure == fmt.HIDDEN or not unit:
        return figure
    return f"{figure}%" if unit == "%" else f"{figure} {unit}"


def _standing(rows: list[SchoolOutcome], _: Gettext) -> Table:
    return FittedTable(
        caption=_("Where the school stands on each outcome measure"),
        columns=[
            _("Measure"),
            _("Year"),
            _("This school"),
            _("Other schools with a lower value"),
            _("Other schools with the measure"),
        ],
        rows=[
            [
                o.measure,
                o.year,
                _unit(o.value, o.unit),
                fmt.pct(o.percentile),
                fmt.count(o.n_schools),
            ]
            for o in rows
        ],
        numeric=[False, False, True, True, True],
        notes=[
            _(
                "The share of the wave's other schools with the measure whose value is lower "
                "than this school's; a dash where fewer than five other schools have it. For "
                "suspensions a lower value is better."
            )
        ],
    )


def _correlations(
    wave: OutcomeFigures, measures: list[str], inst: Instrument, _: Gettext
) -> Table | None:
    if not measures:
        return None
    by = {(c.kind, c.score, c.measure): c for c in wave.correlations}
    scores = [("overall", "overall", _("Overall score"))]
    scores += [("notion", f.id, _("%(name)s (notion)") % {"name": f.name}) for f in inst.factors]
    rows = []
    for kind, score, name in scores:
        cells = [name]
        for m in measures:
            c = by.get((kind, score, m))
            cells.append(
                fmt.HIDDEN
                if c is None or c.suppressed or c.r is None
                else f"{fmt.signed(c.r)} ({fmt.ci(c.ci_low, c.ci_high)})"
            )
        rows.append(cells)
    return FittedTable(
        caption=_(
            "Across all schools of the wave: Pearson's r of school means with each measure (95% CI)"
        ),
        columns=[_("Score"), *measures],
        rows=rows,
        numeric=[False] + [True] * len(measures),
        notes=[
            _(
                "Context, not a judgement of this school: each school counts once. A positive r "
                "means schools whose pupils score higher tend to have higher values of the "
                "measure. Schools differ in their intakes, so a correlation between schools is "
                "not a cause, and it says nothing about individual pupils."
            )
        ],
    )


def outcomes_section(
    rows: list[SchoolOutcome], wave: OutcomeFigures | None, inst: Instrument, _: Gettext
) -> OutcomesSection:
    """The section for one school (``rows``: its ``SchoolFigures.outcomes``); not shown
    when the school has no outcome measure."""
    if not rows:
        return OutcomesSection(shown=False)
    measures = list(dict.fromkeys(o.measure for o in rows))
    return OutcomesSection(
        shown=True,
        standing=_standing(rows, _),
        correlations=_correlations(wave, measures, inst, _) if wave is not None else None,
    )
