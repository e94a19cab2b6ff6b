"""Parameters of synthetic staff answers, read from versioned YAML (``params/staff.yaml``).

The model they drive — how many staff answer, in which roles, and how much more optimistic
each role is than the school's pupils — is described in docs/synthetic-data.md ("Staff").
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy.special import ndtri

from .params import read_params

__all__ = ["PUPILS", "RoleOptimism", "StaffParams", "load_staff_params"]

PUPILS = "pupils"
"""The pupils' key in :attr:`StaffParams.target_shares` (not a staff role)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RoleOptimism(_Model):
    """How far a role's true scores sit above the school's pupils', in SDs of the pupils'
    dimension score: ``all`` on every dimension unless ``dimensions`` says otherwise."""

    all: float
    dimensions: dict[str, float] = Field(default_factory=dict)

    def shifts(self, dimensions: Sequence[str]) -> NDArray[np.float64]:
        return np.array([self.dimensions.get(d, self.all) for d in dimensions])


class StaffParams(_Model):
    """Synthetic staff answers (see docs/synthetic-data.md)."""

    instrument: str
    calibrated_against: str
    staff_per_pupil: float = Field(gt=0, description="Staff answering per pupil answering.")
    size_sigma: float = Field(ge=0, description="SD of the log of a school's staff count.")
    staff_range: tuple[int, int]
    leader_range: tuple[int, int]
    leader_role: str
    other_role_shares: dict[str, float] = Field(
        description="Shares of the staff who are not leaders, by role id."
    )
    school_tracking: float = Field(
        ge=0, le=1, description="Share of the pupils' school effect that staff see too."
    )
    school_optimism_sd: float = Field(
        ge=0, description="SD between schools of their staff's optimism (true-score SDs)."
    )
    optimism: dict[str, RoleOptimism]
    """The documented mapping of role id → optimism (one entry per role of the instrument)."""
    target_shares: dict[str, float] = Field(
        description="The calibration target: the share agreeing of pupils (key `pupils`) "
        "and of some roles, on the dimensions where the gap is largest."
    )
    target_dimensions: tuple[str, ...] = Field(
        description="The dimensions the target applies to (the largest gaps)."
    )

    @model_validator(mode="after")
    def _consistent(self) -> StaffParams:
        low, high = self.staff_range
        few, many = self.leader_range
        if not 1 <= few <= many < low <= high:
            raise ValueError("need 1 <= leaders low <= high < staff low <= high")
        if abs(sum(self.other_role_shares.values()) - 1) > 1e-6:
            raise ValueError("other_role_shares must sum to 1")
        if self.leader_role in self.other_role_shares:
            raise ValueError("other_role_shares must not include the leader role")
        roles = {self.leader_role, *self.other_role_shares}
        if set(self.optimism) != roles:
            raise ValueError("optimism must name every role exactly once")
        if PUPILS not in self.target_shares or not set(self.target_shares) - {PUPILS} <= roles:
            raise ValueError("target_shares must name the pupils and roles only")
        if not all(0 < v < 1 for v in self.target_shares.values()):
            raise ValueError("target_shares must lie strictly between 0 and 1")
        return self

    def target_probit_gaps(self) -> dict[str, float]:
        """Each target role's share on the probit scale above the pupils' share:
        Φ⁻¹(share) − Φ⁻¹(pupils' share)."""
        pupils = float(ndtri(self.target_shares[PUPILS]))
        return {
            role: float(ndtri(share)) - pupils
            for role, share in self.target_shares.items()
            if role != PUPILS
        }

    def check_roles(self, roles: Sequence[str]) -> None:
        """ValueError unless the parameters cover exactly the instrument's roles."""
        if set(self.optimism) != set(roles):
            raise ValueError(
                f"synthetic staff parameters name the roles {sorted(self.optimism)}, "
                f"the staff instrument {sorted(roles)}"
            )


def load_staff_params(name_or_path: str | Path = "staff") -> StaffParams:
    return read_params(name_or_path, StaffParams)
