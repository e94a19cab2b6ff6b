"""The highest and lowest schools per dimension, named only where the intervals allow."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from learnsurvey.analysis.figures.trust import TopBottom as Extremes
from learnsurvey.analysis.figures.trust import TrustFigures

from .. import format as fmt
from ..charts import Table

__all__ = ["TopBottom", "top_bottom", "top_bottom_table"]


class TopBottom(BaseModel):
    model_config = ConfigDict(frozen=True)

    dimension: str
    apart: bool
    """The highest school's 95% CI lies wholly above the lowest school's."""
    top: str | None
    top_figure: str
    bottom: str | None
    bottom_figure: str
    n_schools: int


def _figure(mean: float | None, low: float | None, high: float | None) -> str:
    if mean is None:
        return fmt.HIDDEN
    return f"{fmt.number(mean)} ({fmt.number(low)}–{fmt.number(high)})"


def _item(t: Extremes, labels: dict[str, str]) -> TopBottom:
    return TopBottom(
        dimension=labels[t.dimension],
        apart=t.apart,
        top=t.top_school if t.apart else None,
        top_figure=_figure(t.top_mean, t.top_ci_low, t.top_ci_high) if t.apart else "",
        bottom=t.bottom_school if t.apart else None,
        bottom_figure=(
            _figure(t.bottom_mean, t.bottom_ci_low, t.bottom_ci_high) if t.apart else ""
        ),
        n_schools=t.n_schools,
    )


def top_bottom(figures: TrustFigures, labels: dict[str, str]) -> list[TopBottom]:
    return [_item(t, labels) for t in figures.top_bottom]


def top_bottom_table(items: list[TopBottom]) -> Table:
    rows = []
    for t in items:
        if t.apart:
            rows.append([t.dimension, f"{t.top}: {t.top_figure}", f"{t.bottom}: {t.bottom_figure}"])
        elif t.n_schools < 2:
            rows.append([t.dimension, "Too few schools shown to compare", ""])
        else:
            rows.append([t.dimension, "The schools cannot be told apart on this dimension", ""])
    return Table(
        caption="Highest and lowest school per dimension (shrunken mean, 95% CI)",
        columns=["Dimension", "Highest school", "Lowest school"],
        rows=rows,
        notes=["A school is named only when its interval does not overlap the other's."],
    )
