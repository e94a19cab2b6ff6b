"""The Django admin for people: users with their role and scope, invitations, API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, Invitation, User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ["username", "email", "role", "trust", "school", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff", "trust"]
    search_fields = ["username", "email", "first_name", "last_name", "school__name"]
    autocomplete_fields = ["trust", "school"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Role and scope"), {"fields": ("role", "trust", "school")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ("email", "role", "trust", "school")}),
    )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    """Invitations are issued by approving a registration; here they are only looked at."""

    list_display = ["email", "role", "trust", "school", "created", "expires", "accepted"]
    list_filter = ["role", "accepted"]
    search_fields = ["email"]
    readonly_fields = [
        "email",
        "role",
        "trust",
        "school",
        "token_hash",
        "created",
        "expires",
        "accepted",
        "user",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Adding a token issues it: the secret is shown once, in a message, and never again."""

    list_display = ["name", "user", "created", "last_used"]
    search_fields = ["name", "user__username"]
    autocomplete_fields = ["user"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("user", "name")
        return ("user", "name", "token_hash", "created", "last_used")

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        if obj is None:
            return []
        return ["user", "token_hash", "created", "last_used"]

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        issued, secret = ApiToken.issue(obj.user, obj.name)
        # The admin goes on with ``obj`` (log entry, redirect): make it the issued row.
        obj.pk, obj.token_hash, obj.created = issued.pk, issued.token_hash, issued.created
        self.message_user(
            request,
            _("The token for %(name)s is %(token)s — copy it now: it is not shown again.")
            % {"name": obj.name, "token": secret},
            messages.WARNING,
        )
