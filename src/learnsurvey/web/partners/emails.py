"""Emails about partner requests: the school asked is told of a request, and the school
that asked is told when it is accepted (with the accepter's address). A decline sends
nothing. Sent through Django's email backend, after the change is committed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from learnsurvey.web.accounts.models import Role, User
from learnsurvey.web.dashboards.named import Names
from learnsurvey.web.waves.models import _instrument

if TYPE_CHECKING:
    from learnsurvey.web.schools.models import School

    from .models import PartnerRequest

__all__ = ["leader_addresses", "send_accepted_notice", "send_request_notice"]


def leader_addresses(school: School) -> list[str]:
    """The addresses of the school's active school leaders; its trust's leaders when the
    school has none."""
    users = User.objects.filter(is_active=True).exclude(email="")
    found = users.filter(role=Role.SCHOOL_LEADER, school=school)
    if not found.exists() and school.trust_id is not None:
        found = users.filter(role=Role.TRUST_LEADER, trust_id=school.trust_id)
    return sorted(set(found.values_list("email", flat=True)))


def _dimension_name(request: PartnerRequest) -> str:
    try:
        return Names(_instrument(request.instrument_id)).dimension_or_id(request.dimension)
    except ValueError:  # an instrument no longer installed
        return request.dimension.replace("_", " ")


def _link(urn: str) -> str:
    return f"{settings.SITE_ROOT.rstrip('/')}{reverse('partners:school', args=[urn])}"


def _send(template: str, context: dict[str, Any], to: list[str]) -> None:
    if not to:
        return
    subject = render_to_string(f"partners/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"partners/email/{template}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)


def send_request_notice(request: PartnerRequest) -> None:
    """Tell the asked school's leaders of the request (the message, not the requester's
    address: that is shared only if they accept)."""
    context = {
        "r": request,
        "dimension": _dimension_name(request),
        "link": _link(request.to_school.urn),
    }
    _send("request", context, leader_addresses(request.to_school))


def send_accepted_notice(request: PartnerRequest) -> None:
    """Tell the requester that the request was accepted, with the accepter's address."""
    requester = request.from_user
    if requester is None or not requester.email:
        return
    context = {
        "r": request,
        "dimension": _dimension_name(request),
        "link": _link(request.from_school.urn),
        "accepter_email": request.decided_by.email if request.decided_by is not None else "",
    }
    _send("accepted", context, [requester.email])
