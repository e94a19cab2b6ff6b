"""The improvement pages: a school's priorities, one priority with its actions and impact,
and the trust's view of every school's priorities. Small views over :mod:`.actions` (every
change) and :mod:`.present` (the stored figures in words); the access rules are
:mod:`learnsurvey.web.accounts.access`'s, with :func:`managed_school` for the edit pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from learnsurvey.analysis.figures.improvement import PrioritySuggestion
from learnsurvey.web.accounts.access import (
    can_manage_school,
    can_see_trust,
    current_user,
    school_for,
    trust_for,
)
from learnsurvey.web.dashboards.named import Names
from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.models import _instrument

from .actions import (
    ImprovementError,
    do_add_action,
    do_adopt_trust_priority,
    do_set_priority,
    do_set_trust_priority,
    do_update_action,
    do_update_priority,
)
from .forms import ActionForm, ChooseForm, PriorityForm, TrustPriorityForm
from .models import MAX_PRIORITIES, Action, Priority, Revision, TrustPriority
from .present import Suggestion, impacts_for, latest_suggestions, reason_words
from .series import baseline_wave_for, is_editable, open_years

__all__ = [
    "add_action",
    "add_trust_priority",
    "adopt_trust_priority",
    "choose_priorities",
    "edit_action",
    "edit_priority",
    "managed_school",
    "priority_page",
    "school_priorities",
    "trust_priorities",
]


# --- access ----------------------------------------------------------------------------------


def managed_school(request: HttpRequest, urn: str) -> School:
    """A school the user may change the records of: 404 for a school they may not see, 403
    for one they see but may not change (a teacher)."""
    school = school_for(request, urn)
    if not can_manage_school(current_user(request), school):
        raise PermissionDenied
    return school


def _priority(request: HttpRequest, urn: str, pk: int, *, edit: bool = False) -> Priority:
    """One of the school's priorities (404 for another school's); ``edit``: one the user may
    change and that is still editable (403 otherwise)."""
    school = managed_school(request, urn) if edit else school_for(request, urn)
    found = get_object_or_404(
        Priority.objects.select_related("school", "baseline_wave", "trust_priority"),
        pk=pk,
        school=school,
    )
    if edit and not is_editable(found):
        raise PermissionDenied(_("The next wave has opened: this priority can no longer change."))
    return found


def _posted(request: HttpRequest) -> Any:
    """The form data of a post (an empty post is still a post), None for a GET."""
    return request.POST if request.method == "POST" else None


def _year(slug: str) -> str:
    """The academic year of a URL (``2026-27``) as stored (``2026/27``)."""
    return slug.replace("-", "/")


def _slug(year: str) -> str:
    return year.replace("/", "-")


def _names_for(priority: Priority) -> Names:
    return Names(priority.baseline_wave.instrument())


# --- the school's priorities -----------------------------------------------------------------


def _rows(priorities: list[Priority]) -> list[dict[str, Any]]:
    """Each priority with its dimension's name, actions and impact, for a table."""
    impacts = impacts_for(priorities)
    rows = []
    for p in priorities:
        rows.append(
            {
                "p": p,
                "name": _names_for(p).dimension_or_id(p.dimension),
                "actions": list(p.actions.all()),
                "impact": impacts.get(p.pk),
            }
        )
    return rows


def _adoptable(school: School, years: list[str]) -> list[Any]:
    if school.trust_id is None:
        return []
    found = TrustPriority.objects.filter(trust_id=school.trust_id, academic_year__in=years)
    out = []
    for tp in found:
        adopted = Priority.objects.filter(school=school, trust_priority=tp).exists()
        name = Names(_instrument(tp.instrument_id)).dimension_or_id(tp.dimension)
        out.append({"tp": tp, "name": name, "adopted": adopted})
    return out


