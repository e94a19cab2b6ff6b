"""Tests for learnsurvey.stats.multilevel (golden: tests/golden/polychoric_effects_multilevel.R)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.typing import NDArray

from learnsurvey.stats.multilevel import (
    RandomIntercept,
    _Reml,
    icc1,
    icc1_anova,
    random_intercept_reml,
    shrunken_means,
)

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "polychoric_effects_multilevel.json"
CASES = ["math_achieve", "sleepstudy", "sat_act", "simulated_singular"]

Summaries = tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]


@cache
def _golden() -> dict[str, Any]:
    with GOLDEN.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    section: dict[str, Any] = data["multilevel"]
    return section


def _summaries(case: dict[str, Any]) -> Summaries:
    return np.array(case["n"], float), np.array(case["mean"]), np.array(case["ss_within"])


def _from_raw(y: NDArray[np.float64], g: NDArray[np.int64]) -> Summaries:
    groups = np.unique(g)
    n = np.array([np.sum(g == j) for j in groups], float)
    mean = np.array([y[g == j].mean() for j in groups])
    ss = np.array([np.sum((y[g == j] - y[g == j].mean()) ** 2) for j in groups])
    return n, mean, ss


def _check(fit: RandomIntercept, ref: dict[str, Any], rtol: float) -> None:
    assert fit.converged
    assert fit.grand_mean == pytest.approx(ref["fixef"], rel=rtol)
    assert fit.grand_mean_se == pytest.approx(ref["fixef_se"], rel=rtol)
    assert fit.sigma2 == pytest.approx(ref["sigma2"], rel=rtol)
    assert fit.tau2 == pytest.approx(ref["tau2"], rel=rtol, abs=1e-12)


@pytest.mark.parametrize("name", CASES)
def test_it_matches_lme4_reml(name: str) -> None:
    case = _golden()[name]
    fit = random_intercept_reml(*_summaries(case))
    # lme4's default optimizer stops within ~5e-6 of the optimum in tau2.
    _check(fit, case["default"], rtol=1e-5)
    # lme4's criterion minimised with optimize(tol = 1e-12); its own rounding limits this.
    _check(fit, case["tight"], rtol=2e-6)
    assert fit.n_groups == len(case["n"])
    assert fit.n_obs == int(sum(case["n"]))
    assert icc1(*_summaries(case)) == pytest.approx(fit.tau2 / (fit.tau2 + fit.sigma2))


@pytest.mark.parametrize("name", CASES)
def test_it_matches_lme4_blups_and_conditional_sds(name: str) -> None:
    case = _golden()[name]
    res = shrunken_means(*_summaries(case))
    ref = case["tight"]
    scale = np.sqrt(ref["tau2"] + ref["sigma2"])
    np.testing.assert_allclose(res["shrunken_mean"], ref["blup"], rtol=0, atol=1e-6 * scale)
    np.testing.assert_allclose(res["se"], ref["condvar_sd"], rtol=0, atol=1e-6 * scale)
    np.testing.assert_allclose(res["n"], case["n"])
    np.testing.assert_allclose(res["mean"], case["mean"])


@pytest.mark.parametrize("name", CASES)
def test_it_reaches_lme4s_reml_criterion(name: str) -> None:
    # The profiled criterion is lme4's REMLcrit (same constants) and ours is no higher.
    case = _golden()[name]
    n, mean, ss = _summaries(case)
    reml = _Reml(n, mean, float(ss.sum()))

    def crit(theta: float) -> float:
        n_obs = n.sum()
        dev = reml.deviance(np.array([theta]))[0] - (n_obs - 1.0) * np.log(n_obs - 1.0)
        return float(dev + (n_obs - 1.0) * (1.0 + np.log(2.0 * np.pi)))

    lme4_theta = case["default"]["theta"] ** 2
    assert crit(lme4_theta) == pytest.approx(case["default"]["reml_criterion"], abs=1e-9)
    fit = random_intercept_reml(n, mean, ss)
    assert crit(fit.tau2 / fit.sigma2) <= case["default"]["reml_criterion"] + 1e-9


@pytest.mark.parametrize("name", CASES)
def test_it_matches_the_anova_icc(name: str) -> None:
    case = _golden()[name]
    assert icc1_anova(*_summaries(case)) == pytest.approx(case["anova"]["icc1_n0"], abs=1e-12)
    assert icc1_anova(*_summaries(case), group_size="mean") == pytest.approx(
        case["anova"]["icc1_mean"], abs=1e-12
    )


def test_it_reports_a_singular_fit_at_zero() -> None:
    case = _golden()["simulated_singular"]
    fit = random_intercept_reml(*_summaries(case))
    assert fit.tau2 == 0.0
    assert fit.icc == 0.0
    res = shrunken_means(*_summaries(case))
    np.testing.assert_allclose(res["shrunken_mean"], fit.grand_mean)
    np.testing.assert_array_equal(res["se"], 0.0)


def test_it_equals_the_anova_estimator_for_balanced_groups() -> None:
    rng = np.random.default_rng(11)
    for _ in range(5):
        g = np.repeat(np.arange(12), 8)
        y = rng.normal(size=12)[g] * 0.6 + rng.normal(size=g.size)
        n, mean, ss = _from_raw(y, g)
        msw = ss.sum() / (n.sum() - n.size)
        msb = 8 * np.sum((mean - mean.mean()) ** 2) / (n.size - 1)
        fit = random_intercept_reml(n, mean, ss)
        if msb > msw:
            assert fit.sigma2 == pytest.approx(msw, rel=1e-10)
            assert fit.tau2 == pytest.approx((msb - msw) / 8, rel=1e-8)
            assert fit.icc == pytest.approx(icc1_anova(n, mean, ss), rel=1e-8)
        else:
            assert fit.tau2 == 0.0


def test_it_truncates_a_negative_anova_estimate_at_zero() -> None:
    # Group means closer together than within-group noise allows: ANOVA ICC < 0.
    n = np.full(6, 5.0)
    mean = np.array([3.0, 3.01, 2.99, 3.0, 3.02, 2.98])
    ss = np.full(6, 4.0)
    assert icc1_anova(n, mean, ss) < 0
    fit = random_intercept_reml(n, mean, ss)
    assert fit.tau2 == 0.0
    assert fit.sigma2 == pytest.approx((ss.sum() + 5 * np.sum((mean - 3.0) ** 2)) / 29)


def test_it_shrinks_small_groups_more() -> None:
    n = np.array([2.0, 5.0, 10.0, 40.0, 200.0, 30.0, 30.0, 30.0])
    mean = np.array([4.0, 4.0, 4.0, 4.0, 4.0, 2.0, 3.0, 2.5])
    ss = 0.8 * (n - 1)
    res = shrunken_means(n, mean, ss)
    fit = random_intercept_reml(n, mean, ss)
    kept = (res["shrunken_mean"] - fit.grand_mean) / (res["mean"] - fit.grand_mean)
    assert np.all(np.diff(kept.to_numpy()[:5]) > 0)
    assert np.all(np.diff(res["se"].to_numpy()[:5]) < 0)
    assert np.all((kept > 0) & (kept < 1))
    ci = res["ci_high"] - res["ci_low"]
    np.testing.assert_allclose(ci, 2 * 1.959963984540054 * res["se"], rtol=1e-12)


def test_it_ignores_empty_groups_and_keeps_the_index() -> None:
    case = _golden()["sat_act"]
    n, mean, ss = _summaries(case)
    idx = pd.Index(["g0", "g1", "g2", "g3", "g4", "g5", "empty"], name="school")
    n2 = pd.Series(np.append(n, 0.0), index=idx)
    mean2 = pd.Series(np.append(mean, np.nan), index=idx)
    ss2 = pd.Series(np.append(ss, 0.0), index=idx)
    res = shrunken_means(n2, mean2, ss2)
    assert res.index.equals(idx)
    assert res.loc["empty", ["mean", "shrunken_mean", "se", "ci_low", "ci_high"]].isna().all()
    base = shrunken_means(n, mean, ss)
    np.testing.assert_allclose(res.iloc[:6].to_numpy(), base.to_numpy(), rtol=1e-14)
    assert random_intercept_reml(n2, mean2, ss2).n_groups == 6


def test_it_is_equivariant_under_shift_and_scale() -> None:
    case = _golden()["math_achieve"]
    n, mean, ss = _summaries(case)
    fit = random_intercept_reml(n, mean, ss)
    moved = random_intercept_reml(n, 3.0 * mean - 7.0, 9.0 * ss)
    assert moved.grand_mean == pytest.approx(3.0 * fit.grand_mean - 7.0, rel=1e-12)
    assert moved.tau2 == pytest.approx(9.0 * fit.tau2, rel=1e-10)
    assert moved.sigma2 == pytest.approx(9.0 * fit.sigma2, rel=1e-12)


def test_it_rejects_bad_input() -> None:
    n, mean, ss = np.array([3.0, 4.0]), np.array([1.0, 2.0]), np.array([1.0, 1.0])
    with pytest.raises(ValueError, match="same length"):
        random_intercept_reml(n, mean[:1], ss)
    with pytest.raises(ValueError, match="non-negative"):
        random_intercept_reml([-1.0, 4.0], mean, ss)
    with pytest.raises(ValueError, match="ss_within must be non-negative"):
        random_intercept_reml(n, mean, [-1.0, 1.0])
    with pytest.raises(ValueError, match="finite"):
        random_intercept_reml(n, [np.nan, 2.0], ss)
    with pytest.raises(ValueError, match="two groups"):
        random_intercept_reml([3.0, 0.0], mean, ss)
    with pytest.raises(ValueError, match="more observations than groups"):
        random_intercept_reml([1.0, 1.0], mean, [0.0, 0.0])
    with pytest.raises(ValueError, match="no variance"):
        random_intercept_reml(n, [1.0, 1.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="numeric"):
        random_intercept_reml(["a", "b"], mean, ss)
    with pytest.raises(ValueError, match="confidence"):
        shrunken_means(n, mean, ss, confidence=0.0)
    with pytest.raises(ValueError, match="group_size"):
        icc1_anova(n, mean, ss, group_size="median")  # type: ignore[arg-type]
