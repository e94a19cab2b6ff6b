"""The global figures of a wave: everything the researchers' tables and the global report show.

:func:`build_global_figures` computes them once per wave from
:class:`~learnsurvey.analysis.inputs.ReportInputs`: the wave tables
(:func:`~learnsurvey.analysis.tables.wave_tables`, the researchers' page, oblimin rotation),
the pattern matrix as the Phase One report published it (promax), the key-stage and
primary→secondary effects and the learning-focused schools against the rest — every effect
computed from the sufficient statistics, every table through
:mod:`learnsurvey.stats.disclosure`. Figures carry ids (dimension, factor, group, rating and
school keys); the views look up names and call :meth:`GlobalFigures.school_label`.
Django-free.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from learnsurvey.stats.disclosure import DisclosureError

from ..dashboard import NOT_COMPUTABLE, TOO_FEW, to_records
from ..inputs import ReportInputs
from ..psychometrics import Rotation, factor_tables
from ..tables import wave_tables
from ._global_groups import gender_figures, key_stage_figures
from ._global_models import (
    CountRow,
    Effect,
    FocusedFigures,
    FocusedSchool,
    GenderFigures,
    GlobalFigures,
    GroupContext,
    GroupMean,
    InspectionFigures,
    KeyStageFigures,
    LoadingRow,
    PatternFigures,
    ProfileRow,
    RatingAnova,
    RatingMean,
    ReliabilityFigure,
    SampleFigures,
    SchoolScore,
    ScoreSummary,
    TopBottom,
)
from ._global_sample import sample_figures
from ._global_schools import focused_figures, inspection_figures, top_bottom_figures
from ._global_scores import pattern_figures, reliability_figures, score_summaries

__all__ = [
    "CountRow",
    "Effect",
    "FocusedFigures",
    "FocusedSchool",
    "GenderFigures",
    "GlobalFigures",
    "GroupContext",
    "GroupMean",
    "InspectionFigures",
    "KeyStageFigures",
    "LoadingRow",
    "PatternFigures",
    "ProfileRow",
    "RatingAnova",
    "RatingMean",
    "ReliabilityFigure",
    "SampleFigures",
    "SchoolScore",
    "ScoreSummary",
    "TopBottom",
    "build_global_figures",
]

PUBLISHED_ROTATION: Rotation = "promax"
"""The rotation of the Phase One report's pattern matrix."""


def _wave_tables(inputs: ReportInputs) -> tuple[dict[str, pd.DataFrame] | None, str]:
    stats = inputs.current.stats
    try:
        tables = wave_tables(stats, threshold=inputs.threshold)
        pattern, phi, _ = factor_tables(stats, rotation=PUBLISHED_ROTATION)
    except DisclosureError:
        # Its message names a count below the threshold: keep only the reason.
        return None, TOO_FEW
    except (ValueError, np.linalg.LinAlgError):
        # Too little or too uniform data for the factor analysis: say so rather than fail.
        return None, NOT_COMPUTABLE
    return tables | {"published_pattern": pattern, "published_correlations": phi}, ""


def _named(schools: pd.DataFrame) -> dict[str, str]:
    opted = schools[schools["research_opt_in"].astype(bool)]
    return {str(s): str(n) for s, n in zip(opted["school"], opted["name"], strict=True)}


def build_global_figures(inputs: ReportInputs) -> GlobalFigures:
    """The global figures of ``inputs``' wave (see the module's docstring).

    When the wave has fewer pupils than the threshold, or too little variation for the
    factor analysis, ``failure`` says so and only the sample (if it may be shown) is given.
    """
    has_context = bool(inputs.schools["inspection_rating"].notna().any())
    base: dict[str, Any] = {
        "wave": inputs.wave,
        "threshold": inputs.threshold,
        "has_context": has_context,
        "school_numbers": inputs.school_numbers,
        "named_schools": _named(inputs.schools),
        "sample": sample_figures(inputs),
    }
    tables, failure = _wave_tables(inputs)
    if tables is None:
        return GlobalFigures(**base, failure=failure)
    shown = {k: v for k, v in tables.items() if not k.startswith("published_")}
    return GlobalFigures(
        **base,
        failure="",
        tables={name: to_records(table) for name, table in shown.items()},
        reliability=reliability_figures(tables["reliability"]),
        pattern=pattern_figures(
            inputs.instrument, tables["published_pattern"], tables["published_correlations"]
        ),
        scores=score_summaries(tables),
        key_stages=key_stage_figures(inputs, tables["key_stage_trend"]),
        genders=gender_figures(inputs, tables),
        top_bottom=top_bottom_figures(tables),
        inspection=inspection_figures(inputs, tables["school_summary"]) if has_context else None,
        focused=focused_figures(inputs, tables["school_summary"], has_context=has_context),
    )
