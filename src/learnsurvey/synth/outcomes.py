"""Synthetic outcome measures per school and year, modestly correlated with learning.

Each school gets, for each year of :data:`OUTCOME_YEARS`, its phase's attainment or progress
measure (KS2 expected standard % for primary schools, Progress 8 for secondary schools, both
for all-through schools), attendance % and suspensions per 100 pupils. A school's standing
on every measure is a latent normal that is partly the school's learning effect (its true
school effect averaged over the dimensions, standardised across the schools), partly its
free-school-meals share (against: more disadvantaged intakes have lower attainment and
attendance and more suspensions, as in England's published data) and the rest its own,
with a little noise year to year. The inspection rating plays no part. The correlations are
modest by design (about 0.3 with learning), so that the "Learning beside outcomes" figures
have something, but not everything, to find. Values are plausible for England, not
calibrated to any published distribution. Deterministic for the generator given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .schools import School
from .waves import SyntheticWaves

__all__ = ["OUTCOME_COLUMNS", "OUTCOME_YEARS", "series_outcomes", "synth_outcomes"]

OUTCOME_YEARS = ("2024/25", "2025/26")
OUTCOME_COLUMNS = ["school", "urn", "year", "measure", "unit", "value"]
_OUTCOME_STREAM = 9
"""The random stream of :func:`series_outcomes`: ``[seed, 9]``, apart from every other."""
_YEAR_NOISE = 0.35
"""The SD of a school's year-to-year wobble on the latent scale (its standing is 1)."""


@dataclass(frozen=True)
class _Measure:
    name: str
    unit: str
    phases: tuple[str, ...]
    learning: float
    """The latent's loading on the standardised learning effect."""
    fsm: float
    """Its loading on the standardised FSM share."""
    centre: dict[str, float]
    spread: dict[str, float]
    low: float
    high: float
    digits: int
    log: bool = False
    """Log-normal (a rate): exp(log(centre) + spread · latent)."""


_MEASURES = (
    _Measure(
        "KS2 expected standard", "%", ("primary", "all_through"), 0.3, -0.45,
        {"primary": 61.0, "all_through": 58.0}, {"primary": 11.0, "all_through": 11.0},
        5.0, 100.0, 0,
    ),
    _Measure(
        "Progress 8", "score", ("secondary", "all_through"), 0.3, -0.35,
        {"secondary": 0.0, "all_through": -0.05}, {"secondary": 0.45, "all_through": 0.45},
        -2.5, 2.5, 2,
    ),
    _Measure(
        "Attendance", "%", ("primary", "secondary", "all_through"), 0.25, -0.45,
        {"primary": 94.5, "secondary": 91.5, "all_through": 92.5},
        {"primary": 1.4, "secondary": 2.0, "all_through": 1.8},
        80.0, 99.5, 1,
    ),
    _Measure(
        "Suspensions", "per 100 pupils", ("primary", "secondary", "all_through"), -0.25, 0.4,
        {"primary": 1.2, "secondary": 10.0, "all_through": 6.0},
        {"primary": 0.8, "secondary": 0.6, "all_through": 0.7},
        0.0, 80.0, 1, log=True,
    ),
)  # fmt: skip


def _standardised(values: NDArray[np.float64]) -> NDArray[np.float64]:
    sd = float(values.std())
    out: NDArray[np.float64] = (values - values.mean()) / sd if sd > 0 else values * 0.0
    return out


def synth_outcomes(
    schools: Sequence[School],
    rng: np.random.Generator,
    *,
    learning: Sequence[float] | None = None,
    years: Sequence[str] = OUTCOME_YEARS,
) -> pd.DataFrame:
    """Outcome measures of ``schools`` in each of ``years``, long: columns
    :data:`OUTCOME_COLUMNS` (``school`` the school's key in the responses, its name).

    ``learning``: each school's learning effect (any scale; standardised across the schools
    here), the same length as ``schools``; None leaves learning out of the outcomes.
    ValueError when the lengths differ."""
    k = len(schools)
    if learning is not None and len(learning) != k:
        raise ValueError(f"learning has {len(learning)} values for {k} schools")
    if k == 0:
        return pd.DataFrame(columns=OUTCOME_COLUMNS)
    z_learning = _standardised(np.asarray(learning if learning is not None else [0.0] * k, float))
    z_fsm = _standardised(np.array([s.fsm_pct for s in schools], dtype=float))
    rows = []
    for m in _MEASURES:
        a = m.learning if learning is not None else 0.0
        own = np.sqrt(max(1.0 - a * a - m.fsm * m.fsm, 0.0))
        standing = a * z_learning + m.fsm * z_fsm + own * rng.standard_normal(k)
        for year in years:
            latent = standing + _YEAR_NOISE * rng.standard_normal(k)
            for s, x in zip(schools, latent.tolist(), strict=True):
                if s.phase not in m.phases:
                    continue
                if m.log:
                    value = float(np.exp(np.log(m.centre[s.phase]) + m.spread[s.phase] * x))
                else:
                    value = m.centre[s.phase] + m.spread[s.phase] * x
                value = round(float(np.clip(value, m.low, m.high)), m.digits)
                rows.append([s.school, s.urn, str(year), m.name, m.unit, value])
    return pd.DataFrame(rows, columns=OUTCOME_COLUMNS)


def series_outcomes(
    series: SyntheticWaves, *, years: Sequence[str] = OUTCOME_YEARS
) -> pd.DataFrame:
    """:func:`synth_outcomes` of every school of a :class:`~.waves.SyntheticWaves`, each
    school's learning effect its true school effect (mean over the dimensions) in the last
    wave it took part in; from the random stream ``[seed, 9]``."""
    effects: dict[str, float] = {}
    for wave in series.waves:
        for k, s in enumerate(wave.schools):
            effects[s.school] = float(np.mean(wave.effects[k]))
    schools = series.all_schools
    rng = np.random.default_rng([series.seed, _OUTCOME_STREAM])
    return synth_outcomes(schools, rng, learning=[effects[s.school] for s in schools], years=years)
