"""Suggested priorities (Django-free): a dimension is suggested only for a reason its own
cleared figures give — clearly below all schools, clearly below similar schools, or clearly
down since the last wave — most reasons first, then the lowest g."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from learnsurvey.analysis.figures.school import (
    ChangeFigure,
    SchoolFigures,
    ScoreFigure,
    build_school_figures,
)
from learnsurvey.analysis.inputs import inputs_from_files
from learnsurvey.analysis.priorities import suggest_priorities
from learnsurvey.analysis.standing import verdict
from learnsurvey.instruments import load_instrument
from learnsurvey.synth import load_params
from learnsurvey.synth.files import write_synthetic

INSTRUMENT = load_instrument("learning-survey")


def _score(dimension: str, g: float, low: float, high: float, **more: Any) -> ScoreFigure:
    values: dict[str, Any] = {
        "kind": "dimension",
        "score": dimension,
        "n": 120,
        "mean": 3.0,
        "sd": 0.8,
        "ci_low": 2.9,
        "ci_high": 3.1,
        "pct_high": 40.0,
        "bands": [],
        "band": "middle",
        "benchmark_mean": 3.3,
        "hedges_g": g,
        "g_ci_low": low,
        "g_ci_high": high,
        "against_all": verdict(low, high),
        "suppressed": False,
    }
    return ScoreFigure(**(values | more))


def _change(dimension: str, difference: float, *, clear: bool, **more: Any) -> ChangeFigure:
    values: dict[str, Any] = {
        "kind": "dimension",
        "score": dimension,
        "n_previous": 100,
        "mean_previous": 3.2,
        "n_current": 120,
        "mean_current": 3.2 + difference,
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


def test_it_gives_each_reason_its_figures_support() -> None:
    scores = [
        _score("a", -0.4, -0.6, -0.2),  # below all
        _score("b", 0.1, -0.1, 0.3, against_similar="below", similar_mean=3.5),
        _score("c", 0.0, -0.2, 0.2),  # down since last
        _score("d", 0.0, -0.2, 0.2),  # nothing
    ]
    change = [_change("c", -0.3, clear=True), _change("d", -0.05, clear=False)]
    found = {s.dimension: s for s in suggest_priorities(scores, change)}
    assert set(found) == {"a", "b", "c"}
    assert found["a"].reasons == ["below_all"]
    assert found["b"].reasons == ["below_similar"]
    assert found["b"].similar_mean == 3.5
    assert found["c"].reasons == ["down_since_last"]
    assert found["c"].change == -0.3
    assert found["a"].change is None


def test_it_orders_by_reasons_then_by_the_lower_g() -> None:
    scores = [
        _score("one_low", -0.5, -0.7, -0.3),
        _score("one_lower", -0.9, -1.1, -0.7),
        _score("two", -0.2, -0.3, -0.1, against_similar="below"),
        _score("three", -0.1, -0.2, -0.05, against_similar="below"),
    ]
    change = [_change("three", -0.4, clear=True)]
    order = [s.dimension for s in suggest_priorities(scores, change)]
    assert order == ["three", "two", "one_lower", "one_low"]


def test_a_hidden_figure_gives_no_reason() -> None:
    hidden = _score("a", -0.4, -0.6, -0.2, suppressed=True)
    change = [
        _change("b", -0.3, clear=True, suppressed=True),
        _change("c", 0.3, clear=True),  # up, not down
    ]
    scores = [hidden, _score("b", 0.0, -0.2, 0.2), _score("c", 0.0, -0.2, 0.2)]
    assert suggest_priorities(scores, change) == []


def test_it_suggests_dimensions_only() -> None:
    overall = _score("overall", -0.4, -0.6, -0.2, kind="overall")
    notion = _score("n1", -0.4, -0.6, -0.2, kind="notion")
    assert suggest_priorities([overall, notion], []) == []


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SchoolFigures]:
    """Two synthetic waves of 24 schools (with planted changes), the later one's figures."""
    out = tmp_path_factory.mktemp("priorities") / "waves.csv"
    files = write_synthetic(
        out,
        instrument=INSTRUMENT,
        params=load_params("phase-one"),
        n_responses=6000,
        n_schools=24,
        seed=5,
        n_waves=2,
    )
    waves = list(dict.fromkeys(pd.read_csv(out, usecols=["wave"])["wave"].astype(str)))
    read = inputs_from_files(
        out,
        INSTRUMENT,
        threshold=10,
        wave=waves[-1],
        previous_wave=waves[0],
        context=files.context,
    )
    assert read.previous is not None
    return build_school_figures(read)


def test_it_fills_each_schools_suggestions_from_its_own_figures(
    figures: dict[str, SchoolFigures],
) -> None:
    suggested = 0
    for school in figures.values():
        if not school.publishable:
            assert school.suggested_priorities == []
            continue
        assert school.suggested_priorities == suggest_priorities(school.scores, school.change)
        for s in school.suggested_priorities:
            suggested += 1
            score = school.score("dimension", s.dimension)
            assert score is not None
            assert not score.suppressed
            assert ("below_all" in s.reasons) == (score.against_all == "below")
            assert ("below_similar" in s.reasons) == (score.against_similar == "below")
            moved = next(c for c in school.change if c.score == s.dimension)
            fell = moved.clear and not moved.suppressed and (moved.difference or 0) < 0
            assert ("down_since_last" in s.reasons) == fell
    assert suggested > 0
