"""A wave's figures, built once: every school's, every trust's and the global figures.

The dashboards, the JSON API and the three reports read :class:`WaveFigures` (or the part
of it they need) and compute nothing of their own. Django-free.
"""

from __future__ import annotations

from ..inputs import ReportInputs
from ._base import Figures
from .global_ import GlobalFigures, build_global_figures
from .school import SchoolFigures, build_school_figures
from .trust import TrustFigures, build_trust_figures

__all__ = ["WaveFigures", "build_wave_figures"]


class WaveFigures(Figures):
    """Everything a wave's views show, cleared by :mod:`learnsurvey.stats.disclosure`."""

    wave: str
    threshold: int
    schools: dict[str, SchoolFigures]
    """By the school's key in the responses (the URN on the platform)."""
    trusts: dict[str, TrustFigures]
    """By trust name."""
    global_: GlobalFigures


def build_wave_figures(inputs: ReportInputs) -> WaveFigures:
    """The figures of the wave of ``inputs``: schools, trusts and the global figures."""
    return WaveFigures(
        wave=inputs.wave,
        threshold=inputs.threshold,
        schools=build_school_figures(inputs),
        trusts=build_trust_figures(inputs),
        global_=build_global_figures(inputs),
    )
