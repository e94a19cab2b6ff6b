"""The sign-in page: Django's LoginView with wrong passwords throttled (:mod:`.throttle`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from . import throttle

__all__ = ["SignInView", "ThrottledAuthenticationForm"]


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses a throttled username before its password is checked; counts wrong ones."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many wrong passwords for this username from your network. Try again in "
            "%(minutes)d minutes, or ask your school's administrator to reset your password."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = str(self.data.get("username", ""))
        if self.request is not None and username:
            wait = throttle.sign_in_wait(self.request, username)
            if wait:
                self.wait = wait
                raise forms.ValidationError(
                    self.error_messages["throttled"],
                    code="throttled",
                    params={"minutes": max(1, round(wait / 60))},
                )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if self.request is not None and username:
                throttle.record_failure(self.request, username)
            raise
        if self.request is not None:
            throttle.clear_failures(self.request, username)
        return cleaned


class SignInView(LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "accounts/login.html"

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        wait = getattr(form, "wait", 0)
        if wait:
            response.status_code = 429
            response["Retry-After"] = str(wait)
        return response
