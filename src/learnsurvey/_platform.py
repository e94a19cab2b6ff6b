"""The command line's one way into the platform's database.

``learnsurvey report --wave`` and ``learnsurvey export`` read what the web platform stores.
They do it through this module alone, so that the CLI stays a thin layer over the library
and knows nothing of Django, its models or the web packages: every function here starts
Django when first called (``DJANGO_SETTINGS_MODULE`` defaults to the platform's settings),
takes and returns plain values, and raises :class:`ValueError` for anything the user named
that is not there. File-based commands never import this module.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

    from learnsurvey.analysis.figures.outcomes import OutcomeFigures
    from learnsurvey.analysis.figures.over_time import OverTimeFigures
    from learnsurvey.analysis.figures.school import SchoolFigures
    from learnsurvey.analysis.inputs import ReportInputs

__all__ = [
    "ALL_TABLES",
    "PlatformWave",
    "ResponseExport",
    "StoredSchoolFigures",
    "find_wave",
    "global_tables",
    "over_time_figures",
    "plan_response_export",
    "report_inputs",
    "require_school",
    "stored_school_figures",
    "trust_name",
    "wave_by_id",
]

ALL_TABLES = "all"  # the word the web downloads use too (learnsurvey.web.exports.tables.ALL)
"""The table name that asks for every global table at once (one workbook)."""

Progress = Callable[[int], None]


@dataclass(frozen=True)
class PlatformWave:
    """A wave of the platform, as the CLI needs to know it."""

    id: int
    name: str
    _model: Any = field(repr=False, compare=False)

    def count_responses(self) -> int:
        """Pupil responses stored for the wave (the total of a progress bar): the published
        ones and those waiting, which the read publishes first when they form a safe batch,
        so the bar may stop short of its total."""
        from learnsurvey.web.waves.models import Response

        return int(Response.objects.filter(wave=self._model).count())


def _wave(model: Any) -> PlatformWave:
    return PlatformWave(id=int(model.pk), name=str(model.name), _model=model)


@cache
def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnsurvey.web.settings")
    import django

    django.setup()


def find_wave(ref: str | int) -> PlatformWave:
    """The wave with this id (or, failing that, this exact name)."""
    _django()
    from learnsurvey.web.reports.sources import find_wave as find

    return _wave(find(ref))


def wave_by_id(wave_id: int) -> PlatformWave:
    """The wave with this id (its number), and only that."""
    _django()
    from learnsurvey.web.waves.models import Wave

    found = Wave.objects.filter(pk=wave_id).first()
    if found is None:
        raise ValueError(f"there is no wave {wave_id}")
    return _wave(found)


def require_school(urn: str) -> None:
    """Raise :class:`ValueError` unless the platform has a school with this URN."""
    _django()
    from learnsurvey.web.schools.models import School

    if not School.objects.filter(urn=urn).exists():
        raise ValueError(f"no school with URN {urn!r}")


def trust_name(ref: str) -> str:
    """The name (the reports' key) of the trust with this id or exact name."""
    _django()
    from learnsurvey.web.reports.sources import find_trust

    return str(find_trust(ref).name)


def report_inputs(
    wave: PlatformWave, *, threshold: int | None, progress: Progress | None = None
) -> ReportInputs:
    """Everything the reports of ``wave`` read, streamed from the database.

    ``threshold`` defaults to the platform's setting; ``progress`` hears the number of
    responses read after each chunk."""
    _django()
    from learnsurvey.web.reports.sources import inputs_from_database

    return inputs_from_database(wave._model, threshold=threshold, progress=progress)


def over_time_figures(wave: PlatformWave, *, threshold: int | None) -> OverTimeFigures | None:
    """The figures over time of the series ending at ``wave``, as the dashboards show them
    (brought up to date first); None for a series of one wave, or when ``threshold`` is not
    the platform's (the stored figures were cleared at the platform's threshold)."""
    _django()
    from django.conf import settings

    from learnsurvey.web.dashboards.over_time_store import over_time_parts
    from learnsurvey.web.dashboards.results import fresh_result

    if threshold is not None and threshold != int(settings.MIN_GROUP_SIZE):
        return None
    fresh_result(wave._model)
    stored = over_time_parts(wave._model.pk)
    return stored[0] if stored is not None else None


@dataclass(frozen=True)
class StoredSchoolFigures:
    """A school's figures as the platform computed and stored them for its dashboards and
    report pages, and the wave's learning beside outcomes that its report reads beside them."""

    schools: dict[str, SchoolFigures]
    """The school's figures by URN: empty when the school has no responses in the wave."""
    outcomes: OutcomeFigures | None
    """The wave's outcome figures (without every school's own rows); None: no outcomes."""


def stored_school_figures(
    wave: PlatformWave, urn: str, *, threshold: int | None
) -> StoredSchoolFigures | None:
    """The figures of the school ``urn`` in ``wave`` as stored (brought up to date first),
    so that a report of one school does not compute the whole wave's again; None when
    ``threshold`` is not the platform's (the stored figures were cleared at the platform's).
    """
    _django()
    from django.conf import settings

    from learnsurvey.analysis.figures.outcomes import OutcomeFigures
    from learnsurvey.web.dashboards.results import fresh_result, school_figures
    from learnsurvey.web.waves.models import WaveResult

    if threshold is not None and threshold != int(settings.MIN_GROUP_SIZE):
        return None
    result = fresh_result(wave._model)
    found = school_figures(result, urn)
    # Only the outcomes of the payload: the rest (the global tables) is large and unread.
    outcomes = (
        WaveResult.objects.filter(pk=result.pk).values_list("payload__outcomes", flat=True).first()
    )
    return StoredSchoolFigures(
        schools={urn: found} if found is not None else {},
        outcomes=OutcomeFigures.model_validate(outcomes) if outcomes else None,
    )


@dataclass(frozen=True)
class ResponseExport:
    """The anonymised response-level release of a wave, planned but not yet written."""

    n_rows: int
    _wave: Any = field(repr=False)
    _plan: Any = field(repr=False)

    def write(self, fmt: str, out: Path, *, progress: Progress | None = None) -> int:
        """Write the release as ``fmt`` (csv, xlsx, parquet) to ``out``; rows written."""
        from learnsurvey.web.exports.streams import export_responses

        return int(export_responses(self._wave, fmt, out, plan=self._plan, progress=progress))


def plan_response_export(wave: PlatformWave) -> ResponseExport:
    """Which responses the research release of ``wave`` holds (the web download's plan)."""
    _django()
    from learnsurvey.web.exports.streams import plan_responses

    plan = plan_responses(wave._model)
    return ResponseExport(n_rows=int(plan.n_rows), _wave=wave._model, _plan=plan)


def global_tables(wave: PlatformWave) -> dict[str, pa.Table]:
    """The wave's global tables by name, as the web downloads them (already suppressed)."""
    _django()
    from learnsurvey.web.dashboards.results import global_payload
    from learnsurvey.web.exports.tables import global_tables as tables

    return tables(global_payload(wave._model))
