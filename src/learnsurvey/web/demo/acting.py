"""The demo's loop of acting on results: outcomes for every school, the schools open to
partner requests, and priorities with actions for a dozen schools over the three waves.

Priorities are set where the generator planted an improvement (so some show a clear impact
when the next wave is computed), plus a few where nothing was planted (so "no clear change
yet" shows too). They are historical records, stored directly like the synthetic responses;
a leader's own changes go through ``improvement.actions``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from learnsurvey.synth import SyntheticWaves
from learnsurvey.synth.outcomes import series_outcomes
from learnsurvey.web.improvement.models import Action, Priority
from learnsurvey.web.improvement.series import academic_year_of
from learnsurvey.web.partners.models import PartnerOptIn
from learnsurvey.web.schools.models import OutcomeValue, School
from learnsurvey.web.waves.models import Wave

__all__ = ["DEMO_PRIORITY_SCHOOLS", "OPEN_TO_PARTNERS_EVERY", "load_acting"]

DEMO_PRIORITY_SCHOOLS = 12
OPEN_TO_PARTNERS_EVERY = 2
"""Every second school is open to partner requests."""
UNPLANTED = 3
"""Of the dozen, schools whose priority had nothing planted behind it."""

ACTIONS = (
    ("Lesson study cycles on {name}", Action.Kind.LESSON_STUDY, "Teachers"),
    ("Instructional coaching for {name}", Action.Kind.COACHING, "Senior leader"),
    ("Pupil voice panel on {name}", Action.Kind.PUPIL_VOICE, "Head of year"),
)


def load_acting(series: SyntheticWaves, waves: Sequence[Wave], schools: dict[str, School]) -> None:
    """Store the outcomes, the partner opt-ins and the priorities. ``waves`` are the pupil
    waves oldest first; ``schools`` keyed by synthetic name."""
    _outcomes(series, waves, schools)
    PartnerOptIn.objects.bulk_create(
        PartnerOptIn(school=s, open=True)
        for k, s in enumerate(schools.values())
        if k % OPEN_TO_PARTNERS_EVERY == 0
    )
    _priorities(series, waves, schools)


def _outcomes(series: SyntheticWaves, waves: Sequence[Wave], schools: dict[str, School]) -> None:
    years = [academic_year_of(w.opens) for w in waves[-2:]]
    table = series_outcomes(series, years=years)
    OutcomeValue.objects.bulk_create(
        OutcomeValue(
            school=schools[str(r["school"])],
            year=str(r["year"]),
            measure=str(r["measure"]),
            unit=str(r["unit"]),
            value=float(r["value"]),
        )
        for r in table.to_dict("records")
    )


def _chosen(series: SyntheticWaves) -> list[tuple[str, int, list[str]]]:
    """(school, index of the baseline wave, dimensions): planted improvements first."""
    labels = [w.label for w in series.waves]
    if len(labels) < 2:  # one wave: nothing to act on yet
        return []
    planted: dict[tuple[str, int], list[str]] = {}
    for change in series.changes:
        if change.direction == "up" and change.wave in labels[1:]:
            planted.setdefault((change.school, labels.index(change.wave) - 1), []).append(
                change.dimension
            )
    picked = [(s, k, dims[:3]) for (s, k), dims in sorted(planted.items(), key=_latest_first)]
    picked = picked[: DEMO_PRIORITY_SCHOOLS - UNPLANTED]
    taken = {s for s, _, _ in picked} | {c.school for c in series.changes}
    dims = series.model.instrument.dimension_ids
    steady = [s for s in series.waves[-2].schools if s.school not in taken][:UNPLANTED]
    picked += [(s.school, len(labels) - 2, [dims[k % len(dims)]]) for k, s in enumerate(steady)]
    return picked


def _latest_first(item: tuple[tuple[str, int], list[str]]) -> tuple[int, str]:
    (school, index), _ = item
    return (-index, school)


def _priorities(series: SyntheticWaves, waves: Sequence[Wave], schools: dict[str, School]) -> None:
    names = {d.id: d.name for d in series.model.instrument.dimensions}
    for school, index, dimensions in _chosen(series):
        baseline = waves[index]
        year = academic_year_of(baseline.closes + timedelta(days=60))
        for dimension in dimensions:
            priority = Priority.objects.create(
                school=schools[school],
                academic_year=year,
                dimension=dimension,
                baseline_wave=baseline,
                theory_of_action=(
                    f"If pupils see how {names[dimension].lower()} shapes each lesson, and "
                    "teachers plan for it together, pupils will say so in the next survey."
                ),
                hoped_change="A clear rise on this dimension by the next summer wave.",
            )
            Action.objects.bulk_create(
                Action(
                    priority=priority,
                    what=what.format(name=names[dimension].lower()),
                    kind=kind,
                    lead_role=lead,
                    starts=baseline.closes + timedelta(days=60),
                    ends=baseline.closes + timedelta(days=300),
                    status=Action.Status.DONE if index < len(waves) - 1 else Action.Status.PLANNED,
                )
                for what, kind, lead in ACTIONS[: 1 + len(dimension) % 3]
            )
