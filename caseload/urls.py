"""The top layer's pages: the patient's home page at the root, and the navigator's worklist and
case overview under /cases/, beside the patients app's own case pages."""

from django.urls import include, path

from caseload.views import cases, home, record_copies, worklist

# Staff pages, named "caseload:…".
staff_patterns = [
    path("worklist/", worklist.worklist_page, name="worklist"),
    path("worklist/counts/", worklist.worklist_counts, name="worklist_counts"),
    path("<uuid:case_id>/", cases.case_detail, name="case_detail"),
    path(
        "<uuid:case_id>/subject-access-copy/",
        record_copies.subject_access_copy,
        name="subject_access_copy",
    ),
]

urlpatterns = [
    # Where everyone lands after signing in: staff are sent on to their cases.
    path("", home.home, name="home"),
    # The link in a text or email to a patient or carer (patients.links.home_link).
    path("home/<str:reference>/<slug:section>/", home.home_section, name="home_section"),
    # A copy of a person's whole record: asked for from home, its state, its download.
    path("copy/ask/<uuid:case_id>/", record_copies.record_copy_ask, name="record_copy_ask"),
    path("copy/<uuid:copy_id>/", record_copies.record_copy_page, name="record_copy"),
    path(
        "copy/<uuid:copy_id>/download/",
        record_copies.record_copy_download,
        name="record_copy_download",
    ),
    path("cases/", include((staff_patterns, "caseload"))),
]
