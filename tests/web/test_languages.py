"""The leaders' interface language: chosen in the layout on every signed-in page (and on the
sign-in and registration pages), kept on the account so that it follows the person to another
device, and used for the emails they receive.

Translations of the leaders' pages are drafts still being written, so what a page or an email
should say is asked of gettext in that language (``translation.override``) rather than
written out here; where a test must tell two languages apart whatever the drafts say, it reads
Django's own month names or the instrument's translated dimension names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext

from learnsurvey.web.accounts.emails import send_invitation
from learnsurvey.web.accounts.language import do_set_language
from learnsurvey.web.accounts.models import Invitation, Role, User
from learnsurvey.web.dashboards.named import Names
from learnsurvey.web.partners.emails import send_request_notice
from learnsurvey.web.partners.models import PartnerRequest
from learnsurvey.web.waves.models import Registration
from personas import PASSWORD, World, logged_in

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]

HOME = reverse("dashboards:home")
CHOOSE = reverse("accounts:language")
LOGIN = reverse("accounts:login")


def _html_tag(response: Any) -> str:
    found = re.search(r"<html[^>]*>", response.content.decode())
    assert found is not None
    return found.group(0)


def _choose(client: Client, code: str, next_url: str = HOME) -> Any:
    return client.post(CHOOSE, {"language": code, "next": next_url})


def _sign_in(client: Client, username: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": PASSWORD}, follow=True)


@pytest.fixture
def outbox() -> list[Any]:
    mail.outbox = []
    return mail.outbox


# --- the chooser ------------------------------------------------------------------------------


def test_it_offers_every_language_in_its_own_words_on_a_signed_in_page(world: World) -> None:
    page = logged_in(world.sam).get(HOME)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'action="{CHOOSE}"' in html
    assert 'name="next" value="/dashboards/"' in html
    assert '<span lang="en-gb" dir="ltr" aria-current="true">English</span>' in html
    for code, name, direction in [("cy", "Cymraeg", "ltr"), ("pl", "Polski", "ltr")]:
        assert f'value="{code}" lang="{code}" dir="{direction}">{name}</button>' in html
    assert 'value="ur" lang="ur" dir="rtl">اردو</button>' in html
    assert "<script>" not in html  # the strict CSP runs no inline script


@pytest.mark.parametrize("url", [LOGIN, "registration"])
def test_it_offers_the_languages_before_signing_in(world: World, url: str) -> None:
    if url == "registration":
        url = reverse("waves:register", args=[world.wave.pk])
    html = Client().get(url).content.decode()
    assert f'action="{CHOOSE}"' in html
    assert 'lang="cy"' in html


def test_it_leaves_the_pupils_screens_to_their_own_language_choice(world: World) -> None:
    html = Client().get(reverse("pupil:start")).content.decode()
    assert f'action="{CHOOSE}"' not in html


def test_it_makes_the_next_page_welsh_after_choosing_welsh_on_a_dashboard(world: World) -> None:
    client = logged_in(world.sam)
    assert 'lang="en-gb" dir="ltr"' in _html_tag(client.get(HOME))
    answer = _choose(client, "cy")
    assert answer.status_code == 302
    assert answer["Location"] == HOME
    page = client.get(HOME)
    assert _html_tag(page) == '<html lang="cy" dir="ltr">'
    assert page["Content-Language"] == "cy"
    with translation.override("cy"):
        assert gettext("Dashboards") in page.content.decode()
    assert '<span lang="cy" dir="ltr" aria-current="true">Cymraeg</span>' in page.content.decode()


def test_it_turns_the_page_right_to_left_for_urdu(world: World) -> None:
    client = logged_in(world.tess)
    _choose(client, "ur")
    page = client.get(HOME)
    assert _html_tag(page) == '<html lang="ur" dir="rtl">'
    with translation.override("ur"):
        assert gettext("Skip to main content") in page.content.decode()


def test_it_keeps_the_choice_on_the_account(world: World) -> None:
    _choose(logged_in(world.sam), "pl")
    world.sam.refresh_from_db()
    assert world.sam.language == "pl"
    world.tom.refresh_from_db()
    assert world.tom.language == ""  # a colleague's is their own


def test_it_applies_the_choice_at_the_next_sign_in_on_another_device(world: World) -> None:
    _choose(logged_in(world.sam), "cy")
    # Another browser, which asks for Polish and has never chosen anything.
    elsewhere = Client(HTTP_ACCEPT_LANGUAGE="pl")
    assert 'lang="pl"' in _html_tag(elsewhere.get(LOGIN))
    page = _sign_in(elsewhere, "sam")
    assert page.redirect_chain[-1][0] == HOME
    assert _html_tag(page) == '<html lang="cy" dir="ltr">'


def test_a_choice_made_on_the_sign_in_page_replaces_the_accounts(world: World) -> None:
    do_set_language(world.sam, "cy")
    client = Client()
    _choose(client, "ur", LOGIN)
    assert 'lang="ur"' in _html_tag(client.get(LOGIN))
    page = _sign_in(client, "sam")
    assert _html_tag(page) == '<html lang="ur" dir="rtl">'
    world.sam.refresh_from_db()
    assert world.sam.language == "ur"


def test_a_choice_on_a_shared_computer_does_not_pass_to_the_next_person(world: World) -> None:
    do_set_language(world.tom, "pl")
    client = logged_in(world.sam)
    _choose(client, "cy")
    client.post(reverse("accounts:logout"))
    page = _sign_in(client, "tom")
    assert _html_tag(page) == '<html lang="pl" dir="ltr">'
    world.tom.refresh_from_db()
    assert world.tom.language == "pl"


@pytest.mark.parametrize("code", ["de", "xx", "", "en-gb<script>", "cy" * 20])
def test_it_ignores_a_language_the_platform_does_not_offer(world: World, code: str) -> None:
    client = logged_in(world.sam)
    answer = _choose(client, code)
    assert answer.status_code == 302
    assert answer["Location"] == HOME
    assert settings.LANGUAGE_COOKIE_NAME not in answer.cookies
    world.sam.refresh_from_db()
    assert world.sam.language == ""
    assert 'lang="en-gb"' in _html_tag(client.get(HOME))


def test_it_ignores_a_stored_language_the_platform_no_longer_offers(world: World) -> None:
    User.objects.filter(pk=world.sam.pk).update(language="de")
    assert 'lang="en-gb"' in _html_tag(logged_in(world.sam).get(HOME))


def test_it_goes_back_only_to_a_page_of_this_site(world: World) -> None:
    answer = _choose(logged_in(world.sam), "pl", "https://evil.example/phish")
    assert answer.status_code == 302
    assert answer["Location"] == "/"


def test_it_changes_the_language_only_by_post(world: World) -> None:
    client = logged_in(world.sam)
    assert client.get(CHOOSE, {"language": "cy", "next": HOME}).status_code == 405
    world.sam.refresh_from_db()
    assert world.sam.language == ""


def test_it_refuses_a_choice_without_the_forms_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.sam)
    assert _choose(client, "cy").status_code == 403
    world.sam.refresh_from_db()
    assert world.sam.language == ""


def test_do_set_language_refuses_a_code_it_does_not_offer(world: World) -> None:
    with pytest.raises(ValueError, match="not one of the platform's languages"):
        do_set_language(world.sam, "fr")


# --- emails -----------------------------------------------------------------------------------

SCHOOL = {
    "kind": "school",
    "school_name": "Elm Primary",
    "urn": "400001",
    "phase": "primary",
    "trust_name": "",
    "contact_name": "Erin Head",
    "contact_email": "erin@elm.example.org",
}


def _approve_as(user: User, registration: Registration) -> Any:
    client = logged_in(user)
    return client.post(
        reverse("admin:waves_registration_changelist"),
        {"action": "approve", "_selected_action": [registration.pk]},
        follow=True,
    )


def _month_words(when: Any, code: str) -> str:
    """The expiry date as the invitation writes it (Django's own month names)."""
    with translation.override(code):
        return dateformat.format(timezone.localtime(when), "j F Y")


def test_it_invites_a_newcomer_in_the_language_of_the_admin_who_approves(
    world: World, outbox: list[Any], django_capture_on_commit_callbacks: Capture
) -> None:
    Client().post(reverse("waves:register", args=[world.wave.pk]), SCHOOL)
    registration = Registration.objects.get()
    do_set_language(world.alice, "cy")
    with django_capture_on_commit_callbacks(execute=True):
        _approve_as(world.alice, registration)
    [email] = outbox
    assert email.to == ["erin@elm.example.org"]
    invitation = Invitation.objects.get(email="erin@elm.example.org")
    with translation.override("cy"):
        subject = gettext("Your place in %(wave)s: set up your learnsurvey account")
        assert email.subject == subject % {"wave": "Phase Two"}
        assert gettext("Choose a password to set up your account:") in email.body
    assert _month_words(invitation.expires, "cy") in email.body
    assert _month_words(invitation.expires, "en-gb") not in email.body


def test_it_writes_to_someone_with_an_account_in_their_own_language(
    world: World, outbox: list[Any]
) -> None:
    do_set_language(world.rita, "pl")
    invitation, token = Invitation.issue(email="RITA@example.org", role=Role.RESEARCHER)
    with translation.override("cy"):  # the inviter's language yields to the recipient's
        send_invitation(invitation, token)
    [email] = outbox
    with translation.override("pl"):
        assert email.subject == gettext("Set up your learnsurvey account")
        assert gettext("Hello,") in email.body
    assert _month_words(invitation.expires, "pl") in email.body
    assert _month_words(invitation.expires, "cy") not in email.body


def test_it_asks_each_known_leader_in_their_own_language(
    world: World, outbox: list[Any], django_capture_on_commit_callbacks: Capture
) -> None:
    do_set_language(world.tess, "ur")  # Aspen's trust leader; Sam, its school leader, has none
    do_set_language(world.alice, "pl")
    registration = Registration.objects.create(
        wave=world.wave, **(SCHOOL | {"urn": world.aspen.urn, "school_name": "Aspen Primary"})
    )
    with django_capture_on_commit_callbacks(execute=True):
        _approve_as(world.alice, registration)
    sent = {m.to[0]: m for m in outbox}
    assert set(sent) == {world.sam.email, world.tess.email}
    for address, code in [(world.tess.email, "ur"), (world.sam.email, "pl")]:
        with translation.override(code):
            subject = gettext("Does this person belong to %(what)s? A learnsurvey registration")
            assert sent[address].subject == subject % {"what": "Aspen Primary"}
            words = gettext(
                "Nobody is given access until one of the school's or trust's leaders confirms."
            )
            assert words in sent[address].body


def test_it_tells_a_partner_schools_leaders_each_in_their_language(
    world: World, outbox: list[Any]
) -> None:
    do_set_language(world.sara, "ur")
    sol = User.objects.create_user(
        "sol", "sol@example.org", PASSWORD, role=Role.SCHOOL_LEADER, school=world.cedar
    )
    instrument = world.wave.instrument()
    request = PartnerRequest.objects.create(
        from_school=world.aspen,
        to_school=world.cedar,
        from_user=world.sam,
        dimension="school_fair",
        instrument_id=instrument.id,
        message="Could we learn from your work on fairness?",
    )
    with translation.override("cy"):  # Sam, who asks, reads Welsh
        send_request_notice(request)
    by_address = {tuple(m.to): m for m in outbox}
    assert set(by_address) == {(world.sara.email,), (sol.email,)}
    for address, code in [(world.sara.email, "ur"), (sol.email, "cy")]:
        email = by_address[(address,)]
        with translation.override(code):
            dimension = Names(instrument).dimension_or_id("school_fair")
            subject = gettext("%(school)s would like to partner with your school")
            assert email.subject == subject % {"school": "Aspen Primary"}
        assert f'"{dimension}"' in email.body
    assert "Mae'r Ysgol yn Deg" in by_address[(sol.email,)].body  # the instrument's Welsh
