"""API serializers for the directory, offers and care plans: explicit input and output shapes,
no logic. Assessments and their definitions are FHIR resources (careplans.fhir)."""

from typing import Any
from uuid import UUID

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
from careplans.selectors import ItemChange
from navigator.api import fields as strict


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


class QuestionnaireSearchInput(serializers.Serializer):
    code = strict.CharField(
        required=False, default="", help_text="Only this questionnaire, e.g. `hna`."
    )
    all = strict.BooleanField(
        required=False, default=False, help_text="Every version, not just the active one."
    )


class ServiceSearchInput(serializers.Serializer):
    concern = strict.CharField(
        help_text="Checklist concern codes, comma-separated: match to these."
    )
    postcode = strict.CharField(required=False, default="")
    tumour_site = strict.CharField(required=False, default="")
    language = strict.CharField(required=False, default="en")


class SignpostOutput(serializers.Serializer):
    service_id = serializers.UUIDField()
    service_name = serializers.CharField(source="service.name")
    listed = serializers.BooleanField(source="service.is_listed")
    reasons = serializers.ListField(child=serializers.CharField())


class PlanItemOutput(serializers.Serializer):
    id = serializers.UUIDField()
    lineage = serializers.UUIDField()
    concern = serializers.CharField(source="concern_text")
    concern_code = serializers.CharField(source="concern.code", default=None, allow_null=True)
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
    lock_version = serializers.IntegerField(
        help_text="Send this back with any change to a draft; it goes up with every change."
    )
    assessment_id = serializers.UUIDField(allow_null=True)
    created_at = serializers.DateTimeField()
    agreed_at = serializers.DateTimeField(allow_null=True)
    agreed_how = serializers.CharField()
    agreed_by = serializers.CharField(
        source="agreed_by.get_full_name",
        allow_null=True,
        default=None,
        help_text="Who recorded the agreement: the patient online, or staff for them.",
    )
    review_date = serializers.DateField(allow_null=True)


class CarePlanDetailOutput(CarePlanOutput):
    items = PlanItemOutput(many=True)
    information = InformationOutput(many=True)


class PlanItemWriteOutput(PlanItemOutput):
    plan_lock_version = serializers.IntegerField(
        source="plan.lock_version", help_text="The plan's lock_version now: send it next time."
    )


class ChangedFieldOutput(serializers.Serializer):
    name = serializers.CharField(help_text="What changed, as the compare page names it.")
    before = serializers.CharField()
    after = serializers.CharField()


class PlanItemChangeOutput(serializers.Serializer):
    """One item added, removed or changed between two versions (items match by `lineage`)."""

    change = serializers.ChoiceField(choices=["added", "removed", "changed"], source="kind")
    concern = serializers.CharField(source="title")
    lineage = serializers.SerializerMethodField()
    old_item_id = serializers.UUIDField(source="old.id", allow_null=True, default=None)
    new_item_id = serializers.UUIDField(source="new.id", allow_null=True, default=None)
    changed_fields = serializers.SerializerMethodField()

    def get_lineage(self, change: ItemChange) -> UUID:
        item = change.new or change.old
        assert item is not None  # noqa: S101 - one side always exists
        return item.lineage

    @extend_schema_field(ChangedFieldOutput(many=True))
    def get_changed_fields(self, change: ItemChange) -> list[dict[str, str]]:
        return [{"name": name, "before": b, "after": a} for name, b, a in change.fields]


class CarePlanCompareOutput(serializers.Serializer):
    old = CarePlanOutput()
    new = CarePlanOutput()
    changes = PlanItemChangeOutput(many=True)


class PlanConflictOutput(serializers.Serializer):
    """A 409: the change was made against a plan that has moved on; nothing was saved."""

    detail = serializers.CharField()
    code = serializers.ChoiceField(
        choices=["plan_changed", "plan_not_draft"],
        help_text="`plan_changed`: read the plan again and resend with its lock_version. "
        "`plan_not_draft`: only a draft changes; start a new version and change that.",
    )
    plan_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=CarePlan.Status.choices)
    lock_version = serializers.IntegerField(help_text="The plan's lock_version now.")
    draft_id = serializers.UUIDField(
        allow_null=True, help_text="The case's draft version, if there is one."
    )


class LockVersionInput(serializers.Serializer):
    lock_version = strict.IntegerField(
        min_value=0,
        help_text="The plan's lock_version when you read it; a change made since is a 409.",
    )


