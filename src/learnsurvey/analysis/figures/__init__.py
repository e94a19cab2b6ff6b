"""The contract between analysis and every view: a wave's figures, computed once.

:func:`build_wave_figures` turns :class:`~learnsurvey.analysis.inputs.ReportInputs` into
:class:`WaveFigures` — each school's, each trust's and the global figures as pydantic
models, every table already cleared by :mod:`learnsurvey.stats.disclosure`. The dashboards,
the JSON API, the exports and the reports read these models and compute nothing of their
own. Django-free.
"""

from .global_ import GlobalFigures, build_global_figures
from .over_time import (
    GlobalOverTime,
    OverTimeFigures,
    SchoolOverTime,
    TrustOverTime,
    build_over_time_figures,
)
from .school import SchoolFigures, build_school_figures
from .trust import TrustFigures, build_trust_figures
from .wave import WaveFigures, build_wave_figures

__all__ = [
    "GlobalFigures",
    "GlobalOverTime",
    "OverTimeFigures",
    "SchoolFigures",
    "SchoolOverTime",
    "TrustFigures",
    "TrustOverTime",
    "WaveFigures",
    "build_global_figures",
    "build_over_time_figures",
    "build_school_figures",
    "build_trust_figures",
    "build_wave_figures",
]
