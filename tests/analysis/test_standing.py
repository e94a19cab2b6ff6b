"""Where a school stands: verdicts follow the interval, bands follow the instrument, and a
strength needs a high level as well as a clear lead."""

from __future__ import annotations

import pytest

from learnsurvey.analysis.standing import band_of, level, standing, verdict
from learnsurvey.instruments import load_instrument

INSTRUMENT = load_instrument("learning-survey")


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0.01, 0.3, "above"),
        (-0.3, -0.01, "below"),
        (-0.1, 0.1, "within"),
        (0.0, 0.2, "within"),  # touching 0 is not clear
        (None, 0.2, "unknown"),
    ],
)
def test_it_calls_a_difference_clear_only_when_its_interval_excludes_zero(
    low: float | None, high: float | None, expected: str
) -> None:
    assert verdict(low, high) == expected


def test_it_puts_a_mean_in_the_band_that_holds_it() -> None:
    assert band_of(3.4, INSTRUMENT) == "quite_high"
    assert band_of(3.3999999999, INSTRUMENT) == "quite_high"
    assert band_of(3.39, INSTRUMENT) == "medium"
    assert band_of(1.0, INSTRUMENT) == "very_low"
    assert band_of(5.0, INSTRUMENT) == "very_high"
    assert band_of(None, INSTRUMENT) is None


def test_it_reads_the_level_from_the_instruments_high_bands() -> None:
    assert [level(b.id, INSTRUMENT) for b in INSTRUMENT.bands] == [
        "low",
        "low",
        "middle",
        "high",
        "high",
    ]
    assert level(None, INSTRUMENT) == "unknown"


def test_it_calls_a_high_dimension_clearly_above_a_benchmark_a_strength() -> None:
    assert standing(["above", "within"], "high") == "strength"
    assert standing(["within", "above"], "high") == "strength"
    assert standing(["above", "unknown"], "high") == "strength"


def test_it_does_not_call_a_medium_dimension_a_strength_however_far_above_it_is() -> None:
    assert standing(["above", "above"], "middle") == "neither"


def test_it_makes_a_dimension_below_either_benchmark_an_area_to_work_on() -> None:
    assert standing(["above", "below"], "high") == "priority"
    assert standing(["below", "unknown"], "middle") == "priority"


def test_it_makes_a_low_dimension_an_area_to_work_on_even_above_the_benchmarks() -> None:
    assert standing(["above", "above"], "low") == "priority"
    assert standing(["within", "within"], "low") == "priority"


def test_it_says_nothing_without_a_clear_difference_or_a_level() -> None:
    assert standing(["within", "within"], "high") == "neither"
    assert standing(["unknown", "unknown"], "high") == "neither"
    assert standing(["above", "above"], "unknown") == "unknown"
