"""Text a user writes is shown, never run: school and trust names, a code's label, a
registration and a priority's theory of action carrying script, markup and formulas are
escaped on every page that shows them, in the report's web view and in the exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from learnsurvey.web.improvement.models import Priority
from learnsurvey.web.waves.models import AccessCode, Registration
from personas import World, answer, logged_in

SCRIPT = '<script>alert("xss")</script>'
MARKUP = '"><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example","open me")'
RAW = ("<script>alert", "<img src=x")


@pytest.fixture
def hostile(world: World) -> World:
    answer(world)
    world.aspen.name = f"Aspen {SCRIPT}"
    world.aspen.save()
    world.trust.name = f"Northern {MARKUP}"
    world.trust.save()
    AccessCode.objects.filter(pk=world.aspen_code.pk).update(label=f"5A {SCRIPT}")
    return world


def _assert_escaped(page: str, where: str) -> None:
    for raw in RAW:
        assert raw not in page, f"{where}: {raw!r} unescaped"


def test_every_leaders_page_escapes_what_users_wrote(hostile: World) -> None:
    w = hostile
    client = logged_in(w.tess)
    urls = [
        reverse("dashboards:home"),
        reverse("dashboards:school", args=[w.wave.pk, w.aspen.urn]),
        reverse("dashboards:trust", args=[w.wave.pk, w.trust.pk]),
        reverse("pupil:codes", args=[w.aspen.urn]),
        reverse("pupil:code_sheet", args=[w.aspen.urn]),
        reverse("improvement:school", args=[w.aspen.urn]),
        reverse("reports:school_view", args=[w.wave.pk, w.aspen.urn]),
        reverse("reports:trust_view", args=[w.wave.pk, w.trust.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        _assert_escaped(page, url)
    school = client.get(urls[1]).content.decode()
    assert "Aspen &lt;script&gt;" in school  # shown, as text


def test_a_theory_of_action_is_shown_as_text(hostile: World) -> None:
    w = hostile
    client = logged_in(w.sam)
    dimension = w.wave.instrument().dimension_ids[0]
    priority = Priority.objects.create(
        school=w.aspen,
        baseline_wave=w.wave,
        academic_year="2025/26",
        dimension=dimension,
        theory_of_action=f"We will {SCRIPT} and {MARKUP}",
        created_by=w.sam,
    )
    page = client.get(reverse("improvement:priority", args=[w.aspen.urn, priority.pk]))
    assert page.status_code == 200
    _assert_escaped(page.content.decode(), "priority")


def test_the_admin_escapes_a_registration(hostile: World) -> None:
    w = hostile
    Registration.objects.create(
        wave=w.wave,
        school_name=SCRIPT,
        urn="400123",
        phase="primary",
        trust_name=MARKUP,
        contact_name=SCRIPT,
        contact_email="someone@example.org",
    )
    page = logged_in(w.alice).get(reverse("admin:waves_registration_changelist"))
    _assert_escaped(page.content.decode(), "admin registrations")


def test_a_formula_in_a_name_is_not_run_by_a_spreadsheet(hostile: World) -> None:
    w = hostile
    w.aspen.name = FORMULA
    w.aspen.save()
    client = logged_in(w.tess)
    url = reverse("exports:trust", args=[w.wave.pk, w.trust.pk, "schools", "csv"])
    response = client.get(url)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert FORMULA not in cells
    assert not any(cell.startswith("=") for cell in cells)
