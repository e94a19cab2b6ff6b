"""Bad input, generated: whatever a client sends to the pupils' endpoint or the API, and
whatever a CSV holds, the answer is a clear 4xx (or a row-numbered ImportRejected), never a
500, and nothing is partly stored."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnsurvey.web.accounts.models import ApiToken
from learnsurvey.web.schools.imports import do_import_outcomes
from learnsurvey.web.schools.models import OutcomeValue, School, SchoolYear
from learnsurvey.web.waves.imports import ImportRejected, do_import_schools
from learnsurvey.web.waves.models import Response
from personas import World

EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PUPIL_STATUSES = {200, 201, 400, 404, 413, 429}
API_STATUSES = {200, 201, 400, 404, 413, 422}

ITEMS = ["expectations_1", "challenge_1", "school_is_safe_4"]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
answers = st.dictionaries(
    st.sampled_from(ITEMS) | st.text(max_size=12),
    st.integers(min_value=-3, max_value=12) | json_values,
    max_size=5,
)
bodies = st.fixed_dictionaries(
    {},
    optional={
        "key": st.uuids().map(str) | json_values,
        "year_group": st.integers(min_value=-2, max_value=20) | json_values,
        "key_stage": st.sampled_from(["KS2", "KS3", "KS9", ""]) | json_values,
        "gender": st.sampled_from(["girl", "boy", "wizard", ""]) | json_values,
        "language": st.sampled_from(["en", "cy", "ur", "xx"]) | json_values,
        "role": st.sampled_from(["", "teacher"]) | json_values,
        "answers": answers | json_values,
    },
)
raw_bodies = st.binary(max_size=300) | st.text(max_size=300).map(str.encode)


def _stored_unless_created(before: int, status: int) -> None:
    after = Response.objects.count()
    assert after == before + (1 if status == 201 else 0)


@EXAMPLES
@given(body=bodies)
def test_the_pupils_endpoint_never_fails_on_a_json_body(world: World, body: dict[str, Any]) -> None:
    client = Client(raise_request_exception=False)
    before = Response.objects.count()
    response = client.post(
        f"/s/{world.aspen_code.code}/responses", json.dumps(body), content_type="application/json"
    )
    assert response.status_code in PUPIL_STATUSES, response.content[:300]
    assert "error" in response.json() or response.status_code in (200, 201)
    _stored_unless_created(before, response.status_code)


@EXAMPLES
@given(raw=raw_bodies, content_type=st.sampled_from(["application/json", "text/plain", ""]))
def test_the_pupils_endpoint_never_fails_on_raw_bytes(
    world: World, raw: bytes, content_type: str
) -> None:
    client = Client(raise_request_exception=False)
    before = Response.objects.count()
    response = client.post(f"/s/{world.aspen_code.code}/responses", raw, content_type=content_type)
    assert response.status_code in PUPIL_STATUSES
    _stored_unless_created(before, response.status_code)


@EXAMPLES
@given(body=bodies)
def test_the_api_never_fails_on_a_submission(world: World, body: dict[str, Any]) -> None:
    _token, secret = ApiToken.issue(world.sam, f"fuzz {uuid.uuid4()}")
    client = Client(raise_request_exception=False)
    before = Response.objects.count()
    response = client.post(
        f"/api/v1/waves/{world.wave.pk}/schools/{world.aspen.urn}/responses",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code in API_STATUSES, response.content[:300]
    _stored_unless_created(before, response.status_code)


cells = st.text(max_size=12) | st.sampled_from(["100001", "2025/26", "61.5", "-1", "", "=1+1"])


@st.composite
def csv_texts(draw: st.DrawFn, headers: list[str]) -> str:
    header = draw(st.permutations(headers).map(list) | st.lists(st.text(max_size=8), max_size=4))
    rows = draw(st.lists(st.lists(cells, min_size=len(header), max_size=len(header)), max_size=4))
    quote = draw(st.booleans())

    def line(values: list[str]) -> str:
        if quote:
            return ",".join('"' + v.replace('"', '""') + '"' for v in values)
        return ",".join(values)

    return "\n".join(line(r) for r in [header, *rows])


def _refusal(do_import: Callable[[str], object], text: str) -> str | None:
    """The refusal's message when ``do_import`` refuses ``text`` (None when it imports it);
    anything but ImportRejected propagates and fails the test."""
    try:
        do_import(text)
    except ImportRejected as rejected:
        return str(rejected)
    return None


SCHOOL_HEADERS = ["urn", "name", "phase", "trust", "region", "fsm_pct"]
OUTCOME_HEADERS = ["urn", "year", "measure", "unit", "value"]


@EXAMPLES
@given(text=csv_texts(SCHOOL_HEADERS) | st.text(max_size=200))
def test_a_schools_file_is_imported_whole_or_refused_by_row(world: World, text: str) -> None:
    before = list(School.objects.order_by("pk").values())
    refusal = _refusal(do_import_schools, text)
    if refusal is not None:
        assert refusal
        assert list(School.objects.order_by("pk").values()) == before  # nothing partly stored


@EXAMPLES
@given(text=csv_texts(OUTCOME_HEADERS) | st.text(max_size=200))
def test_an_outcomes_file_is_imported_whole_or_refused_by_row(world: World, text: str) -> None:
    before = (OutcomeValue.objects.count(), SchoolYear.objects.count())
    refusal = _refusal(do_import_outcomes, text)
    if refusal is not None:
        assert refusal
        assert (OutcomeValue.objects.count(), SchoolYear.objects.count()) == before


def test_a_file_with_old_mac_line_endings_is_read(world: World) -> None:
    text = "urn,name,phase\r400100,Elm Primary,primary\r400101,Oak Academy,secondary\r"
    assert do_import_schools(text).created == 2


def test_a_file_the_csv_module_cannot_read_is_refused_by_line(world: World) -> None:
    too_long = "x" * 200_000  # over the csv module's field size limit
    refusal = _refusal(do_import_schools, f"urn,name,phase\n400100,{too_long},primary\n")
    assert refusal is not None
    assert "not valid CSV" in refusal
    assert too_long not in refusal
