"""Tests for the vectorised bivariate normal CDF (learnsurvey.stats._bvn)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import ndtr
from scipy.stats import multivariate_normal

from learnsurvey.stats._bvn import bvn_cdf, bvn_pdf, bvn_upper


def _scipy_cdf(x: float, y: float, r: float) -> float:
    dist = multivariate_normal(mean=[0.0, 0.0], cov=[[1.0, r], [r, 1.0]])
    return float(dist.cdf([x, y]))


def test_it_matches_scipy_at_random_points() -> None:
    rng = np.random.default_rng(20221122)
    n = 300
    x = rng.normal(scale=2.0, size=n)
    y = rng.normal(scale=2.0, size=n)
    r = rng.uniform(-0.999, 0.999, size=n)
    r[: n // 3] = rng.choice([-1.0, 1.0], size=n // 3) * rng.uniform(0.9, 0.99999, size=n // 3)
    ours = bvn_cdf(x, y, r)
    ref = np.array([_scipy_cdf(a, b, c) for a, b, c in zip(x, y, r, strict=True)])
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12)


@pytest.mark.parametrize("r", [0.3, 0.75, 0.925, -0.3, -0.75, -0.925, 0.0])
def test_it_is_accurate_at_branch_boundaries(r: float) -> None:
    x = np.array([-2.5, -0.7, 0.0, 0.4, 1.9])
    y = np.array([0.3, -1.1, 0.0, 2.2, -0.2])
    for rr in (np.nextafter(r, -1.0), r, np.nextafter(r, 1.0)):
        ref = np.array([_scipy_cdf(a, b, rr) for a, b in zip(x, y, strict=True)])
        np.testing.assert_allclose(bvn_cdf(x, y, rr), ref, rtol=0, atol=1e-12)


def test_it_handles_infinite_limits() -> None:
    inf = np.inf
    x = np.array([inf, inf, -inf, 0.5, -inf, inf, 1.2, -0.3])
    y = np.array([inf, 0.7, 0.7, -inf, -inf, -inf, inf, inf])
    r = np.array([0.5, -0.95, 0.2, 0.99, 0.0, 1.0, -1.0, 0.6])
    expected = np.array([1.0, ndtr(0.7), 0.0, 0.0, 0.0, 0.0, ndtr(1.2), ndtr(-0.3)])
    np.testing.assert_allclose(bvn_cdf(x, y, r), expected, rtol=0, atol=1e-15)
    # And against scipy where it accepts infinite limits.
    for a, b, c in [(inf, -0.4, 0.3), (-1.3, inf, -0.97), (inf, inf, 0.1)]:
        assert bvn_cdf(a, b, c) == pytest.approx(_scipy_cdf(a, b, c), abs=1e-12)


def test_it_is_exact_at_perfect_correlation() -> None:
    x = np.array([-1.0, 0.5, 2.0, -0.2])
    y = np.array([0.3, -0.4, 2.5, 0.1])
    np.testing.assert_allclose(bvn_cdf(x, y, 1.0), ndtr(np.minimum(x, y)), atol=1e-15)
    np.testing.assert_allclose(
        bvn_cdf(x, y, -1.0), np.maximum(0.0, ndtr(x) + ndtr(y) - 1.0), atol=1e-15
    )


def test_it_is_symmetric_and_consistent_with_upper() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=50), rng.normal(size=50)
    r = rng.uniform(-1, 1, size=50)
    np.testing.assert_allclose(bvn_cdf(x, y, r), bvn_cdf(y, x, r), atol=1e-15)
    # P(X > h, Y > k) = 1 - Phi(h) - Phi(k) + Phi2(h, k)
    upper = bvn_upper(x, y, r)
    np.testing.assert_allclose(upper, 1 - ndtr(x) - ndtr(y) + bvn_cdf(x, y, r), atol=1e-14)


def test_it_has_the_density_as_derivative_in_r() -> None:
    x = np.array([-1.2, 0.3, 0.8, 2.0])
    y = np.array([0.4, -0.5, 0.9, 1.5])
    for r in (-0.6, 0.1, 0.8, 0.95):
        h = 1e-6
        numeric = (bvn_cdf(x, y, r + h) - bvn_cdf(x, y, r - h)) / (2 * h)
        np.testing.assert_allclose(bvn_pdf(x, y, r), numeric, rtol=1e-6, atol=1e-9)
    assert bvn_pdf(np.inf, 0.0, 0.5) == 0.0


def test_it_broadcasts_and_propagates_nan() -> None:
    out = bvn_cdf(np.zeros((2, 3)), np.array([0.0, np.nan, 1.0]), 0.5)
    assert out.shape == (2, 3)
    assert np.all(np.isnan(out[:, 1]))
    assert out[0, 0] == pytest.approx(0.25 + np.arcsin(0.5) / (2 * np.pi), abs=1e-15)


def test_it_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        bvn_cdf(0.0, 0.0, 1.5)
    with pytest.raises(ValueError, match="broadcast"):
        bvn_cdf(np.zeros(2), np.zeros(3), 0.0)
    with pytest.raises(ValueError, match=r"\|r\| < 1"):
        bvn_pdf(0.0, 0.0, 1.0)
