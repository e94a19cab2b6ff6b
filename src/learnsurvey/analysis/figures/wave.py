"""A wave's figures, built once: every school's, every trust's and the global figures.

The dashboards, the JSON API and the three reports read :class:`WaveFigures` (or the part
of it they need) and compute nothing of their own. Django-free.
"""

from __future__ import annotations

from ..inputs import ReportInputs
from ._base import Figures
from .global_ import GlobalFigures, build_global_figures
from .outcomes import OutcomeFigures
from .school import SchoolFigures, build_school_figures
from .staff import StaffVoices, build_staff_voices
from .trust import TrustFigures, build_trust_figures

__all__ = ["WaveFigures", "build_wave_figures", "with_outcomes"]


class WaveFigures(Figures):
    """Everything a wave's views show, cleared by :mod:`learnsurvey.stats.disclosure`."""

    wave: str
    threshold: int
    schools: dict[str, SchoolFigures]
    """By the school's key in the responses (the URN on the platform)."""
    trusts: dict[str, TrustFigures]
    """By trust name."""
    global_: GlobalFigures
    outcomes: OutcomeFigures | None = None
    """Learning beside outcomes (None when the wave has no outcome measures)."""


def build_wave_figures(inputs: ReportInputs) -> WaveFigures:
    """The figures of the wave of ``inputs``: schools, trusts and the global figures, with
    each school's and trust's staff voice (:func:`~.staff.build_staff_voices`) when the
    wave has a staff survey, and learning beside outcomes
    (:func:`~learnsurvey.analysis.outcomes.build_outcome_figures`: the wave's and each
    school's own) when it has outcome measures."""
    # Imported here: analysis.outcomes imports this package's models.
    from ..outcomes import build_outcome_figures

    trusts = build_trust_figures(inputs)
    voices = build_staff_voices(inputs, trusts=trusts) if inputs.staff is not None else None
    outcomes = build_outcome_figures(inputs)
    schools = _with_voices(build_school_figures(inputs), voices)
    return WaveFigures(
        wave=inputs.wave,
        threshold=inputs.threshold,
        schools=with_outcomes(schools, outcomes),
        trusts=_with_trust_voices(trusts, voices),
        global_=build_global_figures(inputs),
        outcomes=outcomes,
    )


def with_outcomes(
    schools: dict[str, SchoolFigures], outcomes: OutcomeFigures | None
) -> dict[str, SchoolFigures]:
    """Each school's figures with where it stands on each outcome measure (built once for
    the wave, copied in); unchanged when the wave has no outcomes."""
    if outcomes is None:
        return schools
    return {
        key: figures.model_copy(update={"outcomes": outcomes.schools.get(key, [])})
        for key, figures in schools.items()
    }


def _with_voices(
    schools: dict[str, SchoolFigures], voices: StaffVoices | None
) -> dict[str, SchoolFigures]:
    """Each school's figures with its staff voice (built once, copied in)."""
    if voices is None:
        return schools
    return {
        key: figures.model_copy(update={"staff": voices.schools.get(key)})
        for key, figures in schools.items()
    }


def _with_trust_voices(
    trusts: dict[str, TrustFigures], voices: StaffVoices | None
) -> dict[str, TrustFigures]:
    if voices is None:
        return trusts
    return {
        name: figures.model_copy(update={"staff_voice": voices.trusts.get(name)})
        for name, figures in trusts.items()
    }
