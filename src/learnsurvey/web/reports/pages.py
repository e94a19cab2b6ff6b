"""The reports' web pages, built once per change of a wave's data and kept
(:class:`~.models.ReportPage`), so that opening one reads a row instead of building the
report (seconds for a big wave).

The worker builds every school's, trust's and the global page in the platform's language
after it recomputes the wave's figures (:func:`request_report_pages`, when
``PREBUILD_REPORT_PAGES`` is on); a page asked for in another language, or after the data
moved on, is built by a task on first request (:func:`current_page`) while the page last
built is shown. Pages are marked with :func:`stamp`: what they were built from.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import caches
from django.db.models import Count, Max
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from learnsurvey.web.schools.models import Trust
from learnsurvey.web.waves.models import Wave

from .models import ReportPage
from .prepared import prepared
from .sources import inputs_version

__all__ = [
    "build_page",
    "build_report_page",
    "build_report_pages",
    "current_page",
    "request_report_pages",
    "stamp",
]

logger = logging.getLogger(__name__)

PAGE_FORMAT = 1
"""Raised when what a stored page holds changes (pages of another format are rebuilt)."""
PENDING_SECONDS = 10 * 60
"""How long a page counts as being built without its task finishing (a dead worker's task
does not stop the next request from asking again)."""
Kind = ReportPage.Kind


def plans_version() -> tuple[object, ...]:
    """What the schools' and trusts' plans in the reports depend on, cheaply: how many
    priorities and actions there are and when one last changed."""
    from learnsurvey.web.improvement.models import Action, Priority, TrustPriority

    parts: list[object] = []
    for model in (Priority, Action, TrustPriority):
        found = model.objects.aggregate(n=Count("pk"), last=Max("updated"))
        parts += [found["n"], found["last"].isoformat() if found["last"] else ""]
    return tuple(parts)


def stamp(wave: Wave) -> str:
    """What a page of ``wave`` built now is built from: the wave's inputs' version, the
    plans' and the page format (equal stamps: equal pages)."""
    source = repr((PAGE_FORMAT, inputs_version(wave), plans_version()))
    return hashlib.sha256(source.encode()).hexdigest()


def _render(wave: Wave, kind: str, target: str) -> str:
    """The page's HTML in the active language; ValueError when the report cannot be made."""
    from learnsurvey.reports.global_ import render_global_report
    from learnsurvey.reports.school import render_school_report
    from learnsurvey.reports.trust import render_trust_report

    ready = prepared(wave)
    lang = translation.get_language() or settings.LANGUAGE_CODE
    vega = reverse("reports:vega")
    if kind == Kind.SCHOOL:
        school = ready.schools().build(target)
        return render_school_report(
            school, mode="web", lang=lang, gettext=gettext, ngettext=ngettext, vega_src=vega
        )
    if kind == Kind.TRUST:
        trust = ready.trusts().build(Trust.objects.get(pk=int(target)).name)
        return render_trust_report(
            trust, mode="web", lang=lang, gettext=gettext, ngettext=ngettext, vega_src=vega
        )
    return render_global_report(
        ready.global_report(),
        mode="web",
        lang=lang,
        gettext=gettext,
        ngettext=ngettext,
        vega_src=vega,
    )


def build_page(wave: Wave, kind: str, target: str, language: str) -> ReportPage:
    """Build the page now and keep it (replacing the one built before)."""
    marked = stamp(wave)  # read first: data arriving meanwhile leaves this page stale
    with translation.override(language):
        try:
            html, available = _render(wave, kind, target), True
        except ValueError:
            html, available = "", False
    page, _ = ReportPage.objects.update_or_create(
        wave=wave,
        kind=kind,
        target=target,
        language=language,
        defaults={"stamp": marked, "html": html, "available": available, "built": timezone.now()},
    )
    return page


def _pending_key(wave_id: int, kind: str, target: str, language: str) -> str:
    return f"learnsurvey:report-page:{wave_id}:{kind}:{target}:{language}"


@task
def build_report_page(wave_id: int, kind: str, target: str, language: str) -> bool:
    """Build one page; whether the report could be made."""
    try:
        return build_page(Wave.objects.get(pk=wave_id), kind, target, language).available
    finally:
        caches["shared"].delete(_pending_key(wave_id, kind, target, language))


def current_page(wave: Wave, kind: str, target: str, language: str) -> ReportPage | None:
    """The page to show now: the one kept if it is up to date; else a build is queued (with
    the immediate backend it is done when this returns) and the page last built is shown
    meanwhile. None while the page has never been built."""
    found = ReportPage.objects.filter(wave=wave, kind=kind, target=target, language=language)
    page = found.first()
    if page is not None and page.stamp == stamp(wave):
        return page
    key = _pending_key(wave.pk, kind, target, language)
    if caches["shared"].add(key, 1, timeout=PENDING_SECONDS):
        try:
            build_report_page.enqueue(wave.pk, kind, target, language)
        except BaseException:
            caches["shared"].delete(key)
            raise
    return found.first()


def request_report_pages(wave: Wave) -> None:
    """After the wave's figures are computed: queue the building of all its pages in the
    platform's language (if ``PREBUILD_REPORT_PAGES`` is on; staff surveys have none)."""
    if settings.PREBUILD_REPORT_PAGES and not wave.is_staff:
        build_report_pages.enqueue(wave.pk)


def _targets(wave: Wave) -> list[tuple[str, str]]:
    """Every page the wave has: its schools with figures, its trusts, its global report."""
    from learnsurvey.web.dashboards.models import SchoolResult, TrustResult

    urns = SchoolResult.objects.filter(result__wave=wave).values_list("urn", flat=True)
    names = TrustResult.objects.filter(result__wave=wave).values_list("trust", flat=True)
    trusts = Trust.objects.filter(name__in=list(names)).values_list("pk", flat=True)
    return (
        [(str(Kind.SCHOOL), urn) for urn in sorted(urns)]
        + [(str(Kind.TRUST), str(pk)) for pk in sorted(trusts)]
        + [(str(Kind.GLOBAL), "")]
    )


@task
def build_report_pages(wave_id: int) -> int:
    """Build every page of the wave in the platform's language that is not up to date;
    returns how many were built. One that fails is logged and the others go on."""
    wave = Wave.objects.get(pk=wave_id)
    marked = stamp(wave)
    kept = {
        (k, t): s
        for k, t, s in ReportPage.objects.filter(
            wave=wave, language=settings.LANGUAGE_CODE
        ).values_list("kind", "target", "stamp")
    }
    built = 0
    for kind, target in _targets(wave):
        if kept.get((kind, target)) == marked:
            continue
        try:
            build_page(wave, kind, target, settings.LANGUAGE_CODE)
        except Exception:
            logger.exception("the %s report page %s of wave %s failed", kind, target, wave_id)
        else:
            built += 1
    return built
