"""The improvement records in the admin: read and searched there, changed through the pages
(whose actions keep the history), so the admin shows them read-only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Action, Priority, Revision, TrustPriority


class _ReadOnly[T: Priority | Action | TrustPriority | Revision](admin.ModelAdmin[T]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ActionInline(admin.TabularInline[Action, Priority]):
    model = Action
    extra = 0
    can_delete = False
    fields = ["what", "kind", "lead_role", "starts", "ends", "status"]
    readonly_fields = ["what", "kind", "lead_role", "starts", "ends", "status"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Priority)
class PriorityAdmin(_ReadOnly[Priority]):
    list_display = ["school", "academic_year", "dimension", "baseline_wave", "trust_priority"]
    list_filter = ["academic_year", "dimension"]
    search_fields = ["school__name", "school__urn", "dimension"]
    inlines = [ActionInline]


@admin.register(TrustPriority)
class TrustPriorityAdmin(_ReadOnly[TrustPriority]):
    list_display = ["trust", "academic_year", "dimension"]
    list_filter = ["academic_year"]
    search_fields = ["trust__name", "dimension"]


@admin.register(Revision)
class RevisionAdmin(_ReadOnly[Revision]):
    list_display = ["changed", "change", "priority", "action", "trust_priority", "changed_by"]
    list_filter = ["change"]
