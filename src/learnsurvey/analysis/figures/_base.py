"""The base of every contract model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["Figures", "Number"]

Number = float | None
"""A figure, or None where disclosure hid it or it cannot be computed."""


class Figures(BaseModel):
    """Frozen, JSON-ready: what analysis hands to the views."""

    model_config = ConfigDict(frozen=True)
