"""Emails about partner requests: the school asked is told of a request, and the school
that asked is told when it is accepted (with the accepter's address). A decline sends
nothing. Sent through Django's email backend, after the change is committed.

Each is written in its recipient's language (the one chosen on their account, else that of
the leader whose request or acceptance caused it); leaders who share a language share one
email, as all of a school's leaders did before."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from learnsurvey.web.accounts.language import language_for_user, sender_language
from learnsurvey.web.accounts.models import Role, User
from learnsurvey.web.dashboards.named import Names
from learnsurvey.web.waves.models import _instrument

if TYPE_CHECKING:
    from learnsurvey.web.schools.models import School

    from .models import PartnerRequest

__all__ = ["leader_addresses", "send_accepted_notice", "send_request_notice"]


def _leaders(school: School) -> QuerySet[User]:
    users = User.objects.filter(is_active=True).exclude(email="")
    found = users.filter(role=Role.SCHOOL_LEADER, school=school)
    if not found.exists() and school.trust_id is not None:
        found = users.filter(role=Role.TRUST_LEADER, trust_id=school.trust_id)
    return found


def leader_addresses(school: School) -> list[str]:
    """The addresses of the school's active school leaders; its trust's leaders when the
    school has none."""
    return sorted(set(_leaders(school).values_list("email", flat=True)))


def _dimension_name(request: PartnerRequest) -> str:
    """The dimension's name in the active language."""
    try:
        return Names(_instrument(request.instrument_id)).dimension_or_id(request.dimension)
    except ValueError:  # an instrument no longer installed
        return request.dimension.replace("_", " ")


def _link(urn: str) -> str:
    return f"{settings.SITE_ROOT.rstrip('/')}{reverse('partners:school', args=[urn])}"


def _send(template: str, context: Callable[[], dict[str, Any]], to: list[User]) -> None:
    """One email per language among ``to``, ``context`` made and rendered in it."""
    sender = sender_language()
    by_language: dict[str, set[str]] = {}
    for user in to:
        by_language.setdefault(language_for_user(user, sender), set()).add(user.email)
    for language, addresses in sorted(by_language.items()):
        with translation.override(language):
            values = context()
            subject = render_to_string(f"partners/email/{template}_subject.txt", values).strip()
            body = render_to_string(f"partners/email/{template}.txt", values)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, sorted(addresses))


def send_request_notice(request: PartnerRequest) -> None:
    """Tell the asked school's leaders of the request (the message, not the requester's
    address: that is shared only if they accept)."""
    _send(
        "request",
        lambda: {
            "r": request,
            "dimension": _dimension_name(request),
            "link": _link(request.to_school.urn),
        },
        list(_leaders(request.to_school)),
    )


def send_accepted_notice(request: PartnerRequest) -> None:
    """Tell the requester that the request was accepted, with the accepter's address."""
    requester = request.from_user
    if requester is None or not requester.email:
        return
    _send(
        "accepted",
        lambda: {
            "r": request,
            "dimension": _dimension_name(request),
            "link": _link(request.from_school.urn),
            "accepter_email": request.decided_by.email if request.decided_by is not None else "",
        },
        [requester],
    )
