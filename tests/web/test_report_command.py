"""`learnsurvey report --wave W --school S`: one school's report from the figures the
platform stored for its dashboards and report pages, not the whole wave's computed again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from learnsurvey.cli_report import report
from learnsurvey.reports.runner import write_school_reports
from learnsurvey.reports.school import SchoolReports
from learnsurvey.web.dashboards.results import fresh_result
from learnsurvey.web.reports import prepared
from learnsurvey.web.reports.sources import inputs_from_database
from learnsurvey.web.schools.models import School
from personas import World, answer


@pytest.fixture(autouse=True)
def _fresh(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    prepared.clear()  # built reports are kept per process; each test has its own database


def _run(*args: str) -> Any:
    return CliRunner().invoke(report, list(args))


def _wave_work_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if the report builds every school's figures itself."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the wave's school figures were computed again")

    monkeypatch.setattr("learnsurvey.reports.school.report.build_school_figures", refuse)


def test_it_writes_a_schools_report_from_the_stored_figures(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer(world, cedar=30)
    wave = world.wave
    fresh_result(wave)  # as the worker leaves it
    inputs = inputs_from_database(wave)
    # The same report written the old way: every school's figures built from the inputs.
    write_school_reports(
        inputs, tmp_path / "built", [world.aspen.urn], prepared=SchoolReports(inputs)
    )
    _wave_work_forbidden(monkeypatch)

    out = tmp_path / "stored"
    done = _run("--wave", str(wave.pk), "--school", world.aspen.urn, "--out", str(out))

    assert done.exit_code == 0, done.output
    assert (out / "school-aspen-primary.pdf").read_bytes().startswith(b"%PDF")
    html = (out / "school-aspen-primary.html").read_text()
    assert html == (tmp_path / "built" / "school-aspen-primary.html").read_text()


def test_it_refuses_a_school_without_a_report_from_the_stored_figures(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer(world, cedar=30)
    fresh_result(world.wave)
    _wave_work_forbidden(monkeypatch)
    elm = School.objects.create(urn="300002", name="Elm School", phase="primary")
    wave, out = str(world.wave.pk), str(tmp_path)

    silent = _run("--wave", wave, "--school", elm.urn, "--out", out)  # no responses at all
    few = _run("--wave", wave, "--school", world.dale.urn, "--out", out)  # 6 pupils

    assert silent.exit_code == 1
    assert "no responses from school '300002'" in silent.output
    assert few.exit_code == 1
    assert "too few responses" in few.output
    assert "6" not in few.output.replace(world.dale.urn, "")
    assert not list(tmp_path.glob("*.pdf"))


def test_it_computes_the_figures_itself_at_another_threshold(world: World, tmp_path: Path) -> None:
    answer(world, cedar=30)
    fresh_result(world.wave)  # stored at the platform's threshold of 10

    done = _run(
        "--wave", str(world.wave.pk), "--school", world.dale.urn,
        "--min-group-size", "5", "--out", str(tmp_path),
    )  # fmt: skip

    assert done.exit_code == 0, done.output  # Dale's 6 pupils are enough at 5
    assert (tmp_path / "school-dale-school.pdf").is_file()
