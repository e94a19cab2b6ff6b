"""A trust's figures: everything the trust dashboard, the trust-leader home page, the API and
the trust report show, computed once per wave and already cleared by
:mod:`learnsurvey.stats.disclosure`.

:func:`build_trust_figures` builds them for every trust of a wave;
:class:`~learnsurvey.analysis.figures.trust_build.TrustFiguresBuilder` does the wave-level
work once and builds one trust on demand (a web page needs one trust, not all). The tables
behind them are in :mod:`learnsurvey.analysis.trusts` and :mod:`learnsurvey.analysis.staff`.
School names are real: a trust's leaders see their own schools. Django-free.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ._base import Figures, Number
from .staff import StaffVoice

if TYPE_CHECKING:
    from learnsurvey.analysis.inputs import ReportInputs

__all__ = [
    "HeatCell",
    "HeatRow",
    "ScoreCell",
    "SpreadFigure",
    "StaffGap",
    "StaffSchool",
    "TopBottom",
    "TrustFigures",
    "TrustScore",
    "TrustStaff",
    "build_trust_figures",
]


class ScoreCell(Figures):
    """A school's notion or overall score: raw mean, and the shrunken (empirical-Bayes) mean
    with its 95% interval, from a random-intercept model over every school of the wave."""

    kind: str
    """"notion" or "overall"."""
    score: str
    """The notion's id, or "overall"."""
    n: int | None
    mean: Number
    shrunken_mean: Number
    ci_low: Number
    """The shrunken mean's 95% interval."""
    ci_high: Number
    rank: int | None
    """Among the wave's schools shown, by shrunken mean (1 = highest)."""
    suppressed: bool


class HeatCell(Figures):
    """A school's shrunken mean on a dimension with its 95% CI and band: one cell of the
    schools × dimensions heatmap (the API's ``HeatCell``, less the display name of the band)."""

    dimension: str
    n: int | None
    mean: Number
    shrunken_mean: Number
    ci_low: Number
    ci_high: Number
    band: str | None
    """The instrument band the shrunken mean falls in (None: hidden)."""
    band_index: int | None
    """Position of ``band`` among the instrument's bands (the colour of the cell)."""
    rank: int | None
    suppressed: bool


class HeatRow(Figures):
    """One school of the trust: a row of the heatmap, and its notion and overall scores."""

    urn: str
    """The school's key in the inputs (its URN on the platform)."""
    school_name: str
    n_responses: int | None
    """Responses (None: hidden). A pupil who answered too few items to score still counts."""
    cells: list[HeatCell]
    """One per dimension, in the instrument's order."""
    notions: list[ScoreCell]
    """One per notion, in the instrument's order."""
    overall: ScoreCell


class SpreadFigure(Figures):
    """How far apart the trust's shown schools are on a dimension (their raw means)."""

    dimension: str
    n_schools: int
    sd: Number
    min: Number
    max: Number
    range: Number
    top_school: str | None
    """The school (name) with the highest shrunken mean, whether or not its interval clears
    the lowest's (see :class:`TopBottom` for the cautious version)."""
    bottom_school: str | None
    wave_sd: Number
    """The SD of the means of every school the wave shows, for comparison."""


class TrustScore(Figures):
    """The trust's pupils against the pupils of the wave's other schools on one score."""

    kind: str
    score: str
    n: int | None
    mean: Number
    ci_low: Number
    ci_high: Number
    all_mean: Number
    """The mean of all pupils of the wave (shown even when the trust's figures are not)."""
    rest_n: int | None
    rest_mean: Number
    hedges_g: Number
    """Hedges' g of the trust against the rest (positive: the trust is higher)."""
    g_ci_low: Number
    g_ci_high: Number
    direction: str
    """"above" or "below" (the 95% interval of g excludes zero), "within" (it includes
    zero), or "unknown" (hidden): the words of ``SchoolFigures``' ``against_all``."""
    size: str | None
    """Cohen's word for |g|: "very small", "small", "medium", "large" (None: hidden)."""
    suppressed: bool


