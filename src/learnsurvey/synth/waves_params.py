"""Parameters of synthetic waves over time, read from versioned YAML (``params/waves.yaml``).

The model they drive — churn, planted changes — is described in docs/synthetic-data.md
("Waves over time").
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .params import read_params

__all__ = ["ChurnParams", "PlantParams", "WavesParams", "load_waves_params", "share_of"]

SEASONS = ("autumn", "spring", "summer")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def share_of(share: float, n: int) -> int:
    """``share`` of ``n`` schools, rounded half up (at least one when the share is not 0)."""
    return 0 if share == 0 else max(1, int(share * n + 0.5))


class ChurnParams(_Model):
    leave: float = Field(ge=0, lt=1, description="Share of schools that leave each new wave.")
    join: float = Field(ge=0, description="New schools joining each new wave, as a share.")
    size_sigma: float = Field(
        ge=0, description="SD of the log of a school's wave-to-wave change in responses."
    )
    min_size: int = Field(ge=1, description="The fewest responses a staying school gives.")


class PlantParams(_Model):
    improve: float = Field(ge=0, lt=1, description="Share of schools that improve clearly.")
    decline: float = Field(ge=0, lt=1, description="Share of schools that decline clearly.")
    dimensions: tuple[int, int] = Field(
        description="An improving school improves on this many dimensions (low, high)."
    )
    detectable_multiple: float = Field(
        gt=0,
        description="A change is this many standard errors of the school's own difference.",
    )
    min_shift: float = Field(gt=0, description="The smallest planted change (true-score SDs).")
    max_shift: float = Field(gt=0, description="The largest: smaller schools are not chosen.")

    @model_validator(mode="after")
    def _ordered(self) -> PlantParams:
        low, high = self.dimensions
        if not 1 <= low <= high:
            raise ValueError("plants.dimensions must be (low, high) with 1 <= low <= high")
        if self.min_shift > self.max_shift:
            raise ValueError("plants.min_shift must not exceed plants.max_shift")
        return self


class WavesParams(_Model):
    """Waves over time: the first is the calibrated Phase One wave, then one a year."""

    first_year: int = Field(ge=2000, le=2100)
    season: str
    churn: ChurnParams
    plants: PlantParams

    @model_validator(mode="after")
    def _known_season(self) -> WavesParams:
        if self.season not in SEASONS:
            raise ValueError(f"season must be one of {', '.join(SEASONS)}")
        return self

    def label(self, index: int) -> str:
        """The wave label of wave ``index`` (0 is the first): ``2021-summer``, ..."""
        return f"{self.first_year + index}-{self.season}"


def load_waves_params(name_or_path: str | Path = "waves") -> WavesParams:
    return read_params(name_or_path, WavesParams)
