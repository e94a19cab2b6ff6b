"""Every change to partner schools, each atomic (the ``do_*`` convention), each checking who
acts: opening a school to partner requests (or closing it), sending a request, accepting or
declining one.

Requests are rate limited in the database: a school sends at most
:data:`REQUESTS_PER_DAY` requests in any 24 hours, has at most one open request per school
and dimension, and waits :data:`PAUSE_AFTER_DECLINE_DAYS` before asking a school that
declined about the same dimension again. The school's row is locked while a request is
counted and stored, so two leaders sending at once cannot both slip under the limit. Each
change is logged (ids and URNs only: never a message or an address); the requests
themselves are the full log.

The views check access first (404 or 403); these checks guard every other caller. A refused
change raises :class:`PartnerError` (its message is safe to show) or ``PermissionDenied``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from learnsurvey.instruments import InstrumentError
from learnsurvey.web.accounts.access import can_manage_school
from learnsurvey.web.accounts.models import Role
from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.models import _instrument

from .emails import send_accepted_notice, send_request_notice
from .models import MESSAGE_MAX_LENGTH, MESSAGE_MIN_LENGTH, PartnerOptIn, PartnerRequest

if TYPE_CHECKING:
    from learnsurvey.web.accounts.models import User

__all__ = [
    "PAUSE_AFTER_DECLINE_DAYS",
    "REQUESTS_PER_DAY",
    "PartnerError",
    "can_use_partners",
    "do_accept_request",
    "do_decline_request",
    "do_send_request",
    "do_set_open",
    "is_open_to_partners",
    "may_use_partners",
    "open_school_urns",
]

logger = logging.getLogger("learnsurvey.partners")

REQUESTS_PER_DAY = 5
"""At most this many requests from one school in any 24 hours (``settings.
PARTNER_REQUESTS_PER_DAY`` overrides it)."""

PAUSE_AFTER_DECLINE_DAYS = 30
"""Days before a school may ask a school that declined about the same dimension again."""


class PartnerError(ValueError):
    """A change that cannot be made; ``field`` names the form field it concerns (None: the
    whole form)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def may_use_partners(user: User) -> bool:
    """Whether the user's role sees partner pages at all: school and trust leaders and
    platform admins, never teachers or researchers."""
    return user.is_platform_admin or user.role in (Role.SCHOOL_LEADER, Role.TRUST_LEADER)


def can_use_partners(user: User, school: School) -> bool:
    """Partner pages and actions are for the school's leaders: its school leaders, its
    trust's leaders and platform admins."""
    return may_use_partners(user) and can_manage_school(user, school)


def _require_leader(user: User, school: School) -> None:
    if not can_use_partners(user, school):
        raise PermissionDenied


def is_open_to_partners(school: School) -> bool:
    return PartnerOptIn.objects.filter(school=school, open=True).exists()


def open_school_urns() -> set[str]:
    """The URNs of every school open to partner requests."""
    return set(PartnerOptIn.objects.filter(open=True).values_list("school__urn", flat=True))


def _requests_per_day() -> int:
    return int(getattr(settings, "PARTNER_REQUESTS_PER_DAY", REQUESTS_PER_DAY))


@transaction.atomic
def do_set_open(user: User, school: School, *, open: bool) -> PartnerOptIn:
    """Open the school to being found and asked as a partner, or close it. Closing it closes
    the requests it has not answered (the schools that sent them see that, and no more)."""
    _require_leader(user, school)
    opt_in, _created = PartnerOptIn.objects.select_for_update().get_or_create(school=school)
    opt_in.open = open
    opt_in.changed_by = user
    opt_in.save()
    closed = 0
    if not open:
        closed = PartnerRequest.objects.filter(
            to_school=school, status=PartnerRequest.Status.OPEN
        ).update(status=PartnerRequest.Status.CLOSED, decided=timezone.now())
    logger.info(
        "partners: school %s %s by user %s (%s open requests closed)",
        school.urn,
        "opened" if open else "closed",
        user.pk,
        closed,
    )
    return opt_in


def _clean_message(message: str) -> str:
    text = message.strip()
    if len(text) < MESSAGE_MIN_LENGTH:
        raise PartnerError(
            _("Write at least %(n)s characters: say why you would like to work together.")
            % {"n": MESSAGE_MIN_LENGTH},
            field="message",
        )
    if len(text) > MESSAGE_MAX_LENGTH:
        raise PartnerError(
            _("Write at most %(n)s characters.") % {"n": MESSAGE_MAX_LENGTH}, field="message"
        )
    return text


