"""``manage.py delete_school_responses URN``: a school that leaves has every answer of its
pupils and staff deleted, and the figures that counted them recomputed
(:mod:`learnsurvey.web.waves.leaving`, docs/privacy.md). Says what it will delete and asks
for the URN to be typed again, unless ``--yes``."""

from __future__ import annotations

import getpass
import sys
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from learnsurvey.web.accounts.models import User
from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.leaving import (
    LeavingPlan,
    do_delete_school_responses,
    plan_school_deletion,
)

LABELS = {
    "pupil_responses": "pupils' answers",
    "staff_responses": "staff answers",
    "report_runs": "report runs (with their files)",
    "report_pages": "kept report pages",
    "outcomes": "outcome values",
    "priorities": "priorities",
    "actions": "actions",
    "partner_requests": "partner requests",
    "access_codes": "access codes",
    "invitations": "open invitations",
    "accounts": "accounts switched off",
}


def summary(plan: LeavingPlan | dict[str, int]) -> list[str]:
    """One line per kind of thing deleted, in the order of :data:`LABELS`."""
    counts = plan.counts() if isinstance(plan, LeavingPlan) else plan
    return [f"  {counts.get(name, 0):>8,}  {label}" for name, label in LABELS.items()]


class Command(BaseCommand):
    help = (
        "Delete every pupil's and staff member's answers of a school that leaves, with the "
        "report runs and records that held them, and recompute the figures that counted them."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("urn", help="The school's URN.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="The platform administrator's account to record (by default, the server "
            "user who ran the command).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        urn = str(options["urn"]).strip()
        school = School.objects.filter(urn=urn).first()
        if school is None:
            raise CommandError(f"no school with URN {urn!r}: nothing deleted")
        by = self._by(options.get("by"))
        plan = plan_school_deletion(school)
        self.stdout.write(f"{school.name} ({school.urn}): this deletes")
        self.stdout.write("\n".join(summary(plan)))
        if plan.recomputed:
            self.stdout.write("and recomputes the figures of: " + ", ".join(plan.recomputed))
        if not options["yes"]:
            stdin: TextIO = options.get("stdin") or sys.stdin
            self.stdout.write("Type the school's URN to delete them (it cannot be undone): ")
            if stdin.readline().strip() != school.urn:
                raise CommandError("the URN typed does not match: nothing deleted")
        deletion = do_delete_school_responses(school, by=by)
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted, recorded as deletion {deletion.pk} by {deletion.by_name}:"
            )
        )
        self.stdout.write("\n".join(summary(deletion.counts)))

    def _by(self, username: str | None) -> User | str:
        if username is None:
            return f"manage.py delete_school_responses (server user {getpass.getuser()})"
        user = User.objects.filter(username=username).first()
        if user is None or not user.is_platform_admin:
            raise CommandError(f"{username!r} is not a platform administrator's account")
        return user
