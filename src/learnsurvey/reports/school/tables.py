"""What the sections of the school report share: a table laid out so figures never collide
in print, the way an effect size reads, and the gettext type."""

from __future__ import annotations

from collections.abc import Callable

from .. import format as fmt
from ..charts import Table

__all__ = ["FittedTable", "Gettext", "effect"]

Gettext = Callable[[str], str]

_TEXT_WRAP_AT = 16
"""Characters a text column is given before it wraps (its words wrap; figures never do)."""


class FittedTable(Table):
    """A :class:`~learnsurvey.reports.charts.Table` whose figures keep to their columns.

    Figures are printed on one line (``td.num`` does not wrap), so a figure column that is
    narrower than its longest figure spills into the next column ("−0.20 (−0.27 to
    −0.13)Clearly above"). Here every figure column gets room for its longest cell, and
    the text columns, whose words wrap, share what is left."""

    @property
    def widths(self) -> list[float]:
        if not self.columns:
            return []
        needs = [self._need(k, header) for k, header in enumerate(self.columns)]
        total = sum(needs)
        return [round(100.0 * n / total, 1) for n in needs]

    def _need(self, k: int, header: str) -> float:
        longest_cell = max((len(row[k]) for row in self.rows if k < len(row)), default=0)
        longest_word = max((len(w) for w in header.split()), default=0)
        numeric = k < len(self.numeric) and self.numeric[k]
        cell = longest_cell if numeric else min(longest_cell, _TEXT_WRAP_AT)
        # Headers and row headers are bold (wider letters); a cell has padding.
        need = max(cell, 1.3 * longest_word, 3) + 3
        return need * (1.1 if k == 0 else 1.0)


def effect(g: float | None, low: float | None, high: float | None) -> str:
    """Hedges' g with its 95% CI, "−0.20 (−0.27 to −0.13)", or the dash."""
    if g is None:
        return fmt.HIDDEN
    return f"{fmt.signed(g)} ({fmt.ci(low, high)})"
