"""The API for questionnaires, assessments (FHIR Questionnaire and QuestionnaireResponse), offers,
care plans, plan items and the service directory.

The same rules as the pages (`patients/rules.py`): the case in the URL comes through
`patients.access.get_case_for_user` (404 to anyone not entitled; every read audited), and a
record in the URL must belong to that case. Writes call `careplans.services`; their
ValidationErrors are 400s with the reason (navigator.api.errors).
"""

from typing import Any
from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from careplans import services
from careplans.fhir import bundle, questionnaire_resource, questionnaire_response_resource
from careplans.models import AssessmentOffer, CarePlan, FeedbackVia, PlanItem
from careplans.selectors import (
    assessments_for_api,
    directory_match,
    plan_for_case,
    plans_for_case,
    questionnaires_for_api,
    services_for_api,
)
from careplans.serializers import (
    CarePlanDetailOutput,
    CarePlanOutput,
    CompleteInput,
    FeedbackInput,
    OfferInput,
    OfferOutput,
    PlanItemOutput,
    ServiceMatchOutput,
    ServiceOutput,
    ServiceSearchInput,
    fhir_schema,
)
from careplans.services.offers import open_offer
from navigator.api.schema import error_responses
from patients.api import CaseObjectMixin
from patients.models import Case

VIEW = "careplans.view_plan_records"
CHANGE = "careplans.change_plan_records"
ANSWER = "careplans.answer_for_patient"


# Definitions and the directory: not about anyone, so open to everyone signed in. -------------


@extend_schema_view(
    get=extend_schema(
        operation_id="questionnaires_list",
        summary="Assessment definitions, as a FHIR Bundle of Questionnaire resources",
        description="The active version of each questionnaire; `all=true` for every version "
        "(an assessment keeps the version it was answered on). Welsh wording is in FHIR's "
        "translation extension.",
        tags=["assessments"],
        parameters=[
            OpenApiParameter("code", str, description="Only this questionnaire, e.g. `hna`."),
            OpenApiParameter("all", bool, description="Every version, not just the active one."),
        ],
        responses={200: fhir_schema("A FHIR R4 Bundle of Questionnaire"),
                   **error_responses(401, 403)},
    )
)  # fmt: skip
class QuestionnaireListApi(GenericAPIView):
    def get(self, request: Request) -> Response:
        rows = questionnaires_for_api(
            code=request.query_params.get("code", ""),
            every_version=request.query_params.get("all", "").lower() in ("1", "true", "yes"),
        )
        return Response(bundle([questionnaire_resource(q) for q in rows]))


@extend_schema_view(
    get=extend_schema(
        operation_id="services_list",
        summary="The service directory (Open Referral UK shaped)",
        description="Active services, by name. With `concern`, only services that help with "
        "those concerns and serve the area, best first, each with the reasons it matched.",
        tags=["directory"],
        parameters=[ServiceSearchInput],
        responses={200: ServiceOutput(many=True), **error_responses(400, 401, 403)},
    )
)
class ServiceListApi(GenericAPIView):
    serializer_class = ServiceOutput

    def get(self, request: Request) -> Response:
        given = ServiceSearchInput(data=request.query_params)
        given.is_valid(raise_exception=True)
        search = given.validated_data
        if search.get("concern"):
            matches = directory_match(
                concern_codes=[c.strip() for c in search["concern"].split(",") if c.strip()],
                tumour_site=search["tumour_site"],
                postcode=search["postcode"],
                language=search["language"],
            )
            return Response(ServiceMatchOutput(matches, many=True).data)
        page = self.paginate_queryset(services_for_api())
        return self.get_paginated_response(ServiceOutput(page, many=True).data)


# Records inside a case ------------------------------------------------------------------------


class _CaseApi(CaseObjectMixin, GenericAPIView):
    def plan_in(self, case: Case, plan_id: UUID) -> CarePlan:
        plan = plan_for_case(case, plan_id)
        if plan is None:
            raise exceptions.NotFound()
        return plan

    def item_in(self, case: Case, plan_id: UUID, item_id: UUID) -> PlanItem:
        item = (
            PlanItem.objects.filter(plan__case=case, plan_id=plan_id, pk=item_id)
            .select_related("plan__case__patient", "plan__case__team", "owner_service", "concern")
            .first()
        )
        if item is None:
            raise exceptions.NotFound()
        return item

    def item_out(self, item: PlanItem) -> dict[str, Any]:
        item = PlanItem.objects.prefetch_related("signposts__service").get(pk=item.pk)
        return PlanItemOutput(item).data


@extend_schema_view(
    get=extend_schema(
        operation_id="cases_assessments_list",
        summary="The case's assessments, as a FHIR Bundle of QuestionnaireResponse resources",
        description="Newest first, sent and in progress. Each names the questionnaire version "
        "it was answered on, and carries the national cancer dataset codes for the offer, the "
        "point of pathway and who completed it as extensions.",
        tags=["assessments"],
        responses={200: fhir_schema("A FHIR R4 Bundle of QuestionnaireResponse"),
                   **error_responses(401, 403, 404)},
    )
)  # fmt: skip
class AssessmentListApi(_CaseApi):
    object_permissions = {"read": VIEW}
    audit_summary = "Looked at the assessments through the API"

    def get(self, request: Request, case_id: UUID) -> Response:
        case = self.get_object()
        rows = assessments_for_api(case)
        return Response(bundle([questionnaire_response_resource(a) for a in rows]))


