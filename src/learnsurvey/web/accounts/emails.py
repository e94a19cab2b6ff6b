"""Emails to staff: the invitation that lets a new leader set a password, and the question
to a school's or trust's known leaders whether a new registrant belongs.

Each is written in its recipient's language: the one they chose on their account, else the
language of whoever caused it (the admin or leader acting, active when it is sent)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .language import language_for_address, language_for_user, sender_language

if TYPE_CHECKING:
    from learnsurvey.web.waves.models import Registration

    from .models import Invitation, User


def invitation_link(token: str) -> str:
    """The absolute link to the page where the invited person chooses a password."""
    path = reverse("accounts:accept_invitation", args=[token])
    return f"{settings.SITE_ROOT.rstrip('/')}{path}"


def send_invitation(
    invitation: Invitation, token: str, registration: Registration | None = None
) -> None:
    """Email the invitation link (the token exists only here and in the email)."""
    language = language_for_address(invitation.email, sender_language())
    with translation.override(language):
        context = {
            "invitation": invitation,
            "registration": registration,
            "link": invitation_link(token),
            "role": invitation.get_role_display(),
            "expires": invitation.expires,
        }
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


def send_confirmation_request(registration: Registration, leaders: list[User]) -> None:
    """Ask each known leader (one email each) whether the registration's contact belongs to
    the school or trust it names; the link opens the page where they confirm or refuse."""
    path = reverse("waves:confirm_registration", args=[registration.pk])
    what = (
        registration.school_name if registration.kind == "school" else registration.trust_name
    ).strip()
    sender = sender_language()
    for leader in leaders:
        context = {
            "registration": registration,
            "leader": leader,
            "what": what,
            "link": f"{settings.SITE_ROOT.rstrip('/')}{path}",
        }
        with translation.override(language_for_user(leader, sender)):
            subject = render_to_string(
                "accounts/email/confirm_registration_subject.txt", context
            ).strip()
            body = render_to_string("accounts/email/confirm_registration.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [leader.email])
