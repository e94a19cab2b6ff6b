"""The leaders' dashboards: small views over the cached, suppressed wave results.

No statistics here: every figure comes from :mod:`.results` (which reads the cached
payload); the views only choose what to show to whom and lay it out.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from learnsurvey.web.accounts.access import (
    can_manage_school,
    can_see_global,
    current_user,
    require_global,
    school_for,
    trust_for,
    visible_schools,
)
from learnsurvey.web.accounts.models import Role
from learnsurvey.web.schools.models import Trust
from learnsurvey.web.waves.models import Participation, Wave

from .charts import ci_bar, scale_ticks
from .payloads import GroupFigure, SchoolDashboard
from .results import global_payload, school_payload, trust_payload

PAGE_ROWS = 200

TABLE_TITLES = {
    "reliability": gettext_lazy("Reliability of each dimension"),
    "factor_pattern": gettext_lazy("Factor pattern"),
    "factor_correlations": gettext_lazy("Correlations between factors"),
    "items": gettext_lazy("Items"),
    "item_correlations": gettext_lazy("Correlations between items"),
    "dimension_summary": gettext_lazy("Dimensions: summary"),
    "notion_summary": gettext_lazy("Notions and overall score: summary"),
    "school_summary": gettext_lazy("Schools by dimension"),
    "school_notions": gettext_lazy("Schools by notion"),
    "group_effects": gettext_lazy("Differences between key stages and genders"),
    "key_stage_trend": gettext_lazy("Key stage trend"),
    "gender_summary": gettext_lazy("Gender summary"),
    "icc": gettext_lazy("Intraclass correlation (share of variance between schools)"),
    "top_bottom": gettext_lazy("Top and bottom schools"),
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What the signed-in user may open, wave by wave."""
    user = current_user(request)
    schools = visible_schools(user)
    trusts: list[Trust] = []
    if user.is_platform_admin:
        trusts = list(Trust.objects.all())
        waves = list(Wave.objects.all())
    elif user.role == Role.RESEARCHER:
        waves = list(Wave.objects.all())
    else:
        if user.role == Role.TRUST_LEADER and user.trust is not None:
            trusts = [user.trust]
        waves = list(
            Wave.objects.filter(participations__school__in=[s.pk for s in schools]).distinct()
        )
    taking_part: dict[int, set[int]] = {}
    pairs = Participation.objects.filter(wave__in=waves).values_list("wave_id", "school_id")
    for wave_id, school_id in pairs:
        taking_part.setdefault(wave_id, set()).add(school_id)
    entries = [
        {
            "wave": wave,
            "schools": [s for s in schools if s.pk in taking_part.get(wave.pk, set())],
            "trusts": trusts,
        }
        for wave in waves
    ]
    return render(
        request,
        "dashboards/home.html",
        {"entries": entries, "global": can_see_global(user), "role": user.get_role_display()},
    )


def _pivot(figures: list[GroupFigure]) -> tuple[list[str], list[dict[str, Any]]]:
    """Long group figures as rows of dimensions with one cell per group (layout only)."""
    labels: list[str] = []
    rows: dict[str, dict[str, Any]] = {}
    for f in figures:
        if f.label not in labels:
            labels.append(f.label)
        row = rows.setdefault(f.dimension, {"name": f.name, "cells": {}})
        row["cells"][f.label] = f
    ordered = list(rows.values())  # dimensions in the instrument's order, as given
    for row in ordered:
        row["cells"] = [row["cells"].get(label) for label in labels]
    return labels, ordered


@login_required
def school(request: HttpRequest, wave_id: int, urn: str) -> HttpResponse:
    """A school's results against every school in the wave."""
    found = school_for(request, urn)
    wave = get_object_or_404(Wave, pk=wave_id)
    dashboard: SchoolDashboard = school_payload(wave, found)
    instrument = wave.instrument()
    scores = [
        (s, ci_bar(s.mean, s.ci_low, s.ci_high, s.benchmark_mean, instrument))
        for s in dashboard.scores
    ]
    ks_labels, ks_rows = _pivot(dashboard.key_stages)
    g_labels, g_rows = _pivot(dashboard.genders)
    context = {
        "wave": wave,
        "school": found,
        "d": dashboard,
        "dimensions": [x for x in scores if x[0].kind == "dimension"],
        "notions": [x for x in scores if x[0].kind != "dimension"],
        "bands": instrument.bands,
        "ticks": scale_ticks(instrument),
        "scale": instrument.scale,
        "key_stages": {"labels": ks_labels, "rows": ks_rows},
        "genders": {"labels": g_labels, "rows": g_rows},
        "can_manage": can_manage_school(current_user(request), found),
    }
    return render(request, "dashboards/school.html", context)


@login_required
def trust(request: HttpRequest, wave_id: int, trust_id: int) -> HttpResponse:
    """The trust's schools side by side: shrunken means, spread, top and bottom schools."""
    found = trust_for(request, trust_id)
    wave = get_object_or_404(Wave, pk=wave_id)
    dashboard = trust_payload(wave, found)
    return render(request, "dashboards/trust.html", {"wave": wave, "trust": found, "d": dashboard})


@login_required
def global_tables(request: HttpRequest, wave_id: int) -> HttpResponse:
    """The Phase One tables over every school in the wave (researchers, platform admins)."""
    require_global(request)
    wave = get_object_or_404(Wave, pk=wave_id)
    tables = global_payload(wave)
    shown = [
        {
            "table": t,
            "title": TABLE_TITLES.get(t.name, t.name),
            # A table of thousands of schools is read in a spreadsheet, not a page.
            "rows": [[row.get(c) for c in t.columns] for row in t.rows[:PAGE_ROWS]],
            "more": max(0, len(t.rows) - PAGE_ROWS),
            "total": len(t.rows),
        }
        for t in tables.tables
    ]
    return render(request, "dashboards/global.html", {"wave": wave, "d": tables, "tables": shown})


@login_required
def global_csv(request: HttpRequest, wave_id: int, table: str) -> HttpResponse:
    """One global table as CSV: the same suppressed, pseudonymised rows as the page."""
    require_global(request)
    wave = get_object_or_404(Wave, pk=wave_id)
    found = next((t for t in global_payload(wave).tables if t.name == table), None)
    if found is None:
        raise Http404(_("No such table."))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wave-{wave.pk}-{found.name}.csv"'
    writer = csv.writer(response)
    writer.writerow(found.columns)
    for row in found.rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in found.columns])
    return response
