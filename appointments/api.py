"""The tracked items API: items and their transitions, chase tasks, and hospital imports.

The same rules as the pages (`patients/rules.py`): the case in the URL comes through
`patients.access.get_case_for_user` (404 to anyone not entitled; every read audited), and an
item or task in the URL must belong to that case. Writes call `appointments.services`; their
ValidationErrors are 400s with the reason (navigator.api.errors).
"""

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from appointments.imports import ImportRejected, hospital_import, row_error
from appointments.models import ChaseTask, TrackedItem
from appointments.serializers import (
    ChaseRecordInput,
    ChaseRecordOutput,
    ChaseTaskOutput,
    ImportErrorOutput,
    ImportInput,
    ImportOutput,
    ImportRowInput,
    TrackedItemDetailOutput,
    TrackedItemInput,
    TrackedItemOutput,
    TransitionInput,
)
from appointments.services import chase_record, tracked_item_create, tracked_item_transition
from navigator.api.schema import error_responses
from navigator.http import AuthenticatedRequest
from navigator.organisations.models import Organisation, Team
from patients.api import CaseObjectMixin
from patients.models import Case


class _CaseApi(CaseObjectMixin, GenericAPIView):
    def paginated(self, rows: Any, serializer: type[serializers.Serializer]) -> Response:
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(serializer(page, many=True).data)

    def item_in(self, case: Case, item_id: UUID) -> TrackedItem:
        item = (
            TrackedItem.objects.select_related("responsible_provider")
            .filter(case=case, pk=item_id)
            .first()
        )
        if item is None:
            raise exceptions.NotFound()
        return item


def _items(case: Case) -> QuerySet[TrackedItem]:
    return case.tracked_items.select_related("responsible_provider").order_by(
        "closed_at", "expected_by", "created_at"
    )


@extend_schema_view(
    get=extend_schema(
        operation_id="cases_tracked_items_list",
        summary="What the patient is waiting for: the case's tracked items",
        description="Open items first, soonest expected first. The patient and their carers "
        "see them too.",
        tags=["tracked items"],
        responses={200: TrackedItemOutput(many=True), **error_responses(401, 403, 404)},
    ),
    post=extend_schema(
        operation_id="cases_tracked_items_create",
        summary="Start tracking something the patient is waiting for",
        tags=["tracked items"],
        request=TrackedItemInput,
        responses={201: TrackedItemDetailOutput, **error_responses(400, 401, 403, 404, 415)},
    ),
)
class TrackedItemsApi(_CaseApi):
    object_permissions = {
        "read": "appointments.view_tracked_items",
        "write": "appointments.change_tracked_items",
    }
    audit_summary = "Looked at the tracked items through the API"
    serializer_class = TrackedItemOutput

    def get(self, request: AuthenticatedRequest, case_id: UUID) -> Response:
        case = self.get_object()
        return self.paginated(_items(case), TrackedItemOutput)

    def post(self, request: AuthenticatedRequest, case_id: UUID) -> Response:
        case = self.get_object()
        given = TrackedItemInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        provider = None
        if data["responsible_provider_ods"]:
            provider = Organisation.objects.filter(
                ods_code__iexact=data["responsible_provider_ods"].strip()
            ).first()
            if provider is None:
                raise exceptions.ValidationError(
                    {"responsible_provider_ods": ["No organisation has this ODS code."]}
                )
        item = tracked_item_create(
            case=case,
            kind=data["kind"],
            title=data["title"],
            expected_by=data["expected_by"],
            actor=request.user,
            state=data["state"] or None,
            responsible_provider=provider,
            starts_at=data["starts_at"],
            location=data["location"],
            what_to_bring=data["what_to_bring"],
            note=data["note"],
        )
        return Response(TrackedItemDetailOutput(item).data, status=201)


@extend_schema_view(
    get=extend_schema(
        operation_id="cases_tracked_items_retrieve",
        summary="One tracked item, with its history of transitions",
        tags=["tracked items"],
        responses={200: TrackedItemDetailOutput, **error_responses(401, 403, 404)},
    )
)
class TrackedItemApi(_CaseApi):
    object_permissions = {"read": "appointments.view_tracked_items"}
    audit_summary = "Looked at a tracked item through the API"
    serializer_class = TrackedItemDetailOutput

    def get(self, request: AuthenticatedRequest, case_id: UUID, item_id: UUID) -> Response:
        case = self.get_object()
        return Response(TrackedItemDetailOutput(self.item_in(case, item_id)).data)


@extend_schema_view(
    post=extend_schema(
        operation_id="cases_tracked_items_transition",
        summary="Move a tracked item to another state",
        description="Only the moves its kind allows (`allowed_states` on the item); any other is "
        "a 400 naming the moves that are allowed.",
        tags=["tracked items"],
        request=TransitionInput,
        responses={200: TrackedItemDetailOutput, **error_responses(400, 401, 403, 404, 415)},
    )
)
class TrackedItemTransitionApi(_CaseApi):
    serializer_class = TransitionInput  # what OPTIONS describes: the body a write takes
    object_permissions = {"write": "appointments.change_tracked_items"}
    audit_summary = "Asked to move a tracked item on through the API"

    def post(self, request: AuthenticatedRequest, case_id: UUID, item_id: UUID) -> Response:
        case = self.get_object()
        item = self.item_in(case, item_id)
        given = TransitionInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        item = tracked_item_transition(
            item=item,
            to_state=data["to_state"].strip(),
            actor=request.user,
            note=data["note"].strip(),
            expected_version=data["expected_version"],
            expected_by=data["expected_by"],
        )
        return Response(TrackedItemDetailOutput(item).data)


