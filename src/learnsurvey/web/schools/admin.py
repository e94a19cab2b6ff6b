from django.contrib import admin

from .models import School, Trust


@admin.register(Trust)
class TrustAdmin(admin.ModelAdmin[Trust]):
    search_fields = ["name"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin[School]):
    list_display = ["name", "urn", "trust", "phase", "region", "research_opt_in"]
    list_filter = ["phase", "trust", "research_opt_in"]
    search_fields = ["name", "urn"]
