from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from navigator.messaging.models import InboundSms, OutboundMessage, SmsOptOut


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
    list_display = ["phone", "reason", "keyword", "at"]
    list_filter = ["reason"]
    search_fields = ["phone"]


@admin.register(InboundSms)
class InboundSmsAdmin(admin.ModelAdmin):
    """Read-only: texts people sent us and what was done with each (unmatched ones included)."""

    list_display = ["received_at", "from_number_masked", "keyword", "outcome"]
    list_filter = ["keyword"]
    search_fields = ["message_sid", "from_number"]
    date_hierarchy = "received_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
