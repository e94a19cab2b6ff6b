"""The improvement part of the JSON API (mounted under /api/v1/ by ``api.urls``): a school's
priorities with their actions and impact, and a trust's. The access rules are the pages'
(another school's or trust's priorities are 404, as in ``api.v1``)."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Router, Schema

from learnsurvey.analysis.figures.improvement import ImpactFigure
from learnsurvey.web.accounts import access
from learnsurvey.web.api.schemas import ErrorOut

from .models import Priority, TrustPriority
from .present import impacts_for

router = Router(tags=["v1"])
ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ActionOut(Schema):
    id: int
    what: str
    kind: str
    lead_role: str
    starts: date | None
    ends: date | None
    status: str


class ImpactOut(ImpactFigure):
    """The stored difference in differences, with its verdict in words."""

    words: str
    provisional: bool
    """The later wave is still open: the figures may change."""


class PriorityOut(Schema):
    id: int
    school: str
    """The school's URN."""
    academic_year: str
    dimension: str
    baseline_wave: str
    theory_of_action: str
    hoped_change: str
    trust_priority_id: int | None
    suggested_reasons: list[str]
    """The reason ids of the analysis's suggestion when it was set (empty: not suggested)."""
    editable: bool
    created: datetime
    updated: datetime
    actions: list[ActionOut]
    impact: ImpactOut | None
    """None until the next wave's figures over time are stored."""


class TrustPriorityOut(Schema):
    id: int
    academic_year: str
    dimension: str
    note: str
    adopted_by: list[str]
    """URNs of the schools that adopted it."""


class TrustPrioritiesOut(Schema):
    trust_id: int
    priorities: list[TrustPriorityOut]
    schools: list[PriorityOut]
    """Every school's priorities."""


def _out(priorities: list[Priority]) -> list[PriorityOut]:
    from .series import is_editable

    impacts = impacts_for(priorities)
    out = []
    for p in priorities:
        impact = impacts.get(p.pk)
        out.append(
            PriorityOut(
                id=p.pk,
                school=p.school.urn,
                academic_year=p.academic_year,
                dimension=p.dimension,
                baseline_wave=p.baseline_wave.name,
                theory_of_action=p.theory_of_action,
                hoped_change=p.hoped_change,
                trust_priority_id=p.trust_priority_id,
                suggested_reasons=list((p.suggested_reasons or {}).get("reasons", [])),
                editable=is_editable(p),
                created=p.created,
                updated=p.updated,
                actions=[
                    ActionOut(
                        id=a.pk,
                        what=a.what,
                        kind=a.kind,
                        lead_role=a.lead_role,
                        starts=a.starts,
                        ends=a.ends,
                        status=a.status,
                    )
                    for a in p.actions.all()
                ],
                impact=ImpactOut.model_validate(impact.as_dict()) if impact is not None else None,
            )
        )
    return out


def _priorities(**where: object) -> list[Priority]:
    return list(
        Priority.objects.filter(**where)
        .select_related("school", "baseline_wave")
        .prefetch_related("actions")
        .order_by("-academic_year", "school__name", "created")
    )


@router.get("/schools/{urn}/priorities", response={200: list[PriorityOut], **ERRORS})
def school_priorities(request: HttpRequest, urn: str) -> list[PriorityOut]:
    """The school's priorities, every year, with their actions and impact."""
    school = access.school_for(request, urn)
    return _out(_priorities(school=school))


@router.get("/trusts/{trust_id}/priorities", response={200: TrustPrioritiesOut, **ERRORS})
def trust_priorities(request: HttpRequest, trust_id: int) -> TrustPrioritiesOut:
    """The trust's own priorities and every one of its schools' priorities."""
    trust = access.trust_for(request, trust_id)
    own = TrustPriority.objects.filter(trust=trust).prefetch_related("adoptions__school")
    return TrustPrioritiesOut(
        trust_id=trust.pk,
        priorities=[
            TrustPriorityOut(
                id=tp.pk,
                academic_year=tp.academic_year,
                dimension=tp.dimension,
                note=tp.note,
                adopted_by=sorted(p.school.urn for p in tp.adoptions.all()),
            )
            for tp in own
        ],
        schools=_out(_priorities(school__trust=trust)),
    )
