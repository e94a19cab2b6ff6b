"""The platform's data as :class:`~learnsurvey.reports.ReportInputs`: a wave's responses
streamed out of the database, the schools' context, the previous wave and the staff survey
(all staff, and by role); and as a :class:`~learnsurvey.analysis.timeline.Timeline`, the
series of waves of one instrument that ends at a wave (:func:`timeline_from_database`).

The same inputs a responses file gives (:func:`learnsurvey.reports.inputs_from_files`), so
the reports do not know where their figures came from. School keys are URNs.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

import pandas as pd
from django.conf import settings
from django.db.models import Count, Max, Q

from learnsurvey.analysis import DashboardBuilder, DashboardStatistics
from learnsurvey.analysis.timeline import SEASONS, Season, Timeline, TimelineWave, season_of
from learnsurvey.reports import ReportInputs, school_context
from learnsurvey.reports.inputs import CONTEXT_COLUMNS
from learnsurvey.web.dashboards.chunks import response_chunks
from learnsurvey.web.schools.imports import outcomes_version
from learnsurvey.web.schools.models import OutcomeValue, School, Trust
from learnsurvey.web.waves.models import Response, SchoolDeletion, Wave
from learnsurvey.web.waves.publication import do_publish_wave

__all__ = [
    "find_trust",
    "find_wave",
    "inputs_from_database",
    "inputs_version",
    "outcomes_from_database",
    "previous_wave",
    "series_publications",
    "series_waves",
    "staff_wave",
    "timeline_from_database",
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
    its previous wave and of its staff survey (index look-ups), the threshold, the imported
    context and outcomes (:func:`~learnsurvey.web.schools.imports.outcomes_version`) and the
    newest deletion of a leaving school's answers (which removes responses without adding
    one, and may reach the wave only through its series). Equal versions mean equal inputs,
    so built reports may be reused."""

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
        *outcomes_version(),
        int(SchoolDeletion.objects.aggregate(m=Max("id"))["m"] or 0),
    )


def _statistics(
    wave: Wave,
    progress: Progress | None = None,
    *,
    roles: Collection[str] | None = None,
    publish: bool = True,
) -> DashboardStatistics:
    # Rule 9 (H-privacy): figures count published responses only; publish first whatever
    # pending responses now form a safe batch (do_publish_wave decides which).
    if publish:
        do_publish_wave(wave)
    builder = DashboardBuilder(wave.instrument())
    for chunk in response_chunks(wave, roles=roles, progress=progress):
        builder.add(chunk)
    return builder.result()


def _staff_by_role(staff: Wave) -> dict[str, DashboardStatistics]:
    """The staff survey split by role (the staff instrument's ``demographics.roles``), for
    each role with published responses. The wave was just published for "all staff": the
    roles read the same publication (no new batch in between), so they add up to it."""
    roles = [r.id for r in staff.instrument().demographics.roles]
    answered = set(
        Response.objects.filter(wave=staff, publication__isnull=False, role__in=roles)
        .values_list("role", flat=True)
        .distinct()
    )
    return {
        role: _statistics(staff, roles=[role], publish=False) for role in roles if role in answered
    }


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
            "eal_pct": s.eal_pct,
            "send_pct": s.send_pct,
            "pupils": s.pupils,
            "region": s.region or None,
        }
        for s in School.objects.filter(urn__in=urns).select_related("trust")
    ]
    table = pd.DataFrame(rows, columns=list(CONTEXT_COLUMNS))
    return school_context(table, urns)


OUTCOME_COLUMNS = ("school", "year", "measure", "unit", "value")


