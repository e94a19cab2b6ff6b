"""The partners part of the JSON API (mounted under /api/v1/ by ``api.urls``): the partner
schools suggested for one of a school's dimensions. The access rules are the pages': a
school's leaders only (teachers and researchers 403), another school 404, as in ``api.v1``.
Only schools open to partner requests are ever suggested or named."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from learnsurvey.analysis.figures.improvement import PartnerContext, StrengthFigure
from learnsurvey.web.api.auth import api_user
from learnsurvey.web.api.schemas import ErrorOut
from learnsurvey.web.dashboards.named import Names

from .actions import may_use_partners
from .present import latest_computed_wave, partner_suggestions
from .views import partner_school

router = Router(tags=["v1"])
ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class PartnerOut(Schema):
    urn: str
    name: str
    dimension: str
    dimension_name: str
    distance: float
    """The standardised context distance (see :mod:`learnsurvey.analysis.families`)."""
    closest: list[str]
    """The context features the two schools are closest on, closest first."""
    explanation: str
    """Why it is suggested, in one line, in the reader's language."""
    context: PartnerContext
    strength: StrengthFigure


class PartnersOut(Schema):
    school: str
    dimension: str
    wave: str | None
    """The wave whose stored figures the suggestions come from (None: no results yet)."""
    partners: list[PartnerOut]


@router.get("/schools/{urn}/partners", response={200: PartnersOut, **ERRORS})
def school_partners(request: HttpRequest, urn: str, dimension: str) -> PartnersOut:
    """Up to five schools open to partner requests, strong in ``dimension`` and similar to
    the school in context, from its latest computed wave."""
    if not may_use_partners(api_user(request)):
        raise HttpError(403, "your role does not see partner schools")
    school = partner_school(request, urn)
    computed = latest_computed_wave(school)
    if computed is None:
        return PartnersOut(school=school.urn, dimension=dimension, wave=None, partners=[])
    wave, result = computed
    instrument = wave.instrument()
    if dimension not in instrument.dimension_ids:
        raise HttpError(400, "not a dimension of the wave's instrument")
    names = Names(instrument)
    found = partner_suggestions(school, dimension, wave, result)
    return PartnersOut(
        school=school.urn,
        dimension=dimension,
        wave=wave.name,
        partners=[
            PartnerOut(
                urn=p.school.urn,
                name=p.school.name,
                dimension=dimension,
                dimension_name=names.dimension(dimension),
                distance=p.suggestion.distance,
                closest=p.suggestion.closest,
                explanation=p.line,
                context=p.suggestion.context,
                strength=p.suggestion.strength,
            )
            for p in found
        ],
    )
