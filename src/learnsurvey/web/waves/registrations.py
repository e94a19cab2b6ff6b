"""Joining a wave: a school or trust registers, a platform admin approves or declines.

A registration for a school or trust that already has leaders on the platform is not enough
to lead it: anyone can type an existing trust's name or a school's URN. Its approval asks
those known leaders instead, by email, and the contact is invited only once one of them
confirms that the contact belongs (:func:`do_confirm_registration`). The admin sees the match
before approving (:func:`claimed`).

Each state change is an atomic ``do_*`` action (kept apart from ``actions``, which holds the
pupils' side).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from learnsurvey.web.accounts.emails import send_confirmation_request, send_invitation
from learnsurvey.web.accounts.models import Invitation, Role, User
from learnsurvey.web.schools.models import School, Trust

from .models import Participation, Registration, Wave


class RegistrationRefused(ValueError):
    """A registration or an approval that cannot go ahead; the message says why (safe to show)."""


def registration_is_open(wave: Wave) -> bool:
    """Schools may ask for a place while registration is open, the wave has not closed and
    places are left."""
    return wave.registration_open and timezone.localdate() <= wave.closes and wave.places_left > 0


def do_register(wave: Wave, **fields: str) -> Registration:
    """Record a school's or trust's request for a place, refused once the wave is full or
    closed (checked under a lock on the wave, so the last place is not promised twice)."""
    with transaction.atomic():
        locked = Wave.objects.select_for_update().get(pk=wave.pk)
        if not registration_is_open(locked):
            raise RegistrationRefused(_("Registration for this wave is closed or full."))
        return Registration.objects.create(wave=locked, **fields)


@dataclass(frozen=True)
class Approved:
    registration: Registration
    invitation: Invitation | None
    """None while the registration awaits a known leader's confirmation."""
    token: str = ""
    """The invitation's secret, for the email only (never stored)."""
    asked: list[User] = field(default_factory=list)
    """The known leaders asked to confirm the contact (empty when the contact was invited)."""


@dataclass(frozen=True)
class Claim:
    """What a registration names that already exists, and who already leads it."""

    trust: Trust | None
    school: School | None
    leaders: list[User]

    kind: str = "school"

    def describe(self) -> str:
        """The match in words, for the admin and the leaders asked."""
        if self.school is not None:
            what = _("Existing school %(name)s") % {"name": self.school.name}
        elif self.trust is not None and self.kind == Registration.Kind.TRUST:
            what = _("Existing trust %(name)s") % {"name": self.trust.name}
        elif self.trust is not None:
            return _("New school in the existing trust %(name)s") % {"name": self.trust.name}
        else:
            return _("New")
        return _("%(what)s (%(n)d known leader(s))") % {"what": what, "n": len(self.leaders)}


def claimed(reg: Registration) -> Claim:
    """The existing trust (by name, any case) and school (by URN) the registration names, and
    the active leaders of what the contact would lead: a trust's leaders for a trust
    registration; a school's leaders and its trust's leaders for a school registration."""
    name = reg.trust_name.strip()
    trust = Trust.objects.filter(name__iexact=name).first() if name else None
    school = None
    if reg.kind == Registration.Kind.SCHOOL:
        school = School.objects.filter(urn=reg.urn.strip()).first()
        if school is None:
            return Claim(trust, None, [], reg.kind)
        who = Q(role=Role.SCHOOL_LEADER, school=school)
        if school.trust_id is not None:
            who |= Q(role=Role.TRUST_LEADER, trust_id=school.trust_id)
    elif trust is not None:
        who = Q(role=Role.TRUST_LEADER, trust=trust)
    else:
        return Claim(None, None, [], reg.kind)
    leaders = list(User.objects.filter(who, is_active=True).exclude(email="").order_by("pk"))
    return Claim(trust, school, leaders, reg.kind)


def do_approve_registration(registration: Registration) -> Approved:
    """Approve a pending registration: link or create the trust (by name) and the school (by
    URN), give the school a place in the wave (refused when none is left) and invite the
    contact, by email once the transaction has committed.

    When what the contact would lead already has leaders, nothing is created or given yet:
    the registration awaits their confirmation and each is emailed a link to confirm."""
    with transaction.atomic():
        reg = Registration.objects.select_for_update().get(pk=registration.pk)
        if reg.status != Registration.Status.PENDING:
            raise RegistrationRefused(_("This registration has already been decided."))
        leaders = claimed(reg).leaders
        if leaders:
            reg.status = Registration.Status.CONFIRMING
            reg.save(update_fields=["status"])
            transaction.on_commit(lambda: send_confirmation_request(reg, leaders))
            return Approved(reg, None, asked=leaders)
        return _admit(reg, confirmed_by=None)


