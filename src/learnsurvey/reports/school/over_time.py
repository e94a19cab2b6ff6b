"""The school report's "Over time" section: the school's dimensions wave by wave (a line
chart with confidence bands and the table beside it), the change between its last two
waves with the smallest change it can detect, the trend over three or more waves, and the
notes on seasons and instrument versions — all from the school's
:class:`~learnsurvey.analysis.figures.over_time.SchoolOverTime`."""

from __future__ import annotations

from pydantic import Field

from learnsurvey.analysis.figures.over_time import OverTimeFigures
from learnsurvey.instruments import Instrument

from .. import over_time as ot
from ..charts import Table
from .tables import FittedTable, Gettext

__all__ = ["OverTimeSection", "over_time_section"]


class OverTimeSection(ot.LinesSection):
    """What the section shows; when ``shown`` is False only ``note`` is said (one line: why
    there is nothing to show over time)."""

    waves: list[str] = Field(default_factory=list)
    """The school's waves, oldest first."""
    missed: list[str] = Field(default_factory=list)
    """Waves between the school's first and last in which it did not take part."""

    @property
    def tables(self) -> list[Table]:
        """The section's tables (each figure once), for the count of hidden figures."""
        found = [self.series_table, self.change_table, self.trend_table]
        return [t for t in found if t is not None]


def _fitted(table: Table | None) -> FittedTable | None:
    return FittedTable(**table.model_dump()) if table is not None else None


def over_time_section(
    figures: OverTimeFigures | None,
    school: str,
    wave: str,
    inst: Instrument,
    name: str,
    _: Gettext,
) -> OverTimeSection:
    """The section for ``school`` (its key), whose report is of ``wave``; ``name`` is the
    school's display name."""
    if figures is None or len(figures.waves) < 2:
        return OverTimeSection(
            shown=False,
            note=_("There is only one wave of results, so nothing can be shown over time yet."),
        )
    mine = figures.schools.get(school)
    if mine is None or len(mine.waves) < 2:
        return OverTimeSection(
            shown=False,
            note=_("The school has results for one wave only, so nothing can be shown over time."),
        )
    order = [w.wave for w in figures.waves]
    span = order[order.index(mine.waves[0]) : order.index(mine.waves[-1]) + 1]
    missed = [w for w in span if w not in mine.waves]
    names = ot.score_names(inst, _)
    table = ot.series_table(
        mine.series, names, _, caption=_("Each score in each wave: pupils, mean and 95% CI")
    )
    changes = ot.latest_changes(mine.changes, wave)
    who = _("the school")
    chart = None
    if table is not None:
        chart = ot.series_chart(
            "over-time-chart",
            mine.series,
            names,
            table,
            waves=span,
            label=name,
            scale=(float(inst.scale.min), float(inst.scale.max)),
            _=_,
        )
    return OverTimeSection(
        shown=True,
        waves=list(mine.waves),
        chart=chart,
        series_table=_fitted(table),
        change_table=_fitted(ot.change_table(changes, names, who, _)),
        change_words=ot.change_words(changes, names, who, _),
        trend_table=_fitted(ot.trend_table(mine.trends, names, _)),
        season_caution=ot.season_caution(figures, changes, _),
        version_note=ot.version_note(figures.comparability, names, _),
        missed=missed,
    )
