from django.contrib import admin

from appointments.models import (
    ChaseDigest,
    ChaseRecord,
    ChaseTask,
    FollowUpRule,
    PathwayStandard,
    TeamFollowUpOffset,
    TrackedItem,
    TrackedItemTransition,
)


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


class TransitionInline(admin.TabularInline):
    model = TrackedItemTransition
    extra = 0
    readonly_fields = ["from_state", "to_state", "by", "at", "note"]
    can_delete = False


@admin.register(TrackedItem)
class TrackedItemAdmin(admin.ModelAdmin):
    """Read-only: items change through the services (history, audit, chase), not here."""

    list_display = ["title", "kind", "state", "expected_by", "next_chase_on", "chase_count"]
    list_filter = ["kind", "state"]
    inlines = [TransitionInline]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(ChaseTask)
class ChaseTaskAdmin(admin.ModelAdmin):
    list_display = ["item", "status", "assigned_to", "chase_round", "escalated_to", "opened_at"]
    list_filter = ["status"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(ChaseRecord)
class ChaseRecordAdmin(admin.ModelAdmin):
    list_display = ["item", "chase_round", "chased_at", "by", "outcome", "next_chase_on"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(ChaseDigest)
class ChaseDigestAdmin(admin.ModelAdmin):
    """Read-only: what each chase batch had for an organisation, and the email it went in."""

    list_display = ["organisation", "kind", "created_at", "sent_at", "message"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
