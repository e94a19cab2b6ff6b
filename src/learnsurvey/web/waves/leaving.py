"""A school that leaves: its answers deleted, and the figures that counted them recomputed.

:func:`do_delete_school_responses` is the one way to do it (the admin's action on a school
and ``manage.py delete_school_responses`` both call it); :func:`plan_school_deletion` says
beforehand what it will delete, for the confirmation page and the command's question.

What goes, in one transaction:

- every response of the school, pupils' and staff's, in every wave;
- the stored figures of every wave that counted them (the wave's result with every school's
  and trust's slice, and its figures over time): they hold the school's own rows in many
  places (its dashboard, its trust's heatmap, the researchers' school tables, the top and
  bottom school), so they go whole and are computed again. A staff survey's answers are
  part of the figures of the pupil wave it accompanies, so that wave counts as well;
- the school's part of the figures over time of every later wave of the same instrument
  (the rest of those figures is stale, see below, and recomputed);
- the report runs of all these waves and their files (every school's report sets it against
  all schools, so any of them may include the school), and any run of the school's own;
  the report pages kept for them;
- what only made sense beside its answers: its outcome measures, its priorities with their
  actions and history, its partner opt-in and its partner requests sent and received;
- its access codes, so that no new answers arrive; its open invitations; and its accounts
  are switched off (not deleted: a person's account is theirs to have deleted, by an
  administrator).

The school's record stays, marked as left (:attr:`School.left`), with its participations
(so the "School N" numbers of the other schools do not change) and its registrations; a
:class:`~.models.SchoolDeletion` row records who did it, when, and what went.

Each wave whose figures counted the school gets a :class:`~.models.Publication` that adds
no response and records how many were withdrawn (the publications before it no longer count
them). Figures change at publications (rule 9 of :mod:`learnsurvey.stats.disclosure`), and
everything that asks whether stored figures are current compares publication numbers: the
figures over time of a later wave, which store the publication of each wave of their series,
are stale from then on, without :func:`~learnsurvey.web.dashboards.compute.is_stale`
knowing anything about deletions.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Max, Q, Value
from django.db.models.functions import Greatest

from learnsurvey.web.accounts.models import Invitation, Role, User
from learnsurvey.web.dashboards.models import OverTimePart, OverTimeResult, SchoolResult
from learnsurvey.web.improvement.models import Action, Priority
from learnsurvey.web.partners.models import PartnerOptIn, PartnerRequest
from learnsurvey.web.reports.models import ReportPage, ReportRun
from learnsurvey.web.schools.models import OutcomeValue, School

from .actions import access_code_cache_key, codes_cache
from .models import AccessCode, Publication, Response, SchoolDeletion, Wave, WaveResult

__all__ = ["LeavingPlan", "WaveAnswers", "do_delete_school_responses", "plan_school_deletion"]


@dataclass(frozen=True)
class WaveAnswers:
    """The school's answers in one wave."""

    wave: str
    pupils: int
    staff: int


@dataclass(frozen=True)
class LeavingPlan:
    """What deleting a school's answers deletes, counted now."""

    school: School
    waves: tuple[WaveAnswers, ...]
    """Every wave with answers of the school, oldest first."""
    recomputed: tuple[str, ...]
    """The waves whose stored figures are computed again without the school."""
    report_runs: int
    report_pages: int
    outcomes: int
    priorities: int
    actions: int
    partner_requests: int
    access_codes: int
    accounts: int
    invitations: int

    @property
    def pupil_responses(self) -> int:
        return sum(w.pupils for w in self.waves)

    @property
    def staff_responses(self) -> int:
        return sum(w.staff for w in self.waves)

    def counts(self) -> dict[str, int]:
        """Every count by name (the audit row's ``counts``, the command's summary)."""
        return {
            "pupil_responses": self.pupil_responses,
            "staff_responses": self.staff_responses,
            "report_runs": self.report_runs,
            "report_pages": self.report_pages,
            "outcomes": self.outcomes,
            "priorities": self.priorities,
            "actions": self.actions,
            "partner_requests": self.partner_requests,
            "access_codes": self.access_codes,
            "accounts": self.accounts,
            "invitations": self.invitations,
        }


@dataclass(frozen=True)
class _Scope:
    """The waves a deletion touches, by id."""

    answered: dict[int, tuple[int, int]]
    """Waves with answers of the school: (pupils, staff)."""
    counted: dict[int, int]
    """Waves whose figures counted them: how many of their published responses go."""
    later: set[int]
    """Later waves of the same instrument, whose figures over time include those waves."""

    @property
    def touched(self) -> set[int]:
        return set(self.answered) | set(self.counted) | self.later


