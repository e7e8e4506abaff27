"""The API for questionnaires, assessments (FHIR Questionnaire and QuestionnaireResponse), offers,
care plans, plan items and the service directory.

The same rules as the pages (`patients/rules.py`): the case in the URL comes through
`patients.access.get_case_for_user` (404 to anyone not entitled; every read audited), and a
record in the URL must belong to that case. Writes call `careplans.services`; their
ValidationErrors are 400s with the reason (navigator.api.errors).

Co-producing a plan: only a draft changes, and every change to it sends the `lock_version` it
was based on (as the web forms do). A change against an older lock_version, or to a plan that
is no longer a draft, is a 409 saying which (`PlanConflictOutput`); nothing is saved.
"""

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from careplans import services
from careplans.fhir import bundle, questionnaire_resource, questionnaire_response_resource
from careplans.models import AssessmentOffer, CarePlan, FeedbackVia, PlanItem
from careplans.selectors import (
    assessments_for_api,
    care_plan_diff,
    directory_match,
    plan_for_case,
    plans_for_case,
    questionnaires_for_api,
    services_for_api,
)
from careplans.serializers import (
    ITEM_FIELD_NAMES,
    AgreeInput,
    CarePlanCompareOutput,
    CarePlanDetailOutput,
    CarePlanOutput,
    CompareInput,
    CompleteInput,
    FeedbackInput,
    LockVersionInput,
    OfferInput,
    OfferOutput,
    PlanConflictOutput,
    PlanItemChangeInput,
    PlanItemInput,
    PlanItemOutput,
    PlanItemWriteOutput,
    QuestionnaireSearchInput,
    ReviewDateInput,
    ReviseInput,
    ServiceMatchOutput,
    ServiceOutput,
    ServiceSearchInput,
    fhir_schema,
)
from careplans.services import PlanChangedError
from careplans.services.actions import NotOnAgreedPlan
from careplans.services.offers import open_offer
from navigator.api.schema import error_responses
from navigator.http import AuthenticatedRequest
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
        parameters=[QuestionnaireSearchInput],
        responses={200: fhir_schema("A FHIR R4 Bundle of Questionnaire"),
                   **error_responses(400, 401, 403)},
    )
)  # fmt: skip
class QuestionnaireListApi(GenericAPIView):
    holds_no_patient_data = True  # a service manager may read it (RulesPermission)

    def get(self, request: AuthenticatedRequest) -> Response:
        given = QuestionnaireSearchInput(data=request.query_params.dict())
        given.is_valid(raise_exception=True)
        rows = questionnaires_for_api(
            code=given.validated_data["code"], every_version=given.validated_data["all"]
        )
        return Response(bundle([questionnaire_resource(q) for q in rows]))


