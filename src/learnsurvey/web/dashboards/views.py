"""The leaders' dashboards: small views over the cached, suppressed wave results.

No statistics here: every figure comes from :mod:`.results` (which reads the cached
payload); the views only choose what to show to whom and lay it out.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from learnsurvey.instruments import Instrument
from learnsurvey.io.export import neutralise
from learnsurvey.reports.guidance import Guidance, load_guidance
from learnsurvey.web.accounts.access import (
    can_manage_school,
    can_see_global,
    can_see_trust,
    current_user,
    require_global,
    school_for,
    trust_for,
    visible_schools,
)
from learnsurvey.web.accounts.models import Role
from learnsurvey.web.schools.models import School, Trust
from learnsurvey.web.waves.models import Participation, Wave

from .charts import ci_bar, dots, scale_ticks
from .payloads import GroupFigure, SchoolDashboard, ScoreFigure
from .results import freshness, global_payload, school_payload, school_payloads, trust_payload
from .voice import schools_side_by_side, voice_context

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
    """What the signed-in user may open, wave by wave; a trust leader sees the trust's
    schools at a glance (headline and heatmap) before the links."""
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
    entries = []
    for wave in waves:
        mine = [s for s in schools if s.pk in taking_part.get(wave.pk, set())]
        entry: dict[str, Any] = {"wave": wave, "schools": mine, "trusts": trusts}
        if user.role == Role.TRUST_LEADER and user.trust is not None and mine:
            entry["glance"] = _trust_glance(wave, user.trust, mine)
        entries.append(entry)
    return render(
        request,
        "dashboards/home.html",
        {"entries": entries, "global": can_see_global(user), "role": user.get_role_display()},
    )


def _trust_glance(wave: Wave, trust: Trust, schools: list[School]) -> dict[str, Any]:
    """The trust's heatmap and each school's headline, for a trust leader's home page."""
    dashboards = school_payloads(wave, schools)
    return {
        "d": trust_payload(wave, trust),
        "schools": [
            {"d": d, "overall": _overall(d), **_standings(d)} for d in dashboards if d.publishable
        ],
        "dimensions_count": len(wave.instrument().dimension_ids),
    }


def _overall(d: SchoolDashboard) -> ScoreFigure | None:
    return next((s for s in d.scores if s.kind == "overall"), None)


def _standings(d: SchoolDashboard) -> dict[str, list[ScoreFigure]]:
    """The strengths and areas to work on of the headline, as the scores they name."""
    by_id = {s.score: s for s in d.scores if s.kind == "dimension"}
    headline = d.headline
    if headline is None:
        return {"strengths": [], "priorities": []}
    return {
        "strengths": [by_id[k] for k in headline.strengths if k in by_id],
        "priorities": [by_id[k] for k in headline.priorities if k in by_id],
    }


def _pivot(
    figures: list[GroupFigure], instrument: Instrument
) -> tuple[list[str], list[dict[str, Any]]]:
    """Long group figures as rows of dimensions with one cell and one dot per group."""
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
        means = [None if c is None or c.suppressed else c.mean for c in row["cells"]]
        row["dots"] = dots(means, instrument)
        row["shown"] = [(labels[k], c) for k, c in enumerate(row["cells"]) if means[k] is not None]
    return labels, ordered


def _similar_words(d: SchoolDashboard) -> str:
    """The similar-schools group in words (a count of schools, never of pupils)."""
    if d.similar is None:
        return ""
    if d.similar.method == "family":
        words = _("a family of %(k)s %(phase)s schools with similar intakes") % {
            "k": d.similar.n_family,
            "phase": d.similar.phase.replace("_", "-"),
        }
    else:
        words = _("%(phase)s schools in free-school-meals quartile %(q)s of 4") % {
            "phase": d.similar.phase.replace("_", "-"),
            "q": d.similar.fsm_quartile,
        }
    if d.similar.n_schools is None:
        return words + " " + _("(too few other schools to show a benchmark)")
    return words + " " + _("(%(k)s other schools)") % {"k": d.similar.n_schools}


def _guidance(instrument: Instrument) -> Guidance | None:
    try:
        return load_guidance(instrument)
    except ValueError:  # an instrument without guidance of its own or to borrow
        return None


