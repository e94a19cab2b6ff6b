"""The synthetic Phase One wave as files, and the report inputs read from them (once per run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from learnsurvey.instruments import load_instrument
from learnsurvey.io import write_responses
from learnsurvey.reports import ReportInputs, inputs_from_files
from learnsurvey.synth import ResponseModel, load_params, schools_frame

PHASE_ONE_RESPONSES = 29_940
PHASE_ONE_SCHOOLS = 87
SEED = 2021


@pytest.fixture(scope="session")
def phase_one_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(responses CSV, school context CSV) of the calibrated Phase One wave, seed 2021."""
    folder = tmp_path_factory.mktemp("phase-one")
    responses = folder / "phase-one.csv"
    context = folder / "phase-one.schools.csv"
    model = ResponseModel(load_instrument("learning-survey"), load_params("phase-one"))
    write_responses(
        responses, model.tables(PHASE_ONE_RESPONSES, PHASE_ONE_SCHOOLS, SEED), on_rows=None
    )
    schools = schools_frame(model.schools(PHASE_ONE_RESPONSES, PHASE_ONE_SCHOOLS, SEED))
    schools.to_csv(context, index=False)
    return responses, context


@pytest.fixture(scope="session")
def phase_one_inputs(phase_one_files: tuple[Path, Path]) -> ReportInputs:
    responses, context = phase_one_files
    return inputs_from_files(
        responses, load_instrument("learning-survey"), threshold=10, context=context
    )
