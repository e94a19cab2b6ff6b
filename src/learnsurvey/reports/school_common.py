"""What the parts of the school report share: one line per score, and small helpers to
read suppressed tables (None for a hidden or missing figure) and format effect sizes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from . import format as fmt

__all__ = ["Gettext", "ScoreLine", "Verdict", "effect", "number_or_none", "records", "verdict"]

Verdict = Literal["above", "below", "within", "unknown"]
Gettext = Callable[[str], str]


class ScoreLine(BaseModel):
    """One dimension, notion or the overall score of a school; None where not shown."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str
    name: str
    label: str
    """The name in tables and charts: notions are marked, as one may share a dimension's name."""
    notion: str = ""
    """For a dimension, the name of its notion."""
    description: str = ""
    n: int | None = None
    mean: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    high_pct: float | None = None
    bands: list[float | None] = []
    all_mean: float | None = None
    all_g: float | None = None
    all_g_low: float | None = None
    all_g_high: float | None = None
    similar_mean: float | None = None
    similar_g: float | None = None
    similar_g_low: float | None = None
    similar_g_high: float | None = None
    verdict: Verdict = "unknown"
    """Against all schools: ``above``/``below`` when the 95% CI of g excludes 0."""
    meaning: str = ""
    questions: list[str] = []


def number_or_none(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return number if np.isfinite(number) else None


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def verdict(low: float | None, high: float | None) -> Verdict:
    if low is None or high is None:
        return "unknown"
    if low > 0:
        return "above"
    if high < 0:
        return "below"
    return "within"


def effect(g: float | None, low: float | None, high: float | None) -> str:
    if g is None:
        return fmt.HIDDEN
    return f"{fmt.signed(g)} ({fmt.ci(low, high)})"
