"""Number formatting for the dashboards: a dash for a missing or hidden figure."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

register = template.Library()

MISSING = "–"


@register.filter
def num(value: object, digits: int = 2) -> str:
    """``value`` to ``digits`` decimals (locale-aware), or a dash when there is none."""
    if value is None or value == "":
        return MISSING
    return str(floatformat(value, digits))


@register.filter
def cell(value: object) -> str:
    """A global-table cell: three decimals for fractions, words for yes and no."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return str(floatformat(value, 3))
    return str(value)
