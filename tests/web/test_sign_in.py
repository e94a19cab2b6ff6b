"""Signing in: wrong passwords are throttled per username and network, without locking a
school out or the leader out from elsewhere."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from personas import PASSWORD, World

SCHOOL = "198.51.100.10"
ELSEWHERE = "192.0.2.44"


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> None:
    settings.SIGN_IN_FAILURES_PER_ACCOUNT = 5
    settings.SIGN_IN_FAILURES_PER_NETWORK = 12
    settings.SIGN_IN_FAILURE_WINDOW_SECONDS = 900


def _sign_in(username: str, password: str, address: str = SCHOOL) -> Any:
    client = Client(REMOTE_ADDR=address)
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_it_signs_in_with_the_right_password(world: World) -> None:
    response = _sign_in("sam", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:home")


def test_it_refuses_the_right_password_once_too_many_were_wrong(world: World) -> None:
    answers = [_sign_in("sam", f"guess {n}").status_code for n in range(8)]
    assert answers[:5] == [200] * 5  # the form again, "please enter a correct username..."
    assert set(answers[5:]) == {429}
    refused = _sign_in("sam", PASSWORD)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 900
    assert "Too many wrong passwords" in refused.content.decode()
    assert "_auth_user_id" not in refused.client.session


def test_it_keeps_colleagues_and_other_networks_going(world: World) -> None:
    for n in range(6):
        _sign_in("sam", f"guess {n}")
    assert _sign_in("tom", PASSWORD).status_code == 302  # a colleague at the same school
    assert _sign_in("sam", PASSWORD, ELSEWHERE).status_code == 302  # the leader at home


def test_a_network_spraying_one_password_over_many_accounts_waits(world: World) -> None:
    for name in ["sam", "tom", "tess", "rita", "bob", "sara", "dev", "alice"] * 2:
        _sign_in(name, "Summer2026!")
    assert _sign_in("dev", PASSWORD).status_code == 429
    assert _sign_in("dev", PASSWORD, ELSEWHERE).status_code == 302


def test_a_right_password_forgives_the_wrong_ones_before_it(world: World) -> None:
    for n in range(4):
        _sign_in("sam", f"guess {n}")
    assert _sign_in("sam", PASSWORD).status_code == 302
    for n in range(4):
        assert _sign_in("sam", f"again {n}").status_code == 200
    assert _sign_in("sam", PASSWORD).status_code == 302
