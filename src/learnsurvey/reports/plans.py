"""A school's priorities and actions as the reports show them: plain data the platform
hands over (``learnsurvey.web.improvement`` builds it from the school's records), with
labels already in the reader's language. The impact of each priority is not here: it is a
figure, read from :class:`~learnsurvey.analysis.figures.over_time.SchoolOverTime.impacts`.
Django-free.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ActionPlan", "PriorityPlan", "SchoolPlan"]


class ActionPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    what: str
    kind: str
    kind_label: str
    lead_role: str
    starts: date | None = None
    ends: date | None = None
    status: str
    status_label: str


class PriorityPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    dimension: str
    """The instrument's dimension id."""
    academic_year: str
    """E.g. "2026/27"."""
    baseline_wave: str
    """The wave the priority was set from (its name); impact is read from this wave to the
    next wave of the series."""
    theory_of_action: str = ""
    hoped_change: str = ""
    from_trust: bool = False
    """Adopted from one of the trust's priorities."""
    actions: list[ActionPlan] = Field(default_factory=list)


class SchoolPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    school: str
    """The school's key (URN)."""
    priorities: list[PriorityPlan] = Field(default_factory=list)
