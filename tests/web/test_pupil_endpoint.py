"""``POST /s/<code>/responses``: the submission contract the benchmark and the API rely on."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from learnsurvey.web.waves.actions import decode_answers
from learnsurvey.web.waves.models import AccessCode, Response
from personas import World


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    # Code look-ups and rate-limit counters live in the process-wide cache.
    cache.clear()
    yield
    cache.clear()


def _body(world: World, **change: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "key": str(uuid.uuid4()),
        "year_group": 5,
        "gender": "girl",
        "language": "cy",
        "answers": {item.id: 4 for item in world.wave.instrument().items},
    }
    return body | change


def _post(client: Client, code: str, body: object, **extra: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(f"/s/{code}/responses", data, content_type="application/json", **extra)


def test_it_stores_a_response_and_acknowledges_a_retry(client: Client, world: World) -> None:
    body = _body(world)
    first = _post(client, world.aspen_code.code, body)
    again = _post(client, world.aspen_code.code, body)
    assert first.status_code == 201
    assert first.json() == {"status": "stored"}
    assert again.status_code == 200
    assert again.json() == {"status": "already_stored"}
    stored = Response.objects.get()
    assert stored.school == world.aspen
    assert stored.wave == world.wave
    assert stored.key_stage == "KS2"
    assert stored.language == "cy"
    assert decode_answers(world.wave.instrument(), stored.answers) == body["answers"]


def test_it_stores_nothing_that_identifies_the_pupil(client: Client, world: World) -> None:
    _post(client, world.aspen_code.code, _body(world), REMOTE_ADDR="203.0.113.77")
    stored = Response.objects.values().get()
    assert not any("203.0.113" in str(value) for value in stored.values())
    fields = {f.name for f in Response._meta.get_fields()}
    assert not fields & {"ip", "ip_address", "address", "name", "pupil", "user", "session"}
    assert stored["submitted_hour"].minute == 0


def test_it_costs_one_insert_once_the_code_is_cached(client: Client, world: World) -> None:
    _post(client, world.aspen_code.code, _body(world))
    with CaptureQueriesContext(connection) as queries:
        response = _post(client, world.aspen_code.code, _body(world))
    assert response.status_code == 201
    sql = [q["sql"] for q in queries.captured_queries]
    statements = [s for s in sql if not s.upper().startswith(("SAVEPOINT", "RELEASE"))]
    # Without Redis the network's wrong codes are counted in a table every worker shares:
    # one read of it, then the one INSERT (with Redis, the read is in Redis).
    assert len(statements) == 2
    assert statements[0].upper().startswith("SELECT")
    assert '"learnsurvey_shared_cache"' in statements[0]
    assert statements[1].upper().startswith("INSERT")
    assert '"waves_response"' in statements[1]


def test_it_accepts_the_code_in_any_case(client: Client, world: World) -> None:
    assert _post(client, world.aspen_code.code.lower(), _body(world)).status_code == 201


def test_it_takes_the_year_group_from_the_code_when_none_is_given(
    client: Client, world: World
) -> None:
    assert _post(client, world.aspen_code.code, _body(world, year_group=None)).status_code == 201
    assert Response.objects.get().year_group == 5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"answers": {"nonsense_1": 3}}, "answers: 1 item id(s) not in this survey"),
        ({"answers": {"expectations_1": 9}}, "whole number"),
        ({"answers": {}}, "no item"),
        ({"answers": [1, 2]}, "answers must be"),
        ({"key": "not-a-uuid"}, "UUID"),
        ({"key": None}, "key"),
        ({"gender": "wizard"}, "gender: not one of"),
        ({"language": "xx"}, "language: not one of"),
        ({"gender": 0}, "gender must be a string"),
        ({"gender": False}, "gender must be a string"),
        ({"gender": []}, "gender must be a string"),
        ({"gender": {}}, "gender must be a string"),
        ({"language": 0}, "language must be a string"),
        ({"language": []}, "language must be a string"),
        ({"role": 1}, "role must be a string"),
        ({"year_group": 9}, "does not match"),
        ({"year_group": "5"}, "year_group"),
    ],
)
def test_it_rejects_invalid_input(
    client: Client, world: World, change: dict[str, Any], message: str
) -> None:
    response = _post(client, world.aspen_code.code, _body(world, **change))
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert Response.objects.count() == 0


@pytest.mark.parametrize("body", ["{not json", "[]", "", '"text"', b"\xff\xfe{"])
def test_it_rejects_malformed_json(client: Client, world: World, body: str | bytes) -> None:
    response = _post(client, world.aspen_code.code, body)
    assert response.status_code == 400
    assert "error" in response.json()


@pytest.mark.parametrize("body", ["[" * 100_000, '{"a":' * 50_000])
def test_it_refuses_a_deeply_nested_body_with_a_400(
    client: Client, world: World, body: str
) -> None:
    response = _post(client, world.aspen_code.code, body)
    assert response.status_code == 400
    assert response.json() == {"error": "the body nests too deeply"}
    assert Response.objects.count() == 0


def test_it_names_the_field_without_echoing_a_huge_value(client: Client, world: World) -> None:
    huge = "x" * 1_000_000
    for change in ({"gender": huge}, {"language": huge}, {"answers": {huge: 3}}):
        response = _post(client, world.aspen_code.code, _body(world, **change))
        assert response.status_code == 400
        assert len(response.content) < 200
        assert "xxxxxxxxxx" not in response.json()["error"]
    assert Response.objects.count() == 0


def test_it_refuses_a_body_too_large_as_json_and_closes_the_connection(
    client: Client, world: World, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = _post(client, world.aspen_code.code, _body(world, gender="x" * 2_000))
    assert response.status_code == 413
    assert response.json() == {"error": "the body is too large"}
    assert response["Connection"] == "close"
    assert Response.objects.count() == 0


def test_it_answers_404_for_an_unknown_code(client: Client, world: World) -> None:
    response = _post(client, "ZZZZZZZZZZ", _body(world))
    assert response.status_code == 404
    assert "error" in response.json()


def test_it_answers_404_for_a_switched_off_code(client: Client, world: World) -> None:
    AccessCode.objects.filter(pk=world.aspen_code.pk).update(active=False)
    assert _post(client, world.aspen_code.code, _body(world)).status_code == 404
    assert Response.objects.count() == 0


def test_it_answers_404_once_the_wave_has_closed(client: Client, world: World) -> None:
    world.wave.closes = world.wave.opens + timedelta(days=1)
    world.wave.save()
    assert _post(client, world.aspen_code.code, _body(world)).status_code == 404
    assert Response.objects.count() == 0


def test_it_needs_no_csrf_token_or_session(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    response = _post(client, world.aspen_code.code, _body(world))
    assert response.status_code == 201
    assert "sessionid" not in response.cookies
    assert "csrftoken" not in response.cookies


def test_it_only_takes_post(client: Client, world: World) -> None:
    assert client.get(f"/s/{world.aspen_code.code}/responses").status_code == 405


def test_it_limits_submissions_per_code_per_minute(
    client: Client, world: World, settings: Any
) -> None:
    settings.SUBMISSIONS_PER_CODE_PER_MINUTE = 3
    statuses = [_post(client, world.aspen_code.code, _body(world)).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    limited = _post(client, world.aspen_code.code, _body(world))
    assert limited.status_code == 429
    assert "error" in limited.json()
    assert 1 <= int(limited["Retry-After"]) <= 60
    # Other codes are not held back by a busy one.
    assert _post(client, world.cedar_code.code, _body(world, year_group=4)).status_code == 201


def test_it_refuses_a_year_group_outside_the_schools_phase(client: Client, world: World) -> None:
    code = AccessCode.objects.create(wave=world.wave, school=world.cedar)  # a primary school
    refused = _post(client, code.code, _body(world, year_group=10))
    assert refused.status_code == 400
    assert refused.json() == {"error": "year_group: not a year group of this school's phase"}
    assert _post(client, code.code, _body(world, year_group=6)).status_code == 201
