"""A wave's figures computed from the stored responses and stored: the one place that
writes :class:`~learnsurvey.web.waves.models.WaveResult`, :class:`.models.SchoolResult` and
:class:`.models.TrustResult`.

``compute_wave_result`` reads the wave's inputs (responses streamed in chunks, so memory
stays bounded at any number of responses), builds the wave's figures once
(:class:`~learnsurvey.analysis.figures.wave.WaveFigures`, every table already cleared by
:mod:`learnsurvey.stats.disclosure`) and stores each school's and each trust's part as JSON
beside the wave's own tables. Then, in the same pass, the figures over time of the series
of waves that ends at this one (:class:`.models.OverTimeResult`), from the same inputs and
the earlier waves' published responses. Learning beside outcomes
(:class:`~learnsurvey.analysis.figures.outcomes.OutcomeFigures`) is stored in the wave's
payload as ``outcomes`` (without its schools' part, which each school's figures carry), with
the version of the imported outcomes it was computed from (a new import makes it stale).

The task (:mod:`.tasks`) and the readers (:mod:`.results`) both import this module and
neither imports the other, so the import graph has no cycle.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from learnsurvey.analysis.figures.over_time import OverTimeFigures, build_over_time_figures
from learnsurvey.analysis.figures.wave import WaveFigures
from learnsurvey.analysis.labels import school_numbers
from learnsurvey.reports import ReportInputs
from learnsurvey.web.reports.prepared import prepared
from learnsurvey.web.reports.sources import (
    previous_wave,
    series_publications,
    timeline_from_database,
)
from learnsurvey.web.schools.imports import newest_changes, outcomes_version
from learnsurvey.web.waves.models import Publication, Response, Wave, WaveResult
from learnsurvey.web.waves.publication import do_publish_wave

from .chunks import Progress
from .models import OverTimePart, OverTimeResult, SchoolResult, TrustResult
from .over_time_store import over_time_parts

__all__ = [
    "FORMAT",
    "compute_wave_result",
    "is_stale",
    "over_time_parts",
    "school_pseudonyms",
    "stored_result",
]

FORMAT = 3
"""The version of what is stored: a result stored in another format is computed again
(version 2: the schools' and trusts' figures are the contract's; version 3: with the
figures over time and the staff's voice)."""

OverTime = tuple[OverTimeFigures, dict[str, int]]
"""A series' figures over time and the newest publication of each of its waves when they
were read (by wave id, as text; stored in the wave's result as ``series`` even when there is
no series yet): the figures are stale once one has moved on."""


def compute_wave_result(wave: Wave, *, progress: Progress | None = None) -> WaveResult:
    """Compute the wave's figures from every stored response now, store and return them.

    The figures are :func:`~learnsurvey.analysis.figures.wave.build_wave_figures` of the
    wave's inputs, the same object the reports of this process read
    (:func:`learnsurvey.web.reports.prepared.prepared`): built once, shown everywhere."""
    # The id bound is read first: a response arriving during the pass has a higher id, so
    # the next staleness check still sees it.
    max_id = Response.objects.filter(wave=wave).order_by("-id").values_list("id", flat=True)
    bound = max_id.first() or 0
    imported = outcomes_version()  # read first too: an import during the pass shows
    ready = prepared(wave, fresh=True, progress=progress)
    # The pass published what could be published and read exactly that.
    publication = last_publication(wave.pk)
    figures = ready.figures()
    threshold = ready.inputs.threshold
    counted = ready.inputs.current.responses["n"]
    payload: dict[str, object] = {
        "format": FORMAT,
        "publication": publication,
        "n_responses": int(counted.sum()) if len(counted) else 0,
        "pseudonyms": figures.global_.school_numbers,
        # The researchers' tables, cleared; the page and its CSV label the schools.
        "global": figures.global_.tables,
        "global_message": figures.global_.failure,
        "outcomes": (
            figures.outcomes.model_dump(mode="json", exclude={"schools"})
            if figures.outcomes is not None
            else None
        ),
        "outcomes_version": imported,
        # The Phase One comparison by inspection rating, shown beside the outcomes.
        "inspection": (
            figures.global_.inspection.model_dump(mode="json")
            if figures.global_.inspection is not None
            else None
        ),
    }
    over_time = None
    if wave.pupil_wave_id is None and not wave.is_staff:  # a staff survey has no series
        # Read before the series is: a publication made while it is read leaves this
        # behind, so the next staleness check computes again.
        series = series_publications(wave)
        payload["series"] = series
        over_time = _over_time(wave, ready.inputs, series)
        # The reports of this process present the same figures over time as the pages.
        ready.keep_over_time(over_time[0] if over_time is not None else None)
    return _do_store(wave, payload, figures, bound, threshold, over_time)


def _over_time(wave: Wave, inputs: ReportInputs, series: dict[str, int]) -> OverTime | None:
    """The figures over time of the series ending at ``wave`` (None for a series of one
    wave: nothing to compare yet). ``series`` is :func:`series_publications` of the wave;
    the wave's own statistics and its previous wave's are those of ``inputs``, read once."""
    if len(series) < 2:
        return None
    known = {wave.pk: inputs.current}
    previous = previous_wave(wave)
    if previous is not None and inputs.previous is not None:
        known[previous.pk] = inputs.previous
    try:
        timeline = timeline_from_database(wave, threshold=inputs.threshold, known=known)
    except ValueError:  # nothing published yet
        return None
    if len(timeline.waves) < 2:
        return None
    return build_over_time_figures(timeline), series


def school_pseudonyms(wave: Wave, urns: list[str]) -> dict[str, int]:
    """A number per school, stable within the wave: participating schools in the order they
    joined, then any other school with responses (:func:`school_numbers`)."""
    joined = wave.participations.order_by("pk").values_list("school__urn", flat=True)
    return school_numbers(list(joined), urns)


@transaction.atomic
def _do_store(
    wave: Wave,
    payload: dict[str, object],
    figures: WaveFigures,
    bound: int,
    threshold: int,
    over_time: OverTime | None,
) -> WaveResult:
    result, _ = WaveResult.objects.update_or_create(
        wave=wave,
        defaults={
            "computed": timezone.now(),
            "max_response_id": bound,
            "n_responses": int(str(payload["n_responses"])),
            "threshold": threshold,
            "payload": payload,
        },
    )
    SchoolResult.objects.filter(result=result).delete()
    SchoolResult.objects.bulk_create(
        [
            SchoolResult(result=result, urn=urn, payload=part.model_dump(mode="json"))
            for urn, part in figures.schools.items()
        ],
        batch_size=500,
    )
    TrustResult.objects.filter(result=result).delete()
    TrustResult.objects.bulk_create(
        [
            TrustResult(result=result, trust=name, payload=part.model_dump(mode="json"))
            for name, part in figures.trusts.items()
        ],
        batch_size=100,
    )
    _store_over_time(wave, over_time)
    return result


def _store_over_time(wave: Wave, over_time: OverTime | None) -> None:
    """Store the series' figures: the schools' and trusts' parts apart from the rest, so a
    page reads only its own (:func:`over_time_parts` puts them back together)."""
    OverTimeResult.objects.filter(wave=wave).delete()
    if over_time is None:
        return
    payload = over_time[0].model_dump(mode="json")
    schools, trusts = payload.pop("schools"), payload.pop("trusts")
    stored = OverTimeResult.objects.create(wave=wave, computed=timezone.now(), payload=payload)
    parts = [
        OverTimePart(result=stored, kind=OverTimePart.Kind.SCHOOL, key=urn, payload=part)
        for urn, part in schools.items()
    ]
    parts += [
        OverTimePart(result=stored, kind=OverTimePart.Kind.TRUST, key=name, payload=part)
        for name, part in trusts.items()
    ]
    OverTimePart.objects.bulk_create(parts, batch_size=500)


def stored_result(wave: Wave) -> WaveResult | None:
    """The wave's stored result, without its payload, if it is in this version's format."""
    found = WaveResult.objects.filter(wave=wave, payload__format=FORMAT)
    return found.select_related("wave").defer("payload").first()


def is_stale(result: WaveResult) -> bool:
    """Whether the wave has a publication newer than the result (or another threshold).

    Responses that arrived since the result are first offered for publication (rule 9 of
    :mod:`learnsurvey.stats.disclosure`: only a safe batch is published); while they wait,
    the result stays current, so a pupil's submission alone never triggers a computation.
    """
    if result.threshold != settings.MIN_GROUP_SIZE:
        return True
    newest = _newest_response(result.wave_id)
    if newest > result.max_response_id:
        do_publish_wave(result.wave)
        # Examined: the next check offers only responses newer than these.
        WaveResult.objects.filter(pk=result.pk).update(max_response_id=newest)
        result.max_response_id = newest
    # The same query reads the newest import of context or outcomes (index look-ups).
    changes = newest_changes()
    stored = (
        WaveResult.objects.filter(pk=result.pk)
        .annotate(**changes)
        .values_list(
            "payload__publication", "payload__series", "payload__outcomes_version", *changes
        )
    )
    publication, series, imported, *changed = stored.first() or (0, None, None, None, None)
    if imported != outcomes_version(changed):  # context or outcomes imported since
        return True
    # One grouped look-up gives the wave's own newest publication and, for the figures over
    # time, those of the earlier waves of its series (late responses to an earlier wave).
    now = series_publications(result.wave)
    if now.get(str(result.wave_id), 0) != (publication or 0):
        return True
    return series is not None and series != now


def last_publication(wave_id: int) -> int:
    """The number of the wave's newest publication (0 before the first)."""
    found = Publication.objects.filter(wave_id=wave_id).aggregate(m=Max("number"))["m"]
    return int(found or 0)


def _newest_response(wave_id: int) -> int:
    found = Response.objects.filter(wave_id=wave_id).order_by("-id").values_list("id", flat=True)
    return int(found.first() or 0)
