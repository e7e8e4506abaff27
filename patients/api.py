"""The cases API: the rules of `patients.rules`, through the same door as the pages.

Lists come from `patients.selectors` (built on `visible_cases`); one case named in the URL comes
through `patients.access.get_case_for_user`, so it is a 404 to anyone not entitled and every
read is audited, exactly as on the web pages.
"""

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, serializers
from rest_framework.generics import GenericAPIView, ListAPIView, RetrieveAPIView
from rest_framework.response import Response

from navigator.accounts.models import User
from navigator.api.permissions import object_permission_for
from navigator.api.schema import error_responses
from navigator.audit.services import audit_refusal_record
from navigator.http import AuthenticatedRequest
from navigator.organisations.models import Organisation
from patients.access import get_case_for_user
from patients.models import CareTeamMember, Case, TimelineEvent
from patients.selectors import (
    care_team_for_case,
    case_list_visible,
    messages_for_case,
    timeline_for_case,
)
from patients.serializers import (
    CareTeamMemberInput,
    CareTeamMemberOutput,
    CaseMessageInput,
    CaseMessageOutput,
    CaseOutput,
    TimelineEventInput,
    TimelineEventOutput,
    TimelineEventPatientOutput,
)
from patients.services import (
    care_team_add,
    care_team_remove,
    case_message_post,
    timeline_event_add,
)


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

    def handle_exception(self, exc: Exception) -> Response:
        """A 403 about the case in the URL goes in the security log, as the door's 404s do."""
        refused = isinstance(exc, exceptions.PermissionDenied | PermissionDenied)
        if refused and self.request.user.is_authenticated:
            case_id = self.kwargs["case_id"]
            audit_refusal_record(
                request=self.request._request,
                status=403,
                object_type=Case._meta.label_lower,
                object_id=str(case_id),
                patient_id=Case.objects.filter(pk=case_id)
                .values_list("patient_id", flat=True)
                .first(),
            )
        return super().handle_exception(exc)  # type: ignore[misc]  # a mixin for APIView


