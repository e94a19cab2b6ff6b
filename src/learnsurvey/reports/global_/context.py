"""What every section of the global report reads: the wave's :class:`GlobalFigures`, the
instrument (for names), the published Phase One figures (or None) and the translator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from learnsurvey.analysis.figures.global_ import GlobalFigures
from learnsurvey.analysis.labels import Gettext
from learnsurvey.instruments import Instrument

from .section import Section

__all__ = ["GlobalContext", "published_value", "unavailable"]


@dataclass(frozen=True)
class GlobalContext:
    figures: GlobalFigures
    inst: Instrument
    published: dict[str, Any] | None
    gettext: Gettext
    failure: str
    """Why the wave's tables cannot be computed, in words ("" when they can)."""

    @property
    def threshold(self) -> int:
        return self.figures.threshold

    @property
    def computed(self) -> bool:
        """Whether the wave's tables (every section but the sample) could be computed."""
        return not self.figures.failure

    def school(self, school: str) -> str:
        """A school's name if it opted in to being named in research, else "School N"."""
        return self.figures.school_label(school, self.gettext)


def published_value(ctx: GlobalContext, key: str, *path: str) -> Any:
    """A published figure from the normalised mapping (see ``load_published``), or None."""
    if ctx.published is None:
        return None
    value: Any = ctx.published.get(key)
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def unavailable(ctx: GlobalContext, section_id: str, heading: str) -> Section:
    """A section that says the wave's tables cannot be computed."""
    return Section(id=section_id, heading=heading, unavailable=ctx.failure)
