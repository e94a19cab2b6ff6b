"""One demo account for every role, scoped so that each has something to look at."""

from __future__ import annotations

from dataclasses import dataclass

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


def create_demo_accounts(password: str = DEMO_PASSWORD) -> DemoAccounts:
    """Create admin, trust leader, school leader, teacher and researcher accounts."""
    trust = Trust.objects.annotate(n=Count("schools")).order_by("-n", "name").first()
    if trust is None:
        raise ValueError("load the demo wave before creating its accounts")
    school = (
        School.objects.filter(trust=trust)
        .annotate(n=Count("responses"))
        .order_by("-n", "name")
        .first()
    )
    if school is None:
        raise ValueError(f"{trust.name} has no schools")

    def make(username: str, role: str, scope: str, **fields: object) -> DemoAccount:
        user = User.objects.create_user(
            username, f"{username}@example.org", password, role=role, **fields
        )
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
