from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from learnsurvey.web.waves.models import YEAR_GROUPS, Wave


def _year_label(year: int) -> str:
    return str(_("Reception")) if year == 0 else str(_("Year %(number)d") % {"number": year})


class AccessCodeForm(forms.Form):
    """One code for the school, a class or a year group; or one per chosen year group."""

    wave = forms.ModelChoiceField(queryset=Wave.objects.none(), label=_("Wave"))
    label = forms.CharField(
        label=_("Label"),
        max_length=100,
        required=False,
        help_text=_("For example the class name, such as “5B”. Leave empty for the whole school."),
    )
    year_group = forms.TypedChoiceField(
        label=_("Year group"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Pupils using a code with a year group are not asked for theirs."),
    )
    per_year_group = forms.TypedMultipleChoiceField(
        label=_("Or: one code for each of these year groups"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, waves: list[Wave], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = [(y, _year_label(y)) for y in YEAR_GROUPS]
        wave_field = self.fields["wave"]
        assert isinstance(wave_field, forms.ModelChoiceField)
        wave_field.queryset = Wave.objects.filter(pk__in=[w.pk for w in waves])
        if waves:
            wave_field.initial = waves[0].pk
        year_field = self.fields["year_group"]
        assert isinstance(year_field, forms.TypedChoiceField)
        year_field.choices = [("", _("Any (pupils choose)")), *years]
        per_field = self.fields["per_year_group"]
        assert isinstance(per_field, forms.TypedMultipleChoiceField)
        per_field.choices = years

    def specs(self) -> list[tuple[str, int | None]]:
        """What to create: ``(label, year group)`` pairs."""
        per_year: list[int] = self.cleaned_data["per_year_group"]
        if per_year:
            return [(_year_label(y), y) for y in per_year]
        return [(self.cleaned_data["label"], self.cleaned_data["year_group"])]


class StaffAccessCodeForm(forms.Form):
    """A staff code for a staff survey (no year group: staff are not asked for one).

    Used with the prefix ``staff`` beside the pupils' form on the same page."""

    wave = forms.ModelChoiceField(queryset=Wave.objects.none(), label=_("Staff survey"))
    label = forms.CharField(
        label=_("Label"),
        max_length=100,
        required=False,
        help_text=_("For example “Teaching staff” or “Support staff”. Leave empty for all staff."),
    )

    def __init__(self, *args: Any, waves: list[Wave], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "staff")
        super().__init__(*args, **kwargs)
        wave_field = self.fields["wave"]
        assert isinstance(wave_field, forms.ModelChoiceField)
        wave_field.queryset = Wave.objects.filter(pk__in=[w.pk for w in waves])
        if waves:
            wave_field.initial = waves[0].pk

    def specs(self) -> list[tuple[str, int | None]]:
        """What to create: one ``(label, no year group)`` pair."""
        return [(self.cleaned_data["label"], None)]
