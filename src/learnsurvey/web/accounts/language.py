"""The interface language of the people who sign in, kept on their account so that it
follows them from one device to the next, and the language their emails are written in.

Django does the rest: :class:`django.middleware.locale.LocaleMiddleware` reads the language
cookie that :func:`django.views.i18n.set_language` sets (``views.choose_language``), and
``middleware.follow_account_language`` puts the account's choice over it once signed in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest
from django.utils import translation

from .models import User

__all__ = [
    "CHOSEN_BEFORE_SIGN_IN",
    "do_set_language",
    "language_codes",
    "language_for_address",
    "language_for_user",
    "sender_language",
]

CHOSEN_BEFORE_SIGN_IN = "learnsurvey_language_chosen"
"""The session key of a language chosen on a page before signing in (the sign-in page, an
invitation): it becomes the account's choice at sign-in, over an older one."""


def language_codes() -> set[str]:
    """The codes of the platform's interface languages (``settings.LANGUAGES``)."""
    return {code for code, _name in settings.LANGUAGES}


def do_set_language(user: User, code: str) -> None:
    """Keep ``code`` as ``user``'s interface language (one UPDATE of that column only, so a
    concurrent change of another field is not overwritten). ValueError for a code the
    platform does not offer."""
    if code not in language_codes():
        raise ValueError(f"not one of the platform's languages: {code!r}")
    User.objects.filter(pk=user.pk).update(language=code)
    user.language = code


def sender_language() -> str:
    """The active language: that of the person whose action causes an email."""
    return translation.get_language() or settings.LANGUAGE_CODE


def language_for_user(user: User, fallback: str) -> str:
    """The language to write to ``user`` in: the one they chose, else ``fallback``."""
    return user.language if user.language in language_codes() else fallback


def language_for_address(address: str, fallback: str) -> str:
    """The language to write to ``address`` in: the choice of the active account with that
    address (any case) when there is one, else ``fallback`` (someone not yet on the
    platform, such as an invited leader)."""
    chosen = (
        User.objects.filter(email__iexact=address.strip(), is_active=True)
        .exclude(language="")
        .order_by("pk")
        .values_list("language", flat=True)
        .first()
    )
    return chosen if chosen in language_codes() else fallback


def _keep_choice_made_before_sign_in(
    sender: type[User], request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    # Signing in keeps the session's data (only its key changes): a language chosen on the
    # sign-in page is the person's latest word, so it replaces the one on their account.
    if request is None or not hasattr(request, "session"):
        return
    code = request.session.pop(CHOSEN_BEFORE_SIGN_IN, None)
    if isinstance(code, str) and code in language_codes():
        do_set_language(user, code)


def connect_signals() -> None:
    """Called once by the app's ``ready``."""
    user_logged_in.connect(
        _keep_choice_made_before_sign_in, dispatch_uid="learnsurvey-language-at-sign-in"
    )
