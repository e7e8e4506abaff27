"""The top layer's pages: the navigator's worklist under /cases/, beside the patients app's
own case pages."""

from django.urls import include, path

from caseload.views import worklist

# Staff pages, named "caseload:…".
staff_patterns = [
    path("worklist/", worklist.worklist_page, name="worklist"),
    path("worklist/counts/", worklist.worklist_counts, name="worklist_counts"),
]

urlpatterns = [
    path("cases/", include((staff_patterns, "caseload"))),
]
