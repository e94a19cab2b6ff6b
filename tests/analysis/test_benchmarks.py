"""Similar-schools benchmarks and change since the previous wave: equal to a direct pandas
and SciPy computation, and disclosure-safe."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from learnsurvey.analysis import DashboardBuilder
from learnsurvey.analysis.benchmarks import (
    fsm_quartiles,
    similar_benchmarks,
    similar_schools,
    wave_change,
)
from learnsurvey.analysis.scoring import ScoreLayout, reverse_codes, score_answers
from learnsurvey.analysis.statistics import WaveStatistics
from learnsurvey.instruments import load_instrument
from learnsurvey.io import read_responses, write_responses
from learnsurvey.synth import ResponseModel, load_params

INSTRUMENT = load_instrument("learning-survey")
LAYOUT = ScoreLayout(INSTRUMENT)
THRESHOLD = 10
N_SCHOOLS = 8


@pytest.fixture(scope="module")
def wave_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    model = ResponseModel(INSTRUMENT, load_params("phase-one"))
    path = tmp_path_factory.mktemp("benchmarks") / "wave.parquet"
    write_responses(path, model.tables(2400, N_SCHOOLS, seed=11))
    return path


def _stats(path: Path) -> WaveStatistics:
    builder = DashboardBuilder(INSTRUMENT)
    for chunk in read_responses(path, INSTRUMENT):
        builder.add(chunk)
    return builder.result().stats


@pytest.fixture(scope="module")
def stats(wave_file: Path) -> WaveStatistics:
    return _stats(wave_file)


@pytest.fixture(scope="module")
def pupils(wave_file: Path) -> pd.DataFrame:
    """One row per pupil: school and every score."""
    return _scores(pd.read_parquet(wave_file))


def _groups(pupils: pd.DataFrame, sizes: list[int]) -> dict[str, str | None]:
    """Schools in name order split into groups of the given sizes (the rest: no group)."""
    names = sorted(pupils["school"].unique())
    out: dict[str, str | None] = dict.fromkeys(names)
    at = 0
    for k, size in enumerate(sizes):
        for name in names[at : at + size]:
            out[name] = f"g{k}"
        at += size
    return out


def test_it_puts_schools_in_fsm_quartiles_with_boundaries_in_the_lower_one() -> None:
    fsm = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, None, 9.0, 10.0, 11.0])
    quartiles = fsm_quartiles(fsm)
    # Percentiles of 1,2,3,4,5,9,10,11 are 2.75, 4.5 and 9.25.
    assert quartiles.tolist() == [1, 1, 2, 2, 3, pd.NA, 3, 4, 4]
    assert quartiles.isna().sum() == 1


def test_it_gives_no_similar_group_without_phase_or_fsm() -> None:
    schools = pd.DataFrame(
        {
            "school": ["a", "b", "c", "d"],
            "phase": ["primary", None, "secondary", "primary"],
            "fsm_pct": [10.0, 20.0, None, 40.0],
        }
    )
    table = similar_schools(schools).set_index("school")
    assert table.loc["a", "group"] == "primary|1"
    assert table.loc["b", "group"] is None
    assert table.loc["c", "group"] is None
    assert table.loc["d", "group"] == "primary|4"


def test_it_benchmarks_each_school_against_the_other_schools_of_its_group(
    stats: WaveStatistics, pupils: pd.DataFrame
) -> None:
    groups = _groups(pupils, [5, 3])
    table = similar_benchmarks(stats, groups, threshold=THRESHOLD)
    assert set(table["school"]) == {s for s, g in groups.items() if g is not None}
    for row in table.to_dict("records"):
        column = f"{row['kind']}:{row['score']}"
        same = [s for s, g in groups.items() if g == row["group"] and s != row["school"]]
        others = pupils.loc[pupils["school"].isin(same), column].dropna()
        mine = pupils.loc[pupils["school"] == row["school"], column].dropna()
        if len(same) < 3:  # g1 has 3 schools: 2 others for each, too few to show
            assert row["suppressed"]
            assert np.isnan(row["mean"])
            assert pd.isna(row["n"])
            continue
        assert not row["suppressed"]
        assert row["n"] == len(others)
        assert row["n_schools"] == len(same)
        assert row["mean"] == pytest.approx(others.mean())
        assert row["sd"] == pytest.approx(others.std())
        low, high = sps.t.interval(0.95, len(others) - 1, float(others.mean()), float(others.sem()))
        assert row["ci_low"] == pytest.approx(low)
        assert row["ci_high"] == pytest.approx(high)
        na, nb = len(mine), len(others)
        pooled = np.sqrt(((na - 1) * mine.var() + (nb - 1) * others.var()) / (na + nb - 2))
        j = 1 - 3 / (4 * (na + nb - 2) - 1)
        assert row["hedges_g"] == pytest.approx(
            j * (mine.mean() - others.mean()) / pooled, abs=1e-3
        )


def test_it_hides_a_benchmark_of_other_schools_with_too_few_pupils(
    stats: WaveStatistics, pupils: pd.DataFrame
) -> None:
    groups = _groups(pupils, [N_SCHOOLS])
    sizes = pupils.groupby("school").size()
    # With a threshold above every remainder's size, nothing may be shown.
    big = int(sizes.sum() - sizes.min()) + 1
    table = similar_benchmarks(stats, groups, threshold=big)
    assert table["suppressed"].all()
    assert table[["mean", "hedges_g", "n"]].isna().all().all()


def _scores(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per pupil of ``frame``: school and every score."""
    answers = frame[INSTRUMENT.item_ids].to_numpy(dtype=float, na_value=np.nan)
    codes = np.where(np.isnan(answers), -1, answers - INSTRUMENT.scale.min).astype(np.int8)
    scores = score_answers(reverse_codes(codes, LAYOUT), LAYOUT)
    out = frame[["school"]].copy()
    for j, (kind, name) in enumerate(zip(LAYOUT.kinds, LAYOUT.ids, strict=True)):
        out[f"{kind}:{name}"] = scores[:, j]
    return out


@pytest.fixture(scope="module")
def previous_file(tmp_path_factory: pytest.TempPathFactory, wave_file: Path) -> Path:
    """Another wave of the same schools (another seed, schools renamed to match), with one
    school's pupils cut to 6 so that its changes cannot be shown."""
    model = ResponseModel(INSTRUMENT, load_params("phase-one"))
    frame = pd.concat([t.to_pandas() for t in model.tables(2000, N_SCHOOLS, seed=12)])
    now = sorted(pd.read_parquet(wave_file)["school"].unique())
    rename = dict(zip(sorted(frame["school"].unique()), now, strict=True))
    frame["school"] = frame["school"].map(rename)
    small = now[0]
    frame = pd.concat(
        [frame[frame["school"] != small], frame[frame["school"] == small].head(6)],
        ignore_index=True,
    )
    path = tmp_path_factory.mktemp("previous") / "previous.parquet"
    frame.to_parquet(path)
    return path


def test_it_measures_change_since_the_previous_wave(
    stats: WaveStatistics, pupils: pd.DataFrame, previous_file: Path
) -> None:
    old = _scores(pd.read_parquet(previous_file))
    table = wave_change(stats, _stats(previous_file), threshold=THRESHOLD)
    assert len(table) == N_SCHOOLS * len(LAYOUT.ids)
    small = sorted(pupils["school"].unique())[0]
    for row in table.to_dict("records"):
        column = f"{row['kind']}:{row['score']}"
        before = old.loc[old["school"] == row["school"], column].dropna()
        after = pupils.loc[pupils["school"] == row["school"], column].dropna()
        if row["school"] == small:
            assert row["suppressed"]
        if row["suppressed"]:
            assert not row["clear"]
            assert pd.isna(row["n_previous"])
            assert np.isnan(row["difference"])
            continue
        assert row["n_previous"] == len(before)
        assert row["n_current"] == len(after)
        assert row["difference"] == pytest.approx(after.mean() - before.mean())
        ci = sps.ttest_ind(after, before, equal_var=False).confidence_interval(0.95)
        assert row["ci_low"] == pytest.approx(ci.low)
        assert row["ci_high"] == pytest.approx(ci.high)
        assert row["clear"] == (ci.low > 0 or ci.high < 0)
        assert row["g_ci_low"] < row["hedges_g"] < row["g_ci_high"]
    # The small school's wave hides a complement beside it in every score, and the change
    # hides it too: its previous or current figures would give the small school away.
    hidden = table[table["suppressed"]].groupby(["kind", "score"])["school"].nunique()
    assert (hidden >= 2).all()


def test_it_refuses_to_compare_waves_of_different_instruments(stats: WaveStatistics) -> None:
    staff = load_instrument("staff-survey")
    other = DashboardBuilder(staff).result().stats
    with pytest.raises(ValueError, match="different instruments"):
        wave_change(stats, other, threshold=THRESHOLD)
