"""Tests for learnsurvey.stats.factor against R psych (golden values) and known structure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from learnsurvey.stats.factor import (
    FactorSolution,
    factor_analysis,
    squared_multiple_correlations,
)

GOLDEN_PATH = Path(__file__).resolve().parents[1] / "golden" / "psych_factor_reliability.json"

# The fitting and rotation algorithms reproduce psych's (same optimiser settings, same
# stopping rules), so agreement is ~1e-12; the tolerance leaves room for BLAS differences.
# A mismatch near 1e-5 would mean the L-BFGS-B path changed (e.g. a new SciPy), not a bug.
TOL = 1e-8

FA_CASES = [
    (dataset, config)
    for dataset in ("bfi", "hs")
    for config in ("minres_oblimin", "minres_promax", "ml_oblimin", "minres_varimax", "minres_none")
]


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    with GOLDEN_PATH.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _population(loadings: NDArray[np.float64], phi: NDArray[np.float64]) -> NDArray[np.float64]:
    r = loadings @ phi @ loadings.T
    np.fill_diagonal(r, 1.0)
    return r


def _assert_matches_psych(fit: FactorSolution, expected: dict[str, Any]) -> None:
    np.testing.assert_allclose(fit.loadings, np.array(expected["loadings"]), rtol=0, atol=TOL)
    np.testing.assert_allclose(fit.phi, np.array(expected["phi"]), rtol=0, atol=TOL)
    np.testing.assert_allclose(
        fit.communalities, np.array(expected["communality"]), rtol=0, atol=TOL
    )
    np.testing.assert_allclose(
        fit.uniquenesses, np.array(expected["uniquenesses"]), rtol=0, atol=TOL
    )
    assert fit.objective == pytest.approx(expected["objective"], abs=TOL)
    assert fit.converged


@pytest.mark.parametrize(("dataset", "config"), FA_CASES)
def test_it_matches_psych_fa(golden: dict[str, Any], dataset: str, config: str) -> None:
    expected = golden[dataset]["fa"][config]
    fit = factor_analysis(
        golden[dataset]["cor"],
        expected["nfactors"],
        method=expected["fm"],
        rotation=expected["rotate"],
    )
    _assert_matches_psych(fit, expected)
    assert fit.method == expected["fm"]
    assert fit.rotation == expected["rotate"]


@pytest.mark.parametrize("config", ["fa1", "fa1_ml"])
def test_it_matches_psych_fa_with_one_factor(golden: dict[str, Any], config: str) -> None:
    expected = golden["hs"][config]
    fit = factor_analysis(golden["hs"]["cor"], 1, method=expected["fm"], rotation="oblimin")
    _assert_matches_psych(fit, expected)
    assert fit.rotation == "none"
    np.testing.assert_array_equal(fit.phi, np.eye(1))


def test_it_gives_the_same_solution_for_a_covariance_matrix(golden: dict[str, Any]) -> None:
    cov = np.array(golden["hs"]["cov"])
    from_cov = factor_analysis(cov, 3)
    from_cor = factor_analysis(golden["hs"]["cor"], 3)
    np.testing.assert_allclose(from_cov.loadings, from_cor.loadings, atol=1e-10)
    np.testing.assert_allclose(from_cov.phi, from_cor.phi, atol=1e-10)


@pytest.mark.parametrize("dataset", ["bfi", "hs"])
def test_it_matches_psych_smc(golden: dict[str, Any], dataset: str) -> None:
    r = np.array(golden[dataset]["cor"])
    smc = squared_multiple_correlations(r)
    np.testing.assert_allclose(smc, golden[dataset]["smc"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(smc, 1.0 - 1.0 / np.diag(np.linalg.inv(r)), atol=1e-12)


def test_it_computes_smc_from_a_covariance_matrix(golden: dict[str, Any]) -> None:
    np.testing.assert_allclose(
        squared_multiple_correlations(golden["hs"]["cov"]), golden["hs"]["smc"], atol=1e-12
    )


# --- conventions ------------------------------------------------------------------------------


@pytest.mark.parametrize("rotation", ["oblimin", "promax", "varimax", "none"])
def test_it_reflects_every_factor_to_a_positive_column_sum(
    golden: dict[str, Any], rotation: str
) -> None:
    fit = factor_analysis(golden["bfi"]["cor"], 5, rotation=rotation)  # type: ignore[arg-type]
    assert np.all(fit.loadings.sum(axis=0) > 0)
    np.testing.assert_allclose(fit.phi, fit.phi.T, atol=1e-12)
    np.testing.assert_allclose(np.diag(fit.phi), 1.0, atol=1e-12)
    model = fit.loadings @ fit.phi @ fit.loadings.T
    np.testing.assert_allclose(fit.communalities, np.diag(model), atol=1e-12)
    np.testing.assert_allclose(fit.uniquenesses, 1.0 - fit.communalities, atol=1e-12)


@pytest.mark.parametrize("rotation", ["oblimin", "promax", "varimax", "none"])
def test_it_orders_factors_by_variance_accounted_for(golden: dict[str, Any], rotation: str) -> None:
    fit = factor_analysis(golden["bfi"]["cor"], 5, rotation=rotation)  # type: ignore[arg-type]
    explained = np.diag(fit.phi @ fit.loadings.T @ fit.loadings)
    assert np.all(np.diff(explained) <= 1e-12)


def test_it_puts_the_stronger_factor_first_whatever_the_item_order() -> None:
    # Items 0-3 load 0.5 on a weak factor, items 4-7 load 0.8 on a strong one; the weak
    # factor's items are also reverse-keyed. psych's conventions: strong factor first and
    # every column summing positive.
    pattern = np.zeros((8, 2))
    pattern[:4, 0] = -0.5
    pattern[4:, 1] = 0.8
    phi = np.array([[1.0, -0.3], [-0.3, 1.0]])
    fit = factor_analysis(_population(pattern, phi), 2, rotation="oblimin")
    np.testing.assert_allclose(fit.loadings[4:, 0], 0.8, atol=1e-4)
    np.testing.assert_allclose(fit.loadings[:4, 1], 0.5, atol=1e-4)
    np.testing.assert_allclose(fit.loadings[:4, 0], 0.0, atol=1e-4)
    np.testing.assert_allclose(fit.loadings[4:, 1], 0.0, atol=1e-4)
    assert fit.phi[0, 1] == pytest.approx(0.3, abs=1e-4)


def test_it_recovers_a_correlated_three_factor_structure() -> None:
    pattern = np.zeros((12, 3))
    pattern[0:4, 0] = [0.8, 0.7, 0.7, 0.6]
    pattern[4:8, 1] = [0.75, 0.7, 0.65, 0.6]
    pattern[8:12, 2] = [0.6, 0.55, 0.5, 0.5]
    phi = np.array([[1.0, 0.4, 0.3], [0.4, 1.0, 0.2], [0.3, 0.2, 1.0]])
    r = _population(pattern, phi)
    for method in ("minres", "ml"):
        fit = factor_analysis(r, 3, method=method)
        np.testing.assert_allclose(fit.loadings, pattern, atol=1e-4)
        np.testing.assert_allclose(fit.phi, phi, atol=1e-4)
        assert fit.objective == pytest.approx(0.0, abs=1e-8)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(min_value=0.3, max_value=0.9), min_size=4, max_size=10),
    st.sampled_from(["minres", "ml"]),
)
def test_it_recovers_an_exact_one_factor_population(lam: list[float], method: str) -> None:
    loadings = np.array(lam)
    r = _population(loadings[:, None], np.eye(1))
    fit = factor_analysis(r, 1, method=method)  # type: ignore[arg-type]
    # psych's stopping rule (relative change 2e-9 in the criterion) leaves ~1e-5 of error.
    np.testing.assert_allclose(fit.loadings[:, 0], loadings, atol=1e-4)
    np.testing.assert_allclose(fit.uniquenesses, 1.0 - loadings**2, atol=2e-4)


# --- input validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        (np.eye(4)[:3], "square"),
        (np.ones(4), "square"),
        (np.eye(2), "at least 3"),
        (np.array([[1.0, 0.5, 0.2], [0.4, 1.0, 0.1], [0.2, 0.1, 1.0]]), "symmetric"),
        (np.array([[1.0, 0.5, np.nan], [0.5, 1.0, 0.1], [np.nan, 0.1, 1.0]]), "finite"),
        (np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 1.0]]), "positive diagonal"),
        ([["a", "b"], ["c", "d"]], "numeric"),
    ],
)
def test_it_rejects_an_invalid_matrix(matrix: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        factor_analysis(matrix, 1)


@pytest.mark.parametrize("n_factors", [0, -1, 6, 9])
def test_it_rejects_too_many_or_too_few_factors(golden: dict[str, Any], n_factors: int) -> None:
    # Nine variables support at most five factors: (9 - 5)^2 >= 14 but (9 - 6)^2 < 15.
    with pytest.raises(ValueError, match=r"n_factors|too many"):
        factor_analysis(golden["hs"]["cor"], n_factors)


def test_it_accepts_the_largest_identified_number_of_factors(golden: dict[str, Any]) -> None:
    fit = factor_analysis(golden["hs"]["cor"], 5, rotation="varimax")
    assert fit.loadings.shape == (9, 5)


@pytest.mark.parametrize("n_factors", [2.0, True, "2"])
def test_it_rejects_a_non_integer_number_of_factors(golden: dict[str, Any], n_factors: Any) -> None:
    with pytest.raises(ValueError, match="integer"):
        factor_analysis(golden["hs"]["cor"], n_factors)


def test_it_rejects_an_unknown_method_or_rotation(golden: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="method"):
        factor_analysis(golden["hs"]["cor"], 2, method="pa")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rotation"):
        factor_analysis(golden["hs"]["cor"], 2, rotation="quartimax")  # type: ignore[arg-type]


def test_it_rejects_maximum_likelihood_on_an_indefinite_matrix() -> None:
    r = np.array(
        [
            [1.0, 0.9, 0.9, -0.9],
            [0.9, 1.0, 0.9, 0.9],
            [0.9, 0.9, 1.0, 0.9],
            [-0.9, 0.9, 0.9, 1.0],
        ]
    )
    with pytest.raises(ValueError, match="positive definite"):
        factor_analysis(r, 1, method="ml")
    fit = factor_analysis(r, 1, method="minres")
    assert np.isnan(fit.objective)
