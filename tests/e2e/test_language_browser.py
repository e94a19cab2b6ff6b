"""A leader chooses the interface language in a real browser: the chooser works without any
script (the strict CSP is checked by the fixtures), and the pages it gives, right to left in
Urdu, still meet WCAG 2.2 AA on an old school PC and on a phone."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from conftest import axe_violations, describe, sign_in
from learnsurvey.web.accounts.models import User
from personas import World, add_responses

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_it_switches_a_leader_to_urdu_right_to_left_and_stays_accessible(
    request: pytest.FixtureRequest, screen: str, live_server: Any, live_world: World
) -> None:
    add_responses(live_world.wave, live_world.aspen, 40, seed=1)
    page: Page = request.getfixturevalue(screen)
    page.set_default_timeout(60_000)
    sign_in(page, live_server.url, "sam")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "en-gb")
    page.get_by_role("button", name="اردو").click()
    expect(html).to_have_attribute("lang", "ur")
    expect(html).to_have_attribute("dir", "rtl")
    assert User.objects.get(username="sam").language == "ur"
    failures = []
    school = reverse("dashboards:school", args=[live_world.wave.pk, live_world.aspen.urn])
    for path in [reverse("dashboards:home"), school]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        expect(html).to_have_attribute("dir", "rtl")
        violations = axe_violations(page)
        if violations:
            failures.append(f"{path}: {describe(violations)}")
    assert not failures, "\n".join(failures)
    page.get_by_role("button", name="English").click()
    expect(html).to_have_attribute("dir", "ltr")
