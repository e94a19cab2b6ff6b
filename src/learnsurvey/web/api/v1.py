"""Version 1 of the JSON API: the same access rules as the pages (accounts/access.py).

Unknown objects and other people's objects are 404, a role that never sees a kind of data is
403, and a missing or bad token is 401 (from the authentication class).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.errors import HttpError

from learnsurvey.web.accounts import access
from learnsurvey.web.dashboards.over_time_payloads import (
    GlobalOverTimeDashboard,
    SchoolOverTimeDashboard,
    TrustOverTimeDashboard,
)
from learnsurvey.web.dashboards.payloads import GlobalTables, SchoolDashboard, TrustDashboard
from learnsurvey.web.dashboards.results import (
    global_over_time,
    global_payload,
    school_over_time,
    school_payload,
    trust_over_time,
    trust_payload,
)
from learnsurvey.web.pupil.survey import stored_language
from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.actions import SubmissionError, do_submit_response
from learnsurvey.web.waves.models import Participation, Response, Wave

from .auth import api_user
from .schemas import ErrorOut, SchoolRef, SubmissionIn, SubmissionOut, WaveOut

router = Router(tags=["v1"])
ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _wave_school(
    request: HttpRequest, wave_id: int, urn: str, *, manage: bool = False
) -> tuple[Wave, School]:
    """The wave and one of its schools that the user may see (or manage): 404 otherwise, and
    403 for a user who sees the school but may not manage it."""
    wave = get_object_or_404(Wave, pk=wave_id)
    school = access.school_for(request, urn)
    if manage and not access.can_manage_school(api_user(request), school):
        raise HttpError(403, "your role may not submit responses for this school")
    if not Participation.objects.filter(wave=wave, school=school).exists():
        raise Http404
    return wave, school


@router.get("/waves", response={200: list[WaveOut], **ERRORS})
def list_waves(request: HttpRequest) -> list[WaveOut]:
    """Waves the token's user can see, each with the user's schools taking part in it."""
    user = api_user(request)
    visible = {school.pk: school for school in access.visible_schools(user)}
    waves = Wave.objects.prefetch_related("participations")
    out = []
    for wave in waves:
        mine = [visible[p.school_id] for p in wave.participations.all() if p.school_id in visible]
        if not mine and not access.can_see_global(user):
            continue
        out.append(
            WaveOut(
                id=wave.pk,
                name=wave.name,
                instrument_id=wave.instrument_id,
                instrument_version=wave.instrument_version,
                season=wave.season,
                opens=wave.opens,
                closes=wave.closes,
                is_open=wave.is_open(),
                schools=[
                    SchoolRef(urn=s.urn, name=s.name, trust_id=s.trust_id)
                    for s in sorted(mine, key=lambda s: s.name)
                ],
            )
        )
    return out


@router.get("/waves/{wave_id}/schools/{urn}/results", response={200: SchoolDashboard, **ERRORS})
def school_results(request: HttpRequest, wave_id: int, urn: str) -> SchoolDashboard:
    """A school's results (every figure about fewer than the minimum group size withheld)."""
    wave, school = _wave_school(request, wave_id, urn)
    return school_payload(wave, school)


@router.get("/waves/{wave_id}/trusts/{trust_id}/results", response={200: TrustDashboard, **ERRORS})
def trust_results(request: HttpRequest, wave_id: int, trust_id: int) -> TrustDashboard:
    """A trust's results: its schools side by side."""
    wave = get_object_or_404(Wave, pk=wave_id)
    trust = access.trust_for(request, trust_id)
    return trust_payload(wave, trust)


@router.get("/waves/{wave_id}/global", response={200: GlobalTables, **ERRORS})
def global_results(request: HttpRequest, wave_id: int) -> GlobalTables:
    """The wave's global tables, for researchers and platform admins."""
    if not access.can_see_global(api_user(request)):
        raise HttpError(403, "your role does not see the global tables")
    wave = get_object_or_404(Wave, pk=wave_id)
    return global_payload(wave)


@router.get(
    "/waves/{wave_id}/schools/{urn}/over-time", response={200: SchoolOverTimeDashboard, **ERRORS}
)
def school_over_time_results(
    request: HttpRequest, wave_id: int, urn: str
) -> SchoolOverTimeDashboard:
    """A school's figures over the waves of the series ending at this wave: each score wave
    by wave, the changes between waves (with the smallest detectable change) and the trends.
    The school need not have taken part in this wave itself."""
    wave = get_object_or_404(Wave, pk=wave_id)
    school = access.school_for(request, urn)
    return school_over_time(wave, school)


@router.get(
    "/waves/{wave_id}/trusts/{trust_id}/over-time", response={200: TrustOverTimeDashboard, **ERRORS}
)
def trust_over_time_results(
    request: HttpRequest, wave_id: int, trust_id: int
) -> TrustOverTimeDashboard:
    """A trust's own figures over the series, each school's latest change and how many of
    its schools changed clearly."""
    wave = get_object_or_404(Wave, pk=wave_id)
    trust = access.trust_for(request, trust_id)
    return trust_over_time(wave, trust)


@router.get("/waves/{wave_id}/global/over-time", response={200: GlobalOverTimeDashboard, **ERRORS})
def global_over_time_results(request: HttpRequest, wave_id: int) -> GlobalOverTimeDashboard:
    """Every school together over the series, and the key-stage decline in each wave (for
    researchers and platform admins)."""
    if not access.can_see_global(api_user(request)):
        raise HttpError(403, "your role does not see the global figures")
    wave = get_object_or_404(Wave, pk=wave_id)
    return global_over_time(wave)


@router.post(
    "/waves/{wave_id}/schools/{urn}/responses",
    response={201: SubmissionOut, 200: SubmissionOut, 400: ErrorOut, **ERRORS},
)
def submit_response(
    request: HttpRequest, wave_id: int, urn: str, body: SubmissionIn
) -> Status[SubmissionOut]:
    """Store one pupil's answers from another system (a MIS or a survey tool).

    201 stored, 200 already stored (a retry with the same key changes nothing), 400 the
    answers cannot be stored (the message says why), 404 the school is not in the wave."""
    wave, school = _wave_school(request, wave_id, urn, manage=True)
    if not wave.is_open():
        raise HttpError(400, "the wave is not open for responses")
    language = stored_language(wave.instrument(), body.language)
    if language is None:
        raise HttpError(400, "language: not one of this survey's languages")
    try:
        submitted = do_submit_response(
            wave,
            school,
            key=body.key,
            answers=body.answers,
            year_group=body.year_group,
            key_stage=body.key_stage,
            gender=body.gender,
            role=body.role,
            language=language,
            source=Response.Source.API,
        )
    except SubmissionError as exc:
        raise HttpError(400, str(exc)) from None
    if submitted.created:
        return Status(201, SubmissionOut(status="stored"))
    return Status(200, SubmissionOut(status="already_stored"))
