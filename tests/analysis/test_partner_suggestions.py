"""Strengths and partner suggestions (Django-free): a strength is read only from figures
disclosure shows (shrunken mean clearly above all schools, or clearly improved), and a
partner is only ever a school that opted in to be found, of the same phase, never the
school itself, nearest in context first."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnsurvey.analysis.families import context_distance, standardise_context
from learnsurvey.analysis.figures.improvement import StrengthFigure
from learnsurvey.analysis.figures.school import (
    ChangeFigure,
    SchoolFigures,
    ScoreFigure,
    build_school_figures,
)
from learnsurvey.analysis.groups import school_table
from learnsurvey.analysis.inputs import ReportInputs, inputs_from_files
from learnsurvey.analysis.partners import school_strengths, suggest_partners
from learnsurvey.instruments import load_instrument
from learnsurvey.synth import load_params
from learnsurvey.synth.files import write_synthetic

INSTRUMENT = load_instrument("learning-survey")


def _strength(dimension: str, **more: Any) -> StrengthFigure:
    values: dict[str, Any] = {
        "dimension": dimension,
        "mean": 3.9,
        "shrunken_mean": 3.8,
        "shrunken_ci_low": 3.6,
        "shrunken_ci_high": 4.0,
        "benchmark_mean": 3.4,
        "clearly_above": True,
    }
    return StrengthFigure(**(values | more))


CONTEXT = pd.DataFrame(
    {
        "school": ["me", "near", "far", "shut", "secondary", "weak", "bare"],
        "phase": ["primary"] * 4 + ["secondary", "primary", "primary"],
        "trust": ["T1", "T1", "T2", "T2", "T1", None, None],
        "pupils": [420, 400, 1500, 410, 420, 420, None],
        "fsm_pct": [31.0, 28.0, 5.0, 31.0, 31.0, 31.0, None],
        "eal_pct": [10.0, 12.0, 50.0, 10.0, 10.0, 10.0, None],
        "send_pct": [14.0, 15.0, 8.0, 14.0, 14.0, 14.0, None],
        "region": ["North West", "North West", "London", "North West", "North West", None, None],
    }
)
STRENGTHS = {k: [_strength("fair")] for k in ("me", "near", "far", "shut", "secondary", "bare")} | {
    "weak": [_strength("safe")]
}
EVERYONE = set(CONTEXT["school"])


def test_it_suggests_strong_schools_of_the_same_phase_nearest_first() -> None:
    found = suggest_partners("me", "fair", CONTEXT, STRENGTHS, open_to_partners=EVERYONE)
    # "shut" is nearer than "near" but is strong too: the nearest three, in order.
    assert [s.school for s in found] == ["shut", "near", "far"]
    assert [s.distance for s in found] == sorted(s.distance for s in found)
    assert found[1].closest[0] == "region"
    assert "fsm_pct" in found[1].closest
    assert found[1].context.pupils == 400
    assert found[1].context.fsm_pct == 28.0
    assert found[1].strength.dimension == "fair"
    # Across trusts: "far" is in another trust.
    assert "far" in [s.school for s in found]


def test_it_never_suggests_a_school_that_has_not_opted_in() -> None:
    found = suggest_partners("me", "fair", CONTEXT, STRENGTHS, open_to_partners=EVERYONE - {"shut"})
    assert [s.school for s in found] == ["near", "far"]
    assert suggest_partners("me", "fair", CONTEXT, STRENGTHS, open_to_partners=set()) == []


def test_it_never_suggests_the_school_itself_or_a_school_not_strong_in_it() -> None:
    found = suggest_partners("me", "safe", CONTEXT, STRENGTHS, open_to_partners=EVERYONE)
    assert [s.school for s in found] == ["weak"]
    assert "me" not in [
        s.school
        for s in suggest_partners("me", "fair", CONTEXT, STRENGTHS, open_to_partners={"me"})
    ]
    not_strong = {"near": [_strength("fair", clearly_above=False)]}
    assert suggest_partners("me", "fair", CONTEXT, not_strong, open_to_partners=EVERYONE) == []


def test_it_leaves_out_a_school_with_no_context_to_compare() -> None:
    found = suggest_partners("me", "fair", CONTEXT, STRENGTHS, open_to_partners={"bare"})
    assert found == []
    assert suggest_partners("bare", "fair", CONTEXT, STRENGTHS, open_to_partners=EVERYONE) == []


def test_it_suggests_nothing_for_a_school_without_a_phase() -> None:
    context = CONTEXT.assign(phase=lambda t: t["phase"].where(t["school"] != "me", None))
    assert suggest_partners("me", "fair", context, STRENGTHS, open_to_partners=EVERYONE) == []


def test_it_keeps_to_the_limit_and_refuses_bad_input() -> None:
    found = suggest_partners("me", "fair", CONTEXT, STRENGTHS, open_to_partners=EVERYONE, limit=1)
    assert [s.school for s in found] == ["shut"]
    with pytest.raises(ValueError, match="limit"):
        suggest_partners("me", "fair", CONTEXT, STRENGTHS, open_to_partners=EVERYONE, limit=0)
    with pytest.raises(ValueError, match="not in the context"):
        suggest_partners("nobody", "fair", CONTEXT, STRENGTHS, open_to_partners=EVERYONE)


def _random_context(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "school": [f"S{k:03d}" for k in range(n)],
            "phase": rng.choice(["primary", "secondary"], n),
            "pupils": rng.integers(60, 1600, n),
            "fsm_pct": rng.uniform(1, 65, n),
            "eal_pct": np.where(rng.random(n) < 0.2, np.nan, rng.uniform(0, 60, n)),
            "send_pct": rng.uniform(4, 28, n),
            "region": rng.choice(["London", "North West", "South East"], n),
        }
    )


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=60),
    seed=st.integers(min_value=0, max_value=10_000),
    share_open=st.floats(min_value=0.0, max_value=1.0),
    share_strong=st.floats(min_value=0.0, max_value=1.0),
    limit=st.integers(min_value=1, max_value=8),
)
def test_every_suggestion_is_opted_in_strong_same_phase_and_nearest(
    n: int, seed: int, share_open: float, share_strong: float, limit: int
) -> None:
    context = _random_context(n, seed)
    rng = np.random.default_rng(seed + 1)
    keys = list(context["school"])
    opened = {k for k in keys if rng.random() < share_open}
    strengths = {k: [_strength("fair")] for k in keys if rng.random() < share_strong}
    me = keys[0]
    found = suggest_partners(me, "fair", context, strengths, open_to_partners=opened, limit=limit)
    phase = dict(zip(context["school"], context["phase"], strict=True))
    eligible = [k for k in keys[1:] if k in opened and k in strengths and phase[k] == phase[me]]
    assert len(found) == min(limit, len(eligible))
    for s in found:
        assert s.school in opened
        assert s.school != me
        assert s.school in strengths
        assert phase[s.school] == phase[me]
    table = standardise_context(context).set_index("school", drop=False)
    d = context_distance(table.loc[me], table.loc[eligible]) if eligible else np.array([])
    expected = sorted(zip(d, eligible, strict=True))[: len(found)]
    assert [s.school for s in found] == [k for _, k in expected]


def _score(dimension: str, **more: Any) -> ScoreFigure:
    values: dict[str, Any] = {
        "kind": "dimension",
        "score": dimension,
        "n": 120,
        "mean": 3.9,
        "sd": 0.8,
        "ci_low": 3.8,
        "ci_high": 4.0,
        "pct_high": 60.0,
        "bands": [],
        "band": "quite_high",
        "benchmark_mean": 3.4,
        "hedges_g": 0.5,
        "g_ci_low": 0.3,
        "g_ci_high": 0.7,
        "suppressed": False,
    }
    return ScoreFigure(**(values | more))


def _shrunk(dimension: str, low: float, **more: Any) -> dict[str, Any]:
    return {
        "dimension": dimension,
        "shrunken_mean": low + 0.2,
        "shrunken_ci_low": low,
        "shrunken_ci_high": low + 0.4,
        "suppressed": False,
    } | more


def _change(dimension: str, difference: float, *, clear: bool, **more: Any) -> ChangeFigure:
    values: dict[str, Any] = {
        "kind": "dimension",
        "score": dimension,
        "n_previous": 100,
        "mean_previous": 3.0,
        "n_current": 120,
        "mean_current": 3.0 + difference,
        "difference": difference,
        "ci_low": difference - 0.1,
        "ci_high": difference + 0.1,
        "hedges_g": difference,
        "g_ci_low": difference - 0.1,
        "g_ci_high": difference + 0.1,
        "clear": clear,
        "suppressed": False,
    }
    return ChangeFigure(**(values | more))


def test_a_strength_needs_the_interval_wholly_above_all_schools_or_a_clear_rise() -> None:
    scores = [_score(d) for d in ("above", "touching", "risen", "hidden_rise")]
    shrunken = [
        _shrunk("above", 3.5),
        _shrunk("touching", 3.4),  # the interval reaches the mean of all schools
        _shrunk("risen", 3.0),
        _shrunk("hidden_rise", 3.0),
    ]
    change = [
        _change("risen", 0.3, clear=True),
        _change("hidden_rise", 0.3, clear=True, suppressed=True),
        _change("touching", -0.3, clear=True),
    ]
    found = {s.dimension: s for s in school_strengths(scores, change, shrunken)}
    assert set(found) == {"above", "risen"}
    assert found["above"].clearly_above
    assert not found["above"].clearly_improved
    assert found["risen"].clearly_improved
    assert not found["risen"].clearly_above
    assert found["risen"].change == 0.3


def test_a_hidden_figure_is_never_a_strength() -> None:
    scores = [
        _score("hidden_score", suppressed=True),
        _score("hidden_benchmark", benchmark_mean=None),
        _score("hidden_shrunken"),
    ]
    shrunken = [
        _shrunk("hidden_score", 3.6),
        _shrunk("hidden_benchmark", 3.6),
        _shrunk("hidden_shrunken", 3.6, suppressed=True),
    ]
    assert school_strengths(scores, [], shrunken) == []
    assert school_strengths([_score("missing")], [], []) == []


@pytest.fixture(scope="module")
def wave(tmp_path_factory: pytest.TempPathFactory) -> ReportInputs:
    """A synthetic wave of 30 schools with its context; a high threshold hides the smaller
    schools entirely."""
    out = tmp_path_factory.mktemp("partners") / "wave.csv"
    files = write_synthetic(
        out,
        instrument=INSTRUMENT,
        params=load_params("phase-one"),
        n_responses=6000,
        n_schools=30,
        seed=3,
    )
    read = inputs_from_files(out, INSTRUMENT, threshold=10, context=files.context)
    sizes = read.current.responses.groupby("school")["n"].sum()
    threshold = int(sizes.quantile(0.3))
    return inputs_from_files(out, INSTRUMENT, threshold=threshold, context=files.context)


@pytest.fixture(scope="module")
def figures(wave: ReportInputs) -> dict[str, SchoolFigures]:
    return build_school_figures(wave)


def test_it_reads_strengths_from_the_shrunken_means_of_the_shown_scores(
    wave: ReportInputs, figures: dict[str, SchoolFigures]
) -> None:
    table = school_table(wave.current.stats, threshold=wave.threshold)
    shrunk = {(r.school, r.dimension): r for r in table.itertuples()}
    hidden = [f for f in figures.values() if not f.publishable]
    assert hidden
    assert all(f.strengths == [] for f in hidden)
    strong = 0
    for school in figures.values():
        for s in school.strengths:
            strong += 1
            score = school.score("dimension", s.dimension)
            assert score is not None
            assert not score.suppressed
            row = shrunk[(school.school, s.dimension)]
            assert not row.suppressed
            assert s.shrunken_ci_low == pytest.approx(row.shrunken_ci_low)
            assert score.benchmark_mean is not None or not s.clearly_above
            above = float(row.shrunken_ci_low) > (score.benchmark_mean or np.inf)  # type: ignore[arg-type]
            assert s.clearly_above == above
            assert s.clearly_above or s.clearly_improved
    assert strong > 0


def test_a_hidden_school_is_never_suggested(
    wave: ReportInputs, figures: dict[str, SchoolFigures]
) -> None:
    strengths = {k: f.strengths for k, f in figures.items()}
    hidden = {k for k, f in figures.items() if not f.publishable}
    for dimension in INSTRUMENT.dimension_ids:
        for school in figures:
            found = suggest_partners(
                school, dimension, wave.schools, strengths, open_to_partners=set(figures)
            )
            assert not hidden & {s.school for s in found}
            for s in found:
                assert s.strength in strengths[s.school]
