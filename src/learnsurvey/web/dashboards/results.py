"""A wave's results as the pages, the API and the downloads read them: cached, recomputed
when stale.

``current_result`` is what the pages call: a cheap look for newer responses and, when there
are some, a recompute queued for the worker (:mod:`.tasks`); the page shows the figures
last computed meanwhile (:func:`freshness` says when, and whether newer ones are coming).
``fresh_result`` is what a command-line tool calls: it computes here and now. The computing
and storing itself is :mod:`.compute`, which both this module and the task import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from learnsurvey.analysis.figures.school import SchoolFigures
from learnsurvey.analysis.figures.trust import TrustFigures
from learnsurvey.web.schools.models import School, Trust
from learnsurvey.web.waves.models import Wave, WaveResult

from .chunks import CHUNK_ROWS, response_chunks
from .compute import compute_wave_result, is_stale, school_pseudonyms, stored_result
from .models import SchoolResult, TrustResult
from .named import build_global, build_school, build_trust
from .over_time_named import build_global_over_time, build_school_over_time, build_trust_over_time
from .over_time_payloads import (
    GlobalOverTimeDashboard,
    SchoolOverTimeDashboard,
    TrustOverTimeDashboard,
)
from .over_time_store import over_time_parts
from .payloads import GlobalTables, SchoolDashboard, TrustDashboard
from .tasks import is_recomputing, request_recompute

__all__ = [
    "CHUNK_ROWS",
    "Freshness",
    "compute_wave_result",
    "current_result",
    "fresh_result",
    "freshness",
    "global_over_time",
    "global_payload",
    "is_stale",
    "response_chunks",
    "school_figures",
    "school_over_time",
    "school_payload",
    "school_payloads",
    "school_pseudonyms",
    "trust_over_time",
    "trust_payload",
]


def current_result(wave: Wave) -> WaveResult | None:
    """The wave's stored result; when it is stale, a recompute is queued (with the immediate
    backend it has run when this returns, and its result is returned).

    Never waits for a worker: None only while the wave has never been computed."""
    result = stored_result(wave)
    if result is None or is_stale(result):
        request_recompute(wave.pk)
        result = stored_result(wave)
    return result


def fresh_result(wave: Wave) -> WaveResult:
    """The wave's result brought up to date in this process (a command-line tool, which has
    no page to come back to)."""
    result = stored_result(wave)
    if result is None or is_stale(result):
        result = compute_wave_result(wave)
    return result


@dataclass(frozen=True)
class Freshness:
    """When the figures a page shows were computed, and whether newer ones are coming."""

    computed: datetime | None
    updating: bool


def freshness(wave: Wave) -> Freshness:
    """The wave's :class:`Freshness` as it stands (queues nothing)."""
    result = stored_result(wave)
    return Freshness(
        computed=result.computed if result is not None else None,
        updating=is_recomputing(wave.pk),
    )


def school_figures(result: WaveResult, urn: str) -> SchoolFigures | None:
    """One school's stored figures in ``result`` (None: the school has no responses)."""
    found = SchoolResult.objects.filter(result=result, urn=urn).first()
    return SchoolFigures.model_validate(found.payload) if found is not None else None


def school_payload(wave: Wave, school: School) -> SchoolDashboard:
    """The school's dashboard, read from the cached figures (already cleared)."""
    result = current_result(wave)
    figures = school_figures(result, school.urn) if result is not None else None
    return build_school(wave, school, result, figures)


def school_payloads(wave: Wave, schools: list[School]) -> list[SchoolDashboard]:
    """The dashboards of several schools (a trust leader's home page) in two queries."""
    result = current_result(wave)
    found: dict[str, SchoolFigures] = {}
    if result is not None:
        rows = SchoolResult.objects.filter(result=result, urn__in=[s.urn for s in schools])
        found = {r.urn: SchoolFigures.model_validate(r.payload) for r in rows}
    return [build_school(wave, s, result, found.get(s.urn)) for s in schools]


def trust_payload(wave: Wave, trust: Trust) -> TrustDashboard:
    """The trust's heatmap, spread and comparison with the rest of the wave."""
    result = current_result(wave)
    figures = None
    if result is not None:
        found = TrustResult.objects.filter(result=result, trust=trust.name).first()
        figures = TrustFigures.model_validate(found.payload) if found is not None else None
    return build_trust(wave, trust, result, figures)


def global_payload(wave: Wave) -> GlobalTables:
    """The wave's global tables with schools named only where they opted in."""
    result = current_result(wave)
    opted = set(School.objects.filter(research_opt_in=True).values_list("urn", flat=True))
    names = dict(School.objects.filter(urn__in=opted).values_list("urn", "name"))
    return build_global(wave, result, names)


def school_over_time(wave: Wave, school: School) -> SchoolOverTimeDashboard:
    """The school's figures over the series of waves ending at ``wave`` (stored with the
    wave's result, so read, never computed, here)."""
    current_result(wave)
    stored = over_time_parts(wave, schools=[school.urn], trusts=[])
    return build_school_over_time(wave, school, stored)


def trust_over_time(wave: Wave, trust: Trust) -> TrustOverTimeDashboard:
    """The trust's figures over the series ending at ``wave``, its schools side by side."""
    current_result(wave)
    stored = over_time_parts(wave, schools=[], trusts=[trust.name])
    names = dict(trust.schools.values_list("urn", "name"))
    return build_trust_over_time(wave, trust, stored, names)


def global_over_time(wave: Wave) -> GlobalOverTimeDashboard:
    """Every school together over the series ending at ``wave``."""
    current_result(wave)
    return build_global_over_time(wave, over_time_parts(wave, schools=[], trusts=[]))
