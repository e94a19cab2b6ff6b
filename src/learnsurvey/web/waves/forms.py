"""Forms of the waves app: registering for a wave, and the admins' upload forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from learnsurvey.web.schools.models import School

from .models import Registration

URN_VALIDATOR = RegexValidator(r"^\d{5,8}$", _("Enter the URN: a number of 5 to 8 digits."))


class RegistrationForm(forms.Form):
    """A school (or a trust's leader) asks for a place. School fields are required only for a
    school registration; the trust's name only for a trust registration."""

    kind = forms.ChoiceField(
        label=_("Who is registering?"),
        choices=Registration.Kind.choices,
        initial=Registration.Kind.SCHOOL,
        widget=forms.RadioSelect,
    )
    school_name = forms.CharField(label=_("School name"), max_length=200, required=False)
    urn = forms.CharField(
        label=_("URN"),
        max_length=20,
        required=False,
        validators=[URN_VALIDATOR],
        help_text=_("The school's unique reference number, e.g. 100001."),
    )
    phase = forms.ChoiceField(
        label=_("Phase"),
        choices=[("", _("Choose a phase")), *School.Phase.choices],
        required=False,
    )
    trust_name = forms.CharField(
        label=_("Trust name"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for a standalone school. Required for a trust registration."),
    )
    contact_name = forms.CharField(label=_("Your name"), max_length=200)
    contact_email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We send the invitation to set up your account here."),
    )

    def __init__(self, *args: Any, wave_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wave_id = wave_id

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Registration.Kind.TRUST:
            if not data.get("trust_name", "").strip():
                self.add_error("trust_name", _("Enter the trust's name."))
            return data
        for field, message in (
            ("school_name", _("Enter the school's name.")),
            ("urn", _("Enter the school's URN.")),
            ("phase", _("Choose the school's phase.")),
        ):
            if not data.get(field) and field not in self.errors:
                self.add_error(field, message)
        urn = data.get("urn")
        if urn and self._already_registered(urn):
            self.add_error("urn", _("This school is already registered for this wave."))
        return data

    def _already_registered(self, urn: str) -> bool:
        pending_or_approved = Registration.objects.filter(
            wave_id=self.wave_id,
            urn=urn,
            status__in=[Registration.Status.PENDING, Registration.Status.APPROVED],
        )
        return (
            pending_or_approved.exists()
            or School.objects.filter(urn=urn, participations__wave_id=self.wave_id).exists()
        )

    def registration_fields(self) -> dict[str, str]:
        """The cleaned values as Registration fields (school fields empty for a trust)."""
        data = self.cleaned_data
        trust_kind = data["kind"] == Registration.Kind.TRUST
        return {
            "kind": data["kind"],
            "school_name": "" if trust_kind else data["school_name"].strip(),
            "urn": "" if trust_kind else data["urn"],
            "phase": "" if trust_kind else data["phase"],
            "trust_name": data["trust_name"].strip(),
            "contact_name": data["contact_name"].strip(),
            "contact_email": data["contact_email"],
        }


class UploadForm(forms.Form):
    """One file to import."""

    file = forms.FileField(label=_("File"))
