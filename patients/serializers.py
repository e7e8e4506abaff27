"""API serializers for cases: explicit input and output shapes, no logic."""

from rest_framework import serializers

from patients.models import Case


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
