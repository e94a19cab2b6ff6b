"""Joining a wave (public registration) and the platform admins' import pages."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from learnsurvey.web.accounts.access import current_user, require_admin
from learnsurvey.web.pupil import ratelimit

from .forms import RegistrationForm, UploadForm
from .imports import ImportRejected, do_import_responses, do_import_schools
from .models import Registration, Wave
from .registrations import (
    RegistrationRefused,
    claimed,
    do_confirm_registration,
    do_refuse_registration,
    do_register,
    registration_is_open,
)

RESPONSE_SUFFIXES = (".csv", ".xlsx", ".parquet")


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, wave_id: int) -> HttpResponse:
    """A school or a trust asks for a place in the wave; a platform admin decides later."""
    wave = get_object_or_404(Wave, pk=wave_id)
    if not registration_is_open(wave):
        return render(request, "waves/register_closed.html", {"wave": wave})
    form = RegistrationForm(request.POST or None, wave_id=wave.pk)
    if request.method == "POST" and form.is_valid():
        if ratelimit.registration_wait(ratelimit.network_id(request)):
            form.add_error(
                None, _("Too many registrations have come from your network. Try again in an hour.")
            )
            return render(request, "waves/register.html", {"wave": wave, "form": form}, status=429)
        try:
            do_register(wave, **form.registration_fields())
        except RegistrationRefused:
            return render(request, "waves/register_closed.html", {"wave": wave})
        return redirect("waves:registered", wave_id=wave.pk)
    return render(request, "waves/register.html", {"wave": wave, "form": form})


def registered(request: HttpRequest, wave_id: int) -> HttpResponse:
    """The thank-you page after a registration."""
    wave = get_object_or_404(Wave, pk=wave_id)
    return render(request, "waves/registered.html", {"wave": wave})


@login_required
@require_http_methods(["GET", "POST"])
def confirm_registration(request: HttpRequest, pk: int) -> HttpResponse:
    """A known leader of the school or trust a registration names says whether its contact
    belongs (POST ``decision``: ``confirm`` or ``refuse``). Anyone else gets a 404: the page
    tells nobody else that the registration exists."""
    reg = get_object_or_404(Registration.objects.select_related("wave"), pk=pk)
    user = current_user(request)
    claim = claimed(reg)
    if user.pk not in {u.pk for u in claim.leaders}:
        raise Http404
    if reg.status != Registration.Status.CONFIRMING:
        return render(request, "waves/confirm_registration.html", {"reg": reg, "decided": True})
    if request.method == "POST":
        decision = request.POST.get("decision")
        try:
            if decision == "confirm":
                do_confirm_registration(reg, user)
                messages.success(
                    request,
                    _("Confirmed. %(name)s is invited by email to set up an account.")
                    % {"name": reg.contact_name},
                )
            elif decision == "refuse":
                do_refuse_registration(reg, user)
                messages.success(request, _("Refused. Nothing was given to them."))
            else:
                return render(
                    request,
                    "waves/confirm_registration.html",
                    {"reg": reg, "claim": claim, "error": _("Choose whether they belong.")},
                    status=400,
                )
        except RegistrationRefused as refused:
            messages.error(request, str(refused))
        return redirect("dashboards:home")
    return render(request, "waves/confirm_registration.html", {"reg": reg, "claim": claim})


@login_required
@require_http_methods(["GET", "POST"])
def import_schools(request: HttpRequest) -> HttpResponse:
    """Platform admins upload a schools CSV (docs/data-format.md); all rows or none."""
    require_admin(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload: UploadedFile[bytes] = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
            context["result"] = do_import_schools(text)
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text. Save it as CSV UTF-8."))
        except ImportRejected as rejected:
            context["rejected"] = rejected
    return render(request, "waves/import_schools.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def import_responses(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Platform admins upload responses collected elsewhere (CSV, XLSX or Parquet)."""
    require_admin(request)
    wave = get_object_or_404(Wave, pk=wave_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form, "wave": wave}
    if request.method == "POST" and form.is_valid():
        upload: UploadedFile[bytes] = form.cleaned_data["file"]
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in RESPONSE_SUFFIXES:
            form.add_error("file", _("Upload a .csv, .xlsx or .parquet file."))
        else:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"upload{suffix}"
                with path.open("wb") as fh:
                    for piece in upload.chunks():
                        fh.write(piece)
                try:
                    context["result"] = do_import_responses(wave, path)
                except ImportRejected as rejected:
                    context["rejected"] = rejected
    return render(request, "waves/import_responses.html", context)
