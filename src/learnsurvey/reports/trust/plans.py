"""The trust report's "Priorities across the trust" section: every school's priorities in
one table — the dimension, the academic year, its actions (how many, and their status) and
its impact in words (:mod:`learnsurvey.reports.school.plans`, from the figures over time).
Nothing is computed here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from learnsurvey.analysis.figures.over_time import OverTimeFigures
from learnsurvey.instruments import Instrument
from learnsurvey.reports.plans import PriorityPlan, SchoolPlan

from ..charts import Table
from ..school.plans import dimension_label, find_impact, impact_words
from ..school.tables import FittedTable, Gettext

__all__ = ["TrustPlansSection", "trust_plans_section"]


class TrustPlansSection(BaseModel):
    """Nothing is shown when ``shown`` is False (no school of the trust set a priority)."""

    model_config = ConfigDict(frozen=True)

    shown: bool
    table: Table | None = None
    n_schools: int = 0
    """Schools of the trust with at least one priority."""


def _actions(priority: PriorityPlan, _: Gettext) -> str:
    if not priority.actions:
        return _("none yet")
    statuses = Counter(a.status_label for a in priority.actions)
    parts = ", ".join(f"{n} {label.lower()}" for label, n in statuses.items())
    return f"{len(priority.actions)} ({parts})"


def trust_plans_section(
    plans: Mapping[str, SchoolPlan],
    schools: Sequence[str],
    over_time: OverTimeFigures | None,
    inst: Instrument,
    name: Callable[[str], str],
    _: Gettext,
) -> TrustPlansSection:
    """The table of the priorities of ``schools`` (the trust's school keys, in the report's
    order); ``name`` gives a school's display name."""
    rows = []
    counted = 0
    for school in schools:
        plan = plans.get(school)
        if plan is None or not plan.priorities:
            continue
        counted += 1
        for p in plan.priorities:
            impact = find_impact(over_time, school, p)
            label = dimension_label(inst, p.dimension)
            if p.from_trust:
                label += " " + _("(trust priority)")
            rows.append(
                [
                    name(school),
                    label,
                    p.academic_year,
                    _actions(p, _),
                    impact_words(impact.verdict, _) if impact is not None else _("Not judged yet"),
                ]
            )
    if not rows:
        return TrustPlansSection(shown=False)
    return TrustPlansSection(
        shown=True,
        n_schools=counted,
        table=FittedTable(
            caption=_("Every school's priorities, actions and impact"),
            columns=[_("School"), _("Priority"), _("Year"), _("Actions"), _("Impact")],
            rows=rows,
            numeric=[False] * 5,
            notes=[
                _(
                    "Impact compares the school's change on the dimension with the change in "
                    "similar schools over the same two waves (a difference in differences with "
                    "its 95% confidence interval); it is judged once the next wave closes."
                )
            ],
        ),
    )
