"""Synthetic waves written to files, as ``learnsurvey synth`` writes them.

One responses file (every wave, with its label in the ``wave`` column), the school context
beside it (``<name>.schools.csv``: every school that ever took part), with several waves
the planted changes (``<name>.changes.csv``) and, when asked, the staff's answers
(``<name>.staff.<ext>``, with a ``role`` column, for the staff instrument) and the schools'
outcome measures (``<name>.outcomes.csv`` beside the context, long: school, urn, year,
measure, unit, value; :mod:`.outcomes`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from learnsurvey.instruments import Instrument, load_instrument
from learnsurvey.io import write_responses

from .model import ResponseModel
from .outcomes import series_outcomes
from .params import SynthParams
from .staff import StaffModel
from .waves import SyntheticWaves, plan_waves

__all__ = ["STAFF_INSTRUMENT", "SynthFiles", "write_synthetic"]

STAFF_INSTRUMENT = "staff-survey"


@dataclass(frozen=True)
class SynthFiles:
    """What :func:`write_synthetic` wrote."""

    series: SyntheticWaves
    responses: Path
    rows: int
    context: Path
    changes: Path | None
    staff: Path | None
    staff_rows: int
    outcomes: Path | None = None


def staff_path(out: Path) -> Path:
    """Where the staff file of ``out`` goes: ``phase-one.csv`` → ``phase-one.staff.csv``."""
    return out.with_name(f"{out.stem}.staff{out.suffix}")


def write_synthetic(
    out: Path,
    *,
    instrument: Instrument,
    params: SynthParams,
    n_responses: int,
    n_schools: int,
    seed: int,
    n_waves: int = 1,
    staff: bool = False,
    context: Path | None = None,
    outcomes: bool = False,
    on_rows: Callable[[int], None] | None = None,
) -> SynthFiles:
    """Write ``n_waves`` synthetic waves (the first of ``n_responses`` pupils in
    ``n_schools`` schools) and their companions; ValueError on impossible sizes.

    With one wave, no staff and no outcomes the files are exactly those of earlier
    versions."""
    if n_responses < n_schools:
        raise ValueError("--responses must be at least --schools")
    model = ResponseModel(instrument, params)
    series = plan_waves(model, n_responses, n_schools, seed, n_waves)
    rows = write_responses(out, series.tables(), on_rows=on_rows)
    context = context or out.with_name(f"{out.stem}.schools.csv")
    context.parent.mkdir(parents=True, exist_ok=True)
    series.schools_frame().to_csv(context, index=False)
    changes = None
    if n_waves > 1:
        changes = out.with_name(f"{out.stem}.changes.csv")
        series.changes_frame().to_csv(changes, index=False)
    staff_file, staff_rows = None, 0
    if staff:
        staff_model = StaffModel.default(model, load_instrument(STAFF_INSTRUMENT))
        staff_file = staff_path(out)
        staff_rows = write_responses(staff_file, staff_model.tables(series))
    outcomes_file = None
    if outcomes:
        outcomes_file = outcomes_path(out, context)
        series_outcomes(series).to_csv(outcomes_file, index=False)
    return SynthFiles(series, out, rows, context, changes, staff_file, staff_rows, outcomes_file)


def outcomes_path(out: Path, context: Path) -> Path:
    """Where the outcomes of ``out`` go: beside the context, ``<name>.outcomes.csv``."""
    return context.with_name(f"{out.stem}.outcomes.csv")
