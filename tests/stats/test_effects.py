"""Tests for learnsurvey.stats.effects (golden: tests/golden/polychoric_effects_multilevel.R)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from learnsurvey.stats.effects import hedges_g, mean_interval, welch_difference

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "polychoric_effects_multilevel.json"


@cache
def _golden() -> dict[str, Any]:
    with GOLDEN.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    section: dict[str, Any] = data["hedges_g"]
    return section


def _from_golden(confidence: float = 0.95) -> tuple[dict[str, Any], pd.DataFrame]:
    h = _golden()
    res = hedges_g(
        h["n_a"], h["mean_a"], h["sd_a"], h["n_b"], h["mean_b"], h["sd_b"], confidence=confidence
    )
    return h, res


def test_it_matches_metafor_escalc_smd() -> None:
    h, res = _from_golden()
    assert list(res.columns) == ["hedges_g", "se", "ci_low", "ci_high"]
    assert np.all(np.isfinite(res.to_numpy()))
    np.testing.assert_allclose(res["hedges_g"], h["yi"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(res["se"] ** 2, h["vi"], rtol=1e-12)
    np.testing.assert_allclose(res["se"], h["sei"], rtol=1e-12)
    np.testing.assert_allclose(res["ci_low"], h["ci_lb"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(res["ci_high"], h["ci_ub"], rtol=1e-12, atol=1e-14)


def test_it_matches_metafor_at_another_confidence_level() -> None:
    h, res = _from_golden(confidence=0.90)
    np.testing.assert_allclose(res["ci_low"], h["ci_lb_90"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(res["ci_high"], h["ci_ub_90"], rtol=1e-12, atol=1e-14)


def test_it_flips_sign_when_the_groups_swap() -> None:
    h = _golden()
    ab = hedges_g(h["n_a"], h["mean_a"], h["sd_a"], h["n_b"], h["mean_b"], h["sd_b"])
    ba = hedges_g(h["n_b"], h["mean_b"], h["sd_b"], h["n_a"], h["mean_a"], h["sd_a"])
    np.testing.assert_allclose(ba["hedges_g"], -ab["hedges_g"], rtol=1e-14)
    np.testing.assert_allclose(ba["se"], ab["se"], rtol=1e-14)
    np.testing.assert_allclose(ba["ci_low"], -ab["ci_high"], rtol=1e-14)


def test_it_uses_the_exact_small_sample_correction() -> None:
    # Cohen's d = 1 with df = 8: J = Gamma(4) / (sqrt(4) Gamma(3.5)).
    res = hedges_g(5, 1.0, 1.0, 5, 0.0, 1.0)
    j = 6.0 / (2.0 * 3.3233509704478426)
    assert res["hedges_g"].iloc[0] == pytest.approx(j, rel=1e-14)
    # For large df it approaches the usual 1 - 3 / (4 df - 1).
    big = hedges_g(500, 1.0, 1.0, 500, 0.0, 1.0)["hedges_g"].iloc[0]
    assert big == pytest.approx(1 - 3 / (4 * 998 - 1), rel=1e-6)


def test_it_gives_nan_for_small_groups_or_zero_spread() -> None:
    res = hedges_g(
        [1, 0, 5, 5, 2, 5],
        [3.0, 3.0, 3.0, 3.0, 3.0, np.nan],
        [0.0, 0.0, 0.0, 0.0, 1.0, 1.0],
        [10, 10, 1, 6, 2, 5],
        [2.0, 2.0, 2.0, 3.0, 2.0, 2.0],
        [1.0, 1.0, 1.0, 0.0, 1.0, 1.0],
    )
    assert res.iloc[:4].isna().all().all()
    assert res.iloc[4].notna().all()
    assert res.iloc[5].isna().all()


def test_it_keeps_the_pandas_index_and_broadcasts_scalars() -> None:
    idx = pd.Index(["A1", "A2", "A3"], name="item")
    n_a = pd.Series([30, 40, 50], index=idx)
    res = hedges_g(n_a, pd.Series([3.1, 3.3, 2.9], index=idx), 1.1, 35, 3.0, 1.0)
    assert res.index.equals(idx)
    assert res.shape == (3, 4)
    single = hedges_g(30, 3.1, 1.1, 35, 3.0, 1.0)
    assert single.shape == (1, 4)
    assert single["hedges_g"].iloc[0] == pytest.approx(res["hedges_g"].iloc[0])


def test_it_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        hedges_g(-1, 0, 1, 5, 0, 1)
    with pytest.raises(ValueError, match="standard deviations"):
        hedges_g(5, 0, -1, 5, 0, 1)
    with pytest.raises(ValueError, match="confidence"):
        hedges_g(5, 0, 1, 5, 0, 1, confidence=1.0)
    with pytest.raises(ValueError, match="broadcast"):
        hedges_g([5, 6], 0, 1, [5, 6, 7], 0, 1)
    with pytest.raises(ValueError, match="1-d"):
        hedges_g(np.ones((2, 2)) * 5, 0, 1, 5, 0, 1)
    with pytest.raises(ValueError, match="numeric"):
        hedges_g(["5"], 0, 1, 5, 0, 1)
    with pytest.raises(ValueError, match="same index"):
        hedges_g(pd.Series([5, 6], index=[0, 1]), pd.Series([0, 1], index=[1, 2]), 1, 5, 0, 1)


def test_welch_difference_matches_scipy_on_random_samples() -> None:
    rng = np.random.default_rng(11)
    sizes = rng.integers(2, 60, size=(20, 2))
    samples = [
        (rng.normal(3.0, rng.uniform(0.3, 1.5), na), rng.normal(3.2, rng.uniform(0.3, 1.5), nb))
        for na, nb in sizes
    ]
    diff, low, high = welch_difference(
        [len(a) for a, _ in samples],
        [a.mean() for a, _ in samples],
        [a.std(ddof=1) for a, _ in samples],
        [len(b) for _, b in samples],
        [b.mean() for _, b in samples],
        [b.std(ddof=1) for _, b in samples],
        confidence=0.9,
    )
    for k, (a, b) in enumerate(samples):
        expected = sps.ttest_ind(a, b, equal_var=False).confidence_interval(0.9)
        assert diff[k] == pytest.approx(a.mean() - b.mean())
        assert low[k] == pytest.approx(expected.low)
        assert high[k] == pytest.approx(expected.high)


def test_welch_difference_needs_two_in_each_group() -> None:
    diff, low, high = welch_difference([1.0, 5.0], [3.0, 3.0], [0.0, 1.0], 8.0, 2.0, 1.0)
    assert np.isnan(diff[0])
    assert np.isnan(low[0])
    assert np.isnan(high[0])
    assert diff[1] == pytest.approx(1.0)
    assert low[1] < 1.0 < high[1]


def test_welch_difference_of_constant_groups_is_exact() -> None:
    diff, low, high = welch_difference(5, 3.0, 0.0, 4, 2.0, 0.0)
    assert (float(diff), float(low), float(high)) == (1.0, 1.0, 1.0)


def test_mean_interval_matches_scipy_on_random_samples() -> None:
    rng = np.random.default_rng(12)
    groups = [rng.normal(3.0, 0.8, n) for n in rng.integers(2, 50, size=10)]
    low, high = mean_interval(
        [len(x) for x in groups], [x.mean() for x in groups], [x.std(ddof=1) for x in groups]
    )
    for k, x in enumerate(groups):
        expected = sps.ttest_1samp(x, 0.0).confidence_interval(0.95)
        assert low[k] == pytest.approx(expected.low)
        assert high[k] == pytest.approx(expected.high)
    one_low, one_high = mean_interval(1, 3.0, 0.0)
    assert np.isnan(one_low)
    assert np.isnan(one_high)


@pytest.mark.parametrize("confidence", [0.0, 1.0, 1.5])
def test_intervals_refuse_a_confidence_outside_zero_and_one(confidence: float) -> None:
    with pytest.raises(ValueError, match="confidence"):
        welch_difference(5, 3.0, 1.0, 5, 2.0, 1.0, confidence=confidence)
    with pytest.raises(ValueError, match="confidence"):
        mean_interval(5, 3.0, 1.0, confidence=confidence)
