"""Learning beside outcomes as the pages and the API read it: the stored figures of the
wave (:class:`~learnsurvey.analysis.figures.outcomes.OutcomeFigures`, kept in the wave's
payload by :mod:`.compute`) with the names of the scores, and one school's own standing on
each measure (kept in its figures).

No statistics here: every figure is the contract's, already cleared by disclosure.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from learnsurvey.analysis.figures import outcomes as contract
from learnsurvey.analysis.figures.global_ import InspectionFigures
from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.models import Wave, WaveResult

from .models import SchoolResult
from .named import Names
from .payloads import Payload
from .results import current_result

__all__ = [
    "GlobalOutcomes",
    "NamedBin",
    "NamedCorrelation",
    "SchoolOutcomes",
    "global_outcomes",
    "school_outcomes",
    "stored_school_outcomes",
]


class NamedCorrelation(contract.OutcomeCorrelation):
    """A correlation with the score's name as the reader sees it."""

    name: str


class NamedBin(contract.OutcomeBin):
    """A bin of the binned scatter with the score's name."""

    name: str


class GlobalOutcomes(Payload):
    """Learning beside outcomes over every school of a wave (researchers, platform admins)."""

    wave_id: int
    wave_name: str
    computed: datetime | None
    available: bool
    """False when the wave has no outcome measures (or no results yet)."""
    measures: list[contract.OutcomeMeasure] = []
    correlations: list[NamedCorrelation] = []
    bins: list[NamedBin] = []
    inspection: InspectionFigures | None = None
    """School means by inspection rating (the Phase One comparison); None without ratings."""


class SchoolOutcomes(Payload):
    """Where one school stands on each outcome measure: its own value and the share of the
    other schools with a lower one."""

    wave_id: int
    wave_name: str
    urn: str
    school_name: str
    computed: datetime | None
    outcomes: list[contract.SchoolOutcome] = []


def _stored(result: WaveResult, key: str) -> Any:
    found = WaveResult.objects.filter(pk=result.pk).values_list(f"payload__{key}", flat=True)
    return found.first()


def global_outcomes(wave: Wave) -> GlobalOutcomes:
    """The wave's learning beside outcomes, read from its cached result."""
    result = current_result(wave)
    base: dict[str, Any] = {
        "wave_id": wave.pk,
        "wave_name": wave.name,
        "computed": result.computed if result is not None else None,
    }
    stored = _stored(result, "outcomes") if result is not None else None
    inspection = _stored(result, "inspection") if result is not None else None
    figures = contract.OutcomeFigures.model_validate(stored) if stored else None
    shown = InspectionFigures.model_validate(inspection) if inspection else None
    if figures is None:
        return GlobalOutcomes(**base, available=False, inspection=shown)
    names = Names(wave.instrument())
    return GlobalOutcomes(
        **base,
        available=bool(figures.measures),
        measures=figures.measures,
        correlations=[
            NamedCorrelation(**c.model_dump(), name=names.score_or_id(c.kind, c.score))
            for c in figures.correlations
        ],
        bins=[
            NamedBin(**b.model_dump(), name=names.score_or_id(b.kind, b.score))
            for b in figures.bins
        ],
        inspection=shown,
    )


def stored_school_outcomes(result: WaveResult | None, urn: str) -> list[contract.SchoolOutcome]:
    """The school's own rows in ``result`` (empty: no outcomes, or no figures of the school)."""
    if result is None:
        return []
    found = SchoolResult.objects.filter(result=result, urn=urn).values_list(
        "payload__outcomes", flat=True
    )
    rows = found.first() or []
    return [contract.SchoolOutcome.model_validate(r) for r in rows]


def school_outcomes(wave: Wave, school: School) -> SchoolOutcomes:
    """Where ``school`` stands on each outcome measure in ``wave``'s figures."""
    result = current_result(wave)
    return SchoolOutcomes(
        wave_id=wave.pk,
        wave_name=wave.name,
        urn=school.urn,
        school_name=school.name,
        computed=result.computed if result is not None else None,
        outcomes=stored_school_outcomes(result, school.urn),
    )
