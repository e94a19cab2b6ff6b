"""A wave's results: computed once from the stored responses, cached, recomputed when stale.

``compute_wave_result`` streams every response of a wave out of the database in chunks into
:class:`learnsurvey.analysis.DashboardBuilder`, so memory stays bounded at any number of
responses, and stores the suppressed figures: the wave's part in ``WaveResult.payload`` and
each school's part in a :class:`SchoolResult`. ``current_result`` is what the pages call: a
cheap look for newer responses, and a recompute through a task only when there are some.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from numpy.typing import NDArray

from learnsurvey.analysis import DashboardBuilder, dashboard_payload
from learnsurvey.instruments import Instrument
from learnsurvey.io.responses import Coded, ResponseChunk
from learnsurvey.web.schools.models import School, Trust
from learnsurvey.web.waves.actions import decode_answer_bytes
from learnsurvey.web.waves.models import Response, Wave, WaveResult

from .models import SchoolResult
from .payloads import (
    GlobalTables,
    SchoolDashboard,
    TrustDashboard,
    build_global,
    build_school,
    build_trust,
)

__all__ = [
    "CHUNK_ROWS",
    "compute_wave_result",
    "current_result",
    "global_payload",
    "is_stale",
    "response_chunks",
    "school_payload",
    "school_pseudonyms",
    "trust_payload",
]

CHUNK_ROWS = 20_000
Progress = Callable[[int], None]


def _coded(values: list[str]) -> Coded:
    """Strings as codes into their distinct labels; the empty string (not given) is −1."""
    labels, inverse = np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)
    names = [str(x) for x in labels]
    codes = inverse.astype(np.int32).ravel()
    if names and names[0] == "":
        codes -= 1  # "" sorts first: shift it to −1 and the rest down by one
        names = names[1:]
    return Coded(codes, names)


def _decode(answers: list[str], instrument: Instrument) -> NDArray[np.int8]:
    """Stored answer strings as category codes 0..K−1 (−1 missing), decoded in one pass."""
    n_items = len(instrument.items)
    flat = np.frombuffer("".join(answers).encode("ascii"), dtype=np.uint8)
    if flat.size != n_items * len(answers):
        raise ValueError("a stored response does not have one answer per item")
    values = decode_answer_bytes(flat.reshape(len(answers), n_items))
    return np.where(values < 0, -1, values - instrument.scale.min).astype(np.int8)


def response_chunks(
    wave: Wave, *, chunk_rows: int = CHUNK_ROWS, progress: Progress | None = None
) -> Iterator[ResponseChunk]:
    """Every response of ``wave`` as chunks of ``chunk_rows``, streamed from the database."""
    instrument = wave.instrument()
    rows = (
        Response.objects.filter(wave=wave)
        .values_list("school__urn", "key_stage", "gender", "answers")
        .iterator(chunk_size=chunk_rows)
    )
    wave_label = Coded(np.zeros(0, dtype=np.int32), [str(wave.pk)])
    batch: list[tuple[str, str, str, str]] = []
    first = 1
    for row in rows:
        batch.append(row)
        if len(batch) == chunk_rows:
            yield _chunk(batch, first, instrument, wave_label)
            first += len(batch)
            if progress is not None:
                progress(len(batch))
            batch = []
    if batch:
        yield _chunk(batch, first, instrument, wave_label)
        if progress is not None:
            progress(len(batch))


def _chunk(
    batch: list[tuple[str, str, str, str]], first: int, instrument: Instrument, wave: Coded
) -> ResponseChunk:
    schools, key_stages, genders, answers = zip(*batch, strict=True)
    return ResponseChunk(
        first_row=first,
        school=_coded(list(schools)),
        key_stage=_coded(list(key_stages)),
        gender=_coded(list(genders)),
        wave=Coded(np.zeros(len(batch), dtype=np.int32), wave.labels),
        answers=_decode(list(answers), instrument),
    )


def compute_wave_result(wave: Wave, *, progress: Progress | None = None) -> WaveResult:
    """Compute the wave's results from every stored response now, store and return them."""
    # The id bound is read first: a response arriving during the pass has a higher id, so
    # the next staleness check still sees it.
    max_id = Response.objects.filter(wave=wave).order_by("-id").values_list("id", flat=True)
    bound = max_id.first() or 0
    builder = DashboardBuilder(wave.instrument())
    for chunk in response_chunks(wave, progress=progress):
        builder.add(chunk)
    threshold = settings.MIN_GROUP_SIZE
    payload = dashboard_payload(builder.result(), threshold=threshold)
    schools = payload.pop("schools")
    payload["pseudonyms"] = school_pseudonyms(wave, list(schools))
    return _do_store(wave, payload, schools, bound, threshold)


def school_pseudonyms(wave: Wave, urns: list[str]) -> dict[str, int]:
    """A number per school, stable within the wave: participating schools in the order they
    joined, then any other school with responses."""
    order = list(wave.participations.order_by("pk").values_list("school__urn", flat=True)) + sorted(
        urns
    )
    numbers: dict[str, int] = {}
    for urn in order:
        numbers.setdefault(urn, len(numbers) + 1)
    return numbers


@transaction.atomic
def _do_store(
    wave: Wave, payload: dict[str, object], schools: dict[str, object], bound: int, threshold: int
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
        [SchoolResult(result=result, urn=urn, payload=part) for urn, part in schools.items()],
        batch_size=500,
    )
    return result


def is_stale(result: WaveResult) -> bool:
    """Whether responses newer than the result exist (an index range look-up on the key)."""
    return (
        Response.objects.filter(wave_id=result.wave_id, id__gt=result.max_response_id).exists()
        or result.threshold != settings.MIN_GROUP_SIZE
    )


def current_result(wave: Wave) -> WaveResult | None:
    """The wave's cached result, recomputed (through a task) first if it is stale.

    None only if the task runs elsewhere and the wave has never been computed."""
    from .tasks import recompute_wave_result

    result = WaveResult.objects.filter(wave=wave).defer("payload").first()
    if result is None or is_stale(result):
        recompute_wave_result.enqueue(wave.pk)
        result = WaveResult.objects.filter(wave=wave).defer("payload").first()
    return result


def school_payload(wave: Wave, school: School) -> SchoolDashboard:
    """The school's dashboard, read from the cached result (already suppressed)."""
    result = current_result(wave)
    part = None
    if result is not None:
        found = SchoolResult.objects.filter(result=result, urn=school.urn).first()
        part = found.payload if found is not None else None
    return build_school(wave, school, result, part)


def trust_payload(wave: Wave, trust: Trust) -> TrustDashboard:
    """The trust's heatmap and spread, from the cached sections of its schools."""
    result = current_result(wave)
    schools = list(School.objects.filter(trust=trust).order_by("name"))
    parts: dict[str, dict[str, object]] = {}
    if result is not None:
        found = SchoolResult.objects.filter(result=result, urn__in=[s.urn for s in schools])
        parts = {r.urn: r.payload for r in found}
    return build_trust(wave, trust, result, schools, parts)


def global_payload(wave: Wave) -> GlobalTables:
    """The wave's global tables with schools named only where they opted in."""
    result = current_result(wave)
    opted = set(School.objects.filter(research_opt_in=True).values_list("urn", flat=True))
    names = dict(School.objects.filter(urn__in=opted).values_list("urn", "name"))
    return build_global(wave, result, names)
