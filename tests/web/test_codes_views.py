"""Access-code pages: leaders list, create, switch off (after a confirmation) and on again;
teachers see and print their school's codes; the printable sheet."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache, caches
from django.test import Client
from django.utils import timezone

from learnsurvey.web.accounts.models import User
from learnsurvey.web.waves.actions import (
    access_code_cache_key,
    do_create_access_codes,
    do_deactivate_access_code,
)
from learnsurvey.web.waves.models import CODE_ALPHABET, AccessCode, Wave
from personas import World


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    # Code look-ups and rate-limit counters live in the process-wide cache.
    cache.clear()
    yield
    cache.clear()


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _urls(world: World) -> dict[str, str]:
    urn = world.aspen.urn
    return {
        "list": f"/schools/{urn}/codes/",
        "sheet": f"/schools/{urn}/codes/sheet/",
        "deactivate": f"/schools/{urn}/codes/{world.aspen_code.pk}/deactivate/",
    }


def test_it_lists_the_schools_codes_for_its_leader(world: World) -> None:
    response = _client(world.sam).get(_urls(world)["list"])
    assert response.status_code == 200
    page = response.content.decode()
    assert world.aspen_code.display in page
    assert world.cedar_code.display not in page
    assert "Phase Two" in page


@pytest.mark.parametrize("who", ["sam", "tess", "alice"])
def test_it_lets_leaders_of_the_school_create_a_code(world: World, who: str) -> None:
    response = _client(getattr(world, who)).post(
        _urls(world)["list"], {"wave": world.wave.pk, "label": "6B", "year_group": "6"}
    )
    assert response.status_code == 302
    code = AccessCode.objects.get(label="6B")
    assert code.school == world.aspen
    assert code.year_group == 6
    assert len(code.code) == 10
    assert set(code.code) <= set(CODE_ALPHABET)


def test_it_creates_one_code_per_chosen_year_group(world: World) -> None:
    response = _client(world.sam).post(
        _urls(world)["list"], {"wave": world.wave.pk, "per_year_group": ["3", "4"]}
    )
    assert response.status_code == 302
    made = AccessCode.objects.filter(school=world.aspen).exclude(pk=world.aspen_code.pk)
    assert sorted((c.year_group, c.label) for c in made) == [(3, "Year 3"), (4, "Year 4")]


def test_it_creates_a_whole_school_code_without_a_year_group(world: World) -> None:
    _client(world.sam).post(_urls(world)["list"], {"wave": world.wave.pk})
    made = AccessCode.objects.filter(school=world.aspen).exclude(pk=world.aspen_code.pk).get()
    assert made.year_group is None
    assert made.label == ""


def test_it_refuses_a_wave_the_school_does_not_take_part_in(world: World) -> None:
    today = timezone.localdate()
    other = Wave.objects.create(
        name="Elsewhere",
        instrument_id=world.wave.instrument_id,
        instrument_version=world.wave.instrument_version,
        opens=today,
        closes=today + timedelta(days=5),
    )
    response = _client(world.sam).post(_urls(world)["list"], {"wave": other.pk, "label": "x"})
    assert response.status_code == 400
    assert not AccessCode.objects.filter(label="x").exists()
    with pytest.raises(ValueError, match="does not take part"):
        do_create_access_codes(other, world.aspen, [("x", None)])


def test_it_asks_before_switching_a_code_off(world: World) -> None:
    page = _client(world.sam).get(_urls(world)["deactivate"])
    assert page.status_code == 200
    assert f"Switch off code {world.aspen_code.display}?" in page.content.decode()
    world.aspen_code.refresh_from_db()
    assert world.aspen_code.active  # asking changes nothing


def test_it_switches_a_code_off(world: World) -> None:
    response = _client(world.sam).post(_urls(world)["deactivate"])
    assert response.status_code == 302
    world.aspen_code.refresh_from_db()
    assert not world.aspen_code.active
    # Pupils are refused at once: the cached look-up was dropped.
    assert Client().get(f"/s/{world.aspen_code.code}/").status_code == 404


def test_it_prints_a_sheet_with_code_link_and_qr(world: World, settings: object) -> None:
    setattr(settings, "SITE_ROOT", "https://survey.example.org")  # noqa: B010
    response = _client(world.sam).get(_urls(world)["sheet"])
    assert response.status_code == 200
    page = response.content.decode()
    assert world.aspen_code.display in page
    assert f"https://survey.example.org/s/{world.aspen_code.code}/" in page
    assert 'class="segno"' in page  # the QR code, inline SVG
    assert "Aspen Primary" in page
    assert "Year 5" in page
    assert world.cedar_code.display not in page


def test_it_leaves_switched_off_codes_off_the_sheet(world: World) -> None:
    AccessCode.objects.filter(pk=world.aspen_code.pk).update(active=False)
    response = _client(world.sam).get(_urls(world)["sheet"])
    assert world.aspen_code.display not in response.content.decode()
    one = _client(world.sam).get(_urls(world)["sheet"] + f"?code={world.aspen_code.pk}")
    assert one.status_code == 404


@pytest.mark.parametrize("page", ["list", "sheet"])
def test_it_sends_anonymous_visitors_to_sign_in(world: World, page: str) -> None:
    response = _client(None).get(_urls(world)[page])
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_sends_anonymous_visitors_to_sign_in_before_switching_off(world: World) -> None:
    response = _client(None).post(_urls(world)["deactivate"])
    assert response.status_code == 302
    world.aspen_code.refresh_from_db()
    assert world.aspen_code.active


def test_it_switches_a_code_on_again(world: World, django_capture_on_commit_callbacks: Any) -> None:
    client = _client(world.sam)
    client.post(_urls(world)["deactivate"])
    assert Client().get(f"/s/{world.aspen_code.code}/").status_code == 404  # now cached
    url = f"/schools/{world.aspen.urn}/codes/{world.aspen_code.pk}/activate/"
    with django_capture_on_commit_callbacks(execute=True):  # drops the cached look-up
        assert client.post(url).status_code == 302
    world.aspen_code.refresh_from_db()
    assert world.aspen_code.active
    assert Client().get(f"/s/{world.aspen_code.code}/").status_code == 200


@pytest.mark.parametrize("page", ["list", "sheet"])
def test_a_teacher_sees_and_prints_the_schools_codes(world: World, page: str) -> None:
    response = _client(world.tom).get(_urls(world)[page])
    assert response.status_code == 200
    text = response.content.decode()
    assert world.aspen_code.display in text
    assert world.cedar_code.display not in text
    assert "Create access codes" not in text
    assert "Switch off" not in text


def test_a_teacher_may_not_create_or_switch_codes(world: World) -> None:
    client = _client(world.tom)
    created = client.post(_urls(world)["list"], {"wave": world.wave.pk, "label": "sneaky"})
    assert created.status_code == 403
    assert client.get(_urls(world)["deactivate"]).status_code == 403
    assert client.post(_urls(world)["deactivate"]).status_code == 403
    url = f"/schools/{world.aspen.urn}/codes/{world.aspen_code.pk}/activate/"
    assert client.post(url).status_code == 403
    assert not AccessCode.objects.filter(label="sneaky").exists()
    world.aspen_code.refresh_from_db()
    assert world.aspen_code.active


@pytest.mark.parametrize("who", ["sara", "bob", "rita", "dev"])
@pytest.mark.parametrize("page", ["list", "sheet", "deactivate"])
def test_it_hides_the_codes_from_others(world: World, who: str, page: str) -> None:
    response = _client(getattr(world, who)).get(_urls(world)[page])
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["sara", "bob", "rita"])
def test_it_lets_no_one_else_create_or_switch_off(world: World, who: str) -> None:
    client = _client(getattr(world, who))
    created = client.post(_urls(world)["list"], {"wave": world.wave.pk, "label": "sneaky"})
    switched = client.post(_urls(world)["deactivate"])
    assert created.status_code == 404
    assert switched.status_code == 404
    assert not AccessCode.objects.filter(label="sneaky").exists()
    world.aspen_code.refresh_from_db()
    assert world.aspen_code.active


def test_it_will_not_switch_off_another_schools_code_through_ones_own(world: World) -> None:
    url = f"/schools/{world.aspen.urn}/codes/{world.cedar_code.pk}/deactivate/"
    assert _client(world.sam).post(url).status_code == 404
    world.cedar_code.refresh_from_db()
    assert world.cedar_code.active


def test_it_prints_the_codes_of_one_wave(world: World) -> None:
    client = _client(world.sam)
    sheet = client.get(_urls(world)["sheet"] + f"?wave={world.wave.pk}")
    assert world.aspen_code.display in sheet.content.decode()
    assert client.get(_urls(world)["sheet"] + "?wave=999999").status_code == 404
    assert client.get(_urls(world)["sheet"] + "?wave=abc").status_code == 404


def test_a_switched_off_code_is_off_for_every_worker_at_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    code = world.aspen_code.code
    key = access_code_cache_key(code)
    assert Client().get(f"/s/{code}/").status_code == 200
    # Its record is cached where every worker reads it, not in one worker's memory.
    assert caches["shared"].get(key) is not None
    assert cache.get(key) is None
    with django_capture_on_commit_callbacks(execute=True):
        do_deactivate_access_code(world.aspen_code)
    assert caches["shared"].get(key) is None
    assert Client().get(f"/s/{code}/").status_code == 404
