"""Forms of the improvement pages: one question (or one small group) a page, GOV.UK style."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Action


class ChooseForm(forms.Form):
    """Which dimensions become priorities for the year (up to the places left)."""

    dimensions = forms.MultipleChoiceField(
        label=_("Which dimensions will be your priorities?"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, choices: Sequence[tuple[str, str]], places: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.places = places
        field = self.fields["dimensions"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = list(choices)
        field.help_text = ngettext(
            "Choose %(n)s dimension at most.", "Choose up to %(n)s dimensions.", places
        ) % {"n": places}
        field.error_messages["required"] = _("Choose at least one dimension.")

    def clean_dimensions(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["dimensions"]
        if len(chosen) > self.places:
            raise forms.ValidationError(
                ngettext(
                    "Choose %(n)s dimension at most.", "Choose up to %(n)s dimensions.", self.places
                )
                % {"n": self.places}
            )
        return chosen


class PriorityForm(forms.Form):
    theory_of_action = forms.CharField(
        label=_("Theory of action"),
        help_text=_("In your own words: what you will do, and why you expect it to help."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        required=False,
    )
    hoped_change = forms.CharField(
        label=_("The change you hope to see"),
        help_text=_("What pupils would say differently in the next wave."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )


class ActionForm(forms.Form):
    what = forms.CharField(label=_("What will be done"), max_length=300)
    kind = forms.ChoiceField(
        label=_("Kind of action"), choices=Action.Kind.choices, widget=forms.RadioSelect
    )
    lead_role = forms.CharField(
        label=_("Who leads it"),
        help_text=_("A role, not a name: for example, deputy head or English lead."),
        max_length=100,
    )
    starts = forms.DateField(
        label=_("Starts"),
        required=False,
        help_text=_("For example, 15/09/2026."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ends = forms.DateField(
        label=_("Ends"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=Action.Status.choices,
        initial=Action.Status.PLANNED,
        widget=forms.RadioSelect,
    )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        starts, ends = data.get("starts"), data.get("ends")
        if starts is not None and ends is not None and ends < starts:
            self.add_error("ends", _("The end must be on or after the start."))
        return data


class TrustPriorityForm(forms.Form):
    academic_year = forms.ChoiceField(label=_("Academic year"), widget=forms.RadioSelect)
    dimension = forms.ChoiceField(label=_("Dimension"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("A note for the schools"),
        help_text=_("Why the trust asks its schools to work on this."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        years: Sequence[str],
        dimensions: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        year = self.fields["academic_year"]
        dimension = self.fields["dimension"]
        assert isinstance(year, forms.ChoiceField)
        assert isinstance(dimension, forms.ChoiceField)
        year.choices = [(y, y) for y in years]
        year.initial = years[0] if years else None
        dimension.choices = list(dimensions)
