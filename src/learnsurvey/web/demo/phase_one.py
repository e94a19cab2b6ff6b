"""The calibrated synthetic Phase One wave alone (the first wave of the demo's series).

The same generator as ``learnsurvey demo`` (seed 2021: 87 schools, 29,940 pupils) feeds two
things at once: the database (trusts, schools, the wave, participations, access codes and
the responses, bulk-inserted) and a Parquet file the core analysis reads, so the headline
"published Phase One figures reproduced" is computed exactly as the CLI computes it.
``make demo`` loads three waves and their staff surveys (:mod:`.series`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from learnsurvey.analysis import AnalysisResult
from learnsurvey.web.schools.models import School, Trust
from learnsurvey.web.waves.models import AccessCode, Wave

from .series import (
    PHASE_ONE_RESPONSES,
    PHASE_ONE_SCHOOLS,
    PHASE_ONE_SEED,
    RESEARCH_OPT_IN_EVERY,
    load_demo,
    plan_demo,
)
from .storing import BATCH_ROWS, answer_strings

__all__ = [
    "BATCH_ROWS",
    "PHASE_ONE_RESPONSES",
    "PHASE_ONE_SCHOOLS",
    "PHASE_ONE_SEED",
    "RESEARCH_OPT_IN_EVERY",
    "LoadedWave",
    "answer_strings",
    "load_phase_one",
]


@dataclass(frozen=True)
class LoadedWave:
    wave: Wave
    schools: list[School]
    trusts: list[Trust]
    codes: dict[str, AccessCode]
    """One access code per school, keyed by URN."""
    n_responses: int
    analysis: AnalysisResult
    """The core library's analysis of the same responses (promax, with school context)."""


def load_phase_one(
    *,
    n_responses: int = PHASE_ONE_RESPONSES,
    n_schools: int = PHASE_ONE_SCHOOLS,
    seed: int = PHASE_ONE_SEED,
    on_rows: Callable[[int], None] | None = None,
) -> LoadedWave:
    """Create the wave and its schools and store every synthetic response (one transaction)."""
    plan = plan_demo(
        n_responses=n_responses, n_schools=n_schools, seed=seed, n_waves=1, staff=False
    )
    demo = load_demo(plan, on_rows=on_rows)
    first = demo.first
    return LoadedWave(
        first.wave, demo.schools, demo.trusts, first.codes, first.n_responses, demo.analysis
    )
