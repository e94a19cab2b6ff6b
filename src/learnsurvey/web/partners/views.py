"""The partner pages: a school's partner page (open to requests or not, requests received and
sent), the suggestions for one dimension, the request form, and accepting or declining.

Small views over :mod:`.actions` (every change) and :mod:`.present` (the suggestions in
words). Only a school's leaders (its school leaders, its trust's leaders, platform admins)
open them: teachers and researchers get 403, anyone else 404 for another school's page. A
school that is not open to partners is 404 wherever another school would name it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from learnsurvey.instruments import Instrument
from learnsurvey.web.accounts.access import current_user, school_for
from learnsurvey.web.dashboards.named import Names
from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.models import STAFF_INSTRUMENT_ID, Wave, _instrument

from .actions import (
    PartnerError,
    do_accept_request,
    do_decline_request,
    do_send_request,
    do_set_open,
    is_open_to_partners,
    may_use_partners,
    open_school_urns,
)
from .forms import OpenForm, RequestForm
from .models import PartnerOptIn, PartnerRequest
from .present import latest_computed_wave, partner_suggestions

if TYPE_CHECKING:
    from learnsurvey.web.accounts.models import User

__all__ = [
    "accept_request",
    "decline_request",
    "partner_school",
    "school_partners",
    "send_request",
    "set_open",
    "suggestions",
]


def partner_school(request: HttpRequest, urn: str) -> School:
    """The school whose partner pages the user opens: 403 for a role that never sees them
    (teachers, researchers), 404 for a school the user may not manage."""
    if not may_use_partners(current_user(request)):
        raise PermissionDenied
    return school_for(request, urn, manage=True)


def _instrument_for(school: School) -> Instrument | None:
    """The instrument of the school's latest pupil wave (computed or not)."""
    computed = latest_computed_wave(school)
    if computed is not None:
        return computed[0].instrument()
    wave = (
        Wave.objects.filter(participations__school=school)
        .exclude(instrument_id=STAFF_INSTRUMENT_ID)
        .order_by("-opens", "-pk")
        .first()
    )
    return wave.instrument() if wave is not None else None


@dataclass(frozen=True)
class Row:
    """A request as one school's page lists it."""

    r: PartnerRequest
    other: str
    """The other school's name (hidden for a school asked that is no longer open)."""
    dimension: str
    contacts: list[tuple[str, str]]
    """(school, address) of both sides once accepted; empty otherwise."""


def _dimension_name(r: PartnerRequest) -> str:
    try:
        return Names(_instrument(r.instrument_id)).dimension_or_id(r.dimension)
    except ValueError:
        return r.dimension.replace("_", " ")


def _contacts(r: PartnerRequest) -> list[tuple[str, str]]:
    if not r.is_accepted:
        return []
    found = []
    if r.from_user is not None and r.from_user.email:
        found.append((r.from_school.name, r.from_user.email))
    if r.decided_by is not None and r.decided_by.email:
        found.append((r.to_school.name, r.decided_by.email))
    return found


def _rows(school: School) -> tuple[list[Row], list[Row]]:
    """The requests the school received and those it sent, newest first."""
    related = ("from_school", "to_school", "from_user", "decided_by")
    received = PartnerRequest.objects.filter(to_school=school).select_related(*related)
    sent = PartnerRequest.objects.filter(from_school=school).select_related(*related)
    still_open = open_school_urns()
    hidden = _("A school no longer open to partners")
    return (
        [Row(r, r.from_school.name, _dimension_name(r), _contacts(r)) for r in received],
        [
            Row(
                r,
                r.to_school.name if r.is_accepted or r.to_school.urn in still_open else hidden,
                _dimension_name(r),
                _contacts(r),
            )
            for r in sent
        ],
    )


@login_required
def school_partners(request: HttpRequest, urn: str) -> HttpResponse:
    """The school's partner page: whether it can be found, the dimensions to find partners
    for, and the requests it received and sent."""
    school = partner_school(request, urn)
    opt_in = PartnerOptIn.objects.filter(school=school).select_related("changed_by").first()
    instrument = _instrument_for(school)
    names = Names(instrument) if instrument is not None else None
    received, sent = _rows(school)
    context = {
        "school": school,
        "opt_in": opt_in,
        "is_open": opt_in is not None and opt_in.open,
        "dimensions": [(d, names.dimension(d)) for d in instrument.dimension_ids]
        if instrument is not None and names is not None
        else [],
        "received": received,
        "sent": sent,
    }
    return render(request, "partners/school.html", context)


