"""Parameters of the synthetic-data model, read from versioned YAML (``params/*.yaml``)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import cast

import numpy as np
import yaml
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, model_validator

from learnsurvey.analysis.year_groups import YEAR_GROUPS, phase_year_groups
from learnsurvey.instruments import Instrument

__all__ = ["DimensionParams", "SynthParams", "load_params", "read_params"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DimensionParams(_Model):
    reliability: float = Field(gt=0, lt=1, description="Target alpha of the dimension score.")
    item_r: float = Field(gt=0, lt=1, description="Correlation of item latents (calibrated).")
    location: float = Field(description="Shift of the item thresholds (higher = more agreement).")
    school_share: float = Field(
        ge=0, lt=1, description="Share of true-score variance between schools."
    )
    pattern: dict[str, float] = Field(description="Loadings of the true score on each notion.")


class SchoolParams(_Model):
    phase_shares: dict[str, float]
    key_stage_shares: dict[str, dict[str, float]]
    size_median: dict[str, float]
    size_sigma: float = Field(gt=0)
    inspection_shares: dict[str, float]
    trusts: list[str]
    standalone_share: float = Field(ge=0, le=1)


class SynthParams(_Model):
    """The generative model (see docs/synthetic-data.md)."""

    instrument: str
    calibrated_against: str
    factor_correlations: dict[str, dict[str, float]]
    base_category_shares: list[float]
    item_location_spread: float = Field(ge=0)
    missing_answer_rate: float = Field(ge=0, lt=1)
    stop_early_rate: float = Field(ge=0, lt=1)
    school_effect_common: float = Field(default=0.0, ge=0, lt=1)
    key_stage_shift: dict[str, float]
    gender_shares: dict[str, float]
    gender_shift: dict[str, float]
    gender_dimension_shift: dict[str, dict[str, float]] = Field(default_factory=dict)
    dimensions: dict[str, DimensionParams]
    schools: SchoolParams

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> SynthParams:
        for name, shares in [
            ("gender_shares", self.gender_shares),
            ("schools.phase_shares", self.schools.phase_shares),
            ("schools.inspection_shares", self.schools.inspection_shares),
            *[(f"key_stage_shares.{k}", v) for k, v in self.schools.key_stage_shares.items()],
        ]:
            if abs(sum(shares.values()) - 1) > 1e-6:
                raise ValueError(f"{name} must sum to 1")
        if abs(sum(self.base_category_shares) - 1) > 1e-6:
            raise ValueError("base_category_shares must sum to 1")
        return self

    def check_instrument(self, instrument: Instrument) -> None:
        if set(self.dimensions) != set(instrument.dimension_ids):
            raise ValueError("synthetic parameters must cover exactly the instrument's dimensions")
        factors = set(instrument.factor_ids)
        for dim in self.dimensions.values():
            if set(dim.pattern) != factors:
                raise ValueError("each dimension pattern must name every instrument factor")
        if len(self.base_category_shares) != instrument.scale.n_categories:
            raise ValueError("base_category_shares needs one share per scale point")
        for phase, shares in self.schools.key_stage_shares.items():
            # Pupils get year groups the school's phase teaches, as the survey asks them.
            taught = {YEAR_GROUPS[y] for y in phase_year_groups(instrument, phase)}
            wrong = [ks for ks, share in shares.items() if share > 0 and ks not in taught]
            if wrong:
                raise ValueError(
                    f"key_stage_shares.{phase}: a {phase} school teaches no year of {wrong}"
                )

    def pattern_matrix(self, instrument: Instrument) -> NDArray[np.float64]:
        return np.array(
            [
                [self.dimensions[d].pattern[f] for f in instrument.factor_ids]
                for d in instrument.dimension_ids
            ]
        )

    def phi(self, instrument: Instrument) -> NDArray[np.float64]:
        f = instrument.factor_ids
        m = np.eye(len(f))
        for a, row in self.factor_correlations.items():
            for b, r in row.items():
                m[f.index(a), f.index(b)] = m[f.index(b), f.index(a)] = r
        return m


@cache
def _builtin[M: BaseModel](name: str, model: type[M]) -> M:
    text = resources.files(__package__).joinpath("params", f"{name}.yaml").read_text("utf-8")
    return model.model_validate(yaml.safe_load(text))


def read_params[M: BaseModel](name_or_path: str | Path, model: type[M]) -> M:
    """Parameters of ``model`` from a YAML path, or from the built-in ``params/<name>.yaml``
    (validated; a built-in is read once per process)."""
    path = Path(name_or_path)
    if path.suffix in {".yaml", ".yml"}:
        return model.model_validate(yaml.safe_load(path.read_text("utf-8")))
    return cast(M, _builtin(str(name_or_path), model))


def load_params(name_or_path: str | Path = "phase-one") -> SynthParams:
    return read_params(name_or_path, SynthParams)
