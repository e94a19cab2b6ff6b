"""Actions that change priorities, their actions and the trusts' priorities, each atomic
(the ``do_*`` convention), each checking who acts and what it may change, each writing a
:class:`~.models.Revision` so that every change is kept.

The views check access first (and answer 404 or 403); these checks guard every other
caller. A refused change raises :class:`ImprovementError` (its message is safe to show and
names the field it concerns) or ``PermissionDenied``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from learnsurvey.instruments import Instrument, InstrumentError
from learnsurvey.web.accounts.access import can_manage_school, can_see_trust
from learnsurvey.web.schools.models import School, Trust
from learnsurvey.web.waves.models import STAFF_INSTRUMENT_ID, Participation, Wave, _instrument

from .models import (
    ACTION_FIELDS,
    MAX_PRIORITIES,
    PRIORITY_FIELDS,
    TRUST_PRIORITY_FIELDS,
    Action,
    Priority,
    Revision,
    TrustPriority,
    snapshot,
    valid_academic_year,
)
from .series import is_editable

if TYPE_CHECKING:
    from learnsurvey.web.accounts.models import User

__all__ = [
    "ImprovementError",
    "do_add_action",
    "do_adopt_trust_priority",
    "do_set_priority",
    "do_set_trust_priority",
    "do_update_action",
    "do_update_priority",
]


class ImprovementError(ValueError):
    """A change that cannot be made; ``field`` names the form field it concerns (None: the
    whole form)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _require_manager(user: User, school: School) -> None:
    if not can_manage_school(user, school):
        raise PermissionDenied


def _require_editable(priority: Priority) -> None:
    if not is_editable(priority):
        raise ImprovementError(
            _(
                "The next wave of the survey has opened: this priority and its actions are "
                "kept as they were and can no longer be changed."
            )
        )


def _check_year(academic_year: str) -> None:
    if not valid_academic_year(academic_year):
        raise ImprovementError(_("Enter the academic year like 2026/27."), field="academic_year")


def _check_dimension(instrument: Instrument, dimension: str) -> None:
    if dimension not in instrument.dimension_ids:
        raise ImprovementError(_("Choose one of the survey's dimensions."), field="dimension")


def _check_text(value: str, field: str, limit: int = 5000) -> str:
    value = value.strip()
    if len(value) > limit:
        raise ImprovementError(_("Write at most %(n)s characters.") % {"n": limit}, field=field)
    return value


def _revise(change: str, user: User, **about: Any) -> None:
    record = about.get("action") or about.get("priority") or about.get("trust_priority")
    fields = (
        ACTION_FIELDS
        if isinstance(record, Action)
        else PRIORITY_FIELDS
        if isinstance(record, Priority)
        else TRUST_PRIORITY_FIELDS
    )
    assert record is not None
    Revision.objects.create(
        change=change, snapshot=snapshot(record, fields), changed_by=user, **about
    )


def _check_baseline(school: School, baseline: Wave) -> None:
    if baseline.instrument_id == STAFF_INSTRUMENT_ID or baseline.is_staff:
        raise ImprovementError(_("A priority is set from a pupil wave."), field="baseline_wave")
    if not Participation.objects.filter(wave=baseline, school=school).exists():
        raise ImprovementError(
            _("The school does not take part in that wave."), field="baseline_wave"
        )


def do_set_priority(
    user: User,
    school: School,
    *,
    academic_year: str,
    dimension: str,
    baseline_wave: Wave,
    suggested_reasons: Mapping[str, Any] | None = None,
    theory_of_action: str = "",
    hoped_change: str = "",
    trust_priority: TrustPriority | None = None,
) -> Priority:
    """Set one priority dimension for the school's academic year (at most three a year,
    each dimension once), from ``baseline_wave`` (a pupil wave the school takes part in,
    whose instrument has the dimension)."""
    _require_manager(user, school)
    _check_year(academic_year)
    _check_baseline(school, baseline_wave)
    _check_dimension(baseline_wave.instrument(), dimension)
    theory_of_action = _check_text(theory_of_action, "theory_of_action")
    hoped_change = _check_text(hoped_change, "hoped_change")
    with transaction.atomic():
        # The school's row is the lock that keeps two leaders from setting a fourth.
        School.objects.select_for_update().filter(pk=school.pk).first()
        year = Priority.objects.filter(school=school, academic_year=academic_year)
        if year.filter(dimension=dimension).exists():
            raise ImprovementError(
                _("This dimension is already a priority for %(year)s.") % {"year": academic_year},
                field="dimension",
            )
        if year.count() >= MAX_PRIORITIES:
            raise ImprovementError(
                _("A school sets at most %(n)s priorities for a year.") % {"n": MAX_PRIORITIES},
                field="dimension",
            )
        priority = Priority.objects.create(
            school=school,
            academic_year=academic_year,
            dimension=dimension,
            baseline_wave=baseline_wave,
            suggested_reasons=dict(suggested_reasons or {}),
            theory_of_action=theory_of_action,
            hoped_change=hoped_change,
            trust_priority=trust_priority,
            created_by=user,
        )
        change = Revision.Change.ADOPTED if trust_priority is not None else Revision.Change.CREATED
        _revise(change, user, priority=priority)
    return priority


