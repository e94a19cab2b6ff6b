"""The one way every view names an unnamed school and a group of pupils.

A school that did not opt in to being named in research is "School N" on every page, API
answer, export and report of a wave: N is its number in :func:`school_numbers` (the schools
that joined the wave in the order they joined, then any other school with responses). A key
stage or gender id is shown by :func:`group_label` ("Boys", "KS2", "Not given").

Both take a ``gettext`` so each view translates in its own way (Django's in the web app,
the report's own in a report); the words are marked with ``_`` so message extraction finds
them. Django-free.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from learnsurvey.analysis.statistics import NOT_GIVEN

__all__ = [
    "Gettext",
    "code_label",
    "group_label",
    "school_label",
    "school_numbers",
    "school_pseudonym",
]

Gettext = Callable[[str], str]


def _same(text: str) -> str:
    return text


def school_numbers(joined: Iterable[str], responding: Iterable[str]) -> dict[str, int]:
    """A number per school, stable within a wave, counting from 1.

    ``joined`` is the wave's participating schools in the order they joined; every other
    school in ``responding`` (a school with responses but no participation, or a responses
    file with no platform behind it) follows in sorted order. A school listed twice keeps
    its first number.
    """
    numbers: dict[str, int] = {}
    for school in [*joined, *sorted(set(responding))]:
        numbers.setdefault(school, len(numbers) + 1)
    return numbers


def school_pseudonym(number: int | None, gettext: Gettext = _same) -> str:
    """ "School N" (the number unknown: "School ?")."""
    _ = gettext
    return _("School %(number)s") % {"number": "?" if number is None else number}


def school_label(
    school: str,
    numbers: Mapping[str, int],
    opted_in: Mapping[str, str],
    gettext: Gettext = _same,
) -> str:
    """A school's name where it opted in to being named (``opted_in``: key → name), else
    its pseudonym from ``numbers`` (see :func:`school_numbers`)."""
    if school in opted_in:
        return opted_in[school]
    return school_pseudonym(numbers.get(school), gettext)


def code_label(value: object) -> str:
    """An id as words: ``requires_improvement`` → "Requires improvement"; an id written as
    shown (a capital first, as "KS2" or "EYFS") stays."""
    text = str(value)
    return text if text[:1].isupper() else text.replace("_", " ").capitalize()


def group_label(value: str, gettext: Gettext = _same) -> str:
    """A key stage or gender id as a heading for its pupils: "KS2", "Boys", "Not given"."""
    _ = gettext
    if value == NOT_GIVEN:
        return _("Not given")
    known = {
        "boy": _("Boys"),
        "girl": _("Girls"),
        "other": _("Another gender"),
        "prefer_not_to_say": _("Preferred not to say"),
    }
    if value in known:
        return known[value]
    # Key stages are written as shown ("KS2"); other ids ("non_binary") are not.
    words = code_label(value)
    return words if value[:1].isupper() else _(words)
