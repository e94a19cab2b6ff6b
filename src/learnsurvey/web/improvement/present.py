"""What the pages, the API and the reports show beside a school's records: the suggested
priorities of its latest wave and the impact of each priority, read from the stored figures
(:class:`~learnsurvey.analysis.figures.school.SchoolFigures` and the figures over time) and
put in words. Nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from learnsurvey.analysis.figures.improvement import ImpactFigure, PrioritySuggestion
from learnsurvey.web.dashboards.named import Names
from learnsurvey.web.dashboards.over_time_store import over_time_parts
from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.models import Wave

from .models import Priority
from .series import baseline_wave_for, next_wave

__all__ = [
    "IMPACT_WORDS",
    "Impact",
    "Suggestion",
    "impacts_for",
    "latest_suggestions",
    "reason_words",
]

IMPACT_WORDS: dict[str, Promise] = {
    "clearly_more": gettext_lazy("Improved clearly more than similar schools"),
    "as_similar": gettext_lazy("Improved, as similar schools did"),
    "less_than_similar": gettext_lazy("Improved, but less than similar schools did"),
    "improved": gettext_lazy("Improved clearly (similar schools cannot be shown to compare)"),
    "no_clear_change": gettext_lazy("No clear change yet (smaller than this school can detect)"),
    "steady_while_similar_declined": gettext_lazy(
        "No clear change, while similar schools declined"
    ),
    "declined": pgettext_lazy("a score's change", "Declined"),
    "declined_more": gettext_lazy("Declined more than similar schools"),
    "unknown": gettext_lazy("Not shown: too few pupils answered to show the change"),
}
"""Each verdict of :data:`~learnsurvey.analysis.figures.improvement.ImpactVerdict` in words:
never more than its confidence intervals support."""


def _num(value: float | None) -> str:
    return "–" if value is None else str(floatformat(value, 2))


def reason_words(suggestion: PrioritySuggestion) -> list[str]:
    """Each reason of a suggestion in words, with the figures behind it."""
    words = []
    for reason in suggestion.reasons:
        if reason == "below_all":
            words.append(
                _("Below all schools: %(mean)s against %(other)s (the interval lies wholly below)")
                % {"mean": _num(suggestion.mean), "other": _num(suggestion.benchmark_mean)}
            )
        elif reason == "below_similar":
            words.append(
                _(
                    "Below similar schools: %(mean)s against %(other)s (the interval lies "
                    "wholly below)"
                )
                % {"mean": _num(suggestion.mean), "other": _num(suggestion.similar_mean)}
            )
        elif reason == "down_since_last":
            change = None if suggestion.change is None else abs(suggestion.change)
            words.append(
                _("Down since the last wave by %(change)s (the interval lies wholly below zero)")
                % {"change": _num(change)}
            )
    return words


@dataclass(frozen=True)
class Suggestion:
    """A suggested priority as a page shows it."""

    dimension: str
    name: str
    reasons: list[str]
    figure: PrioritySuggestion


def latest_suggestions(school: School) -> tuple[Wave | None, list[Suggestion]]:
    """The school's latest pupil wave and the priorities its stored figures suggest (none
    while the school's figures are not shown)."""
    from learnsurvey.web.dashboards.results import current_result, school_figures

    wave = baseline_wave_for(school)
    if wave is None:
        return None, []
    result = current_result(wave)
    figures = school_figures(result, school.urn) if result is not None else None
    if figures is None or not figures.publishable:
        return wave, []
    names = Names(wave.instrument())
    return wave, [
        Suggestion(
            dimension=s.dimension,
            name=names.dimension_or_id(s.dimension),
            reasons=reason_words(s),
            figure=s,
        )
        for s in figures.suggested_priorities
    ]


@dataclass(frozen=True)
class Impact:
    """A priority's impact: the stored figure, its verdict in words, and the wave it was
    measured at (``provisional`` while that wave is still open)."""

    figure: ImpactFigure
    words: str
    to_wave: str
    provisional: bool
    details: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.figure.model_dump(mode="json"),
            "words": self.words,
            "provisional": self.provisional,
        }


def _details(f: ImpactFigure) -> list[str]:
    """The figures behind the verdict, in words (only those shown)."""
    if f.suppressed or f.change is None:
        return []
    out = [
        _("This school: %(change)s (95%% interval %(low)s to %(high)s)")
        % {"change": _num(f.change), "low": _num(f.change_ci_low), "high": _num(f.change_ci_high)}
    ]
    if f.similar_change is not None:
        out.append(
            _("Similar schools: %(change)s (%(low)s to %(high)s)")
            % {
                "change": _num(f.similar_change),
                "low": _num(f.similar_ci_low),
                "high": _num(f.similar_ci_high),
            }
        )
    if f.did is not None:
        out.append(
            _("Difference: %(did)s (%(low)s to %(high)s)")
            % {"did": _num(f.did), "low": _num(f.did_ci_low), "high": _num(f.did_ci_high)}
        )
    if f.mdc is not None:
        out.append(_("Smallest change this school could detect: %(mdc)s") % {"mdc": _num(f.mdc)})
    return out


def _impact(figure: ImpactFigure, wave: Wave) -> Impact:
    verdict = "unknown" if figure.suppressed else figure.verdict
    return Impact(
        figure=figure,
        words=str(IMPACT_WORDS[verdict]),
        to_wave=figure.to_wave,
        provisional=wave.closes >= timezone.localdate(),
        details=_details(figure),
    )


def impacts_for(priorities: Iterable[Priority]) -> dict[int, Impact | None]:
    """Each priority's impact (by its id): the stored difference in differences of its
    dimension from its baseline wave to the next wave of the series, once that wave's
    figures over time are stored (None before). One read per next wave."""
    out: dict[int, Impact | None] = {}
    by_wave: dict[int, tuple[Wave, list[Priority]]] = {}
    for p in priorities:
        out[p.pk] = None
        following = next_wave(p.baseline_wave, p.school)
        if following is not None:
            by_wave.setdefault(following.pk, (following, []))[1].append(p)
    for wave, group in by_wave.values():
        stored = over_time_parts(wave, schools=sorted({p.school.urn for p in group}), trusts=[])
        if stored is None:
            continue
        schools = stored[0].schools
        for p in group:
            part = schools.get(p.school.urn)
            if part is None:
                continue
            found = _matching(part.impacts, p)
            out[p.pk] = _impact(found, wave) if found is not None else None
    return out


def _matching(impacts: Sequence[ImpactFigure], p: Priority) -> ImpactFigure | None:
    return next(
        (
            f
            for f in impacts
            if f.kind == "dimension"
            and f.score == p.dimension
            and f.from_wave == p.baseline_wave.name
        ),
        None,
    )
