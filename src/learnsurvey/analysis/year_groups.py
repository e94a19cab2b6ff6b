"""England's year groups, the key stage of each, and the years a school of each phase teaches.

Standard library alone: the survey's pages and its endpoint offer and accept only the years
of the pupil's school's phase (a server process should not load pandas for that), and the
synthetic generator gives its pupils year groups by the same rule, so the demo never holds a
pupil the survey would have refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from learnsurvey.instruments import Instrument

__all__ = ["PRIMARY", "SECONDARY", "YEAR_GROUPS", "phase_year_groups"]

YEAR_GROUPS: dict[int, str] = {
    0: "EYFS",
    1: "KS1",
    2: "KS1",
    3: "KS2",
    4: "KS2",
    5: "KS2",
    6: "KS2",
    7: "KS3",
    8: "KS3",
    9: "KS3",
    10: "KS4",
    11: "KS4",
    12: "KS5",
    13: "KS5",
}
"""Each year group (0 is Reception) and its key stage (the instruments' key stage ids)."""

PRIMARY = "primary"
SECONDARY = "secondary"
"""The two phases that teach only some years (the platform's ``School.Phase`` values);
all-through and special schools, and a school whose phase is not known, teach them all."""


def phase_year_groups(instrument: Instrument, phase: str = "") -> list[int]:
    """The year groups, youngest first, whose key stage ``instrument`` covers and that a
    school of ``phase`` teaches: a primary school only the years of the instrument's primary
    key stages, a secondary school only the others, any other phase every one."""
    demographics = instrument.demographics
    primary = set(demographics.primary_key_stages)
    return [
        year
        for year, stage in YEAR_GROUPS.items()
        if stage in demographics.key_stages
        and (phase != PRIMARY or stage in primary)
        and (phase != SECONDARY or stage not in primary)
    ]
