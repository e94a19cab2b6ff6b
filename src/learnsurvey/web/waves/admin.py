"""The Django admin for waves: places, registrations (approve/decline), codes, responses.

Responses are read-only here: nobody edits a pupil's or a staff member's answers. A wave's
season, left blank, is taken from its opening date when it is saved.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import (
    AccessCode,
    Participation,
    Registration,
    Response,
    SchoolDeletion,
    Wave,
    WaveResult,
)
from .registrations import (
    Approved,
    RegistrationRefused,
    claimed,
    do_approve_registration,
    do_decline_registration,
)


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin[Wave]):
    list_display = [
        "name",
        "instrument_id",
        "instrument_version",
        "season",
        "opens",
        "closes",
        "places",
        "taken",
        "left",
        "registration_open",
        "links",
    ]
    list_filter = ["registration_open", "instrument_id", "season"]
    search_fields = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Wave]:
        return super().get_queryset(request).annotate(n_taken=Count("participations"))

    @admin.display(description=_("places taken"))
    def taken(self, wave: Wave) -> int:
        return int(getattr(wave, "n_taken", wave.places_taken))

    @admin.display(description=_("places left"))
    def left(self, wave: Wave) -> int:
        return max(0, wave.places - self.taken(wave))

    @admin.display(description=_("links"))
    def links(self, wave: Wave) -> SafeString:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("waves:register", args=[wave.pk]),
            _("registration page"),
            reverse("waves:import_responses", args=[wave.pk]),
            _("import responses"),
        )


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin[Participation]):
    list_display = ["school", "wave", "created"]
    list_filter = ["wave"]
    search_fields = ["school__name", "school__urn"]
    autocomplete_fields = ["school"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin[Registration]):
    list_display = [
        "created",
        "wave",
        "kind",
        "school_name",
        "urn",
        "trust_name",
        "contact_name",
        "contact_email",
        "matches",
        "status",
    ]
    list_filter = ["status", "kind", "wave"]
    search_fields = ["school_name", "urn", "trust_name", "contact_name", "contact_email"]
    readonly_fields = ["status", "created", "decided", "school", "trust"]
    actions = ["approve", "decline"]

    @admin.display(description=_("matches"))
    def matches(self, registration: Registration) -> str:
        """What the registration names that exists already: approving one with known
        leaders asks them to confirm the contact first."""
        return claimed(registration).describe()

    def _each(
        self,
        request: HttpRequest,
        registrations: QuerySet[Registration],
        action: Callable[[Registration], object],
    ) -> int:
        """Apply ``action`` to each registration, reporting refusals; how many succeeded."""
        done = 0
        for registration in registrations:
            try:
                action(registration)
            except RegistrationRefused as refused:
                label = registration.school_name or registration.trust_name
                self.message_user(request, f"{label}: {refused}", messages.ERROR)
            else:
                done += 1
        return done

    @admin.action(description=_("Approve and send invitations"))
    def approve(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        outcomes: list[Approved] = []
        self._each(
            request,
            queryset.order_by("created"),
            lambda r: outcomes.append(do_approve_registration(r)),
        )
        asking = [o for o in outcomes if o.invitation is None]
        if asking:
            self.message_user(
                request,
                ngettext(
                    "%(n)d registration names a school or trust that already has leaders: "
                    "they were asked to confirm the contact belongs.",
                    "%(n)d registrations name a school or trust that already has leaders: "
                    "they were asked to confirm each contact belongs.",
                    len(asking),
                )
                % {"n": len(asking)},
                messages.WARNING,
            )
        approved = len(outcomes) - len(asking)
        if approved:
            self.message_user(
                request,
                ngettext(
                    "%(n)d registration approved; its invitation was emailed.",
                    "%(n)d registrations approved; their invitations were emailed.",
                    approved,
                )
                % {"n": approved},
                messages.SUCCESS,
            )

    @admin.action(description=_("Decline"))
    def decline(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        declined = self._each(request, queryset, do_decline_registration)
        if declined:
            self.message_user(
                request,
                ngettext("%(n)d registration declined.", "%(n)d registrations declined.", declined)
                % {"n": declined},
                messages.SUCCESS,
            )


@admin.register(AccessCode)
class AccessCodeAdmin(admin.ModelAdmin[AccessCode]):
    list_display = ["display", "school", "wave", "label", "year_group", "active", "created"]
    list_filter = ["active", "wave"]
    search_fields = ["code", "school__name", "school__urn", "label"]
    autocomplete_fields = ["school"]
    readonly_fields = ["code"]


class ReadOnlyAdmin[M: Response | WaveResult | SchoolDeletion](admin.ModelAdmin[M]):
    """Rows made by the system, never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin[Response]):
    list_display = [
        "id",
        "wave",
        "school",
        "key_stage",
        "gender",
        "role",
        "source",
        "submitted_hour",
    ]
    list_filter = ["wave", "source", "key_stage", "gender", "role"]
    search_fields = ["school__name", "school__urn"]
    list_select_related = ["wave", "school"]
    show_full_result_count = False  # counting millions of rows on every page is slow


@admin.register(WaveResult)
class WaveResultAdmin(ReadOnlyAdmin[WaveResult]):
    list_display = ["wave", "computed", "n_responses", "max_response_id", "threshold"]
    exclude = ["payload"]  # megabytes of JSON; the dashboards show it


@admin.register(SchoolDeletion)
class SchoolDeletionAdmin(ReadOnlyAdmin[SchoolDeletion]):
    """The record of each leaving school's answers deleted (made by the action on a school,
    or ``manage.py delete_school_responses``)."""

    list_display = ["at", "school_name", "urn", "by_name", "pupil_responses", "staff_responses"]
    search_fields = ["school_name", "urn", "by_name"]
    readonly_fields = [
        "at",
        "school",
        "urn",
        "school_name",
        "by",
        "by_name",
        "pupil_responses",
        "staff_responses",
        "report_runs",
        "counts",
    ]
