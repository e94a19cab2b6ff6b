"""Joining a wave: a school or trust registers, a platform admin approves or declines.

Each state change is an atomic ``do_*`` action (kept apart from ``actions``, which holds the
pupils' side).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from learnsurvey.web.accounts.emails import send_invitation
from learnsurvey.web.accounts.models import Invitation, Role
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
    invitation: Invitation
    token: str
    """The invitation's secret, for the email only (never stored)."""


def do_approve_registration(registration: Registration) -> Approved:
    """Approve a pending registration: link or create the trust (by name) and the school (by
    URN), give the school a place in the wave (refused when none is left) and invite the
    contact, by email once the transaction has committed."""
    with transaction.atomic():
        reg = Registration.objects.select_for_update().get(pk=registration.pk)
        wave = Wave.objects.select_for_update().get(pk=reg.wave_id)
        if reg.status != Registration.Status.PENDING:
            raise RegistrationRefused(_("This registration has already been decided."))
        trust = None
        if reg.trust_name.strip():
            trust, _created = Trust.objects.get_or_create(name=reg.trust_name.strip())
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
        reg.save(update_fields=["status", "decided", "school", "trust"])
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
        if reg.status != Registration.Status.PENDING:
            raise RegistrationRefused(_("This registration has already been decided."))
        reg.status = Registration.Status.DECLINED
        reg.decided = timezone.now()
        reg.save(update_fields=["status", "decided"])
    return reg