def do_confirm_registration(registration: Registration, leader: User) -> Approved:
    """A known leader confirms that the contact belongs: the registration is approved as an
    admin's approval would have been. Raises PermissionDenied for anyone else."""
    with transaction.atomic():
        return _admit(_awaiting(registration, leader), confirmed_by=leader)


def do_refuse_registration(registration: Registration, leader: User) -> Registration:
    """A known leader says the contact does not belong: the registration is declined and
    nothing is created or sent."""
    with transaction.atomic():
        reg = _awaiting(registration, leader)
        reg.status = Registration.Status.DECLINED
        reg.decided = timezone.now()
        reg.confirmed_by = None
        reg.save(update_fields=["status", "decided", "confirmed_by"])
    return reg


def _awaiting(registration: Registration, leader: User) -> Registration:
    """The registration, locked, while it awaits a known leader: ``leader`` must be one."""
    reg = Registration.objects.select_for_update().get(pk=registration.pk)
    if reg.status != Registration.Status.CONFIRMING:
        raise RegistrationRefused(_("This registration has already been decided."))
    if leader.pk not in {u.pk for u in claimed(reg).leaders}:
        raise PermissionDenied
    return reg


def _admit(reg: Registration, *, confirmed_by: User | None) -> Approved:
    """The approval itself (inside the caller's transaction, ``reg`` locked)."""
    wave = Wave.objects.select_for_update().get(pk=reg.wave_id)
    trust = None
    if reg.trust_name.strip():
        trust = Trust.objects.filter(name__iexact=reg.trust_name.strip()).first()
        if trust is None:
            trust = Trust.objects.create(name=reg.trust_name.strip())
    school = None
    if reg.kind == Registration.Kind.SCHOOL:
        school = _school_for(reg, trust)
        taking_part = Participation.objects.filter(wave=wave, school=school).exists()
        if not taking_part:
            if wave.places_left <= 0:
                raise RegistrationRefused(
                    _("No places are left in %(wave)s.") % {"wave": wave.name}
                )
            Participation.objects.create(wave=wave, school=school)
        role = Role.SCHOOL_LEADER
    else:
        if trust is None:
            raise RegistrationRefused(_("A trust registration needs the trust's name."))
        role = Role.TRUST_LEADER
    invitation, token = Invitation.issue(
        email=reg.contact_email,
        role=role,
        trust=trust if role == Role.TRUST_LEADER else None,
        school=school,
    )
    reg.status = Registration.Status.APPROVED
    reg.decided = timezone.now()
    reg.school = school
    reg.trust = trust
    reg.confirmed_by = confirmed_by
    reg.save(update_fields=["status", "decided", "school", "trust", "confirmed_by"])
    transaction.on_commit(lambda: send_invitation(invitation, token, reg))
    return Approved(reg, invitation, token)


def _school_for(reg: Registration, trust: Trust | None) -> School:
    """The school with the registration's URN, created if new; a standalone school named with
    a trust joins it (an existing trust link is never changed by a registration)."""
    school = School.objects.filter(urn=reg.urn.strip()).first()
    if school is None:
        return School.objects.create(
            urn=reg.urn.strip(), name=reg.school_name.strip(), phase=reg.phase, trust=trust
        )
    if school.trust_id is None and trust is not None:
        school.trust = trust
        school.save(update_fields=["trust"])
    return school


def do_decline_registration(registration: Registration) -> Registration:
    """Decline a pending registration (nothing else changes; no email is sent)."""
    with transaction.atomic():
        reg = Registration.objects.select_for_update().get(pk=registration.pk)
        if reg.status not in (Registration.Status.PENDING, Registration.Status.CONFIRMING):
            raise RegistrationRefused(_("This registration has already been decided."))
        reg.status = Registration.Status.DECLINED
        reg.decided = timezone.now()
        reg.save(update_fields=["status", "decided"])
    return reg