def _scope(school: School) -> _Scope:
    rows = (
        Response.objects.filter(school=school)
        .values_list("wave_id", "role", "publication_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    answered: Counter[tuple[int, bool]] = Counter()
    counted: Counter[int] = Counter()
    for wave_id, role, publication_id, n in rows:
        answered[wave_id, bool(role)] += n
        if publication_id is not None:
            counted[wave_id] += n
    waves = {w.pk: w for w in Wave.objects.filter(pk__in={w for w, _ in answered})}
    # A staff survey's answers are in the figures of the pupil wave it accompanies.
    for wave_id in list(counted):
        paired = waves[wave_id].pupil_wave_id
        if paired is not None:
            counted.setdefault(paired, 0)
    later: set[int] = set()
    for wave in Wave.objects.filter(pk__in=list(counted), pupil_wave__isnull=True):
        following = Wave.objects.filter(instrument_id=wave.instrument_id).filter(
            Q(opens__gt=wave.opens) | Q(opens=wave.opens, pk__gt=wave.pk)
        )
        later |= set(following.values_list("pk", flat=True))
    return _Scope(
        answered={w: (answered[w, False], answered[w, True]) for w in waves},
        counted=dict(counted),
        later=later - set(counted),
    )


def _report_runs(school: School, scope: _Scope) -> Q:
    return Q(wave_id__in=scope.touched) | Q(kind=ReportRun.Kind.SCHOOL, target=school.urn)


def _report_pages(school: School, scope: _Scope) -> Q:
    return Q(wave_id__in=scope.touched) | Q(kind=ReportPage.Kind.SCHOOL, target=school.urn)


def _accounts(school: School) -> Q:
    """The school's own accounts (its leaders and teachers), never an administrator's."""
    return Q(school=school, is_active=True) & ~Q(is_superuser=True) & ~Q(role=Role.PLATFORM_ADMIN)


def _oldest_first(ids: Iterable[int]) -> list[Wave]:
    return list(Wave.objects.filter(pk__in=list(ids)).order_by("opens", "pk"))


def _plan(school: School, scope: _Scope) -> LeavingPlan:
    waves = _oldest_first(scope.answered)
    priorities = Priority.objects.filter(school=school)
    return LeavingPlan(
        school=school,
        waves=tuple(WaveAnswers(w.name, *scope.answered[w.pk]) for w in waves),
        recomputed=tuple(w.name for w in _oldest_first(set(scope.counted) | scope.later)),
        report_runs=ReportRun.objects.filter(_report_runs(school, scope)).count(),
        report_pages=ReportPage.objects.filter(_report_pages(school, scope)).count(),
        outcomes=OutcomeValue.objects.filter(school=school).count(),
        priorities=priorities.count(),
        actions=Action.objects.filter(priority__in=priorities).count(),
        partner_requests=PartnerRequest.objects.filter(
            Q(from_school=school) | Q(to_school=school)
        ).count(),
        access_codes=AccessCode.objects.filter(school=school).count(),
        accounts=User.objects.filter(_accounts(school)).count(),
        invitations=Invitation.objects.filter(school=school, accepted__isnull=True).count(),
    )


def plan_school_deletion(school: School) -> LeavingPlan:
    """What :func:`do_delete_school_responses` would delete now (it counts again, under
    lock, when it runs)."""
    return _plan(school, _scope(school))


def _check(by: User | str) -> tuple[User | None, str]:
    """Who acts: a platform administrator's account, or (the command on the server, whose
    shell is already an administrator's) a description of who ran it."""
    if isinstance(by, User):
        if not (by.is_active and by.is_platform_admin):
            raise PermissionDenied("only a platform administrator may delete a school's answers")
        return by, by.get_username()
    if not by.strip():
        raise ValueError("say who is deleting the school's answers")
    return None, by.strip()[:200]


@transaction.atomic
def do_delete_school_responses(school: School, *, by: User | str) -> SchoolDeletion:
    """Delete every answer of ``school`` and what holds its pupils' and staff's data, all or
    nothing (see the module's description for what goes and what stays), and record it.

    After the commit, the files of the deleted report runs are removed and a recompute of
    every wave whose stored figures counted the school, or are now stale, is queued.

    Raises PermissionDenied when ``by`` is an account that is not a platform
    administrator's."""
    # Here, not at the top: the admin imports this module, and the task brings in the
    # whole analysis stack, which a web worker should load only when it needs it.
    from learnsurvey.web.dashboards.tasks import request_recompute

    user, by_name = _check(by)
    School.objects.select_for_update().filter(pk=school.pk).first()
    scope = _scope(school)
    # Locked in one order, as do_publish_wave locks each: no publication of these waves
    # interleaves with the withdrawal, and two deletions cannot deadlock.
    locked = set(scope.answered) | set(scope.counted)
    list(Wave.objects.select_for_update().filter(pk__in=list(locked)).order_by("pk"))
    scope = _scope(school)  # again, now that no publication can move a response
    plan = _plan(school, scope)
    recompute = set(
        WaveResult.objects.filter(wave_id__in=set(scope.counted) | scope.later).values_list(
            "wave_id", flat=True
        )
    )
    deletion = SchoolDeletion.objects.create(
        school=school,
        urn=school.urn,
        school_name=school.name,
        by=user,
        by_name=by_name,
        pupil_responses=plan.pupil_responses,
        staff_responses=plan.staff_responses,
        report_runs=plan.report_runs,
        counts=plan.counts() | {"recomputed": list(plan.recomputed)},
    )
    _withdraw(school, scope, deletion)
    Response.objects.filter(school=school).delete()
    _drop_figures(school, scope)
    folders = _drop_reports(school, scope)
    _drop_records(school)
    School.objects.filter(pk=school.pk).update(left=deletion.at)
    school.left = deletion.at
    transaction.on_commit(lambda: _remove(folders))
    for wave_id in sorted(recompute):
        transaction.on_commit(partial(request_recompute, wave_id))
    return deletion


def _withdraw(school: School, scope: _Scope, deletion: SchoolDeletion) -> None:
    """The publications stop counting the school's responses, and each wave whose figures
    counted them gets one more publication, which marks the change."""
    published = (
        Response.objects.filter(school=school, publication__isnull=False)
        .values_list("publication_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for publication_id, n in published:
        Publication.objects.filter(pk=publication_id).update(
            n_responses=Greatest(F("n_responses") - n, Value(0))
        )
    # A publication left with no response stays: numbers only ever go up, so a stored
    # figure that names an older number is always seen to be behind.
    for wave_id, withdrawn in sorted(scope.counted.items()):
        last = Publication.objects.filter(wave_id=wave_id).aggregate(m=Max("number"))["m"]
        Publication.objects.create(
            wave_id=wave_id,
            number=(last or 0) + 1,
            n_responses=0,
            withdrawn=withdrawn,
            deletion=deletion,
        )


def _drop_figures(school: School, scope: _Scope) -> None:
    """The stored figures that counted the school go whole (the payloads are deferred:
    megabytes each, and only their ids are needed to delete them); elsewhere, its part."""
    counted = list(scope.counted)
    WaveResult.objects.filter(wave_id__in=counted).defer("payload").delete()
    OverTimeResult.objects.filter(wave_id__in=counted).defer("payload").delete()
    SchoolResult.objects.filter(urn=school.urn).delete()
    OverTimePart.objects.filter(kind=OverTimePart.Kind.SCHOOL, key=school.urn).delete()


def _drop_reports(school: School, scope: _Scope) -> list[Path]:
    """Delete the report runs and kept report pages that may hold the school's figures;
    the runs' folders, to remove after the commit."""
    runs = list(ReportRun.objects.select_for_update().filter(_report_runs(school, scope)))
    ReportRun.objects.filter(pk__in=[run.pk for run in runs]).delete()
    ReportPage.objects.filter(_report_pages(school, scope)).delete()
    return [run.folder() for run in runs]


def _drop_records(school: School) -> None:
    """What only made sense beside the school's answers, and what would let new ones in."""
    OutcomeValue.objects.filter(school=school).delete()
    Priority.objects.filter(school=school).delete()  # with its actions and their history
    PartnerRequest.objects.filter(Q(from_school=school) | Q(to_school=school)).delete()
    PartnerOptIn.objects.filter(school=school).delete()
    codes = list(AccessCode.objects.filter(school=school).values_list("code", flat=True))
    AccessCode.objects.filter(school=school).delete()
    # The pupil endpoint caches a code's look-up: dropped once the codes are gone for good.
    keys = [access_code_cache_key(code) for code in codes]
    transaction.on_commit(lambda: codes_cache().delete_many(keys))
    Invitation.objects.filter(school=school, accepted__isnull=True).delete()
    User.objects.filter(_accounts(school)).update(is_active=False)


def _remove(folders: list[Path]) -> None:
    for folder in folders:
        if folder.exists():
            shutil.rmtree(folder)
