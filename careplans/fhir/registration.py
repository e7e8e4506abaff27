"""What careplans serves through the FHIR API, registered from `CareplansConfig.ready()`."""

from typing import Any

from django.db.models import Q

from careplans.fhir.assessments import (
    AGREED_AT,
    AGREED_HOW,
    COMPLETED_BY,
    CONCERNS,
    OFFER_STATUS,
    PATHWAY_POINT,
    assessment_rows,
    concerns_code_system,
    concerns_url_filter,
    questionnaire_lookup,
    questionnaire_resource,
    questionnaire_response_resource,
    questionnaire_rows,
)
from careplans.fhir.documents import (
    PLAN_PDF,
    SUMMARY,
    pdf_plan_rows,
    plan_binary_resource,
    plan_document_resource,
    summary_binary_resource,
    summary_document_resource,
    summary_rows,
)
from careplans.fhir.plans import (
    GOAL_STATUS_FILTERS,
    PLAN_STATUS,
    care_plan_resource,
    goal_resource,
    goal_rows,
    gp_sharing_consent_resource,
    gp_sharing_lookup,
    gp_sharing_rows,
    plan_rows,
)
from careplans.models import Assessment, CarePlan
from navigator.fhir.addresses import uk_core
from navigator.fhir.definitions import code_system, extension_definition
from navigator.fhir.registry import (
    SearchParam,
    Source,
    fhir_definition_register,
    fhir_source_register,
    token_filter,
)

# Registration ----------------------------------------------------------------------------------


def _status_param(documentation: str, filters: dict[str, Any], path: str = "") -> SearchParam:
    return SearchParam("status", "token", documentation, token_filter(path, filters, "status"))


