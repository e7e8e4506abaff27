from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework.authtoken.models import TokenProxy

from navigator.accounts.models import STAFF_ROLES
from navigator.models import BankHoliday

# What libraries register that must not be here (navigator.adminsite): every person's email
# addresses, patients' included; API tokens, each a working key to someone's account; and
# allauth's authenticator page, which shows the sealed TOTP secret (replaced below).
for model in (EmailAddress, TokenProxy, Authenticator):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(BankHoliday)
class BankHolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "division"]
    list_filter = ["division"]
    date_hierarchy = "date"


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Staff authenticators, to remove one whose owner lost their phone (they enrol a new one
    at their next sign-in). Never the secret, sealed or not: nothing here shows `data`."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    fields = readonly_fields = ("user", "type", "created_at", "last_used_at")
    search_fields = ["user__email"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Authenticator]:
        return super().get_queryset(request).filter(user__role__in=STAFF_ROLES)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
