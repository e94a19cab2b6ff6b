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


@register.filter
def pct(value: object) -> str:
    """A percentage (0–100) as a whole number with its sign, or a dash when there is none."""
    if value is None or value == "":
        return MISSING
    return f"{floatformat(value, 0)}%"


@register.filter
def get_item(mapping: object, key: str) -> object:
    """``mapping[key]``, or None (the guidance of one dimension, by its id)."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.filter
def dimension_name(dimension: str, dashboard: object) -> str:
    """The display name of a dimension id, from a dashboard's ``dimensions`` list."""
    for info in getattr(dashboard, "dimensions", []):
        if info.dimension == dimension:
            return str(info.name)
    return dimension


@register.filter
def score_label(score: object) -> str:
    """A score's name in charts and tables: a notion is marked, as one may share a
    dimension's name (the notion "Learning" and the dimension "Learning")."""
    name = str(getattr(score, "name", ""))
    if getattr(score, "kind", "") == "notion":
        return _("%(name)s (notion)") % {"name": name}
    return name
