"""The schools' context and outcomes in the JSON API (mounted under /api/v1/ by ``api.v1``).

The same access rules as the results endpoints (:mod:`learnsurvey.web.api.v1`): learning
beside outcomes over every school is for researchers and platform admins (403 for any other
role); a school's own standing on its outcome measures is for whoever sees the school's
results (404 for another school, or a school not in the wave).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.errors import HttpError

from learnsurvey.web.accounts import access
from learnsurvey.web.api.auth import api_user
from learnsurvey.web.api.schemas import ErrorOut
from learnsurvey.web.api.v1 import _wave_school
from learnsurvey.web.dashboards.outcomes_payloads import (
    GlobalOutcomes,
    SchoolOutcomes,
    global_outcomes,
    school_outcomes,
)
from learnsurvey.web.waves.models import Wave

router = Router(tags=["v1"])
ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


@router.get("/waves/{wave_id}/global/outcomes", response={200: GlobalOutcomes, **ERRORS})
def global_outcome_results(request: HttpRequest, wave_id: int) -> GlobalOutcomes:
    """Learning beside outcomes over every school of the wave: for each outcome measure, the
    correlation of each score with it across schools (Pearson's r with its Fisher-z 95% CI),
    the binned scatter (groups of schools, never one school), and the scores by inspection
    rating. For researchers and platform admins."""
    if not access.can_see_global(api_user(request)):
        raise HttpError(403, "your role does not see the global figures")
    wave = get_object_or_404(Wave, pk=wave_id)
    return global_outcomes(wave)


@router.get("/waves/{wave_id}/schools/{urn}/outcomes", response={200: SchoolOutcomes, **ERRORS})
def school_outcome_results(request: HttpRequest, wave_id: int, urn: str) -> SchoolOutcomes:
    """Where a school stands on each outcome measure: its own value in the measure's latest
    year and the share of the wave's other schools with a lower value."""
    wave, school = _wave_school(request, wave_id, urn)
    return school_outcomes(wave, school)
