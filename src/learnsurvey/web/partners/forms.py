"""The partner pages' forms: the request's message, and opening or closing the school."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import MESSAGE_MAX_LENGTH, MESSAGE_MIN_LENGTH


class RequestForm(forms.Form):
    message = forms.CharField(
        label=_("Your message"),
        min_length=MESSAGE_MIN_LENGTH,
        max_length=MESSAGE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Write a message to the school."),
            "min_length": _("Write at least %(limit_value)s characters."),
            "max_length": _("Write at most %(limit_value)s characters."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["message"].help_text = gettext(
            "Say what you would like to learn and how you might work together "
            "(%(min)s to %(max)s characters). Your email address is shared only if they accept."
        ) % {"min": MESSAGE_MIN_LENGTH, "max": MESSAGE_MAX_LENGTH}


class OpenForm(forms.Form):
    open = forms.TypedChoiceField(
        choices=[("1", _("Open")), ("0", _("Closed"))],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )
