"""Learning beside outcomes (learnsurvey.analysis.outcomes), its disclosure helper
(quantile_bins), the synthetic outcomes and their files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from learnsurvey.analysis.dashboard import school_scores
from learnsurvey.analysis.figures.wave import build_wave_figures
from learnsurvey.analysis.inputs import ReportInputs, inputs_from_files, read_outcomes
from learnsurvey.analysis.outcomes import build_outcome_figures, latest_outcomes
from learnsurvey.instruments import load_instrument
from learnsurvey.stats.correlation import pearson
from learnsurvey.stats.disclosure import MIN_GROUP_SCHOOLS, quantile_bins
from learnsurvey.synth import load_params
from learnsurvey.synth.files import write_synthetic
from learnsurvey.synth.outcomes import synth_outcomes
from learnsurvey.synth.schools import INTERNATIONAL

INSTRUMENT = load_instrument("learning-survey")


@pytest.fixture(scope="module")
def wave(tmp_path_factory: pytest.TempPathFactory) -> ReportInputs:
    """A wave of 40 schools with a school context and the synthetic outcomes."""
    out = tmp_path_factory.mktemp("outcomes") / "wave.csv"
    files = write_synthetic(
        out,
        instrument=INSTRUMENT,
        params=load_params("phase-one"),
        n_responses=6000,
        n_schools=40,
        seed=11,
        outcomes=True,
    )
    assert files.outcomes is not None
    return inputs_from_files(
        out, INSTRUMENT, threshold=10, context=files.context, outcomes=files.outcomes
    )


def test_it_bins_by_quantile_with_enough_schools_in_every_bin() -> None:
    values = np.arange(23, dtype=float)[::-1]
    codes = quantile_bins(values, bins=10)
    counts = np.bincount(codes)
    assert len(counts) == 23 // MIN_GROUP_SCHOOLS
    assert counts.min() >= MIN_GROUP_SCHOOLS
    # Bins follow the values: the lowest values are in bin 0.
    assert codes[-1] == 0
    assert codes[0] == len(counts) - 1
    assert (quantile_bins([1.0, 2.0, 3.0, np.nan], bins=3) == -1).all()
    with pytest.raises(ValueError, match="bins"):
        quantile_bins([1.0], bins=0)


def test_it_correlates_the_shown_school_means_with_the_latest_year(wave: ReportInputs) -> None:
    figures = build_outcome_figures(wave)
    assert figures is not None
    latest = latest_outcomes(wave.outcomes)  # type: ignore[arg-type]
    assert {m.year for m in figures.measures} == {"2025/26"}
    _, scores = school_scores(wave.current.stats, threshold=wave.threshold)
    overall = scores[(scores["kind"] == "overall") & ~scores["suppressed"].astype(bool)]
    attendance = latest[latest["measure"] == "Attendance"]
    pairs = overall.assign(school=overall["school"].astype(str)).merge(attendance, on="school")
    expected = pearson(pairs["mean"].to_numpy(float), pairs["value"].to_numpy(float))
    found = next(
        c
        for c in figures.correlations
        if c.kind == "overall" and c.measure == "Attendance" and not c.suppressed
    )
    assert found.n_schools == expected.n == len(pairs)
    assert found.r == pytest.approx(expected.r)
    assert found.ci_low is not None
    assert found.r is not None
    assert found.ci_high is not None
    assert found.ci_low < found.r < found.ci_high


def test_it_never_shows_a_bin_of_too_few_schools_nor_a_school_alone(wave: ReportInputs) -> None:
    figures = build_outcome_figures(wave)
    assert figures is not None
    assert figures.bins
    for b in figures.bins:
        assert b.n_schools is not None
        assert b.n_schools >= MIN_GROUP_SCHOOLS
    # The bins of one score and measure partition the schools with both.
    part = [b for b in figures.bins if b.kind == "overall" and b.measure == "Attendance"]
    corr = next(
        c for c in figures.correlations if c.kind == "overall" and c.measure == "Attendance"
    )
    assert sum(b.n_schools or 0 for b in part) == corr.n_schools


def test_it_hides_a_correlation_of_too_few_schools(wave: ReportInputs) -> None:
    assert wave.outcomes is not None
    few = wave.outcomes[wave.outcomes["school"].isin(sorted(wave.outcomes["school"])[:12])]
    keep = sorted(set(few["school"]))[: MIN_GROUP_SCHOOLS - 1]
    small = ReportInputs(**{**wave.__dict__, "outcomes": few[few["school"].isin(keep)]})
    figures = build_outcome_figures(small)
    assert figures is not None
    assert figures.correlations
    assert all(c.suppressed and c.r is None for c in figures.correlations)
    assert not figures.bins
    assert all(o.percentile is None for rows in figures.schools.values() for o in rows)


def test_it_places_each_school_among_the_others(wave: ReportInputs) -> None:
    figures = build_outcome_figures(wave)
    assert figures is not None
    rows = [
        (key, o)
        for key, found in figures.schools.items()
        for o in found
        if o.measure == "Attendance"
    ]
    values = np.array([o.value for _, o in rows])
    for _, o in rows:
        below = (values < o.value).sum()
        assert o.n_schools == len(rows) - 1
        assert o.percentile == pytest.approx(100 * below / (len(rows) - 1))


def test_it_fills_the_wave_and_school_figures(wave: ReportInputs) -> None:
    figures = build_wave_figures(wave)
    assert figures.outcomes is not None
    with_outcomes = [k for k, f in figures.schools.items() if f.outcomes]
    assert with_outcomes
    key = with_outcomes[0]
    assert figures.schools[key].outcomes == figures.outcomes.schools[key]
    without = ReportInputs(**{**wave.__dict__, "outcomes": None})
    assert build_outcome_figures(without) is None


def test_it_reads_an_outcomes_file_with_row_numbered_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(
        "school,year,measure,unit,value\nA,2025/26,Attendance,%,94.1\nB,2025/26,Attendance,%,\n"
    )
    table = read_outcomes(good)
    assert list(table.columns) == ["school", "year", "measure", "unit", "value"]
    assert table["value"].iloc[0] == pytest.approx(94.1)
    assert np.isnan(table["value"].iloc[1])
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "school,year,measure,unit,value\nA,2025/26,Attendance,%,94.1\nB,2025/26,Attendance,%,high\n"
    )
    with pytest.raises(ValueError, match="row 3"):
        read_outcomes(bad)
    missing = tmp_path / "missing.csv"
    missing.write_text("school,year,value\nA,2025/26,1\n")
    with pytest.raises(ValueError, match="measure"):
        read_outcomes(missing)
    twice = pd.DataFrame(
        {"school": ["A", "A"], "year": ["2025/26"] * 2, "measure": ["P8"] * 2, "unit": [""] * 2,
         "value": [0.1, 0.2]}
    )  # fmt: skip
    with pytest.raises(ValueError, match="two values"):
        latest_outcomes(twice)


def test_it_synthesises_outcomes_by_phase_deterministically(wave: ReportInputs) -> None:
    from learnsurvey.synth import ResponseModel

    model = ResponseModel(INSTRUMENT, load_params("phase-one"))
    schools = model.schools(6000, 40, 11)
    first = synth_outcomes(schools, np.random.default_rng(3), learning=list(range(40)))
    again = synth_outcomes(schools, np.random.default_rng(3), learning=list(range(40)))
    pd.testing.assert_frame_equal(first, again)
    phase = {s.school: s.phase for s in schools}
    ks2 = first[first["measure"] == "KS2 expected standard"]
    assert set(ks2["school"].map(phase)) <= {"primary", "all_through"}
    assert set(first["year"]) == {"2024/25", "2025/26"}
    assert first.loc[first["unit"] == "%", "value"].between(0, 100).all()
    with pytest.raises(ValueError, match="learning"):
        synth_outcomes(schools, np.random.default_rng(3), learning=[1.0])
    # The context carries pupils on roll (at least the responses) and a region.
    assert all(s.pupils >= s.size for s in schools)
    assert all(
        (s.region == INTERNATIONAL) == (s.inspection_rating == "not_inspected") for s in schools
    )
    assert {"pupils", "region", "eal_pct", "send_pct"} <= set(wave.schools.columns)
    assert wave.schools["pupils"].notna().all()
