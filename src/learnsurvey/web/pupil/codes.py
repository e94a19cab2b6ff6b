"""Access codes: list, create, switch off (after a confirmation) and on again, and a
printable sheet.

Pupils' codes and staff codes (the codes of a staff survey, ``Wave.pupil_wave`` set) are
listed in separate sections and printed on the same kind of sheet; both expire with their
wave and share the journey's rate limits.

Teachers run the survey in class: they see their school's codes and print them, and get 403
for creating codes or switching them. Everything else is for the school's leaders (and its
trust's leaders, and platform admins); researchers and other schools get 404.
"""

from __future__ import annotations

from dataclasses import dataclass

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learnsurvey.web.accounts.access import can_manage_school, current_user, school_for
from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.actions import (
    do_activate_access_code,
    do_create_access_codes,
    do_deactivate_access_code,
)
from learnsurvey.web.waves.models import STAFF_INSTRUMENT_ID, AccessCode, Wave

from .forms import AccessCodeForm, StaffAccessCodeForm


def _waves(school: School) -> list[Wave]:
    """The waves the school takes part in, and the staff surveys accompanying them."""
    return list(
        Wave.objects.filter(
            Q(participations__school=school)
            | Q(instrument_id=STAFF_INSTRUMENT_ID, pupil_wave__participations__school=school)
        )
        .distinct()
        .order_by("-opens", "name")
    )


@dataclass(frozen=True)
class CodeSection:
    """The pupils' or the staff's codes: the waves with their codes, and a form for more."""

    staff: bool
    by_wave: list[tuple[Wave, list[AccessCode]]]
    form: AccessCodeForm | StaffAccessCodeForm
    can_create: bool


def pupil_link(code: AccessCode) -> str:
    return f"{settings.SITE_ROOT.rstrip('/')}/s/{code.code}/"


def qr_svg(link: str) -> SafeString:
    """The link as a QR code, inline SVG drawn on the server (no third-party service)."""
    qr = segno.make(link, error="m")
    svg = qr.svg_inline(scale=5, border=2, dark="#000", light="#fff", omitsize=False)
    # segno escapes nothing user-written here: the link is built from our own settings.
    return mark_safe(svg)


@login_required
@require_http_methods(["GET", "POST"])
def code_list(request: HttpRequest, urn: str) -> HttpResponse:
    """The school's pupil codes and staff codes, by wave, in two sections, each with a form
    to create more for a wave it takes part in (the staff form posts with prefix ``staff``).
    A teacher sees and prints the codes; creating them is for leaders (403)."""
    school = school_for(request, urn)
    manages = can_manage_school(current_user(request), school)
    if request.method == "POST" and not manages:
        raise PermissionDenied
    waves = _waves(school)
    # Codes can be prepared before a wave opens; they work only while it is open.
    open_waves = [w for w in waves if w.closes >= timezone.localdate()]
    posted_staff = request.method == "POST" and any(k.startswith("staff-") for k in request.POST)
    pupil_form = AccessCodeForm(
        request.POST if request.method == "POST" and not posted_staff else None,
        waves=[w for w in open_waves if not w.is_staff],
    )
    staff_form = StaffAccessCodeForm(
        request.POST if posted_staff else None, waves=[w for w in open_waves if w.is_staff]
    )
    form = staff_form if posted_staff else pupil_form
    if request.method == "POST" and form.is_valid():
        created = do_create_access_codes(form.cleaned_data["wave"], school, form.specs())
        messages.success(
            request,
            ngettext("Created %(n)d access code.", "Created %(n)d access codes.", len(created))
            % {"n": len(created)},
        )
        return redirect("pupil:codes", urn=school.urn)
    codes = list(AccessCode.objects.filter(school=school).select_related("wave"))
    sections = [
        CodeSection(
            staff=staff,
            by_wave=[
                (wave, [c for c in codes if c.wave_id == wave.pk])
                for wave in waves
                if wave.is_staff == staff
            ],
            form=staff_form if staff else pupil_form,
            can_create=manages and any(w.is_staff == staff for w in open_waves),
        )
        for staff in (False, True)
    ]
    return render(
        request,
        "pupil/codes/list.html",
        {"school": school, "sections": sections, "manages": manages},
        status=400 if form.errors else 200,
    )


def _managed_code(request: HttpRequest, urn: str, pk: int) -> tuple[School, AccessCode]:
    """A code of a school the user manages: 403 for its teachers, 404 for anyone else."""
    school = school_for(request, urn)
    if not can_manage_school(current_user(request), school):
        raise PermissionDenied
    return school, get_object_or_404(
        AccessCode.objects.select_related("wave"), pk=pk, school=school
    )


@login_required
@require_http_methods(["GET", "POST"])
def deactivate_code(request: HttpRequest, urn: str, pk: int) -> HttpResponse:
    """Switch a code off, after a confirmation page (GET): pupils in class may be using it."""
    school, code = _managed_code(request, urn, pk)
    if request.method == "GET":
        return render(request, "pupil/codes/deactivate.html", {"school": school, "code": code})
    do_deactivate_access_code(code)
    messages.success(
        request,
        (
            _("Code %(code)s is switched off. Staff can no longer use it.")
            if code.wave.is_staff
            else _("Code %(code)s is switched off. Pupils can no longer use it.")
        )
        % {"code": code},
    )
    return redirect("pupil:codes", urn=school.urn)


@login_required
@require_POST
def activate_code(request: HttpRequest, urn: str, pk: int) -> HttpResponse:
    """Switch a code back on (it works again while its wave is open)."""
    school, code = _managed_code(request, urn, pk)
    do_activate_access_code(code)
    messages.success(request, _("Code %(code)s is switched on again.") % {"code": code})
    return redirect("pupil:codes", urn=school.urn)


@login_required
@require_GET
def code_sheet(request: HttpRequest, urn: str) -> HttpResponse:
    """A printable sheet: per active code a card with the code, its link and a QR code
    (teachers print it too)."""
    school = school_for(request, urn)
    codes = AccessCode.objects.filter(school=school, active=True).select_related("wave")
    wave_id = request.GET.get("wave", "")
    if wave_id:
        if not wave_id.isdigit():
            raise Http404
        codes = codes.filter(wave_id=int(wave_id))
    one = request.GET.get("code", "")
    if one:
        if not one.isdigit():
            raise Http404
        codes = codes.filter(pk=int(one))
    cards = [(code, pupil_link(code), qr_svg(pupil_link(code))) for code in codes]
    if (wave_id or one) and not cards:
        raise Http404
    context = {
        "school": school,
        "cards": cards,
        "start_url": settings.SITE_ROOT.rstrip("/") + "/",
        "any_pupil": any(not code.wave.is_staff for code, _l, _q in cards),
        "any_staff": any(code.wave.is_staff for code, _l, _q in cards),
    }
    return render(request, "pupil/codes/sheet.html", context)
