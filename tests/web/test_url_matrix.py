"""Every URL × every persona, generated from the URLconf: each page and download (GET) of
the personas' own school and trust, and of another school and trust, answers exactly what the
rules say — 200 to those who may see it, 403 to a role that never may, 404 to anyone else
(another school's or trust's object is "not found"), and a sign-in redirect to anonymous
visitors. A new URL that is not in :data:`RULES` fails the test, so none goes unchecked.

POST-only URLs are in the matrix too (GET: 405 once signed in); what each POST may change is
tested beside its view. The JSON API authenticates by token, not session: its role checks are
tests/web/test_api.py, its schema tests/web/test_api_schema.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from learnsurvey.web.accounts.models import Role, User
from learnsurvey.web.improvement.models import Action, Priority, TrustPriority
from learnsurvey.web.improvement.series import open_years
from learnsurvey.web.partners.models import PartnerOptIn, PartnerRequest
from learnsurvey.web.reports.models import ReportRun
from learnsurvey.web.schools.models import School, Trust
from learnsurvey.web.waves.models import AccessCode, Registration
from personas import World, answer, logged_in

PERSONAS = ["alice", "tess", "sam", "tom", "rita", "bob", "sara", "dev", None]
API = "api"
ADMIN = "admin"


@dataclass(frozen=True)
class Side:
    """The objects one side of the matrix opens: the personas' own (Aspen, Northern Lights)
    or another school's and trust's (Cedar, Harbour)."""

    school: School
    trust: Trust
    code: AccessCode
    priority: Priority
    action: Action
    trust_priority: TrustPriority
    request: PartnerRequest
    partner: School
    """A school open to partners that this side's school may ask."""
    school_run: ReportRun
    trust_run: ReportRun
    registration: Registration


def _user(w: World, persona: str | None) -> User | None:
    return None if persona is None else getattr(w, persona)


def sees_school(user: User, school: School) -> bool:
    if user.role == Role.PLATFORM_ADMIN or user.is_superuser:
        return True
    if user.role == Role.TRUST_LEADER:
        return school.trust_id is not None and user.trust_id == school.trust_id
    return user.role in (Role.SCHOOL_LEADER, Role.TEACHER) and user.school_id == school.pk


def manages_school(user: User, school: School) -> bool:
    return user.role != Role.TEACHER and sees_school(user, school)


def sees_trust(user: User, trust: Trust) -> bool:
    return user.role == Role.PLATFORM_ADMIN or (
        user.role == Role.TRUST_LEADER and user.trust_id == trust.pk
    )


Rule = Callable[[User, Side], int]


def public(user: User, side: Side) -> int:
    return 200


def signed_in(user: User, side: Side) -> int:
    return 200


def see_school(user: User, side: Side) -> int:
    return 200 if sees_school(user, side.school) else 404


def manage_school(user: User, side: Side) -> int:
    if manages_school(user, side.school):
        return 200
    return 403 if sees_school(user, side.school) else 404


def partners(user: User, side: Side) -> int:
    if user.role in (Role.TEACHER, Role.RESEARCHER):
        return 403
    return 200 if manages_school(user, side.school) else 404


def see_trust(user: User, side: Side) -> int:
    return 200 if sees_trust(user, side.trust) else 404


def takes_part(user: User, side: Side) -> int:
    """A wave's status: to whoever sees the global tables or one of the wave's schools."""
    if user.role in (Role.PLATFORM_ADMIN, Role.RESEARCHER):
        return 200
    schools = School.objects.filter(participations__wave=side.code.wave)
    return 200 if any(sees_school(user, s) for s in schools) else 404


def global_only(user: User, side: Side) -> int:
    return 200 if user.role in (Role.PLATFORM_ADMIN, Role.RESEARCHER) else 403


def admin_only(user: User, side: Side) -> int:
    return 200 if user.role == Role.PLATFORM_ADMIN else 403


def post_only(user: User, side: Side) -> int:
    return 405


def known_leader(user: User, side: Side) -> int:
    return 200 if sees_trust(user, side.trust) and user.role == Role.TRUST_LEADER else 404


@dataclass(frozen=True)
class Case:
    rule: Rule
    url: Callable[[World, Side], str]
    anonymous: int = 302
    """What a visitor who is not signed in gets (302: to the sign-in page)."""


def _school_year() -> str:
    return open_years()[0].replace("/", "-")


