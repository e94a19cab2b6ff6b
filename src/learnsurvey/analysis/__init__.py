"""Survey analysis: scores, sufficient statistics and the result tables of a wave.

Django-free: it takes response files or chunks and returns tidy pandas tables.
"""

from .context import inspection_table, read_context
from .run import AnalysisResult, analyse_file
from .scoring import ScoreLayout, score_answers
from .statistics import StatisticsBuilder, WaveStatistics, wave_statistics
from .tables import TABLE_NAMES, wave_tables

__all__ = [
    "TABLE_NAMES",
    "AnalysisResult",
    "ScoreLayout",
    "StatisticsBuilder",
    "WaveStatistics",
    "analyse_file",
    "inspection_table",
    "read_context",
    "score_answers",
    "wave_statistics",
    "wave_tables",
]
