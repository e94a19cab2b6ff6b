from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from .models import Invitation, User


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
