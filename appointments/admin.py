from django.contrib import admin

from appointments.models import PathwayStandard


@admin.register(PathwayStandard)
class PathwayStandardAdmin(admin.ModelAdmin):
    list_display = ["name", "nation", "code", "length_days", "warn_at_days"]
    list_filter = ["nation"]
