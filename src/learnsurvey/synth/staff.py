"""Synthetic staff answers to the staff survey, school by school and wave by wave
(documented in docs/synthetic-data.md, "Staff").

Each member of staff has a true score on every dimension, the sum of: the school's effect
(what its pupils see too, ``school_tracking`` of it), where the school's pupils sit by key
stage, the school's staff optimism (one draw per school, kept across waves), the role's
optimism (``optimism`` in ``params/staff.yaml``: leaders above teachers above pupils, most on
fairness and on whether pupils feel heard) and an individual part with the pupils' own
covariance. Answers are cut from the true scores as the pupils' are
(:meth:`ResponseModel.answers`), on the staff instrument, whose items match the pupils'.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from learnsurvey.instruments import Instrument

from .model import ResponseModel
from .schools import School
from .staff_params import StaffParams, load_staff_params
from .waves import SyntheticWave, SyntheticWaves

__all__ = ["StaffModel", "staff_roles"]

_STAFF, _OPTIMISM = 4, 8  # random streams (see waves.py for the others)


def staff_roles(instrument: Instrument) -> tuple[str, ...]:
    """The role ids of the staff instrument (``demographics.roles``), in its order."""
    ids = tuple(instrument.demographics.role_ids)
    if not ids:
        raise ValueError(f"{instrument.id}: the instrument lists no staff roles")
    return ids


@dataclass(frozen=True)
class StaffModel:
    """Staff answers beside the pupils of ``pupils`` (same dimensions and school effects)."""

    pupils: ResponseModel
    instrument: Instrument
    params: StaffParams

    def __post_init__(self) -> None:
        self.params.check_roles(self.roles)
        if self.instrument.dimension_ids != self.pupils.instrument.dimension_ids:
            raise ValueError("the staff instrument must have the pupil instrument's dimensions")

    @classmethod
    def default(cls, pupils: ResponseModel, instrument: Instrument) -> StaffModel:
        return cls(pupils, instrument, load_staff_params())

    @cached_property
    def roles(self) -> tuple[str, ...]:
        return staff_roles(self.instrument)

    @cached_property
    def _answering(self) -> ResponseModel:
        return ResponseModel(self.instrument, self.pupils.params)

    @cached_property
    def _optimism(self) -> dict[str, NDArray[np.float64]]:
        dims = self.instrument.dimension_ids
        return {role: o.shifts(dims) for role, o in self.params.optimism.items()}

    @cached_property
    def _individual_chol(self) -> NDArray[np.float64]:
        cov = self.pupils.target_cov - self.pupils.school_cov
        return np.asarray(np.linalg.cholesky(cov), dtype=np.float64)

    def sizes(self, school: School, rng: np.random.Generator) -> tuple[int, int]:
        """How many staff of ``school`` answer, and how many of them are leaders."""
        p = self.params
        low, high = p.staff_range
        few, many = p.leader_range
        drawn = school.size * p.staff_per_pupil * np.exp(rng.normal(0.0, p.size_sigma))
        n = int(np.clip(round(drawn), low, high))
        leaders = few + (n - low) / (high - low) * (many - few) + rng.normal(0.0, 0.5)
        return n, int(np.clip(round(leaders), few, many))

    def role_list(self, school: School, rng: np.random.Generator) -> list[str]:
        """The role of each member of staff of ``school`` who answers."""
        n, leaders = self.sizes(school, rng)
        shares = self.params.other_role_shares
        counts = rng.multinomial(n - leaders, list(shares.values()))
        roles = [self.params.leader_role] * leaders
        for role, count in zip(shares, counts, strict=True):
            roles += [role] * int(count)
        return roles

    def school_optimism(self, school: School, seed: int) -> float:
        """The school's own staff optimism (the same in every wave)."""
        rng = np.random.default_rng([seed, _OPTIMISM, int(school.urn)])
        return float(rng.normal(0.0, self.params.school_optimism_sd))

    def table(
        self,
        school: School,
        effect: NDArray[np.float64],
        wave: str,
        rng: np.random.Generator,
        optimism: float,
    ) -> pa.Table:
        """The staff of one school in one wave: columns school, role, wave and the items."""
        roles = self.role_list(school, rng)
        shift = np.array([self._optimism[r] for r in roles])
        base = self.params.school_tracking * effect + self.pupils.key_stage_mean(school)
        noise = rng.standard_normal((len(roles), len(effect))) @ self._individual_chol.T
        answers = self._answering.answers(base + optimism + shift + noise, rng)
        columns: dict[str, pa.Array] = {
            "school": pa.array([school.school] * len(roles), pa.string()),
            "role": pa.array(roles, pa.string()),
            "wave": pa.array([wave] * len(roles), pa.string()),
        }
        for j, item in enumerate(self.instrument.item_ids):
            col = answers[:, j]
            columns[item] = pa.array(col, pa.int8(), mask=col < 0)
        return pa.table(columns)

    def wave_table(self, series: SyntheticWaves, wave: SyntheticWave) -> pa.Table:
        """Every school's staff in ``wave`` of ``series`` (deterministic for its seed)."""
        parts = []
        for k, school in enumerate(wave.schools):
            rng = np.random.default_rng([series.seed, _STAFF, wave.index, k])
            optimism = self.school_optimism(school, series.seed)
            parts.append(self.table(school, wave.effects[k], wave.label, rng, optimism))
        return pa.concat_tables(parts)

    def tables(
        self, series: SyntheticWaves, wave: SyntheticWave | None = None
    ) -> Iterator[pa.Table]:
        """The staff answers of one wave (or of every wave, oldest first)."""
        for w in series.waves if wave is None else (wave,):
            yield self.wave_table(series, w)
