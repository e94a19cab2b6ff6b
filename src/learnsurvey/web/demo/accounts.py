"""One demo account for every role, scoped so that each has something to look at."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import Count

from learnsurvey.web.accounts.models import Role, User
from learnsurvey.web.schools.models import School, Trust

DEMO_PASSWORD = "learn-with-pupils-2021"
"""Shared by the demo accounts: the demo serves on 127.0.0.1 only, with synthetic data."""


@dataclass(frozen=True)
class DemoAccount:
    user: User
    password: str
    scope: str
    """What the account may see, for the printed list."""


@dataclass(frozen=True)
class DemoAccounts:
    accounts: list[DemoAccount]
    trust: Trust
    school: School
    """A school of ``trust`` (the one with most responses), led by the school leader."""


def _trust_and_school(
    prefer: Collection[str], among: Collection[str] | None
) -> tuple[Trust, School]:
    """The trust with most schools and its school with most responses, of the schools in
    ``among`` (URNs; every school if None); of those in ``prefer`` if any is in a trust."""
    schools = School.objects.filter(trust__isnull=False)
    if among is not None:
        schools = schools.filter(urn__in=list(among))
    preferred = schools.filter(urn__in=list(prefer))
    choice = preferred if preferred.exists() else schools
    trusts = Trust.objects.filter(pk__in=choice.values("trust"))
    trust = trusts.annotate(n=Count("schools")).order_by("-n", "name").first()
    if trust is None:
        raise ValueError("load the demo wave before creating its accounts")
    candidates = schools.filter(trust=trust)
    if preferred.filter(trust=trust).exists():
        candidates = preferred.filter(trust=trust)
    school = candidates.annotate(n=Count("responses")).order_by("-n", "name").first()
    if school is None:
        raise ValueError(f"{trust.name} has no schools")
    return trust, school


def create_demo_accounts(
    password: str = DEMO_PASSWORD,
    *,
    prefer: Collection[str] = (),
    among: Collection[str] | None = None,
) -> DemoAccounts:
    """Create admin, trust leader, school leader, teacher and researcher accounts.

    The school leader's and teacher's school is in a trust and in ``among`` (URNs: the demo
    passes the latest wave's schools), one of ``prefer`` if it can be (the demo passes the
    schools with a planted improvement that took part in every wave); the trust leader's
    trust is that school's."""
    trust, school = _trust_and_school(prefer, among)
    # Hashed once for all five (they share the password): each hash takes the slow hasher's
    # full work, which was seconds of the demo's start-up.
    hashed = make_password(password)

    def make(username: str, role: str, scope: str, **fields: Any) -> DemoAccount:
        user = User.objects.create_user(
            username, f"{username}@example.org", None, role=role, **fields
        )
        user.password = hashed
        user.save(update_fields=["password"])
        return DemoAccount(user, password, scope)

    accounts = [
        make(
            "admin",
            Role.PLATFORM_ADMIN,
            "everything, and /admin/",
            is_staff=True,
            is_superuser=True,
        ),
        make("trust-leader", Role.TRUST_LEADER, f"the schools of {trust.name}", trust=trust),
        make(
            "school-leader", Role.SCHOOL_LEADER, f"{school.name} (URN {school.urn})", school=school
        ),
        make("teacher", Role.TEACHER, f"{school.name}, aggregated figures only", school=school),
        make("researcher", Role.RESEARCHER, "the global tables"),
    ]
    return DemoAccounts(accounts, trust, school)
