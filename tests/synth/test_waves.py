"""Synthetic waves over time and their staff (docs/synthetic-data.md, "Waves over time" and
"Staff").

The series is the demo's: seed 2021, the 87 Phase One schools, three summer waves. The
analysis (per-school dimension scores from ``analysis.groups.group_summary`` of the waves
read back from a file, Welch's CI from ``stats.effects.welch_difference``) must find the
planted changes at the rates the docs state: at least 90% of planted changes clear in their
direction (4 standard errors: 98% expected), and at most 10% of the comparisons with no
planted change clear (the CI's 5% expected).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
import yaml
from click.testing import CliRunner
from pydantic import ValidationError

from learnsurvey.cli import main
from learnsurvey.instruments import Instrument, load_instrument
from learnsurvey.io.responses import read_responses
from learnsurvey.synth import (
    ResponseModel,
    StaffModel,
    StaffParams,
    SyntheticWaves,
    load_params,
    load_staff_params,
    load_waves_params,
    plan_waves,
    staff_roles,
)
from learnsurvey.synth.staff_check import optimism_table
from learnsurvey.synth.waves_check import found_changes, recovery_rates

SEED = 2021
PHASE_ONE = (29_940, 87)
PLANTED_CLEAR_AT_LEAST = 0.90
UNPLANTED_CLEAR_AT_MOST = 0.10
GAP_TOLERANCE = 0.3
"""Probit gaps of the staff's shares within 0.3 of the Edurio example's."""


@pytest.fixture(scope="module")
def pupils() -> Instrument:
    return load_instrument("learning-survey")


@pytest.fixture(scope="module")
def model(pupils: Instrument) -> ResponseModel:
    return ResponseModel(pupils, load_params("phase-one"))


@pytest.fixture(scope="module")
def series(model: ResponseModel) -> SyntheticWaves:
    return plan_waves(model, *PHASE_ONE, SEED, 3)


@pytest.fixture(scope="module")
def staff(model: ResponseModel) -> StaffModel:
    return StaffModel.default(model, load_instrument("staff-survey"))


def _table(series: SyntheticWaves, index: int) -> pa.Table:
    return pa.concat_tables(list(series.tables(series.waves[index])))


def test_it_keeps_the_first_wave_exactly_the_calibrated_phase_one_wave(
    series: SyntheticWaves, model: ResponseModel
) -> None:
    first = series.waves[0]
    assert (first.label, first.year, first.season) == ("2021-summer", 2021, "summer")
    assert first.n_responses == PHASE_ONE[0]
    assert len(first.schools) == PHASE_ONE[1]
    assert first.schools == tuple(model.schools(*PHASE_ONE, SEED))
    phase_one = pa.concat_tables(list(model.tables(*PHASE_ONE, SEED)))
    assert _table(series, 0).equals(phase_one)


def test_it_is_deterministic_for_a_seed(
    series: SyntheticWaves, model: ResponseModel, staff: StaffModel
) -> None:
    again = plan_waves(model, *PHASE_ONE, SEED, 3)
    assert again.changes == series.changes
    assert [w.schools for w in again.waves] == [w.schools for w in series.waves]
    assert _table(again, 2).equals(_table(series, 2))
    last = series.waves[2]
    assert staff.wave_table(again, again.waves[2]).equals(staff.wave_table(series, last))
    other = plan_waves(model, *PHASE_ONE, SEED + 1, 3)
    assert other.changes != series.changes


def test_it_churns_a_few_schools_each_wave(series: SyntheticWaves) -> None:
    labels = [w.label for w in series.waves]
    assert labels == ["2021-summer", "2022-summer", "2023-summer"]
    for before, after in zip(series.waves, series.waves[1:], strict=False):
        old = {s.urn for s in before.schools}
        new = {s.urn for s in after.schools}
        assert 2 <= len(old - new) <= 6  # 5% leave
        assert 2 <= len(new - old) <= 7  # 6% join
        # Pupils' numbers move a little from year to year; the wave stays Phase One sized.
        assert abs(after.n_responses / before.n_responses - 1) < 0.1
    every = series.all_schools
    assert len({s.urn for s in every}) == len({s.school for s in every}) == len(every)
    frame = series.schools_frame()
    assert len(frame) == len(every)
    assert frame["responses"].sum() == sum(w.n_responses for w in series.waves)


def test_it_plants_changes_as_data(series: SyntheticWaves) -> None:
    plants = load_waves_params().plants
    changes = series.changes_frame()
    assert set(changes["wave"]) == {"2022-summer", "2023-summer"}
    for _wave, part in changes.groupby("wave"):
        by_school = part.groupby("urn")
        directions = by_school["direction"].agg(set)
        assert all(len(d) == 1 for d in directions)  # a school improves or declines
        ups = [u for u, d in directions.items() if d == {"up"}]
        downs = [u for u, d in directions.items() if d == {"down"}]
        assert len(ups) == 8
        assert len(downs) == 3
        assert by_school.size().between(*plants.dimensions).all()
    first, second = (set(part["urn"]) for _, part in changes.groupby("wave"))
    assert not first & second  # a school changes in one wave at most
    size = changes["shift"].abs()
    assert size.between(plants.min_shift, plants.max_shift).all()
    assert (size >= plants.detectable_multiple * changes["se"] - 1e-12).all()
    # A planted change stays: the school's true effect in the last wave still carries it.
    last = {s.school for s in series.waves[2].schools}
    dims = series.model.instrument.dimension_ids
    kept = [c for c in series.changes if c.wave == "2022-summer" and c.school in last]
    assert kept
    for c in kept:
        d = dims.index(c.dimension)
        before = series.waves[0].effect_of(c.school)[d]
        assert series.waves[2].effect_of(c.school)[d] == pytest.approx(before + c.shift)


@pytest.fixture(scope="module")
def found(series: SyntheticWaves, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """Every school's change on every dimension between consecutive waves, as the analysis
    finds it (Welch's 95% CI), with the planted change if there was one."""
    return found_changes(series, tmp_path_factory.mktemp("waves"))


def test_the_analysis_finds_the_planted_changes(found: pd.DataFrame) -> None:
    rates = recovery_rates(found)
    assert rates["planted"] > 20
    assert rates["planted_clear"] >= PLANTED_CLEAR_AT_LEAST
    assert rates["planted_wrong_way"] == 0


def test_the_analysis_calls_few_changes_clear_where_none_was_planted(
    found: pd.DataFrame,
) -> None:
    rates = recovery_rates(found)
    assert rates["unplanted"] > 1000
    assert rates["unplanted_clear"] <= UNPLANTED_CLEAR_AT_MOST


def test_it_gives_every_school_15_to_80_staff_with_3_to_8_leaders(
    series: SyntheticWaves, staff: StaffModel
) -> None:
    roles = staff_roles(staff.instrument)
    assert set(roles) == {"teacher", "teaching_assistant", "leader", "other"}
    for wave in series.waves:
        table = staff.wave_table(series, wave).to_pandas()
        assert set(table["wave"]) == {wave.label}
        assert set(table["school"]) == {s.school for s in wave.schools}
        n = table.groupby("school").size()
        leaders = table[table["role"] == "leader"].groupby("school").size()
        assert n.between(15, 80).all()
        assert leaders.between(3, 8).all()
        assert set(table["role"]) == set(roles)
        assert list(table.columns[3:]) == list(staff.instrument.item_ids)


def test_staff_are_more_optimistic_than_pupils_as_the_seeds_say(
    series: SyntheticWaves, staff: StaffModel
) -> None:
    first = series.waves[0]
    table = optimism_table(_table(series, 0), staff.wave_table(series, first), staff)
    share = table.pivot(index="dimension", columns="group", values="share")
    gap = table.pivot(index="dimension", columns="group", values="probit_gap")
    assert (share["leader"] > share["teacher"]).all()
    assert (share["teacher"] > share["pupils"]).all()
    assert (share[["teaching_assistant", "other"]].gt(share["pupils"], axis=0)).all().all()
    largest = list(staff.params.target_dimensions)
    assert set(largest) == {"school_fair", "school_safe"}  # fairness, pupils feel heard
    targets = staff.params.target_probit_gaps()
    assert targets == pytest.approx({"teacher": 0.98, "leader": 2.08}, abs=0.005)
    for role, target in targets.items():
        assert gap.loc[largest, role].sub(target).abs().max() <= GAP_TOLERANCE
        assert gap.loc[largest, role].min() > gap[role].drop(largest).max()


def test_it_refuses_staff_parameters_that_miss_a_role(staff: StaffModel) -> None:
    data = staff.params.model_dump()
    del data["optimism"]["other"]
    with pytest.raises(ValidationError, match="optimism must name every role"):
        StaffParams.model_validate(data)
    renamed = staff.params.model_dump()
    renamed["other_role_shares"]["support"] = renamed["other_role_shares"].pop("other")
    renamed["optimism"]["support"] = renamed["optimism"].pop("other")
    with pytest.raises(ValueError, match="the staff instrument"):
        StaffModel(staff.pupils, staff.instrument, StaffParams.model_validate(renamed))


def test_it_reads_its_parameters_from_yaml(tmp_path: Path) -> None:
    params = load_waves_params().model_dump()
    params["season"] = "winter"
    path = tmp_path / "waves.yaml"
    path.write_text(yaml.safe_dump(params))
    with pytest.raises(ValidationError, match="season must be one of"):
        load_waves_params(path)
    assert load_staff_params().staff_range == (15, 80)


def test_the_synth_command_writes_waves_staff_and_the_planted_changes(tmp_path: Path) -> None:
    out = tmp_path / "waves.csv"
    args = ["--responses", "2000", "--schools", "8", "--out", str(out), "--waves", "3"]
    result = CliRunner().invoke(main, ["synth", *args, "--staff"])
    assert result.exit_code == 0, result.output
    assert "3 wave(s)" in result.output
    responses = pd.read_csv(out)
    assert list(responses["wave"].unique()) == ["2021-summer", "2022-summer", "2023-summer"]
    changes = pd.read_csv(tmp_path / "waves.changes.csv")
    assert {"school", "urn", "dimension", "wave", "shift", "se", "direction"} <= set(changes)
    context = pd.read_csv(tmp_path / "waves.schools.csv")
    assert set(responses["school"]) == set(context["school"])
    staff_file = tmp_path / "waves.staff.csv"
    staff_instrument = load_instrument("staff-survey")
    chunks = list(read_responses(staff_file, staff_instrument))
    assert sum(c.n_rows for c in chunks) == len(pd.read_csv(staff_file))
    assert set(pd.read_csv(staff_file)["role"]) <= set(staff_instrument.demographics.role_ids)
    # One wave and no staff: the files of before, and nothing else.
    single = tmp_path / "one.csv"
    args = ["--responses", "500", "--schools", "4", "--out", str(single)]
    assert CliRunner().invoke(main, ["synth", *args]).exit_code == 0
    assert sorted(p.name for p in tmp_path.glob("one*")) == ["one.csv", "one.schools.csv"]
