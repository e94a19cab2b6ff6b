"""Personas for the platform's tests (healthchecks style): each role, and outsiders.

- alice: platform admin
- tess: trust leader of Northern Lights Trust (schools Aspen Primary and Birch Academy)
- sam: school leader of Aspen Primary; tom: teacher there
- rita: researcher
- bob: trust leader of another trust (Harbour Trust, school Cedar Primary)
- sara: school leader of Cedar Primary
- dev: school leader of Dale School, a standalone school

Everyone's password is ``PASSWORD``. The wave is open (started a week ago, closes in 30 days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from learnsurvey.instruments import load_instrument
from learnsurvey.web.accounts.models import Role, User
from learnsurvey.web.schools.models import School, Trust
from learnsurvey.web.waves.models import AccessCode, Participation, Wave

PASSWORD = "correct horse battery staple"


@dataclass
class World:
    wave: Wave
    trust: Trust
    other_trust: Trust
    aspen: School
    birch: School
    cedar: School
    dale: School
    alice: User
    tess: User
    sam: User
    tom: User
    rita: User
    bob: User
    sara: User
    dev: User
    aspen_code: AccessCode
    cedar_code: AccessCode


def _user(username: str, role: str, **scope: object) -> User:
    return User.objects.create_user(
        username, f"{username}@example.org", PASSWORD, role=role, **scope
    )


def make_world() -> World:
    today = timezone.localdate()
    inst = load_instrument("learning-survey")
    wave = Wave.objects.create(
        name="Phase Two",
        instrument_id=inst.id,
        instrument_version=inst.version,
        opens=today - timedelta(days=7),
        closes=today + timedelta(days=30),
        places=500,
    )
    trust = Trust.objects.create(name="Northern Lights Trust")
    other = Trust.objects.create(name="Harbour Trust")
    aspen = School.objects.create(urn="100001", name="Aspen Primary", trust=trust, phase="primary")
    birch = School.objects.create(
        urn="100002", name="Birch Academy", trust=trust, phase="secondary"
    )
    cedar = School.objects.create(urn="200001", name="Cedar Primary", trust=other, phase="primary")
    dale = School.objects.create(urn="300001", name="Dale School", phase="secondary")
    for school in (aspen, birch, cedar, dale):
        Participation.objects.create(wave=wave, school=school)
    return World(
        wave=wave,
        trust=trust,
        other_trust=other,
        aspen=aspen,
        birch=birch,
        cedar=cedar,
        dale=dale,
        alice=_user("alice", Role.PLATFORM_ADMIN, is_staff=True, is_superuser=True),
        tess=_user("tess", Role.TRUST_LEADER, trust=trust),
        sam=_user("sam", Role.SCHOOL_LEADER, school=aspen),
        tom=_user("tom", Role.TEACHER, school=aspen),
        rita=_user("rita", Role.RESEARCHER),
        bob=_user("bob", Role.TRUST_LEADER, trust=other),
        sara=_user("sara", Role.SCHOOL_LEADER, school=cedar),
        dev=_user("dev", Role.SCHOOL_LEADER, school=dale),
        aspen_code=AccessCode.objects.create(wave=wave, school=aspen, label="Year 5", year_group=5),
        cedar_code=AccessCode.objects.create(wave=wave, school=cedar, label="Year 4", year_group=4),
    )
