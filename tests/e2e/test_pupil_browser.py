"""A pupil's journey in a real browser: phone, keyboard only, and axe-core on every screen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from conftest import axe_violations, describe
from learnsurvey.web.waves.actions import decode_answers
from learnsurvey.web.waves.models import AccessCode, Response
from personas import PASSWORD, World

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    # Code look-ups and rate-limit counters live in the process-wide cache.
    cache.clear()
    yield
    cache.clear()


def _visible_questions(page: Page) -> Any:
    return page.locator(".survey-page:not([hidden]) fieldset.question")


def _answer_visible_page(page: Page, value: int) -> list[str]:
    # Until the survey's script has run every page is visible (the page works without it);
    # count the visible questions only once it has hidden all but one.
    page.locator(".survey-page[hidden]").first.wait_for(state="attached")
    questions = _visible_questions(page)
    answered = []
    for i in range(questions.count()):
        question = questions.nth(i)
        question.locator(f"label.choice:has(input[value='{value}'])").click()
        answered.append(question.get_attribute("data-item") or "")
    return answered


def test_it_survives_a_reload_on_a_phone(phone: Page, live_server: Any, live_world: World) -> None:
    page = phone
    page.goto(live_server.url + "/")
    page.get_by_label("Your code").fill(live_world.aspen_code.display.lower())
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="English").click()
    page.get_by_label("Girl").check()
    page.get_by_role("button", name="Start the questions").click()

    instrument = live_world.wave.instrument()
    pages = -(-len(instrument.items) // 6)
    expect(page.get_by_role("heading", name=f"Page 1 of {pages}")).to_be_visible()
    # Primary pupils see faces; each labelled by its scale label.
    expect(_visible_questions(page).first.locator("svg.face")).to_have_count(5)
    first_page = _answer_visible_page(page, 4)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name=f"Page 2 of {pages}")).to_be_visible()
    second_page = _answer_visible_page(page, 2)

    page.reload()  # a dropped connection or an accidental refresh
    expect(page.get_by_role("heading", name=f"Page 2 of {pages}")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Page 1 of {pages}")).to_be_hidden()
    for item in second_page:
        expect(page.locator(f"input[name='{item}'][value='2']")).to_be_checked()
    page.get_by_role("button", name="Back").click()
    for item in first_page:
        expect(page.locator(f"input[name='{item}'][value='4']")).to_be_checked()
    page.get_by_role("button", name="Next").click()

    for number in range(2, pages):
        page.get_by_role("button", name="Next").click()
        expect(page.get_by_role("heading", name=f"Page {number + 1} of {pages}")).to_be_visible()
        if number % 2:  # some pages are skipped: items may be left out
            _answer_visible_page(page, 5)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()

    stored = Response.objects.get()
    answers = decode_answers(instrument, stored.answers)
    assert all(answers[item] == 4 for item in first_page)
    assert all(answers[item] == 2 for item in second_page)
    assert stored.gender == "girl"
    assert stored.year_group == 5
    left = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('learnsurvey'))")
    assert left == []


def _focused(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(
        """() => { const e = document.activeElement; return {
             tag: e.tagName, type: e.type || '', id: e.id, name: e.name || '',
             checked: !!e.checked, text: (e.textContent || '').trim(),
             go: e.dataset ? (e.dataset.go || '') : '' }; }"""
    )
    return result


def _tab_to(page: Page, want: Any, limit: int = 60) -> dict[str, Any]:
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if want(focused):
            return focused
    raise AssertionError("never reached by Tab")


def test_it_can_be_completed_with_the_keyboard_alone(
    desktop: Page, live_server: Any, live_world: World
) -> None:
    code = AccessCode.objects.create(wave=live_world.wave, school=live_world.birch)
    page = desktop
    page.goto(live_server.url + "/")
    _tab_to(page, lambda f: f["id"] == "code")
    for ch in code.display:
        page.keyboard.press(ch)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/s/{code.code}/")
    _tab_to(page, lambda f: f["text"] == "English")
    page.keyboard.press("Enter")
    page.wait_for_url("**/about/**")
    _tab_to(page, lambda f: f["id"] == "year")
    for _ in range(3):  # a secondary school lists "Choose your year", Year 7, 8, 9 …
        page.keyboard.press("ArrowDown")
    assert page.eval_on_selector("#year", "e => e.value") == "9"
    _tab_to(page, lambda f: f["name"] == "gender")
    page.keyboard.press("Space")
    _tab_to(page, lambda f: f["tag"] == "BUTTON")
    page.keyboard.press("Enter")
    page.wait_for_url("**/survey/**")

    instrument = live_world.wave.instrument()
    for _ in range(400):
        focused = _tab_to(page, lambda f: f["type"] == "radio" or f["go"] or f["type"] == "submit")
        if focused["type"] == "radio":
            page.keyboard.press("ArrowRight")  # the second choice: "Disagree"
        elif focused["type"] == "submit":
            page.keyboard.press("Enter")
            break
        elif int(focused["go"]) > int(
            page.locator(".survey-page:not([hidden])").get_attribute("data-page") or 0
        ):
            page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    stored = Response.objects.get()
    assert stored.year_group == 9
    assert stored.key_stage == "KS3"
    assert stored.gender == instrument.demographics.genders[0]
    assert set(decode_answers(instrument, stored.answers).values()) == {2}


def _assert_accessible(page: Page, what: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{what}: {describe(violations)}"


def test_it_meets_wcag_on_every_pupil_screen(
    desktop: Page, live_server: Any, live_world: World
) -> None:
    page = desktop
    base = live_server.url
    primary = live_world.aspen_code.code
    secondary = AccessCode.objects.create(wave=live_world.wave, school=live_world.birch).code
    screens = {
        "start": "/",
        "language choice": f"/s/{primary}/",
        "about you": f"/s/{secondary}/about/?lang=en",
        "primary survey page": f"/s/{primary}/survey/?lang=en",
        "secondary survey page": f"/s/{secondary}/survey/?lang=en&year=10",
        "Urdu survey page": f"/s/{primary}/survey/?lang=ur",
        "thank-you": "/thanks/?lang=en",
    }
    for what, path in screens.items():
        page.goto(base + path)
        _assert_accessible(page, what)
    assert page.evaluate("document.documentElement.dir") == "ltr"
    page.goto(base + f"/s/{primary}/survey/?lang=ur")
    assert page.evaluate("document.documentElement.dir") == "rtl"


def test_it_retries_a_lost_acknowledgement_without_storing_twice(
    phone: Page, live_server: Any, live_world: World
) -> None:
    page = phone
    calls: list[str] = []

    def lose_the_first_answer(route: Any) -> None:
        calls.append(route.request.post_data or "")
        if len(calls) == 1:
            route.fetch()  # the server stores it...
            route.abort()  # ...but the pupil's connection drops before the reply
        else:
            route.continue_()

    page.route("**/responses", lose_the_first_answer)
    page.goto(live_server.url + f"/s/{live_world.aspen_code.code}/survey/?lang=en")
    _answer_visible_page(page, 3)
    while page.get_by_role("button", name="Next").count():
        page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    assert len(calls) == 2
    assert calls[0] == calls[1]  # the same idempotency key both times
    assert Response.objects.count() == 1


def test_it_meets_wcag_on_the_access_code_pages(
    desktop: Page, live_server: Any, live_world: World
) -> None:
    page = desktop
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(live_server.url + f"/schools/{live_world.aspen.urn}/codes/")
    page.get_by_label("Label").fill("5C")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text("Created 1 access code.")).to_be_visible()
    _assert_accessible(page, "access codes")
    page.goto(live_server.url + f"/schools/{live_world.aspen.urn}/codes/sheet/")
    expect(page.locator(".code-card svg")).to_have_count(2)
    _assert_accessible(page, "code sheet")


def test_the_next_pupil_on_a_shared_tablet_cannot_bring_back_the_answers(
    phone: Page, live_server: Any, live_world: World
) -> None:
    page = phone
    code = live_world.aspen_code.code
    page.goto(live_server.url + f"/s/{code}/about/?lang=en")
    page.goto(live_server.url + f"/s/{code}/survey/?lang=en")
    answered = _answer_visible_page(page, 4)
    while page.get_by_role("button", name="Next").count():
        page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()

    page.go_back()  # the survey left the history: Back goes to the page before it
    assert "/survey/" not in page.url
    page.go_forward()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    page.get_by_role("link", name="Start again for the next person").click()
    expect(page).to_have_url(f"{live_server.url}/s/{code}/?lang=en")
    page.goto(live_server.url + f"/s/{code}/survey/?lang=en")
    for item in answered:
        expect(page.locator(f"input[name='{item}'][value='4']")).not_to_be_checked()
    assert Response.objects.count() == 1
