"""The reports on the platform: who may open, request and download what; a leader's PDF
made in the background and downloaded; the report as a web page; the chart script."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.test import Client
from django.urls import reverse

from learnsurvey.web.accounts.models import User
from learnsurvey.web.reports import prepared
from learnsurvey.web.reports.models import ReportRun
from learnsurvey.web.reports.sources import inputs_from_database
from learnsurvey.web.waves.models import Wave
from personas import ASPEN_ACCESS, World, add_responses, answer, logged_in

PERSONAS = ("alice", "tess", "sam", "tom", "rita", "bob", "sara", "dev")


@pytest.fixture(autouse=True)
def _reports_folder(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    prepared.clear()  # built reports are kept per process; each test has its own database


@pytest.fixture
def answered(world: World) -> World:
    """Aspen 40 pupils, Birch 35, Cedar 30, Dale 6 (too few for a report)."""
    answer(world, cedar=30)
    return world


def _body(response: Any) -> bytes:
    """A file response's content. Read to the end, the test client closes the file (a bare
    ``response.close()`` would also close the test's database connection)."""
    return b"".join(response.streaming_content)


def _status(client: Client, url: str) -> int:
    """The status of a GET, with any streamed file read and so closed."""
    response = client.get(url)
    if response.streaming:
        _body(response)
    return int(response.status_code)


def _school(world: World, urn: str, view: str = "school") -> str:
    return reverse(f"reports:{view}", args=[world.wave.pk, urn])


def _trust(world: World, trust_id: int, view: str = "trust") -> str:
    return reverse(f"reports:{view}", args=[world.wave.pk, trust_id])


def _global(world: World, view: str = "global") -> str:
    return reverse(f"reports:{view}", args=[world.wave.pk])


def _run(world: World, user: User, kind: str, target: str) -> ReportRun:
    """A finished run, made as the task makes it (without going through a view)."""
    from learnsurvey.web.reports.tasks import make_report

    run = ReportRun.objects.create(kind=kind, wave=world.wave, target=target, requested_by=user)
    make_report.enqueue(run.pk)
    run.refresh_from_db()
    return run


def _run_urls(run: ReportRun) -> list[str]:
    return [reverse(f"reports:{name}", args=[run.pk]) for name in ("run", "pdf", "html", "zip")]


# --- who may see what ----------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_the_login_page(answered: World) -> None:
    run = _run(answered, answered.sam, ReportRun.Kind.SCHOOL, answered.aspen.urn)
    client = Client()
    urls = [
        _school(answered, answered.aspen.urn),
        _school(answered, answered.aspen.urn, "school_view"),
        _trust(answered, answered.trust.pk),
        _trust(answered, answered.trust.pk, "trust_view"),
        _global(answered),
        _global(answered, "global_view"),
        *_run_urls(run),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))
    for url in (
        _school(answered, answered.aspen.urn),
        _trust(answered, answered.trust.pk),
        _global(answered),
        _global(answered, "all_schools"),
    ):
        response = client.post(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))
    assert ReportRun.objects.count() == 1


def _check_access(user: User, page: str, view: str, status: int) -> None:
    """The report's page and its web view answer ``user`` with ``status``; asking for the
    PDF redirects to the new run when that is 200, else answers ``status`` too."""
    client = logged_in(user)
    assert client.get(page).status_code == status
    assert client.get(view).status_code == status
    assert client.post(page).status_code == (302 if status == 200 else status)


@pytest.mark.parametrize(("persona", "status"), ASPEN_ACCESS)
def test_it_shows_a_school_report_only_to_those_who_may_see_the_school(
    answered: World, persona: str, status: int
) -> None:
    urn = answered.aspen.urn
    _check_access(
        getattr(answered, persona),
        _school(answered, urn),
        _school(answered, urn, "school_view"),
        status,
    )
    assert ReportRun.objects.exists() == (status == 200)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("alice", 200),
        ("tess", 200),
        ("sam", 404),
        ("tom", 404),
        ("rita", 404),
        ("bob", 404),
        ("sara", 404),
        ("dev", 404),
    ],
)
def test_it_shows_a_trust_report_only_to_its_leader_and_admins(
    answered: World, persona: str, status: int
) -> None:
    pk = answered.trust.pk
    _check_access(
        getattr(answered, persona), _trust(answered, pk), _trust(answered, pk, "trust_view"), status
    )
    assert ReportRun.objects.exists() == (status == 200)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("alice", 200),
        ("rita", 200),
        ("tess", 403),
        ("sam", 403),
        ("tom", 403),
        ("bob", 403),
        ("sara", 403),
        ("dev", 403),
    ],
)
def test_it_shows_the_global_report_to_researchers_and_admins_only(
    answered: World, persona: str, status: int
) -> None:
    _check_access(
        getattr(answered, persona), _global(answered), _global(answered, "global_view"), status
    )


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "alice"])
def test_only_platform_admins_may_ask_for_every_school_report(
    answered: World, persona: str
) -> None:
    response = logged_in(getattr(answered, persona)).post(_global(answered, "all_schools"))
    assert response.status_code == 403
    assert not ReportRun.objects.exists()


