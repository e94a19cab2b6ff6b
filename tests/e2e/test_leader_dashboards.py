"""Leaders read their dashboards in a real browser; axe-core checks them for WCAG 2.2 AA."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import axe_violations, describe, sign_in
from personas import World, add_responses

pytestmark = pytest.mark.e2e


@pytest.fixture
def answered(live_world: World) -> World:
    add_responses(live_world.wave, live_world.aspen, 60, seed=1)
    add_responses(live_world.wave, live_world.birch, 45, seed=2)
    add_responses(live_world.wave, live_world.cedar, 30, seed=3)
    return live_world


def test_it_lets_a_school_leader_read_the_school_dashboard(
    desktop: Page, live_server: Any, answered: World
) -> None:
    page = desktop
    sign_in(page, live_server.url, "sam")
    expect(page.get_by_role("heading", name="Dashboards", level=1)).to_be_visible()
    page.get_by_role("link", name="Aspen Primary").click()
    expect(page.get_by_role("heading", name="Aspen Primary", level=1)).to_be_visible()
    expect(page.get_by_text("60 pupils have answered.")).to_be_visible()
    # The headline comes first, in words; the long tables are folded away until asked for.
    glance = page.get_by_role("heading", name="At a glance", level=2)
    expect(glance).to_be_in_viewport()
    expect(page.get_by_role("heading", name="Strengths", level=3)).to_be_visible()
    expect(page.get_by_role("heading", name="Areas to work on", level=3)).to_be_visible()
    inst = answered.wave.instrument()
    table = page.get_by_role("table", name="Dimension scores against all schools")
    expect(table).to_be_hidden()
    page.get_by_text("Table: every score with its band and both benchmarks").click()
    for dim in inst.dimensions:
        expect(table.get_by_role("rowheader", name=dim.name, exact=True)).to_be_visible()
    first = table.get_by_role("row").nth(1)
    expect(first.get_by_role("cell").nth(0)).to_have_text("60")
    expect(first.get_by_role("cell").nth(1)).to_have_text(re.compile(r"^\d\.\d\d$"))
    chart = page.get_by_role("img", name=f"{inst.dimensions[0].name}: mean")
    expect(chart).to_be_visible()
    for summary in page.locator("details > summary").all():
        summary.click()  # every folded table open, so axe-core checks them too
    violations = axe_violations(page)
    assert not violations, describe(violations)
    # Breadcrumbs are a row of links, not a numbered list, on the report page too.
    page.get_by_role("link", name="Report (PDF)").click()
    crumbs = page.get_by_role("navigation", name="Breadcrumb").locator("ol")
    assert crumbs.evaluate("e => getComputedStyle(e).listStyleType") == "none"


def test_it_lets_a_trust_leader_compare_the_schools_accessibly(
    desktop: Page, live_server: Any, answered: World
) -> None:
    page = desktop
    sign_in(page, live_server.url, "tess")
    page.get_by_role("link", name="Northern Lights Trust").click()
    heatmap = page.get_by_role("table", name="Estimated mean by school and dimension")
    expect(heatmap.get_by_role("link", name="Aspen Primary")).to_be_visible()
    expect(heatmap.get_by_role("link", name="Birch Academy")).to_be_visible()
    expect(heatmap).not_to_contain_text("Cedar Primary")
    for band in answered.wave.instrument().bands:
        expect(page.locator(".key").first).to_contain_text(band.name)
    # The schools × dimensions table fits the 1366-px screen: no sideways scrolling.
    wrapper = page.locator(".table-scroll", has=heatmap)
    assert wrapper.evaluate("e => e.scrollWidth <= e.clientWidth")
    for summary in page.locator("details > summary").all():
        summary.click()
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_it_shows_a_trust_leader_the_schools_at_a_glance_on_the_home_page(
    desktop: Page, live_server: Any, answered: World
) -> None:
    page = desktop
    sign_in(page, live_server.url, "tess")
    glance = page.get_by_role("table", name="Each school's headline")
    expect(glance.get_by_role("rowheader", name="Aspen Primary")).to_be_visible()
    expect(glance.get_by_role("row").nth(1).get_by_role("cell").nth(0)).to_have_text("60")
    heatmap = page.get_by_role("table", name="Estimated mean by school and dimension")
    expect(heatmap.get_by_role("link", name="Birch Academy")).to_be_visible()
    assert page.locator(".table-scroll", has=heatmap).evaluate(
        "e => e.scrollWidth <= e.clientWidth"
    )
    violations = axe_violations(page)
    assert not violations, describe(violations)
