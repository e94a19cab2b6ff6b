"""Tests for learnsurvey.stats.correlation (golden: tests/golden/polychoric_effects_multilevel,
and tests/golden/outcomes_cor for Pearson's r)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from learnsurvey.stats._bvn import bvn_cdf
from learnsurvey.stats.correlation import Polychoric, cov_to_corr, pearson, polychoric

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "polychoric_effects_multilevel.json"
CASES = ["bfi_ac", "bfi_ac_pairwise", "bfi_a_top_merged", "bfi_c_middle_empty"]


@cache
def _golden() -> dict[str, Any]:
    with GOLDEN.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    section: dict[str, Any] = data["polychoric"]
    return section


def _matrix(rows: list[list[Any]]) -> NDArray[np.float64]:
    # jsonlite writes infinities as the strings "Inf" / "-Inf".
    return np.array([[float(v) for v in row] for row in rows])


def _case(name: str) -> tuple[dict[str, Any], Polychoric]:
    case = _golden()[name]
    tables = np.array(case["tables"]["data"]).reshape(case["tables"]["dim"])
    res = polychoric(tables, global_thresholds=None if case["global"] else False)
    return case, res


def _tables_from_probs(probs: NDArray[np.float64], n: float) -> NDArray[np.float64]:
    """Two-item tables (2, 2, K, K) from a K x K cell-probability matrix."""
    k = probs.shape[0]
    t = np.zeros((2, 2, k, k))
    t[0, 1] = n * probs
    t[1, 0] = t[0, 1].T
    t[0, 0] = np.diag(t[0, 1].sum(axis=1))
    t[1, 1] = np.diag(t[0, 1].sum(axis=0))
    return t


def _bvn_cell_probs(rho: float, tau_x: list[float], tau_y: list[float]) -> NDArray[np.float64]:
    cx = np.concatenate([[-np.inf], tau_x, [np.inf]])
    cy = np.concatenate([[-np.inf], tau_y, [np.inf]])
    cdf = bvn_cdf(cx[:, None], cy[None, :], rho)
    probs: NDArray[np.float64] = cdf[1:, 1:] - cdf[:-1, 1:] - cdf[1:, :-1] + cdf[:-1, :-1]
    return probs


@pytest.mark.parametrize("name", CASES)
def test_it_matches_psych_polychoric_optimised_tightly(name: str) -> None:
    case, res = _case(name)
    np.testing.assert_allclose(res.rho, np.array(case["rho_tight"]), rtol=0, atol=1e-6)


@pytest.mark.parametrize("name", CASES)
def test_it_matches_psych_polychoric_defaults(name: str) -> None:
    # psych uses optimize()'s default tolerance (about 1e-4); observed differences ~2e-5.
    case, res = _case(name)
    np.testing.assert_allclose(res.rho, np.array(case["rho_psych"]), rtol=0, atol=1e-4)
    assert np.all(np.diag(res.rho) == 1.0)


@pytest.mark.parametrize("name", CASES)
def test_it_matches_psych_thresholds(name: str) -> None:
    case, res = _case(name)
    np.testing.assert_allclose(res.thresholds, _matrix(case["tau"]), rtol=0, atol=1e-12)


def test_it_switches_to_pairwise_thresholds_as_psych_does() -> None:
    # A1's top category is unused: psych sets global = FALSE itself.
    case = _golden()["bfi_a_top_merged"]
    tables = np.array(case["tables"]["data"]).reshape(case["tables"]["dim"])
    auto = polychoric(tables).rho
    np.testing.assert_array_equal(auto, polychoric(tables, global_thresholds=False).rho)
    assert not np.allclose(auto, polychoric(tables, global_thresholds=True).rho, atol=1e-4)


def test_it_ignores_the_correction_with_global_thresholds() -> None:
    case = _golden()["bfi_ac"]
    tables = np.array(case["tables"]["data"]).reshape(case["tables"]["dim"])
    np.testing.assert_array_equal(polychoric(tables).rho, polychoric(tables, correct=0).rho)


def test_it_matches_psych_cor_smooth() -> None:
    case = _golden()["cor_smooth"]
    # Two items answered by the same people cannot give a non-positive-definite matrix, so
    # the smoothing step is checked directly.
    from learnsurvey.stats.correlation import _cor_smooth

    np.testing.assert_allclose(
        _cor_smooth(np.array(case["input"])), np.array(case["smoothed"]), atol=1e-12
    )


def test_it_gives_the_closed_form_tetrachoric_for_median_splits() -> None:
    # With both thresholds at 0, Phi2(0, 0; rho) = 1/4 + asin(rho) / (2 pi).
    for p11 in (0.05, 0.2, 0.3, 0.4, 0.45):
        probs = np.array([[p11, 0.5 - p11], [0.5 - p11, p11]])
        res = polychoric(_tables_from_probs(probs, 1000.0))
        assert res.rho[0, 1] == pytest.approx(np.sin(2 * np.pi * (p11 - 0.25)), abs=1e-10)
        np.testing.assert_allclose(res.thresholds, 0.0, atol=1e-15)


@pytest.mark.parametrize("rho", [-0.85, -0.3, 0.0, 0.45, 0.93])
def test_it_recovers_rho_from_an_exact_bivariate_normal_table(rho: float) -> None:
    probs = _bvn_cell_probs(rho, [-1.3, -0.4, 0.5, 1.2], [-0.9, 0.1, 0.8, 1.7])
    res = polychoric(_tables_from_probs(probs, 5000.0))
    assert res.rho[0, 1] == pytest.approx(rho, abs=1e-9)
    np.testing.assert_allclose(res.thresholds[0], [-1.3, -0.4, 0.5, 1.2], atol=1e-9)


def test_it_recovers_rho_from_a_sampled_table() -> None:
    rng = np.random.default_rng(7)
    rho, n = 0.55, 20000
    probs = _bvn_cell_probs(rho, [-1.0, -0.2, 0.6, 1.4], [-1.5, -0.5, 0.3, 1.1])
    counts = rng.multinomial(n, probs.ravel()).reshape(probs.shape).astype(float)
    res = polychoric(_tables_from_probs(counts / n, n))
    assert res.rho[0, 1] == pytest.approx(rho, abs=0.03)


def test_it_recovers_a_one_factor_structure_over_36_items() -> None:
    # How long this takes is measured by `make bench-core` (benchmarks/lsbench/polychoric.py),
    # not here: a unit test times nothing.
    rng = np.random.default_rng(3)
    p, k, n = 36, 5, 3000
    loadings = rng.uniform(0.3, 0.8, size=p)
    z = np.outer(rng.normal(size=n), loadings) + rng.normal(size=(n, p)) * np.sqrt(1 - loadings**2)
    codes = np.digitize(z, [-1.3, -0.4, 0.4, 1.2])
    onehot = np.zeros((n, p, k))
    onehot[np.arange(n)[:, None], np.arange(p)[None, :], codes] = 1.0
    tables = np.einsum("nia,njb->ijab", onehot, onehot)
    res = polychoric(tables)
    expected = np.outer(loadings, loadings)
    off = ~np.eye(p, dtype=bool)
    assert np.max(np.abs(res.rho[off] - expected[off])) < 0.1


def test_it_permutes_with_the_items() -> None:
    case = _golden()["bfi_ac"]
    tables = np.array(case["tables"]["data"]).reshape(case["tables"]["dim"])
    perm = np.array([3, 0, 9, 5, 1, 8, 2, 7, 4, 6])
    res = polychoric(tables)
    res_perm = polychoric(tables[np.ix_(perm, perm)])
    np.testing.assert_allclose(res_perm.rho, res.rho[np.ix_(perm, perm)], atol=1e-10)
    np.testing.assert_array_equal(res_perm.thresholds, res.thresholds[perm])


def test_it_gives_nan_for_items_without_variance_or_common_respondents() -> None:
    probs = _bvn_cell_probs(0.4, [-0.5, 0.5], [-0.5, 0.5])
    t = np.zeros((4, 4, 3, 3))
    t[:2, :2] = _tables_from_probs(probs, 300.0)
    t[2, 2] = np.diag([0.0, 40.0, 0.0])  # item 2: one category only
    t[0, 2] = np.outer(t[0, 0].sum(axis=1) * 40 / 300, [0.0, 1.0, 0.0])
    t[2, 0] = t[0, 2].T
    t[3, 3] = np.diag([5.0, 5.0, 5.0])  # item 3: no respondent in common with the others
    res = polychoric(t)
    assert res.rho[0, 1] == pytest.approx(0.4, abs=1e-9)
    assert np.all(np.isnan(res.rho[2, [0, 1, 3]]))
    assert np.all(np.isnan(res.rho[3, :3]))
    assert np.all(np.diag(res.rho) == 1.0)
    assert res.thresholds[2, 0] == -np.inf
    assert res.thresholds[2, 1] == np.inf


def test_it_treats_an_empty_category_as_zero_width() -> None:
    probs = _bvn_cell_probs(0.6, [-0.5, 0.5], [-0.8, 0.3])
    three = _tables_from_probs(probs, 1000.0)
    four = np.zeros((2, 2, 4, 4))
    keep = np.array([0, 2, 3])  # category 1 nobody chose
    four[np.ix_(np.arange(2), np.arange(2), keep, keep)] = three
    res3, res4 = polychoric(three), polychoric(four)
    assert res4.rho[0, 1] == pytest.approx(res3.rho[0, 1], abs=1e-12)
    assert res4.thresholds[0, 0] == res4.thresholds[0, 1]


def test_it_stops_at_the_boundary_for_an_empty_cell_in_a_2x2_table() -> None:
    t = _tables_from_probs(np.array([[0.5, 0.2], [0.0, 0.3]]), 100.0)
    # The likelihood is flat to machine precision well before 1 (psych gives 0.9978 here).
    rho = polychoric(t).rho[0, 1]
    assert 0.99 < rho <= 1.0 - 1e-6


def test_it_rejects_bad_tables() -> None:
    good = _tables_from_probs(np.full((3, 3), 1 / 9), 90.0)
    with pytest.raises(ValueError, match="shape"):
        polychoric(good[0])
    with pytest.raises(ValueError, match="non-negative"):
        polychoric(-good)
    asym = good.copy()
    asym[0, 1, 0, 1] += 1
    with pytest.raises(ValueError, match="symmetric"):
        polychoric(asym)
    nondiag = good.copy()
    nondiag[0, 0, 0, 1] = nondiag[0, 0, 1, 0] = 1
    with pytest.raises(ValueError, match="diagonal"):
        polychoric(nondiag)
    with pytest.raises(ValueError, match="numeric"):
        polychoric(np.full((1, 1, 2, 2), "a"))
    with pytest.raises(ValueError, match="correct"):
        polychoric(good, correct=-1)


def test_it_converts_covariance_to_correlation() -> None:
    cov = np.array([[4.0, 1.2, -0.6], [1.2, 9.0, 0.0], [-0.6, 0.0, 1.0]])
    corr = cov_to_corr(cov)
    expected = cov / np.sqrt(np.outer(np.diag(cov), np.diag(cov)))
    np.testing.assert_allclose(corr, expected, atol=1e-15)
    assert np.all(np.diag(corr) == 1.0)


def test_it_rejects_bad_covariance() -> None:
    with pytest.raises(ValueError, match="square"):
        cov_to_corr(np.ones((2, 3)))
    with pytest.raises(ValueError, match="diagonal"):
        cov_to_corr(np.array([[1.0, 0.0], [0.0, 0.0]]))
    with pytest.raises(ValueError, match="symmetric"):
        cov_to_corr(np.array([[1.0, 0.5], [0.2, 1.0]]))


# --- Pearson's r with its Fisher-z interval (golden: tests/golden/outcomes_cor.R) -----------

PEARSON_GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "outcomes_cor.json"
PEARSON_CASES = [
    "swiss_fertility_education",
    "swiss_agriculture_examination",
    "swiss_catholic_mortality",
    "swiss_fertility_education_90",
    "mtcars_mpg_wt",
    "mtcars_qsec_mpg",
    "mtcars_first_five",
    "gappy",
]


def _pearson_case(name: str) -> dict[str, Any]:
    cases: dict[str, Any] = json.loads(PEARSON_GOLDEN.read_text())["cases"]
    return dict(cases[name])


@pytest.mark.parametrize("name", PEARSON_CASES)
def test_it_matches_r_cor_test(name: str) -> None:
    g = _pearson_case(name)
    x = [np.nan if v is None else v for v in g["x"]]
    y = [np.nan if v is None else v for v in g["y"]]
    fit = pearson(x, y, confidence=g["confidence"])
    assert fit.n == g["n"]
    assert fit.df == g["df"]
    for field in ("r", "ci_low", "ci_high", "t", "p"):
        assert getattr(fit, field) == pytest.approx(g[field], rel=1e-9, abs=1e-12), field


def test_it_gives_no_interval_below_four_pairs_and_no_r_for_a_constant() -> None:
    three = pearson([1.0, 2.0, 4.0], [2.0, 1.0, 5.0])
    assert three.n == 3
    assert np.isfinite(three.r)
    assert np.isfinite(three.p)
    assert np.isnan(three.ci_low)
    assert np.isnan(three.ci_high)
    flat = pearson([1.0, 1.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0])
    assert np.isnan(flat.r)
    assert np.isnan(flat.p)
    assert np.isnan(flat.ci_low)


@pytest.mark.parametrize(
    ("x", "y", "kwargs"),
    [
        ([1.0, 2.0, 3.0], [1.0, 2.0], {}),
        ([[1.0, 2.0, 3.0]], [[1.0, 2.0, 3.0]], {}),
        ([1.0, 2.0, np.inf, 4.0], [1.0, 2.0, 3.0, 4.0], {}),
        ([1.0, 2.0, np.nan, 4.0], [1.0, np.nan, 3.0, 4.0], {}),
        ([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 5.0], {"confidence": 1.0}),
    ],
)
def test_it_refuses_bad_pairs(x: Any, y: Any, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"x and y|pairs|confidence"):
        pearson(x, y, **kwargs)
