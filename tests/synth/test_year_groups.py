"""Synthetic pupils have year groups their school's phase teaches (docs/synthetic-data.md).

The rule is the platform's own (`analysis.year_groups.phase_year_groups`, which the survey's
year-group question and the submission endpoint use): a primary school teaches only primary
years, a secondary school only secondary ones, an all-through school any. The series is the
demo's: seed 2021, the 87 Phase One schools, three summer waves.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from learnsurvey.analysis.year_groups import YEAR_GROUPS, phase_year_groups
from learnsurvey.instruments import Instrument, load_instrument
from learnsurvey.synth import ResponseModel, SyntheticWaves, load_params, plan_waves
from learnsurvey.synth.files import write_synthetic

SEED = 2021
PHASE_ONE = (29_940, 87)
CLEARWATER = "Clearwater Infant and Junior School"
"""A primary school of the demo's Phase One wave that a tester found holding KS3 pupils."""


@pytest.fixture(scope="module")
def pupils() -> Instrument:
    return load_instrument("learning-survey")


@pytest.fixture(scope="module")
def series(pupils: Instrument) -> SyntheticWaves:
    return plan_waves(ResponseModel(pupils, load_params("phase-one")), *PHASE_ONE, SEED, 3)


def _pupils(series: SyntheticWaves, label: str) -> pd.DataFrame:
    wave = series.wave(label)
    table = pa.concat_tables(list(series.tables(wave)))
    frame = table.select(["school", "year_group", "key_stage"]).to_pandas()
    frame["phase"] = frame["school"].map({s.school: s.phase for s in wave.schools})
    return frame


def _outside_phase(frame: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """The rows whose year group the school's phase does not teach, or whose key stage is
    not their year group's."""
    taught = {phase: set(phase_year_groups(instrument, phase)) for phase in frame.phase.unique()}
    fits = [
        pd.notna(year) and int(year) in taught[phase] and YEAR_GROUPS[int(year)] == stage
        for year, stage, phase in zip(frame.year_group, frame.key_stage, frame.phase, strict=True)
    ]
    return frame[[not f for f in fits]]


@pytest.mark.parametrize("label", ["2021-summer", "2022-summer", "2023-summer"])
def test_it_gives_every_pupil_a_year_group_of_the_schools_phase(
    series: SyntheticWaves, pupils: Instrument, label: str
) -> None:
    frame = _pupils(series, label)
    assert frame.phase.notna().all()
    assert set(frame.phase) == {"primary", "secondary", "all_through"}
    wrong = _outside_phase(frame, pupils)
    assert wrong.empty, wrong.groupby(["school", "phase", "year_group"]).size().to_string()
    # Each phase spans its own years: primary Years 1-6, secondary 7-13, all-through both.
    years = frame.groupby("phase").year_group.agg(["min", "max"])
    assert years.loc["primary"].tolist() == [1, 6]
    assert years.loc["secondary"].tolist() == [7, 13]
    assert years.loc["all_through"].tolist() == [1, 13]


def test_it_gives_clearwater_infant_and_junior_school_no_key_stage_3_or_4_pupil(
    series: SyntheticWaves,
) -> None:
    for label in ("2021-summer", "2023-summer"):
        clearwater = _pupils(series, label).query("school == @CLEARWATER")
        assert len(clearwater) > 100
        assert set(clearwater.phase) == {"primary"}
        assert set(clearwater.key_stage) == {"KS1", "KS2"}
        assert set(clearwater.year_group) == set(range(1, 7))


def test_it_keeps_each_phases_key_stage_mix(series: SyntheticWaves) -> None:
    # The mix the calibration rests on (docs/synthetic-data.md): primary KS1 30%, KS2 70%;
    # secondary KS3 50%, KS4 35%, KS5 15%. Within 2 points at Phase One's size.
    frame = _pupils(series, "2021-summer")
    shares = frame.groupby("phase").key_stage.value_counts(normalize=True)
    planned = load_params("phase-one").schools.key_stage_shares
    for phase in ("primary", "secondary"):
        for stage, share in planned[phase].items():
            assert shares[phase, stage] == pytest.approx(share, abs=0.02)


def test_it_writes_files_whose_year_groups_fit_the_phase(
    tmp_path: Path, pupils: Instrument
) -> None:
    out = tmp_path / "two-waves.csv"
    written = write_synthetic(
        out,
        instrument=pupils,
        params=load_params("phase-one"),
        n_responses=1_200,
        n_schools=8,
        seed=SEED,
        n_waves=2,
    )
    frame = pd.read_csv(written.responses, usecols=["school", "year_group", "key_stage", "wave"])
    context = pd.read_csv(written.context)
    frame["phase"] = frame.school.map(dict(zip(context.school, context.phase, strict=True)))
    assert set(frame.wave) == {"2021-summer", "2022-summer"}
    assert len(frame) == written.rows
    assert _outside_phase(frame, pupils).empty


def test_it_refuses_a_key_stage_mix_a_phase_does_not_teach(pupils: Instrument) -> None:
    params = load_params("phase-one")
    mixes = params.schools.key_stage_shares | {"primary": {"KS2": 0.8, "KS3": 0.2}}
    wrong = params.model_copy(
        update={"schools": params.schools.model_copy(update={"key_stage_shares": mixes})}
    )
    with pytest.raises(ValueError, match=r"key_stage_shares\.primary.*KS3"):
        ResponseModel(pupils, wrong)
