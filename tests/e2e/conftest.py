"""Browser fixtures: Playwright driving Debian's Chromium (never a downloaded browser).

`make e2e-deps` installs /usr/bin/chromium (apt) and axe-core (npm) into .venv; the tests fail
rather than skip without them, because they are part of `make test`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to
# set up and check data are still synchronous, so Django's guard is lifted for this suite.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, sync_playwright

from personas import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("LEARNSURVEY_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = Path(os.environ.get("AXE_CORE_JS", ROOT / ".venv/node_modules/axe-core/axe.min.js"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: run `make e2e-deps` (installs Debian's chromium)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A phone-sized touch screen (390 × 844, like a small current phone)."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-GB"
    )
    page = context.new_page()
    refused = _csp_refusals(page)
    yield page
    context.close()
    assert not refused, "the Content Security Policy refused: " + "; ".join(refused)


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    """An old school PC's screen (1366 × 768)."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    page = context.new_page()
    refused = _csp_refusals(page)
    yield page
    context.close()
    assert not refused, "the Content Security Policy refused: " + "; ".join(refused)


def _csp_refusals(page: Page) -> list[str]:
    """What the browser refuses under the Content Security Policy while the test runs (an
    inline script, a script from elsewhere, eval): every browser test checks the policy."""
    refused: list[str] = []

    def heard(message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            refused.append(message.text[:300])

    page.on("console", heard)
    return refused


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 A/AA violations on the page as it is now."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} not found: run `make e2e-deps` (installs axe-core from npm)")
    # Evaluated through the DevTools protocol: a script tag would be an inline script, which
    # the site's Content Security Policy refuses.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    """A readable summary for an assertion message."""
    return json.dumps(
        [
            {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in violations
        ],
        indent=1,
    )


def sign_in(page: Page, base: str, username: str) -> None:
    """Sign in through the login page as a persona (every persona has the same password)."""
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
