from django.urls import path

from patients.views import cases, contact, outbox, record, timeline

app_name = "patients"

# Each feature adds its routes here; case URLs carry the case's UUID, never a sequential id.
urlpatterns: list = [
    path("", cases.case_list, name="case_list"),
    path("open/", cases.case_open_page, name="case_open"),
    path("<uuid:case_id>/", cases.case_detail, name="case_detail"),
    path("<uuid:case_id>/handover/", cases.case_handover_page, name="case_handover"),
    path("<uuid:case_id>/care-team/add/", cases.care_team_add_page, name="care_team_add"),
    path("<uuid:case_id>/care-team/remove/", cases.care_team_remove_page, name="care_team_remove"),
    path("<uuid:case_id>/timeline/", timeline.timeline, name="timeline"),
    path("<uuid:case_id>/timeline/add/", timeline.timeline_add, name="timeline_add"),
    path("<uuid:case_id>/contact/", contact.contact_edit, name="contact_edit"),
    path("<uuid:case_id>/record-access/", record.case_record_access, name="case_record_access"),
    path("<uuid:case_id>/outbox/", outbox.case_outbox, name="case_outbox"),
]
