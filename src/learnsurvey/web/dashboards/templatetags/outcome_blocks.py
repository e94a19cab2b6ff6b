"""The "Where you stand on outcomes" block of a school's dashboard: the school's own value
of each outcome measure and the share of the other schools with a lower one, read from its
stored figures (:mod:`..outcomes_payloads`). Included by the school page as
``{% load outcome_blocks %}{% where_you_stand wave school %}``; it shows nothing when the
wave has no outcomes for the school."""

from __future__ import annotations

from typing import Any

from django import template

from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.models import Wave

register = template.Library()


@register.inclusion_tag("dashboards/_where_you_stand.html")
def where_you_stand(wave: Wave, school: School) -> dict[str, Any]:
    """The block's context: the school's rows (the page has just read the current result)."""
    # Imported here: Django imports every tag library when it first renders any template
    # (a pupil's page too), and these bring the analysis, pandas and scipy with them.
    from ..compute import stored_result
    from ..outcomes_payloads import stored_school_outcomes

    return {"outcomes": stored_school_outcomes(stored_result(wave), school.urn), "school": school}