def test_it_answers_404_for_unknown_waves_schools_and_trusts(answered: World) -> None:
    client = logged_in(answered.alice)
    assert (
        client.get(reverse("reports:school", args=[99999, answered.aspen.urn])).status_code == 404
    )
    assert client.get(_school(answered, "999999", "school_view")).status_code == 404
    assert client.get(_trust(answered, 99999, "trust_view")).status_code == 404
    assert client.get(reverse("reports:global_view", args=[99999])).status_code == 404
    assert client.get(reverse("reports:run", args=[99999])).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("sam", 200),  # the requester
        ("tom", 200),  # a teacher of the same school
        ("tess", 200),  # the school's trust leader
        ("alice", 200),
        ("rita", 404),
        ("bob", 404),
        ("sara", 404),
        ("dev", 404),
    ],
)
def test_it_shows_a_school_run_and_its_files_only_to_those_who_may_see_the_school(
    answered: World, persona: str, status: int
) -> None:
    run = _run(answered, answered.sam, ReportRun.Kind.SCHOOL, answered.aspen.urn)
    client = logged_in(getattr(answered, persona))
    for name in ("run", "pdf", "html"):
        assert _status(client, reverse(f"reports:{name}", args=[run.pk])) == status, name


def test_another_schools_run_is_404(answered: World) -> None:
    run = _run(answered, answered.sara, ReportRun.Kind.SCHOOL, answered.cedar.urn)
    assert run.status == ReportRun.Status.DONE
    for url in _run_urls(run):
        assert logged_in(answered.sam).get(url).status_code == 404
        assert logged_in(answered.tess).get(url).status_code == 404
    assert _status(logged_in(answered.bob), reverse("reports:pdf", args=[run.pk])) == 200


def test_a_trust_run_is_for_its_trust_and_a_global_run_for_researchers(answered: World) -> None:
    trust_run = _run(answered, answered.tess, ReportRun.Kind.TRUST, str(answered.trust.pk))
    global_run = _run(answered, answered.rita, ReportRun.Kind.GLOBAL, "")
    assert trust_run.status == global_run.status == ReportRun.Status.DONE
    pdf = reverse("reports:pdf", args=[trust_run.pk])
    assert _status(logged_in(answered.tess), pdf) == 200
    for persona in ("sam", "bob", "rita"):
        assert _status(logged_in(getattr(answered, persona)), pdf) == 404
    pdf = reverse("reports:pdf", args=[global_run.pk])
    assert _status(logged_in(answered.alice), pdf) == 200
    for persona in ("sam", "tess"):
        assert _status(logged_in(getattr(answered, persona)), pdf) == 404


# --- a leader's PDF ------------------------------------------------------------------------


