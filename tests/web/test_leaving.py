"""A school that leaves: every answer of its pupils and staff is deleted, with what held them,
all or nothing; the figures that counted them are computed again, and come out as if the
school had never answered; only a platform administrator can do it (the admin's
confirmation page, or ``manage.py delete_school_responses``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.db.models.signals import pre_delete
from django.tasks import task_backends
from django.tasks.backends.dummy import DummyBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learnsurvey.instruments import load_instrument
from learnsurvey.web.accounts.models import Invitation, Role, User
from learnsurvey.web.dashboards.compute import compute_wave_result, is_stale, stored_result
from learnsurvey.web.dashboards.models import (
    OverTimePart,
    OverTimeResult,
    SchoolResult,
    TrustResult,
)
from learnsurvey.web.dashboards.tasks import recompute_wave_result
from learnsurvey.web.improvement.models import Action, Priority
from learnsurvey.web.partners.models import PartnerOptIn, PartnerRequest
from learnsurvey.web.reports import prepared
from learnsurvey.web.reports.models import ReportPage, ReportRun
from learnsurvey.web.reports.sources import inputs_version
from learnsurvey.web.schools.models import OutcomeValue, School
from learnsurvey.web.waves.leaving import do_delete_school_responses, plan_school_deletion
from learnsurvey.web.waves.models import (
    AccessCode,
    Publication,
    Response,
    SchoolDeletion,
    Wave,
    WaveResult,
)
from learnsurvey.web.waves.publication import do_publish_wave
from personas import World, add_responses, answer

Capture = Callable[..., Any]
"""pytest-django's ``django_capture_on_commit_callbacks``: runs what waits for the commit."""

SEEDS = {"aspen": 1, "birch": 2, "cedar": 3, "dale": 4}


