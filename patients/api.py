"""The cases API: the rules of `patients.rules`, through the same door as the pages.

Lists come from `patients.selectors` (built on `visible_cases`); one case named in the URL comes
through `patients.access.get_case_for_user`, so it is a 404 to anyone not entitled and every
read is audited, exactly as on the web pages.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.generics import ListAPIView, RetrieveAPIView

from navigator.api.permissions import object_permission_for
from navigator.api.schema import error_responses
from patients.access import get_case_for_user
from patients.models import Case
from patients.selectors import case_list_visible
from patients.serializers import CaseOutput


class CaseObjectMixin:
    """For a view about the one case in its URL (`case_id`).

    The view's `object_permissions` name the permission for reads and for writes; the case is
    found, checked and audited by `get_case_for_user`.
    """

    request: Any
    kwargs: dict[str, Any]
    object_permissions: dict[str, str]
    audit_summary = ""

    def get_queryset(self) -> QuerySet[Case]:
        return case_list_visible(user=self.request.user)

    def get_object(self) -> Case:
        perm = object_permission_for(self, self.request.method)
        if not perm:
            raise exceptions.NotFound()
        return get_case_for_user(
            self.request, self.kwargs["case_id"], perm=perm, summary=self.audit_summary
        )


@extend_schema_view(
    get=extend_schema(
        summary="List the cases you can see",
        tags=["cases"],
        responses={200: CaseOutput(many=True), **error_responses(401, 403)},
    )
)
class CaseListApi(ListAPIView):
    """The cases you may see: your own, those you care for, or those of your team or care team."""

    serializer_class = CaseOutput

    def get_queryset(self) -> QuerySet[Case]:
        return case_list_visible(user=self.request.user)


@extend_schema_view(
    get=extend_schema(
        summary="One case",
        tags=["cases"],
        responses={200: CaseOutput, **error_responses(401, 403, 404)},
    )
)
class CaseDetailApi(CaseObjectMixin, RetrieveAPIView):
    """One case, if you may see it; otherwise 404. Every read is recorded in the audit trail."""

    serializer_class = CaseOutput
    object_permissions = {"read": "patients.view_case"}
    audit_summary = "Viewed the case through the API"
