"""The top layer's pages: the patient's home page at the root, and the navigator's worklist and
case overview under /cases/, beside the patients app's own case pages."""

from django.urls import include, path

from caseload.views import cases, home, worklist

# Staff pages, named "caseload:…".
staff_patterns = [
    path("worklist/", worklist.worklist_page, name="worklist"),
    path("worklist/counts/", worklist.worklist_counts, name="worklist_counts"),
    path("<uuid:case_id>/", cases.case_detail, name="case_detail"),
]

urlpatterns = [
    # Where everyone lands after signing in: staff are sent on to their cases.
    path("", home.home, name="home"),
    # The link in a text or email to a patient or carer (patients.links.home_link).
    path("home/<str:reference>/<slug:section>/", home.home_section, name="home_section"),
    path("cases/", include((staff_patterns, "caseload"))),
]
