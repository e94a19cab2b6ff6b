"""The school report's "Priorities and their impact" section: the school's priorities (the
platform's records, :class:`~learnsurvey.reports.plans.SchoolPlan`), their actions, and each
priority's impact read from the figures over time — the school's change on the dimension
against its similar schools' over the same two waves
(:class:`~learnsurvey.analysis.figures.improvement.ImpactFigure`, the one whose
``from_wave`` is the priority's baseline wave), said in words only as far as its verdict
goes. Nothing is computed here."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from learnsurvey.analysis.figures.improvement import ImpactFigure, ImpactVerdict
from learnsurvey.analysis.figures.over_time import OverTimeFigures
from learnsurvey.instruments import Instrument
from learnsurvey.reports.plans import PriorityPlan, SchoolPlan

from .. import format as fmt
from ..charts import Table
from .tables import FittedTable, Gettext

__all__ = [
    "PlansSection",
    "PriorityView",
    "find_impact",
    "impact_figures",
    "impact_words",
    "plans_section",
]


class PriorityView(BaseModel):
    """One priority as the report shows it."""

    model_config = ConfigDict(frozen=True)

    dimension: str
    """The dimension's name."""
    academic_year: str
    baseline_wave: str
    from_trust: bool = False
    theory_of_action: str = ""
    hoped_change: str = ""
    actions: Table | None = None
    impact: str
    """The verdict in words (or why there is none yet)."""
    impact_figures: str = ""
    """The figures behind it, in one line ("" when there are none)."""


class PlansSection(BaseModel):
    """The school's priorities; nothing is shown when ``shown`` is False."""

    model_config = ConfigDict(frozen=True)

    shown: bool
    priorities: list[PriorityView] = Field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        return [p.actions for p in self.priorities if p.actions is not None]


def impact_words(verdict: ImpactVerdict, _: Gettext) -> str:
    """The verdict in plain words: never more than its confidence intervals support."""
    words = {
        "clearly_more": _("Improved clearly more than similar schools"),
        "as_similar": _("Improved, as similar schools did"),
        "less_than_similar": _("Improved, but clearly less than similar schools"),
        "improved": _("Improved clearly; no comparison with similar schools can be shown"),
        "no_clear_change": _("No clear change yet (smaller than this school can detect)"),
        "steady_while_similar_declined": _(
            "No clear change, while similar schools clearly declined"
        ),
        "declined": _("Declined"),
        "declined_more": _("Declined, clearly more than similar schools"),
        "unknown": _("Not shown: too few pupils answered in one of the waves"),
    }
    return words[verdict]


def _effect(value: float | None, low: float | None, high: float | None) -> str:
    if value is None:
        return fmt.HIDDEN
    return f"{fmt.signed(value)} ({fmt.ci(low, high)})"


def impact_figures(impact: ImpactFigure, _: Gettext) -> str:
    """The change, the similar schools' change and their difference, with 95% CIs."""
    if impact.suppressed or impact.change is None:
        return ""
    said = _("%(from)s to %(to)s: change %(change)s") % {
        "from": impact.from_wave,
        "to": impact.to_wave,
        "change": _effect(impact.change, impact.change_ci_low, impact.change_ci_high),
    }
    if impact.mdc is not None:
        said += "; " + _("smallest detectable %(mdc)s") % {"mdc": fmt.number(impact.mdc)}
    if impact.similar_change is not None:
        said += "; " + _("similar schools %(change)s; difference %(did)s") % {
            "change": _effect(impact.similar_change, impact.similar_ci_low, impact.similar_ci_high),
            "did": _effect(impact.did, impact.did_ci_low, impact.did_ci_high),
        }
    return said + " " + _("(95% CIs)")


def find_impact(
    over_time: OverTimeFigures | None, school: str, priority: PriorityPlan
) -> ImpactFigure | None:
    """The impact of ``priority``: the school's dimension impact from its baseline wave."""
    if over_time is None or school not in over_time.schools:
        return None
    for impact in over_time.schools[school].impacts:
        if (
            impact.kind == "dimension"
            and impact.score == priority.dimension
            and impact.from_wave == priority.baseline_wave
        ):
            return impact
    return None


def _actions(priority: PriorityPlan, _: Gettext) -> Table | None:
    if not priority.actions:
        return None
    return FittedTable(
        caption=_("Actions"),
        columns=[_("Action"), _("Kind"), _("Led by"), _("From"), _("To"), _("Status")],
        rows=[
            [
                a.what,
                a.kind_label,
                a.lead_role,
                a.starts.isoformat() if a.starts else fmt.HIDDEN,
                a.ends.isoformat() if a.ends else fmt.HIDDEN,
                a.status_label,
            ]
            for a in priority.actions
        ],
        numeric=[False] * 6,
    )


def dimension_label(inst: Instrument, dimension: str) -> str:
    return next((d.name for d in inst.dimensions if d.id == dimension), dimension)


def priority_view(
    priority: PriorityPlan,
    impact: ImpactFigure | None,
    inst: Instrument,
    _: Gettext,
) -> PriorityView:
    return PriorityView(
        dimension=dimension_label(inst, priority.dimension),
        academic_year=priority.academic_year,
        baseline_wave=priority.baseline_wave,
        from_trust=priority.from_trust,
        theory_of_action=priority.theory_of_action,
        hoped_change=priority.hoped_change,
        actions=_actions(priority, _),
        impact=(
            impact_words(impact.verdict, _)
            if impact is not None
            else _("Not judged yet: the impact is shown once the next wave after %(wave)s closes.")
            % {"wave": priority.baseline_wave}
        ),
        impact_figures=impact_figures(impact, _) if impact is not None else "",
    )


def plans_section(
    plan: SchoolPlan | None,
    over_time: OverTimeFigures | None,
    school: str,
    inst: Instrument,
    _: Gettext,
) -> PlansSection:
    """The section for ``school`` (its key); not shown when it set no priority."""
    priorities: Sequence[PriorityPlan] = plan.priorities if plan is not None else []
    if not priorities:
        return PlansSection(shown=False)
    return PlansSection(
        shown=True,
        priorities=[
            priority_view(p, find_impact(over_time, school, p), inst, _) for p in priorities
        ],
    )
