"""Joining a wave: public registration, admin approval or decline, the emailed invitation."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from learnsurvey.web.accounts.models import Invitation, Role, User
from learnsurvey.web.schools.models import School, Trust
from learnsurvey.web.waves.models import Participation, Registration
from learnsurvey.web.waves.registrations import (
    RegistrationRefused,
    do_approve_registration,
    do_decline_registration,
)
from personas import World

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]

SCHOOL = {
    "kind": "school",
    "school_name": "Elm Primary",
    "urn": "400001",
    "phase": "primary",
    "trust_name": "",
    "contact_name": "Erin Head",
    "contact_email": "erin@elm.example.org",
}


def _register(client: Client, world: World, **change: str) -> Any:
    return client.post(reverse("waves:register", args=[world.wave.pk]), SCHOOL | change)


def _approve_in_admin(client: Client, world: World, registration: Registration) -> Any:
    client.force_login(world.alice)
    return client.post(
        reverse("admin:waves_registration_changelist"),
        {"action": "approve", "_selected_action": [registration.pk]},
        follow=True,
    )


def test_it_shows_the_places_left(client: Client, world: World) -> None:
    world.wave.places = 10
    world.wave.save()
    page = client.get(reverse("waves:register", args=[world.wave.pk]))
    assert page.status_code == 200
    assert "6 of 10 places left" in page.content.decode()


def test_it_records_a_school_registration_and_thanks(client: Client, world: World) -> None:
    response = _register(client, world)
    assert response.status_code == 302
    assert response["Location"] == reverse("waves:registered", args=[world.wave.pk])
    registration = Registration.objects.get()
    assert registration.status == Registration.Status.PENDING
    assert registration.urn == "400001"
    assert registration.kind == Registration.Kind.SCHOOL
    thanks = client.get(response["Location"])
    assert "Thank you for registering" in thanks.content.decode()
    assert "496 of 500 places left" in thanks.content.decode()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"urn": "12ab"}, "urn", "5 to 8 digits"),
        ({"urn": ""}, "urn", "Enter the school"),
        ({"school_name": ""}, "school_name", "Enter the school"),
        ({"phase": "nursery"}, "phase", "Select a valid choice"),
        ({"contact_email": "not-an-email"}, "contact_email", "valid email"),
        ({"urn": "100001"}, "urn", "already registered"),
        ({"kind": "trust", "trust_name": ""}, "trust_name", "Enter the trust"),
    ],
)
def test_it_explains_what_is_wrong(
    client: Client, world: World, change: dict[str, str], field: str, message: str
) -> None:
    response = _register(client, world, **change)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert 'role="alert"' in response.content.decode()
    assert not Registration.objects.exists()


def test_it_refuses_registration_when_the_wave_is_full(client: Client, world: World) -> None:
    world.wave.places = 4  # the four persona schools take them all
    world.wave.save()
    page = client.get(reverse("waves:register", args=[world.wave.pk]))
    assert "All the places" in page.content.decode()
    _register(client, world)
    assert not Registration.objects.exists()


def test_it_refuses_registration_when_closed(client: Client, world: World) -> None:
    world.wave.registration_open = False
    world.wave.save()
    response = _register(client, world)
    assert response.status_code == 200
    assert "Registration is closed" in response.content.decode()
    assert not Registration.objects.exists()


def test_it_answers_404_for_an_unknown_wave(client: Client, world: World) -> None:
    assert client.get(reverse("waves:register", args=[world.wave.pk + 99])).status_code == 404


def test_it_goes_from_registration_to_a_school_leader_account(
    client: Client, world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    _register(client, world, trust_name="Northern Lights Trust")
    registration = Registration.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        page = _approve_in_admin(client, world, registration)
    assert "1 registration approved" in page.content.decode()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.APPROVED
    school = School.objects.get(urn="400001")
    assert school.trust == world.trust  # linked to the existing trust by name
    assert Participation.objects.filter(wave=world.wave, school=school).exists()
    assert world.wave.places_left == 495

    [email] = mail.outbox
    assert email.to == ["erin@elm.example.org"]
    assert "Phase Two" in email.subject
    link = re.search(r"http://\S+/accounts/invitation/(\S+)/", email.body)
    assert link is not None

    client.logout()
    invite_path = reverse("accounts:accept_invitation", args=[link.group(1)])
    response = client.post(
        invite_path,
        {"new_password1": "a long new password 42", "new_password2": "a long new password 42"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:home")
    user = User.objects.get(email="erin@elm.example.org")
    assert user.role == Role.SCHOOL_LEADER
    assert user.school == school
    assert client.get(reverse("dashboards:home")).status_code == 200


def test_it_invites_a_trust_leader_for_a_trust_registration(
    client: Client, world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    _register(client, world, kind="trust", trust_name="Oak Valley Trust", urn="", school_name="")
    registration = Registration.objects.get()
    assert registration.kind == Registration.Kind.TRUST
    with django_capture_on_commit_callbacks(execute=True):
        do_approve_registration(registration)
    trust = Trust.objects.get(name="Oak Valley Trust")
    invitation = Invitation.objects.get()
    assert invitation.role == Role.TRUST_LEADER
    assert invitation.trust == trust
    assert invitation.school is None
    assert world.wave.places_left == 496  # a trust takes no place; its schools do
    assert len(mail.outbox) == 1


def test_it_refuses_approval_when_the_wave_is_full(
    client: Client, world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    _register(client, world)
    world.wave.places = 4
    world.wave.save()
    registration = Registration.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        page = _approve_in_admin(client, world, registration)
    assert "No places are left" in page.content.decode()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    assert not School.objects.filter(urn="400001").exists()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_it_declines_without_email(
    client: Client, world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    _register(client, world)
    registration = Registration.objects.get()
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:waves_registration_changelist"),
            {"action": "decline", "_selected_action": [registration.pk]},
        )
    registration.refresh_from_db()
    assert registration.status == Registration.Status.DECLINED
    assert mail.outbox == []
    assert not School.objects.filter(urn="400001").exists()
    with pytest.raises(RegistrationRefused, match="already been decided"):
        do_approve_registration(registration)
    with pytest.raises(RegistrationRefused, match="already been decided"):
        do_decline_registration(registration)


@pytest.mark.parametrize("persona", ["tess", "sam", "tom", "rita", "bob", "sara"])
def test_it_lets_only_platform_admins_decide(client: Client, world: World, persona: str) -> None:
    _register(client, world)
    registration = Registration.objects.get()
    client.force_login(getattr(world, persona))
    response = client.post(
        reverse("admin:waves_registration_changelist"),
        {"action": "approve", "_selected_action": [registration.pk]},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING


def test_it_limits_registrations_from_one_network(
    client: Client, world: World, settings: Any
) -> None:
    settings.REGISTRATIONS_PER_NETWORK_PER_HOUR = 2
    for n in range(2):
        assert _register(client, world, urn=f"40000{n + 2}").status_code == 302
    refused = _register(client, world, urn="400009")
    assert refused.status_code == 429
    assert "Too many registrations" in refused.content.decode()
    assert not Registration.objects.filter(urn="400009").exists()
    other = Client(REMOTE_ADDR="192.0.2.7")  # another network is not affected
    assert _register(other, world, urn="400010").status_code == 302


def _confirm_url(registration: Registration) -> str:
    return reverse("waves:confirm_registration", args=[registration.pk])


def _stranger_claims_the_trust(client: Client, world: World, capture: Capture) -> Registration:
    """A stranger registers as an existing trust (its name in other case) and an admin
    approves it."""
    _register(
        client,
        world,
        kind="trust",
        trust_name="northern lights TRUST",
        urn="",
        school_name="",
        contact_email="stranger@example.net",
    )
    registration = Registration.objects.get()
    with capture(execute=True):
        page = _approve_in_admin(client, world, registration)
    assert "asked to confirm" in page.content.decode()
    client.logout()
    registration.refresh_from_db()
    return registration


def test_a_registration_cannot_take_over_an_existing_trust(
    client: Client, world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    registration = _stranger_claims_the_trust(client, world, django_capture_on_commit_callbacks)
    assert registration.status == Registration.Status.CONFIRMING
    assert not Invitation.objects.exists()  # nothing for the stranger yet
    [email] = mail.outbox  # the trust's known leader is asked instead
    assert email.to == [world.tess.email]
    assert "stranger@example.net" in email.body
    assert _confirm_url(registration) in email.body


def test_the_known_leader_refuses_and_nothing_is_given(
    client: Client, world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    registration = _stranger_claims_the_trust(client, world, django_capture_on_commit_callbacks)
    client.force_login(world.tess)
    page = client.get(_confirm_url(registration)).content.decode()
    assert "stranger@example.net" in page
    assert "Existing trust Northern Lights Trust (1 known leader(s))" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_confirm_url(registration), {"decision": "refuse"})
    registration.refresh_from_db()
    assert registration.status == Registration.Status.DECLINED
    assert not Invitation.objects.exists()
    assert len(mail.outbox) == 1
    assert not User.objects.filter(email="stranger@example.net").exists()


def test_the_known_leader_confirms_and_the_contact_is_invited(
    client: Client, world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    registration = _stranger_claims_the_trust(client, world, django_capture_on_commit_callbacks)
    client.force_login(world.tess)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_confirm_url(registration), {"decision": "confirm"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.APPROVED
    assert registration.confirmed_by == world.tess
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == ("stranger@example.net", Role.TRUST_LEADER)
    assert invitation.trust == world.trust
    assert mail.outbox[-1].to == ["stranger@example.net"]
    assert Trust.objects.filter(name__iexact="northern lights trust").count() == 1
    again = client.get(_confirm_url(registration)).content.decode()
    assert "This registration has been decided" in again


def test_it_asks_a_schools_leaders_and_its_trusts_about_an_existing_school(
    client: Client, world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    world.wave.participations.filter(school=world.aspen).delete()  # free to register again
    _register(client, world, urn=world.aspen.urn, contact_email="someone@example.net")
    registration = Registration.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        do_approve_registration(registration)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.sam.email, world.tess.email])
    assert not Participation.objects.filter(wave=world.wave, school=world.aspen).exists()


@pytest.mark.parametrize("persona", ["sam", "tom", "rita", "bob", "sara", "dev", "alice"])
def test_only_a_known_leader_opens_the_confirmation(
    client: Client, world: World, django_capture_on_commit_callbacks: Capture, persona: str
) -> None:
    registration = _stranger_claims_the_trust(client, world, django_capture_on_commit_callbacks)
    client.force_login(getattr(world, persona))
    assert client.get(_confirm_url(registration)).status_code == 404
    assert client.post(_confirm_url(registration), {"decision": "confirm"}).status_code == 404
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMING


def test_an_anonymous_visitor_is_sent_to_sign_in(
    client: Client, world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    registration = _stranger_claims_the_trust(client, world, django_capture_on_commit_callbacks)
    response = client.get(_confirm_url(registration))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_admin_sees_what_a_registration_matches(client: Client, world: World) -> None:
    _register(client, world, kind="trust", trust_name="Harbour Trust", urn="", school_name="")
    client.force_login(world.alice)
    page = client.get(reverse("admin:waves_registration_changelist")).content.decode()
    assert "Existing trust Harbour Trust (1 known leader(s))" in page
