"""Assessment definitions and responses, triage flags, the service directory and care plans."""

from careplans.models.assessments import (
    Answer,
    Assessment,
    Concern,
    Domain,
    Questionnaire,
)
from careplans.models.directory import (
    ConcernTopic,
    DirectoryOrganization,
    DirectoryService,
    Location,
    PostcodeDistrict,
    RegularSchedule,
    ServiceArea,
    ServiceLanguage,
    TaxonomyTerm,
)
from careplans.models.plans import CarePlan, OwnerKind, PlanItem, Signpost
from careplans.models.triage import CaseFlag, TriageSettings

__all__ = [
    "Answer",
    "Assessment",
    "CarePlan",
    "CaseFlag",
    "Concern",
    "ConcernTopic",
    "DirectoryOrganization",
    "DirectoryService",
    "Domain",
    "Location",
    "OwnerKind",
    "PlanItem",
    "PostcodeDistrict",
    "Questionnaire",
    "RegularSchedule",
    "ServiceArea",
    "ServiceLanguage",
    "Signpost",
    "TaxonomyTerm",
    "TriageSettings",
]
