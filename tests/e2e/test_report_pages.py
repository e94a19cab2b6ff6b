"""A school leader reads the school's report on the web and asks for its PDF in a real
browser; axe-core checks both pages for WCAG 2.2 A/AA."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import axe_violations, describe, sign_in
from learnsurvey.web.reports import prepared
from personas import World, add_responses

pytestmark = pytest.mark.e2e


@pytest.fixture
def answered(live_world: World, settings: Any, tmp_path: Any) -> World:
    settings.DATA_DIR = tmp_path
    prepared.clear()
    add_responses(live_world.wave, live_world.aspen, 60, seed=1)
    add_responses(live_world.wave, live_world.birch, 45, seed=2)
    add_responses(live_world.wave, live_world.cedar, 30, seed=3)
    add_responses(live_world.wave, live_world.dale, 25, seed=4)
    return live_world


def test_a_leader_reads_the_report_and_gets_the_pdf_accessibly(
    desktop: Page, live_server: Any, answered: World
) -> None:
    page = desktop
    page.set_default_timeout(120_000)  # the first report of a wave is built on request
    sign_in(page, live_server.url, "sam")
    expect(page.get_by_role("heading", name="Dashboards", level=1)).to_be_visible()
    page.goto(f"{live_server.url}/dashboards/waves/{answered.wave.pk}/schools/100001/")
    page.get_by_role("link", name="Report (PDF)").click()
    expect(page.get_by_role("heading", name="School report: Aspen Primary")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.get_by_role("button", name="Make the PDF").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Your report is ready.")
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename == "school-aspen-primary.pdf"

    page.goto(f"{live_server.url}/reports/waves/{answered.wave.pk}/schools/100001/view/")
    expect(page.get_by_role("heading", name="Aspen Primary", level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_the_status_page_of_a_run_in_progress_is_accessible(
    desktop: Page, live_server: Any, answered: World
) -> None:
    from learnsurvey.web.reports.models import ReportRun

    run = ReportRun.objects.create(
        kind=ReportRun.Kind.SCHOOL,
        wave=answered.wave,
        target=answered.aspen.urn,
        requested_by=answered.sam,
        status=ReportRun.Status.RUNNING,
    )
    page = desktop
    sign_in(page, live_server.url, "sam")
    expect(page.get_by_role("heading", name="Dashboards", level=1)).to_be_visible()
    page.goto(f"{live_server.url}/reports/runs/{run.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Your report is being made.")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    # The page polls: when the run is done, the live region shows the links without a reload.
    ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.Status.FAILED, error="Test.")
    expect(page.get_by_role("status")).to_contain_text("could not be made", timeout=15_000)