class TopBottom(Figures):
    """The highest and lowest school on a dimension, named only when the highest school's
    95% interval of the shrunken mean lies wholly above the lowest school's."""

    dimension: str
    n_schools: int
    """Schools shown on the dimension."""
    apart: bool
    top_urn: str | None = None
    top_school: str | None = None
    """The highest school's name (None unless ``apart``)."""
    top_mean: Number = None
    """Its shrunken mean and 95% interval."""
    top_ci_low: Number = None
    top_ci_high: Number = None
    bottom_urn: str | None = None
    bottom_school: str | None = None
    bottom_mean: Number = None
    bottom_ci_low: Number = None
    bottom_ci_high: Number = None


class StaffGap(Figures):
    """Staff against pupils on one dimension (gap: staff minus pupils)."""

    dimension: str
    pupil_n: int | None
    pupil_mean: Number
    staff_n: int | None
    staff_mean: Number
    gap: Number
    gap_ci_low: Number
    """Welch's 95% interval of the gap."""
    gap_ci_high: Number
    hedges_g: Number
    g_ci_low: Number
    g_ci_high: Number
    suppressed: bool


class StaffSchool(Figures):
    urn: str
    school_name: str
    staff_answered: bool
    all_hidden: bool
    """Staff answered, but every figure is hidden."""
    gaps: list[StaffGap]


class TrustStaff(Figures):
    trust: list[StaffGap]
    """The trust as a whole, per dimension."""
    schools: list[StaffSchool]
    """Each school of the trust, in name order."""
    any_hidden: bool


class TrustFigures(Figures):
    """Everything a view of one trust shows, cleared by disclosure."""

    trust: str
    """The trust's name (the key in the inputs' context)."""
    wave: str
    threshold: int
    n_schools: int
    """The trust's schools with responses in the wave."""
    n_schools_without: int
    """The trust's schools (in the context) with no responses in the wave."""
    n_schools_hidden: int
    """Schools with at least one figure hidden."""
    n_pupils: int | None
    """The trust's pupils with an overall score (None: hidden)."""
    n_pupils_shown: int | None = None
    """When ``n_pupils`` is hidden: the pupils of the schools shown (the sum of their
    overall counts), which is safe to say."""
    publishable: bool
    """Whether anything about the trust's pupils as a whole is shown."""
    hidden_because: str | None = None
    """Why not (None when ``publishable``): "too_few" pupils in the trust, or "recoverable":
    the trust's figures would give a smaller group away (a school of fewer pupils than the
    threshold, whose count and mean are the trust's minus its other schools', or the rest
    of the wave)."""
    schools: list[HeatRow]
    """In name order."""
    spread: list[SpreadFigure]
    spread_widest: str | None
    """The dimension (id) on which the schools differ most (None: no clear widest)."""
    spread_narrowest: str | None
    against_rest: list[TrustScore]
    """Overall, then the notions, then the dimensions."""
    top_bottom: list[TopBottom]
    staff: TrustStaff | None
    """None when the wave has no staff survey."""
    staff_voice: StaffVoice | None = None
    """The trust's staff as a whole beside its pupils (its schools' are on their
    :class:`~learnsurvey.analysis.figures.school.SchoolFigures`); filled by
    :func:`~learnsurvey.analysis.figures.wave.build_wave_figures`."""


def build_trust_figures(
    inputs: ReportInputs, *, trusts: Iterable[str] | None = None
) -> dict[str, TrustFigures]:
    """The figures of every trust of the wave with a school with responses (or of
    ``trusts``), by trust name (see :class:`~.trust_build.TrustFiguresBuilder`)."""
    from .trust_build import TrustFiguresBuilder  # it builds these models: imported late

    builder = TrustFiguresBuilder(inputs)
    chosen = builder.trusts if trusts is None else list(trusts)
    return {t: builder.figures(t) for t in chosen}
