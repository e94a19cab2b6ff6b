"""Table cells as contract values: None where a figure is hidden or cannot be computed."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

__all__ = ["Tables", "as_count", "as_number", "as_whole"]

Tables = dict[str, pd.DataFrame]


def as_number(value: Any) -> float | None:
    """A cell as a float, None where it is hidden or cannot be computed."""
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def as_whole(value: Any) -> int:
    """A count that is never hidden (a whole-wave figure)."""
    return int(value)


def as_count(value: Any) -> int | None:
    """A count, None where it is hidden."""
    number = as_number(value)
    return None if number is None else round(number)
