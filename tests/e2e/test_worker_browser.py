"""In a real browser, a dashboard never waits for the worker: it shows the figures last
computed with a notice, and shows the new ones by itself once the worker has made them; a
report's page first being prepared comes back by itself too. The real queue and worker
(tests/worker.py); the polling scripts run under the site's Content Security Policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import axe_violations, describe, sign_in
from learnsurvey.web.dashboards.results import compute_wave_result
from learnsurvey.web.waves.models import Response
from personas import World, add_responses
from worker import queue, run_worker

pytestmark = pytest.mark.e2e


@pytest.fixture
def queued(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with queue(settings, monkeypatch):
        yield


def _answer(world: World, n: int, seed: int) -> None:
    # One key stage and gender: every batch of 10 or more is safe to publish (rule 9).
    add_responses(world.wave, world.aspen, n, seed=seed)
    add_responses(world.wave, world.birch, n, seed=seed + 100)
    Response.objects.update(key_stage="KS2", gender="girl")


def test_it_shows_the_new_figures_once_the_worker_has_made_them(
    desktop: Page, live_server: Any, live_world: World, queued: None
) -> None:
    page = desktop
    _answer(live_world, 20, seed=1)
    compute_wave_result(live_world.wave)
    _answer(live_world, 20, seed=2)
    sign_in(page, live_server.url, "sam")
    page.goto(f"{live_server.url}/dashboards/waves/{live_world.wave.pk}/schools/100001/")
    notice = page.get_by_role("status").filter(has_text="New answers are being added")
    expect(notice).to_be_visible()
    expect(page.get_by_text("20 pupils have answered.")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)

    run_worker()

    # The page asks every 5 seconds, then shows itself again with the new figures.
    expect(page.get_by_text("40 pupils have answered.")).to_be_visible(timeout=20_000)
    expect(notice).to_have_count(0)


def test_it_shows_a_report_page_once_it_is_prepared(
    desktop: Page, live_server: Any, live_world: World, queued: None
) -> None:
    page = desktop
    _answer(live_world, 20, seed=1)
    compute_wave_result(live_world.wave)
    sign_in(page, live_server.url, "sam")
    page.goto(f"{live_server.url}/reports/waves/{live_world.wave.pk}/schools/100001/view/")
    expect(page.get_by_text("is being prepared")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)

    run_worker()

    expect(page.get_by_text("is being prepared")).to_have_count(0, timeout=20_000)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aspen Primary")