@extend_schema_view(
    get=extend_schema(
        operation_id="cases_chase_tasks_list",
        summary="The case's chase tasks, open ones first",
        tags=["chase"],
        responses={200: ChaseTaskOutput(many=True), **error_responses(401, 403, 404)},
    )
)
class ChaseTasksApi(_CaseApi):
    object_permissions = {"read": "appointments.work_chase"}
    audit_summary = "Looked at the chase tasks through the API"
    serializer_class = ChaseTaskOutput

    def get(self, request: AuthenticatedRequest, case_id: UUID) -> Response:
        case = self.get_object()
        tasks = (
            ChaseTask.objects.filter(item__case=case)
            .select_related("item__responsible_provider", "assigned_to", "escalated_to")
            .order_by("-status", "opened_at")  # "open" sorts after "done", so descending
        )
        return self.paginated(tasks, ChaseTaskOutput)


@extend_schema_view(
    post=extend_schema(
        operation_id="cases_chase_tasks_record",
        summary="Record a chase: chased, by you, the outcome and the next chase date",
        description="Closes the task; if the item is still open on the next chase date, the "
        "chase job opens a new one. A task already recorded is a 400.",
        tags=["chase"],
        request=ChaseRecordInput,
        responses={201: ChaseRecordOutput, **error_responses(400, 401, 403, 404, 415)},
    )
)
class ChaseRecordApi(_CaseApi):
    serializer_class = ChaseRecordInput  # what OPTIONS describes: the body a write takes
    object_permissions = {"write": "appointments.work_chase"}
    audit_summary = "Asked to record a chase through the API"

    def post(self, request: AuthenticatedRequest, case_id: UUID, task_id: UUID) -> Response:
        case = self.get_object()
        task = ChaseTask.objects.filter(item__case=case, pk=task_id).first()
        if task is None:
            raise exceptions.NotFound()
        given = ChaseRecordInput(data=request.data)
        given.is_valid(raise_exception=True)
        record = chase_record(
            task=task,
            actor=request.user,
            outcome=given.validated_data["outcome"],
            next_chase_on=given.validated_data["next_chase_on"],
        )
        return Response(ChaseRecordOutput(record).data, status=201)


@extend_schema_view(
    post=extend_schema(
        operation_id="teams_hospital_import",
        summary="Import appointments and results from a hospital system",
        description="Upserts by (`source_system`, `external_id`): the same rows again change "
        "nothing. All rows or none: any row with a problem rejects the import (400), listing "
        "every row's problems by row number. For the team's navigators and lead, or an "
        "integration account that is one, about the team's open cases.",
        tags=["tracked items"],
        request=ImportInput,
        responses={
            200: ImportOutput,
            400: OpenApiResponse(
                ImportErrorOutput, description="Nothing was imported; `rows` says why, per row."
            ),
            **error_responses(401, 403, 404, 415),
        },
    )
)
class HospitalImportApi(GenericAPIView):
    serializer_class = ImportInput  # what OPTIONS describes: the body a write takes
    object_permissions = {"write": "appointments.import_tracked_items"}

    def handle_exception(self, exc: Exception) -> Response:
        # Every 400 here has the documented shape: `rows` lists the rows' problems, empty when
        # the problem is elsewhere (the JSON, `source_system`, or `rows` not being a list).
        response = super().handle_exception(exc)
        if response.status_code == 400 and isinstance(response.data, dict):
            response.data = import_error_body(response.data)
        return response

    def post(self, request: AuthenticatedRequest, team_id: UUID) -> Response:
        team = Team.objects.filter(pk=team_id).first()
        if team is None or not request.user.has_perm("appointments.import_tracked_items", team):
            raise exceptions.NotFound()
        given = ImportInput(data=request.data)
        given.is_valid(raise_exception=True)
        rows, problems = [], []
        for number, raw in enumerate(given.validated_data["rows"]):
            row = ImportRowInput(data=raw)
            if row.is_valid():
                rows.append(row.validated_data)
            else:
                external_id = raw.get("external_id") if isinstance(raw, dict) else None
                problems.append(row_error(number, external_id, row.errors))
        try:
            if problems:
                raise ImportRejected(problems)
            outcomes = hospital_import(
                team=team,
                actor=request.user,
                source_system=given.validated_data["source_system"],
                rows=rows,
            )
        except ImportRejected as rejected:
            return Response(ImportErrorOutput(rejected).data, status=400)
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for outcome in outcomes:
            counts[outcome.result] += 1
        body = {
            **counts,
            "rows": [
                {"row": o.row, "external_id": o.external_id, "id": o.item.pk, "result": o.result}
                for o in outcomes
            ],
        }
        return Response(ImportOutput(body).data)


def import_error_body(body: dict[str, Any]) -> dict[str, Any]:
    """A refused import's body with `rows` always the list of row problems (ImportErrorOutput).

    A problem with `rows` itself (not a list, empty, too long) is said in `detail`, which the
    API's exception handler wrote from every field's first message.
    """
    rows = body.get("rows", [])
    if isinstance(rows, list) and all(isinstance(row, dict) for row in rows):
        return {**body, "rows": rows}
    return {**body, "rows": []}
