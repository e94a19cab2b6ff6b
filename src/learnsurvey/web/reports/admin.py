"""Report runs in the Django admin: read-only (the system makes them), to see what failed."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import ReportRun


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin[ReportRun]):
    list_display = ["id", "kind", "wave", "target", "requested_by", "status", "created", "finished"]
    list_filter = ["status", "kind", "wave"]
    search_fields = ["target", "requested_by__username"]
    list_select_related = ["wave", "requested_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ReportRun | None = None) -> bool:
        return False
