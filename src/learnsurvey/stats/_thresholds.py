"""The thresholds of :mod:`learnsurvey.stats.disclosure` (rules 1 and 8): the defaults, the
environment variables that change them, and the check that a threshold is usable.

Part of the disclosure module, kept in the standard library alone so that the web settings
can read the threshold at start-up without loading numpy, pandas or scipy (a server worker
starts in a fraction of the time). Import them from :mod:`learnsurvey.stats.disclosure`.
"""

from __future__ import annotations

import os

__all__ = [
    "DEFAULT_STAFF_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "check_threshold",
    "default_staff_threshold",
    "default_threshold",
]

DEFAULT_THRESHOLD = 10
"""Rule 1: the fewest pupils a published figure may describe unless configured otherwise."""

DEFAULT_STAFF_THRESHOLD = 5
"""Rule 8: the fewest staff a published staff-only figure may describe by default."""

_ENV = "LEARNSURVEY_MIN_GROUP_SIZE"
_STAFF_ENV = "LEARNSURVEY_MIN_STAFF_GROUP_SIZE"


def default_threshold() -> int:
    """The pupil threshold from ``LEARNSURVEY_MIN_GROUP_SIZE``, else 10 (rule 1)."""
    return _from_env(_ENV, DEFAULT_THRESHOLD)


def default_staff_threshold() -> int:
    """The staff threshold from ``LEARNSURVEY_MIN_STAFF_GROUP_SIZE``, else 5 (rule 8)."""
    return _from_env(_STAFF_ENV, DEFAULT_STAFF_THRESHOLD)


def _from_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    return check_threshold(value)


def check_threshold(threshold: int) -> int:
    """``threshold`` itself when it is a usable minimum group size (2 or more).

    Raises
    ------
    ValueError
        Below 2: a "group" of one is a person.
    """
    if threshold < 2:
        raise ValueError(f"the minimum group size must be at least 2, not {threshold}")
    return threshold
