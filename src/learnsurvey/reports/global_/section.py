"""A numbered section of the global report, as every section module returns it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ..charts import Chart, Table

__all__ = ["Section"]


class Section(BaseModel):
    """One numbered section of the global report, already formatted and suppressed."""

    model_config = ConfigDict(frozen=True)

    id: str
    heading: str
    lead: list[str] = []
    """Paragraphs that say what the section finds, in words."""
    charts: list[Chart] = []
    tables: list[Table] = []
    method: list[str] = []
    """The method note: what was computed and how."""
    references: list[str] = []
    published: list[str] = []
    """What the published Phase One report said on the same question (when given it)."""
    unavailable: str | None = None
    """Why the section's figures cannot be shown (then it has no charts or tables)."""