@extend_schema_view(
    get=extend_schema(
        operation_id="services_list",
        summary="The service directory (Open Referral UK shaped)",
        description="Active services, by name.",
        tags=["directory"],
        responses={200: ServiceOutput(many=True), **error_responses(401, 403, 404)},
    )
)
class ServiceListApi(GenericAPIView):
    serializer_class = ServiceOutput

    def get(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(services_for_api())
        return self.get_paginated_response(ServiceOutput(page, many=True).data)


@extend_schema_view(
    get=extend_schema(
        operation_id="services_match",
        summary="Services that help with these concerns and serve the area, best first",
        description="Each with the reasons it matched (the concern, the area, the language).",
        tags=["directory"],
        parameters=[ServiceSearchInput],
        responses={200: ServiceMatchOutput(many=True), **error_responses(400, 401, 403)},
    )
)
class ServiceMatchApi(GenericAPIView):
    holds_no_patient_data = True  # a service manager may read it (RulesPermission)
    serializer_class = ServiceMatchOutput
    pagination_class = None

    def get(self, request: AuthenticatedRequest) -> Response:
        given = ServiceSearchInput(data=request.query_params.dict())
        given.is_valid(raise_exception=True)
        search = given.validated_data
        matches = directory_match(
            concern_codes=[c.strip() for c in search["concern"].split(",") if c.strip()],
            tumour_site=search["tumour_site"],
            postcode=search["postcode"],
            language=search["language"],
        )
        return Response(ServiceMatchOutput(matches, many=True).data)


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

    def get(self, request: AuthenticatedRequest, case_id: UUID) -> Response:
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

    def get(self, request: AuthenticatedRequest, case_id: UUID, assessment_id: UUID) -> Response:
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
    serializer_class = OfferInput  # what OPTIONS describes: the body a write takes
    object_permissions = {"read": VIEW, "write": CHANGE}
    audit_summary = "Looked at assessment offers through the API"

    def get(self, request: AuthenticatedRequest, case_id: UUID) -> Response:
        case = self.get_object()
        rows = AssessmentOffer.objects.filter(case=case).order_by("-offered_at")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(OfferOutput(page, many=True).data)

    def post(self, request: AuthenticatedRequest, case_id: UUID) -> Response:
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

    def get(self, request: AuthenticatedRequest, case_id: UUID) -> Response:
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

    def get(self, request: AuthenticatedRequest, case_id: UUID, plan_id: UUID) -> Response:
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
    serializer_class = CompleteInput  # what OPTIONS describes: the body a write takes
    object_permissions = {"write": CHANGE}
    audit_summary = "Asked to complete a care plan item through the API"

    def post(
        self, request: AuthenticatedRequest, case_id: UUID, plan_id: UUID, plan_item_id: UUID
    ) -> Response:
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
    serializer_class = FeedbackInput  # what OPTIONS describes: the body a write takes
    object_permissions = {"write": ANSWER}
    audit_summary = "Sent an answer for the patient through the API"

    def post(
        self, request: AuthenticatedRequest, case_id: UUID, plan_id: UUID, plan_item_id: UUID
    ) -> Response:
        case = self.get_object()
        item = self.item_in(case, plan_id, plan_item_id)
        given = FeedbackInput(data=request.data)
        given.is_valid(raise_exception=True)
        user = request.user
        try:
            services.signpost_feedback_record(
                item=item,
                answer=given.validated_data["answer"],
                via=FeedbackVia.STAFF if user.is_staff_role else FeedbackVia.WEB,
                actor=user,
            )
        except NotOnAgreedPlan as refused:
            raise exceptions.ValidationError({"detail": refused.message}) from refused
        return Response(self.item_out(item))


# Co-producing the plan: drafts, agreement, new versions ---------------------------------------


class PlanConflict(exceptions.APIException):
    """409: the plan is not a draft any more, or changed since the caller read it."""

    status_code = 409
    default_code = "conflict"

    def __init__(self, plan: CarePlan) -> None:
        super().__init__()
        # A plain dict, so DRF returns it as the body with lock_version as a number.
        self.detail = plan_conflict_body(plan)  # type: ignore[assignment]


def plan_conflict_body(plan: CarePlan) -> dict[str, Any]:
    plan.refresh_from_db()
    draft = CarePlan.objects.filter(case_id=plan.case_id, status=CarePlan.Status.DRAFT).first()
    if plan.is_draft:
        code = "plan_changed"
        detail = (
            "Someone else changed this plan since you read it, so nothing was saved. Read it "
            f"again and send your change with its lock_version ({plan.lock_version})."
        )
    elif draft is not None:
        code = "plan_not_draft"
        detail = (
            f"Version {plan.version} of the plan is not a draft, so it cannot be changed. "
            f"Version {draft.version} is the draft: change that one."
        )
    else:
        code = "plan_not_draft"
        detail = (
            f"Version {plan.version} of the plan is not a draft, so it cannot be changed. "
            "Start a new version from the agreed plan (revise) and change that."
        )
    return PlanConflictOutput(
        {
            "detail": detail,
            "code": code,
            "plan_id": plan.pk,
            "status": plan.status,
            "lock_version": plan.lock_version,
            "draft_id": draft.pk if draft else None,
        }
    ).data


CONFLICT = {
    409: OpenApiResponse(
        PlanConflictOutput,
        description="Nothing saved: the plan changed since your `lock_version` "
        "(`plan_changed`), or it is not a draft (`plan_not_draft`).",
    )
}


class _PlanChangeApi(_CaseApi):
    """A change to the plan. A draft changes only while unchanged since the caller's
    `lock_version` (`draft()` and the services' edit lock); either refusal is a 409."""

    def draft(self, plan: CarePlan) -> CarePlan:
        if not plan.is_draft:
            raise PlanConflict(plan)
        return plan

    def fresh(self, item: PlanItem) -> PlanItem:
        return (
            PlanItem.objects.select_related("plan")
            .prefetch_related("signposts__service")
            .get(pk=item.pk)
        )

    def handle_exception(self, exc: Exception) -> Response:
        # The services' edit lock refused (someone's change landed first): a 409, not a 500.
        if isinstance(exc, PlanChangedError):
            exc = PlanConflict(CarePlan.objects.get(pk=self.kwargs["plan_id"]))
        # The services' refusals, under the API's names for item fields.
        elif isinstance(exc, DjangoValidationError):
            if hasattr(exc, "error_dict"):
                exc = exceptions.ValidationError(
                    {ITEM_FIELD_NAMES.get(name, name): e for name, e in exc.message_dict.items()}
                )
            else:
                exc = exceptions.ValidationError({"detail": " ".join(exc.messages)})
        return super().handle_exception(exc)


@extend_schema_view(
    post=extend_schema(
        operation_id="cases_care_plan_items_create",
        summary="Add an item to the draft plan",
        description="A concern that came up in conversation: the concern, the goal, what will "
        "happen, who will do it (`owner`, the navigator by default) and by when.",
        tags=["care plans"],
        request=PlanItemInput,
        responses={201: PlanItemWriteOutput, **CONFLICT,
                   **error_responses(400, 401, 403, 404, 415)},
    )
)  # fmt: skip
class PlanItemListApi(_PlanChangeApi):
    serializer_class = PlanItemInput  # what OPTIONS describes: the body a write takes
    object_permissions = {"write": CHANGE}
    audit_summary = "Asked to add a care plan item through the API"

    def post(self, request: AuthenticatedRequest, case_id: UUID, plan_id: UUID) -> Response:
        case = self.get_object()
        plan = self.plan_in(case, plan_id)
        given = PlanItemInput(data=request.data)
        given.is_valid(raise_exception=True)
        self.draft(plan)
        item = services.plan_item_add(
            plan=plan,
            lock_version=given.validated_data["lock_version"],
            actor=request.user,
            **given.item_values(),
        )
        return Response(PlanItemWriteOutput(self.fresh(item)).data, status=201)


@extend_schema_view(
    patch=extend_schema(
        operation_id="cases_care_plan_items_partial_update",
        summary="Change an item of the draft plan",
        description="Reword it, change who will do it or by when. Only the fields sent change.",
        tags=["care plans"],
        request=PlanItemChangeInput,
        responses={200: PlanItemWriteOutput, **CONFLICT,
                   **error_responses(400, 401, 403, 404, 415)},
    )
)  # fmt: skip
class PlanItemDetailApi(_PlanChangeApi):
    serializer_class = PlanItemChangeInput  # what OPTIONS describes: the body a write takes
    object_permissions = {"write": CHANGE}
    audit_summary = "Asked to change a care plan item through the API"

    def patch(
        self, request: AuthenticatedRequest, case_id: UUID, plan_id: UUID, plan_item_id: UUID
    ) -> Response:
        case = self.get_object()
        item = self.item_in(case, plan_id, plan_item_id)
        given = PlanItemChangeInput(
            data=request.data, context={"current_service_id": item.owner_service_id}
        )
        given.is_valid(raise_exception=True)
        self.draft(item.plan)
        services.plan_item_update(
            item=item,
            lock_version=given.validated_data["lock_version"],
            actor=request.user,
            **given.item_values(),
        )
        return Response(PlanItemWriteOutput(self.fresh(item)).data)


@extend_schema_view(
    post=extend_schema(
        operation_id="cases_care_plan_items_remove",
        summary="Remove an item from the draft plan",
        tags=["care plans"],
        request=LockVersionInput,
        responses={200: CarePlanOutput, **CONFLICT, **error_responses(400, 401, 403, 404, 415)},
    )
)
class PlanItemRemoveApi(_PlanChangeApi):
    serializer_class = LockVersionInput  # what OPTIONS describes: the body a write takes
    object_permissions = {"write": CHANGE}
    audit_summary = "Asked to remove a care plan item through the API"

    def post(
        self, request: AuthenticatedRequest, case_id: UUID, plan_id: UUID, plan_item_id: UUID
    ) -> Response:
        case = self.get_object()
        item = self.item_in(case, plan_id, plan_item_id)
        given = LockVersionInput(data=request.data)
        given.is_valid(raise_exception=True)
        self.draft(item.plan)
        services.plan_item_remove(
            item=item, lock_version=given.validated_data["lock_version"], actor=request.user
        )
        return Response(CarePlanOutput(self.plan_in(case, plan_id)).data)


@extend_schema_view(
    post=extend_schema(
        operation_id="cases_care_plans_agree",
        summary="Agree the draft plan",
        description="By the patient, or a carer they let act for them (`how` is `online`); or "
        "by staff on the case recording that the patient agreed `in_person` or `by_phone`. "
        "The time and who recorded it are kept; the previously agreed version is kept too, "
        "marked as replaced.",
        tags=["care plans"],
        request=AgreeInput,
        responses={200: CarePlanDetailOutput, **CONFLICT,
                   **error_responses(400, 401, 403, 404, 415)},
    )
)  # fmt: skip
class CarePlanAgreeApi(_PlanChangeApi):
    serializer_class = AgreeInput  # what OPTIONS describes: the body a write takes
    object_permissions = {"write": ANSWER}
    audit_summary = "Asked to agree a care plan through the API"

    def post(self, request: AuthenticatedRequest, case_id: UUID, plan_id: UUID) -> Response:
        case = self.get_object()
        plan = self.plan_in(case, plan_id)
        given = AgreeInput(data=request.data)
        given.is_valid(raise_exception=True)
        self.draft(plan)
        user = request.user
        # As on the agree page: the patient's side agrees online; staff must say how.
        default_how = "" if user.is_staff_role else CarePlan.AgreedHow.ONLINE
        services.care_plan_agree(
            plan=plan,
            lock_version=given.validated_data["lock_version"],
            actor=user,
            how=given.validated_data.get("how", default_how),
        )
        return Response(CarePlanDetailOutput(self.plan_in(case, plan_id)).data)


@extend_schema_view(
    post=extend_schema(
        operation_id="cases_care_plans_review_date",
        summary="Set when the draft plan will be reviewed",
        tags=["care plans"],
        request=ReviewDateInput,
        responses={200: CarePlanOutput, **CONFLICT, **error_responses(400, 401, 403, 404, 415)},
    )
)
class CarePlanReviewDateApi(_PlanChangeApi):
    serializer_class = ReviewDateInput  # what OPTIONS describes: the body a write takes
    object_permissions = {"write": CHANGE}
    audit_summary = "Asked to set a care plan's review date through the API"

    def post(self, request: AuthenticatedRequest, case_id: UUID, plan_id: UUID) -> Response:
        case = self.get_object()
        plan = self.plan_in(case, plan_id)
        given = ReviewDateInput(data=request.data)
        given.is_valid(raise_exception=True)
        self.draft(plan)
        services.care_plan_set_review_date(
            plan=plan,
            lock_version=given.validated_data["lock_version"],
            review_date=given.validated_data["review_date"],
            actor=request.user,
        )
        return Response(CarePlanOutput(self.plan_in(case, plan_id)).data)


@extend_schema_view(
    post=extend_schema(
        operation_id="cases_care_plans_revise",
        summary="Start a new version from the agreed plan",
        description="Copies the agreed plan into a new draft version to change and agree; the "
        "agreed version stays as it is, and readable, until the new one is agreed. With a "
        "draft already started, that draft is returned (200) and nothing is copied.",
        tags=["care plans"],
        request=None,
        responses={201: CarePlanDetailOutput, 200: CarePlanDetailOutput, **CONFLICT,
                   **error_responses(400, 401, 403, 404, 415)},
    )
)  # fmt: skip
class CarePlanReviseApi(_PlanChangeApi):
    serializer_class = ReviseInput  # what OPTIONS describes: the body a write takes
    object_permissions = {"write": CHANGE}
    audit_summary = "Asked to start a new care plan version through the API"

    def post(self, request: AuthenticatedRequest, case_id: UUID, plan_id: UUID) -> Response:
        case = self.get_object()
        plan = self.plan_in(case, plan_id)
        ReviseInput(data=request.data).is_valid(raise_exception=True)
        existing = plans_for_case(case).filter(status=CarePlan.Status.DRAFT).exists()
        if not existing and plan.status != CarePlan.Status.AGREED:
            raise PlanConflict(plan)
        draft = services.care_plan_revise(plan=plan, actor=request.user)
        body = CarePlanDetailOutput(self.plan_in(case, draft.pk)).data
        return Response(body, status=200 if existing else 201)


@extend_schema_view(
    get=extend_schema(
        operation_id="cases_care_plans_compare",
        summary="What changed between two versions of the plan",
        description="Item by item (an item keeps its `lineage` from version to version): added, "
        "removed, or changed with each field before and after. Compared with the version "
        "before, unless `with` names another.",
        tags=["care plans"],
        parameters=[CompareInput],
        responses={200: CarePlanCompareOutput, **error_responses(400, 401, 403, 404)},
    )
)
class CarePlanCompareApi(_CaseApi):
    object_permissions = {"read": VIEW}
    audit_summary = "Compared care plan versions through the API"

    def get(self, request: AuthenticatedRequest, case_id: UUID, plan_id: UUID) -> Response:
        case = self.get_object()
        plan = self.plan_in(case, plan_id)
        given = CompareInput(data=request.query_params.dict())
        given.is_valid(raise_exception=True)
        versions = plans_for_case(case)
        if "with" in given.validated_data:
            other = versions.filter(pk=given.validated_data["with"]).first()
        else:
            other = versions.filter(version__lt=plan.version).first()
        if other is None:
            raise exceptions.NotFound("There is no such version of this plan to compare with.")
        old, new = sorted([plan, other], key=lambda p: p.version)
        changes = care_plan_diff(old=old, new=new)
        return Response(CarePlanCompareOutput({"old": old, "new": new, "changes": changes}).data)
