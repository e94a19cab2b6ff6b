"""The contract for acting on the results: suggested priorities, the impact of a priority
(a school's change against its similar schools' over the same two waves), the dimensions a
school is strong in, and partner schools suggested from those strengths and the schools'
context. Built by :mod:`learnsurvey.analysis.priorities`, :mod:`learnsurvey.analysis.impact`
and :mod:`learnsurvey.analysis.partners`; every figure has been through
:mod:`learnsurvey.stats.disclosure`. Django-free.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._base import Figures, Number

__all__ = [
    "ImpactFigure",
    "ImpactVerdict",
    "PartnerContext",
    "PartnerSuggestion",
    "PriorityReason",
    "PrioritySuggestion",
    "StrengthFigure",
]

ImpactVerdict = Literal[
    "clearly_more",
    "as_similar",
    "less_than_similar",
    "improved",
    "no_clear_change",
    "steady_while_similar_declined",
    "declined",
    "declined_more",
    "unknown",
]
"""What the CIs support, never more:

- ``clearly_more``: the school improved clearly (its change's CI above 0) and the
  difference in differences' CI is above 0 — "improved clearly more than similar schools";
- ``as_similar``: improved clearly, the DiD's CI includes 0 — "improved, as similar
  schools did";
- ``less_than_similar``: improved clearly, the DiD's CI below 0;
- ``improved``: improved clearly, no comparison can be shown (similar schools hidden);
- ``no_clear_change``: the school's change's CI includes 0 — "no clear change yet (smaller
  than this school can detect)";
- ``steady_while_similar_declined``: no clear change, the DiD's CI above 0;
- ``declined``: the school's change's CI below 0;
- ``declined_more``: declined, and the DiD's CI below 0;
- ``unknown``: the school's change is hidden.
"""


class ImpactFigure(Figures):
    """One score's change in a school between two consecutive waves of a series, against
    the change in its similar schools over the same two waves: a difference in differences.
    """

    kind: Literal["dimension", "notion", "overall"]
    score: str
    from_wave: str
    to_wave: str
    change: Number
    """The school's change (to − from), Welch 95% CI below."""
    change_ci_low: Number
    change_ci_high: Number
    mdc: Number
    """The smallest change this school could detect (80% power, two-sided 5%)."""
    similar_change: Number
    """The change of the pupils of the school's similar schools (the other schools of its
    family in the later wave) over the same two waves."""
    similar_ci_low: Number
    similar_ci_high: Number
    n_similar_schools: int | None
    did: Number
    """change − similar_change, with its 95% CI."""
    did_ci_low: Number
    did_ci_high: Number
    verdict: ImpactVerdict
    suppressed: bool


PriorityReason = Literal["below_all", "below_similar", "down_since_last"]
"""Why a dimension is suggested as a priority: its CI of Hedges' g against all schools (or
against similar schools) lies wholly below 0, or it went clearly down since the last wave."""


class PrioritySuggestion(Figures):
    """A dimension the analysis suggests as a priority, with the figures behind the reasons
    (the school's own, already shown on its page)."""

    dimension: str
    reasons: list[PriorityReason]
    mean: Number
    benchmark_mean: Number
    similar_mean: Number = None
    change: Number = None
    """The change since the previous wave (when ``down_since_last``)."""


class StrengthFigure(Figures):
    """A dimension a school is strong in: its shrunken mean's 95% interval lies wholly above
    the all-schools mean, or it improved clearly since the last wave. Only shown figures."""

    dimension: str
    mean: Number
    shrunken_mean: Number
    shrunken_ci_low: Number
    shrunken_ci_high: Number
    benchmark_mean: Number
    clearly_above: bool
    change: Number = None
    clearly_improved: bool = False


class PartnerContext(Figures):
    """The context a partner suggestion is explained by (the school's published context)."""

    school: str
    phase: str | None
    pupils: int | None
    fsm_pct: Number
    eal_pct: Number
    send_pct: Number
    region: str | None


class PartnerSuggestion(Figures):
    """A school suggested as a partner for one dimension: strong in it, similar in context."""

    school: str
    dimension: str
    distance: float
    """The standardised context distance (see :mod:`learnsurvey.analysis.families`)."""
    context: PartnerContext
    strength: StrengthFigure
    closest: list[str] = Field(default_factory=list)
    """The context features on which the two schools are closest, closest first."""
