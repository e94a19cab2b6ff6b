"""axe-core on every page a leader, teacher or researcher opens (WCAG 2.2 A and AA), in a real
browser on an old school PC's screen and on a phone: the dashboards, over time, outcomes,
codes, priorities, partners, the reports' pages and web views, and the administrators'
imports. The pupils' pages have their own sweep (test_pupil_browser.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from conftest import axe_violations, describe, sign_in
from learnsurvey.web.improvement.models import Priority
from learnsurvey.web.improvement.series import open_years
from personas import World, add_responses

pytestmark = pytest.mark.e2e


@pytest.fixture
def answered(live_world: World, settings: Any, tmp_path: Any) -> World:
    settings.DATA_DIR = tmp_path
    add_responses(live_world.wave, live_world.aspen, 60, seed=1)
    add_responses(live_world.wave, live_world.birch, 45, seed=2)
    add_responses(live_world.wave, live_world.cedar, 30, seed=3)
    add_responses(live_world.wave, live_world.dale, 25, seed=4)
    return live_world


def _pages(w: World) -> list[str]:
    wave, urn, trust = w.wave.pk, w.aspen.urn, w.trust.pk
    priority = Priority.objects.create(
        school=w.aspen,
        academic_year=open_years()[0],
        dimension=w.wave.instrument().dimension_ids[0],
        baseline_wave=w.wave,
        theory_of_action="If feedback says what to do next, pupils will act on it.",
    )
    year = open_years()[0].replace("/", "-")
    return [
        reverse("dashboards:home"),
        reverse("dashboards:school", args=[wave, urn]),
        reverse("dashboards:school_over_time", args=[wave, urn]),
        reverse("dashboards:trust", args=[wave, trust]),
        reverse("dashboards:trust_over_time", args=[wave, trust]),
        reverse("dashboards:global", args=[wave]),
        reverse("dashboards:global_over_time", args=[wave]),
        reverse("dashboards:global_outcomes", args=[wave]),
        reverse("pupil:codes", args=[urn]),
        reverse("pupil:code_sheet", args=[urn]),
        reverse("pupil:deactivate_code", args=[urn, w.aspen_code.pk]),
        reverse("improvement:school", args=[urn]),
        reverse("improvement:choose", args=[urn, year]),
        reverse("improvement:priority", args=[urn, priority.pk]),
        reverse("improvement:edit", args=[urn, priority.pk]),
        reverse("improvement:add_action", args=[urn, priority.pk]),
        reverse("improvement:trust", args=[trust]),
        reverse("improvement:add_trust_priority", args=[trust]),
        reverse("partners:school", args=[urn]),
        reverse("partners:suggestions", args=[urn])
        + f"?dimension={w.wave.instrument().dimension_ids[0]}",
        reverse("reports:school", args=[wave, urn]),
        reverse("reports:school_view", args=[wave, urn]),
        reverse("reports:trust_view", args=[wave, trust]),
        reverse("reports:global_view", args=[wave]),
        reverse("waves:import_schools"),
        reverse("waves:import_responses", args=[wave]),
        reverse("schools:import_outcomes"),
    ]


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_every_leader_page_meets_wcag(
    request: pytest.FixtureRequest, screen: str, live_server: Any, answered: World
) -> None:
    page: Page = request.getfixturevalue(screen)
    page.set_default_timeout(120_000)  # a report's web view is built on first request
    sign_in(page, live_server.url, "alice")
    failures = []
    for path in _pages(answered):
        response = page.goto(live_server.url + path)
        assert response is not None, path
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        violations = axe_violations(page)
        if violations:
            failures.append(f"{path}: {describe(violations)}")
    assert not failures, "\n".join(failures)
