"""A school's figures, built once per wave (Django-free): the same figures as the
dashboards' tables, the all-schools benchmark held back when it would give other schools
away, and the standing of each dimension read from its own figures."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from learnsurvey.analysis.dashboard import school_breakdowns, school_scores, to_records
from learnsurvey.analysis.figures.school import SchoolFigures, build_school_figures
from learnsurvey.analysis.figures.wave import WaveFigures, build_wave_figures
from learnsurvey.analysis.inputs import ReportInputs, inputs_from_files, school_context
from learnsurvey.analysis.standing import band_of, level, standing, verdict
from learnsurvey.instruments import load_instrument
from learnsurvey.io import write_responses
from learnsurvey.synth import ResponseModel, load_params

INSTRUMENT = load_instrument("learning-survey")
THRESHOLD = 10


@pytest.fixture(scope="module")
def wave_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    model = ResponseModel(INSTRUMENT, load_params("phase-one"))
    path = tmp_path_factory.mktemp("school-figures") / "wave.parquet"
    write_responses(path, model.tables(2400, 8, seed=11))
    return path


@pytest.fixture(scope="module")
def inputs(wave_file: Path) -> ReportInputs:
    read = inputs_from_files(wave_file, INSTRUMENT, threshold=THRESHOLD)
    keys = sorted(read.current.item_schools)
    context = pd.DataFrame(
        {
            "school": keys,
            "phase": ["primary"] * len(keys),
            # Two FSM quartiles of four schools each (three others behind each benchmark).
            "fsm_pct": [10.0] * 4 + [40.0] * (len(keys) - 4),
        }
    )
    return replace(read, schools=school_context(context, keys))


@pytest.fixture(scope="module")
def figures(inputs: ReportInputs) -> dict[str, SchoolFigures]:
    return build_school_figures(inputs)


def _close(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(np.isclose(float(a), float(b)))  # type: ignore[arg-type]


def test_it_gives_every_school_the_cleared_tables_figures(
    figures: dict[str, SchoolFigures], inputs: ReportInputs
) -> None:
    stats = inputs.current.stats
    _, scores = school_scores(stats, threshold=THRESHOLD)
    _, pairs = school_breakdowns(
        stats, "key_stage", threshold=THRESHOLD, order=list(INSTRUMENT.demographics.key_stages)
    )
    assert set(figures) == set(inputs.current.item_schools)
    for row in to_records(scores):
        score = figures[row["school"]].score(row["kind"], row["score"])
        assert score is not None
        for field in ("n", "mean", "sd", "ci_low", "ci_high", "benchmark_mean", "hedges_g"):
            assert _close(getattr(score, field), row[field]), (row["school"], field)
        assert _close(score.pct_high, row["pct_quite_or_very_high"])
        assert [b.pct for b in score.bands] == [row[f"pct_{b.id}"] for b in INSTRUMENT.bands]
    for row in to_records(pairs):
        effects = figures[row["school"]].key_stage_effects
        found = next(
            e
            for e in effects
            if (e.group_a, e.group_b, e.dimension)
            == (row["group_a"], row["group_b"], row["dimension"])
        )
        assert _close(found.hedges_g, row["hedges_g"])
        assert found.suppressed == row["suppressed"]


def test_it_benchmarks_each_school_against_its_similar_schools(
    figures: dict[str, SchoolFigures],
) -> None:
    for school in figures.values():
        assert school.similar is not None
        assert school.similar.n_schools == 3
        overall = school.score("overall", "overall")
        assert overall is not None
        assert overall.similar_mean is not None
        assert overall.against_similar == verdict(
            overall.similar_g_ci_low, overall.similar_g_ci_high
        )


def test_it_reads_each_dimensions_standing_from_its_own_figures(
    figures: dict[str, SchoolFigures],
) -> None:
    for school in figures.values():
        assert school.headline is not None
        for score in school.scores:
            assert score.band == band_of(score.mean, INSTRUMENT)
            assert score.against_all == verdict(score.g_ci_low, score.g_ci_high)
            if score.kind != "dimension":
                assert score.standing == "unknown"
                continue
            expected = standing(
                [score.against_all, score.against_similar], level(score.band, INSTRUMENT)
            )
            assert score.standing == expected
        dims = [s for s in school.scores if s.kind == "dimension"]
        assert school.headline.strengths == [s.score for s in dims if s.standing == "strength"]
        assert school.headline.priorities == [s.score for s in dims if s.standing == "priority"]
        below = sum(s.against_similar == "below" for s in school.scores)
        assert school.headline.below_similar == below


def test_it_hides_the_all_schools_benchmark_with_fewer_than_three_other_schools(
    tmp_path: Path,
) -> None:
    model = ResponseModel(INSTRUMENT, load_params("phase-one"))
    path = tmp_path / "three.parquet"
    write_responses(path, model.tables(900, 3, seed=5))
    found = build_school_figures(inputs_from_files(path, INSTRUMENT, threshold=THRESHOLD))
    assert len(found) == 3
    for school in found.values():
        for score in school.scores:
            assert score.mean is not None  # the school's own figures stay
            assert score.benchmark_mean is None
            assert score.hedges_g is None
            assert score.against_all == "unknown"


def test_it_shows_nothing_of_a_school_with_too_few_responses(inputs: ReportInputs) -> None:
    threshold = int(inputs.current.responses.groupby("school")["n"].sum().min()) + 1
    found = build_school_figures(replace(inputs, threshold=threshold))
    hidden = [f for f in found.values() if not f.publishable]
    assert hidden
    for school in hidden:
        assert school.n_responses is None
        assert school.scores == []
        assert school.headline is None


def test_it_is_plain_json_and_reads_back(figures: dict[str, SchoolFigures]) -> None:
    for school in figures.values():
        text = school.model_dump_json()
        assert SchoolFigures.model_validate_json(text) == school


def test_it_builds_the_waves_figures_once_with_the_same_schools(
    inputs: ReportInputs, figures: dict[str, SchoolFigures]
) -> None:
    wave = build_wave_figures(inputs)
    assert wave.schools == figures
    assert wave.threshold == THRESHOLD
    assert WaveFigures.model_validate_json(wave.model_dump_json()) == wave