def outcomes_from_database(urns: Collection[str]) -> pd.DataFrame | None:
    """The stored outcome measures of the schools ``urns``, every year, long (the table of
    :attr:`ReportInputs.outcomes`: school, year, measure, unit, value); None when they have
    none."""
    rows = list(
        OutcomeValue.objects.filter(school__urn__in=list(urns))
        .order_by("school__urn", "year", "measure")
        .values_list("school__urn", "year", "measure", "unit", "value")
    )
    if not rows:
        return None
    table = pd.DataFrame(rows, columns=list(OUTCOME_COLUMNS))
    table["value"] = table["value"].astype(float)
    return table


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
    staff_statistics = _statistics(staff) if staff is not None else None
    urns = list(current.item_schools)
    return ReportInputs(
        wave=wave.name,
        current=current,
        schools=_context(urns),
        threshold=int(settings.MIN_GROUP_SIZE if threshold is None else threshold),
        previous=_statistics(previous) if previous is not None else None,
        previous_wave=previous.name if previous is not None else None,
        staff=staff_statistics,
        staff_by_role=_staff_by_role(staff) if staff is not None else {},
        joined=tuple(wave.participations.order_by("pk").values_list("school__urn", flat=True)),
        outcomes=outcomes_from_database(urns),
    )


def _season(wave: Wave) -> Season:
    """The wave's season as stored, or (left blank) the term its opening date falls in."""
    for season in SEASONS:
        if wave.season == season:
            return season
    return season_of(wave.opens)


def series_waves(wave: Wave) -> list[Wave]:
    """The waves of the series that ends at ``wave``, oldest first: every wave of the same
    instrument id that opened up to and including ``wave`` (a wave opened the same day and
    created earlier counts as earlier), can be read with the installed instrument and has
    published responses (pending ones are offered for publication first)."""
    candidates = Wave.objects.filter(instrument_id=wave.instrument_id).filter(
        Q(opens__lt=wave.opens) | Q(opens=wave.opens, pk__lte=wave.pk)
    )
    found = []
    for candidate in candidates.order_by("opens", "pk"):
        try:
            candidate.instrument()
        except ValueError:  # another instrument version: its answers do not line up
            continue
        do_publish_wave(candidate)
        if Response.objects.filter(wave=candidate, publication__isnull=False).exists():
            found.append(candidate)
    return found


def series_publications(wave: Wave) -> dict[str, int]:
    """The newest publication number of each wave that may join the series ending at
    ``wave`` (by wave id, as text): what the series' figures depend on, in one query."""
    rows = (
        Wave.objects.filter(instrument_id=wave.instrument_id)
        .filter(Q(opens__lt=wave.opens) | Q(opens=wave.opens, pk__lte=wave.pk))
        .annotate(last=Max("publications__number"), n=Count("publications"))
        .filter(n__gt=0)
        .values_list("pk", "last")
    )
    return {str(pk): int(last or 0) for pk, last in rows}


def timeline_from_database(
    wave: Wave | int,
    *,
    threshold: int | None = None,
    known: Mapping[int, DashboardStatistics] | None = None,
) -> Timeline:
    """The series of waves that ends at ``wave`` (:func:`series_waves`) as a
    :class:`~learnsurvey.analysis.timeline.Timeline`: each wave's published responses read
    with its own instrument version, its season and opening date, and the school context of
    every school in the series as the database holds it now.

    ``known`` gives statistics already built, by wave id (the wave's own inputs), so that
    nothing is read twice. ``threshold`` defaults to ``settings.MIN_GROUP_SIZE``."""
    if not isinstance(wave, Wave):
        wave = find_wave(wave)
    known = known or {}
    steps = []
    urns: set[str] = set()
    for member in series_waves(wave):
        statistics = known.get(member.pk) or _statistics(member)
        urns.update(str(u) for u in statistics.item_schools)
        steps.append(
            TimelineWave(
                wave=member.name,
                statistics=statistics,
                season=_season(member),
                opens=member.opens,
            )
        )
    if not steps:
        raise ValueError(f"wave {wave.name!r} has no published responses")
    return Timeline(
        waves=tuple(steps),
        schools=_context(sorted(urns)),
        threshold=int(settings.MIN_GROUP_SIZE if threshold is None else threshold),
    )
