"""API serializers for cases: explicit input and output shapes, no logic."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from navigator.api import fields as strict
from patients.models import CareTeamMember, Case, CaseMessage, TimelineEvent
from patients.services import MESSAGE_MAX_LENGTH


class CaseOutput(serializers.Serializer):
    id = serializers.UUIDField()
    patient_name = serializers.CharField(source="patient.full_name")
    nhs_number = serializers.CharField(source="patient.nhs_number")
    date_of_birth = serializers.DateField(source="patient.date_of_birth")
    tumour_site = serializers.CharField()
    diagnosis_date = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=Case.Status.choices)
    navigator_name = serializers.CharField(source="navigator.get_full_name")
    team_name = serializers.CharField(source="team.name")


class CareTeamMemberOutput(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=CareTeamMember.Role.choices)
    name = serializers.SerializerMethodField()
    is_named_navigator = serializers.SerializerMethodField()
    organisation_name = serializers.CharField(
        source="organisation.name", default=None, allow_null=True
    )
    contact = serializers.CharField()
    email = serializers.EmailField(source="user.email", default=None, allow_null=True)

    @extend_schema_field(serializers.CharField())
    def get_name(self, member: CareTeamMember) -> str:
        return member.user.get_full_name() if member.user else member.name

    @extend_schema_field(serializers.BooleanField())
    def get_is_named_navigator(self, member: CareTeamMember) -> bool:
        # The case comes in the context, so a list does not fetch it once per member.
        case = self.context["case"]
        return member.user_id is not None and member.user_id == case.navigator_id


class CareTeamMemberInput(serializers.Serializer):
    """A staff account (`user_id`) or a contact by name; the named navigator changes by handover."""

    role = strict.ChoiceField(
        choices=[c for c in CareTeamMember.Role.choices if c[0] != CareTeamMember.Role.NAVIGATOR]
    )
    user_id = strict.UUIDField(required=False, allow_null=True, default=None)
    name = strict.CharField(required=False, allow_blank=True, max_length=200, default="")
    contact = strict.CharField(required=False, allow_blank=True, max_length=200, default="")
    organisation_ods_code = strict.CharField(
        required=False, allow_blank=True, max_length=10, default=""
    )


class TimelineEventOutput(serializers.Serializer):
    """An event as the care team sees it. Patients and carers get the shared events only,
    without `detail`, `shared_with_patient` or who recorded it."""

    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=TimelineEvent.Kind.choices)
    occurred_at = serializers.DateTimeField()
    time_known = serializers.BooleanField()
    summary = serializers.CharField()
    detail = serializers.CharField(required=False)
    shared_with_patient = serializers.BooleanField(required=False)
    recorded_by_name = serializers.CharField(
        source="recorded_by.get_full_name", default=None, allow_null=True, required=False
    )
    recorded_at = serializers.DateTimeField(required=False)


class TimelineEventPatientOutput(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=TimelineEvent.Kind.choices)
    occurred_at = serializers.DateTimeField()
    time_known = serializers.BooleanField()
    summary = serializers.CharField()


class TimelineEventInput(serializers.Serializer):
    """`occurred_at` (a date and time, with its offset) or `occurred_on` (a date): one of them."""

    kind = strict.ChoiceField(choices=TimelineEvent.Kind.choices)
    occurred_at = strict.DateTimeField(required=False)
    occurred_on = strict.DateField(required=False)
    summary = strict.CharField(max_length=200)
    detail = strict.CharField(required=False, allow_blank=True, default="")
    shared_with_patient = strict.BooleanField(required=False, default=False)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if ("occurred_at" in data) == ("occurred_on" in data):
            raise serializers.ValidationError(
                {
                    "occurred_at": [
                        "Give occurred_at (a date and time) or occurred_on (a date), not both."
                    ]
                }
            )
        return data


class CaseMessageOutput(serializers.Serializer):
    id = serializers.UUIDField()
    author_kind = serializers.ChoiceField(choices=CaseMessage.AuthorKind.choices)
    author_name = serializers.CharField(source="author_display")
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_by_patient_at = serializers.DateTimeField(allow_null=True)
    read_by_team_at = serializers.DateTimeField(allow_null=True)


class CaseMessageInput(serializers.Serializer):
    body = strict.CharField(max_length=MESSAGE_MAX_LENGTH)
