"""Synthetic waves over time: the calibrated Phase One wave, then one wave a year with churn
and planted changes (documented in docs/synthetic-data.md, "Waves over time").

The first wave is exactly :meth:`ResponseModel.tables` of the same responses, schools and
seed, so the published-figures check holds for it unchanged. Each later wave keeps most
schools (each with its latent school effect), loses a few, gains a few new ones, and moves
the school effect of a few schools clearly up or down on one or two dimensions: the
**planted changes**, returned as data (:class:`PlantedChange`) so that tests and the docs can
check that the analysis finds them. Every other school's true effect stays as it was, so any
change the analysis calls clear there is chance.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
from numpy.typing import NDArray

from .model import ResponseModel
from .schools import School, plan_schools, schools_frame
from .waves_params import WavesParams, load_waves_params, share_of

__all__ = ["PlantedChange", "SyntheticWave", "SyntheticWaves", "plan_waves"]

# The random streams: the first wave's are ResponseModel's own ([seed, 0], [seed, 1],
# [seed, 2, school, piece]); later waves draw from streams tagged 3 and up.
_PUPILS, _CHURN, _JOINERS, _JOINER_EFFECTS = 3, 5, 6, 7


@dataclass(frozen=True)
class PlantedChange:
    """A change of one school's true effect on one dimension, from the wave before ``wave``
    to ``wave`` (it stays in the waves after)."""

    school: str
    """The school's key in the responses file (its name)."""
    urn: str
    dimension: str
    wave: str
    """The wave label in which the change first shows."""
    shift: float
    """The change of the true school effect, in SDs of the pupils' dimension score
    (positive: better)."""
    se: float
    """The standard error of the school's own wave-to-wave difference it was sized for, in
    the same units: ``shift`` is at least ``detectable_multiple`` of it."""

    @property
    def direction(self) -> Literal["up", "down"]:
        return "up" if self.shift > 0 else "down"


@dataclass(frozen=True)
class SyntheticWave:
    """One wave of the series: its label, its schools (with this wave's number of
    responses) and their true school effects (schools × dimensions)."""

    index: int
    label: str
    year: int
    season: str
    schools: tuple[School, ...]
    effects: NDArray[np.float64]

    @property
    def n_responses(self) -> int:
        return sum(s.size for s in self.schools)

    def effect_of(self, school: str) -> NDArray[np.float64]:
        at = [s.school for s in self.schools].index(school)
        return np.asarray(self.effects[at], dtype=np.float64)


@dataclass(frozen=True)
class SyntheticWaves:
    """Waves of the same schools over time, oldest first, and the changes planted in them."""

    model: ResponseModel
    seed: int
    waves: tuple[SyntheticWave, ...]
    changes: tuple[PlantedChange, ...]

    def wave(self, label: str) -> SyntheticWave:
        for wave in self.waves:
            if wave.label == label:
                return wave
        raise ValueError(f"no synthetic wave {label!r}")

    def tables(
        self, wave: SyntheticWave | None = None, *, chunk_rows: int = 200_000
    ) -> Iterator[pa.Table]:
        """The pupils' responses of one wave (or of every wave, oldest first) in the import
        format, with the wave's label in the ``wave`` column."""
        for w in self.waves if wave is None else (wave,):
            model = replace(self.model, wave=w.label)
            stream = [self.seed, 2] if w.index == 0 else [self.seed, _PUPILS, w.index]
            yield from model.tables_of(w.schools, w.effects, stream, chunk_rows=chunk_rows)

    @property
    def all_schools(self) -> list[School]:
        """Every school of the series once, in the order they first took part; ``size`` is
        the school's responses over all waves."""
        totals: dict[str, int] = {}
        first: dict[str, School] = {}
        for wave in self.waves:
            for s in wave.schools:
                first.setdefault(s.school, s)
                totals[s.school] = totals.get(s.school, 0) + s.size
        return [replace(s, size=totals[name]) for name, s in first.items()]

    def schools_frame(self) -> pd.DataFrame:
        """The context file of the series: one row per school that ever took part."""
        return schools_frame(self.all_schools)

    def changes_frame(self) -> pd.DataFrame:
        """The planted changes, one row each (school, urn, dimension, wave, shift, se,
        direction)."""
        columns = ["school", "urn", "dimension", "wave", "shift", "se", "direction"]
        rows = [
            {**{k: getattr(c, k) for k in columns[:-1]}, "direction": c.direction}
            for c in self.changes
        ]
        return pd.DataFrame(rows, columns=columns)


def plan_waves(
    model: ResponseModel,
    n_responses: int,
    n_schools: int,
    seed: int,
    n_waves: int,
    params: WavesParams | None = None,
) -> SyntheticWaves:
    """Plan ``n_waves`` waves: the first of ``n_responses`` pupils in ``n_schools`` schools
    (exactly ``model.tables(n_responses, n_schools, seed)``), then one a year.

    Deterministic for the seed. ValueError if ``n_waves`` < 1 or the first wave is
    impossible."""
    if n_waves < 1:
        raise ValueError("need at least one wave")
    params = params or load_waves_params()
    schools = model.schools(n_responses, n_schools, seed)
    effects = model.school_effects([s.phase for s in schools], seed)
    waves = [_wave(params, 0, schools, effects)]
    changes: list[PlantedChange] = []
    names = {s.school for s in schools}
    drawn = len(schools)
    for index in range(1, n_waves):
        planner = _NextWave(model, params, seed, index, waves[-1], changes)
        wave, new = planner.plan(names, drawn)
        drawn += len(wave.schools) - planner.n_stayers
        names |= {s.school for s in wave.schools}
        waves.append(wave)
        changes.extend(new)
    return SyntheticWaves(model, seed, tuple(waves), tuple(changes))


