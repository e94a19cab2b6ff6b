"""No copy of a page stays behind: a signed-in user's pages are private and never stored,
and on a shared tablet nothing of one pupil's answers comes back for the next."""

from __future__ import annotations

import re

from django.core.cache import cache
from django.test import Client

from personas import World, logged_in


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
