"""Every page a signed-in user gets is private to them: no shared cache keeps it and the
browser stores no copy to show after signing out (Cache-Control: private, no-store). And it
is in the language they chose, whichever device they chose it on."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from .language import language_codes
from .models import User

__all__ = ["follow_account_language", "private_when_signed_in"]


def private_when_signed_in(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response

    return middleware


def follow_account_language(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """After ``LocaleMiddleware`` (the language cookie, else the browser's languages) and
    the authentication middleware: a signed-in person's own choice, kept on their account,
    comes first, so it follows them to another device or browser."""

    def middleware(request: HttpRequest) -> HttpResponse:
        # No session cookie, nobody signed in: the pupils' endpoint is left as it was.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            user = getattr(request, "user", None)
            if isinstance(user, User) and user.language in language_codes():
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        return get_response(request)

    return middleware
