"""A wave's stored responses streamed out of the database as :class:`ResponseChunk` s.

Memory stays bounded at any wave size: rows come through a server-side iterator and are
decoded a chunk at a time. :mod:`learnsurvey.web.reports.sources` builds a wave's inputs
from these chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator

import numpy as np
from numpy.typing import NDArray

from learnsurvey.instruments import Instrument
from learnsurvey.io.responses import Coded, ResponseChunk
from learnsurvey.web.waves.actions import decode_answer_bytes
from learnsurvey.web.waves.models import Response, Wave

__all__ = ["CHUNK_ROWS", "Progress", "response_chunks"]

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
    wave: Wave,
    role: str | None = None,
    roles: Collection[str] | None = None,
    *,
    chunk_rows: int = CHUNK_ROWS,
    progress: Progress | None = None,
) -> Iterator[ResponseChunk]:
    """Every published response of ``wave`` as chunks of ``chunk_rows``, streamed from the
    database (disclosure rule 9: pending responses count once a publication takes them).

    ``role`` (one staff role id) or ``roles`` (several) keeps only the responses of those
    roles: a staff survey by role. Neither keeps every response. Raises ValueError when both
    are given or a role is not one of the wave's instrument's ``demographics.roles``."""
    instrument = wave.instrument()
    responses = Response.objects.filter(wave=wave, publication__isnull=False)  # rule 9
    wanted = _wanted_roles(instrument, role, roles)
    if wanted is not None:
        responses = responses.filter(role__in=wanted)
    rows = responses.values_list("school__urn", "key_stage", "gender", "answers").iterator(
        chunk_size=chunk_rows
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


def _wanted_roles(
    instrument: Instrument, role: str | None, roles: Collection[str] | None
) -> list[str] | None:
    """The role ids to keep (None: every response), checked against the instrument."""
    if role is not None and roles is not None:
        raise ValueError("give role or roles, not both")
    if role is None and roles is None:
        return None
    wanted = [role] if role is not None else sorted(set(roles or ()))
    known = set(instrument.demographics.role_ids)
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise ValueError(f"not roles of {instrument.id}: {', '.join(unknown)}")
    return wanted


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
