"""The task queue and its worker: pages never wait for a recompute or a report's page.

These tests switch the suite's immediate backend for the real one (django-tasks-db, the
queue in the platform's database) and run the real worker (``manage.py db_worker --batch``)
between requests, as ``make demo`` and a deployment run it beside the web server.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from learnsurvey.web.accounts.models import Role, User
from learnsurvey.web.dashboards import results
from learnsurvey.web.reports.models import ReportPage, ReportRun
from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.models import Response
from personas import World, add_responses, logged_in
from worker import queue, run_worker


@pytest.fixture
def queued(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with queue(settings, monkeypatch):
        yield


def _answer(world: World, n: int, seed: int) -> None:
    # One key stage and gender: every batch of 10 or more is safe to publish (rule 9).
    add_responses(world.wave, world.aspen, n, seed=seed)
    add_responses(world.wave, world.birch, n, seed=seed + 100)
    Response.objects.update(key_stage="KS2", gender="girl")


def test_it_shows_the_last_figures_while_the_worker_recomputes(world: World, queued: None) -> None:
    _answer(world, 20, seed=1)
    first = results.compute_wave_result(world.wave)
    _answer(world, 20, seed=2)
    sam = logged_in(world.sam)
    page = sam.get(f"/dashboards/waves/{world.wave.pk}/schools/{world.aspen.urn}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "New answers are being added to these figures" in html
    assert 'src="/static/dashboards/freshness.js"' in html
    stored = results.stored_result(world.wave)
    assert stored is not None
    assert stored.computed == first.computed
    status = sam.get(f"/dashboards/waves/{world.wave.pk}/status.json").json()
    assert status["updating"] is True
    # Asking again queues nothing more: one recompute per wave waits at a time.
    sam.get(f"/dashboards/waves/{world.wave.pk}/schools/{world.aspen.urn}/")
    recomputes = DBTaskResult.objects.filter(task_path__endswith="recompute_wave_result")
    assert recomputes.count() == 1

    run_worker()

    assert recomputes.get().status == "SUCCESSFUL"
    fresh = results.stored_result(world.wave)
    assert fresh is not None
    assert fresh.computed > first.computed
    assert fresh.n_responses == 80
    status = sam.get(f"/dashboards/waves/{world.wave.pk}/status.json").json()
    assert status == {"computed": status["computed"], "updating": False}
    assert status["computed"].startswith(f"{fresh.computed.astimezone().date().isoformat()}")
    page = sam.get(f"/dashboards/waves/{world.wave.pk}/schools/{world.aspen.urn}/")
    assert "New answers are being added" not in page.content.decode()


def test_it_says_the_figures_are_being_computed_before_the_first_pass(
    world: World, queued: None
) -> None:
    _answer(world, 20, seed=1)
    page = logged_in(world.sam).get(f"/dashboards/waves/{world.wave.pk}/schools/{world.aspen.urn}/")
    assert page.status_code == 200
    assert "The figures are being computed" in page.content.decode()
    run_worker()
    assert results.stored_result(world.wave) is not None


def test_it_builds_every_report_page_in_the_worker_after_a_recompute(
    world: World, queued: None
) -> None:
    _answer(world, 20, seed=1)
    results.current_result(world.wave)  # queued
    run_worker()  # the recompute, which queues the pages; then the pages
    pages = {(p.kind, p.target): p for p in ReportPage.objects.filter(wave=world.wave)}
    assert (ReportPage.Kind.SCHOOL, world.aspen.urn) in pages
    assert (ReportPage.Kind.TRUST, str(world.trust.pk)) in pages
    assert (ReportPage.Kind.GLOBAL, "") in pages
    kept = pages[(ReportPage.Kind.SCHOOL, world.aspen.urn)]
    assert kept.available
    assert kept.language == "en-gb"
    page = logged_in(world.sam).get(
        f"/reports/waves/{world.wave.pk}/schools/{world.aspen.urn}/view/"
    )
    assert page.status_code == 200
    assert page.content.decode() == kept.html  # read, not built
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_it_shows_a_page_that_comes_back_while_a_report_is_first_prepared(
    world: World, queued: None
) -> None:
    _answer(world, 20, seed=1)
    results.compute_wave_result(world.wave)
    url = f"/reports/waves/{world.wave.pk}/schools/{world.aspen.urn}/view/"
    sam = logged_in(world.sam)
    waiting = sam.get(url)
    assert waiting.status_code == 200
    html = waiting.content.decode()
    assert 'id="report-preparing"' in html
    assert 'src="/static/reports/page_status.js"' in html
    run_worker()
    ready = sam.get(url)
    assert 'id="report-preparing"' not in ready.content.decode()
    assert ready.content.decode() == ReportPage.objects.get(target=world.aspen.urn).html


def test_it_shows_the_page_last_built_until_the_new_one_is_ready(
    world: World, queued: None
) -> None:
    _answer(world, 20, seed=1)
    results.compute_wave_result(world.wave)
    url = f"/reports/waves/{world.wave.pk}/schools/{world.aspen.urn}/view/"
    sam = logged_in(world.sam)
    sam.get(url)
    run_worker()
    before = ReportPage.objects.get(target=world.aspen.urn)
    _answer(world, 20, seed=2)  # the data moved on: the kept page is stale
    shown = sam.get(url)
    assert shown.content.decode() == before.html
    run_worker()
    after = ReportPage.objects.get(target=world.aspen.urn)
    assert after.stamp != before.stamp
    assert after.built > before.built


def test_it_tells_a_leader_whose_school_is_not_in_the_wave_nothing(
    world: World, queued: None
) -> None:
    elm = School.objects.create(urn="400001", name="Elm Primary", phase="primary")
    leader = User.objects.create_user("eve", role=Role.SCHOOL_LEADER, school=elm)
    answer = logged_in(leader).get(f"/dashboards/waves/{world.wave.pk}/status.json")
    assert answer.status_code == 404


def test_it_cleans_up_old_report_runs_as_it_works(world: World, queued: None) -> None:
    old = ReportRun.objects.create(kind=ReportRun.Kind.GLOBAL, wave=world.wave)
    ReportRun.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=31))
    recent = ReportRun.objects.create(kind=ReportRun.Kind.GLOBAL, wave=world.wave)
    _answer(world, 20, seed=1)
    results.current_result(world.wave)
    run_worker()
    assert list(ReportRun.objects.values_list("pk", flat=True)) == [recent.pk]
    cleaned = DBTaskResult.objects.get(task_path__endswith="housekeeping")
    assert cleaned.status == "SUCCESSFUL"
