"""The synthetic Phase One wave as files, the report inputs read from them, and what the
report tests read of it, each built once per run: the wave's prepared school and trust
reports, every school's and trust's report, the global figures and report, and one printed
PDF of each kind (a school's, a trust's, the wave's) that several tests read.

These are shared by every module of tests/reports at session scope because building them is
most of the suite's time (a school report draws three charts; printing one takes seconds)
and no test changes them: the tests that need other inputs (another threshold, a context,
staff) build their own. A small wave (six schools) is there for the tests of the runner's
worker processes, whose claims do not need the whole wave.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pdf_reading import Printed, print_logged

from learnsurvey.analysis.figures.global_ import GlobalFigures, build_global_figures
from learnsurvey.instruments import load_instrument
from learnsurvey.io import write_responses
from learnsurvey.reports import ReportInputs, inputs_from_files
from learnsurvey.reports.global_ import GlobalReport, build_global_report, render_global_report
from learnsurvey.reports.school import SchoolReport, SchoolReports, render_school_report
from learnsurvey.reports.trust import TrustReport, TrustReports, render_trust_report
from learnsurvey.synth import ResponseModel, load_params, schools_frame

PHASE_ONE_RESPONSES = 29_940
PHASE_ONE_SCHOOLS = 87
SEED = 2021
SMALL_RESPONSES = 900
SMALL_SCHOOLS = 6


def _wave_files(folder: Path, name: str, responses: int, schools: int) -> tuple[Path, Path]:
    model = ResponseModel(load_instrument("learning-survey"), load_params("phase-one"))
    path, context = folder / f"{name}.csv", folder / f"{name}.schools.csv"
    write_responses(path, model.tables(responses, schools, SEED), on_rows=None)
    schools_frame(model.schools(responses, schools, SEED)).to_csv(context, index=False)
    return path, context


@pytest.fixture(scope="session")
def phase_one_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(responses CSV, school context CSV) of the calibrated Phase One wave, seed 2021."""
    folder = tmp_path_factory.mktemp("phase-one")
    return _wave_files(folder, "phase-one", PHASE_ONE_RESPONSES, PHASE_ONE_SCHOOLS)


@pytest.fixture(scope="session")
def phase_one_inputs(phase_one_files: tuple[Path, Path]) -> ReportInputs:
    responses, context = phase_one_files
    return inputs_from_files(
        responses, load_instrument("learning-survey"), threshold=10, context=context
    )


@pytest.fixture(scope="session")
def small_inputs(tmp_path_factory: pytest.TempPathFactory) -> ReportInputs:
    """A wave of six schools (900 pupils, same model and seed as Phase One)."""
    folder = tmp_path_factory.mktemp("small-wave")
    responses, context = _wave_files(folder, "small", SMALL_RESPONSES, SMALL_SCHOOLS)
    return inputs_from_files(
        responses, load_instrument("learning-survey"), threshold=10, context=context
    )


@pytest.fixture(scope="session")
def school_reports(phase_one_inputs: ReportInputs) -> SchoolReports:
    """The Phase One wave's school reports, prepared (the wave-level work)."""
    return SchoolReports(phase_one_inputs)


@pytest.fixture(scope="session")
def school_reports_built(school_reports: SchoolReports) -> dict[str, SchoolReport]:
    """Every Phase One school's report, built once for the tests that read them all."""
    return {school: school_reports.build(school) for school in school_reports.schools}


@pytest.fixture(scope="session")
def trust_reports(phase_one_inputs: ReportInputs) -> TrustReports:
    return TrustReports(phase_one_inputs)


@pytest.fixture(scope="session")
def trust_reports_built(trust_reports: TrustReports) -> dict[str, TrustReport]:
    """Every Phase One trust's report, by trust name."""
    return {trust: trust_reports.build(trust) for trust in trust_reports.trusts}


@pytest.fixture(scope="session")
def global_figures(phase_one_inputs: ReportInputs) -> GlobalFigures:
    return build_global_figures(phase_one_inputs)


@pytest.fixture(scope="session")
def global_report(phase_one_inputs: ReportInputs, global_figures: GlobalFigures) -> GlobalReport:
    """``build_global_report(phase_one_inputs)``, from the figures it would build itself."""
    return build_global_report(phase_one_inputs, figures=global_figures)


@pytest.fixture(scope="session")
def printed_reports(
    school_reports: SchoolReports, trust_reports: TrustReports, global_report: GlobalReport
) -> dict[str, Printed]:
    """The first school's, the first trust's and the wave's report, each printed once:
    ``{kind: (print HTML, PDF, what WeasyPrint logged)}``."""
    school = school_reports.build(school_reports.schools[0])
    trust = trust_reports.build(trust_reports.trusts[0])
    pages = {
        "school": render_school_report(school, mode="pdf"),
        "trust": render_trust_report(trust, mode="pdf"),
        "global": render_global_report(global_report, mode="pdf"),
    }
    return {kind: (html, *print_logged(html)) for kind, html in pages.items()}