def _r(name: str, *args: object) -> str:
    return reverse(name, args=args)


RULES: dict[str, Case] = {
    # The pupils' journey and the public pages.
    "pupil:start": Case(public, lambda w, s: _r("pupil:start"), anonymous=200),
    "pupil:thanks": Case(public, lambda w, s: _r("pupil:thanks"), anonymous=200),
    "pupil:language": Case(public, lambda w, s: _r("pupil:language", s.code.code), anonymous=200),
    "pupil:about": Case(public, lambda w, s: _r("pupil:about", s.code.code), anonymous=200),
    "pupil:survey": Case(public, lambda w, s: _r("pupil:survey", s.code.code), anonymous=200),
    "pupil:role": Case(
        lambda u, s: 302, lambda w, s: _r("pupil:role", s.code.code), anonymous=302
    ),  # a pupils' code has no role page: on to the pupils' questions about them
    "pupil:submit": Case(
        lambda u, s: 405, lambda w, s: _r("pupil:submit", s.code.code), anonymous=405
    ),
    "pupil:responses": Case(
        lambda u, s: 405, lambda w, s: _r("pupil:responses", s.code.code), anonymous=405
    ),
    "accounts:login": Case(public, lambda w, s: _r("accounts:login"), anonymous=200),
    "accounts:logout": Case(lambda u, s: 405, lambda w, s: _r("accounts:logout"), anonymous=405),
    "accounts:accept_invitation": Case(
        lambda u, s: 404,
        lambda w, s: _r("accounts:accept_invitation", "no-such-token"),
        anonymous=404,
    ),  # an unknown token: a page that says so
    "accounts:language": Case(
        post_only, lambda w, s: _r("accounts:language"), anonymous=405
    ),  # the layout's language chooser (tests/web/test_languages.py)
    "waves:register": Case(public, lambda w, s: _r("waves:register", w.wave.pk), anonymous=200),
    "waves:registered": Case(public, lambda w, s: _r("waves:registered", w.wave.pk), anonymous=200),
    "reports:vega": Case(public, lambda w, s: _r("reports:vega"), anonymous=200),
    # Access codes.
    "pupil:codes": Case(see_school, lambda w, s: _r("pupil:codes", s.school.urn)),
    "pupil:code_sheet": Case(see_school, lambda w, s: _r("pupil:code_sheet", s.school.urn)),
    "pupil:deactivate_code": Case(
        manage_school, lambda w, s: _r("pupil:deactivate_code", s.school.urn, s.code.pk)
    ),
    "pupil:activate_code": Case(
        post_only, lambda w, s: _r("pupil:activate_code", s.school.urn, s.code.pk)
    ),
    # Dashboards.
    "dashboards:home": Case(signed_in, lambda w, s: _r("dashboards:home")),
    "dashboards:school": Case(
        see_school, lambda w, s: _r("dashboards:school", w.wave.pk, s.school.urn)
    ),
    "dashboards:school_over_time": Case(
        see_school, lambda w, s: _r("dashboards:school_over_time", w.wave.pk, s.school.urn)
    ),
    "dashboards:trust": Case(see_trust, lambda w, s: _r("dashboards:trust", w.wave.pk, s.trust.pk)),
    "dashboards:trust_over_time": Case(
        see_trust, lambda w, s: _r("dashboards:trust_over_time", w.wave.pk, s.trust.pk)
    ),
    "dashboards:global": Case(global_only, lambda w, s: _r("dashboards:global", w.wave.pk)),
    "dashboards:global_over_time": Case(
        global_only, lambda w, s: _r("dashboards:global_over_time", w.wave.pk)
    ),
    "dashboards:global_outcomes": Case(
        global_only, lambda w, s: _r("dashboards:global_outcomes", w.wave.pk)
    ),
    "dashboards:global_csv": Case(
        global_only, lambda w, s: _r("dashboards:global_csv", w.wave.pk, "school_summary")
    ),
    "dashboards:wave_status": Case(
        takes_part, lambda w, s: _r("dashboards:wave_status", w.wave.pk)
    ),
    # Downloads.
    "exports:school": Case(
        see_school, lambda w, s: _r("exports:school", w.wave.pk, s.school.urn, "scores", "csv")
    ),
    "exports:trust": Case(
        see_trust, lambda w, s: _r("exports:trust", w.wave.pk, s.trust.pk, "schools", "csv")
    ),
    "exports:school_over_time": Case(
        see_school,
        lambda w, s: _r("exports:school_over_time", w.wave.pk, s.school.urn, "all", "xlsx"),
    ),
    "exports:trust_over_time": Case(
        see_trust,
        lambda w, s: _r("exports:trust_over_time", w.wave.pk, s.trust.pk, "all", "xlsx"),
    ),
    "exports:global_over_time": Case(
        global_only, lambda w, s: _r("exports:global_over_time", w.wave.pk, "all", "xlsx")
    ),
    "exports:global": Case(
        global_only, lambda w, s: _r("exports:global", w.wave.pk, "school_summary", "csv")
    ),
    "exports:responses": Case(global_only, lambda w, s: _r("exports:responses", w.wave.pk, "csv")),
    # Reports.
    "reports:school": Case(see_school, lambda w, s: _r("reports:school", w.wave.pk, s.school.urn)),
    "reports:school_view": Case(
        see_school, lambda w, s: _r("reports:school_view", w.wave.pk, s.school.urn)
    ),
    "reports:trust": Case(see_trust, lambda w, s: _r("reports:trust", w.wave.pk, s.trust.pk)),
    "reports:trust_view": Case(
        see_trust, lambda w, s: _r("reports:trust_view", w.wave.pk, s.trust.pk)
    ),
    "reports:global": Case(global_only, lambda w, s: _r("reports:global", w.wave.pk)),
    "reports:global_view": Case(global_only, lambda w, s: _r("reports:global_view", w.wave.pk)),
    "reports:all_schools": Case(post_only, lambda w, s: _r("reports:all_schools", w.wave.pk)),
    "reports:run": Case(see_school, lambda w, s: _r("reports:run", s.school_run.pk)),
    "reports:pdf": Case(see_school, lambda w, s: _r("reports:pdf", s.school_run.pk)),
    "reports:html": Case(see_school, lambda w, s: _r("reports:html", s.school_run.pk)),
    "reports:zip": Case(
        lambda u, s: 404,
        lambda w, s: _r("reports:zip", s.school_run.pk),
    ),  # a school's run has a PDF, not a zip: not found, whoever asks
    "reports:run_vega": Case(
        public, lambda w, s: _r("reports:run_vega", s.trust_run.pk), anonymous=200
    ),  # the charts' library beside a report's HTML file: the same public script as vega.js
    # Joining and imports.
    "waves:confirm_registration": Case(
        known_leader, lambda w, s: _r("waves:confirm_registration", s.registration.pk)
    ),
    "waves:import_schools": Case(admin_only, lambda w, s: _r("waves:import_schools")),
    "waves:import_responses": Case(
        admin_only, lambda w, s: _r("waves:import_responses", w.wave.pk)
    ),
    "schools:import_outcomes": Case(admin_only, lambda w, s: _r("schools:import_outcomes")),
    # Priorities and actions.
    "improvement:school": Case(see_school, lambda w, s: _r("improvement:school", s.school.urn)),
    "improvement:choose": Case(
        manage_school, lambda w, s: _r("improvement:choose", s.school.urn, _school_year())
    ),
    "improvement:priority": Case(
        see_school, lambda w, s: _r("improvement:priority", s.school.urn, s.priority.pk)
    ),
    "improvement:edit": Case(
        manage_school, lambda w, s: _r("improvement:edit", s.school.urn, s.priority.pk)
    ),
    "improvement:add_action": Case(
        manage_school, lambda w, s: _r("improvement:add_action", s.school.urn, s.priority.pk)
    ),
    "improvement:edit_action": Case(
        manage_school,
        lambda w, s: _r("improvement:edit_action", s.school.urn, s.priority.pk, s.action.pk),
    ),
    "improvement:adopt": Case(
        manage_school, lambda w, s: _r("improvement:adopt", s.school.urn, s.trust_priority.pk)
    ),
    "improvement:trust": Case(see_trust, lambda w, s: _r("improvement:trust", s.trust.pk)),
    "improvement:add_trust_priority": Case(
        see_trust, lambda w, s: _r("improvement:add_trust_priority", s.trust.pk)
    ),
    # Partner schools.
    "partners:school": Case(partners, lambda w, s: _r("partners:school", s.school.urn)),
    "partners:set_open": Case(post_only, lambda w, s: _r("partners:set_open", s.school.urn)),
    "partners:suggestions": Case(partners, lambda w, s: _r("partners:suggestions", s.school.urn)),
    "partners:request": Case(
        partners,
        lambda w, s: (
            _r("partners:request", s.school.urn, s.partner.urn)
            + f"?dimension={w.wave.instrument().dimension_ids[0]}"
        ),
    ),
    "partners:accept": Case(
        post_only, lambda w, s: _r("partners:accept", s.school.urn, s.request.pk)
    ),
    "partners:decline": Case(
        post_only, lambda w, s: _r("partners:decline", s.school.urn, s.request.pk)
    ),
}