@login_required
@require_POST
def set_open(request: HttpRequest, urn: str) -> HttpResponse:
    """Open the school to partner requests, or close it."""
    school = partner_school(request, urn)
    form = OpenForm(request.POST)
    if not form.is_valid():
        raise Http404
    is_open = bool(form.cleaned_data["open"])
    do_set_open(current_user(request), school, open=is_open)
    messages.success(
        request,
        _("Other schools can now find your school as a partner.")
        if is_open
        else _("Your school is no longer found as a partner; unanswered requests were closed."),
    )
    return redirect("partners:school", urn=school.urn)


def _chosen_dimension(request: HttpRequest, instrument: Instrument | None) -> str | None:
    dimension = request.GET.get("dimension") or request.POST.get("dimension")
    if instrument is None or dimension not in instrument.dimension_ids:
        return None
    return dimension


@login_required
def suggestions(request: HttpRequest, urn: str) -> HttpResponse:
    """Up to five schools open to partners, strong in one dimension (``?dimension=``) and
    similar in context, from the school's latest computed wave."""
    school = partner_school(request, urn)
    computed = latest_computed_wave(school)
    instrument = computed[0].instrument() if computed is not None else _instrument_for(school)
    dimension = _chosen_dimension(request, instrument)
    names = Names(instrument) if instrument is not None else None
    partners = []
    if computed is not None and dimension is not None:
        partners = partner_suggestions(school, dimension, *computed)
    asked = set(
        PartnerRequest.objects.filter(
            from_school=school, dimension=dimension, status=PartnerRequest.Status.OPEN
        ).values_list("to_school__urn", flat=True)
    )
    context: dict[str, Any] = {
        "school": school,
        "wave": computed[0] if computed is not None else None,
        "dimension": dimension,
        "dimension_name": names.dimension(dimension) if names and dimension else "",
        "dimensions": [(d, names.dimension(d)) for d in instrument.dimension_ids]
        if instrument is not None and names is not None
        else [],
        "partners": [(p, p.school.urn in asked) for p in partners],
        "is_open": is_open_to_partners(school),
    }
    bad = dimension is None and "dimension" in request.GET
    context["bad_dimension"] = bad
    return render(request, "partners/suggestions.html", context, status=400 if bad else 200)


@login_required
@require_http_methods(["GET", "POST"])
def send_request(request: HttpRequest, urn: str, to_urn: str) -> HttpResponse:
    """Ask a school open to partners to partner on one dimension, with a short message."""
    school = partner_school(request, urn)
    to_school = get_object_or_404(School, urn=to_urn)
    if to_school.pk == school.pk or not is_open_to_partners(to_school):
        raise Http404  # nothing about a school that is not open is shown
    instrument = _instrument_for(school)
    dimension = _chosen_dimension(request, instrument)
    if dimension is None or instrument is None:
        raise Http404
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_send_request(
                current_user(request),
                school,
                to_school,
                dimension=dimension,
                message=form.cleaned_data["message"],
                instrument_id=instrument.id,
            )
        except PartnerError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(
                request,
                _("Request sent to %(school)s. You will see their answer here.")
                % {"school": to_school.name},
            )
            return redirect("partners:school", urn=school.urn)
    context = {
        "school": school,
        "to_school": to_school,
        "dimension": dimension,
        "dimension_name": Names(instrument).dimension(dimension),
        "form": form,
    }
    return render(request, "partners/request_form.html", context)


def _answer(
    request: HttpRequest,
    urn: str,
    pk: int,
    do: Callable[[User, PartnerRequest], object],
    done: Callable[[PartnerRequest], str],
) -> HttpResponse:
    """Answer a request the school received with ``do``; say ``done`` or why it could not
    be answered, back on the school's partner page."""
    school = partner_school(request, urn)
    found = get_object_or_404(
        PartnerRequest.objects.select_related("from_school", "to_school"),
        pk=pk,
        to_school=school,
    )
    try:
        do(current_user(request), found)
    except PartnerError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done(found))
    return redirect("partners:school", urn=urn)


@login_required
@require_POST
def accept_request(request: HttpRequest, urn: str, pk: int) -> HttpResponse:
    """Accept a request: both schools see both contact addresses."""
    return _answer(
        request,
        urn,
        pk,
        do_accept_request,
        lambda found: (
            _("Accepted. %(school)s can now see your email address, and you theirs.")
            % {"school": found.from_school.name}
        ),
    )


@login_required
@require_POST
def decline_request(request: HttpRequest, urn: str, pk: int) -> HttpResponse:
    """Decline a request: nothing about either side's contact is shared."""
    return _answer(
        request,
        urn,
        pk,
        do_decline_request,
        lambda _found: _("Declined. Nothing about your school's contact is shared."),
    )
