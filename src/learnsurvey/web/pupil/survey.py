"""What a pupil sees, built from the instrument: languages, wording, scale, pages and faces.

Nothing here knows an item's text or a dimension: it all comes from the instrument and its
translations, so a new instrument or language needs no code.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from learnsurvey.analysis.year_groups import phase_year_groups
from learnsurvey.instruments import Instrument
from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.models import YEAR_GROUPS

ENGLISH = "en"
PAGE_SIZE = 6  # short pages: six statements fit a phone screen or two


@dataclass(frozen=True)
class Language:
    code: str  # as carried in the URL (?lang=cy) and stored with the response
    name: str  # in its own language
    django: str  # the Django language code to activate
    direction: str


@dataclass(frozen=True)
class Choice:
    value: int
    label: str
    face: SafeString | None


@dataclass(frozen=True)
class Question:
    id: str
    number: int
    text: str
    reverse: bool = False
    """A reverse-worded statement ("I worry that…"): agreeing is the unhappy answer."""


@dataclass(frozen=True)
class Page:
    number: int
    questions: tuple[Question, ...]


def languages(instrument: Instrument) -> list[Language]:
    """English, then each translation the instrument has, each named in its own language."""
    found = [Language(ENGLISH, "English", "en-gb", "ltr")]
    for code, tr in sorted(instrument.translations.items()):
        found.append(Language(code, tr.language_name, code, tr.direction))
    return found


def language(instrument: Instrument, requested: str | None) -> Language:
    """The requested language if the instrument has it, English otherwise."""
    wanted = (requested or "").strip().lower()
    for lang in languages(instrument):
        if lang.code == wanted or (lang.code == ENGLISH and wanted.startswith("en")):
            return lang
    return languages(instrument)[0]


def stored_language(instrument: Instrument, code: str) -> str | None:
    """The language as stored with a response, or None when the instrument lacks it."""
    wanted = code.strip()
    if wanted.lower() == ENGLISH or wanted.lower() == instrument.language.lower():
        return instrument.language
    return wanted if wanted in instrument.translations else None


def year_groups(instrument: Instrument, phase: str = "") -> list[tuple[int, str]]:
    """The year groups whose key stage the instrument covers, with their (translated) names;
    for a primary or secondary school only its own years (all-through and special schools
    see them all), so a young pupil has a short list. The rule is
    :func:`~learnsurvey.analysis.year_groups.phase_year_groups`, which the synthetic
    generator follows too."""
    return [
        (year, _("Reception") if year == 0 else _("Year %(number)d") % {"number": year})
        for year in phase_year_groups(instrument, phase)
    ]


def gender_label(gender: str) -> str:
    labels = {
        "boy": _("Boy"),
        "girl": _("Girl"),
        "other": _("In another way"),
        "prefer_not_to_say": _("I prefer not to say"),
    }
    return labels.get(gender, gender.replace("_", " "))


def role_choices(instrument: Instrument, lang: Language) -> list[tuple[str, str]]:
    """A staff survey's roles ``(id, label)`` in the instrument's order and the chosen
    language (the instrument's own label where its translation has none)."""
    tr = instrument.translations.get(lang.code)
    translated = tr.roles if tr else {}
    return [
        (role.id, translated.get(role.id) or role.name) for role in instrument.demographics.roles
    ]


def staff_wording_primary(phase: str) -> bool:
    """Staff of a primary school read the items' primary wording ("children"); others the
    secondary ("students")."""
    return phase == School.Phase.PRIMARY


def is_primary(instrument: Instrument, year_group: int | None) -> bool:
    if year_group is None:
        return False
    return YEAR_GROUPS.get(year_group, "") in instrument.demographics.primary_key_stages


def pages(instrument: Instrument, lang: Language, *, primary: bool) -> list[Page]:
    """The statements in the chosen language and wording, in short pages."""
    tr = instrument.translations.get(lang.code)
    questions = []
    for number, item in enumerate(instrument.items, start=1):
        text = tr.items[item.id] if tr else item.text
        wording = text.primary if primary else text.secondary
        questions.append(Question(item.id, number, wording, reverse=item.reverse))
    return [
        Page(i // PAGE_SIZE + 1, tuple(questions[i : i + PAGE_SIZE]))
        for i in range(0, len(questions), PAGE_SIZE)
    ]


def choices(
    instrument: Instrument, lang: Language, *, primary: bool, reverse: bool = False
) -> list[Choice]:
    """The scale's answers, in order, with a face for young pupils. The faces show what an
    answer means for the child: on a reverse-worded statement ("I worry that other children
    will think I am silly") agreeing is the sad face and disagreeing the happy one, so a
    happy child is never asked to pick a sad face."""
    tr = instrument.translations.get(lang.code)
    labels = tr.scale_labels if tr else instrument.scale.labels
    values = range(instrument.scale.min, instrument.scale.max + 1)
    n = len(labels)
    return [
        Choice(value, label, face(n - 1 - i if reverse else i, n) if primary else None)
        for i, (value, label) in enumerate(zip(values, labels, strict=True))
    ]


# Face colours from unhappy to happy; each with a dark outline (≥ 3:1 against white).
_FACE_FILLS = ("#f4c7c3", "#f9dcc4", "#fdf1c7", "#d8efd3", "#bfe6c6")


def face(index: int, count: int) -> SafeString:
    """A simple face, from sad (0) to happy (count − 1), as decorative inline SVG.

    The radio button's visible label carries the meaning; the face only helps young
    readers, so it is hidden from assistive technology."""
    t = index / (count - 1) if count > 1 else 0.5
    bend = round(-8 + 16 * t, 1)  # mouth curve: down when sad, up when happy
    fill = _FACE_FILLS[round(t * (len(_FACE_FILLS) - 1))]
    return format_html(
        '<svg class="face" viewBox="0 0 48 48" width="48" height="48" aria-hidden="true" '
        'focusable="false"><circle cx="24" cy="24" r="21" fill="{}" stroke="#1b1f24" '
        'stroke-width="2.5"/><circle cx="17" cy="19" r="2.8" fill="#1b1f24"/>'
        '<circle cx="31" cy="19" r="2.8" fill="#1b1f24"/>'
        '<path d="M14 {} Q24 {} 34 {}" fill="none" stroke="#1b1f24" stroke-width="2.8" '
        'stroke-linecap="round"/></svg>',
        fill,
        33 - bend / 4,
        33 + bend,
        33 - bend / 4,
    )
