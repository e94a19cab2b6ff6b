"""Turning a pupil's or staff member's submission (JSON or a plain form) into a stored
response."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from learnsurvey.web.waves.actions import SubmissionError, Submitted, do_submit_response

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
    gender = data.get("gender") or ""
    language = data.get("language") or "en"
    if not isinstance(gender, str) or not isinstance(language, str):
        raise SubmissionError("gender and language must be strings")
    role = data.get("role") or ""
    if not isinstance(role, str):
        raise SubmissionError("role must be a string")
    answers = data.get("answers")
    if not isinstance(answers, dict):
        raise SubmissionError("answers must be an object of item ids and values")
    return Payload(key, year_group, gender, language, answers, role)


def parse_form(post: Mapping[str, str], item_ids: list[str]) -> Payload:
    """The no-JavaScript form: one radio group per item, named by item id."""
    answers: dict[str, int | None] = {}
    for item_id in item_ids:
        raw = post.get(item_id, "")
        try:
            answers[item_id] = int(raw) if raw else None
        except ValueError:
            raise SubmissionError(f"{item_id}: answer must be a whole number") from None
    year = post.get("year", "")
    try:
        year_group = int(year) if year else None
    except ValueError:
        raise SubmissionError("year_group must be a whole number") from None
    return Payload(
        key=post.get("key", ""),
        year_group=year_group,
        gender=post.get("gender", ""),
        language=post.get("lang", "en"),
        answers=answers,
        role=post.get("role", ""),
    )


def store(info: CodeInfo, payload: Payload) -> Submitted:
    """Store the answers for the code's wave and school (committed on return); a staff
    survey's role is checked against its instrument by ``do_submit_response``."""
    wave = info.wave()
    instrument = wave.instrument()
    language = stored_language(instrument, payload.language)
    if language is None:
        raise SubmissionError(f"unknown language {payload.language!r}")
    year_group = payload.year_group
    if info.year_group is not None:
        if year_group is None:
            year_group = info.year_group
        elif year_group != info.year_group:
            raise SubmissionError("the year group does not match this code")
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