def _trust_crumb(request: HttpRequest, school: School) -> Trust | None:
    """The school's trust when the reader may open its page (a step in the breadcrumbs)."""
    trust = school.trust
    return trust if trust is not None and can_see_trust(current_user(request), trust) else None


@login_required
def school(request: HttpRequest, wave_id: int, urn: str) -> HttpResponse:
    """A school's results: the headline first, then one chart per question with its tables
    folded away, in the order of the school report."""
    found = school_for(request, urn)
    wave = get_object_or_404(Wave, pk=wave_id)
    dashboard: SchoolDashboard = school_payload(wave, found)
    instrument = wave.instrument()
    scores = [
        (
            s,
            ci_bar(s.mean, s.ci_low, s.ci_high, s.benchmark_mean, instrument, s.similar_mean),
        )
        for s in dashboard.scores
    ]
    ks_labels, ks_rows = _pivot(dashboard.key_stages, instrument)
    g_labels, g_rows = _pivot(dashboard.genders, instrument)
    guidance = _guidance(instrument)
    context = {
        "wave": wave,
        "school": found,
        "d": dashboard,
        "scores": scores,
        "dimensions": [x for x in scores if x[0].kind == "dimension"],
        "notions": [x for x in scores if x[0].kind != "dimension"],
        "overall": _overall(dashboard),
        "headline_scores": [s for s, _bar in scores if s.kind == "overall"]
        + [s for s, _bar in scores if s.kind == "notion"],
        **_standings(dashboard),
        "similar_words": _similar_words(dashboard),
        "bands": instrument.bands,
        "high_bands": ", ".join(b.name for b in instrument.bands if b.id in instrument.high_bands),
        "ticks": scale_ticks(instrument),
        "scale": instrument.scale,
        "key_stages": {"labels": ks_labels, "rows": ks_rows},
        "genders": {"labels": g_labels, "rows": g_rows},
        "guidance": guidance.dimensions if guidance is not None else {},
        "trust": _trust_crumb(request, found),
        "can_manage": can_manage_school(current_user(request), found),
        "v": voice_context(dashboard.staff, instrument),
    }
    return render(request, "dashboards/school.html", context)


@login_required
def trust(request: HttpRequest, wave_id: int, trust_id: int) -> HttpResponse:
    """The trust's schools side by side: shrunken means, spread, top and bottom schools."""
    found = trust_for(request, trust_id)
    wave = get_object_or_404(Wave, pk=wave_id)
    dashboard = trust_payload(wave, found)
    instrument = wave.instrument()
    context: dict[str, Any] = {"wave": wave, "trust": found, "d": dashboard}
    if dashboard.staff_voice is not None:
        # A trust leader sees each of the trust's schools' staff results beside the trust's.
        schools = school_payloads(wave, list(found.schools.all()))
        context |= {
            "v": voice_context(dashboard.staff_voice, instrument),
            "staff_schools": schools_side_by_side(schools, instrument),
            "ticks": scale_ticks(instrument),
        }
    return render(request, "dashboards/trust.html", context)


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
    # School and trust names are written by users: a name starting "=" is not run as a
    # formula by the spreadsheet that opens the file (the exports do the same).
    writer.writerow([neutralise(c) for c in found.columns])
    for row in found.rows:
        writer.writerow(
            ["" if row.get(c) is None else neutralise(row.get(c)) for c in found.columns]
        )
    return response


@login_required
def wave_status(request: HttpRequest, wave_id: int) -> JsonResponse:
    """Whether the wave's figures are being recomputed, and when they were last computed
    (what a dashboard polls while it waits; never starts a recompute itself). 404 for a
    wave none of the user's schools takes part in."""
    user = current_user(request)
    wave = get_object_or_404(Wave, pk=wave_id)
    if not can_see_global(user):
        ids = [s.pk for s in visible_schools(user)]
        if not Participation.objects.filter(wave=wave, school__in=ids).exists():
            raise Http404
    f = freshness(wave)
    computed = format_date(timezone.localtime(f.computed), "c") if f.computed else None
    return JsonResponse({"computed": computed, "updating": f.updating})
