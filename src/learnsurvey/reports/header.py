"""The fields every report shows on its cover and in its page header (``base.html.j2``
reads them), shared by the school, trust and global reports. Django-free."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["ReportHeader"]


class ReportHeader(BaseModel):
    """A report's title block: what ``base.html.j2`` expects of every ``report``."""

    model_config = ConfigDict(frozen=True)

    title: str
    subtitle: str
    kicker: str
    """The line above the title naming the survey and the kind of report."""
    wave: str
    generated: str
    """The date the report was made, already formatted."""
    threshold: int
    """The smallest group whose figures are shown (the disclosure threshold)."""
