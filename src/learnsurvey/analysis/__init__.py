"""Survey analysis: scores, sufficient statistics and the result tables of a wave.

Django-free: it takes response files or chunks and returns tidy pandas tables.
"""

from typing import TYPE_CHECKING

from learnsurvey._lazy import lazy_members

if TYPE_CHECKING:
    from .context import inspection_table, read_context
    from .dashboard import DashboardBuilder, DashboardStatistics, dashboard_payload, school_spread
    from .run import AnalysisResult, analyse_file
    from .scoring import ScoreLayout, score_answers
    from .statistics import StatisticsBuilder, WaveStatistics, wave_statistics
    from .tables import TABLE_NAMES, wave_tables

# Each name is imported from its module on first use: importing one module of the package
# (the platform's models read the seasons) loads that module alone, not pandas and scipy.
_MODULES = {
    "AnalysisResult": "run",
    "DashboardBuilder": "dashboard",
    "DashboardStatistics": "dashboard",
    "ScoreLayout": "scoring",
    "StatisticsBuilder": "statistics",
    "TABLE_NAMES": "tables",
    "WaveStatistics": "statistics",
    "analyse_file": "run",
    "dashboard_payload": "dashboard",
    "inspection_table": "context",
    "read_context": "context",
    "school_spread": "dashboard",
    "score_answers": "scoring",
    "wave_statistics": "statistics",
    "wave_tables": "tables",
}


__getattr__ = lazy_members(__name__, globals(), _MODULES)


__all__ = [
    "TABLE_NAMES",
    "AnalysisResult",
    "DashboardBuilder",
    "DashboardStatistics",
    "ScoreLayout",
    "StatisticsBuilder",
    "WaveStatistics",
    "analyse_file",
    "dashboard_payload",
    "inspection_table",
    "read_context",
    "school_spread",
    "score_answers",
    "wave_statistics",
    "wave_tables",
]
