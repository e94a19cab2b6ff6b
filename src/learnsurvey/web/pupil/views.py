"""The pupil's journey: code, language, about you, the statements, thank you; and the
staff journey on a staff survey's code: code, language, your role, the statements, thank you.

Anonymous and sessionless: the code and the choices travel in the URL (``?lang=cy``), the
language is activated per request with ``translation.override``, and nothing about the pupil
or staff member is kept on the server until the answers are submitted (no name, email or
IP address, ever). Staff are asked no year group and no gender.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learnsurvey.instruments import Instrument
from learnsurvey.web.waves.actions import SubmissionError
from learnsurvey.web.waves.models import CODE_ALPHABET, CODE_LENGTH, AccessCode

from . import ratelimit
from .lookup import CodeInfo, resolve
from .submission import parse_form, store
from .survey import (
    Language,
    choices,
    gender_label,
    is_primary,
    language,
    languages,
    pages,
    role_choices,
    staff_wording_primary,
)
from .survey import year_groups as year_group_choices


@dataclass(frozen=True)
class Person:
    """What the journey asked about the person: a pupil's year group and gender, or a
    staff member's role (never both)."""

    year: int | None = None
    gender: str = ""
    role: str = ""


def _render(
    request: HttpRequest, lang: Language, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    with translation.override(lang.django):
        response = render(request, template, {"lang": lang, **context}, status=status)
        response["Content-Language"] = lang.django
    # On a shared tablet nothing of one pupil's pages may come back for the next: no copy in
    # any cache, and no page restored by Back from the browser's back-forward cache.
    add_never_cache_headers(response)
    return response


def _english() -> Language:
    return Language("en", "English", "en-gb", "ltr")


def _request_language(request: HttpRequest) -> Language:
    """Before a code is known: the ``lang`` parameter, else the browser's (LocaleMiddleware),
    among the site's languages."""
    wanted = (request.GET.get("lang") or translation.get_language() or "").lower()
    for code, _name in settings.LANGUAGES:
        if code != settings.LANGUAGE_CODE and wanted.split("-")[0] == code.split("-")[0]:
            info = translation.get_language_info(code)
            return Language(code, info["name_local"], code, "rtl" if info["bidi"] else "ltr")
    return _english()


def _refusal(
    request: HttpRequest, lang: Language, reason: str, status: int, retry_after: int = 0
) -> HttpResponse:
    response = _render(request, lang, "pupil/refused.html", {"reason": reason}, status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _open_code(request: HttpRequest, code: str, lang: Language) -> CodeInfo | HttpResponse:
    """The code's record if this network may use it and it is open; else the refusal page."""
    network = ratelimit.network_id(request)
    code = AccessCode.normalise(code)
    wait = ratelimit.network_wait(network, code)
    if wait:
        return _refusal(request, lang, "wait", 429, wait)
    info = resolve(code)
    if info is None:
        ratelimit.record_failure(network)
        return _refusal(request, lang, "unknown", 404)
    if not info.active:
        return _refusal(request, lang, "inactive", 404)
    if not info.is_open():
        return _refusal(request, lang, "closed", 404)
    ratelimit.record_success(network, code)
    return info


def _query(**params: object) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v is not None and v != ""})