def _names(patterns: list[URLPattern | URLResolver], namespace: str | None = None) -> set[str]:
    found: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            found |= _names(p.url_patterns, p.namespace or namespace)
        elif p.name:
            found.add(f"{namespace}:{p.name}" if namespace else p.name)
    return found


def test_every_url_of_the_urlconf_is_in_the_matrix() -> None:
    names = {n for n in _names(get_resolver().url_patterns) if n.split(":")[0] not in (API, ADMIN)}
    assert names - set(RULES) == set(), "add these URLs to RULES"
    assert set(RULES) - names == set(), "these URLs are gone: remove them from RULES"


def _side(w: World, school: School, trust: Trust, code: AccessCode, partner: School) -> Side:
    dimension = w.wave.instrument().dimension_ids[0]
    year = open_years()[0]
    priority = Priority.objects.create(
        school=school, academic_year=year, dimension=dimension, baseline_wave=w.wave
    )
    action = Action.objects.create(
        priority=priority,
        what="Marking that says what to do next",
        kind=Action.Kind.values[0],
        lead_role="Head of English",
    )
    trust_priority = TrustPriority.objects.create(
        trust=trust, academic_year=year, dimension=dimension
    )
    PartnerOptIn.objects.create(school=partner, open=True)
    request = PartnerRequest.objects.create(
        from_school=partner,
        to_school=school,
        dimension=dimension,
        instrument_id=w.wave.instrument().id,
        message="Could we learn from your work on feedback this term?",
    )
    school_run = _run(w, ReportRun.Kind.SCHOOL, school.urn)
    trust_run = _run(w, ReportRun.Kind.TRUST, str(trust.pk))
    registration = Registration.objects.create(
        wave=w.wave,
        kind=Registration.Kind.TRUST,
        school_name="",
        urn="",
        phase="primary",
        trust_name=trust.name,
        contact_name="Someone",
        contact_email="someone@example.net",
        status=Registration.Status.CONFIRMING,
    )
    return Side(
        school, trust, code, priority, action, trust_priority, request, partner,
        school_run, trust_run, registration,
    )  # fmt: skip