def test_a_leader_asks_for_the_schools_pdf_and_downloads_it(answered: World) -> None:
    client = logged_in(answered.sam)
    page = client.get(_school(answered, answered.aspen.urn)).content.decode()
    assert "Make the PDF" in page
    assert 'name="csrfmiddlewaretoken"' in page
    response = client.post(_school(answered, answered.aspen.urn))
    run = ReportRun.objects.get()
    assert response["Location"] == reverse("reports:run", args=[run.pk])
    assert (run.kind, run.target, run.requested_by) == ("school", answered.aspen.urn, answered.sam)
    assert run.status == ReportRun.Status.DONE  # the immediate backend ran it in the request
    assert run.finished is not None
    assert Path(run.pdf_file).parent == run.folder()

    status = client.get(response["Location"]).content.decode()
    assert 'role="status"' in status
    assert "Your report is ready." in status
    assert "Download PDF" in status
    assert "Open HTML" in status
    assert 'http-equiv="refresh"' not in status

    pdf = client.get(reverse("reports:pdf", args=[run.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"]
    assert "school-aspen-primary.pdf" in pdf["Content-Disposition"]
    assert _body(pdf).startswith(b"%PDF")
    html = client.get(reverse("reports:html", args=[run.pk]))
    assert b"Aspen Primary" in _body(html)
    # The standalone file loads its script from beside it: the platform serves it there.
    assert client.get(reverse("reports:run_vega", args=[run.pk])).status_code == 200
    # The run now shows on the report's page.
    page = client.get(_school(answered, answered.aspen.urn)).content.decode()
    assert reverse("reports:run", args=[run.pk]) in page


def test_the_pdf_button_is_csrf_protected(answered: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(answered.sam)
    assert client.post(_school(answered, answered.aspen.urn)).status_code == 403
    assert not ReportRun.objects.exists()


def test_a_run_still_in_progress_polls_and_offers_no_files(answered: World) -> None:
    run = ReportRun.objects.create(
        kind=ReportRun.Kind.SCHOOL,
        wave=answered.wave,
        target=answered.aspen.urn,
        requested_by=answered.sam,
    )
    client = logged_in(answered.sam)
    page = client.get(reverse("reports:run", args=[run.pk])).content.decode()
    assert "Your report is waiting to start." in page
    assert 'data-in-progress="true"' in page
    assert 'src="/static/reports/run_status.js"' in page  # it polls (a file, not inline)
    assert "Download PDF" not in page
    assert client.get(reverse("reports:pdf", args=[run.pk])).status_code == 404


def test_a_school_with_too_few_pupils_gets_a_failed_run_without_its_count(
    answered: World,
) -> None:
    client = logged_in(answered.dev)
    response = client.post(_school(answered, answered.dale.urn))
    run = ReportRun.objects.get()
    assert run.status == ReportRun.Status.FAILED
    assert "too few responses" in run.error
    page = client.get(response["Location"]).content.decode()
    assert "could not be made" in page
    assert "6 " not in run.error
    view = client.get(_school(answered, answered.dale.urn, "school_view"))
    assert view.status_code == 404
    text = view.content.decode()
    assert "at least 10 pupils have answered" in text
    assert "6 pupils" not in text


@pytest.mark.slow
def test_an_admin_gets_every_schools_pdf_in_a_zip(answered: World) -> None:
    import io
    import zipfile

    client = logged_in(answered.alice)
    response = client.post(_global(answered, "all_schools"))
    run = ReportRun.objects.get()
    assert run.status == ReportRun.Status.DONE, run.error
    assert "every school" in client.get(response["Location"]).content.decode()
    body = _body(client.get(reverse("reports:zip", args=[run.pk])))
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert sorted(names) == [
        "school-aspen-primary.pdf",
        "school-birch-academy.pdf",
        "school-cedar-primary.pdf",
    ]


# --- the report as a web page; the chart script --------------------------------------------


def test_the_web_view_of_a_school_report_has_its_name_and_chart_specs(answered: World) -> None:
    response = logged_in(answered.sam).get(_school(answered, answered.aspen.urn, "school_view"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Aspen Primary</h1>" in page
    assert "Birch Academy" not in page
    assert 'type="application/json"' in page
    assert "vega-lite" in page  # the specs' $schema
    assert f'src="{reverse("reports:vega")}"' in page
    assert 'lang="en-gb"' in page.lower()


def test_the_web_views_of_a_trust_and_the_global_report(answered: World) -> None:
    page = logged_in(answered.tess).get(_trust(answered, answered.trust.pk, "trust_view"))
    assert page.status_code == 200
    assert "Northern Lights Trust" in page.content.decode()
    page = logged_in(answered.rita).get(_global(answered, "global_view"))
    assert page.status_code == 200
    assert "vega-lite" in page.content.decode()


def test_it_serves_the_chart_script_cacheable_to_anyone(world: World) -> None:
    response = Client().get(reverse("reports:vega"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript"
    assert response["Cache-Control"] == "public, max-age=86400"
    assert b"vegaEmbed" in response.content


def test_the_report_pages_link_from_the_dashboards(answered: World) -> None:
    client = logged_in(answered.alice)
    for dashboard, report in (
        (
            reverse("dashboards:school", args=[answered.wave.pk, answered.aspen.urn]),
            _school(answered, answered.aspen.urn),
        ),
        (
            reverse("dashboards:trust", args=[answered.wave.pk, answered.trust.pk]),
            _trust(answered, answered.trust.pk),
        ),
        (reverse("dashboards:global", args=[answered.wave.pk]), _global(answered)),
    ):
        page = client.get(dashboard).content.decode()
        assert f'href="{report}"' in page
        assert "Report (PDF)" in page


# --- the inputs from the database ----------------------------------------------------------


def test_the_inputs_come_from_the_database_keyed_by_urn(answered: World) -> None:
    inputs = inputs_from_database(answered.wave.pk)
    assert inputs.wave == "Phase Two"
    assert inputs.threshold == 10
    schools = inputs.schools.set_index("school")
    assert sorted(schools.index) == sorted(
        s.urn for s in (answered.aspen, answered.birch, answered.cedar, answered.dale)
    )
    assert schools.loc[answered.aspen.urn, "name"] == "Aspen Primary"
    assert schools.loc[answered.aspen.urn, "trust"] == "Northern Lights Trust"
    assert pd.isna(schools.loc[answered.dale.urn, "trust"])
    assert int(inputs.current.responses["n"].sum()) == 40 + 35 + 30 + 6
    assert inputs.previous is None
    assert inputs.staff is None


def test_the_previous_wave_and_the_paired_staff_survey_feed_the_inputs(answered: World) -> None:
    from datetime import timedelta

    from learnsurvey.instruments import load_instrument

    current = answered.wave
    earlier = Wave.objects.create(
        name="Phase One",
        instrument_id=current.instrument_id,
        instrument_version=current.instrument_version,
        opens=current.opens - timedelta(days=365),
        closes=current.closes - timedelta(days=365),
    )
    empty = Wave.objects.create(  # later than "Phase One" but without responses: passed over
        name="Phase One and a half",
        instrument_id=current.instrument_id,
        instrument_version=current.instrument_version,
        opens=current.opens - timedelta(days=100),
        closes=current.closes - timedelta(days=100),
    )
    add_responses(earlier, answered.aspen, 25, seed=9)
    staff_inst = load_instrument("staff-survey")
    staff = Wave.objects.create(
        name="Phase Two staff",
        instrument_id=staff_inst.id,
        instrument_version=staff_inst.version,
        opens=current.opens,
        closes=current.closes,
        pupil_wave=current,
    )
    _add_staff_responses(staff, answered, 12)
    inputs = inputs_from_database(current)
    assert inputs.previous_wave == "Phase One"
    assert inputs.previous is not None
    assert int(inputs.previous.responses["n"].sum()) == 25
    assert inputs.staff is not None
    assert int(inputs.staff.responses["n"].sum()) == 12
    assert empty.pk != earlier.pk


def _add_staff_responses(wave: Wave, world: World, n: int) -> None:
    import uuid

    from django.utils import timezone

    from learnsurvey.web.waves.models import Response

    inst = wave.instrument()
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    answers = "".join(str(inst.scale.min + (k % 3)) for k in range(len(inst.items)))
    Response.objects.bulk_create(
        Response(
            wave=wave,
            school=world.aspen,
            answers=answers,
            submitted_hour=hour,
            idempotency_key=uuid.uuid4(),
        )
        for _ in range(n)
    )


def test_a_wave_without_responses_has_no_reports_yet(world: World) -> None:
    page = logged_in(world.sam).get(_school(world, world.aspen.urn, "school_view"))
    assert page.status_code == 404
    assert "There is no report for Aspen Primary in Phase Two yet." in page.content.decode()
    assert logged_in(world.rita).get(_global(world, "global_view")).status_code == 404


def test_the_report_command_reads_the_platforms_database(answered: World, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from learnsurvey.cli_report import report

    def run(*args: str) -> Any:
        return CliRunner().invoke(report, ["--out", str(tmp_path), *args])

    wave = str(answered.wave.pk)
    result = run("--wave", wave, "--school", answered.aspen.urn)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "school-aspen-primary.pdf").read_bytes().startswith(b"%PDF")
    result = run("--wave", wave, "--trust", str(answered.trust.pk))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "trust-northern-lights-trust.pdf").is_file()
    result = run("--wave", "Phase Two", "--trust", "Northern Lights Trust")  # names work too
    assert result.exit_code == 0, result.output

    result = run("--wave", wave, "--school", "999999")
    assert result.exit_code == 1
    assert "no school with URN '999999'" in result.output
    result = run("--wave", "99999", "--global")
    assert "no wave with id or name '99999'" in result.output
    result = run("--wave", wave, "--trust", "No Such Trust")
    assert "no trust with id or name 'No Such Trust'" in result.output
    result = run("--wave", wave, "--school", answered.dale.urn)  # 6 pupils
    assert result.exit_code == 1
    assert "too few responses" in result.output
    assert "6" not in result.output.replace(answered.dale.urn, "")
