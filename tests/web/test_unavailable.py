"""A database that is not answering is a 503 with Retry-After (the pupils' client and API
callers retry with the same key), never a 500; any other error is still a 500."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError, ProgrammingError
from django.test import Client

from learnsurvey.web.accounts.models import ApiToken
from learnsurvey.web.pupil import endpoint
from learnsurvey.web.unavailable import is_database_unavailable
from learnsurvey.web.waves.models import Response
from personas import World

STARTING_UP = "the database system is starting up"


def _submit(world: World) -> Any:
    body = {
        "key": str(uuid.uuid4()),
        "answers": {item.id: 4 for item in world.wave.instrument().items},
    }
    client = Client(raise_request_exception=False)
    url = f"/s/{world.aspen_code.code}/responses"
    return client.post(url, json.dumps(body), content_type="application/json")


def _down(*args: Any, **kwargs: Any) -> Any:
    raise OperationalError(STARTING_UP)


def test_it_asks_a_pupil_to_retry_when_the_database_is_starting_up(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(endpoint, "store", _down)
    response = _submit(world)
    assert response.status_code == 503
    assert response["Retry-After"] == "3"
    assert "try again" in response.json()["error"]
    assert STARTING_UP not in response.content.decode()
    assert Response.objects.count() == 0


def test_it_answers_a_leaders_page_with_a_503_page_that_needs_no_database(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.sam)
    monkeypatch.setattr(SessionStore, "load", _down)  # the session is read from the database
    response = client.get("/dashboards/")
    assert response.status_code == 503
    assert response["Retry-After"] == "3"
    assert response["Cache-Control"] == "no-store"
    assert "Please try again in a moment" in response.content.decode()


def test_it_answers_the_api_in_json(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ApiToken, "authenticate", staticmethod(_down))
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/waves", HTTP_AUTHORIZATION="Bearer x")
    assert response.status_code == 503
    assert "try again" in response.json()["detail"]


def test_any_other_error_is_still_a_500(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(endpoint, "store", broken)
    assert _submit(world).status_code == 500


def test_it_tells_a_lost_connection_from_a_wrong_query() -> None:
    assert is_database_unavailable(OperationalError(STARTING_UP))
    assert not is_database_unavailable(ProgrammingError("no such column"))
    assert not is_database_unavailable(RuntimeError("a bug"))
    wrapped = RuntimeError("while reading the session")
    wrapped.__cause__ = OperationalError("server closed the connection unexpectedly")
    assert is_database_unavailable(wrapped)
