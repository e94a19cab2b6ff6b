"""Survey analysis: scores, sufficient statistics and the result tables of a wave.

Django-free: it takes response files or chunks and returns tidy pandas tables.
"""

from .context import inspection_table, read_context
from .dashboard import DashboardBuilder, DashboardStatistics, dashboard_payload, school_spread
from .run import AnalysisResult, analyse_file
from .scoring import ScoreLayout, score_answers
from .statistics import StatisticsBuilder, WaveStatistics, wave_statistics
from .tables import TABLE_NAMES, wave_tables

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
