"""The API against its own OpenAPI schema (schemathesis, in process): for every operation,
generated parameters and bodies, once as generated and once with the path naming real
objects of the personas' world, as a platform admin. No answer is a 500, and every answer
(status, content type, body) is one the schema documents.

Not checked: that a request valid by the schema is accepted (a submission with no answer
is well-formed and still refused, 400, for its content), and, where the path was replaced by
real objects, that a generated invalid request is refused (its invalid path is gone)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from learnsurvey.web.accounts.models import ApiToken
from learnsurvey.web.wsgi import application
from personas import World, answer

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def admin_token(world: World) -> Iterator[str]:
    # Each WSGI request would close the test's database connection at its end (Django's
    # test client switches this off in the same way).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    answer(world)
    _token, secret = ApiToken.issue(world.alice, "schemathesis")
    yield secret
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _real_paths(world: World) -> dict[str, Any]:
    return {"wave_id": world.wave.pk, "urn": world.aspen.urn, "trust_id": world.trust.pk}


@pytest.mark.parametrize("real_paths", [False, True], ids=["generated", "real-paths"])
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_answer_is_documented_and_none_is_a_500(
    case: Any, admin_token: str, world: World, real_paths: bool
) -> None:
    excluded = [positive_data_acceptance]
    if real_paths and case.path_parameters:
        real = _real_paths(world)
        case.path_parameters = {k: real.get(k, v) for k, v in case.path_parameters.items()}
        excluded.append(negative_data_rejection)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {admin_token}"}, excluded_checks=excluded
    )
