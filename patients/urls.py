from django.urls import path

from patients.views import (
    carers,
    cases,
    contact,
    documents,
    invitations,
    language,
    outbox,
    questions,
    record,
    retention,
    security,
    timeline,
)
from patients.views import messages as case_messages
from patients.views import treatment_summary as treatment_summary_views

app_name = "patients"

# Each feature adds its routes here; case URLs carry the case's UUID, never a sequential id.
urlpatterns: list = [
    path("language/", language.language_switch, name="language_switch"),
    path("", cases.case_list, name="case_list"),
    path("open/", cases.case_open_page, name="case_open"),
    path("security-log/", security.security_log, name="security_log"),
    path("retention/", retention.retention_due_page, name="retention_due"),
    path("<uuid:case_id>/handover/", cases.case_handover_page, name="case_handover"),
    path("<uuid:case_id>/close/", cases.case_close_page, name="case_close"),
    path("<uuid:case_id>/care-team/add/", cases.care_team_add_page, name="care_team_add"),
    path("<uuid:case_id>/care-team/remove/", cases.care_team_remove_page, name="care_team_remove"),
    path("<uuid:case_id>/timeline/", timeline.timeline, name="timeline"),
    path("<uuid:case_id>/timeline/add/", timeline.timeline_add, name="timeline_add"),
    path("<uuid:case_id>/contact/", contact.contact_edit, name="contact_edit"),
    path("<uuid:case_id>/record-access/", record.case_record_access, name="case_record_access"),
    path("<uuid:case_id>/outbox/", outbox.case_outbox, name="case_outbox"),
    path(
        "<uuid:case_id>/treatment-summary/",
        treatment_summary_views.treatment_summary_edit,
        name="treatment_summary_edit",
    ),
    path("<uuid:case_id>/documents/", documents.documents, name="documents"),
    path(
        "<uuid:case_id>/documents/<uuid:document_id>/",
        documents.document_download,
        name="document_download",
    ),
    path("<uuid:case_id>/messages/", case_messages.case_messages, name="messages"),
    path("<uuid:case_id>/questions/", questions.questions, name="questions"),
    path("<uuid:case_id>/invite/", invitations.patient_invite_page, name="patient_invite"),
    path(
        "invitation/<str:token>/",
        invitations.patient_invitation_accept_page,
        name="patient_invitation_accept",
    ),
    path("<uuid:case_id>/carers/", carers.carers, name="carers"),
    path("<uuid:case_id>/carers/invite/", carers.carer_invite_page, name="carer_invite"),
    path("<uuid:case_id>/carers/revoke/", carers.carer_revoke, name="carer_revoke"),
    path(
        "<uuid:case_id>/carers/withdraw/",
        carers.carer_invitation_withdraw_page,
        name="carer_invitation_withdraw",
    ),
    path(
        "carer-invitation/<str:token>/",
        carers.carer_invitation_accept_page,
        name="carer_invitation_accept",
    ),
    path(
        "<uuid:case_id>/questions/suggested/",
        questions.question_suggested_add,
        name="question_suggested_add",
    ),
    path(
        "<uuid:case_id>/questions/<uuid:question_id>/edit/",
        questions.question_edit,
        name="question_edit",
    ),
    path(
        "<uuid:case_id>/questions/<uuid:question_id>/asked/",
        questions.question_asked,
        name="question_asked",
    ),
    path(
        "<uuid:case_id>/questions/<uuid:question_id>/delete/",
        questions.question_delete,
        name="question_delete",
    ),
]