def do_update_priority(
    user: User, priority: Priority, *, theory_of_action: str, hoped_change: str
) -> Priority:
    """Change a priority's theory of action and the change hoped for (until the next wave of
    the series opens)."""
    _require_manager(user, priority.school)
    theory_of_action = _check_text(theory_of_action, "theory_of_action")
    hoped_change = _check_text(hoped_change, "hoped_change")
    with transaction.atomic():
        locked = Priority.objects.select_for_update().get(pk=priority.pk)
        _require_editable(locked)
        if (locked.theory_of_action, locked.hoped_change) == (theory_of_action, hoped_change):
            return locked
        locked.theory_of_action = theory_of_action
        locked.hoped_change = hoped_change
        locked.save(update_fields=["theory_of_action", "hoped_change", "updated"])
        _revise(Revision.Change.UPDATED, user, priority=locked)
    return locked


def _action_fields(
    *, what: str, kind: str, lead_role: str, starts: date | None, ends: date | None, status: str
) -> dict[str, Any]:
    what = _check_text(what, "what", 300)
    if not what:
        raise ImprovementError(_("Say what the action is."), field="what")
    if kind not in Action.Kind.values:
        raise ImprovementError(_("Choose the kind of action."), field="kind")
    lead_role = _check_text(lead_role, "lead_role", 100)
    if not lead_role:
        raise ImprovementError(_("Say who leads it, by role."), field="lead_role")
    if status not in Action.Status.values:
        raise ImprovementError(_("Choose the action's status."), field="status")
    if starts is not None and ends is not None and ends < starts:
        raise ImprovementError(_("The end must be on or after the start."), field="ends")
    return {
        "what": what,
        "kind": kind,
        "lead_role": lead_role,
        "starts": starts,
        "ends": ends,
        "status": status,
    }


def do_add_action(
    user: User,
    priority: Priority,
    *,
    what: str,
    kind: str,
    lead_role: str,
    starts: date | None = None,
    ends: date | None = None,
    status: str = Action.Status.PLANNED,
) -> Action:
    """Add an action to a priority (until the next wave of the series opens)."""
    _require_manager(user, priority.school)
    fields = _action_fields(
        what=what, kind=kind, lead_role=lead_role, starts=starts, ends=ends, status=status
    )
    with transaction.atomic():
        locked = Priority.objects.select_for_update().get(pk=priority.pk)
        _require_editable(locked)
        action = Action.objects.create(priority=locked, created_by=user, **fields)
        _revise(Revision.Change.CREATED, user, priority=locked, action=action)
    return action


def do_update_action(
    user: User,
    action: Action,
    *,
    what: str,
    kind: str,
    lead_role: str,
    starts: date | None,
    ends: date | None,
    status: str,
) -> Action:
    """Change an action (its status, dates, anything) until the next wave opens."""
    _require_manager(user, action.priority.school)
    fields = _action_fields(
        what=what, kind=kind, lead_role=lead_role, starts=starts, ends=ends, status=status
    )
    with transaction.atomic():
        locked = Action.objects.select_for_update().select_related("priority").get(pk=action.pk)
        _require_editable(locked.priority)
        if all(getattr(locked, k) == v for k, v in fields.items()):
            return locked
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        _revise(Revision.Change.UPDATED, user, priority=locked.priority, action=locked)
    return locked


def do_set_trust_priority(
    user: User,
    trust: Trust,
    *,
    academic_year: str,
    dimension: str,
    note: str = "",
    instrument_id: str = "learning-survey",
) -> TrustPriority:
    """Set (or, for a dimension already set that year, re-word) a trust-wide priority: the
    trust's leader or a platform administrator."""
    if not can_see_trust(user, trust):
        raise PermissionDenied
    _check_year(academic_year)
    try:
        instrument = _instrument(instrument_id)
    except (InstrumentError, ValueError):
        raise ImprovementError(_("Unknown survey."), field="dimension") from None
    _check_dimension(instrument, dimension)
    note = _check_text(note, "note")
    with transaction.atomic():
        found, created = TrustPriority.objects.select_for_update().get_or_create(
            trust=trust,
            academic_year=academic_year,
            dimension=dimension,
            defaults={"note": note, "created_by": user, "instrument_id": instrument_id},
        )
        if not created:
            if found.note == note:
                return found
            found.note = note
            found.save(update_fields=["note", "updated"])
        change = Revision.Change.CREATED if created else Revision.Change.UPDATED
        _revise(change, user, trust_priority=found)
    return found


def do_adopt_trust_priority(
    user: User, school: School, trust_priority: TrustPriority, *, baseline_wave: Wave
) -> Priority:
    """Make one of the trust's priorities one of the school's own for the same year (a
    priority of the school on that dimension that year is linked to it instead)."""
    _require_manager(user, school)
    if school.trust_id != trust_priority.trust_id:
        raise PermissionDenied
    with transaction.atomic():
        existing = (
            Priority.objects.select_for_update()
            .filter(
                school=school,
                academic_year=trust_priority.academic_year,
                dimension=trust_priority.dimension,
            )
            .first()
        )
        if existing is None:
            return do_set_priority(
                user,
                school,
                academic_year=trust_priority.academic_year,
                dimension=trust_priority.dimension,
                baseline_wave=baseline_wave,
                trust_priority=trust_priority,
            )
        if existing.trust_priority_id == trust_priority.pk:
            return existing
        _require_editable(existing)
        existing.trust_priority = trust_priority
        existing.save(update_fields=["trust_priority", "updated"])
        _revise(Revision.Change.ADOPTED, user, priority=existing)
    return existing
