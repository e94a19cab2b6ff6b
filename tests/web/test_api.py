"""The JSON API: bearer tokens, the access rules of the pages, idempotent submission."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client

from learnsurvey.analysis.figures import school as school_figures
from learnsurvey.analysis.figures import trust as trust_figures
from learnsurvey.web.accounts.models import ApiToken, User
from learnsurvey.web.dashboards import payloads
from learnsurvey.web.waves.models import Participation, Response
from personas import ASPEN_ACCESS, World, add_responses
from staff_personas import add_staff_wave

BASE = "/api/v1"


def _get(client: Client, user: User | None, url: str) -> Any:
    headers = {}
    if user is not None:
        _token, secret = ApiToken.issue(user, "test")
        headers["Authorization"] = f"Bearer {secret}"
    return client.get(url, headers=headers)


def _post(client: Client, user: User, url: str, body: dict[str, Any]) -> Any:
    _token, secret = ApiToken.issue(user, "test")
    return client.post(
        url, body, content_type="application/json", headers={"Authorization": f"Bearer {secret}"}
    )


def _body(world: World, key: uuid.UUID | None = None, **change: Any) -> dict[str, Any]:
    answers = {item.id: 4 for item in world.wave.instrument().items}
    return {
        "key": str(key or uuid.uuid4()),
        "year_group": 5,
        "key_stage": "KS2",
        "gender": "girl",
        "language": "en-GB",
        "answers": answers,
    } | change


def test_it_serves_a_valid_openapi_schema(client: Client, world: World) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    assert {
        "/api/v1/waves",
        "/api/v1/waves/{wave_id}/schools/{urn}/results",
        "/api/v1/waves/{wave_id}/trusts/{trust_id}/results",
        "/api/v1/waves/{wave_id}/global",
        "/api/v1/waves/{wave_id}/schools/{urn}/responses",
    } <= set(paths)
    schemes = schema["components"]["securitySchemes"]
    assert any(s["type"] == "http" and s["scheme"] == "bearer" for s in schemes.values())
    for path in paths.values():
        for operation in path.values():
            assert operation["security"]


def test_it_serves_no_docs_page_from_a_cdn(client: Client, world: World) -> None:
    assert client.get("/api/docs").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/waves",
        "/waves/{wave}/schools/100001/results",
        "/waves/{wave}/trusts/{trust}/results",
        "/waves/{wave}/global",
    ],
)
def test_it_requires_a_token(client: Client, world: World, url: str) -> None:
    url = BASE + url.format(wave=world.wave.pk, trust=world.trust.pk)
    assert _get(client, None, url).status_code == 401
    bad = client.get(url, headers={"Authorization": "Bearer lsk_not-a-token"})
    assert bad.status_code == 401


def test_it_refuses_the_token_of_a_deactivated_user(client: Client, world: World) -> None:
    world.sam.is_active = False
    world.sam.save()
    assert _get(client, world.sam, f"{BASE}/waves").status_code == 401


@pytest.mark.parametrize(
    ("persona", "schools"),
    [
        ("alice", ["100001", "100002", "200001", "300001"]),
        ("tess", ["100001", "100002"]),
        ("sam", ["100001"]),
        ("tom", ["100001"]),
        ("rita", []),
        ("bob", ["200001"]),
    ],
)
def test_it_lists_the_waves_a_user_sees(
    client: Client, world: World, persona: str, schools: list[str]
) -> None:
    response = _get(client, getattr(world, persona), f"{BASE}/waves")
    assert response.status_code == 200
    [wave] = response.json()
    assert wave["id"] == world.wave.pk
    assert wave["is_open"] is True
    assert sorted(s["urn"] for s in wave["schools"]) == schools


def test_it_lists_no_wave_to_a_user_without_schools_in_it(client: Client, world: World) -> None:
    world.wave.participations.filter(school=world.cedar).delete()
    assert _get(client, world.sara, f"{BASE}/waves").json() == []


@pytest.mark.parametrize(("persona", "status"), ASPEN_ACCESS)
def test_it_serves_school_results_by_access(
    client: Client, world: World, persona: str, status: int
) -> None:
    url = f"{BASE}/waves/{world.wave.pk}/schools/{world.aspen.urn}/results"
    response = _get(client, getattr(world, persona), url)
    assert response.status_code == status
    if status == 200:
        assert isinstance(response.json(), dict)


def test_it_answers_404_for_unknown_or_absent_schools(client: Client, world: World) -> None:
    assert (
        _get(
            client, world.alice, f"{BASE}/waves/{world.wave.pk}/schools/999999/results"
        ).status_code
        == 404
    )
    assert (
        _get(
            client, world.alice, f"{BASE}/waves/{world.wave.pk + 9}/schools/100001/results"
        ).status_code
        == 404
    )
    world.wave.participations.filter(school=world.dale).delete()
    assert (
        _get(client, world.dev, f"{BASE}/waves/{world.wave.pk}/schools/300001/results").status_code
        == 404
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("tess", 200), ("bob", 404), ("sam", 404), ("tom", 404), ("rita", 404)],
)
def test_it_serves_trust_results_by_access(
    client: Client, world: World, persona: str, status: int
) -> None:
    url = f"{BASE}/waves/{world.wave.pk}/trusts/{world.trust.pk}/results"
    assert _get(client, getattr(world, persona), url).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("rita", 200), ("tess", 403), ("sam", 403), ("tom", 403), ("bob", 403)],
)
def test_it_serves_global_tables_to_researchers_and_admins(
    client: Client, world: World, persona: str, status: int
) -> None:
    url = f"{BASE}/waves/{world.wave.pk}/global"
    assert _get(client, getattr(world, persona), url).status_code == status


def test_it_stores_a_submission_once(client: Client, world: World) -> None:
    url = f"{BASE}/waves/{world.wave.pk}/schools/{world.aspen.urn}/responses"
    key = uuid.uuid4()
    first = _post(client, world.sam, url, _body(world, key))
    assert first.status_code == 201
    assert first.json() == {"status": "stored"}
    again = _post(client, world.sam, url, _body(world, key))
    assert again.status_code == 200
    assert again.json() == {"status": "already_stored"}
    stored = Response.objects.get()
    assert stored.source == Response.Source.API
    assert stored.school == world.aspen
    assert (stored.key_stage, stored.gender, stored.year_group) == ("KS2", "girl", 5)


def test_it_stores_a_staff_submission_with_its_role(client: Client, world: World) -> None:
    staff = add_staff_wave(world).staff_wave
    Participation.objects.get_or_create(wave=staff, school=world.aspen)
    url = f"{BASE}/waves/{staff.pk}/schools/{world.aspen.urn}/responses"
    answers = {item.id: 4 for item in staff.instrument().items}
    body = {"key": str(uuid.uuid4()), "role": "leader", "answers": answers}
    assert _post(client, world.sam, url, body).status_code == 201
    assert Response.objects.get().role == "leader"
    body = body | {"key": str(uuid.uuid4()), "role": "head"}
    refused = _post(client, world.sam, url, body)
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("role:")
    pupils = f"{BASE}/waves/{world.wave.pk}/schools/{world.aspen.urn}/responses"
    assert _post(client, world.sam, pupils, _body(world, role="teacher")).status_code == 400
    assert Response.objects.count() == 1


def test_it_explains_a_bad_submission(client: Client, world: World) -> None:
    url = f"{BASE}/waves/{world.wave.pk}/schools/{world.aspen.urn}/responses"
    response = _post(client, world.tess, url, _body(world, answers={"expectations_1": 9}))
    assert response.status_code == 400
    assert "whole number 1–5" in response.json()["detail"]
    response = _post(client, world.tess, url, _body(world, gender="x"))
    assert response.status_code == 400
    assert not Response.objects.exists()


@pytest.mark.parametrize("value", [True, "4", 3.0])
def test_it_refuses_answers_the_pupils_endpoint_refuses(
    client: Client, world: World, value: object
) -> None:
    url = f"{BASE}/waves/{world.wave.pk}/schools/{world.aspen.urn}/responses"
    response = _post(client, world.tess, url, _body(world, answers={"expectations_1": value}))
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"][-2:] == ["answers", "expectations_1"]
    assert set(error) == {"loc", "msg"}  # no "input": a refusal never echoes what was sent
    assert not Response.objects.exists()


def test_it_refuses_a_language_the_survey_lacks(client: Client, world: World) -> None:
    url = f"{BASE}/waves/{world.wave.pk}/schools/{world.aspen.urn}/responses"
    response = _post(client, world.tess, url, _body(world, language="x" * 10_000))
    assert response.status_code == 400
    assert response.json() == {"detail": "language: not one of this survey's languages"}
    assert _post(client, world.tess, url, _body(world, language="cy")).status_code == 201
    assert Response.objects.get().language == "cy"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("tom", 403), ("rita", 404), ("bob", 404), ("sara", 404), ("dev", 404)],
)
def test_it_refuses_submissions_from_others(
    client: Client, world: World, persona: str, status: int
) -> None:
    url = f"{BASE}/waves/{world.wave.pk}/schools/{world.aspen.urn}/responses"
    assert _post(client, getattr(world, persona), url, _body(world)).status_code == status
    assert not Response.objects.exists()


def test_it_refuses_submissions_without_a_token(client: Client, world: World) -> None:
    url = f"{BASE}/waves/{world.wave.pk}/schools/{world.aspen.urn}/responses"
    assert client.post(url, _body(world), content_type="application/json").status_code == 401
    assert not Response.objects.exists()


def test_it_refuses_a_school_outside_the_wave(client: Client, world: World) -> None:
    world.wave.participations.filter(school=world.dale).delete()
    url = f"{BASE}/waves/{world.wave.pk}/schools/{world.dale.urn}/responses"
    assert _post(client, world.dev, url, _body(world)).status_code == 404
    assert not Response.objects.exists()


def test_it_records_when_a_token_was_last_used(world: World, client: Client) -> None:
    token, secret = ApiToken.issue(world.sam, "MIS")
    assert token.last_used is None
    auth = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"{BASE}/waves", headers=auth).status_code == 200
    token.refresh_from_db()
    first = token.last_used
    assert first is not None
    client.get(f"{BASE}/waves", headers=auth)
    token.refresh_from_db()
    assert token.last_used == first  # not rewritten on every request


@pytest.mark.parametrize(
    ("shown", "figures"),
    [
        (payloads.ScoreFigure, school_figures.ScoreFigure),
        (payloads.CountFigure, school_figures.CountFigure),
        (payloads.GroupFigure, school_figures.GroupFigure),
        (payloads.EffectFigure, school_figures.EffectFigure),
        (payloads.ItemFigure, school_figures.ItemFigure),
        (payloads.ChangeFigure, school_figures.ChangeFigure),
        (payloads.HeatCell, trust_figures.HeatCell),
        (payloads.SpreadFigure, trust_figures.SpreadFigure),
        (payloads.TrustScore, trust_figures.TrustScore),
    ],
)
def test_it_shows_every_figure_of_the_contract(shown: type[Any], figures: type[Any]) -> None:
    # The API's models name the contract's figures; none may be dropped on the way.
    assert set(figures.model_fields) <= set(shown.model_fields)


def test_it_serves_the_schools_figures_with_their_names(client: Client, world: World) -> None:
    for school, n, seed in ((world.aspen, 40, 1), (world.birch, 30, 2), (world.cedar, 20, 3)):
        add_responses(world.wave, school, n, seed=seed)
    add_responses(world.wave, world.dale, 15, seed=4)
    url = f"{BASE}/waves/{world.wave.pk}/schools/{world.aspen.urn}/results"
    body = _get(client, world.sam, url).json()
    assert body["urn"] == world.aspen.urn
    assert body["n_responses"] == 40
    overall = next(s for s in body["scores"] if s["kind"] == "overall")
    assert overall["name"] == "Overall"
    assert overall["benchmark_mean"] is not None
    assert overall["band"] in {b.id for b in world.wave.instrument().bands}
    assert {b["name"] for b in overall["bands"]} == {b.name for b in world.wave.instrument().bands}
    assert body["headline"]["overall_band"] == overall["band"]
    assert set(body["headline"]["strengths"]) <= {s["score"] for s in body["scores"]}
