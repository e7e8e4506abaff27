"""Writes to the case record, by subject: each validates, runs in one transaction and writes its
audit entry. This package only re-exports them, so callers import from `patients.services`."""

from patients.services.care_team import care_team_add, care_team_remove
from patients.services.carers import (
    carer_access_revoke,
    carer_invitation_accept,
    carer_invitation_accept_new_account,
    carer_invitation_withdraw,
    carer_invite,
)
from patients.services.cases import (
    NAVIGATOR_ROLES,
    OLDEST_AGE_YEARS,
    DuplicatePatient,
    case_close,
    case_handover,
    case_open,
    patient_duplicate_check,
)
from patients.services.contact import (
    CommunicationNeeds,
    StaleRecord,
    contact_details_clean,
    patient_contact_update,
    patient_language_set,
    patient_recipient,
)
from patients.services.invitations import (
    InvitationCheck,
    patient_invitation_accept,
    patient_invite,
    patient_invite_channels,
)
from patients.services.messages import (
    MESSAGE_MAX_LENGTH,
    MessageVia,
    case_message_post,
    case_messages_mark_read,
    message_recipients,
)
from patients.services.questions import (
    QUESTION_MAX_LENGTH,
    SUGGESTED_QUESTIONS,
    appointment_question_add,
    appointment_question_delete,
    appointment_question_mark,
    appointment_question_update,
    suggested_questions,
)
from patients.services.timeline import FUTURE_TOLERANCE, timeline_event_add
from patients.services.treatment_summaries import (
    StaleSummary,
    treatment_summaries_of,
    treatment_summary_for_case,
    treatment_summary_save,
)

__all__ = [
    "InvitationCheck",
    "patient_invitation_accept",
    "patient_invite",
    "patient_invite_channels",
    "CommunicationNeeds",
    "patient_language_set",
    "DuplicatePatient",
    "FUTURE_TOLERANCE",
    "MESSAGE_MAX_LENGTH",
    "MessageVia",
    "NAVIGATOR_ROLES",
    "OLDEST_AGE_YEARS",
    "QUESTION_MAX_LENGTH",
    "SUGGESTED_QUESTIONS",
    "suggested_questions",
    "StaleRecord",
    "StaleSummary",
    "appointment_question_add",
    "appointment_question_delete",
    "appointment_question_mark",
    "appointment_question_update",
    "care_team_add",
    "care_team_remove",
    "carer_access_revoke",
    "carer_invitation_accept",
    "carer_invitation_accept_new_account",
    "carer_invitation_withdraw",
    "carer_invite",
    "case_close",
    "case_handover",
    "case_message_post",
    "case_messages_mark_read",
    "case_open",
    "contact_details_clean",
    "message_recipients",
    "patient_contact_update",
    "patient_duplicate_check",
    "patient_recipient",
    "timeline_event_add",
    "treatment_summaries_of",
    "treatment_summary_for_case",
    "treatment_summary_save",
]
