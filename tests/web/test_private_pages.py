"""No copy of a page stays behind: a signed-in user's pages are private and never stored,
and on a shared tablet nothing of one pupil's answers comes back for the next."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from personas import World, answer, logged_in


def _directives(response: object) -> set[str]:
    header = response["Cache-Control"]  # type: ignore[index]
    return {part.strip() for part in header.split(",")}


def test_every_signed_in_page_is_private_and_not_stored(world: World) -> None:
    client = logged_in(world.sam)
    for url in ("/dashboards/", f"/schools/{world.aspen.urn}/codes/", "/api/openapi.json"):
        response = client.get(url)
        assert {"private", "no-store"} <= _directives(response), url


def test_the_pupils_pages_are_never_stored(client: Client, world: World) -> None:
    cache.clear()
    code = world.aspen_code.code
    for url in (f"/s/{code}/", f"/s/{code}/about/?lang=en", f"/s/{code}/survey/?lang=en"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in _directives(response), url


def test_thank_you_offers_a_fresh_start_for_the_next_pupil(client: Client, world: World) -> None:
    cache.clear()
    code = world.aspen_code.code
    survey = client.get(f"/s/{code}/survey/?lang=cy").content.decode()
    thanks = re.search(r'data-thanks="([^"]+)"', survey)
    assert thanks is not None
    page = client.get(thanks.group(1).replace("&amp;", "&")).content.decode()
    assert f'href="/s/{code}/?lang=cy"' in page
    # Only a well-formed code is linked: nothing else a URL carries is echoed.
    other = client.get('/thanks/?lang=en&next="><script>x</script>').content.decode()
    assert "<script>x" not in other
    assert "Start again for the next person" not in other


def _script_src(response: Any) -> list[str]:
    policy = response["Content-Security-Policy"]
    (directive,) = [d.strip() for d in policy.split(";") if d.strip().startswith("script-src")]
    return directive.split()[1:]


def test_every_page_runs_only_the_platforms_own_scripts(world: World) -> None:
    for client, url in (
        (Client(), "/accounts/login/"),
        (Client(), f"/s/{world.aspen_code.code}/survey/?lang=en"),
        (logged_in(world.sam), "/dashboards/"),
    ):
        response = client.get(url)
        assert _script_src(response) == ["'self'"], url
        assert "<script>" not in response.content.decode(), url  # no inline script at all


def test_a_reports_own_chart_script_is_allowed_by_its_hash(world: World) -> None:
    answer(world)
    url = reverse("reports:school_view", args=[world.wave.pk, world.aspen.urn])
    response = logged_in(world.sam).get(url)
    assert response.status_code == 200
    sources = _script_src(response)
    assert sources[:2] == ["'self'", "'unsafe-eval'"]  # Vega compiles its expressions
    html = response.content.decode()
    inline = re.findall(r"<script defer>(.*?)</script>", html, re.S)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert sources[2:] == [f"'sha256-{digest}'"]
