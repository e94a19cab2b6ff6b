"""The reports on the platform: each report's page (read it on the web, or ask for the
PDF), the report itself as a web page, the background run's status page and its downloads.

Who may see what is decided by :mod:`learnsurvey.web.accounts.access`, as for the
dashboards: another school's or trust's report is 404, a kind of report the role never
sees is 403, and signing in comes first.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learnsurvey.reports.charts import vega_bundle
from learnsurvey.web.accounts.access import (
    can_see_global,
    can_see_school,
    can_see_trust,
    current_user,
    require_admin,
    require_global,
    school_for,
    trust_for,
)
from learnsurvey.web.accounts.models import User
from learnsurvey.web.schools.models import School, Trust
from learnsurvey.web.waves.models import Wave

from .csp import allow_report_scripts
from .models import ReportPage, ReportRun
from .pages import current_page
from .tasks import make_report

VEGA_MAX_AGE = 86_400  # the bundle changes only with the installed vl-convert
RUNS_SHOWN = 5


# --- the report pages: read on the web, or ask for the PDF -------------------------------


def _request_run(request: HttpRequest, wave: Wave, kind: str, target: str) -> HttpResponse:
    run = ReportRun.objects.create(
        kind=kind, wave=wave, target=target, requested_by=current_user(request)
    )
    # Runs at once with the immediate backend; a queue backend's worker picks it up and the
    # status page polls until it is done.
    make_report.enqueue(run.pk)
    return redirect("reports:run", run_id=run.pk)


def _report_page(
    request: HttpRequest,
    wave: Wave,
    kind: str,
    target: str,
    name: str,
    view_url: str,
) -> HttpResponse:
    runs = ReportRun.objects.filter(
        wave=wave, kind=kind, target=target, requested_by=current_user(request)
    )[:RUNS_SHOWN]
    return render(
        request,
        "reports/report.html",
        {
            "wave": wave,
            "kind_label": ReportRun.Kind(kind).label,
            "name": name,
            "view_url": view_url,
            "runs": runs,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def school_report(request: HttpRequest, wave_id: int, urn: str) -> HttpResponse:
    """GET: the school report's page; POST: make its PDF in the background."""
    school = school_for(request, urn)
    wave = get_object_or_404(Wave, pk=wave_id)
    if request.method == "POST":
        return _request_run(request, wave, ReportRun.Kind.SCHOOL, school.urn)
    view_url = reverse("reports:school_view", args=[wave.pk, school.urn])
    return _report_page(request, wave, ReportRun.Kind.SCHOOL, school.urn, school.name, view_url)


@login_required
@require_http_methods(["GET", "POST"])
def trust_report(request: HttpRequest, wave_id: int, trust_id: int) -> HttpResponse:
    """GET: the trust report's page; POST: make its PDF in the background."""
    trust = trust_for(request, trust_id)
    wave = get_object_or_404(Wave, pk=wave_id)
    if request.method == "POST":
        return _request_run(request, wave, ReportRun.Kind.TRUST, str(trust.pk))
    view_url = reverse("reports:trust_view", args=[wave.pk, trust.pk])
    return _report_page(request, wave, ReportRun.Kind.TRUST, str(trust.pk), trust.name, view_url)


@login_required
@require_http_methods(["GET", "POST"])
def global_report(request: HttpRequest, wave_id: int) -> HttpResponse:
    """GET: the global report's page; POST: make its PDF in the background."""
    require_global(request)
    wave = get_object_or_404(Wave, pk=wave_id)
    if request.method == "POST":
        return _request_run(request, wave, ReportRun.Kind.GLOBAL, "")
    view_url = reverse("reports:global_view", args=[wave.pk])
    return _report_page(request, wave, ReportRun.Kind.GLOBAL, "", wave.name, view_url)


