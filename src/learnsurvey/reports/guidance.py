"""Guidance for school reports: what each dimension and notion means and questions for staff
discussion, kept as data (``reports/guidance/<instrument id>.yaml``), not in code.

An instrument without a guidance file of its own borrows :data:`FALLBACK`'s when that file
covers every one of its dimensions and notions (the staff survey shares the pupil survey's
ids, so its reports can reuse the pupils' guidance).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from learnsurvey.instruments import Instrument

__all__ = ["FALLBACK", "Guidance", "GuidanceEntry", "guidance_file", "load_guidance"]

FALLBACK = "learning-survey"
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class GuidanceEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    meaning: Text
    """What a score on this dimension or notion means, in a few plain sentences."""
    questions: list[Text] = Field(min_length=3, max_length=4)
    """Three or four questions for a staff team to discuss."""


class Guidance(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    instrument: str
    dimensions: dict[str, GuidanceEntry]
    notions: dict[str, GuidanceEntry]
    """Keyed by the instrument's factor ids."""


def guidance_file(instrument_id: str) -> str:
    """The file name of an instrument's guidance inside the package."""
    return f"guidance/{instrument_id}.yaml"


@lru_cache(maxsize=8)
def _read(instrument_id: str) -> Guidance | None:
    path = resources.files("learnsurvey.reports").joinpath(guidance_file(instrument_id))
    if not path.is_file():
        return None
    where = f"reports/{guidance_file(instrument_id)}"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Guidance.model_validate(data)
    except (yaml.YAMLError, ValidationError) as err:
        raise ValueError(f"{where}: not valid guidance: {err}") from None


def load_guidance(instrument: Instrument) -> Guidance:
    """The guidance for ``instrument``, checked to cover all its dimensions and notions.

    Raises
    ------
    ValueError
        If there is no guidance file for the instrument (nor a fallback that covers it), the
        file is not valid, or it misses a dimension or notion (the message names the file
        and the missing ids).
    """
    own = _read(instrument.id)
    name = instrument.id if own is not None else FALLBACK
    guidance = own if own is not None else _read(FALLBACK)
    if guidance is None:
        wanted = guidance_file(instrument.id)
        raise ValueError(f"no guidance for instrument {instrument.id!r}: add reports/{wanted}")
    missing_dims = [d for d in instrument.dimension_ids if d not in guidance.dimensions]
    missing_notions = [f for f in instrument.factor_ids if f not in guidance.notions]
    if missing_dims or missing_notions:
        parts = []
        if missing_dims:
            parts.append(f"dimensions {', '.join(missing_dims)}")
        if missing_notions:
            parts.append(f"notions {', '.join(missing_notions)}")
        raise ValueError(
            f"reports/{guidance_file(name)}: no guidance for {' and '.join(parts)} "
            f"of instrument {instrument.id!r}"
        )
    return guidance
