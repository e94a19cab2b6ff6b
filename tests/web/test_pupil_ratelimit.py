"""Rate limits: a school behind one address is not locked out; a guessing network is."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from learnsurvey.web.pupil import ratelimit
from learnsurvey.web.waves.models import AccessCode, Response
from personas import World

SCHOOL = "198.51.100.10"
GUESSER = "203.0.113.66"


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> Iterator[None]:
    cache.clear()
    settings.CODE_FAILURES_PER_NETWORK = 5
    settings.CODE_FAILURE_WINDOW_SECONDS = 600
    yield
    cache.clear()


def _enter(client: Client, code: str, address: str) -> int:
    status: int = client.post("/", {"code": code}, REMOTE_ADDR=address).status_code
    return status


def _submit(client: Client, world: World, code: str, address: str) -> Any:
    body = {
        "key": str(uuid.uuid4()),
        "year_group": None,
        "gender": "",
        "language": "en",
        "answers": {item.id: 2 for item in world.wave.instrument().items},
    }
    return client.post(
        f"/s/{code}/responses",
        json.dumps(body),
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def test_it_keeps_a_whole_school_going_despite_typos(client: Client, world: World) -> None:
    code = world.aspen_code.code

    def other(char: str) -> str:  # a different character, whatever the random code holds
        return "3" if char == "2" else "2"

    typos = [
        "ZZZZZZZZZZ",
        code[:-1] + other(code[-1]),
        other(code[0]) + code[1:],
        code[:9],
        "HELLO",
    ]
    results = []
    for pupil in range(60):
        if pupil % 10 == 3:  # a few pupils mistype first
            results.append(_enter(client, typos[pupil // 10 % len(typos)], SCHOOL))
        results.append(_enter(client, code, SCHOOL))
        assert _submit(client, world, code, SCHOOL).status_code == 201
    assert results.count(302) == 60
    assert Response.objects.count() == 60


def test_it_blocks_a_guessing_network_but_not_its_known_code(client: Client, world: World) -> None:
    known = world.aspen_code.code
    assert _enter(client, known, GUESSER) == 302
    guesses = [
        _enter(client, f"{i:02d}".replace("0", "A").replace("1", "B") * 5, GUESSER)
        for i in range(8)
    ]
    assert guesses[:5] == [404] * 5
    assert set(guesses[5:]) == {429}
    # Even a real code it never used is refused while the network waits...
    assert _enter(client, world.cedar_code.code, GUESSER) == 429
    blocked = _submit(client, world, world.cedar_code.code, GUESSER)
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    # ...but the code it already used keeps working, page and submission alike.
    assert _enter(client, known, GUESSER) == 302
    assert client.get(f"/s/{known}/", REMOTE_ADDR=GUESSER).status_code == 200
    assert _submit(client, world, known, GUESSER).status_code == 201
    # Other networks are unaffected.
    assert _enter(client, world.cedar_code.code, SCHOOL) == 302


def test_it_counts_guesses_made_through_the_endpoint(client: Client, world: World) -> None:
    for _ in range(5):
        assert _submit(client, world, "ZZZZZZZZZZ", GUESSER).status_code == 404
    assert _submit(client, world, world.cedar_code.code, GUESSER).status_code == 429


def test_it_tells_the_pupil_to_wait(client: Client, world: World) -> None:
    for _ in range(5):
        _enter(client, "ZZZZZZZZZZ", GUESSER)
    response = client.post("/", {"code": "YYYYYYYYYY"}, REMOTE_ADDR=GUESSER)
    assert response.status_code == 429
    assert "Please wait" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_it_keeps_no_address_in_the_cache_keys(rf: Any) -> None:
    request = rf.get("/", REMOTE_ADDR=GUESSER)
    network = ratelimit.network_id(request)
    assert GUESSER not in network
    assert len(network) == 32
    assert network == ratelimit.network_id(rf.get("/", REMOTE_ADDR=GUESSER))
    assert network != ratelimit.network_id(rf.get("/", REMOTE_ADDR=SCHOOL))


def test_it_ignores_forwarded_addresses_unless_told_to_trust_them(rf: Any, settings: Any) -> None:
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=GUESSER)
    assert ratelimit.client_address(request) == "10.0.0.1"
    settings.PUPIL_TRUST_X_FORWARDED_FOR = True
    assert ratelimit.client_address(request) == GUESSER


def test_it_does_not_count_a_switched_off_code_as_a_guess(client: Client, world: World) -> None:
    AccessCode.objects.filter(pk=world.cedar_code.pk).update(active=False)
    for _ in range(8):
        assert _enter(client, world.cedar_code.code, SCHOOL) == 404
    assert _enter(client, world.aspen_code.code, SCHOOL) == 302


def test_every_worker_sees_the_same_count_without_redis(client: Client, world: World) -> None:
    for _ in range(5):
        assert _enter(client, "ZZZZZZZZZZ", GUESSER) == 404
    cache.clear()  # another worker's memory holds nothing: the count is not kept there
    assert _enter(client, "YYYYYYYYYY", GUESSER) == 429
    assert _submit(client, world, world.cedar_code.code, GUESSER).status_code == 429


def test_a_code_that_worked_through_the_endpoint_keeps_working_once_blocked(
    client: Client, world: World
) -> None:
    known = world.aspen_code.code
    assert _submit(client, world, "ZZZZZZZZZZ", GUESSER).status_code == 404
    assert _submit(client, world, known, GUESSER).status_code == 201  # remembered now
    for _ in range(4):
        _submit(client, world, "ZZZZZZZZZZ", GUESSER)
    assert _submit(client, world, world.cedar_code.code, GUESSER).status_code == 429
    assert _submit(client, world, known, GUESSER).status_code == 201
