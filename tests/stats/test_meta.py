"""Random-effects meta-analysis and empirical-Bayes estimates against R metafor."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from learnsurvey.stats.meta import empirical_bayes, random_effects

GOLDEN = json.loads((Path(__file__).parents[1] / "golden" / "meta_dl.json").read_text())


@pytest.mark.parametrize("case", sorted(GOLDEN["cases"]))
def test_it_matches_metafor_dl(case: str) -> None:
    want = GOLDEN["cases"][case]
    fit = random_effects(want["yi"], want["vi"])
    assert fit.k == want["k"]
    assert fit.mu == pytest.approx(want["mu"], abs=1e-10)
    assert fit.se == pytest.approx(want["se"], abs=1e-10)
    assert fit.tau2 == pytest.approx(want["tau2"], abs=1e-12)
    assert fit.q == pytest.approx(want["q"], abs=1e-9)
    shrunk = empirical_bayes(want["yi"], want["vi"], fit)
    np.testing.assert_allclose(shrunk, want["blup"], atol=1e-10)


def test_it_shrinks_imprecise_estimates_most() -> None:
    y = np.array([0.0, 1.0, 2.0, 3.0])
    v = np.array([0.01, 0.5, 0.01, 0.5])
    fit = random_effects(y, v)
    shrunk = empirical_bayes(y, v, fit)
    moved = np.abs(shrunk - y)
    assert np.all(np.abs(shrunk - fit.mu) <= np.abs(y - fit.mu) + 1e-12)
    assert moved[1] > moved[0]
    assert moved[3] > moved[2]


def test_it_takes_one_estimate_as_it_is() -> None:
    fit = random_effects([0.4], [0.02])
    assert (fit.mu, fit.tau2) == (0.4, 0.0)
    assert empirical_bayes([0.4], [0.02], fit)[0] == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("y", "v"), [([], []), ([1.0, 2.0], [0.1]), ([1.0], [0.0]), ([np.nan], [0.1])]
)
def test_it_refuses_bad_input(y: list[float], v: list[float]) -> None:
    with pytest.raises(ValueError, match="estimates"):
        random_effects(y, v)
