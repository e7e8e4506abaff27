"""The pathway standards and follow-up rules a service tunes. Tracked items and the chase are
patient records: they are read and changed through the audited pages (navigator.adminsite)."""

from django.contrib import admin

from appointments.models import FollowUpRule, PathwayStandard, TeamFollowUpOffset


@admin.register(PathwayStandard)
class PathwayStandardAdmin(admin.ModelAdmin):
    list_display = ["name", "nation", "code", "length_days", "warn_at_days"]
    list_filter = ["nation"]


class TeamFollowUpOffsetInline(admin.TabularInline):
    """A team's own offset for the rule (e.g. its check-in after discharge)."""

    model = TeamFollowUpOffset
    extra = 0


@admin.register(FollowUpRule)
class FollowUpRuleAdmin(admin.ModelAdmin):
    """Where a service tunes its follow-ups: offsets, whom to nudge, how often to chase."""

    inlines = [TeamFollowUpOffsetInline]

    list_display = [
        "code",
        "trigger",
        "item_kind",
        "offset_days",
        "nudges",
        "chase_every_days",
        "escalate_after_days",
        "active",
    ]
    list_filter = ["trigger", "item_kind", "active"]
    list_editable = ["offset_days", "chase_every_days", "escalate_after_days", "active"]
