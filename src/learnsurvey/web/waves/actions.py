"""Actions that change waves and responses, each atomic (the ``do_*`` convention)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.db import IntegrityError, transaction
from django.db.models import Field
from django.utils import timezone
from numpy.typing import NDArray

from learnsurvey.instruments import Instrument
from learnsurvey.web.schools.models import School

from .models import YEAR_GROUPS, AccessCode, Participation, Response, Wave

MISSING = "-"


class SubmissionError(ValueError):
    """A submission that cannot be stored; the message says why (safe to show)."""


@dataclass(frozen=True)
class Submitted:
    response: Response
    created: bool
    """False when this key had already been stored: the retry was a no-op."""


def encode_answers(instrument: Instrument, answers: Mapping[str, int | None]) -> str:
    """Answers ``{item id: value}`` as the stored string (see ``Response.answers``).

    Raises SubmissionError for unknown items, values off the scale, or no answer at all."""
    ids = [item.id for item in instrument.items]
    unknown = sorted(set(answers) - set(ids))
    if unknown:
        raise SubmissionError(f"answers: {len(unknown)} item id(s) not in this survey")
    lo, hi = instrument.scale.min, instrument.scale.max
    if lo < 0 or hi > 9:
        raise SubmissionError("the platform stores scales within 0–9")
    chars = []
    for item_id in ids:
        value = answers.get(item_id)
        if value is None:
            chars.append(MISSING)
        elif isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise SubmissionError(f"{item_id}: answer must be a whole number {lo}–{hi}")
        else:
            chars.append(str(value))
    if all(c == MISSING for c in chars):
        raise SubmissionError("no item was answered")
    return "".join(chars)


def decode_answer_bytes(raw: NDArray[np.uint8]) -> NDArray[np.int8]:
    """Stored answers as bytes (rows × items, one character each, as :func:`encode_answers`
    writes them) → the answers given, −1 where missing: a whole table in one numpy pass."""
    values = raw.astype(np.int16) - ord("0")
    return np.where(raw == ord(MISSING), -1, values).astype(np.int8)


def decode_answers(instrument: Instrument, stored: str) -> dict[str, int | None]:
    return {
        item.id: (None if ch == MISSING else int(ch))
        for item, ch in zip(instrument.items, stored, strict=True)
    }


def do_submit_response(
    wave: Wave,
    school: School,
    *,
    key: uuid.UUID | str,
    answers: Mapping[str, int | None],
    year_group: int | None = None,
    key_stage: str = "",
    gender: str = "",
    role: str = "",
    language: str = "en-GB",
    source: str = Response.Source.BROWSER,
) -> Submitted:
    """Store one pupil's or staff member's answers exactly once per ``key``, committed
    before it returns.

    A staff survey (an instrument whose audience is staff) needs a ``role`` among the
    instrument's ``demographics.roles`` and takes no year group, key stage or gender; a
    pupil survey takes no role. A repeated key (a retry after a lost acknowledgement)
    returns the stored response with ``created=False``; a key already used for another
    wave or school is an error.
    """
    try:
        key = uuid.UUID(str(key))
    except ValueError:
        raise SubmissionError("the submission key is not a UUID") from None
    instrument = wave.instrument()
    if is_staff_instrument(instrument):
        _check_staff(instrument, role, year_group=year_group, key_stage=key_stage, gender=gender)
    else:
        if role:
            raise SubmissionError("role: only staff surveys ask for a role")
        key_stage = _checked_key_stage(instrument, year_group, key_stage)
        if gender and gender not in instrument.demographics.genders:
            raise SubmissionError("gender: not one of this survey's genders")
    stored = encode_answers(instrument, answers)
    now = timezone.now()
    response = Response(
        wave=wave,
        school=school,
        key_stage=key_stage,
        year_group=year_group,
        gender=gender,
        role=role,
        language=language[:10],
        answers=stored,
        submitted_hour=now.replace(minute=0, second=0, microsecond=0),
        idempotency_key=key,
        source=source,
    )
    for _attempt in range(2):
        if _insert_unless_stored(response):
            return Submitted(response, created=True)
        existing = Response.objects.filter(idempotency_key=key).first()
        if existing is not None:
            if existing.wave_id != wave.pk or existing.school_id != school.pk:
                raise SubmissionError("this submission key was already used elsewhere")
            return Submitted(existing, created=False)
        # The response holding the key was deleted between the two statements: try again.
    raise IntegrityError("the submission key is taken and gone at once, twice")


@lru_cache(maxsize=4)
def _insert_statement(vendor: str) -> tuple[str, tuple[Field[Any, Any], ...]]:
    """``INSERT … ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`` for a response
    (PostgreSQL and SQLite ≥ 3.35 alike; ``vendor`` keys the cache), and its fields in order."""
    fields = tuple(f for f in Response._meta.concrete_fields if not f.primary_key)
    quote = transaction.get_connection().ops.quote_name
    names = ", ".join(quote(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    key = quote(str(Response._meta.get_field("idempotency_key").column))
    sql = (
        f"INSERT INTO {quote(str(Response._meta.db_table))} ({names}) VALUES ({marks}) "
        f"ON CONFLICT ({key}) DO NOTHING RETURNING {quote(str(Response._meta.pk.column))}"
    )
    return sql, fields


def _insert_unless_stored(response: Response) -> bool:
    """Store ``response`` unless its idempotency key is stored already; True when stored.

    One statement whatever happens: a retry is no error, so inside a caller's transaction
    no savepoint is needed, and on its own the autocommitted INSERT is atomic and durable
    when it returns. Each value is prepared by its own model field, as ``save()`` does,
    without building the ORM's query each time: ``save(force_insert=True)`` took about
    0.2 ms of CPU more, a seventh of a whole submission's (measured in one process against
    PostgreSQL)."""
    connection = transaction.get_connection()
    sql, fields = _insert_statement(connection.vendor)
    params = [f.get_db_prep_save(f.pre_save(response, add=True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    response.pk = row[0]
    response._state.adding = False
    response._state.db = connection.alias
    return True


def is_staff_instrument(instrument: Instrument) -> bool:
    """Is this a staff survey (its respondents give a role, not a year group)?"""
    return instrument.audience == "staff"


def staff_roles(instrument: Instrument) -> tuple[str, ...]:
    """The role ids a staff survey offers, in the instrument's order (its data, not code)."""
    return tuple(instrument.demographics.role_ids)


