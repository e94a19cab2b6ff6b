"""Tests for learnsurvey.stats.trend (golden: tests/golden/trend_mdc.R, metafor and base R)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from learnsurvey.stats.trend import TREND_COLUMNS, minimal_detectable_change, weighted_trend

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "trend_mdc.json"
TOL = 1e-8


@cache
def _golden() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GOLDEN.read_text())
    return data


CASES = ["bcg_ablat", "bcg_year", "molloy_age", "waves"]


@pytest.mark.parametrize("case", CASES)
def test_it_matches_metafor_fixed_effect_meta_regression(case: str) -> None:
    g = _golden()["trends"][case]
    fit = weighted_trend(g["x"], g["yi"], g["sei"]).iloc[0]
    assert fit["n_points"] == len(g["x"])
    for ours, theirs in [
        ("slope", "slope"),
        ("se", "se"),
        ("ci_low", "ci_low"),
        ("ci_high", "ci_high"),
        ("intercept", "intercept"),
        ("intercept_se", "intercept_se"),
        ("q", "q"),
        ("df", "df"),
    ]:
        assert fit[ours] == pytest.approx(g[theirs], rel=TOL, abs=TOL), ours
    # Weighted least squares (lm with weights 1/SE²) gives the same line.
    assert fit["slope"] == pytest.approx(g["lm_slope"], rel=TOL, abs=TOL)
    assert fit["intercept"] == pytest.approx(g["lm_intercept"], rel=TOL, abs=TOL)


def test_it_matches_metafor_at_another_level() -> None:
    g = _golden()["trends"]["bcg_ablat"]
    fit = weighted_trend(g["x"], g["yi"], g["sei"], confidence=0.90).iloc[0]
    assert fit["ci_low"] == pytest.approx(g["ci90_low"], rel=TOL, abs=TOL)
    assert fit["ci_high"] == pytest.approx(g["ci90_high"], rel=TOL, abs=TOL)


def test_it_fits_several_series_at_once_leaving_out_missing_points() -> None:
    g = _golden()["trends"]["waves"]
    # The same school on the full grid of waves 0..4, wave 2 missing (NaN), beside a
    # series with one point only and a series with the points of bcg_ablat's first four.
    positions = [0, 1, 2, 3, 4]
    means = np.full((3, 5), np.nan)
    ses = np.full((3, 5), np.nan)
    means[0, [0, 1, 3, 4]], ses[0, [0, 1, 3, 4]] = g["yi"], g["sei"]
    means[1, 2], ses[1, 2] = 3.0, 0.1
    means[2, :4], ses[2, :4] = [3.1, 3.0, 3.3, 3.2], [0.1, 0.2, 0.1, 0.3]
    fits = weighted_trend(positions, means, ses)
    assert list(fits.columns) == TREND_COLUMNS
    assert fits["n_points"].tolist() == [4, 1, 4]
    assert fits.loc[0, "slope"] == pytest.approx(g["slope"], rel=TOL, abs=TOL)
    assert fits.loc[0, "se"] == pytest.approx(g["se"], rel=TOL, abs=TOL)
    assert np.isnan(fits.loc[1, ["slope", "se", "ci_low", "q"]].to_numpy(dtype=float)).all()
    alone = weighted_trend(positions[:4], means[2, :4], ses[2, :4]).iloc[0]
    assert fits.loc[2, "slope"] == pytest.approx(alone["slope"], abs=1e-14)


def test_it_gives_no_slope_without_two_distinct_positions() -> None:
    fit = weighted_trend([2, 2, 2], [3.0, 3.1, 3.2], [0.1, 0.1, 0.1]).iloc[0]
    assert fit["n_points"] == 3
    assert np.isnan(fit["slope"])
    exact = weighted_trend([0, 1], [3.0, 3.5], [0.1, 0.2]).iloc[0]
    assert exact["slope"] == pytest.approx(0.5)
    assert exact["q"] == pytest.approx(0.0, abs=1e-12)
    assert exact["df"] == 0


@pytest.mark.parametrize(
    ("x", "means", "ses", "message"),
    [
        ([0, 1, 2], [3.0, 3.1, 3.2], [0.1, 0.1], "same shape"),
        ([0, 1], [3.0, 3.1, 3.2], [0.1, 0.1, 0.1], "one value per point"),
        ([0, 1, 2], [3.0, 3.1, 3.2], [0.1, 0.0, 0.1], "positive"),
        ([0, 1, 2], [3.0, 3.1, 3.2], [0.1, -0.1, 0.1], "positive"),
        ([0, np.nan, 2], [3.0, 3.1, 3.2], [0.1, 0.1, 0.1], "finite"),
        (["a", "b"], [3.0, 3.1], [0.1, 0.1], "numeric"),
        ([0, 1], [[[3.0, 3.1]]], [[[0.1, 0.1]]], "1-d or 2-d"),
    ],
)
def test_it_refuses_bad_trend_input(x: Any, means: Any, ses: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        weighted_trend(x, means, ses)


def test_it_refuses_a_bad_confidence() -> None:
    with pytest.raises(ValueError, match="confidence"):
        weighted_trend([0, 1], [3.0, 3.1], [0.1, 0.1], confidence=1.0)


def test_it_matches_the_minimal_detectable_change_of_r() -> None:
    g = _golden()["mdc"]
    for k in range(len(g["mdc"])):
        got = minimal_detectable_change(
            g["se_a"][k], g["se_b"][k], alpha=g["alpha"][k], power=g["power"][k]
        )
        assert got[0] == pytest.approx(g["mdc"][k], rel=TOL, abs=TOL)
        assert g["power_at_mdc"][k] == pytest.approx(g["power"][k], abs=1e-12)


def test_it_vectorises_the_minimal_detectable_change() -> None:
    g = _golden()["mdc"]
    at = [k for k in range(len(g["mdc"])) if g["alpha"][k] == 0.05 and g["power"][k] == 0.8]
    got = minimal_detectable_change(np.take(g["se_a"], at), np.take(g["se_b"], at))
    assert got == pytest.approx(np.take(g["mdc"], at), rel=TOL, abs=TOL)
    assert np.isnan(minimal_detectable_change([np.nan, 0.1], 0.1)[0])
    assert minimal_detectable_change(0.0, 0.0)[0] == 0.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"se_a": -0.1, "se_b": 0.1}, "non-negative"),
        ({"se_a": [0.1, 0.2], "se_b": [0.1, 0.2, 0.3]}, "broadcast"),
        ({"se_a": "x", "se_b": 0.1}, "numeric"),
        ({"se_a": 0.1, "se_b": 0.1, "alpha": 0.0}, "alpha"),
        ({"se_a": 0.1, "se_b": 0.1, "power": 1.0}, "power"),
    ],
)
def test_it_refuses_bad_mdc_input(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        minimal_detectable_change(**kwargs)