def _wave(
    params: WavesParams, index: int, schools: Sequence[School], effects: NDArray[np.float64]
) -> SyntheticWave:
    return SyntheticWave(
        index=index,
        label=params.label(index),
        year=params.first_year + index,
        season=params.season,
        schools=tuple(schools),
        effects=effects,
    )


class _NextWave:
    """The wave after ``previous``: who stays (and how many answer), who joins, what
    changes."""

    def __init__(
        self,
        model: ResponseModel,
        params: WavesParams,
        seed: int,
        index: int,
        previous: SyntheticWave,
        planted: Sequence[PlantedChange],
    ) -> None:
        self.model, self.params, self.seed, self.index = model, params, seed, index
        self.previous = previous
        self.planted_before = {c.school for c in planted}
        self.rng = np.random.default_rng([seed, _CHURN, index])
        self.n_stayers = 0

    def plan(self, taken: set[str], drawn: int) -> tuple[SyntheticWave, list[PlantedChange]]:
        stay = self._stayers()
        self.n_stayers = len(stay)
        before = [self.previous.schools[k] for k in stay]
        after = self._resized(before)
        effects = self.previous.effects[stay].copy()
        label = self.params.label(self.index)
        changes = self._plant(before, after, effects, label)
        joiners, joiner_effects = self._joiners(after, taken, drawn)
        schools = [*after, *joiners]
        all_effects = np.vstack([effects, joiner_effects]) if joiners else effects
        return _wave(self.params, self.index, schools, all_effects), changes

    def _stayers(self) -> list[int]:
        n = len(self.previous.schools)
        leave = min(share_of(self.params.churn.leave, n), n - 1)
        gone = set(self.rng.choice(n, size=leave, replace=False).tolist())
        return [k for k in range(n) if k not in gone]

    def _resized(self, schools: list[School]) -> list[School]:
        churn = self.params.churn
        factor = np.exp(self.rng.normal(0.0, churn.size_sigma, len(schools)))
        return [
            replace(s, size=max(churn.min_size, round(s.size * f)))
            for s, f in zip(schools, factor, strict=True)
        ]

    def _within_sd(self) -> NDArray[np.float64]:
        """The SD of pupils' dimension scores within a school (the observed score has SD 1;
        the school effects take ``school_share`` × reliability of its variance)."""
        return np.sqrt(1.0 - np.diag(self.model.school_cov))

    def _plant(
        self,
        before: list[School],
        after: list[School],
        effects: NDArray[np.float64],
        label: str,
    ) -> list[PlantedChange]:
        """Move the effects of the chosen schools (in place) and say what was planted."""
        plants = self.params.plants
        sd = self._within_sd()
        n_before = np.array([s.size for s in before], dtype=np.float64)
        n_after = np.array([s.size for s in after], dtype=np.float64)
        se = sd[None, :] * np.sqrt(1.0 / n_before + 1.0 / n_after)[:, None]
        needed = plants.detectable_multiple * se
        fits = (needed <= plants.max_shift).all(axis=1)
        fresh = np.array([s.school not in self.planted_before for s in after])
        eligible = np.flatnonzero(fits & fresh)
        improve = share_of(plants.improve, len(after))
        wanted = min(improve + share_of(plants.decline, len(after)), len(eligible))
        chosen = self.rng.choice(eligible, size=wanted, replace=False)
        dims = self.model.instrument.dimension_ids
        changes = []
        for rank, k in enumerate(chosen.tolist()):
            improving = rank < improve
            low, high = plants.dimensions
            count = int(self.rng.integers(low, high + 1)) if improving else 1
            for d in sorted(self.rng.choice(len(dims), size=count, replace=False).tolist()):
                size = max(plants.min_shift, float(needed[k, d]))
                shift = size if improving else -size
                effects[k, d] += shift
                school = after[k]
                changes.append(
                    PlantedChange(school.school, school.urn, dims[d], label, shift, float(se[k, d]))
                )
        return changes

    def _joiners(
        self, staying: list[School], taken: set[str], drawn: int
    ) -> tuple[list[School], NDArray[np.float64]]:
        join = share_of(self.params.churn.join, len(self.previous.schools))
        if join == 0:
            return [], np.empty((0, len(self.model.instrument.dimension_ids)))
        typical = round(float(np.mean([s.size for s in staying]))) if staying else 100
        schools = plan_schools(
            max(join, typical * join),
            join,
            self.model.params,
            [self.seed, _JOINERS, self.index],
            first=drawn,
            taken=taken,
        )
        rng = np.random.default_rng([self.seed, _JOINER_EFFECTS, self.index])
        cov = self.model.school_cov
        effects = rng.multivariate_normal(np.zeros(len(cov)), cov, size=join, method="cholesky")
        return schools, np.asarray(effects, dtype=np.float64)
