"""The trust report's staff voice: pupils, all staff, teachers and leaders across the trust
(the dumbbell chart, each group's means and the perception gaps), and the staff view of
the trust's schools side by side — from the trust's
:class:`~learnsurvey.analysis.figures.staff.StaffVoice` and its schools'."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pydantic import BaseModel, ConfigDict

from learnsurvey.analysis.figures.staff import PerceptionGap, StaffVoice
from learnsurvey.instruments import Instrument

from .. import format as fmt
from .. import voice as vc
from ..charts import Chart, Table

__all__ = ["StaffVoiceSection", "staff_voice_section"]


def _same(text: str) -> str:
    return text


class StaffVoiceSection(BaseModel):
    model_config = ConfigDict(frozen=True)

    threshold: int
    """The staff threshold."""
    counts: str
    chart: Chart | None
    groups_table: Table
    gaps_table: Table
    large_gaps: list[str]
    notes: list[str]
    schools_table: Table | None
    """Each school's staff − pupils gap per dimension (None: no school's voice given)."""
    without_staff: list[str]
    """Names of the trust's schools where no staff answered."""
    hidden_schools: list[str]
    """Names of the schools whose staff answered but whose staff count or every staff −
    pupils gap is hidden."""

    @property
    def tables(self) -> list[Table]:
        found = [self.groups_table, self.gaps_table, self.schools_table]
        return [t for t in found if t is not None]


def _staff_gap(voice: StaffVoice, dimension: str) -> PerceptionGap | None:
    views = next((d for d in voice.dimensions if d.dimension == dimension), None)
    if views is None:
        return None
    return next((g for g in views.gaps if g.group_a == "pupils" and g.group_b == "staff"), None)


def _gap_cell(gap: PerceptionGap | None) -> str:
    if gap is None or gap.suppressed or gap.difference is None:
        return fmt.HIDDEN
    return fmt.signed(gap.difference) + (" large" if gap.large else "")


def _all_hidden(voice: StaffVoice) -> bool:
    """Nothing of the school's row would be shown: its staff count or every staff − pupils
    gap is hidden (it is named instead of showing a row of dashes)."""
    gaps = [_staff_gap(voice, d.dimension) for d in voice.dimensions]
    return voice.n_staff is None or not any(g is not None and not g.suppressed for g in gaps)


def _schools_table(shown: list[tuple[str, StaffVoice]], inst: Instrument) -> Table | None:
    if not shown:
        return None
    dims = list(inst.dimension_ids)
    names = {d.id: d.name for d in inst.dimensions}
    return Table(
        caption="The staff view school by school: all staff minus pupils on each dimension",
        columns=["School", "Staff", *[names[d] for d in dims]],
        rows=[
            [name, fmt.count(v.n_staff), *[_gap_cell(_staff_gap(v, d)) for d in dims]]
            for name, v in shown
        ],
        numeric=[False, True, *[True] * len(dims)],
        notes=[
            "Each cell is the school's staff mean minus its pupils' mean: positive when "
            "staff see the dimension more favourably. “large” marks a large gap (|g| at "
            "least 0.5, with a 95% interval that excludes zero); a dash is a gap not shown."
        ],
    )


def staff_voice_section(
    voice: StaffVoice,
    schools: Mapping[str, StaffVoice],
    order: list[str],
    inst: Instrument,
    school_name: Callable[[str], str],
) -> StaffVoiceSection:
    """The trust's staff voice, and its schools' (``schools`` by key, shown in ``order``)."""
    groups = vc.groups_table(
        voice, inst, _same, caption="Each group's mean across the trust, with its 95% CI"
    )
    given = [(school_name(k), schools[k]) for k in order if k in schools]
    answered = [(n, v) for n, v in given if v.staff_answered]
    return StaffVoiceSection(
        threshold=voice.staff_threshold,
        counts=vc.counts_words(voice, _same),
        chart=vc.voice_chart(
            "trust-staff-voice",
            voice,
            inst,
            groups,
            _same,
            title="The groups' means on each dimension across the trust, with 95% CIs",
        ),
        groups_table=groups,
        gaps_table=vc.gaps_table(
            voice, inst, _same, caption="Perception gaps between the groups across the trust"
        ),
        large_gaps=vc.large_gap_words(voice, inst, _same),
        notes=vc.staff_notes(voice, _same, who="the trust"),
        schools_table=_schools_table([(n, v) for n, v in answered if not _all_hidden(v)], inst),
        without_staff=[n for n, v in given if not v.staff_answered],
        hidden_schools=[n for n, v in answered if _all_hidden(v)],
    )