class _PlanItemFieldsInput(LockVersionInput):
    """A plan item in the names PlanItemOutput uses. `owner_service_id` must be a listed
    service (or the one the item already has)."""

    concern = strict.CharField(max_length=200)
    goal = strict.CharField(max_length=300)
    actions = strict.CharField(required=False, allow_blank=True)
    owner = strict.ChoiceField(choices=OwnerKind.choices, required=False)
    owner_service_id = strict.UUIDField(
        required=False, allow_null=True, help_text="Needed when `owner` is `service`."
    )
    due_date = strict.DateField(required=False, allow_null=True)
    outcome = strict.CharField(required=False, allow_blank=True)

    def validate_owner_service_id(self, value: UUID | None) -> DirectoryService | None:
        if value is None:
            return None
        service = DirectoryService.objects.filter(pk=value).first()
        if service is None:
            raise serializers.ValidationError("There is no such service in the directory.")
        current = self.context.get("current_service_id")
        if service.status != DirectoryService.Status.ACTIVE and service.pk != current:
            raise serializers.ValidationError(
                "That service has left the directory: choose another."
            )
        return service

    def item_values(self) -> dict[str, Any]:
        """The validated fields, named as `services.plan_item_add/update` take them."""
        return {
            ITEM_VALUE_NAMES[name]: value
            for name, value in self.validated_data.items()
            if name in ITEM_VALUE_NAMES
        }


# API field name -> PlanItem field (services.ITEM_FIELDS), and back for the services' errors.
ITEM_VALUE_NAMES = {
    "concern": "concern_text",
    "goal": "goal",
    "actions": "actions",
    "owner": "owner_kind",
    "owner_service_id": "owner_service",
    "due_date": "due_date",
    "outcome": "outcome",
}
ITEM_FIELD_NAMES = {model: api for api, model in ITEM_VALUE_NAMES.items()}


class PlanItemInput(_PlanItemFieldsInput):
    """A new item; `owner` defaults to the navigator."""


class PlanItemChangeInput(_PlanItemFieldsInput):
    """Only the fields sent change (reword, owner, due date, outcome)."""

    concern = strict.CharField(max_length=200, required=False)
    goal = strict.CharField(max_length=300, required=False)

    # Never partial: the item fields are optional already and lock_version never is. (For a
    # PATCH, drf-spectacular marks the body partial, documenting lock_version as optional.)
    @property  # type: ignore[override]
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value: bool) -> None:
        pass

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if not set(data) & set(ITEM_VALUE_NAMES):
            raise serializers.ValidationError(
                f"Send at least one field to change: {', '.join(ITEM_VALUE_NAMES)}."
            )
        return data


class AgreeInput(LockVersionInput):
    how = strict.ChoiceField(
        choices=CarePlan.AgreedHow.choices,
        required=False,
        help_text="Staff recording the patient's agreement: `in_person` or `by_phone` "
        "(required). The patient, or a carer acting for them: `online`, the default.",
    )


class ReviewDateInput(LockVersionInput):
    review_date = strict.DateField(help_text="When the plan will be looked at again.")


class ReviseInput(serializers.Serializer):
    """No fields: the agreed plan in the URL is copied. Declared so a bad body is a 400."""


# `with` (as on the compare page) is a Python keyword, so this one is built with type().
CompareInput = type(
    "CompareInput",
    (serializers.Serializer,),
    {
        "__doc__": "Which two versions to compare.",
        "with": strict.UUIDField(
            required=False,
            help_text="The version to compare with (a care plan id); the one before by default.",
        ),
    },
)


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
    reason = strict.ChoiceField(choices=AssessmentOffer.Reason.choices)
    pathway_point = strict.ChoiceField(
        choices=Assessment.PathwayPoint.choices, required=False, allow_null=True, default=None
    )


class CompleteInput(serializers.Serializer):
    outcome = strict.CharField(max_length=2000, help_text="What happened, in plain words.")


class FeedbackInput(serializers.Serializer):
    answer = strict.ChoiceField(
        choices=FeedbackAnswer.choices, help_text="Did they get the help they needed?"
    )


def fhir_schema(description: str) -> OpenApiResponse:
    """FHIR resources are documented as JSON objects: their shape is FHIR R4's."""
    return OpenApiResponse(OpenApiTypes.OBJECT, description=description)