@extend_schema_view(
    get=extend_schema(
        summary="List the cases you can see",
        tags=["cases"],
        responses={200: CaseOutput(many=True), **error_responses(401, 403, 404)},
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


class _CaseRecordsApi(CaseObjectMixin, GenericAPIView):
    """Lists and writes of one kind of record inside the case named in the URL."""

    def paginated(
        self, case: Case, rows: Any, serializer: type[serializers.Serializer]
    ) -> Response:
        page = self.paginate_queryset(rows)
        data = serializer(page, many=True, context={"case": case}).data
        return self.get_paginated_response(data)


@extend_schema_view(
    get=extend_schema(
        operation_id="cases_care_team_list",
        summary="The case's care team",
        tags=["care team"],
        responses={200: CareTeamMemberOutput(many=True), **error_responses(401, 403, 404)},
    ),
    post=extend_schema(
        operation_id="cases_care_team_create",
        summary="Add someone to the care team",
        description="A staff account (`user_id`, who then sees the case) or a contact by name. "
        "The named navigator changes only by handover.",
        tags=["care team"],
        request=CareTeamMemberInput,
        responses={201: CareTeamMemberOutput, **error_responses(400, 401, 403, 404, 415)},
    ),
)
class CareTeamApi(_CaseRecordsApi):
    object_permissions = {"read": "patients.view_care_team", "write": "patients.change_care_team"}
    audit_summary = "Looked at the care team through the API"
    serializer_class = CareTeamMemberOutput

    def get(self, request: AuthenticatedRequest, case_id: UUID) -> Response:
        case = self.get_object()
        return self.paginated(case, care_team_for_case(case=case), CareTeamMemberOutput)

    def post(self, request: AuthenticatedRequest, case_id: UUID) -> Response:
        case = self.get_object()
        given = CareTeamMemberInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        user = None
        if data["user_id"] is not None:
            user = User.objects.filter(pk=data["user_id"], is_active=True).first()
            if user is None:
                raise exceptions.ValidationError({"user_id": ["No account has this id."]})
        organisation = None
        if data["organisation_ods_code"]:
            organisation = Organisation.objects.filter(
                ods_code__iexact=data["organisation_ods_code"].strip()
            ).first()
            if organisation is None:
                raise exceptions.ValidationError(
                    {"organisation_ods_code": ["No organisation has this ODS code."]}
                )
        member = care_team_add(
            case=case,
            by=request.user,
            role=data["role"],
            user=user,
            name=data["name"],
            organisation=organisation,
            contact=data["contact"],
        )
        return Response(CareTeamMemberOutput(member, context={"case": case}).data, status=201)


@extend_schema_view(
    delete=extend_schema(
        operation_id="cases_care_team_destroy",
        summary="Take someone off the care team",
        description="The named navigator stays until the case is handed over (400).",
        tags=["care team"],
        responses={
            204: OpenApiResponse(description="Removed."),
            **error_responses(400, 401, 403, 404),
        },
    )
)
class CareTeamMemberApi(_CaseRecordsApi):
    object_permissions = {"write": "patients.change_care_team"}
    audit_summary = "Asked to remove someone from the care team through the API"

    def delete(self, request: AuthenticatedRequest, case_id: UUID, member_id: int) -> Response:
        case = self.get_object()
        member = (
            CareTeamMember.objects.select_related("user", "case")
            .filter(case=case, pk=member_id)
            .first()
        )
        if member is None:
            raise exceptions.NotFound()
        care_team_remove(member=member, by=request.user)
        return Response(status=204)


@extend_schema_view(
    get=extend_schema(
        operation_id="cases_timeline_list",
        summary="The case's timeline, latest first",
        description="Staff get every event; the patient and their carers get the events shared "
        "with them, with kind, time and summary only. Filter with `?kind=`.",
        tags=["timeline"],
        parameters=[OpenApiParameter("kind", str, enum=TimelineEvent.Kind.values, required=False)],
        responses={200: TimelineEventOutput(many=True), **error_responses(400, 401, 403, 404)},
    ),
    post=extend_schema(
        operation_id="cases_timeline_create",
        summary="Add a note or event to the timeline",
        tags=["timeline"],
        request=TimelineEventInput,
        responses={201: TimelineEventOutput, **error_responses(400, 401, 403, 404, 415)},
    ),
)
class TimelineApi(_CaseRecordsApi):
    object_permissions = {"read": "patients.view_timeline", "write": "patients.change_case"}
    audit_summary = "Looked at the timeline through the API"
    serializer_class = TimelineEventOutput

    def get(self, request: AuthenticatedRequest, case_id: UUID) -> Response:
        case = self.get_object()
        kind = request.query_params.get("kind", "")
        if kind and kind not in TimelineEvent.Kind.values:
            raise exceptions.ValidationError({"kind": [f"{kind!r} is not a kind of event."]})
        staff = request.user.has_perm("patients.change_case", case)
        events = timeline_for_case(case=case, kind=kind, shared_only=not staff)
        return self.paginated(
            case, events, TimelineEventOutput if staff else TimelineEventPatientOutput
        )

    def post(self, request: AuthenticatedRequest, case_id: UUID) -> Response:
        case = self.get_object()
        given = TimelineEventInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        occurred = data.pop("occurred_at", None) or data.pop("occurred_on")
        data.pop("occurred_on", None)
        event = timeline_event_add(case=case, by=request.user, occurred_at=occurred, **data)
        return Response(TimelineEventOutput(event).data, status=201)


@extend_schema_view(
    get=extend_schema(
        operation_id="cases_messages_list",
        summary="The case's secure messages, oldest first",
        description="Reading through the API does not mark messages read.",
        tags=["messages"],
        responses={200: CaseMessageOutput(many=True), **error_responses(401, 403, 404)},
    ),
    post=extend_schema(
        operation_id="cases_messages_create",
        summary="Send a secure message in the case",
        description="The other side gets a text or email saying there is a new message, never "
        "its text. Staff on the case, the patient, and carers who act for them may send.",
        tags=["messages"],
        request=CaseMessageInput,
        responses={201: CaseMessageOutput, **error_responses(400, 401, 403, 404, 415)},
    ),
)
class CaseMessagesApi(_CaseRecordsApi):
    object_permissions = {"read": "patients.view_messages", "write": "patients.post_message"}
    audit_summary = "Read the messages through the API"
    serializer_class = CaseMessageOutput

    def get(self, request: AuthenticatedRequest, case_id: UUID) -> Response:
        case = self.get_object()
        rows = messages_for_case(case=case).select_related("case__patient")
        return self.paginated(case, rows, CaseMessageOutput)

    def post(self, request: AuthenticatedRequest, case_id: UUID) -> Response:
        case = self.get_object()
        given = CaseMessageInput(data=request.data)
        given.is_valid(raise_exception=True)
        message = case_message_post(
            case=case, author=request.user, body=given.validated_data["body"]
        )
        return Response(CaseMessageOutput(message).data, status=201)
