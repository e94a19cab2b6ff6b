"""Partner opt-ins and requests in the admin: read there (the requests are the log), changed
through the pages, whose actions check who acts and apply the rate limits."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import PartnerOptIn, PartnerRequest


class _ReadOnly[T: PartnerOptIn | PartnerRequest](admin.ModelAdmin[T]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PartnerOptIn)
class PartnerOptInAdmin(_ReadOnly[PartnerOptIn]):
    list_display = ["school", "open", "changed_by", "changed"]
    list_filter = ["open"]
    search_fields = ["school__name", "school__urn"]


@admin.register(PartnerRequest)
class PartnerRequestAdmin(_ReadOnly[PartnerRequest]):
    list_display = ["from_school", "to_school", "dimension", "status", "created", "decided"]
    list_filter = ["status", "dimension"]
    search_fields = ["from_school__name", "from_school__urn", "to_school__name", "to_school__urn"]
    date_hierarchy = "created"
