"""Partner schools in a real browser: Aspen's leader opens the suggestions for one dimension,
sends Cedar a request; Cedar's leader accepts it; Aspen's leader then sees Cedar's address.
axe-core checks each page for WCAG 2.2 AA."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from conftest import axe_violations, describe, sign_in
from learnsurvey.analysis.figures.improvement import StrengthFigure
from learnsurvey.analysis.figures.school import SchoolFigures
from learnsurvey.web.dashboards.models import SchoolResult
from learnsurvey.web.partners.models import PartnerOptIn, PartnerRequest
from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.models import WaveResult
from personas import World

pytestmark = pytest.mark.e2e

DIMENSION = "school_fair"
MESSAGE = "We would like to learn how you made behaviour policies feel fair to pupils."


def _no_violations(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


@pytest.fixture
def strong_cedar(live_world: World) -> World:
    """Cedar is open to partners and strong in School is Fair (as the computation stores
    its figures); Aspen, like it a primary school, looks for partners."""
    w = live_world
    School.objects.filter(pk__in=[w.aspen.pk, w.cedar.pk]).update(fsm_pct=30)
    result = WaveResult.objects.create(
        wave=w.wave,
        computed=timezone.now(),
        max_response_id=0,
        n_responses=80,
        threshold=settings.MIN_GROUP_SIZE,
        payload={"format": 3, "publication": 0, "series": None},
    )
    strength = StrengthFigure(
        dimension=DIMENSION,
        mean=3.6,
        shrunken_mean=3.58,
        shrunken_ci_low=3.3,
        shrunken_ci_high=3.8,
        benchmark_mean=3.0,
        clearly_above=True,
    )
    for urn, strengths in ((w.aspen.urn, []), (w.cedar.urn, [strength])):
        figures = SchoolFigures(
            school=urn,
            wave=w.wave.name,
            threshold=settings.MIN_GROUP_SIZE,
            publishable=True,
            n_responses=40,
            phase="primary",
            strengths=strengths,
        )
        SchoolResult.objects.create(result=result, urn=urn, payload=figures.model_dump(mode="json"))
    PartnerOptIn.objects.create(school=w.cedar, open=True, changed_by=w.sara)
    return w


def test_it_lets_a_leader_ask_a_partner_school_which_accepts(
    desktop: Page, browser: Browser, live_server: Any, strong_cedar: World
) -> None:
    w = strong_cedar
    base = live_server.url
    page = desktop
    sign_in(page, base, "sam")
    page.goto(f"{base}/partners/schools/{w.aspen.urn}/")
    expect(page.get_by_role("heading", name="Partner schools", level=1)).to_be_visible()
    _no_violations(page)

    page.get_by_label("Dimension").select_option(DIMENSION)
    page.get_by_role("button", name="Find partner schools").click()
    expect(page.get_by_role("heading", name="Partner schools for School is Fair")).to_be_visible()
    expect(
        page.get_by_text("strong: School is Fair 3.6 against 3.0, clearly above")
    ).to_be_visible()
    _no_violations(page)

    page.get_by_role("link", name="Ask to partner Cedar Primary").click()
    expect(page.get_by_role("heading", name="Ask Cedar Primary to partner")).to_be_visible()
    _no_violations(page)
    page.get_by_label("Your message").fill(MESSAGE)
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_text("Request sent to Cedar Primary.")).to_be_visible()
    assert PartnerRequest.objects.filter(status="open").count() == 1
    expect(page.get_by_text("sara@example.org")).to_have_count(0)

    other = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    try:
        cedar = other.new_page()
        sign_in(cedar, base, "sara")
        cedar.goto(f"{base}/partners/schools/{w.cedar.urn}/")
        expect(cedar.get_by_text(MESSAGE)).to_be_visible()
        expect(cedar.get_by_text("sam@example.org")).to_have_count(0)
        _no_violations(cedar)
        cedar.get_by_role("button", name="Accept the request from Aspen Primary").click()
        expect(
            cedar.get_by_text("Accepted. Aspen Primary can now see your email address")
        ).to_be_visible()
        expect(cedar.get_by_role("link", name="sam@example.org")).to_be_visible()
    finally:
        other.close()

    page.reload()
    expect(page.get_by_role("link", name="sara@example.org")).to_be_visible()
    expect(page.get_by_role("link", name="sam@example.org")).to_be_visible()
    _no_violations(page)