@csrf_exempt  # pupils have no session or cookie; posting a code changes nothing stored
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Where a pupil types the code the teacher gave them."""
    lang = _request_language(request)
    typed = ""
    error = ""
    if request.method == "POST":
        typed = request.POST.get("code", "")
        code = AccessCode.normalise(typed)
        if not code:
            error = "empty"
        else:
            found = _open_code(request, code, lang)
            if not isinstance(found, CodeInfo):
                return found
            return redirect("pupil:language", code=found.code)
    status = 400 if error else 200
    context = {"typed": typed, "error": error, "site_languages": _site_languages(lang)}
    return _render(request, lang, "pupil/start.html", context, status)


def _site_languages(current: Language) -> list[tuple[str, str, str, bool]]:
    """The start page in each of the site's languages: (code, its own name, link, current),
    so a pupil who reads Urdu starts in Urdu (before any code says what the survey offers)."""
    found = []
    for code, _name in settings.LANGUAGES:
        info = translation.get_language_info(code)
        short = code.split("-")[0]
        href = reverse("pupil:start") + ("" if short == "en" else _query(lang=short))
        found.append((code, str(info["name_local"]), href, short == current.code.split("-")[0]))
    return found


@require_GET
def choose_language(request: HttpRequest, code: str) -> HttpResponse:
    """Where the link or QR code lands: the pupil picks a language."""
    found = _open_code(request, code, _request_language(request))
    if not isinstance(found, CodeInfo):
        return found
    wave = found.wave()
    instrument = wave.instrument()
    next_page = "pupil:role" if wave.is_staff else "pupil:about"
    options = [
        (lang, reverse(next_page, args=[found.code]) + _query(lang=lang.code))
        for lang in languages(instrument)
    ]
    return _render(
        request,
        _request_language(request),
        "pupil/language.html",
        {"info": found, "options": options},
    )


def _with_code(
    request: HttpRequest, code: str
) -> tuple[CodeInfo, Instrument, Language] | HttpResponse:
    found = _open_code(request, code, _request_language(request))
    if not isinstance(found, CodeInfo):
        return found
    instrument = found.wave().instrument()
    return found, instrument, language(instrument, request.GET.get("lang"))


@require_GET
def about(request: HttpRequest, code: str) -> HttpResponse:
    """Year group (unless the code fixes it) and gender: nothing that identifies the pupil."""
    found = _with_code(request, code)
    if isinstance(found, HttpResponse):
        return found
    info, instrument, lang = found
    if info.wave().is_staff:
        return redirect(reverse("pupil:role", args=[info.code]) + _query(lang=lang.code))
    return _render_about(request, info, instrument, lang, error=False)


@require_GET
def role(request: HttpRequest, code: str) -> HttpResponse:
    """A staff survey's one question about the person: their role (nothing else)."""
    found = _with_code(request, code)
    if isinstance(found, HttpResponse):
        return found
    info, instrument, lang = found
    if not info.wave().is_staff:
        return redirect(reverse("pupil:about", args=[info.code]) + _query(lang=lang.code))
    return _render_role(request, info, instrument, lang, error=False)


def _render_role(
    request: HttpRequest, info: CodeInfo, instrument: Instrument, lang: Language, *, error: bool
) -> HttpResponse:
    context = {
        "info": info,
        "roles": role_choices(instrument, lang),
        "error": error,
        "selected_role": request.GET.get("role", ""),
    }
    return _render(request, lang, "pupil/role.html", context, 400 if error else 200)


def _render_about(
    request: HttpRequest, info: CodeInfo, instrument: Instrument, lang: Language, *, error: bool
) -> HttpResponse:
    with translation.override(lang.django):
        genders = [(g, gender_label(g)) for g in instrument.demographics.genders]
        years = year_group_choices(instrument, info.school_phase)
    context = {
        "info": info,
        "genders": genders,
        "years": years,
        "error": error,
        "selected_year": request.GET.get("year", ""),
        "selected_gender": request.GET.get("gender", ""),
    }
    return _render(request, lang, "pupil/about.html", context, 400 if error else 200)


def _year(raw: str, info: CodeInfo, instrument: Instrument) -> int | None:
    if info.year_group is not None:
        return info.year_group
    try:
        year = int(raw)
    except ValueError:
        return None
    # Only the years of the school's own phase: a primary school's code takes no Year 10.
    return year if year in dict(year_group_choices(instrument, info.school_phase)) else None


