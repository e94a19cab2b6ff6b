"""The platform admins' upload page for schools' context by year and outcome measures."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from learnsurvey.web.accounts.access import require_admin
from learnsurvey.web.waves.forms import UploadForm

from .imports import CONTEXT_FIELDS, ImportRejected, do_import_outcomes


@login_required
@require_http_methods(["GET", "POST"])
def import_outcomes(request: HttpRequest) -> HttpResponse:
    """Platform admins upload a context or an outcomes CSV (docs/outcomes-import.md); all
    rows or none."""
    require_admin(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form, "context_fields": ", ".join(CONTEXT_FIELDS)}
    if request.method == "POST" and form.is_valid():
        upload: UploadedFile[bytes] = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
            context["result"] = do_import_outcomes(text)
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text. Save it as CSV UTF-8."))
        except ImportRejected as rejected:
            context["rejected"] = rejected
    return render(request, "schools/import_outcomes.html", context)
