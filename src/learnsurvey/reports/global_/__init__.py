"""The global report of a wave: one module per section, each wording the wave's
:class:`~learnsurvey.analysis.figures.global_.GlobalFigures` (see :mod:`.report`)."""

from .published import load_published
from .report import GlobalReport, build_global_report, render_global_report
from .section import Section

__all__ = [
    "GlobalReport",
    "Section",
    "build_global_report",
    "load_published",
    "render_global_report",
]
