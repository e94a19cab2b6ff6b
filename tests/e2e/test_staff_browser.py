"""The staff journey in a real browser on a phone: code, language, role, the statements,
thanks, with axe-core clean (WCAG 2.2 A/AA) on every screen."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import axe_violations, describe
from learnsurvey.web.waves.actions import decode_answers
from learnsurvey.web.waves.models import Response
from personas import World
from staff_personas import add_staff_wave

pytestmark = pytest.mark.e2e


def _assert_accessible(page: Page, what: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{what}: {describe(violations)}"


def test_it_takes_staff_from_code_to_thanks_on_a_phone(
    phone: Page, live_server: Any, live_world: World
) -> None:
    staff = add_staff_wave(live_world)
    instrument = staff.staff_wave.instrument()
    page = phone
    page.goto(live_server.url + "/")
    page.get_by_label("Your code").fill(staff.aspen_staff_code.display)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="English").click()

    expect(page.get_by_role("heading", name="What is your role in the school?")).to_be_visible()
    page.get_by_role("button", name="Continue").click()  # no role chosen
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page).to_have_title("Error: Your role · learnsurvey")
    _assert_accessible(page, "role, with its error")  # the page as first shown, and more
    page.get_by_role("link", name="Choose your role").click()
    role_name = instrument.demographics.roles[1].name
    page.get_by_label(role_name).check()
    page.get_by_role("button", name="Continue").click()

    pages = -(-len(instrument.items) // 6)
    expect(page.get_by_role("heading", name=f"Page 1 of {pages}")).to_be_visible()
    expect(page.locator("svg.face")).to_have_count(0)
    _assert_accessible(page, "staff survey page")
    questions = page.locator(".survey-page:not([hidden]) fieldset.question")
    answered = [questions.nth(i).get_attribute("data-item") for i in range(questions.count())]
    for i in range(len(answered)):  # the first page; the rest are left out (allowed)
        questions.nth(i).locator("label.choice:has(input[value='4'])").click()
    for _number in range(1, pages):
        page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    _assert_accessible(page, "thanks")

    stored = Response.objects.get(wave=staff.staff_wave)
    assert stored.role == instrument.demographics.roles[1].id
    assert (stored.year_group, stored.key_stage, stored.gender) == (None, "", "")
    answers = decode_answers(instrument, stored.answers)
    assert {item for item, value in answers.items() if value == 4} == set(answered)
    assert set(answers.values()) == {4, None}
