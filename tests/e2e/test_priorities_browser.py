"""A school leader sets a priority in a real browser, with the keyboard alone: sees the
suggestion of the latest wave, chooses it, writes the theory of action, adds an action and
finds it listed; axe-core checks each page for WCAG 2.2 AA."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import axe_violations, describe, sign_in
from learnsurvey.web.dashboards.models import SchoolResult
from learnsurvey.web.improvement.models import Priority
from learnsurvey.web.improvement.series import academic_year_of
from learnsurvey.web.waves.models import WaveResult
from personas import World

pytestmark = pytest.mark.e2e


def _focused(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(
        """() => { const e = document.activeElement; return {
             tag: e.tagName, type: e.type || '', id: e.id, name: e.name || '',
             value: e.value || '', text: (e.textContent || '').trim() }; }"""
    )
    return result


def _tab_to(page: Page, want: Any, limit: int = 80) -> dict[str, Any]:
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if want(focused):
            return focused
    raise AssertionError("never reached by Tab")


def _no_violations(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


def _add_action(page: Page) -> None:
    """From a priority's page, add an action with the keyboard alone."""
    _tab_to(page, lambda f: f["text"] == "Add an action")
    page.keyboard.press("Enter")
    page.wait_for_url("**/actions/add/")
    _no_violations(page)
    _tab_to(page, lambda f: f["name"] == "what")
    page.keyboard.type("Coaching cycles for every teacher")
    _tab_to(page, lambda f: f["name"] == "kind")
    # Radios: the arrow keys move through the group (first: lesson study).
    page.keyboard.press("ArrowDown")
    assert _focused(page)["value"] == "instructional_coaching"
    _tab_to(page, lambda f: f["name"] == "lead_role")
    page.keyboard.type("Deputy head")
    _tab_to(page, lambda f: f["tag"] == "BUTTON")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Action added.")).to_be_visible()


@pytest.fixture
def suggested(live_world: World) -> tuple[World, str]:
    """Aspen's stored figures suggest its third dimension (as the computation stores them)."""
    world = live_world
    dimension = world.wave.instrument().dimension_ids[2]
    result = WaveResult.objects.create(
        wave=world.wave,
        computed=timezone.now(),
        max_response_id=0,
        n_responses=40,
        threshold=settings.MIN_GROUP_SIZE,
        payload={"format": 3, "publication": 0, "series": None},
    )
    SchoolResult.objects.create(
        result=result,
        urn=world.aspen.urn,
        payload={
            "school": world.aspen.urn,
            "wave": world.wave.name,
            "threshold": settings.MIN_GROUP_SIZE,
            "publishable": True,
            "n_responses": 40,
            "suggested_priorities": [
                {
                    "dimension": dimension,
                    "reasons": ["below_all"],
                    "mean": 3.1,
                    "benchmark_mean": 3.4,
                    "similar_mean": None,
                    "change": None,
                }
            ],
        },
    )
    return world, dimension


def test_it_lets_a_school_leader_set_a_priority_and_add_an_action_by_keyboard(
    desktop: Page, live_server: Any, suggested: tuple[World, str]
) -> None:
    world, dimension = suggested
    name = world.wave.instrument().dimension(dimension).name
    year = academic_year_of(timezone.localdate())
    page = desktop
    sign_in(page, live_server.url, "sam")
    page.goto(f"{live_server.url}/improvement/schools/{world.aspen.urn}/")
    expect(page.get_by_role("heading", name="Priorities and actions", level=1)).to_be_visible()
    expect(page.get_by_text("Below all schools: 3.10 against 3.40")).to_be_visible()
    _no_violations(page)

    _tab_to(page, lambda f: f["text"] == f"Choose priorities for {year}")
    page.keyboard.press("Enter")
    page.wait_for_url("**/choose/")
    expect(page.get_by_role("heading", name=f"Choose priorities for {year}")).to_be_visible()
    expect(page.get_by_role("checkbox", name=name)).to_be_visible()
    _no_violations(page)
    _tab_to(page, lambda f: f["type"] == "checkbox" and f["value"] == dimension)
    page.keyboard.press("Space")
    _tab_to(page, lambda f: f["tag"] == "BUTTON")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/improvement/schools/{world.aspen.urn}/")
    expect(page.get_by_text(f"Priorities set for {year}.")).to_be_visible()

    _tab_to(page, lambda f: f["tag"] == "A" and f["text"] == name)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    _tab_to(page, lambda f: f["text"] == "Write the theory of action")
    page.keyboard.press("Enter")
    page.wait_for_url("**/edit/")
    _tab_to(page, lambda f: f["name"] == "theory_of_action")
    page.keyboard.type("Coaching on questioning, so every pupil is asked to think.")
    _tab_to(page, lambda f: f["name"] == "hoped_change")
    page.keyboard.type("More pupils say their teachers ask them to explain.")
    _tab_to(page, lambda f: f["tag"] == "BUTTON")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Coaching on questioning, so every pupil")).to_be_visible()

    _add_action(page)

    table = page.get_by_role("table", name="Actions for this priority")
    row = table.get_by_role("row").nth(1)
    expect(row.get_by_role("rowheader")).to_have_text("Coaching cycles for every teacher")
    expect(row).to_contain_text("Instructional coaching")
    expect(row).to_contain_text("Deputy head")
    expect(row).to_contain_text("Planned")
    _no_violations(page)
    priority = Priority.objects.get(school=world.aspen)
    assert priority.dimension == dimension
    assert priority.suggested_reasons["reasons"] == ["below_all"]
    assert priority.actions.get().kind == "instructional_coaching"


def test_it_shows_the_trust_leader_every_schools_priorities_accessibly(
    desktop: Page, live_server: Any, suggested: tuple[World, str]
) -> None:
    from learnsurvey.web.improvement.actions import do_add_action, do_set_priority

    world, dimension = suggested
    priority = do_set_priority(
        world.sam,
        world.aspen,
        academic_year=academic_year_of(timezone.localdate()),
        dimension=dimension,
        baseline_wave=world.wave,
    )
    do_add_action(
        world.sam,
        priority,
        what="Pupil voice panel",
        kind="pupil_voice_panel",
        lead_role="Head of year",
    )
    page = desktop
    sign_in(page, live_server.url, "tess")
    page.goto(f"{live_server.url}/improvement/trusts/{world.trust.pk}/")
    table = page.get_by_role("table", name="Priorities, actions, status and impact by school")
    expect(table.get_by_role("link", name="Aspen Primary")).to_be_visible()
    expect(table).to_contain_text("Pupil voice panel")
    expect(table).to_contain_text("1 planned")
    _no_violations(page)
    page.get_by_role("link", name="Set a trust-wide priority").click()
    expect(page.get_by_role("heading", name="Set a trust-wide priority", level=1)).to_be_visible()
    _no_violations(page)
