"""The Django admin: every model is there for platform admins, pupils' answers are read-only,
and an API token is shown once when it is issued."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from learnsurvey.web.accounts.models import ApiToken, Invitation, Role
from learnsurvey.web.waves.actions import do_submit_response
from learnsurvey.web.waves.models import Response
from personas import World

MODELS = [
    "accounts/user",
    "accounts/invitation",
    "accounts/apitoken",
    "schools/school",
    "schools/trust",
    "waves/wave",
    "waves/participation",
    "waves/registration",
    "waves/accesscode",
    "waves/response",
    "waves/waveresult",
]


def _store_response(world: World) -> Response:
    answers = {item.id: 3 for item in world.wave.instrument().items}
    return do_submit_response(world.wave, world.aspen, key=uuid.uuid4(), answers=answers).response


@pytest.mark.parametrize("model", MODELS)
def test_it_lists_every_model_for_platform_admins(client: Client, world: World, model: str) -> None:
    _store_response(world)
    Invitation.issue(email="x@example.org", role=Role.SCHOOL_LEADER, school=world.aspen)
    ApiToken.issue(world.sam, "mis")
    client.force_login(world.alice)
    response = client.get(f"/admin/{model}/")
    assert response.status_code == 200


def test_it_shows_places_taken_and_left(client: Client, world: World) -> None:
    client.force_login(world.alice)
    body = client.get(reverse("admin:waves_wave_changelist")).content.decode()
    assert re.search(r'class="field-taken">4<', body)
    assert re.search(r'class="field-left">496<', body)


def test_it_shows_users_with_role_and_scope(client: Client, world: World) -> None:
    client.force_login(world.alice)
    body = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "Trust leader" in body
    assert "Northern Lights Trust" in body
    page = client.get(reverse("admin:accounts_user_change", args=[world.sam.pk]))
    assert 'name="role"' in page.content.decode()


def test_it_keeps_pupils_answers_read_only(client: Client, world: World) -> None:
    stored = _store_response(world)
    client.force_login(world.alice)
    change = reverse("admin:waves_response_change", args=[stored.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert 'name="answers"' not in page.content.decode()
    client.post(change, {"answers": "1" * 36, "key_stage": "KS4"})
    refreshed = Response.objects.get(pk=stored.pk)
    assert refreshed.answers == stored.answers
    assert client.get(reverse("admin:waves_response_add")).status_code == 403
    delete = reverse("admin:waves_response_delete", args=[stored.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Response.objects.filter(pk=stored.pk).exists()


def test_it_shows_invitations_without_their_secret(client: Client, world: World) -> None:
    invitation, token = Invitation.issue(
        email="new@example.org", role=Role.SCHOOL_LEADER, school=world.aspen
    )
    client.force_login(world.alice)
    page = client.get(reverse("admin:accounts_invitation_change", args=[invitation.pk]))
    body = page.content.decode()
    assert invitation.token_hash in body
    assert token not in body
    assert 'name="email"' not in body  # read-only
    assert client.get(reverse("admin:accounts_invitation_add")).status_code == 403


def test_it_issues_an_api_token_and_shows_it_once(client: Client, world: World) -> None:
    client.force_login(world.alice)
    response = client.post(
        reverse("admin:accounts_apitoken_add"),
        {"user": world.sam.pk, "name": "MIS sync"},
        follow=True,
    )
    body = response.content.decode()
    match = re.search(r"(lsk_[A-Za-z0-9_-]+)", body)
    assert match is not None
    token = ApiToken.objects.get()
    assert token.name == "MIS sync"
    assert ApiToken.authenticate(match.group(1)) == world.sam
    page = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    assert match.group(1) not in page.content.decode()


def test_it_sends_anonymous_visitors_to_the_admin_login(client: Client, world: World) -> None:
    response = client.get(reverse("admin:waves_registration_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("persona", ["tess", "sam", "tom", "rita", "bob", "sara"])
def test_it_keeps_other_roles_out(client: Client, world: World, persona: str) -> None:
    client.force_login(getattr(world, persona))
    for model in MODELS:
        response = client.get(f"/admin/{model}/")
        assert response.status_code == 302, model
        assert response["Location"].startswith(reverse("admin:login"))
