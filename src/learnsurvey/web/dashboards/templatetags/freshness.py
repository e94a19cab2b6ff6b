"""When a page's figures were computed, and whether newer ones are on their way."""

from __future__ import annotations

from typing import Any

from django import template

from learnsurvey.web.waves.models import Wave

register = template.Library()


@register.inclusion_tag("dashboards/_freshness.html")
def figures_freshness(wave: Wave) -> dict[str, Any]:
    """The "Updated …" line, and a notice (which polls, then reloads the page) while a
    recompute of the wave is waiting or running."""
    # Imported here: Django loads every tag library for any page, a pupil's too, and the
    # results bring the analysis stack.
    from ..results import freshness

    return {"wave": wave, "f": freshness(wave)}
