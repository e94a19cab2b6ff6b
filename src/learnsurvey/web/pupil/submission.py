"""Turning a pupil's or staff member's submission (JSON or a plain form) into a stored
response."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from learnsurvey.analysis.year_groups import phase_year_groups
from learnsurvey.web.waves.actions import SubmissionError, Submitted, do_submit_response
from learnsurvey.web.waves.models import YEAR_GROUPS

from .lookup import CodeInfo
from .survey import stored_language


@dataclass(frozen=True)
class Payload:
    key: str
    year_group: int | None
    gender: str
    language: str
    answers: dict[str, int | None]
    role: str = ""


def _text(data: dict[str, Any], field: str, default: str) -> str:
    """A string field: absent or null is ``default``; anything but a string is refused
    (``0``, ``false``, ``[]`` are not "no answer")."""
    value = data.get(field)
    if value is None:
        return default
    if not isinstance(value, str):
        raise SubmissionError(f"{field} must be a string or null")
    return value


def parse_json(data: Any) -> Payload:
    """The JSON body of ``POST /s/<code>/responses``, checked for shape (not content)."""
    if not isinstance(data, dict):
        raise SubmissionError("the body must be a JSON object")
    key = data.get("key")
    if not isinstance(key, str):
        raise SubmissionError("key: a UUID string is required")
    year_group = data.get("year_group")
    if year_group is not None and (isinstance(year_group, bool) or not isinstance(year_group, int)):
        raise SubmissionError("year_group must be a whole number or null")
    gender = _text(data, "gender", "")
    language = _text(data, "language", "en")
    role = _text(data, "role", "")
    answers = data.get("answers")
    if not isinstance(answers, dict):
        raise SubmissionError("answers must be an object of item ids and values")
    return Payload(key, year_group, gender, language, answers, role)


def parse_form(post: Mapping[str, str], item_ids: list[str], *, lenient: bool = False) -> Payload:
    """The no-JavaScript form: one radio group per item, named by item id. A value that is
    not a whole number raises SubmissionError, or with ``lenient`` is left out (to show
    the form again with what could be read)."""
    answers: dict[str, int | None] = {}
    for item_id in item_ids:
        try:
            answers[item_id] = _whole(post.get(item_id, ""), item_id)
        except SubmissionError:
            if not lenient:
                raise
            answers[item_id] = None
    try:
        year_group = _whole(post.get("year", ""), "year_group")
    except SubmissionError:
        if not lenient:
            raise
        year_group = None
    return Payload(
        key=post.get("key", ""),
        year_group=year_group,
        gender=post.get("gender", ""),
        language=post.get("lang", "en"),
        answers=answers,
        role=post.get("role", ""),
    )


def _whole(raw: str, field: str) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise SubmissionError(f"{field}: must be a whole number") from None


def store(info: CodeInfo, payload: Payload) -> Submitted:
    """Store the answers for the code's wave and school (committed on return); a staff
    survey's role is checked against its instrument by ``do_submit_response``."""
    wave = info.wave()
    instrument = wave.instrument()
    language = stored_language(instrument, payload.language)
    if language is None:
        raise SubmissionError("language: not one of this survey's languages")
    year_group = payload.year_group
    if info.year_group is not None:
        if year_group is None:
            year_group = info.year_group
        elif year_group != info.year_group:
            raise SubmissionError("the year group does not match this code")
    # A year the school's phase does not teach (Year 10 in a primary school) is refused; an
    # unknown year is left to do_submit_response, which names it. (The years alone: the
    # survey page's translated names of them cost a thirtieth of a submission.)
    in_phase = phase_year_groups(instrument, info.school_phase)
    if year_group is not None and year_group in YEAR_GROUPS and year_group not in in_phase:
        raise SubmissionError("year_group: not a year group of this school's phase")
    return do_submit_response(
        wave,
        info.school(),
        key=payload.key,
        answers=payload.answers,
        year_group=year_group,
        gender=payload.gender,
        role=payload.role,
        language=language,
    )
