from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .language import CHOSEN_BEFORE_SIGN_IN, do_set_language, language_codes
from .models import Invitation, User


@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """The layout's language chooser: Django's ``set_language`` sets the language cookie and
    goes back to ``next`` (a page of this site only); a signed-in person's choice is also
    kept on their account, and one made before signing in is kept for the sign-in.

    A code the platform does not offer changes nothing (Django's view would take any
    language Django itself is translated into)."""
    code = request.POST.get("language", "")
    response = set_language(request)
    if code not in language_codes():
        response.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
        return response
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        do_set_language(user, code)
    else:
        request.session[CHOSEN_BEFORE_SIGN_IN] = code
    return response


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An invited leader chooses a password; the account is created with the invited role."""
    invitation = Invitation.find(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    user = User(
        username=invitation.email.lower(),
        email=invitation.email,
        role=invitation.role,
        trust=invitation.trust,
        school=invitation.school,
    )
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if locked.accepted is not None or User.objects.filter(username=user.username).exists():
                return render(request, "accounts/invitation_invalid.html", status=409)
            form.save()
            locked.accepted = timezone.now()
            locked.user = user
            locked.save(update_fields=["accepted", "user"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("dashboards:home")
    return render(
        request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation}
    )
