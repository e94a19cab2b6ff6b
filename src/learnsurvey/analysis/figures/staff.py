"""The staff's and leaders' voice beside the pupils': each group's view of each dimension and
the perception gaps between them.

The contract: :class:`StaffVoice`, one per school (and one per trust as a whole), built by
:func:`build_staff_voices` from :class:`~learnsurvey.analysis.inputs.ReportInputs` (its
``staff`` and ``staff_by_role``). Staff figures follow disclosure rule 8 (groups of at least
the staff threshold, 5 by default); leaders are shown apart only when enough answered,
otherwise they stay inside "all staff", and the groups shown never let a hidden group be
recovered by subtraction. Ids only. Django-free.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..inputs import ReportInputs
from ._base import Figures, Number

__all__ = [
    "GroupView",
    "PerceptionGap",
    "StaffGroup",
    "StaffVoice",
    "StaffVoices",
    "ViewsOfDimension",
    "build_staff_voices",
]

StaffGroup = Literal["pupils", "staff", "teachers", "leaders"]
"""``staff`` is every member of staff who answered (teachers, teaching assistants, leaders
and other staff); ``teachers`` and ``leaders`` are the roles of those names."""


class GroupView(Figures):
    """One group's view of one dimension (one dot of the dumbbell chart)."""

    group: StaffGroup
    n: int | None
    mean: Number
    sd: Number
    ci_low: Number
    ci_high: Number
    suppressed: bool


class PerceptionGap(Figures):
    """How ``group_b`` sees a dimension against ``group_a`` (difference b − a)."""

    dimension: str
    group_a: StaffGroup
    group_b: StaffGroup
    difference: Number
    ci_low: Number
    """Welch's 95% interval of the difference."""
    ci_high: Number
    hedges_g: Number
    g_ci_low: Number
    g_ci_high: Number
    large: bool
    """|g| ≥ 0.5 and the CI of g excludes zero."""
    shrunken: Number = None
    """The gap shrunk towards the mean gap of all schools (empirical Bayes), for standing."""
    percentile: Number = None
    """Where the shrunken gap stands among the other schools' shrunken gaps (0–100: the
    share of other schools with a smaller gap)."""
    n_schools: int | None = None
    """Schools the gap is set against."""
    suppressed: bool


class ViewsOfDimension(Figures):
    dimension: str
    groups: list[GroupView]
    """In the order pupils, staff, teachers, leaders (those shown or hidden)."""
    gaps: list[PerceptionGap]
    """teachers − pupils, leaders − pupils, leaders − teachers, staff − pupils."""


class StaffVoice(Figures):
    """The staff survey beside the pupils' for one school or one trust as a whole."""

    key: str
    """The school's key, or the trust's name."""
    wave: str
    staff_threshold: int
    staff_answered: bool
    n_staff: int | None = None
    n_teachers: int | None = None
    n_leaders: int | None = None
    leaders_pooled: bool = False
    """Too few leaders answered: they are counted in "all staff" only."""
    dimensions: list[ViewsOfDimension] = Field(default_factory=list)
    """In the instrument's order."""


class StaffVoices(Figures):
    schools: dict[str, StaffVoice]
    """By school key: every school with pupils' responses."""
    trusts: dict[str, StaffVoice]
    """By trust name."""


def build_staff_voices(inputs: ReportInputs) -> StaffVoices:
    """Every school's and trust's staff voice in the wave of ``inputs``."""
    raise NotImplementedError("built by the staff-voice work (issue 10)")