def register() -> None:
    """Called by `CareplansConfig.ready()`."""
    fhir_source_register(
        Source(
            resource_type="Questionnaire",
            description="A version of an assessment's question set (the concerns checklist); "
            "its canonical URL reads the active version",
            rows=questionnaire_rows,
            build=questionnaire_resource,
            profile=uk_core("UKCore-Questionnaire"),
            params=[
                _status_param(
                    "active, retired or draft.",
                    {
                        "active": Q(is_active=True),
                        "retired": Q(is_active=False, published_at__isnull=False),
                        "draft": Q(is_active=False, published_at__isnull=True),
                    },
                )
            ],  # fmt: skip
            order=("code", "-version"),
            lookup=questionnaire_lookup,
        )
    )
    fhir_source_register(
        Source(
            resource_type="CodeSystem",
            description="The domains and concerns of one question set version (id "
            "`hna-concerns-<questionnaire id>`)",
            rows=questionnaire_rows,
            build=concerns_code_system,
            prefix=CONCERNS,
            params=[SearchParam("url", "uri", "The canonical URL.", concerns_url_filter)],
            order=("code", "-version"),
        )
    )
    fhir_source_register(
        Source(
            resource_type="QuestionnaireResponse",
            description="A Holistic Needs Assessment, sent or in progress",
            rows=assessment_rows,
            build=questionnaire_response_resource,
            profile=uk_core("UKCore-QuestionnaireResponse"),
            patient_path="case__patient_id",
            updated_path="updated_at",
            params=[
                _status_param(
                    "completed (sent) or in-progress.",
                    {
                        "completed": Q(submitted_at__isnull=False),
                        "in-progress": Q(submitted_at__isnull=True),
                    },
                )
            ],  # fmt: skip
            order=("-started_at", "pk"),
        )
    )
    fhir_source_register(
        Source(
            resource_type="CarePlan",
            description="One version of the personalised care and support plan",
            rows=plan_rows,
            build=care_plan_resource,
            profile=uk_core("UKCore-CarePlan"),
            patient_path="case__patient_id",
            updated_path="updated_at",
            params=[
                _status_param(
                    "draft, active (agreed) or revoked (replaced by a newer version).",
                    {v: [k] for k, v in PLAN_STATUS.items()},
                    "status",
                )
            ],
            order=("-version", "pk"),
        )
    )
    fhir_source_register(
        Source(
            resource_type="Goal",
            description="One concern of a care plan version: the goal, its due date, its outcome",
            rows=goal_rows,
            build=goal_resource,
            patient_path="plan__case__patient_id",
            params=[
                SearchParam(
                    "lifecycle-status",
                    "token",
                    "proposed (draft plan), active, completed or cancelled (replaced plan).",
                    token_filter("", GOAL_STATUS_FILTERS, "lifecycle-status"),
                )
            ],
            order=("plan_id", "-is_priority", "order", "pk"),
        )
    )
    fhir_source_register(
        Source(
            resource_type="Consent",
            description="The patient's choice about sharing their care plan with their GP "
            "practice, once they have made one (id `gp-sharing-<patient id>`)",
            rows=gp_sharing_rows,
            build=gp_sharing_consent_resource,
            profile=uk_core("UKCore-Consent"),
            prefix="gp-sharing-",
            patient_path="patient_id",
            params=[_status_param("active (every recorded choice is).", {"active": Q()})],
            order=("patient_id",),
            id_of=lambda choice: f"gp-sharing-{choice.patient_id}",
            lookup=gp_sharing_lookup,
        )
    )
    fhir_source_register(
        Source(
            resource_type="DocumentReference",
            description="A care plan version as a printable PDF (id `care-plan-<plan id>`)",
            rows=pdf_plan_rows,
            build=plan_document_resource,
            profile=uk_core("UKCore-DocumentReference"),
            prefix=PLAN_PDF,
            patient_path="case__patient_id",
            updated_path="updated_at",
            params=[
                _status_param(
                    "current or superseded.",
                    {
                        "current": ~Q(status=CarePlan.Status.SUPERSEDED),
                        "superseded": Q(status=CarePlan.Status.SUPERSEDED),
                    },
                )
            ],  # fmt: skip
            order=("-version", "pk"),
        )
    )
    fhir_source_register(
        Source(
            resource_type="DocumentReference",
            description="The treatment summary, as text (id `treatment-summary-<id>`)",
            rows=summary_rows,
            build=summary_document_resource,
            profile=uk_core("UKCore-DocumentReference"),
            prefix=SUMMARY,
            patient_path="case__patient_id",
            updated_path="updated_at",
            params=[_status_param("current (a summary is).", {"current": Q()})],
            order=("-updated_at", "pk"),
        )
    )
    for prefix, rows, build in (
        (PLAN_PDF, pdf_plan_rows, plan_binary_resource),
        (SUMMARY, summary_rows, summary_binary_resource),
    ):
        fhir_source_register(
            Source(
                resource_type="Binary",
                description=f"The bytes of a DocumentReference (id `{prefix}<id>`)",
                rows=rows,
                build=build,
                prefix=prefix,
                patient_path="case__patient_id",
                searchable=False,
            )
        )
    for name, title, choices in (
        (OFFER_STATUS, "Needs assessment offer status", Assessment.OfferStatus.choices),
        (PATHWAY_POINT, "Point of pathway of a needs assessment", Assessment.PathwayPoint.choices),
        (COMPLETED_BY, "Who completed a needs assessment", Assessment.CompletedBy.choices),
        (AGREED_HOW, "How a care plan was agreed", CarePlan.AgreedHow.choices),
    ):
        fhir_definition_register(code_system(name, title, choices))
    for name, title, context, value_type in (
        (OFFER_STATUS, "Needs assessment offer status", "QuestionnaireResponse", "Coding"),
        (PATHWAY_POINT, "Point of pathway", "QuestionnaireResponse", "Coding"),
        (COMPLETED_BY, "Who completed the assessment", "QuestionnaireResponse", "Coding"),
        (AGREED_AT, "When the patient agreed the plan", "CarePlan", "dateTime"),
        (AGREED_HOW, "How the patient agreed the plan", "CarePlan", "Coding"),
    ):
        fhir_definition_register(
            extension_definition(
                name, title, f"{title} (national cancer dataset categories where they apply).",
                context=context, value_type=value_type,
            )
        )  # fmt: skip