def _run(w: World, kind: str, target: str) -> ReportRun:
    run = ReportRun.objects.create(kind=kind, wave=w.wave, target=target)
    folder = run.folder()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    (folder / "report.html").write_text("<!DOCTYPE html><title>report</title>")
    (folder / "assets").mkdir(exist_ok=True)
    run.status = ReportRun.Status.DONE
    run.pdf_file = str(folder / "report.pdf")
    run.html_file = str(folder / "report.html")
    run.save()
    return run


@pytest.fixture
def sides(world: World, tmp_path: Path, settings: Any) -> Iterator[tuple[World, list[Side]]]:
    settings.DATA_DIR = tmp_path
    answer(world)
    own = _side(world, world.aspen, world.trust, world.aspen_code, world.birch)
    other = _side(world, world.cedar, world.other_trust, world.cedar_code, world.dale)
    yield world, [own, other]
    assert tmp_path == django_settings.DATA_DIR


def _close(response: Any) -> None:
    """Close a download's file (or a workbook's temporary file) without the end-of-request
    signal closing the test's database connection, as Django's test client does."""
    signals.request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("name", sorted(RULES))
def test_each_url_answers_each_persona_as_the_rules_say(
    sides: tuple[World, list[Side]], name: str
) -> None:
    world, both = sides
    case = RULES[name]
    wrong = []
    for side in both:
        url = case.url(world, side)
        for persona in PERSONAS:
            user = _user(world, persona)
            client = logged_in(user) if user is not None else Client()
            response = client.get(url)
            status = response.status_code
            _close(response)
            want = case.anonymous if user is None else case.rule(user, side)
            if status != want:
                wrong.append(f"{persona or 'anonymous'} GET {url}: {status}, expected {want}")
    assert not wrong, "\n".join(wrong)
