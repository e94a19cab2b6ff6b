from django.contrib import admin

from .models import OutcomeValue, School, SchoolYear, Trust

IMPORT_LIST = "admin/schools/change_list_import.html"
"""A change list with a link to the upload page (``schools:import_outcomes``)."""


@admin.register(Trust)
class TrustAdmin(admin.ModelAdmin[Trust]):
    search_fields = ["name"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin[School]):
    list_display = ["name", "urn", "trust", "phase", "region", "pupils", "research_opt_in"]
    list_filter = ["phase", "trust", "research_opt_in"]
    search_fields = ["name", "urn"]


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
