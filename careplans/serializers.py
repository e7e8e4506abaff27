"""API serializers for the directory, offers and care plans: explicit input and output shapes,
no logic. Assessments and their definitions are FHIR resources (careplans.fhir)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers

from careplans.models import (
    Assessment,
    AssessmentOffer,
    CarePlan,
    DirectoryService,
    FeedbackAnswer,
    InformationResource,
    OwnerKind,
)


class ServiceOutput(serializers.Serializer):
    """A directory service, with Open Referral UK's names for its parts."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    organization = serializers.CharField(source="organization.name")
    description = serializers.CharField()
    url = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    how_to_refer = serializers.CharField()
    self_refer = serializers.BooleanField()
    status = serializers.ChoiceField(choices=DirectoryService.Status.choices)
    tumour_sites = serializers.ListField(child=serializers.CharField(), source="tumour_site_list")
    taxonomy = serializers.SerializerMethodField()
    service_areas = serializers.SerializerMethodField()
    languages = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_taxonomy(self, service: DirectoryService) -> list[str]:
        return [t.code for t in service.taxonomy_terms.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_service_areas(self, service: DirectoryService) -> list[str]:
        return [str(a) for a in service.areas.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_languages(self, service: DirectoryService) -> list[str]:
        return [lang.code for lang in service.languages.all()]


class ServiceMatchOutput(serializers.Serializer):
    service = ServiceOutput()
    reasons = serializers.ListField(child=serializers.CharField())


class ServiceSearchInput(serializers.Serializer):
    concern = serializers.CharField(
        required=False, help_text="Checklist concern codes, comma-separated: match to these."
    )
    postcode = serializers.CharField(required=False, default="")
    tumour_site = serializers.CharField(required=False, default="")
    language = serializers.CharField(required=False, default="en")


class SignpostOutput(serializers.Serializer):
    service_id = serializers.UUIDField()
    service_name = serializers.CharField(source="service.name")
    listed = serializers.BooleanField(source="service.is_listed")
    reasons = serializers.ListField(child=serializers.CharField())


class PlanItemOutput(serializers.Serializer):
    id = serializers.UUIDField()
    lineage = serializers.UUIDField()
    concern = serializers.CharField(source="concern_text")
    concern_code = serializers.CharField(source="concern.code", default=None)
    is_priority = serializers.BooleanField()
    goal = serializers.CharField()
    actions = serializers.CharField()
    owner = serializers.ChoiceField(choices=OwnerKind.choices, source="owner_kind")
    owner_service_id = serializers.UUIDField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    outcome = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)
    referral_sent_at = serializers.DateTimeField(allow_null=True)
    signposted_at = serializers.DateTimeField(allow_null=True)
    feedback_answer = serializers.CharField()
    feedback_at = serializers.DateTimeField(allow_null=True)
    signposts = SignpostOutput(many=True)


class InformationOutput(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=InformationResource.Kind.choices)
    title = serializers.CharField()
    summary = serializers.CharField()
    url = serializers.CharField()


class CarePlanOutput(serializers.Serializer):
    id = serializers.UUIDField()
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=CarePlan.Status.choices)
    lock_version = serializers.IntegerField()
    assessment_id = serializers.UUIDField(allow_null=True)
    created_at = serializers.DateTimeField()
    agreed_at = serializers.DateTimeField(allow_null=True)
    agreed_how = serializers.CharField()
    review_date = serializers.DateField(allow_null=True)


class CarePlanDetailOutput(CarePlanOutput):
    items = PlanItemOutput(many=True)
    information = InformationOutput(many=True)


class OfferOutput(serializers.Serializer):
    id = serializers.UUIDField()
    reason = serializers.ChoiceField(choices=AssessmentOffer.Reason.choices)
    pathway_point = serializers.ChoiceField(choices=Assessment.PathwayPoint.choices)
    status = serializers.ChoiceField(choices=Assessment.OfferStatus.choices)
    offered_at = serializers.DateTimeField()
    take_by = serializers.DateField()
    not_sent_reason = serializers.CharField()
    assessment_id = serializers.UUIDField(allow_null=True)
    note = serializers.CharField()


class OfferInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=AssessmentOffer.Reason.choices)
    pathway_point = serializers.ChoiceField(
        choices=Assessment.PathwayPoint.choices, required=False, allow_null=True, default=None
    )


class CompleteInput(serializers.Serializer):
    outcome = serializers.CharField(max_length=2000, help_text="What happened, in plain words.")


class FeedbackInput(serializers.Serializer):
    answer = serializers.ChoiceField(
        choices=FeedbackAnswer.choices, help_text="Did they get the help they needed?"
    )


def fhir_schema(description: str) -> OpenApiResponse:
    """FHIR resources are documented as JSON objects: their shape is FHIR R4's."""
    return OpenApiResponse(OpenApiTypes.OBJECT, description=description)