def _check_dimension(instrument_id: str, dimension: str) -> None:
    try:
        known = dimension in _instrument(instrument_id).dimension_ids
    except InstrumentError:
        known = False
    if not known:
        raise PartnerError(_("Choose a dimension of the survey."), field="dimension")


def _check_limits(from_school: School, to_school: School, dimension: str, now: datetime) -> None:
    """The rate limits, counted in the database (the caller holds the school's lock)."""
    sent = PartnerRequest.objects.filter(from_school=from_school)
    recent = list(
        sent.filter(created__gt=now - timedelta(hours=24))
        .order_by("created")
        .values_list("created", flat=True)
    )
    limit = _requests_per_day()
    if len(recent) >= limit:
        again = timezone.localtime(recent[len(recent) - limit] + timedelta(hours=24))
        raise PartnerError(
            _(
                "Your school has sent %(n)s partner requests in the last 24 hours, the most "
                "it may. You can send another after %(time)s."
            )
            % {"n": limit, "time": date_format(again, "j F Y, H:i")}
        )
    pair = sent.filter(to_school=to_school, dimension=dimension)
    if pair.filter(status=PartnerRequest.Status.OPEN).exists():
        raise PartnerError(
            _(
                "Your school has already asked this school about this dimension: wait for its "
                "answer."
            )
        )
    pause = now - timedelta(days=PAUSE_AFTER_DECLINE_DAYS)
    if pair.filter(status=PartnerRequest.Status.DECLINED, decided__gt=pause).exists():
        raise PartnerError(
            _(
                "This school declined a request about this dimension recently: you can ask "
                "again %(n)s days after its answer."
            )
            % {"n": PAUSE_AFTER_DECLINE_DAYS}
        )


@transaction.atomic
def do_send_request(
    user: User,
    from_school: School,
    to_school: School,
    *,
    dimension: str,
    message: str,
    instrument_id: str = "learning-survey",
) -> PartnerRequest:
    """Ask ``to_school`` (which must be open to partners) to partner on ``dimension``; its
    leaders are emailed once the request is stored."""
    _require_leader(user, from_school)
    if from_school.pk == to_school.pk:
        raise PartnerError(_("A school cannot ask itself."))
    # Lock the asking school's row: its requests are counted and stored one at a time.
    School.objects.select_for_update().filter(pk=from_school.pk).first()
    if not is_open_to_partners(to_school):
        # The same words whether the school exists or not: nothing about it is shown.
        raise PartnerError(_("That school is not open to partner requests."))
    _check_dimension(instrument_id, dimension)
    text = _clean_message(message)
    now = timezone.now()
    _check_limits(from_school, to_school, dimension, now)
    try:
        with transaction.atomic():
            request = PartnerRequest.objects.create(
                from_school=from_school,
                to_school=to_school,
                dimension=dimension,
                instrument_id=instrument_id,
                message=text,
                from_user=user,
            )
    except IntegrityError:  # another leader's request for the pair arrived first
        raise PartnerError(
            _(
                "Your school has already asked this school about this dimension: wait for its "
                "answer."
            )
        ) from None
    logger.info(
        "partners: request %s from %s to %s on %s by user %s",
        request.pk,
        from_school.urn,
        to_school.urn,
        dimension,
        user.pk,
    )
    transaction.on_commit(lambda: send_request_notice(request))
    return request


def _answer(user: User, request: PartnerRequest, status: str) -> PartnerRequest:
    _require_leader(user, request.to_school)
    locked = PartnerRequest.objects.select_for_update().get(pk=request.pk)
    if not locked.is_open:
        raise PartnerError(_("This request has already been answered or closed."))
    locked.status = status
    locked.decided_by = user
    locked.decided = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided"])
    logger.info(
        "partners: request %s %s by user %s (%s → %s)",
        locked.pk,
        status,
        user.pk,
        locked.from_school.urn,
        locked.to_school.urn,
    )
    return locked


@transaction.atomic
def do_accept_request(user: User, request: PartnerRequest) -> PartnerRequest:
    """Accept: both schools then see both contact addresses (the requester's and the
    accepter's email); the requester is emailed."""
    accepted = _answer(user, request, PartnerRequest.Status.ACCEPTED)
    transaction.on_commit(lambda: send_accepted_notice(accepted))
    return accepted


@transaction.atomic
def do_decline_request(user: User, request: PartnerRequest) -> PartnerRequest:
    """Decline: the requester sees that it was declined, and nothing about who declined or
    how to reach them; no email is sent."""
    return _answer(user, request, PartnerRequest.Status.DECLINED)
