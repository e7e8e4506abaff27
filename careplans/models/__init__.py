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
    DirectoryImport,
    DirectoryOrganization,
    DirectoryService,
    FeedTaxonomyTerm,
    Location,
    PostcodeDistrict,
    RegularSchedule,
    ServiceArea,
    ServiceLanguage,
    TaxonomyTerm,
)
from careplans.models.information import InformationResource
from careplans.models.offers import AssessmentOffer
from careplans.models.plans import (
    CarePlan,
    FeedbackAnswer,
    FeedbackVia,
    OwnerKind,
    PlanItem,
    Signpost,
)
from careplans.models.sharing import PlanSharingConsent, ShareLink, ShareLinkAccess
from careplans.models.surveys import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
from careplans.models.triage import CaseFlag, TriageSettings

__all__ = [
    "Answer",
    "Assessment",
    "AssessmentOffer",
    "CarePlan",
    "CaseFlag",
    "Concern",
    "ConcernTopic",
    "DirectoryOrganization",
    "DirectoryImport",
    "DirectoryService",
    "Domain",
    "FeedbackAnswer",
    "FeedbackVia",
    "FeedTaxonomyTerm",
    "InformationResource",
    "Location",
    "OwnerKind",
    "PlanItem",
    "PlanSharingConsent",
    "PostcodeDistrict",
    "Questionnaire",
    "RegularSchedule",
    "ServiceArea",
    "ServiceLanguage",
    "ShareLink",
    "ShareLinkAccess",
    "Signpost",
    "Survey",
    "SurveyAnswer",
    "SurveyInvitation",
    "SurveyQuestion",
    "SurveyResponse",
    "TaxonomyTerm",
    "TriageSettings",
]
