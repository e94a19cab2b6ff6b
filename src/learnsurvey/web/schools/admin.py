from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from learnsurvey.web.accounts.models import User
from learnsurvey.web.waves.leaving import do_delete_school_responses, plan_school_deletion

from .models import OutcomeValue, School, SchoolYear, Trust

IMPORT_LIST = "admin/schools/change_list_import.html"
"""A change list with a link to the upload page (``schools:import_outcomes``)."""


@admin.register(Trust)
class TrustAdmin(admin.ModelAdmin[Trust]):
    search_fields = ["name"]


LEAVING_TEMPLATE = "admin/schools/school/delete_responses.html"
"""The confirmation page of deleting a leaving school's answers."""


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin[School]):
    list_display = [
        "name",
        "urn",
        "trust",
        "phase",
        "region",
        "pupils",
        "research_opt_in",
        "left",
    ]
    list_filter = ["phase", "trust", "research_opt_in", ("left", admin.EmptyFieldListFilter)]
    search_fields = ["name", "urn"]
    readonly_fields = ["left"]
    actions = ["delete_responses"]
    change_form_template = "admin/schools/school/change_form.html"

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:pk>/delete-responses/",
                self.admin_site.admin_view(self.delete_responses_view),
                name="schools_school_delete_responses",
            )
        ]
        return own + super().get_urls()

    @admin.action(description=gettext_lazy("Delete the school's answers (it is leaving)"))
    def delete_responses(
        self, request: HttpRequest, queryset: QuerySet[School]
    ) -> HttpResponseBase | None:
        """To the confirmation page of the one school chosen (one at a time: its URN is
        typed to confirm)."""
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            self.message_user(
                request, _("Choose one school at a time to delete its answers."), messages.ERROR
            )
            return None
        return HttpResponseRedirect(
            reverse("admin:schools_school_delete_responses", args=[chosen[0].pk])
        )

    def delete_responses_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """What deleting the school's answers deletes, with counts; typing its URN deletes
        them. Platform administrators only (the admin lets in any staff account)."""
        user = request.user
        if not (isinstance(user, User) and user.is_active and user.is_platform_admin):
            raise PermissionDenied
        school = get_object_or_404(School, pk=pk)
        error = ""
        if request.method == "POST":
            if request.POST.get("urn", "").strip() == school.urn:
                deletion = do_delete_school_responses(school, by=user)
                self.message_user(
                    request,
                    _(
                        "The answers of %(school)s were deleted: %(pupils)s pupils' and "
                        "%(staff)s staff answers. The figures that counted them are being "
                        "computed again."
                    )
                    % {
                        "school": school.name,
                        "pupils": f"{deletion.pupil_responses:,}",
                        "staff": f"{deletion.staff_responses:,}",
                    },
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:schools_school_change", args=[school.pk])
                )
            error = _("Enter the school's URN, %(urn)s, exactly as shown") % {"urn": school.urn}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Delete the answers of %(school)s") % {"school": school.name},
            "school": school,
            "plan": plan_school_deletion(school),
            "error": error,
        }
        return TemplateResponse(request, LEAVING_TEMPLATE, context)


@admin.register(SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin[SchoolYear]):
    change_list_template = IMPORT_LIST
    list_display = ["school", "year", "fsm_pct", "eal_pct", "send_pct", "pupils"]
    list_filter = ["year", "inspection_rating"]
    search_fields = ["school__name", "school__urn"]
    list_select_related = ["school"]
    raw_id_fields = ["school"]


@admin.register(OutcomeValue)
class OutcomeValueAdmin(admin.ModelAdmin[OutcomeValue]):
    change_list_template = IMPORT_LIST
    list_display = ["school", "year", "measure", "value", "unit"]
    list_filter = ["year", "measure"]
    search_fields = ["school__name", "school__urn", "measure"]
    list_select_related = ["school"]
    raw_id_fields = ["school"]
