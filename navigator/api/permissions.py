"""The API's default permission: authenticated, staff MFA-verified, object rules checked."""

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from navigator.accounts.models import STAFF_ROLES

READ_METHODS = ("GET", "HEAD", "OPTIONS")


class RulesPermission(permissions.BasePermission):
    """Default for every API view.

    A view names the object permissions it needs in `object_permissions`, a dict from "read" and
    "write" to a permission in the rule set; a view that names none is refused object access.
    """

    message = "You do not have access to this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user: Any = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if user.role in STAFF_ROLES and not user.has_mfa:
            self.message = "Staff must set up multi-factor authentication before using the API."
            return False
        return True

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        needed = getattr(view, "object_permissions", {})
        perm = needed.get("read" if request.method in READ_METHODS else "write")
        return bool(perm) and request.user.has_perm(perm, obj)
