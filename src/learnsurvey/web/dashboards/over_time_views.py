"""The "Over time" pages of a school, a trust and the whole database: small views over the
stored figures over time (computed with the wave's result, never per request).

Each score is a line chart with its 95% confidence band beside its table; then the change
between the last two waves with its interval, Hedges' g, the smallest change the numbers
could detect and the verdict in words; the trend over three or more waves; and notes when
the seasons or the instrument's versions differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from learnsurvey.instruments import Instrument
from learnsurvey.web.accounts.access import (
    can_see_trust,
    current_user,
    require_global,
    school_for,
    trust_for,
)
from learnsurvey.web.waves.models import Wave

from .line_chart import line_chart, value_range, wave_labels
from .over_time_payloads import OverTimeInfo, SeriesFigure, TrendFigure, WaveChangeFigure
from .results import global_over_time, school_over_time, trust_over_time

__all__ = [
    "global_over_time_page",
    "latest_changes",
    "school_over_time_page",
    "trust_over_time_page",
]


def latest_changes(changes: Sequence[WaveChangeFigure]) -> list[WaveChangeFigure]:
    """The changes between the last two waves compared (the last pair of the list, which
    runs oldest first)."""
    if not changes:
        return []
    last = (changes[-1].from_wave, changes[-1].to_wave)
    return [c for c in changes if (c.from_wave, c.to_wave) == last]


def _season_names() -> dict[str, str]:
    return {str(value): str(label) for value, label in Wave.Season.choices}


def _lines(
    info: OverTimeInfo | None,
    series: Sequence[SeriesFigure],
    changes: Sequence[WaveChangeFigure],
    trends: Sequence[TrendFigure],
    instrument: Instrument,
) -> dict[str, Any]:
    """The charts, the latest change and the trends of one school, trust or the whole."""
    if info is None:
        return {}
    labels = wave_labels(info.waves, _season_names())
    shared = value_range(series, instrument)
    latest = latest_changes(changes)
    return {
        "labels": labels,
        "charts": [(s, line_chart(s, labels, shared)) for s in series],
        "latest": latest,
        "latest_from": latest[0].from_wave if latest else None,
        "latest_to": latest[0].to_wave if latest else None,
        "latest_seasons_differ": any(c.seasons_differ for c in latest),
        "earlier": [c for c in changes if c not in latest],
        "trends": list(trends),
        "shown_trends": any(not t.suppressed for t in trends),
        "comparability": info.comparability,
    }


@login_required
def school_over_time_page(request: HttpRequest, wave_id: int, urn: str) -> HttpResponse:
    """A school's scores over the waves of the series that ends at ``wave_id``."""
    found = school_for(request, urn)
    wave = get_object_or_404(Wave, pk=wave_id)
    d = school_over_time(wave, found)
    part = d.school
    context: dict[str, Any] = {"wave": wave, "school": found, "d": d}
    if part is not None:
        context |= _lines(d.info, part.series, part.changes, part.trends, wave.instrument())
    trust = found.trust
    if trust is not None and can_see_trust(current_user(request), trust):
        context["trust"] = trust
    return render(request, "dashboards/over_time_school.html", context)


@login_required
def trust_over_time_page(request: HttpRequest, wave_id: int, trust_id: int) -> HttpResponse:
    """The trust's own scores over the series, each school's latest change side by side and
    how many schools changed clearly."""
    found = trust_for(request, trust_id)
    wave = get_object_or_404(Wave, pk=wave_id)
    d = trust_over_time(wave, found)
    part = d.trust
    context: dict[str, Any] = {"wave": wave, "trust": found, "d": d}
    if part is not None:
        context |= _lines(d.info, part.series, part.changes, part.trends, wave.instrument())
        context["side_by_side"] = _side_by_side(part.schools, wave.instrument())
    return render(request, "dashboards/over_time_trust.html", context)


def _side_by_side(schools: Sequence[Any], instrument: Instrument) -> dict[str, Any]:
    """Each school's latest change on the overall score and each dimension: the columns
    (kind, id) and one row of cells per school (None: no change shown)."""
    columns = [("overall", "overall")] + [("dimension", d) for d in instrument.dimension_ids]
    names: dict[tuple[str, str], str] = {}
    rows = []
    for school in schools:
        by = {(c.kind, c.score): c for c in school.changes}
        for key, c in by.items():
            names.setdefault(key, c.name)
        rows.append({"school": school, "cells": [by.get(k) for k in columns]})
    shown = [k for k in columns if k in names]
    for row in rows:
        row["cells"] = [c for k, c in zip(columns, row["cells"], strict=True) if k in names]
    return {"columns": [names[k] for k in shown], "rows": rows}


@login_required
def global_over_time_page(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Every school together over the series: each score wave to wave and the key-stage
    decline in each wave (researchers and platform admins)."""
    require_global(request)
    wave = get_object_or_404(Wave, pk=wave_id)
    d = global_over_time(wave)
    part = d.global_
    context: dict[str, Any] = {"wave": wave, "d": d}
    if part is not None:
        context |= _lines(d.info, part.series, part.changes, part.trends, wave.instrument())
        context["declines"] = part.key_stage_decline
    return render(request, "dashboards/over_time_global.html", context)
