"""The impact of a priority: a school's change against its similar schools' change over the
same two waves (difference in differences), and verdicts no stronger than the intervals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.analysis.test_over_time import _block, _statistics

from learnsurvey.analysis.figures.improvement import ImpactFigure
from learnsurvey.analysis.figures.over_time import OverTimeFigures, build_over_time_figures
from learnsurvey.analysis.impact import impact_verdict
from learnsurvey.analysis.inputs import school_context
from learnsurvey.analysis.timeline import Timeline, TimelineWave

THRESHOLD = 10
KEYS = ["lift", "flat", "s1", "s2", "s3", "s4", "tiny_group", "other"]


@pytest.fixture(scope="module")
def figures() -> OverTimeFigures:
    rng = np.random.default_rng(7)
    flat = {k: _block(rng, 120) for k in KEYS if k != "lift"}
    waves = []
    for k, shift in enumerate((0.0, 0.7)):
        part = {"lift": _block(rng, 150, shift=shift)} | {
            key: (block if k == 0 else _block(rng, 120)) for key, block in flat.items()
        }
        waves.append(TimelineWave(f"w{k}", _statistics(rng, part), season="summer"))
    context = pd.DataFrame(
        {
            "school": KEYS,
            "phase": ["primary"] * 6 + ["secondary", "secondary"],
            "fsm_pct": [20.0] * 6 + [20.0, 20.0],
        }
    )
    return build_over_time_figures(Timeline(tuple(waves), school_context(context, KEYS), THRESHOLD))


def _impact(figures: OverTimeFigures, school: str, score: str = "challenge") -> ImpactFigure:
    found = [
        i for i in figures.schools[school].impacts if i.score == score and i.kind == "dimension"
    ]
    assert len(found) == 1
    return found[0]


def test_it_finds_a_planted_improvement_clearly_more_than_similar_schools(
    figures: OverTimeFigures,
) -> None:
    impact = _impact(figures, "lift")
    assert impact.verdict == "clearly_more"
    assert impact.did is not None
    assert impact.did_ci_low is not None
    assert impact.did_ci_low > 0
    assert impact.n_similar_schools == 5
    assert impact.did == pytest.approx(impact.change - impact.similar_change)  # type: ignore[operator]


def test_it_says_no_clear_change_when_the_interval_includes_zero(
    figures: OverTimeFigures,
) -> None:
    impact = _impact(figures, "flat")
    assert impact.change_ci_low is not None
    assert impact.change_ci_high is not None
    if impact.change_ci_low < 0 < impact.change_ci_high:
        assert impact.verdict in ("no_clear_change", "steady_while_similar_declined")


def test_it_hides_a_comparison_with_too_few_other_schools(figures: OverTimeFigures) -> None:
    impact = _impact(figures, "tiny_group")  # one other secondary school: rule 5
    assert impact.similar_change is None
    assert impact.did is None
    assert impact.verdict in ("improved", "no_clear_change", "declined")


@given(st.floats(-2, 2), st.floats(0, 1), st.floats(-2, 2), st.floats(0, 1), st.booleans())
def test_it_never_gives_a_verdict_the_intervals_do_not_support(
    low: float, width: float, did_low: float, did_width: float, shown: bool
) -> None:
    high, did_high = low + width, did_low + did_width
    verdict = impact_verdict(low, high, did_low, did_high, shown)
    if not shown:
        assert verdict == "unknown"
        return
    if verdict in ("clearly_more", "as_similar", "less_than_similar", "improved"):
        assert low > 0
    if verdict in ("declined", "declined_more"):
        assert high < 0
    if verdict in ("clearly_more", "steady_while_similar_declined"):
        assert did_low > 0
    if verdict in ("less_than_similar", "declined_more"):
        assert did_high < 0
    if verdict == "no_clear_change":
        assert low <= 0 <= high


def test_it_is_unknown_without_an_interval() -> None:
    assert impact_verdict(math.nan, math.nan, 0.1, 0.2, True) == "unknown"