@require_GET
def survey(request: HttpRequest, code: str) -> HttpResponse:
    """The statements: short pages with JavaScript, one long form without it."""
    found = _with_code(request, code)
    if isinstance(found, HttpResponse):
        return found
    info, instrument, lang = found
    if info.wave().is_staff:
        chosen = request.GET.get("role", "")
        if chosen not in dict(role_choices(instrument, lang)):
            return _render_role(request, info, instrument, lang, error=True)
        return _render_survey(request, info, instrument, lang, Person(role=chosen), {}, "")
    year = _year(request.GET.get("year", ""), info, instrument)
    gender = request.GET.get("gender", "")
    if year is None or (gender and gender not in instrument.demographics.genders):
        return _render_about(request, info, instrument, lang, error=True)
    person = Person(year=year, gender=gender)
    return _render_survey(request, info, instrument, lang, person, {}, "")


def _render_survey(
    request: HttpRequest,
    info: CodeInfo,
    instrument: Instrument,
    lang: Language,
    person: Person,
    answers: dict[str, int | None],
    error: str,
) -> HttpResponse:
    staff = info.wave().is_staff
    # Staff read the wording for their school's phase and choose words, never faces.
    primary = (
        staff_wording_primary(info.school_phase) if staff else is_primary(instrument, person.year)
    )
    survey_pages = pages(instrument, lang, primary=primary)
    back = "pupil:role" if staff else "pupil:language"
    context = {
        "info": info,
        "staff": staff,
        "pages": [
            (page, [(q, answers.get(q.id)) for q in page.questions]) for page in survey_pages
        ],
        "page_count": len(survey_pages),
        "choices": choices(instrument, lang, primary=primary and not staff),
        "choices_reversed": choices(instrument, lang, primary=primary and not staff, reverse=True),
        "primary": primary and not staff,
        "year": person.year,
        "gender": person.gender,
        "role": person.role,
        "answers": {k: v for k, v in answers.items() if v is not None},
        "key": uuid.uuid4(),
        "error": error,
        "endpoint": reverse("pupil:responses", args=[info.code]),
        "thanks_url": reverse("pupil:thanks")
        + _query(lang=lang.code, who="staff" if staff else None, next=info.code),
        "about_url": reverse(back, args=[info.code])
        + (_query(lang=lang.code, role=person.role) if staff else ""),
    }
    return _render(request, lang, "pupil/survey.html", context, 400 if error else 200)


@csrf_exempt
@require_POST
def submit_form(request: HttpRequest, code: str) -> HttpResponse:
    """The survey without JavaScript: the whole form posted at once, stored idempotently."""
    found = _with_code(request, code)
    if isinstance(found, HttpResponse):
        return found
    info, instrument, _ignored = found
    lang = language(instrument, request.POST.get("lang"))
    wait = ratelimit.submission_wait(info.code)
    if wait:
        return _refusal(request, lang, "busy", 429, wait)
    try:
        payload = parse_form(request.POST.dict(), instrument.item_ids)
        store(info, payload)
    except SubmissionError as exc:
        payload = parse_form(request.POST.dict(), instrument.item_ids, lenient=True)
        with translation.override(lang.django):
            message = (
                _("Please answer at least one statement.")
                if "no item" in str(exc)
                else _("Something in the form was not right. Please check your answers.")
            )
        person = Person(year=payload.year_group, gender=payload.gender, role=payload.role)
        return _render_survey(request, info, instrument, lang, person, payload.answers, message)
    who = "staff" if info.wave().is_staff else None
    thanks_url = reverse("pupil:thanks") + _query(lang=lang.code, who=who, next=info.code)
    return redirect(thanks_url, permanent=False)


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    """Thank you, and a fresh start for the next person on the same device (the code's
    first page: nothing of the answers just sent comes with it)."""
    staff = request.GET.get("who") == "staff"
    lang = _request_language(request)
    typed = request.GET.get("next", "")
    code = AccessCode.normalise(typed[: CODE_LENGTH + 4])
    next_url = ""
    if len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code):
        next_url = reverse("pupil:language", args=[code]) + _query(lang=lang.code)
    return _render(request, lang, "pupil/thanks.html", {"staff": staff, "next_url": next_url})
