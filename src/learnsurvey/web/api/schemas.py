"""The API's own request and response bodies (results use the dashboards' payload models)."""

from __future__ import annotations

import uuid
from datetime import date

from ninja import Schema
from pydantic import StrictInt


class SchoolRef(Schema):
    urn: str
    name: str
    trust_id: int | None


class WaveOut(Schema):
    id: int
    name: str
    instrument_id: str
    instrument_version: str
    season: str
    """autumn, spring or summer."""
    opens: date
    closes: date
    is_open: bool
    schools: list[SchoolRef]
    """The schools of this wave the token's user may see (none for a researcher)."""


class SubmissionIn(Schema):
    """One pupil's (or, for a staff survey, one member of staff's) answers, as the pupils'
    own endpoint takes them."""

    key: uuid.UUID
    year_group: StrictInt | None = None
    key_stage: str = ""
    gender: str = ""
    role: str = ""
    """For a staff survey: a role id of its instrument (required); refused for pupils."""
    language: str = "en-GB"
    answers: dict[str, StrictInt | None]
    """Whole numbers on the instrument's scale, or null: ``true``, ``"4"`` and ``3.0`` are
    refused, as the pupils' endpoint refuses them."""


class SubmissionOut(Schema):
    status: str
    """``stored`` (201) or ``already_stored`` (200, a retry with the same key)."""


class ErrorOut(Schema):
    detail: str
