"""The platform's data as :class:`~learnsurvey.reports.ReportInputs`: a wave's responses
streamed out of the database, the schools' context, the previous wave and the staff survey.

The same inputs a responses file gives (:func:`learnsurvey.reports.inputs_from_files`), so
the reports do not know where their figures came from. School keys are URNs.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from django.conf import settings
from django.db.models import Max

from learnsurvey.analysis import DashboardBuilder, DashboardStatistics
from learnsurvey.reports import ReportInputs, school_context
from learnsurvey.reports.inputs import CONTEXT_COLUMNS
from learnsurvey.web.dashboards.chunks import response_chunks
from learnsurvey.web.schools.models import School, Trust
from learnsurvey.web.waves.models import Response, Wave
from learnsurvey.web.waves.publication import do_publish_wave

__all__ = [
    "find_trust",
    "find_wave",
    "inputs_from_database",
    "inputs_version",
    "previous_wave",
    "staff_wave",
]

Progress = Callable[[int], None]
STAFF_INSTRUMENT = "staff-survey"


def find_wave(ref: str | int) -> Wave:
    """A wave by id (or, failing that, by its exact name). ValueError if there is none."""
    return _by_id_or_name(Wave, ref, "wave")


def find_trust(ref: str | int) -> Trust:
    """A trust by id (or, failing that, by its exact name). ValueError if there is none."""
    return _by_id_or_name(Trust, ref, "trust")


def _by_id_or_name[M: (Wave, Trust)](model: type[M], ref: str | int, what: str) -> M:
    text = str(ref).strip()
    found = model._default_manager.filter(pk=int(text)).first() if text.isdigit() else None
    if found is None:
        found = model._default_manager.filter(name=text).first()
    if found is None:
        raise ValueError(f"no {what} with id or name {text!r}")
    return found


def _has_responses(wave: Wave) -> bool:
    return Response.objects.filter(wave=wave).exists()


def previous_wave(wave: Wave) -> Wave | None:
    """The most recent wave of the same instrument that opened before ``wave`` and has
    responses (its installed version must still read them, or it is passed over)."""
    earlier = Wave.objects.filter(instrument_id=wave.instrument_id, opens__lt=wave.opens).order_by(
        "-opens", "-pk"
    )
    for candidate in earlier:
        if not _has_responses(candidate):
            continue
        try:
            candidate.instrument()
        except ValueError:  # another instrument version: its answers do not line up
            continue
        return candidate
    return None


def staff_wave(wave: Wave) -> Wave | None:
    """The staff survey paired with ``wave`` (``Wave.pupil_wave``) that has responses."""
    for candidate in Wave.objects.filter(pupil_wave=wave, instrument_id=STAFF_INSTRUMENT):
        if _has_responses(candidate):
            return candidate
    return None


def inputs_version(wave: Wave) -> tuple[int, ...]:
    """What the inputs of ``wave`` depend on, cheaply: the newest response id of the wave, of
    its previous wave and of its staff survey (index look-ups), and the threshold. Equal
    versions mean equal inputs, so built reports may be reused."""

    def newest(w: Wave | None) -> int:
        if w is None:
            return 0
        return int(Response.objects.filter(wave=w).aggregate(m=Max("id"))["m"] or 0)

    previous, staff = previous_wave(wave), staff_wave(wave)
    return (
        wave.pk,
        newest(wave),
        previous.pk if previous else 0,
        newest(previous),
        staff.pk if staff else 0,
        newest(staff),
        int(settings.MIN_GROUP_SIZE),
    )


def _statistics(wave: Wave, progress: Progress | None = None) -> DashboardStatistics:
    # Rule 9 (H-privacy): figures count published responses only; publish first whatever
    # pending responses now form a safe batch (do_publish_wave decides which).
    do_publish_wave(wave)
    builder = DashboardBuilder(wave.instrument())
    for chunk in response_chunks(wave, progress=progress):
        builder.add(chunk)
    return builder.result()


def _context(urns: list[str]) -> pd.DataFrame:
    rows = [
        {
            "school": s.urn,
            "name": s.name,
            "trust": s.trust.name if s.trust is not None else None,
            "phase": s.phase or None,
            "fsm_pct": s.fsm_pct,
            "inspection_rating": s.inspection_rating or None,
            "research_opt_in": s.research_opt_in,
        }
        for s in School.objects.filter(urn__in=urns).select_related("trust")
    ]
    table = pd.DataFrame(rows, columns=list(CONTEXT_COLUMNS))
    return school_context(table, urns)


def inputs_from_database(
    wave: Wave | int,
    *,
    threshold: int | None = None,
    progress: Progress | None = None,
) -> ReportInputs:
    """Everything the reports of ``wave`` read, from the database.

    Responses are streamed in chunks (memory stays bounded at any wave size); ``progress``
    is called with the number of pupil responses read after each chunk. ``threshold``
    defaults to ``settings.MIN_GROUP_SIZE``."""
    if not isinstance(wave, Wave):
        wave = find_wave(wave)
    current = _statistics(wave, progress)
    previous = previous_wave(wave)
    staff = staff_wave(wave)
    return ReportInputs(
        wave=wave.name,
        current=current,
        schools=_context(list(current.item_schools)),
        threshold=int(settings.MIN_GROUP_SIZE if threshold is None else threshold),
        previous=_statistics(previous) if previous is not None else None,
        previous_wave=previous.name if previous is not None else None,
        staff=_statistics(staff) if staff is not None else None,
        joined=tuple(wave.participations.order_by("pk").values_list("school__urn", flat=True)),
    )
