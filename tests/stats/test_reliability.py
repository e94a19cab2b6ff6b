"""Tests for learnsurvey.stats.reliability against R psych (golden values) and closed forms."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from learnsurvey.stats.reliability import (
    cronbach_alpha,
    feldt_ci,
    item_rest_statistics,
    mcdonald_omega,
)

GOLDEN_PATH = Path(__file__).resolve().parents[1] / "golden" / "psych_factor_reliability.json"

# Alpha and its relatives are closed forms of the same matrix psych used.
ALPHA_TOL = 1e-10
# Omega runs the factor fits, which reproduce psych's optimiser path (agreement ~1e-12).
OMEGA_TOL = 1e-8

ALPHA_CASES = [("hs", "alpha"), ("agreeableness", "alpha")]
OMEGA_CASES = [("hs", "omega3"), ("hs", "omega2"), ("bfi", "omega5"), ("neuroticism", "omega1")]


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    with GOLDEN_PATH.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _compound_symmetry(p: int, rho: float, variance: float = 1.0) -> NDArray[np.float64]:
    return variance * (rho * np.ones((p, p)) + (1.0 - rho) * np.eye(p))


# --- alpha ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("dataset", "key"), ALPHA_CASES)
def test_it_matches_psych_alpha(golden: dict[str, Any], dataset: str, key: str) -> None:
    expected = golden[dataset][key]
    result = cronbach_alpha(expected["cov"], expected["n_obs"])
    assert result.alpha == pytest.approx(expected["raw_alpha"], abs=ALPHA_TOL)
    assert result.standardized == pytest.approx(expected["std_alpha"], abs=ALPHA_TOL)
    assert result.average_r == pytest.approx(expected["average_r"], abs=ALPHA_TOL)
    assert result.ci_low == pytest.approx(expected["feldt_lower"], abs=ALPHA_TOL)
    assert result.ci_high == pytest.approx(expected["feldt_upper"], abs=ALPHA_TOL)
    assert result.n_obs == expected["n_obs"]
    assert result.n_items == expected["n_items"]


@pytest.mark.parametrize(("dataset", "key"), ALPHA_CASES)
def test_it_matches_psych_alpha_ci_at_other_levels(
    golden: dict[str, Any], dataset: str, key: str
) -> None:
    expected = golden[dataset][key]
    low, high = feldt_ci(
        expected["raw_alpha"], expected["n_obs"], expected["n_items"], confidence=0.90
    )
    assert low == pytest.approx(expected["feldt90_lower"], abs=ALPHA_TOL)
    assert high == pytest.approx(expected["feldt90_upper"], abs=ALPHA_TOL)
    result = cronbach_alpha(expected["cov"], expected["n_obs"], confidence=0.90)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), abs=1e-14)


@pytest.mark.parametrize(("dataset", "key"), ALPHA_CASES)
def test_it_matches_psych_item_statistics(golden: dict[str, Any], dataset: str, key: str) -> None:
    expected = golden[dataset][key]
    table = item_rest_statistics(expected["cov"])
    assert list(table.columns) == ["item_rest_r", "alpha_if_deleted", "std_alpha_if_deleted"]
    pd.testing.assert_index_equal(table.index, pd.RangeIndex(expected["n_items"]))
    np.testing.assert_allclose(table["item_rest_r"], expected["r_drop"], atol=ALPHA_TOL)
    np.testing.assert_allclose(
        table["alpha_if_deleted"], expected["alpha_if_deleted"], atol=ALPHA_TOL
    )
    np.testing.assert_allclose(
        table["std_alpha_if_deleted"], expected["std_alpha_if_deleted"], atol=ALPHA_TOL
    )


@settings(max_examples=50, deadline=None)
@given(
    st.integers(min_value=2, max_value=12),
    st.floats(min_value=0.05, max_value=0.95),
    st.floats(min_value=0.1, max_value=10.0),
)
def test_it_gives_spearman_brown_for_parallel_items(p: int, rho: float, variance: float) -> None:
    result = cronbach_alpha(_compound_symmetry(p, rho, variance), 100)
    spearman_brown = p * rho / (1.0 + (p - 1) * rho)
    assert result.alpha == pytest.approx(spearman_brown, abs=1e-12)
    assert result.standardized == pytest.approx(spearman_brown, abs=1e-12)
    assert result.average_r == pytest.approx(rho, abs=1e-12)
    assert result.ci_low < result.alpha < result.ci_high


def test_it_makes_standardized_alpha_scale_free(golden: dict[str, Any]) -> None:
    cov = np.array(golden["hs"]["alpha"]["cov"])
    scale = np.diag([1.0, 2.0, 0.5, 3.0, 1.0, 1.0, 10.0, 0.1, 1.0])
    rescaled = cronbach_alpha(scale @ cov @ scale, 301)
    original = cronbach_alpha(cov, 301)
    assert rescaled.standardized == pytest.approx(original.standardized, abs=1e-12)
    assert rescaled.alpha != pytest.approx(original.alpha, abs=1e-3)


def test_it_narrows_the_feldt_interval_as_the_sample_grows() -> None:
    small = feldt_ci(0.8, 50, 6)
    large = feldt_ci(0.8, 5000, 6)
    assert small[0] < large[0] < 0.8 < large[1] < small[1]


# --- omega ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("dataset", "key"), OMEGA_CASES)
def test_it_matches_psych_omega(golden: dict[str, Any], dataset: str, key: str) -> None:
    expected = golden[dataset][key]
    result = mcdonald_omega(golden[dataset]["cor"], n_group_factors=expected["nfactors"])
    assert result.omega_hierarchical == pytest.approx(expected["omega_h"], abs=OMEGA_TOL)
    assert result.omega_total == pytest.approx(expected["omega_tot"], abs=OMEGA_TOL)
    assert result.n_group_factors == expected["nfactors"]
    np.testing.assert_allclose(result.g_loadings, expected["g_loadings"], atol=OMEGA_TOL)
    np.testing.assert_array_equal(result.keys, expected["key"])
    assert result.group_loadings.shape == (len(expected["key"]), expected["nfactors"])


def test_it_reverses_items_that_load_negatively_on_g(golden: dict[str, Any]) -> None:
    r = np.array(golden["hs"]["cor"])
    flip = np.ones(9)
    flip[[1, 5]] = -1.0
    flipped = mcdonald_omega(r * np.outer(flip, flip), n_group_factors=3)
    original = mcdonald_omega(r, n_group_factors=3)
    np.testing.assert_array_equal(flipped.keys, flip)
    assert flipped.omega_hierarchical == pytest.approx(original.omega_hierarchical, abs=1e-6)
    assert flipped.omega_total == pytest.approx(original.omega_total, abs=1e-6)
    np.testing.assert_allclose(flipped.g_loadings, original.g_loadings, atol=1e-6)
    assert np.all(flipped.g_loadings > 0)


def test_it_recovers_omega_of_a_hierarchical_population() -> None:
    # Three group factors of four items, each group loading on g with 0.8, 0.7, 0.6.
    pattern = np.zeros((12, 3))
    pattern[0:4, 0] = [0.7, 0.7, 0.6, 0.6]
    pattern[4:8, 1] = [0.7, 0.6, 0.6, 0.5]
    pattern[8:12, 2] = [0.6, 0.6, 0.5, 0.5]
    gamma = np.array([0.8, 0.7, 0.6])
    phi = np.outer(gamma, gamma)
    np.fill_diagonal(phi, 1.0)
    r = pattern @ phi @ pattern.T
    np.fill_diagonal(r, 1.0)
    g = pattern @ gamma
    h2 = np.sum((pattern @ phi) * pattern, axis=1)
    result = mcdonald_omega(r, n_group_factors=3)
    np.testing.assert_allclose(result.g_loadings, g, atol=1e-4)
    group = pattern * np.sqrt(1.0 - gamma**2)
    np.testing.assert_allclose(
        np.abs(result.group_loadings).max(axis=1), group.max(axis=1), atol=1e-4
    )
    assert result.omega_hierarchical == pytest.approx(g.sum() ** 2 / r.sum(), abs=1e-4)
    assert result.omega_total == pytest.approx(1.0 - np.sum(1.0 - h2) / r.sum(), abs=1e-4)


def test_it_equates_omega_hierarchical_and_total_for_an_exact_single_factor() -> None:
    lam = np.array([0.8, 0.7, 0.6, 0.5, 0.4])
    r = np.outer(lam, lam)
    np.fill_diagonal(r, 1.0)
    result = mcdonald_omega(r, n_group_factors=1)
    expected = lam.sum() ** 2 / (lam.sum() ** 2 + np.sum(1.0 - lam**2))
    assert result.omega_hierarchical == pytest.approx(expected, abs=1e-4)
    assert result.omega_total == pytest.approx(expected, abs=1e-4)
    np.testing.assert_array_equal(result.group_loadings, np.zeros((5, 1)))


# --- input validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        (np.eye(3)[:2], "square"),
        (np.eye(1), "at least 2"),
        (np.array([[1.0, 0.5], [0.4, 1.0]]), "symmetric"),
        (np.array([[1.0, np.inf], [np.inf, 1.0]]), "finite"),
        (np.array([[1.0, 0.0], [0.0, -1.0]]), "positive diagonal"),
        (np.array([[1.0, -1.0], [-1.0, 1.0]]), "total score"),
    ],
)
def test_it_rejects_an_invalid_covariance_matrix(matrix: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cronbach_alpha(matrix, 100)


@pytest.mark.parametrize("n_obs", [1, 0, 10.5, True])
def test_it_rejects_a_bad_number_of_observations(n_obs: Any) -> None:
    with pytest.raises(ValueError, match="n_obs"):
        cronbach_alpha(_compound_symmetry(4, 0.3), n_obs)


@pytest.mark.parametrize("confidence", [0.0, 1.0, 1.5, -0.1])
def test_it_rejects_a_bad_confidence_level(confidence: float) -> None:
    with pytest.raises(ValueError, match="confidence"):
        cronbach_alpha(_compound_symmetry(4, 0.3), 100, confidence=confidence)


@pytest.mark.parametrize(
    ("alpha", "n_obs", "n_items", "message"),
    [
        (1.0, 100, 4, "alpha"),
        (float("nan"), 100, 4, "alpha"),
        (0.8, 1, 4, "n_obs"),
        (0.8, 100, 1, "n_items"),
    ],
)
def test_it_rejects_bad_feldt_arguments(
    alpha: float, n_obs: int, n_items: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        feldt_ci(alpha, n_obs, n_items)


def test_it_needs_three_items_for_item_rest_statistics() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        item_rest_statistics(_compound_symmetry(2, 0.3))


@pytest.mark.parametrize(("p", "n_group_factors"), [(2, 1), (5, 3), (9, 6), (9, 0)])
def test_it_rejects_an_unidentified_omega(p: int, n_group_factors: int) -> None:
    with pytest.raises(ValueError, match=r"at least 3|too many|at least 1"):
        mcdonald_omega(_compound_symmetry(p, 0.3), n_group_factors=n_group_factors)
