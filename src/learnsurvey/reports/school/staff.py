"""The school report's "Staff and pupils" section: pupils, all staff, teachers and leaders
on each dimension (a dumbbell chart and its table), the perception gaps with their
intervals, the large gaps named and where the school's gaps stand among other schools —
from the school's :class:`~learnsurvey.analysis.figures.staff.StaffVoice`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from learnsurvey.analysis.figures.staff import StaffVoice
from learnsurvey.instruments import Instrument

from .. import voice as vc
from ..charts import Chart, Table
from .tables import FittedTable, Gettext

__all__ = ["StaffSection", "staff_section"]


class StaffSection(BaseModel):
    """What the section shows; when ``shown`` is False only ``note`` is said."""

    model_config = ConfigDict(frozen=True)

    shown: bool
    note: str = ""
    """One line: why there is no staff view to show."""
    threshold: int | None = None
    """The staff threshold: the smallest staff group shown."""
    counts: str = ""
    """Who answered, in a sentence."""
    chart: Chart | None = None
    groups_table: Table | None = None
    gaps_table: Table | None = None
    large_gaps: list[str] = []
    gaps_shown: bool = False
    """Whether any gap is shown (else no sentence says none is large)."""
    notes: list[str] = []
    """Leaders pooled into all staff; staff figures hidden."""

    @property
    def tables(self) -> list[Table]:
        found = [self.groups_table, self.gaps_table]
        return [t for t in found if t is not None]


def staff_section(
    voice: StaffVoice | None, inst: Instrument, _: Gettext, *, surveyed: bool = True
) -> StaffSection:
    """The section for one school's staff voice (None: no staff survey in the wave;
    ``surveyed`` False: the wave had no staff survey, whatever the voice says)."""
    if voice is None or (not surveyed and not voice.staff_answered):
        return StaffSection(
            shown=False,
            note=_("No staff survey was taken in this wave, so there is no staff view to show."),
        )
    if not voice.staff_answered:
        return StaffSection(
            shown=False,
            note=_("No staff of the school answered the staff survey in this wave."),
        )
    groups = vc.groups_table(
        voice, inst, _, caption=_("Each group's mean on each dimension, with its 95% CI")
    )
    gaps = vc.gaps_table(voice, inst, _, caption=_("Perception gaps between the groups"))
    return StaffSection(
        shown=True,
        threshold=voice.staff_threshold,
        counts=vc.counts_words(voice, _),
        chart=vc.voice_chart(
            "staff-chart",
            voice,
            inst,
            groups,
            _,
            title=_("The groups' means on each dimension, with 95% confidence intervals"),
        ),
        groups_table=FittedTable(**groups.model_dump()),
        gaps_table=FittedTable(**gaps.model_dump()),
        large_gaps=vc.large_gap_words(voice, inst, _),
        gaps_shown=any(not g.suppressed for d in voice.dimensions for g in d.gaps),
        notes=vc.staff_notes(voice, _, who=_("the school")),
    )
