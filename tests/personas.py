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

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pandas as pd
from django.test import Client
from django.utils import timezone

from learnsurvey.instruments import load_instrument
from learnsurvey.synth import ResponseModel, load_params
from learnsurvey.web.accounts.models import Role, User
from learnsurvey.web.schools.models import School, Trust
from learnsurvey.web.waves.models import AccessCode, Participation, Response, Wave

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


ASPEN_ACCESS: list[tuple[str, int]] = [
    ("alice", 200),
    ("tess", 200),
    ("sam", 200),
    ("tom", 200),
    ("rita", 404),
    ("bob", 404),
    ("sara", 404),
    ("dev", 404),
]
"""Each persona with the status of a page about Aspen: 200 for the admin, Aspen's trust
leader and its staff, 404 (which says nothing of whether it exists) for everyone else."""


def add_responses(wave: Wave, school: School, n: int, *, seed: int = 1) -> list[str]:
    """``n`` synthetic pupils of ``school`` stored as the browser would store them."""
    inst = wave.instrument()
    table = next(ResponseModel(inst, load_params("phase-one")).tables(n, 1, seed))
    frame = table.to_pandas()
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    rows = []
    for _, r in frame.iterrows():
        answers = "".join("-" if pd.isna(r[i]) else str(int(r[i])) for i in inst.item_ids)
        rows.append(
            Response(
                wave=wave,
                school=school,
                key_stage=r["key_stage"],
                gender=r["gender"],
                answers=answers,
                submitted_hour=hour,
                idempotency_key=uuid.uuid4(),
            )
        )
    Response.objects.bulk_create(rows)
    return [row.answers for row in rows]


def answer(world: World, *, cedar: int = 20) -> World:
    """The world with answers: Aspen 40 pupils, Birch 35, Cedar ``cedar``, Dale 6 (too few
    for its figures to be shown)."""
    add_responses(world.wave, world.aspen, 40, seed=1)
    add_responses(world.wave, world.birch, 35, seed=2)
    add_responses(world.wave, world.cedar, cedar, seed=3)
    add_responses(world.wave, world.dale, 6, seed=4)
    return world


def logged_in(user: User | None) -> Client:
    """A test client logged in as ``user`` (anonymous when None)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


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
