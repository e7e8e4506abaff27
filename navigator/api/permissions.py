"""The API's default permission: authenticated, staff MFA-verified, object rules checked."""

from typing import Any

from rest_framework import exceptions, permissions
from rest_framework.request import Request

from navigator.accounts.models import NO_PATIENT_DATA_ROLES, STAFF_ROLES

READ_METHODS = ("GET", "HEAD", "OPTIONS")


class MfaRequired(exceptions.PermissionDenied):
    """A staff member without MFA: a 403 that says what to do, on every API path."""

    default_detail = "Staff must set up multi-factor authentication before using the API."
    default_code = "mfa_required"


class RulesPermission(permissions.BasePermission):
    """Default for every API view.

    A view names the object permissions it needs in `object_permissions`, a dict from "read" and
    "write" to a permission in the rule set (`patients/rules.py`); a view that names none is
    refused object access. An object refusal is a 404, so a record's existence stays private.
    A service manager, who sees no patient's record, gets a 404 from every endpoint except
    those that hold no patient's data (`holds_no_patient_data = True`: their own account,
    the questionnaires, the service directory).
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if user.role in STAFF_ROLES and not user.has_mfa:
            raise MfaRequired()
        if user.role in NO_PATIENT_DATA_ROLES and not getattr(view, "holds_no_patient_data", False):
            raise exceptions.NotFound()
        return True

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if not request.user.has_perm(object_permission_for(view, request.method or ""), obj):
            raise exceptions.NotFound()
        return True


def object_permission_for(view: Any, method: str) -> str:
    """The permission `view` declares for `method`; "" (refused) when it declares none."""
    needed = getattr(view, "object_permissions", {})
    return needed.get("read" if method in READ_METHODS else "write", "")