@login_required
@require_POST
def all_schools_report(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Every school's PDF, zipped (platform admins: the reports name every school)."""
    require_admin(request)
    wave = get_object_or_404(Wave, pk=wave_id)
    return _request_run(request, wave, ReportRun.Kind.ALL_SCHOOLS, "")


# --- the reports as web pages --------------------------------------------------------------


def _web(request: HttpRequest, wave: Wave, name: str, kind: str, target: str) -> HttpResponse:
    """The report's web page as last built (:mod:`.pages`: a whole document, its landmarks,
    styles and cover) in the reader's language; while it is first being built, a page that
    says so and comes back by itself; when it cannot be made (no responses yet, or too few),
    a page that says so about ``name`` — never how many."""
    language = get_language() or settings.LANGUAGE_CODE
    page = current_page(wave, kind, target, language)
    if page is None:
        return render(request, "reports/preparing.html", {"wave": wave, "name": name})
    if not page.available:
        return render(
            request,
            "reports/unavailable.html",
            {"wave": wave, "name": name, "threshold": settings.MIN_GROUP_SIZE},
            status=404,
        )
    return allow_report_scripts(HttpResponse(page.html), page.html)


@login_required
@require_GET
def school_view(request: HttpRequest, wave_id: int, urn: str) -> HttpResponse:
    school = school_for(request, urn)
    wave = get_object_or_404(Wave, pk=wave_id)
    return _web(request, wave, school.name, ReportPage.Kind.SCHOOL, school.urn)


@login_required
@require_GET
def trust_view(request: HttpRequest, wave_id: int, trust_id: int) -> HttpResponse:
    trust = trust_for(request, trust_id)
    wave = get_object_or_404(Wave, pk=wave_id)
    return _web(request, wave, trust.name, ReportPage.Kind.TRUST, str(trust.pk))


@login_required
@require_GET
def global_view(request: HttpRequest, wave_id: int) -> HttpResponse:
    require_global(request)
    wave = get_object_or_404(Wave, pk=wave_id)
    return _web(request, wave, wave.name, ReportPage.Kind.GLOBAL, "")


@require_GET
def vega(request: HttpRequest, run_id: int | None = None) -> HttpResponse:
    """Vega, Vega-Lite and vega-embed in one script, served from the platform itself (the
    same file for every reader, so it may be cached anywhere)."""
    response = HttpResponse(vega_bundle(), content_type="application/javascript")
    response["Cache-Control"] = f"public, max-age={VEGA_MAX_AGE}"
    return response


# --- runs: status and downloads ------------------------------------------------------------


def may_see_run(user: User, run: ReportRun) -> bool:
    """Whether ``user`` may see ``run``'s files: whoever may see its school, trust or the
    global tables now (so a requester who has since lost access loses the files too)."""
    if run.kind == ReportRun.Kind.SCHOOL:
        school = School.objects.filter(urn=run.target).first()
        return school is not None and can_see_school(user, school)
    if run.kind == ReportRun.Kind.TRUST:
        trust = Trust.objects.filter(pk=int(run.target)).first() if run.target.isdigit() else None
        return trust is not None and can_see_trust(user, trust)
    if run.kind == ReportRun.Kind.GLOBAL:
        return can_see_global(user)
    return user.is_platform_admin


def _run_for(request: HttpRequest, run_id: int) -> ReportRun:
    run = get_object_or_404(ReportRun.objects.select_related("wave"), pk=run_id)
    if not may_see_run(current_user(request), run):
        raise Http404
    return run


@login_required
@require_GET
def run_status(request: HttpRequest, run_id: int) -> HttpResponse:
    """How the run is going; the download links once its files are ready."""
    run = _run_for(request, run_id)
    return render(request, "reports/run.html", {"run": run, "name": _target_name(run)})


def _target_name(run: ReportRun) -> str:
    if run.kind == ReportRun.Kind.SCHOOL:
        school = School.objects.filter(urn=run.target).first()
        return school.name if school is not None else run.target
    if run.kind == ReportRun.Kind.TRUST:
        trust = Trust.objects.filter(pk=int(run.target)).first() if run.target.isdigit() else None
        return trust.name if trust is not None else run.target
    return run.wave.name


def _file(run: ReportRun, stored: str) -> Path:
    """A stored file of ``run``, only if it lies in the run's own folder."""
    if run.status != ReportRun.Status.DONE or not stored:
        raise Http404
    path = Path(stored).resolve()
    if not path.is_relative_to(run.folder().resolve()) or not path.is_file():
        raise Http404
    return path


@login_required
@require_GET
def download_pdf(request: HttpRequest, run_id: int) -> FileResponse:
    run = _run_for(request, run_id)
    path = _file(run, run.pdf_file)
    if path.suffix == ".zip":
        raise Http404  # every school's PDFs: report.zip
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type="application/pdf"
    )


@login_required
@require_GET
def download_zip(request: HttpRequest, run_id: int) -> FileResponse:
    run = _run_for(request, run_id)
    path = _file(run, run.pdf_file)
    if path.suffix != ".zip":
        raise Http404
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type="application/zip"
    )


@login_required
@require_GET
def open_html(request: HttpRequest, run_id: int) -> FileResponse:
    """The standalone HTML file, shown in the browser (its script comes from the platform:
    ``assets/vega.js`` beside it resolves to :func:`vega`)."""
    run = _run_for(request, run_id)
    path = _file(run, run.html_file)
    response = FileResponse(
        path.open("rb"), filename=path.name, content_type="text/html; charset=utf-8"
    )
    return allow_report_scripts(response, path.read_text(encoding="utf-8"))