@pytest.fixture
def queue(settings: Any) -> Iterator[DummyBackend]:
    """Django's dummy task backend: it keeps what is queued (and runs nothing), so a test
    sees which recomputes a deletion asks for, then runs them itself."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    dummy = task_backends["default"]
    assert isinstance(dummy, DummyBackend)
    yield dummy
    dummy.clear()


def _queued(queue: DummyBackend) -> list[int]:
    return sorted(
        int(r.args[0]) for r in queue.results if r.task.name == recompute_wave_result.name
    )


def _add_staff(wave: Wave, school: School, role: str, n: int) -> None:
    inst = wave.instrument()
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    Response.objects.bulk_create(
        Response(
            wave=wave,
            school=school,
            role=role,
            answers="4" * len(inst.items),
            submitted_hour=hour,
            idempotency_key=uuid.uuid4(),
        )
        for _ in range(n)
    )


def _staff_wave(world: World) -> Wave:
    inst = load_instrument("staff-survey")
    return Wave.objects.create(
        name="Phase Two staff",
        instrument_id=inst.id,
        instrument_version=inst.version,
        opens=world.wave.opens,
        closes=world.wave.closes,
        pupil_wave=world.wave,
    )


def _earlier_wave(world: World) -> Wave:
    return Wave.objects.create(
        name="Phase One repeat",
        instrument_id=world.wave.instrument_id,
        instrument_version=world.wave.instrument_version,
        opens=world.wave.opens - timedelta(days=200),
        closes=world.wave.opens - timedelta(days=170),
    )


def _records(world: World) -> None:
    """Birch's records beside its answers: an outcome, a priority with an action, a partner
    request to Aspen and its opt-in, an open invitation."""
    OutcomeValue.objects.create(school=world.birch, year="2025/26", measure="Attendance", value=94)
    OutcomeValue.objects.create(school=world.aspen, year="2025/26", measure="Attendance", value=95)
    dimension = world.wave.instrument().dimensions[0].id
    priority = Priority.objects.create(
        school=world.birch, academic_year="2026/27", dimension=dimension, baseline_wave=world.wave
    )
    Action.objects.create(
        priority=priority, what="Lesson study", kind="lesson_study", lead_role="x"
    )
    PartnerOptIn.objects.create(school=world.birch, open=True)
    PartnerRequest.objects.create(
        from_school=world.birch,
        to_school=world.aspen,
        dimension=dimension,
        message="We would like to learn from your work on this.",
    )
    Invitation.issue(email="new@example.org", role=Role.TEACHER, school=world.birch)


def _birch_leader(world: World) -> User:
    return User.objects.create_user(
        "bea", "bea@example.org", "x", role=Role.SCHOOL_LEADER, school=world.birch
    )


def test_it_deletes_every_answer_of_the_school_and_what_held_them(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    answer(world)
    staff = _staff_wave(world)
    _add_staff(staff, world.aspen, "teacher", 6)
    _add_staff(staff, world.birch, "teacher", 7)
    compute_wave_result(world.wave)
    do_publish_wave(staff)
    AccessCode.objects.create(wave=world.wave, school=world.birch, label="Year 9")
    _records(world)
    bea = _birch_leader(world)
    before = {s: Response.objects.filter(school=s).count() for s in (world.aspen, world.cedar)}
    plan = plan_school_deletion(world.birch)
    assert (plan.pupil_responses, plan.staff_responses) == (35, 7)
    assert [(w.wave, w.pupils, w.staff) for w in plan.waves] == [
        ("Phase Two", 35, 0),
        ("Phase Two staff", 0, 7),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        deletion = do_delete_school_responses(world.birch, by=world.alice)
    assert not Response.objects.filter(school=world.birch).exists()
    assert {s: Response.objects.filter(school=s).count() for s in before} == before
    # The publications no longer count the deleted answers; one more marks the withdrawal.
    for wave, withdrawn in ((world.wave, 35), (staff, 7)):
        published = Response.objects.filter(wave=wave, publication__isnull=False).count()
        assert Publication.objects.filter(wave=wave).aggregate(n=Sum("n_responses"))["n"] == (
            published
        )
        last = Publication.objects.filter(wave=wave).latest("number")
        assert (last.n_responses, last.withdrawn, last.deletion) == (0, withdrawn, deletion)
    # Its own figures are gone, and (tasks run at once here) the wave's are computed again.
    assert not SchoolResult.objects.filter(urn=world.birch.urn).exists()
    assert WaveResult.objects.get(wave=world.wave).n_responses == 40 + 20 + 6
    assert not OutcomeValue.objects.filter(school=world.birch).exists()
    assert OutcomeValue.objects.filter(school=world.aspen).exists()
    assert not Priority.objects.filter(school=world.birch).exists()
    assert not Action.objects.exists()
    assert not PartnerRequest.objects.exists()
    assert not PartnerOptIn.objects.exists()
    assert not AccessCode.objects.filter(school=world.birch).exists()
    assert not Invitation.objects.filter(school=world.birch).exists()
    bea.refresh_from_db()
    assert not bea.is_active
    world.birch.refresh_from_db()
    assert world.birch.left == deletion.at  # the record stays, marked as left
    recorded = SchoolDeletion.objects.get()
    assert (recorded.by, recorded.by_name, recorded.urn) == (world.alice, "alice", "100002")
    assert (recorded.pupil_responses, recorded.staff_responses) == (35, 7)
    assert recorded.counts["priorities"] == 1
    assert recorded.counts["accounts"] == 1
    assert recorded.counts["recomputed"] == ["Phase Two", "Phase Two staff"]


def _payloads(wave: Wave, urn: str, trust: str) -> tuple[Any, ...]:
    result = WaveResult.objects.get(wave=wave)
    return (
        result.n_responses,
        result.payload["global"],
        result.payload["pseudonyms"],
        SchoolResult.objects.get(result=result, urn=urn).payload,
        TrustResult.objects.get(result=result, trust=trust).payload,
    )


def _wipe(*waves: Wave) -> None:
    for wave in waves:
        Response.objects.filter(wave=wave).delete()
        WaveResult.objects.filter(wave=wave).delete()
        OverTimeResult.objects.filter(wave=wave).delete()
        Publication.objects.filter(wave=wave).delete()
    prepared.clear()


def test_it_computes_the_figures_again_as_if_the_school_had_never_answered(
    world: World, queue: DummyBackend, django_capture_on_commit_callbacks: Capture
) -> None:
    # The reference: the same pupils (same seeds, same order) without Birch's.
    for name, n in (("aspen", 40), ("cedar", 20), ("dale", 6)):
        add_responses(world.wave, getattr(world, name), n, seed=SEEDS[name])
    compute_wave_result(world.wave)
    expected = _payloads(world.wave, world.aspen.urn, world.trust.name)
    _wipe(world.wave)
    answer(world)  # Aspen 40, Birch 35, Cedar 20, Dale 6
    compute_wave_result(world.wave)
    with_birch = _payloads(world.wave, world.aspen.urn, world.trust.name)
    assert with_birch[0] == 101
    assert with_birch[4]["n_schools"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        do_delete_school_responses(world.birch, by=world.alice)
    assert _queued(queue) == [world.wave.pk]
    recompute_wave_result.call(world.wave.pk)  # what the worker runs
    after = _payloads(world.wave, world.aspen.urn, world.trust.name)
    assert after[0] == 66
    assert after[4]["n_schools"] == 1
    assert after == expected


def test_it_recomputes_the_figures_over_time_of_a_later_wave(
    world: World, queue: DummyBackend, django_capture_on_commit_callbacks: Capture
) -> None:
    earlier = _earlier_wave(world)

    def answered(*, birch: bool) -> None:
        add_responses(earlier, world.aspen, 30, seed=11)
        if birch:
            add_responses(earlier, world.birch, 25, seed=12)
        add_responses(earlier, world.cedar, 20, seed=13)
        # Birch does not answer the later wave: it is there only through the series.
        add_responses(world.wave, world.aspen, 40, seed=1)
        add_responses(world.wave, world.cedar, 20, seed=3)
        compute_wave_result(earlier)
        compute_wave_result(world.wave)

    def over_time() -> tuple[Any, ...]:
        stored = OverTimeResult.objects.get(wave=world.wave)
        parts = {(p.kind, p.key): p.payload for p in stored.parts.all()}
        return stored.payload, parts

    answered(birch=False)
    expected = over_time()
    _wipe(earlier, world.wave)
    answered(birch=True)
    assert over_time() != expected
    assert ("school", world.birch.urn) in over_time()[1]
    with django_capture_on_commit_callbacks(execute=True):
        do_delete_school_responses(world.birch, by=world.alice)
    # The school's part goes at once; the rest is stale, and recomputed.
    assert not OverTimePart.objects.filter(key=world.birch.urn).exists()
    later = stored_result(world.wave)
    assert later is not None
    assert is_stale(later)
    assert stored_result(earlier) is None
    assert _queued(queue) == sorted([earlier.pk, world.wave.pk])
    for pk in _queued(queue):
        recompute_wave_result.call(pk)
    assert over_time() == expected
    refreshed = stored_result(world.wave)
    assert refreshed is not None
    assert not is_stale(refreshed)


def _run(wave: Wave, kind: str, target: str = "") -> ReportRun:
    run = ReportRun.objects.create(kind=kind, wave=wave, target=target)
    run.folder().mkdir(parents=True)
    (run.folder() / "report.pdf").write_bytes(b"%PDF-1.7\n")
    return run


def _page(wave: Wave, kind: str, target: str = "") -> ReportPage:
    return ReportPage.objects.create(
        wave=wave,
        kind=kind,
        target=target,
        language="en-gb",
        stamp="x",
        html="<p>",
        built=timezone.now(),
    )


def test_it_removes_the_report_runs_that_included_the_school_with_their_files(
    world: World, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    settings.DATA_DIR = tmp_path
    answer(world)
    compute_wave_result(world.wave)
    other = Wave.objects.create(
        name="Another survey",
        instrument_id="staff-survey",
        instrument_version=load_instrument("staff-survey").version,
        opens=world.wave.opens,
        closes=world.wave.closes,
    )
    Kind = ReportRun.Kind
    gone = [
        _run(world.wave, Kind.SCHOOL, world.birch.urn),
        _run(world.wave, Kind.SCHOOL, world.aspen.urn),  # set against every school, Birch too
        _run(world.wave, Kind.TRUST, str(world.trust.pk)),
        _run(world.wave, Kind.GLOBAL),
        _run(world.wave, Kind.ALL_SCHOOLS),
        _run(other, Kind.SCHOOL, world.birch.urn),  # the school's own, whatever the wave
    ]
    kept = _run(other, Kind.SCHOOL, world.cedar.urn)
    _page(world.wave, ReportPage.Kind.GLOBAL)
    _page(world.wave, ReportPage.Kind.SCHOOL, world.aspen.urn)
    kept_page = _page(other, ReportPage.Kind.GLOBAL)
    assert plan_school_deletion(world.birch).report_runs == len(gone)
    with django_capture_on_commit_callbacks(execute=True):
        deletion = do_delete_school_responses(world.birch, by=world.alice)
    assert deletion.report_runs == len(gone)
    assert list(ReportRun.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not [run for run in gone if run.folder().exists()]
    assert (kept.folder() / "report.pdf").is_file()
    assert list(ReportPage.objects.values_list("pk", flat=True)) == [kept_page.pk]


def test_it_changes_the_version_the_prepared_reports_are_kept_under(world: World) -> None:
    # Birch's answers are not the newest: without the deletion in the version, a process
    # that built the reports before would keep serving them.
    add_responses(world.wave, world.birch, 35, seed=2)
    add_responses(world.wave, world.aspen, 40, seed=1)
    compute_wave_result(world.wave)
    version = inputs_version(world.wave)
    do_delete_school_responses(world.birch, by=world.alice)
    assert inputs_version(world.wave) != version


def test_it_deletes_nothing_when_any_part_fails(
    world: World, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    settings.DATA_DIR = tmp_path
    answer(world)
    compute_wave_result(world.wave)
    _records(world)
    run = _run(world.wave, ReportRun.Kind.SCHOOL, world.birch.urn)
    counts = {m: m.objects.count() for m in (Response, Publication, SchoolResult, OutcomeValue)}

    def refuse(**kwargs: Any) -> None:
        raise RuntimeError("the disk is not writable")

    # Deleting the report runs comes after the answers and the figures: it fails last.
    pre_delete.connect(refuse, sender=ReportRun, dispatch_uid="test-leaving-refuse")
    try:
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
        ):
            do_delete_school_responses(world.birch, by=world.alice)
    finally:
        pre_delete.disconnect(dispatch_uid="test-leaving-refuse")
    assert callbacks == []
    assert {m: m.objects.count() for m in counts} == counts
    assert Response.objects.filter(school=world.birch).count() == 35
    assert ReportRun.objects.filter(pk=run.pk).exists()
    assert run.folder().exists()
    assert WaveResult.objects.filter(wave=world.wave).exists()
    assert Priority.objects.filter(school=world.birch).exists()
    assert not SchoolDeletion.objects.exists()
    world.birch.refresh_from_db()
    assert world.birch.left is None


def test_it_refuses_an_account_that_is_not_a_platform_administrators(world: World) -> None:
    answer(world)
    for persona in (world.tess, world.sam, world.rita):
        with pytest.raises(PermissionDenied):
            do_delete_school_responses(world.birch, by=persona)
    assert Response.objects.filter(school=world.birch).count() == 35


def _confirm_url(world: World) -> str:
    return reverse("admin:schools_school_delete_responses", args=[world.birch.pk])


def test_it_confirms_in_the_admin_with_counts_and_the_typed_urn(
    client: Client, world: World
) -> None:
    answer(world)
    client.force_login(world.alice)
    changelist = reverse("admin:schools_school_changelist")
    chosen = client.post(
        changelist, {"action": "delete_responses", "_selected_action": [world.birch.pk]}
    )
    assert chosen.status_code == 302
    assert chosen["Location"] == _confirm_url(world)
    two = client.post(
        changelist,
        {"action": "delete_responses", "_selected_action": [world.birch.pk, world.aspen.pk]},
        follow=True,
    )
    assert "Choose one school at a time" in two.content.decode()
    page = client.get(_confirm_url(world)).content.decode()
    assert "Delete the answers of Birch Academy" in page
    assert "<dt>Pupils' answers</dt><dd>35</dd>" in page
    assert "To confirm, type the school's URN, 100002" in page
    wrong = client.post(_confirm_url(world), {"urn": "100001"}).content.decode()
    assert "There is a problem" in wrong
    assert "Error:" in wrong
    assert Response.objects.filter(school=world.birch).count() == 35
    done = client.post(_confirm_url(world), {"urn": " 100002 "})
    assert done.status_code == 302
    assert done["Location"] == reverse("admin:schools_school_change", args=[world.birch.pk])
    assert not Response.objects.filter(school=world.birch).exists()
    assert SchoolDeletion.objects.get().by == world.alice
    change = client.get(done["Location"]).content.decode()
    assert "The answers of Birch Academy were deleted: 35 pupils" in change


def test_it_lets_no_other_admin_account_delete(client: Client, world: World) -> None:
    answer(world)
    # Staff status lets an account into the admin, but it is no platform administrator.
    clerk = User.objects.create_user(
        "clerk", "c@example.org", "x", role=Role.TEACHER, is_staff=True
    )
    client.force_login(clerk)
    assert client.get(_confirm_url(world)).status_code == 403
    assert client.post(_confirm_url(world), {"urn": world.birch.urn}).status_code == 403
    client.force_login(world.tess)  # a trust leader: not let into the admin at all
    response = client.post(_confirm_url(world), {"urn": world.birch.urn})
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    assert Response.objects.filter(school=world.birch).count() == 35
    assert not SchoolDeletion.objects.exists()


def test_it_deletes_with_the_command_after_confirmation(world: World) -> None:
    answer(world)
    out = StringIO()
    with pytest.raises(CommandError, match="does not match"):
        call_command("delete_school_responses", "100002", stdin=StringIO("100001\n"), stdout=out)
    assert "35  pupils' answers" in out.getvalue()
    assert Response.objects.filter(school=world.birch).count() == 35
    out = StringIO()
    call_command("delete_school_responses", "100002", stdin=StringIO("100002\n"), stdout=out)
    assert "Deleted, recorded as deletion" in out.getvalue()
    assert not Response.objects.filter(school=world.birch).exists()
    assert SchoolDeletion.objects.get().by_name.startswith("manage.py delete_school_responses")


def test_it_deletes_with_the_command_without_asking_when_told(world: World) -> None:
    answer(world)
    out = StringIO()
    call_command("delete_school_responses", "200001", "--yes", "--by", "alice", stdout=out)
    assert "20  pupils' answers" in out.getvalue()
    assert not Response.objects.filter(school=world.cedar).exists()
    assert SchoolDeletion.objects.get().by == world.alice
    with pytest.raises(CommandError, match="not a platform administrator"):
        call_command("delete_school_responses", "100002", "--yes", "--by", "sam", stdout=out)
    assert Response.objects.filter(school=world.birch).count() == 35


def test_it_refuses_an_unknown_urn_in_the_command(world: World) -> None:
    answer(world)
    with pytest.raises(CommandError, match="no school with URN '999999': nothing deleted"):
        call_command("delete_school_responses", "999999", "--yes", stdout=StringIO())
    assert Response.objects.count() == 101
    assert not SchoolDeletion.objects.exists()
