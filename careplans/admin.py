"""Data a service maintains without a code change: information prescriptions, bank holidays,
team settings and the service directory. Assessments and plans are patient records: they are
read and changed through the audited pages, not here."""

from django.contrib import admin

from careplans.models import (
    DirectoryOrganization,
    DirectoryService,
    InformationResource,
    ServiceArea,
    ServiceLanguage,
    TriageSettings,
)


@admin.register(InformationResource)
class InformationResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "tumour_sites", "concern_codes", "is_active", "order"]
    list_filter = ["kind", "is_active"]
    search_fields = ["title", "code", "summary"]
    prepopulated_fields = {"code": ["title"]}


@admin.register(TriageSettings)
class TriageSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "team",
        "distress_threshold",
        "high_rating",
        "escalate_after_working_hours",
        "assessment_review_interval_days",
        "signpost_feedback_after_days",
    ]


class ServiceAreaInline(admin.TabularInline):
    model = ServiceArea
    extra = 0


class ServiceLanguageInline(admin.TabularInline):
    model = ServiceLanguage
    extra = 0


@admin.register(DirectoryService)
class DirectoryServiceAdmin(admin.ModelAdmin):
    """Withdraw a service by setting its status: plans that signposted it keep it, marked
    "no longer listed"."""

    list_display = ["name", "organization", "status", "tumour_sites", "self_refer"]
    list_filter = ["status", "self_refer"]
    search_fields = ["name", "organization__name"]
    filter_horizontal = ["taxonomy_terms"]
    inlines = [ServiceAreaInline, ServiceLanguageInline]


admin.site.register(DirectoryOrganization)
