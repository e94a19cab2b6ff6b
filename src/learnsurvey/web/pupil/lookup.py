"""Resolving an access code to its wave and school, through the cache.

Every pupil request names a code; the submission endpoint is load-tested, so a code is looked
up in the database at most once a minute and a submission costs one INSERT. The records are
kept in the cache every worker shares (``settings.CACHES["shared"]``), so switching a code
off (which drops its record) takes effect in every worker at once. The
cached record is plain data (ids, dates, names); light ``Wave`` and ``School`` instances are
built from it without a query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.actions import access_code_cache_key, codes_cache
from learnsurvey.web.waves.models import CODE_ALPHABET, CODE_LENGTH, AccessCode, Wave

CACHE_SECONDS = 60
_MISSING = "missing"


@dataclass(frozen=True)
class CodeInfo:
    """What a pupil's code stands for (never anything about the pupil)."""

    code: str
    wave_id: int
    school_id: int
    school_name: str
    school_phase: str
    instrument_id: str
    instrument_version: str
    opens: date
    closes: date
    year_group: int | None
    label: str
    active: bool

    def is_open(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.active and self.opens <= today <= self.closes

    def wave(self) -> Wave:
        return Wave(
            id=self.wave_id,
            instrument_id=self.instrument_id,
            instrument_version=self.instrument_version,
            opens=self.opens,
            closes=self.closes,
        )

    def school(self) -> School:
        return School(id=self.school_id, name=self.school_name, phase=self.school_phase)


def well_formed(code: str) -> bool:
    """Could this be a code at all? (Saves a look-up for typos such as a missing letter.)"""
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


_UNFETCHED = object()


def resolve(code: str, cached: Any = _UNFETCHED) -> CodeInfo | None:
    """The code's record, or None when no such code exists (inactive codes are returned with
    ``active=False`` so the page can say the code was switched off rather than mistyped).

    ``cached`` is the cache entry when the caller fetched it already (in one round trip with
    other keys); by default it is read here."""
    code = AccessCode.normalise(code)
    if not well_formed(code):
        return None
    key = access_code_cache_key(code)
    if cached is _UNFETCHED:
        cached = codes_cache().get(key)
    if cached == _MISSING:
        return None
    if isinstance(cached, CodeInfo):
        return cached
    row = (
        AccessCode.objects.filter(code=code)
        .select_related("wave", "school")
        .only(
            "code",
            "label",
            "year_group",
            "active",
            "wave__id",
            "wave__instrument_id",
            "wave__instrument_version",
            "wave__opens",
            "wave__closes",
            "school__id",
            "school__name",
            "school__phase",
        )
        .first()
    )
    if row is None:
        codes_cache().set(key, _MISSING, CACHE_SECONDS)
        return None
    info = CodeInfo(
        code=row.code,
        wave_id=row.wave.pk,
        school_id=row.school.pk,
        school_name=row.school.name,
        school_phase=row.school.phase,
        instrument_id=row.wave.instrument_id,
        instrument_version=row.wave.instrument_version,
        opens=row.wave.opens,
        closes=row.wave.closes,
        year_group=row.year_group,
        label=row.label,
        active=row.active,
    )
    codes_cache().set(key, info, CACHE_SECONDS)
    return info