@extend_schema_view(
    get=extend_schema(
        operation_id="cases_assessments_retrieve",
        summary="One assessment, as a FHIR QuestionnaireResponse",
        tags=["assessments"],
        responses={200: fhir_schema("A FHIR R4 QuestionnaireResponse"),
                   **error_responses(401, 403, 404)},
    )
)  # fmt: skip
class AssessmentDetailApi(_CaseApi):
    object_permissions = {"read": VIEW}
    audit_summary = "Read an assessment through the API"

    def get(self, request: Request, case_id: UUID, assessment_id: UUID) -> Response:
        case = self.get_object()
        assessment = assessments_for_api(case).filter(pk=assessment_id).first()
        if assessment is None:
            raise exceptions.NotFound()
        return Response(questionnaire_response_resource(assessment))


@extend_schema_view(
    get=extend_schema(
        operation_id="cases_assessment_offers_list",
        summary="Assessments offered to the patient, and what became of each",
        tags=["assessments"],
        responses={200: OfferOutput(many=True), **error_responses(401, 403, 404)},
    ),
    post=extend_schema(
        operation_id="cases_assessment_offers_create",
        summary="Offer the patient an assessment",
        description="The patient is told by SMS or email (a line and a link) and sees it on "
        "their home page; an offer not taken up is chased. With an offer already open, that "
        "one is returned (200) and nothing is sent again.",
        tags=["assessments"],
        request=OfferInput,
        responses={201: OfferOutput, 200: OfferOutput,
                   **error_responses(400, 401, 403, 404, 415)},
    ),
)  # fmt: skip
class OfferListApi(_CaseApi):
    object_permissions = {"read": VIEW, "write": CHANGE}
    audit_summary = "Looked at assessment offers through the API"

    def get(self, request: Request, case_id: UUID) -> Response:
        case = self.get_object()
        rows = AssessmentOffer.objects.filter(case=case).order_by("-offered_at")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(OfferOutput(page, many=True).data)

    def post(self, request: Request, case_id: UUID) -> Response:
        case = self.get_object()
        given = OfferInput(data=request.data)
        given.is_valid(raise_exception=True)
        existing = open_offer(case)
        offer = services.assessment_offer(
            case=case,
            reason=given.validated_data["reason"],
            pathway_point=given.validated_data["pathway_point"],
            actor=request.user,
        )
        return Response(OfferOutput(offer).data, status=200 if existing else 201)


@extend_schema_view(
    get=extend_schema(
        operation_id="cases_care_plans_list",
        summary="Every version of the case's care plan, newest first",
        tags=["care plans"],
        responses={200: CarePlanOutput(many=True), **error_responses(401, 403, 404)},
    )
)
class CarePlanListApi(_CaseApi):
    object_permissions = {"read": VIEW}
    audit_summary = "Looked at the care plans through the API"

    def get(self, request: Request, case_id: UUID) -> Response:
        case = self.get_object()
        page = self.paginate_queryset(plans_for_case(case))
        return self.get_paginated_response(CarePlanOutput(page, many=True).data)


@extend_schema_view(
    get=extend_schema(
        operation_id="cases_care_plans_retrieve",
        summary="One version of the care plan, with its items and information",
        description="A signposted service that has left the directory shows `listed: false`.",
        tags=["care plans"],
        responses={200: CarePlanDetailOutput, **error_responses(401, 403, 404)},
    )
)
class CarePlanDetailApi(_CaseApi):
    object_permissions = {"read": VIEW}
    audit_summary = "Read a care plan through the API"

    def get(self, request: Request, case_id: UUID, plan_id: UUID) -> Response:
        case = self.get_object()
        return Response(CarePlanDetailOutput(self.plan_in(case, plan_id)).data)


@extend_schema_view(
    post=extend_schema(
        operation_id="cases_care_plan_items_complete",
        summary="Mark an item of the agreed plan done, recording the outcome",
        tags=["care plans"],
        request=CompleteInput,
        responses={200: PlanItemOutput, **error_responses(400, 401, 403, 404, 415)},
    )
)
class PlanItemCompleteApi(_CaseApi):
    object_permissions = {"write": CHANGE}
    audit_summary = "Completed a care plan item through the API"

    def post(self, request: Request, case_id: UUID, plan_id: UUID, plan_item_id: UUID) -> Response:
        case = self.get_object()
        item = self.item_in(case, plan_id, plan_item_id)
        given = CompleteInput(data=request.data)
        given.is_valid(raise_exception=True)
        services.plan_item_complete(
            item=item, outcome=given.validated_data["outcome"], actor=request.user
        )
        return Response(self.item_out(item))


@extend_schema_view(
    post=extend_schema(
        operation_id="cases_care_plan_items_feedback",
        summary="Answer “did you get the help you needed?” for a signposted item",
        description="By the patient or a carer acting for them (recorded as answered online), "
        "or by staff the patient told (recorded as told to staff).",
        tags=["care plans"],
        request=FeedbackInput,
        responses={200: PlanItemOutput, **error_responses(400, 401, 403, 404, 415)},
    )
)
class PlanItemFeedbackApi(_CaseApi):
    object_permissions = {"write": ANSWER}
    audit_summary = "Answered for the patient through the API"

    def post(self, request: Request, case_id: UUID, plan_id: UUID, plan_item_id: UUID) -> Response:
        case = self.get_object()
        item = self.item_in(case, plan_id, plan_item_id)
        given = FeedbackInput(data=request.data)
        given.is_valid(raise_exception=True)
        if item.plan.status != CarePlan.Status.AGREED:
            raise exceptions.ValidationError({"detail": "Only items of the agreed plan."})
        user: Any = request.user
        services.signpost_feedback_record(
            item=item,
            answer=given.validated_data["answer"],
            via=FeedbackVia.STAFF if user.is_staff_role else FeedbackVia.WEB,
            actor=user,
        )
        return Response(self.item_out(item))
