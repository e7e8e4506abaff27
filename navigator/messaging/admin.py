from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from navigator.messaging.models import OutboundMessage, SmsOptOut


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    """Read-only: the outbox is a record of what was sent; services alone change it."""

    list_display = ["created_at", "kind", "channel", "to_address_masked", "status", "attempts"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["idempotency_key", "provider_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SmsOptOut)
class SmsOptOutAdmin(admin.ModelAdmin):
    list_display = ["phone", "keyword", "at"]
    search_fields = ["phone"]
