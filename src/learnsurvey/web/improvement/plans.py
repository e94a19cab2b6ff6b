"""The schools' records as the reports take them: one
:class:`~learnsurvey.reports.plans.SchoolPlan` per school, labels in the active language.

A wave's report shows the priorities evaluated at it and those set from it: the priorities
whose baseline wave is this wave or the school's previous wave of the same series.
"""

from __future__ import annotations

from learnsurvey.reports.plans import ActionPlan, PriorityPlan, SchoolPlan
from learnsurvey.web.waves.models import Participation, Wave

from .models import Priority

__all__ = ["school_plans"]


def _report_waves(wave: Wave) -> dict[int, set[int]]:
    """For each school of ``wave``'s series up to it: the ids of this wave and the school's
    previous wave of the series (the baselines a report of ``wave`` shows)."""
    pairs = (
        Participation.objects.filter(
            wave__instrument_id=wave.instrument_id, wave__opens__lte=wave.opens
        )
        .order_by("school_id", "-wave__opens", "-wave_id")
        .values_list("school_id", "wave_id")
    )
    out: dict[int, list[int]] = {}
    for school_id, wave_id in pairs:
        out.setdefault(school_id, [])
        if wave_id == wave.pk or (out[school_id] and len(out[school_id]) < 2):
            out[school_id].append(wave_id)
    return {k: set(v) for k, v in out.items() if v}


def school_plans(wave: Wave | int) -> dict[str, SchoolPlan]:
    """Each school's plan for the reports of ``wave``, by URN (schools with none left out)."""
    if not isinstance(wave, Wave):
        wave = Wave.objects.get(pk=wave)
    baselines = _report_waves(wave)
    wanted = set().union(*baselines.values()) if baselines else set()
    priorities = (
        Priority.objects.filter(baseline_wave_id__in=wanted, school_id__in=list(baselines))
        .select_related("school", "baseline_wave")
        .prefetch_related("actions")
        .order_by("school__urn", "-academic_year", "created", "pk")
    )
    plans: dict[str, list[PriorityPlan]] = {}
    for p in priorities:
        if p.baseline_wave_id not in baselines.get(p.school_id, set()):
            continue
        plans.setdefault(p.school.urn, []).append(
            PriorityPlan(
                dimension=p.dimension,
                academic_year=p.academic_year,
                baseline_wave=p.baseline_wave.name,
                theory_of_action=p.theory_of_action,
                hoped_change=p.hoped_change,
                from_trust=p.trust_priority_id is not None,
                actions=[
                    ActionPlan(
                        what=a.what,
                        kind=a.kind,
                        kind_label=str(a.get_kind_display()),
                        lead_role=a.lead_role,
                        starts=a.starts,
                        ends=a.ends,
                        status=a.status,
                        status_label=str(a.get_status_display()),
                    )
                    for a in p.actions.all()
                ],
            )
        )
    return {urn: SchoolPlan(school=urn, priorities=found) for urn, found in plans.items()}