def _check_staff(
    instrument: Instrument, role: str, *, year_group: int | None, key_stage: str, gender: str
) -> None:
    """A staff response names one of the instrument's roles and nothing a pupil gives.

    The messages name the field and never repeat what was sent."""
    if year_group is not None:
        raise SubmissionError("year_group: staff are not asked for a year group")
    if key_stage:
        raise SubmissionError("key_stage: staff are not asked for a key stage")
    if gender:
        raise SubmissionError("gender: staff are not asked for a gender")
    roles = staff_roles(instrument)
    if not role:
        raise SubmissionError(f"role: required for a staff survey (one of {', '.join(roles)})")
    if role not in roles:
        raise SubmissionError(f"role: not a role of this survey (one of {', '.join(roles)})")


def _checked_key_stage(instrument: Instrument, year_group: int | None, key_stage: str) -> str:
    """The key stage to store: the year group's when only that was given."""
    if year_group is not None:
        if year_group not in YEAR_GROUPS:
            raise SubmissionError("year_group: not a year group of this survey")
        key_stage = key_stage or YEAR_GROUPS[year_group]
        if key_stage != YEAR_GROUPS[year_group]:
            raise SubmissionError("year_group: not in the key stage given")
    if key_stage and key_stage not in instrument.demographics.key_stages:
        raise SubmissionError("key_stage: not a key stage of this survey")
    return key_stage


def do_create_access_codes(
    wave: Wave, school: School, specs: Sequence[tuple[str, int | None]]
) -> list[AccessCode]:
    """Create one access code per ``(label, year group)`` for a school taking part in a wave.

    A staff survey's codes are the school's staff codes: the school takes part in the staff
    wave or in the pupil wave it accompanies, and its codes have no year group. All or none
    are created. Raises ValueError when the school does not take part or a year group is
    unknown or given for staff (the forms check these first; this guards other callers)."""
    if not takes_part(wave, school):
        raise ValueError(f"{school} does not take part in {wave}")
    for _label, year_group in specs:
        if year_group is not None and wave.is_staff:
            raise ValueError("staff codes have no year group")
        if year_group is not None and year_group not in YEAR_GROUPS:
            raise ValueError(f"unknown year group {year_group}")
    with transaction.atomic():
        codes = [
            AccessCode.objects.create(
                wave=wave, school=school, label=label[:100], year_group=year_group
            )
            for label, year_group in specs
        ]
        # A miss may have been cached for a code typed before it existed (vanishingly rare).
        keys = [access_code_cache_key(c.code) for c in codes]
        transaction.on_commit(lambda: codes_cache().delete_many(keys))
    return codes


def takes_part(wave: Wave, school: School) -> bool:
    """Does ``school`` take part in ``wave``? A staff survey counts the schools of the pupil
    wave it accompanies as well as its own."""
    waves = [wave.pk] if wave.pupil_wave_id is None else [wave.pk, wave.pupil_wave_id]
    return Participation.objects.filter(wave__in=waves, school=school).exists()


def do_deactivate_access_code(code: AccessCode) -> None:
    """Switch a code off at once: pupils typing it are refused, and the cached look-up used by
    the submission endpoint is dropped after the commit so no worker keeps accepting it."""
    with transaction.atomic():
        AccessCode.objects.filter(pk=code.pk).update(active=False)
        code.active = False
        transaction.on_commit(lambda: codes_cache().delete(access_code_cache_key(code.code)))


def do_activate_access_code(code: AccessCode) -> None:
    """Switch a code back on; the cached look-up is dropped after the commit as well."""
    with transaction.atomic():
        AccessCode.objects.filter(pk=code.pk).update(active=True)
        code.active = True
        transaction.on_commit(lambda: codes_cache().delete(access_code_cache_key(code.code)))


def codes_cache() -> BaseCache:
    """Where access codes' records are cached: the cache every worker sees alike, so a code
    switched off (its record dropped) is off for every worker at once."""
    return caches["shared"]


def access_code_cache_key(code: str) -> str:
    """Where the pupil app caches an access code's look-up (shared so actions can drop it)."""
    return f"learnsurvey:code:{code}"
