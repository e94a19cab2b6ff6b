"""Polychoric correlations of a whole instrument in memory: `learnsurvey.stats.polychoric`.

The measurement that used to be an assertion in tests/stats/test_correlation.py (a unit test
times nothing): 36 items, 5 categories, 3,000 respondents from a one-factor model, the
item-pair count tables built first (not timed), then ``polychoric(tables)`` timed
``repeats`` times and the median reported against :data:`TARGET_S`. The largest distance
of an estimate from the model's correlation is kept beside it, so a fast wrong answer shows.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from learnsurvey.stats.correlation import polychoric

__all__ = ["ITEMS", "PUPILS", "TARGET_S", "PolychoricTiming", "time_polychoric"]

ITEMS = 36
CATEGORIES = 5
PUPILS = 3_000
TARGET_S = 1.0
"""Seconds for the 36 × 36 matrix (the bound the unit test used to assert)."""
CUTS = (-1.3, -0.4, 0.4, 1.2)


@dataclass(frozen=True)
class PolychoricTiming:
    seconds: float
    """Median over the runs."""
    runs: tuple[float, ...]
    max_abs_error: float
    """Largest |rho_ij − λ_i λ_j| off the diagonal (sampling error included)."""

    @property
    def met(self) -> bool:
        return self.seconds <= TARGET_S


def one_factor_tables(seed: int = 3) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Item-pair tables (items × items × K × K) of a one-factor sample, and its loadings."""
    rng = np.random.default_rng(seed)
    loadings = rng.uniform(0.3, 0.8, size=ITEMS)
    noise = rng.normal(size=(PUPILS, ITEMS)) * np.sqrt(1 - loadings**2)
    latent = np.outer(rng.normal(size=PUPILS), loadings) + noise
    codes = np.digitize(latent, CUTS)
    onehot = np.zeros((PUPILS, ITEMS, CATEGORIES))
    onehot[np.arange(PUPILS)[:, None], np.arange(ITEMS)[None, :], codes] = 1.0
    return np.einsum("nia,njb->ijab", onehot, onehot), loadings


def time_polychoric(*, repeats: int = 3, seed: int = 3) -> PolychoricTiming:
    tables, loadings = one_factor_tables(seed)
    runs = []
    for _ in range(max(1, repeats)):
        started = time.perf_counter()
        result = polychoric(tables)
        runs.append(time.perf_counter() - started)
    off = ~np.eye(ITEMS, dtype=bool)
    error = np.abs(result.rho - np.outer(loadings, loadings))[off]
    return PolychoricTiming(statistics.median(runs), tuple(runs), float(error.max()))