@login_required
def school_priorities(request: HttpRequest, urn: str) -> HttpResponse:
    """The suggestions of the latest wave, this year's priorities and past years'."""
    school = school_for(request, urn)
    wave, suggestions = latest_suggestions(school)
    priorities = list(
        Priority.objects.filter(school=school)
        .select_related("baseline_wave", "school", "trust_priority")
        .prefetch_related("actions")
    )
    years = open_years()
    rows = _rows(priorities)
    by_year: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_year.setdefault(row["p"].academic_year, []).append(row)
    can_edit = can_manage_school(current_user(request), school)
    open_ = [
        {
            "year": y,
            "slug": _slug(y),
            "rows": by_year.get(y, []),
            "places": MAX_PRIORITIES - len(by_year.get(y, [])),
        }
        for y in years
    ]
    trust = school.trust
    if trust is not None and not can_see_trust(current_user(request), trust):
        trust = None
    context = {
        "school": school,
        "wave": wave,
        "suggestions": suggestions,
        "open_years": open_,
        "past": sorted(((y, r) for y, r in by_year.items() if y not in years), reverse=True),
        "can_edit": can_edit,
        "adoptable": _adoptable(school, years) if can_edit else [],
        "trust": trust
        if trust is not None and can_see_trust(current_user(request), trust)
        else None,
    }
    return render(request, "improvement/school.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def choose_priorities(request: HttpRequest, urn: str, year: str) -> HttpResponse:
    """Choose up to three dimensions for the year: the suggested ones first, any other too."""
    school = managed_school(request, urn)
    academic_year = _year(year)
    if academic_year not in open_years():
        raise Http404
    wave = baseline_wave_for(school)
    if wave is None:
        return render(request, "improvement/choose.html", {"school": school, "wave": None})
    _wave, suggestions = latest_suggestions(school)
    suggested = {s.dimension: s for s in suggestions}
    taken = set(
        Priority.objects.filter(school=school, academic_year=academic_year).values_list(
            "dimension", flat=True
        )
    )
    places = MAX_PRIORITIES - len(taken)
    names = Names(wave.instrument())
    order = [d for d in suggested if d not in taken] + [
        d for d in wave.instrument().dimension_ids if d not in taken and d not in suggested
    ]
    choices = [(d, names.dimension(d)) for d in order]
    form = ChooseForm(_posted(request), choices=choices, places=places)
    if places > 0 and request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                for dimension in form.cleaned_data["dimensions"]:
                    hint = suggested.get(dimension)
                    do_set_priority(
                        current_user(request),
                        school,
                        academic_year=academic_year,
                        dimension=dimension,
                        baseline_wave=wave,
                        suggested_reasons=(
                            {"wave": wave.name, **hint.figure.model_dump(mode="json")}
                            if hint is not None
                            else None
                        ),
                    )
        except ImprovementError as error:
            form.add_error("dimensions", str(error))
        else:
            messages.success(
                request,
                _(
                    "Priorities set for %(year)s. Open each to write its theory of action and "
                    "add its actions."
                )
                % {"year": academic_year},
            )
            return redirect("improvement:school", urn=school.urn)
    options: list[tuple[Any, Suggestion | None]] = [
        (box, suggested.get(str(box.data["value"]))) for box in form["dimensions"]
    ]
    context = {
        "school": school,
        "wave": wave,
        "year": academic_year,
        "form": form,
        "places": places,
        "options": options,
    }
    return render(request, "improvement/choose.html", context)


# --- one priority ----------------------------------------------------------------------------


def _history(priority: Priority) -> list[dict[str, Any]]:
    revisions = Revision.objects.filter(priority=priority).select_related("changed_by", "action")
    return [
        {
            "r": r,
            "what": r.action.what if r.action is not None else _("The priority"),
            "by": r.changed_by.get_full_name() or r.changed_by.username if r.changed_by else "",
            "snapshot": r.snapshot,
        }
        for r in revisions
    ]


@login_required
def priority_page(request: HttpRequest, urn: str, pk: int) -> HttpResponse:
    """A priority: the leader's theory of action and hoped change, its actions, its impact
    once the next wave is computed, and every change made to it."""
    priority = _priority(request, urn, pk)
    editable = is_editable(priority)
    can_edit = can_manage_school(current_user(request), priority.school)
    reasons: list[str] = []
    if priority.suggested_reasons:
        try:
            reasons = reason_words(PrioritySuggestion.model_validate(priority.suggested_reasons))
        except ValueError:
            reasons = []
    context = {
        "school": priority.school,
        "p": priority,
        "name": _names_for(priority).dimension_or_id(priority.dimension),
        "actions": list(priority.actions.all()),
        "impact": impacts_for([priority]).get(priority.pk),
        "editable": editable,
        "can_edit": can_edit and editable,
        "can_manage": can_edit,
        "reasons": reasons,
        "suggested_wave": (priority.suggested_reasons or {}).get("wave"),
        "history": _history(priority),
    }
    return render(request, "improvement/priority.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit_priority(request: HttpRequest, urn: str, pk: int) -> HttpResponse:
    """The theory of action and the change hoped for, in the leader's words."""
    priority = _priority(request, urn, pk, edit=True)
    form = PriorityForm(
        _posted(request),
        initial={
            "theory_of_action": priority.theory_of_action,
            "hoped_change": priority.hoped_change,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            do_update_priority(current_user(request), priority, **form.cleaned_data)
        except ImprovementError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, _("Priority saved."))
            return redirect("improvement:priority", urn=urn, pk=priority.pk)
    context = {
        "school": priority.school,
        "p": priority,
        "name": _names_for(priority).dimension_or_id(priority.dimension),
        "form": form,
    }
    return render(request, "improvement/edit_priority.html", context)


def _action_form_page(
    request: HttpRequest, priority: Priority, form: ActionForm, action: Action | None
) -> HttpResponse:
    context = {
        "school": priority.school,
        "p": priority,
        "name": _names_for(priority).dimension_or_id(priority.dimension),
        "form": form,
        "action": action,
    }
    return render(request, "improvement/action_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def add_action(request: HttpRequest, urn: str, pk: int) -> HttpResponse:
    priority = _priority(request, urn, pk, edit=True)
    form = ActionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            do_add_action(current_user(request), priority, **form.cleaned_data)
        except ImprovementError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, _("Action added."))
            return redirect("improvement:priority", urn=urn, pk=priority.pk)
    return _action_form_page(request, priority, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def edit_action(request: HttpRequest, urn: str, pk: int, action_pk: int) -> HttpResponse:
    priority = _priority(request, urn, pk, edit=True)
    action = get_object_or_404(Action, pk=action_pk, priority=priority)
    initial = {k: getattr(action, k) for k in ("what", "kind", "lead_role", "starts", "ends")}
    form = ActionForm(_posted(request), initial={**initial, "status": action.status})
    if request.method == "POST" and form.is_valid():
        try:
            do_update_action(current_user(request), action, **form.cleaned_data)
        except ImprovementError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, _("Action saved."))
            return redirect("improvement:priority", urn=urn, pk=priority.pk)
    return _action_form_page(request, priority, form, action)


@login_required
@require_http_methods(["GET", "POST"])
def adopt_trust_priority(request: HttpRequest, urn: str, tp_pk: int) -> HttpResponse:
    """Make one of the trust's priorities the school's own (a page to confirm, then a post)."""
    school = managed_school(request, urn)
    tp = get_object_or_404(TrustPriority, pk=tp_pk, trust_id=school.trust_id or -1)
    wave = baseline_wave_for(school)
    name = Names(_instrument(tp.instrument_id)).dimension_or_id(tp.dimension)
    error = ""
    if request.method == "POST" and wave is not None:
        try:
            priority = do_adopt_trust_priority(
                current_user(request), school, tp, baseline_wave=wave
            )
        except ImprovementError as refused:
            error = str(refused)
        else:
            messages.success(request, _("The trust's priority is now one of yours."))
            return redirect("improvement:priority", urn=urn, pk=priority.pk)
    context = {"school": school, "tp": tp, "name": name, "wave": wave, "error": error}
    return render(request, "improvement/adopt.html", context)


# --- the trust -------------------------------------------------------------------------------


def _status(actions: list[Action]) -> str:
    """The actions' statuses in a few words ("2 in progress, 1 done")."""
    if not actions:
        return _("No actions yet")
    labels = dict(Action.Status.choices)
    counts: dict[str, int] = {}
    for a in actions:
        counts[a.status] = counts.get(a.status, 0) + 1
    return ", ".join(
        f"{counts[s]} {str(labels[s]).lower()}" for s in Action.Status.values if s in counts
    )


@login_required
def trust_priorities(request: HttpRequest, trust_id: int) -> HttpResponse:
    """Every school's priorities, actions, status and impact in one table, and the trust's
    own priorities."""
    trust = trust_for(request, trust_id)
    priorities = list(
        Priority.objects.filter(school__trust=trust)
        .select_related("school", "baseline_wave", "trust_priority")
        .prefetch_related("actions")
        .order_by("-academic_year", "school__name", "created")
    )
    rows = _rows(priorities)
    for row in rows:
        row["status"] = _status(row["actions"])
    own = [
        {"tp": tp, "name": Names(_instrument(tp.instrument_id)).dimension_or_id(tp.dimension)}
        for tp in TrustPriority.objects.filter(trust=trust)
    ]
    context = {"trust": trust, "rows": rows, "own": own}
    return render(request, "improvement/trust.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def add_trust_priority(request: HttpRequest, trust_id: int) -> HttpResponse:
    """The trust leader sets a priority the trust's schools may adopt."""
    trust = trust_for(request, trust_id)
    instrument = _instrument("learning-survey")
    names = Names(instrument)
    form = TrustPriorityForm(
        _posted(request),
        years=open_years(),
        dimensions=[(d, names.dimension(d)) for d in instrument.dimension_ids],
    )
    if request.method == "POST" and form.is_valid():
        try:
            do_set_trust_priority(current_user(request), trust, **form.cleaned_data)
        except ImprovementError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, _("Trust priority saved."))
            return redirect("improvement:trust", trust_id=trust.pk)
    return render(request, "improvement/trust_priority_form.html", {"trust": trust, "form": form})
