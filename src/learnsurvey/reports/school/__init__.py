"""The personalised school report, one module per section, each reading the school's
:class:`~learnsurvey.analysis.figures.school.SchoolFigures`."""

from .lines import ScoreLine
from .report import SchoolReport, SchoolReports, render_school_report

__all__ = ["SchoolReport", "SchoolReports", "ScoreLine", "render_school_report"]
